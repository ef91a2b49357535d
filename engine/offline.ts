/**
 * Runs a stack program in-process under the mock engine and resolves its outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { describeValue } from "../components/errors";
import { MockEngine, type MockEngineOptions } from "./mockEngine";
import { restoreStackTraces } from "./stackTraces";

/** One output of a program run, resolved. */
export interface ResolvedOutput {
  value: unknown;
  secret: boolean;
}

/** The result of running a stack program in-process. */
export interface OfflineRun {
  engine: MockEngine;
  outputs: Record<string, ResolvedOutput>;
}

/**
 * Resolves an Output (or plain value) to its value, and rejects when the Output failed (an `apply`
 * that threw): a program error must fail the run, not leave it waiting.
 *
 * @internal exported for the tests only
 */
export function valueOf<T>(value: pulumi.Input<T>): Promise<T> {
  const output = pulumi.output(value) as unknown as { promise(): Promise<T> };
  return output.promise();
}

/**
 * Runs a stack program under the mock engine and resolves its outputs: what `pulumi up` would
 * register and export, with no CLI, cloud or credentials. The program is a function returning the
 * stack's outputs (`accountA` / `accountB` of `stacks/`).
 */
export async function runOffline(
  program: () => Promise<Record<string, unknown>>,
  options: MockEngineOptions,
  timeoutMs = RUN_TIMEOUT_MS,
): Promise<OfflineRun> {
  return runOnEngine(new MockEngine(options), program, timeoutMs);
}

/** How long a program run may take before it counts as failed. */
export const RUN_TIMEOUT_MS = 30_000;

/**
 * {@link runOffline} on an engine the caller made, so that it can read what was registered even when
 * the program fails.
 *
 * Like Pulumi's Node.js language host (`@pulumi/pulumi/cmd/run/run.js` registers its failure handler
 * for `unhandledRejection`), a rejection nobody handles fails the run: a check inside an `apply` that
 * feeds a resource's inputs rejects there, and the outputs of that resource never settle, so waiting
 * on them alone would hang. A run that neither settles nor fails within `timeoutMs` fails too.
 *
 * @internal exported for the tests only
 */
export async function runOnEngine(
  engine: MockEngine,
  program: () => Promise<Record<string, unknown>>,
  timeoutMs = RUN_TIMEOUT_MS,
): Promise<OfflineRun> {
  try {
    await engine.install();
  } catch (error) {
    restoreStackTraces(); // install() switched them off before the runtime refused it
    throw error;
  }
  let fail: (reason: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined); // a rejection after the run settled is not itself unhandled
  const listener = (reason: unknown): void => fail(reason);
  process.on("unhandledRejection", listener);
  const timer = setTimeout(() => fail(new Error(`did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
  try {
    return await Promise.race([resolveRun(engine, program), failed]);
  } catch (error) {
    // Let the failed run's other rejections arrive while the listener still takes them (one turn of
    // the event loop: under the mock engine the program progresses on promise jobs only, and Node
    // reports unhandled rejections before the next turn), then reset the runtime: the failed program
    // leaves Outputs that never settle, which it would otherwise report as leaked promises at exit.
    await new Promise((resolve) => setImmediate(resolve));
    await new MockEngine({ project: engine.project, stack: engine.stack }).install();
    throw error;
  } finally {
    clearTimeout(timer);
    process.off("unhandledRejection", listener);
    restoreStackTraces();
  }
}

async function resolveRun(
  engine: MockEngine,
  program: () => Promise<Record<string, unknown>>,
): Promise<OfflineRun> {
  const raw = await program();
  const outputs: Record<string, ResolvedOutput> = {};
  for (const [name, value] of Object.entries(raw)) {
    const output = pulumi.output(value);
    const resolved: unknown = await valueOf<unknown>(output);
    const secret = await pulumi.isSecret(output);
    outputs[name] = { value: resolved, secret };
  }
  // Let registrations that no output waits for (a bucket policy, a seed object) reach the engine.
  await pulumi.runtime.disconnect();
  return { engine, outputs };
}

/** Plain output values, secrets included, as another stack's StackReference would see them. */
export function outputValues(outputs: Record<string, ResolvedOutput>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}

/**
 * Routes console output into `sink` until restored: under mocks `pulumi.log` writes there
 * (`info: [runtime] <message>`), which the sink keeps as `info: <message>`.
 */
export function captureConsole(sink: string[]): () => void {
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  // Saved as property descriptors, so exactly the original functions come back.
  const saved = methods.map((m) => [m, Object.getOwnPropertyDescriptor(console, m)] as const);
  for (const m of methods) {
    console[m] = (...args: unknown[]) => {
      const text = args.map((a) => (typeof a === "string" ? a : describeValue(a))).join(" ");
      sink.push(text.replace(/^(\w+): \[runtime\] /, "$1: "));
    };
  }
  return () => {
    for (const [m, descriptor] of saved) {
      if (descriptor) Object.defineProperty(console, m, descriptor);
    }
  };
}
