/**
 * The orchestration of the two stacks: deploy (account-a, account-b, account-a again), preview and
 * destroy, through a `StackWorkspace`, with progress and failure reports.
 */
import type { OpMap } from "@pulumi/pulumi/automation";
import { type CommandName, type FailureContext, formatFailure } from "./failure";
import {
  type OperationKind,
  type Phase,
  ProgressTracker,
  formatChangeSummary,
  formatOutputs,
  phaseLabel,
} from "./progress";
import { DEFAULT_STACKS, type StackPair } from "../cli/shared/stacks";
import type { OperationResult, StackOutputs, StackWorkspace } from "../cli/shared/workspace";

/** The Pulumi project, and the namespace of its config keys. */
export const PROJECT = "cross-account-irsa";

/**
 * Config key on account-a naming account-b's stack (fully qualified) for its StackReference.
 *
 * @internal exported for the tests only
 */
export const ACCOUNT_B_STACK_KEY = `${PROJECT}:accountBStack`;

/**
 * Config key on account-b naming account-a's stack (fully qualified) for its StackReference.
 *
 * @internal exported for the tests only
 */
export const ACCOUNT_A_STACK_KEY = `${PROJECT}:accountAStack`;

/** The value account-a exports as `workload` while account-b has no outputs. */
export const WORKLOAD_SKIPPED_PREFIX = "skipped";

/**
 * What a command needs: the workspace, the stacks, where to write, and how to resume.
 *
 * @internal exported for the tests only
 */
export interface RunOptions {
  workspace: StackWorkspace;
  stacks: StackPair;
  /** Progress and results (stdout). */
  log: (line: string) => void;
  /** Failure reports (stderr). */
  logError: (line: string) => void;
  /** Milliseconds clock, for elapsed times. */
  now: () => number;
  /** Passed to every stack operation: aborting it interrupts the operation as Ctrl-C does. */
  signal?: AbortSignal;
  /**
   * True once the user interrupted the run (Ctrl-C reaches the Pulumi CLI directly, as it runs in the
   * same process group; this only tells the failure report that the stop was an interruption).
   */
  wasInterrupted?: () => boolean;
  /** The command line that re-runs a command with the same flags, e.g. `npm run deploy -- --yes`. */
  resumeCommand: (command: CommandName) => string;
  /** Prefix for `pulumi` in hints (working directory and backend); see {@link FailureContext}. */
  pulumiPrefix?: string;
}

/** The result of one phase. */
export interface PhaseOutcome {
  phase: Phase;
  /** Resource counts from the engine's summary; absent when the phase failed without one. */
  resourceChanges?: OpMap;
  ok: boolean;
}

/** The result of a command: success, the phases that ran, and the failure when there was one. */
export interface RunOutcome {
  ok: boolean;
  phases: PhaseOutcome[];
  failure?: FailureContext;
  /** Final outputs by stack name (deploy only). */
  outputs?: Record<string, StackOutputs>;
}

/**
 * The three phases of a deploy: account-a, then account-b, then account-a again.
 *
 * @internal exported for the tests only
 */
export function deployPhases(stacks: StackPair): Phase[] {
  return phases("up", [stacks.a, stacks.b, stacks.a]);
}

/**
 * The phases of a preview: account-a, then account-b (which reads account-a's current outputs).
 *
 * @internal exported for the tests only
 */
export function previewPhases(stacks: StackPair): Phase[] {
  return phases("preview", [stacks.a, stacks.b]);
}

/**
 * The phases of a destroy: account-a (the workload that uses account-b's role) first, then account-b.
 *
 * @internal exported for the tests only
 */
export function destroyPhases(stacks: StackPair): Phase[] {
  return phases("destroy", [stacks.a, stacks.b]);
}

function phases(kind: OperationKind, stacks: string[]): Phase[] {
  return stacks.map((stack, i) => ({ index: i + 1, total: stacks.length, stack, kind }));
}

/** True when the user chose stack names other than the defaults. */
export function usesCustomStackNames(stacks: StackPair): boolean {
  return stacks.a !== DEFAULT_STACKS.a || stacks.b !== DEFAULT_STACKS.b;
}

/**
 * Config key choosing a stack's program (`account-a` or `account-b`) when its name does not say.
 *
 * @internal exported for the tests only
 */
export const PROGRAM_KEY = `${PROJECT}:program`;

/**
 * Points each stack's StackReference at the other stack. With the default names the programs'
 * defaults (`<org>/<project>/account-a|b`) are right and nothing is written. With other names each
 * stack gets the other's fully qualified name in its config, and, when its name does not end in
 * `account-a` / `account-b`, the program it runs (`cross-account-irsa:program`). A value is written
 * only when it differs, so running this again changes nothing. Returns what was set.
 *
 * @internal exported for the tests only
 */
export async function ensureStackReferences(workspace: StackWorkspace, stacks: StackPair): Promise<string[]> {
  if (!usesCustomStackNames(stacks)) return [];
  const lines: string[] = [];
  const settings = [
    { stack: stacks.a, program: "account-a", key: ACCOUNT_B_STACK_KEY, target: stacks.b },
    { stack: stacks.b, program: "account-b", key: ACCOUNT_A_STACK_KEY, target: stacks.a },
  ];
  const set = async (stack: string, key: string, value: string): Promise<void> => {
    await workspace.setConfig(stack, key, value);
    lines.push(`set ${key} = ${value} on stack ${stack}`);
  };
  for (const s of settings) {
    const program = await workspace.getConfig(s.stack, PROGRAM_KEY);
    if (program !== s.program && (program !== undefined || !s.stack.endsWith(s.program))) {
      await set(s.stack, PROGRAM_KEY, s.program);
    }
    const desired = await workspace.qualifiedName(s.target);
    if ((await workspace.getConfig(s.stack, s.key)) !== desired) await set(s.stack, s.key, desired);
  }
  return lines;
}

/** Context shared by the phases of one command. */
interface CommandRun {
  command: CommandName;
  options: RunOptions;
  outcome: RunOutcome;
}

/**
 * Creates or selects both stacks (a StackReference to a missing stack fails, so both must exist
 * before the first operation) and points their StackReferences at each other. Reports and returns
 * false on failure.
 */
async function prepareStacks(run: CommandRun): Promise<boolean> {
  const { workspace, stacks } = run.options;
  for (const stack of [stacks.a, stacks.b]) {
    const ok = await setupStep(run, stack, `create or select stack ${stack}`, () =>
      workspace.createOrSelect(stack),
    );
    if (!ok) return false;
  }
  return setupStep(run, stacks.a, "set the StackReference names in the stack config", async () => {
    for (const line of await ensureStackReferences(workspace, stacks)) run.options.log(line);
  });
}

async function setupStep(
  run: CommandRun,
  stack: string,
  step: string,
  action: () => Promise<void>,
): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (error) {
    fail(run, { command: run.command, step, stack, error, interrupted: interrupted(run.options) });
    return false;
  }
}

function fail(run: CommandRun, ctx: Omit<FailureContext, "resumeCommand" | "pulumiPrefix">): void {
  const failure: FailureContext = {
    ...ctx,
    resumeCommand: run.options.resumeCommand(run.command),
    pulumiPrefix: run.options.pulumiPrefix ?? "",
  };
  run.outcome.ok = false;
  run.outcome.failure = failure;
  for (const line of formatFailure(failure)) run.options.logError(line);
}

/** Runs one phase with progress output; reports the failure and returns undefined when it fails. */
async function runPhase(run: CommandRun, phase: Phase): Promise<OperationResult | undefined> {
  const { workspace, log, now, signal } = run.options;
  const tracker = new ProgressTracker(phase, now);
  log(`${phaseLabel(phase)} ${phase.kind} ${phase.stack}`);
  const handlers = {
    onEvent: (event: Parameters<ProgressTracker["handle"]>[0]) =>
      tracker.handle(event).forEach((l) => log(l)),
    signal,
  };
  try {
    const result = await workspace[phase.kind](phase.stack, handlers);
    log(formatChangeSummary(phase, result.resourceChanges, tracker.elapsedMs()));
    run.outcome.phases.push({ phase, resourceChanges: result.resourceChanges, ok: true });
    return result;
  } catch (error) {
    const partial = tracker.summary?.resourceChanges;
    if (partial) log(formatChangeSummary(phase, partial, tracker.elapsedMs(), true));
    run.outcome.phases.push({ phase, resourceChanges: partial, ok: false });
    fail(run, {
      command: run.command,
      phase,
      step: `${phase.kind} ${phase.stack}`,
      stack: phase.stack,
      failedResource: tracker.lastFailure,
      errorDiagnostic: tracker.lastError,
      error,
      interrupted: interrupted(run.options),
    });
    return undefined;
  }
}

function interrupted(options: RunOptions): boolean {
  return (options.signal?.aborted ?? false) || (options.wasInterrupted?.() ?? false);
}

function newRun(command: CommandName, options: RunOptions): CommandRun {
  return { command, options, outcome: { ok: true, phases: [] } };
}

/**
 * `deploy`: creates or selects both stacks, then `up` account-a (cluster and OIDC outputs), `up`
 * account-b (OIDC provider, role, bucket; reads account-a's outputs), `up` account-a again (the
 * ServiceAccount, workload and access check; reads account-b's outputs), and prints both stacks'
 * outputs with secrets masked. Every step is idempotent, so running it again after any failure or
 * interruption converges.
 */
export async function deploy(options: RunOptions): Promise<RunOutcome> {
  const run = newRun("deploy", options);
  if (!(await prepareStacks(run))) return run.outcome;
  const results = new Map<string, OperationResult>();
  for (const phase of deployPhases(options.stacks)) {
    const result = await runPhase(run, phase);
    if (!result) return run.outcome;
    results.set(phase.stack, result);
  }
  const outputs: Record<string, StackOutputs> = {};
  for (const stack of [options.stacks.a, options.stacks.b]) {
    try {
      outputs[stack] = results.get(stack)?.outputs ?? (await options.workspace.outputs(stack));
    } catch (error) {
      fail(run, {
        command: "deploy",
        step: `read the outputs of ${stack}`,
        stack,
        error,
        interrupted: false,
      });
      return run.outcome;
    }
    for (const line of formatOutputs(stack, outputs[stack])) options.log(line);
  }
  run.outcome.outputs = outputs;
  const workload = outputs[options.stacks.a]?.workload?.value;
  if (typeof workload === "string" && workload.startsWith(WORKLOAD_SKIPPED_PREFIX)) {
    options.log(
      `warning: ${options.stacks.a} still reports "${workload}"; check that ${options.stacks.b} exports ` +
        `roleArn and serviceAccount, then run \`${options.resumeCommand("deploy")}\` again.`,
    );
  }
  return run.outcome;
}

/**
 * `preview`: previews account-a, then account-b. account-b's preview reads account-a's current
 * outputs through its StackReference; when account-a has none yet, it shows the first-run state.
 */
export async function preview(options: RunOptions): Promise<RunOutcome> {
  const run = newRun("preview", options);
  if (!(await prepareStacks(run))) return run.outcome;
  const [first, second] = previewPhases(options.stacks);
  if (!(await runPhase(run, first))) return run.outcome;
  try {
    const outputs = await options.workspace.outputs(options.stacks.a);
    if (Object.keys(outputs).length === 0) {
      options.log(
        `note: ${options.stacks.a} has no outputs yet (never deployed), so ${options.stacks.b}'s preview ` +
          "shows the first-run state; after a deploy it reflects the real cluster.",
      );
    }
  } catch (error) {
    fail(run, {
      command: "preview",
      step: `read the outputs of ${options.stacks.a}`,
      stack: options.stacks.a,
      error,
      interrupted: false,
    });
    return run.outcome;
  }
  await runPhase(run, second);
  return run.outcome;
}

/**
 * `destroy`: destroys account-a (the workload that uses account-b's role, and the cluster account-b
 * trusts) first, then account-b. A stack that does not exist is skipped; the stacks themselves are
 * kept (empty) so their history stays. Running it again after a failure finishes the job.
 */
export async function destroy(options: RunOptions): Promise<RunOutcome> {
  const run = newRun("destroy", options);
  for (const phase of destroyPhases(options.stacks)) {
    let exists = false;
    const selected = await setupStep(run, phase.stack, `select stack ${phase.stack}`, async () => {
      exists = await options.workspace.select(phase.stack);
    });
    if (!selected) return run.outcome;
    if (!exists) {
      options.log(`${phaseLabel(phase)} stack ${phase.stack} does not exist: nothing to destroy`);
      run.outcome.phases.push({ phase, ok: true });
      continue;
    }
    if (!(await runPhase(run, phase))) return run.outcome;
  }
  return run.outcome;
}
