/**
 * Runs a stack program in-process under the mock engine and resolves its outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockEngine, restoreStackTraces, type MockEngineOptions } from "./mockEngine";

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
): Promise<OfflineRun> {
  const engine = new MockEngine(options);
  await engine.install();
  try {
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
  } finally {
    restoreStackTraces();
  }
}

/** Plain output values, secrets included, as another stack's StackReference would see them. */
export function outputValues(outputs: Record<string, ResolvedOutput>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}
