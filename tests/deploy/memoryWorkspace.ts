import type { EngineEvent, OpMap, OpType } from "@pulumi/pulumi/automation";
import { errorMessage } from "../../engine/errors";
import { captureConsole, runOffline } from "../../engine/offline";
import { PROGRAM_KEY, PROJECT } from "../../deploy/orchestrator";
import type {
  OperationHandlers,
  OperationResult,
  StackOutputs,
  StackWorkspace,
} from "../../cli/shared/workspace";
import { selectProgramName } from "../../stacks";
import { loadStackConfig, type StackConfig } from "../../stacks/stackFile";

/**
 * An in-memory {@link StackWorkspace} for the orchestration tests (not a test file). It runs the REAL
 * stack programs (stacks/accountA.ts, stacks/accountB.ts) on the in-process mock engine, in update
 * or preview mode, with each stack's config file and the other stack's saved outputs behind its
 * StackReference, as `pulumi up` and `pulumi preview` would. Around them it models what the Pulumi
 * engine adds: each stack's state (resources, outputs, config), engine events (pre / outputs /
 * failed / diagnostic / summary), a checkpoint after every resource step, and failures (or an
 * interruption, or a lock) injected at a chosen step of a chosen operation. It records every call.
 *
 * Program runs are memoised by their inputs (program, stack, config, the other stack's outputs,
 * preview): the programs are deterministic on the mock engine, so a repeated run gives the same
 * registrations, and the tests pay for each distinct run once.
 */

/** A resource a program registered (reads and StackReferences aside), as the engine diffs it. */
export interface ProgramResource {
  type: string;
  name: string;
  urn: string;
  inputs: Record<string, unknown>;
}

/** What a program run registered, the stack's outputs, and what it logged (`info: ...`). */
export interface ProgramResult {
  resources: ProgramResource[];
  outputs: StackOutputs;
  messages: string[];
}

/** What a program runs with. */
export interface ProgramContext {
  /** The stack's name as the user gave it. */
  stack: string;
  /** The stack's config: its `Pulumi.<stack>.yaml`, then what was set with `setConfig`. */
  config: Record<string, string>;
  secretKeys: string[];
  preview: boolean;
  /** Other stacks' outputs, by fully qualified name, for the program's StackReferences. */
  stackOutputs: Record<string, Record<string, unknown>>;
}

/** Runs a stack's program. */
export type StackProgram = (ctx: ProgramContext) => Promise<ProgramResult>;

const runs = new Map<string, ProgramResult>();

/**
 * The real program of the stack (`cross-account-irsa:program`, or the stack's name), on the mock
 * engine, memoised by its inputs.
 */
export const realProgram: StackProgram = async (ctx) => {
  const name = selectProgramName(shortName(ctx.stack), ctx.config[PROGRAM_KEY]);
  const key = JSON.stringify([name, ctx.stack, ctx.config, ctx.secretKeys, ctx.preview, ctx.stackOutputs]);
  const cached = runs.get(key);
  if (cached) return structuredClone(cached);
  const program =
    name === "account-a"
      ? (await import("../../stacks/accountA")).accountA
      : (await import("../../stacks/accountB")).accountB;
  const messages: string[] = [];
  const restoreConsole = captureConsole(messages);
  let run;
  try {
    run = await runOffline(program, {
      config: ctx.config,
      secretKeys: ctx.secretKeys,
      project: PROJECT,
      stack: shortName(ctx.stack),
      organization: "organization",
      stackOutputs: ctx.stackOutputs,
      strictStackReferences: true,
      preview: ctx.preview,
    });
  } finally {
    restoreConsole();
  }
  const result: ProgramResult = {
    resources: run.engine.resources
      .filter((r) => !r.read && r.type !== "pulumi:pulumi:StackReference")
      .map((r) => ({ type: r.type, name: r.name, urn: r.urn, inputs: r.inputs })),
    outputs: Object.fromEntries(
      Object.entries(run.outputs)
        .filter(([, o]) => o.value !== undefined)
        .map(([k, o]) => [k, { value: o.value, secret: o.secret }]),
    ),
    messages,
  };
  runs.set(key, result);
  return structuredClone(result);
};

/** The last part of `org/project/stack`. */
function shortName(stack: string): string {
  return stack.slice(stack.lastIndexOf("/") + 1);
}

/** The committed stack files, by the program that reads them. */
const COMMITTED: Record<"account-a" | "account-b", () => StackConfig> = {
  "account-a": () => loadStackConfig("Pulumi.account-a.yaml"),
  "account-b": () => loadStackConfig("Pulumi.account-b.yaml"),
};

/** One stack in the in-memory backend. */
export interface FakeStack {
  resources: Map<string, ProgramResource>;
  outputs: StackOutputs;
  config: Record<string, string>;
  /** URNs of operations in flight when an update was interrupted. */
  pending: string[];
}

/** A call the orchestration made. */
export interface FakeCall {
  method: keyof StackWorkspace;
  stack: string;
  key?: string;
  value?: string;
}

/** An injected failure: the next matching operation fails after `afterSteps` resource steps. */
export interface FailurePlan {
  op: "up" | "preview" | "destroy";
  stack: string;
  /** Number of resource steps that complete before the failing one (0 = the first step fails). */
  afterSteps: number;
  /** Number of matching operations to let through first (1 = fail the second `up` of the stack). */
  skip?: number;
  /** `error`: the provider rejects the step; `interrupt`: Ctrl-C during the step; `locked`: the stack is locked. */
  mode?: "error" | "interrupt" | "locked";
  message?: string;
}

/** Fully qualified name of a stack in the (self-managed) backend. */
export function fakeQualifiedName(stack: string): string {
  const parts = stack.split("/");
  if (parts.length === 3) return stack;
  if (parts.length === 2) return `${parts[0]}/${PROJECT}/${parts[1]}`;
  return `organization/${PROJECT}/${stack}`;
}

/** The URN of a stack's root resource. */
function rootUrnOf(stack: string): string {
  const short = shortName(stack);
  return `urn:pulumi:${short}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${short}`;
}

/** A CommandError-shaped error, as the Automation API throws when the CLI exits non-zero. */
function commandError(stderr: string): Error {
  return new Error(`code: 255\n stdout: \n stderr: ${stderr}\n err?: \n`);
}

/** The in-memory workspace. */
/** The in-memory workspace. */
export class MemoryWorkspace implements StackWorkspace {
  readonly stacks = new Map<string, FakeStack>();
  readonly calls: FakeCall[] = [];
  readonly failures: FailurePlan[] = [];
  /** The fake clock, in milliseconds; each resource step advances it by `stepMs`. */
  clock = 0;
  stepMs = 1000;
  private sequence = 0;

  /**
   * @param stackFiles each stack's `Pulumi.<stack>.yaml`, parsed; a stack without one reads the
   *   committed file of the program it runs (as if the user had copied it).
   * @param program runs a stack's program: the real one by default.
   */
  constructor(
    readonly stackFiles: Record<string, StackConfig> = {},
    readonly program: StackProgram = realProgram,
  ) {}

  /** The clock as a `now()` function for the orchestration. */
  readonly now = (): number => this.clock;

  /** Makes the next matching operation fail. */
  failNext(plan: FailurePlan): this {
    this.failures.push(plan);
    return this;
  }

  /** The methods called, as `method stack` strings, optionally only those of some methods. */
  callLog(methods?: Array<keyof StackWorkspace>): string[] {
    return this.calls
      .filter((c) => !methods || methods.includes(c.method))
      .map((c) => `${c.method} ${c.stack}`);
  }

  /** A copy of a stack's resources (urn → inputs) and outputs, for comparing states. */
  snapshot(stack: string): { resources: Record<string, unknown>; outputs: StackOutputs; pending: string[] } {
    const s = this.mustExist(stack);
    return {
      resources: Object.fromEntries([...s.resources].map(([urn, r]) => [urn, r.inputs])),
      outputs: structuredClone(s.outputs),
      pending: [...s.pending],
    };
  }

  createOrSelect(stack: string): Promise<void> {
    this.calls.push({ method: "createOrSelect", stack });
    if (!this.stacks.has(stack)) {
      this.stacks.set(stack, { resources: new Map(), outputs: {}, config: {}, pending: [] });
    }
    return Promise.resolve();
  }

  select(stack: string): Promise<boolean> {
    this.calls.push({ method: "select", stack });
    return Promise.resolve(this.stacks.has(stack));
  }

  up(stack: string, handlers: OperationHandlers): Promise<OperationResult> {
    this.calls.push({ method: "up", stack });
    return this.run("up", stack, handlers);
  }

  preview(stack: string, handlers: OperationHandlers): Promise<OperationResult> {
    this.calls.push({ method: "preview", stack });
    return this.run("preview", stack, handlers);
  }

  destroy(stack: string, handlers: OperationHandlers): Promise<OperationResult> {
    this.calls.push({ method: "destroy", stack });
    return this.run("destroy", stack, handlers);
  }

  outputs(stack: string): Promise<StackOutputs> {
    this.calls.push({ method: "outputs", stack });
    return Promise.resolve().then(() => structuredClone(this.mustExist(stack).outputs));
  }

  qualifiedName(stack: string): Promise<string> {
    this.calls.push({ method: "qualifiedName", stack });
    return Promise.resolve(fakeQualifiedName(stack));
  }

  getConfig(stack: string, key: string): Promise<string | undefined> {
    this.calls.push({ method: "getConfig", stack, key });
    return Promise.resolve().then(() => this.mustExist(stack).config[key]);
  }

  setConfig(stack: string, key: string, value: string): Promise<void> {
    this.calls.push({ method: "setConfig", stack, key, value });
    return Promise.resolve().then(() => {
      this.mustExist(stack).config[key] = value;
    });
  }

  getAllConfig(stack: string): Promise<StackConfig> {
    this.calls.push({ method: "getAllConfig", stack });
    return Promise.resolve().then(() => structuredClone(this.configOf(stack, this.mustExist(stack))));
  }

  private mustExist(stack: string): FakeStack {
    const s = this.stacks.get(stack);
    if (!s) throw commandError(`error: no stack named '${stack}' found`);
    return s;
  }

  /** The stack's config as its program sees it: its stack file, then what was set on it. */
  private configOf(stack: string, state: FakeStack): StackConfig {
    const program = selectProgramName(shortName(stack), state.config[PROGRAM_KEY]);
    const file = this.stackFiles[stack] ?? COMMITTED[program]();
    return { config: { ...file.config, ...state.config }, secretKeys: file.secretKeys };
  }

  private emit(handlers: OperationHandlers, event: Omit<EngineEvent, "sequence" | "timestamp">): void {
    this.sequence += 1;
    handlers.onEvent({ sequence: this.sequence, timestamp: Math.floor(this.clock / 1000), ...event });
  }

  private takeFailure(op: FailurePlan["op"], stack: string): FailurePlan | undefined {
    const i = this.failures.findIndex((f) => f.op === op && f.stack === stack);
    if (i < 0) return undefined;
    const plan = this.failures[i];
    if (plan.skip) {
      plan.skip -= 1;
      return undefined;
    }
    return this.failures.splice(i, 1)[0];
  }

  private async run(
    op: FailurePlan["op"],
    stack: string,
    handlers: OperationHandlers,
  ): Promise<OperationResult> {
    await Promise.resolve();
    const state = this.mustExist(stack);
    const failure = this.takeFailure(op, stack);
    if (failure?.mode === "locked") {
      throw commandError(
        `error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end ` +
          `or delete the lock file with \`pulumi cancel\`.`,
      );
    }
    const rootUrn = rootUrnOf(stack);
    const counts: OpMap = {};
    const steps: Array<{ op: OpType; urn: string; type: string; resource?: ProgramResource }> = [];
    let outputs: StackOutputs = {};

    if (op === "destroy") {
      for (const [urn, r] of [...state.resources].reverse()) steps.push({ op: "delete", urn, type: r.type });
    } else {
      let result: ProgramResult;
      try {
        const { config, secretKeys } = this.configOf(stack, state);
        result = await this.program({
          stack,
          config,
          secretKeys,
          preview: op === "preview",
          stackOutputs: Object.fromEntries(
            [...this.stacks].map(([name, s]) => [
              fakeQualifiedName(name),
              Object.fromEntries(Object.entries(s.outputs).map(([k, o]) => [k, o.value])),
            ]),
          ),
        });
      } catch (error) {
        const message = errorMessage(error);
        this.emit(handlers, {
          diagnosticEvent: { urn: rootUrn, message: `${message}\n`, color: "never", severity: "error" },
        });
        throw commandError(`error: an unhandled error occurred: ${message}`);
      }
      outputs = result.outputs;
      // What the program logged reaches the CLI as diagnostics, as the engine forwards pulumi.log.
      for (const line of result.messages) {
        const severity = /^(warning|error|debug):/.exec(line)?.[1] ?? "info";
        this.emit(handlers, {
          diagnosticEvent: {
            urn: rootUrn,
            message: `${line.replace(/^\w+: /, "")}\n`,
            color: "never",
            severity: severity as "info",
          },
        });
      }
      const desired: ProgramResource[] = [
        { type: "pulumi:pulumi:Stack", name: "", urn: rootUrn, inputs: {} },
        ...result.resources,
      ];
      const desiredUrns = new Set<string>();
      if (state.pending.length > 0 && op === "up") {
        this.emit(handlers, {
          diagnosticEvent: {
            message: `Attempting to deploy or update resources with ${state.pending.length} pending operations from previous deployment.`,
            color: "never",
            severity: "warning",
          },
        });
      }
      for (const resource of desired) {
        const urn = resource.urn;
        desiredUrns.add(urn);
        const existing = state.resources.get(urn);
        const stepOp: OpType = !existing
          ? "create"
          : JSON.stringify(existing.inputs) === JSON.stringify(resource.inputs)
            ? "same"
            : "update";
        steps.push({ op: stepOp, urn, type: resource.type, resource });
      }
      for (const [urn, r] of [...state.resources].reverse()) {
        if (!desiredUrns.has(urn)) steps.push({ op: "delete", urn, type: r.type });
      }
    }

    const planning = op === "preview";
    for (const [index, step] of steps.entries()) {
      const metadata = { op: step.op, urn: step.urn, type: step.type, provider: "" };
      this.emit(handlers, { resourcePreEvent: { metadata, planning } });
      if (failure && index === failure.afterSteps) {
        this.clock += this.stepMs;
        const message =
          failure.message ??
          (failure.mode === "interrupt"
            ? "update canceled: interrupted"
            : `creating ${step.type}: AccessDenied: not authorized`);
        if (failure.mode === "interrupt" && !planning) state.pending.push(step.urn);
        this.emit(handlers, {
          diagnosticEvent: { urn: step.urn, message: `${message}\n`, color: "never", severity: "error" },
        });
        this.emit(handlers, { resOpFailedEvent: { metadata, status: 1, steps: index } });
        // Like the engine, close with a generic error on the stack resource.
        this.emit(handlers, {
          diagnosticEvent: {
            urn: rootUrn,
            message: `${op === "up" ? "update" : op} failed\n`,
            color: "never",
            severity: "error",
          },
        });
        this.emit(handlers, {
          summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: counts, policyPacks: {} },
        });
        throw commandError(`error: ${op} failed`);
      }
      this.clock += this.stepMs;
      if (!planning) {
        if (step.op === "delete") state.resources.delete(step.urn);
        else if (step.resource) state.resources.set(step.urn, step.resource);
        state.pending = state.pending.filter((u) => u !== step.urn);
      }
      counts[step.op] = (counts[step.op] ?? 0) + 1;
      this.emit(handlers, { resOutputsEvent: { metadata, planning } });
    }
    if (!planning) {
      state.outputs = op === "destroy" ? {} : outputs;
      if (op === "up") state.pending = [];
    }
    this.emit(handlers, {
      summaryEvent: {
        maybeCorrupt: false,
        durationSeconds: steps.length,
        resourceChanges: counts,
        policyPacks: {},
      },
    });
    return {
      resourceChanges: counts,
      outputs: op === "up" ? structuredClone(state.outputs) : undefined,
    };
  }
}
