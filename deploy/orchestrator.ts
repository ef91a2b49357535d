/**
 * The orchestration of the two stacks: deploy (in the order deployOrder.ts decides from both stacks'
 * config and outputs), preview and destroy, through a `StackWorkspace`, with progress and failure
 * reports.
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
import { type StackPair } from "../cli/shared/stacks";
import { ensureStackReferences } from "./stackReferences";
import {
  outputValues,
  type OperationResult,
  type StackOutputs,
  type StackWorkspace,
} from "../cli/shared/workspace";
import { InputError } from "../components/errors";
import {
  type DeployOrder,
  type DeployOrderInputs,
  FIRST_DEPLOY_ORDER,
  type Side,
  decideDeployOrder,
} from "./deployOrder";

export {
  ACCOUNT_A_STACK_KEY,
  ACCOUNT_B_STACK_KEY,
  PROGRAM_KEY,
  PROJECT,
  ensureStackReferences,
  usesCustomStackNames,
} from "./stackReferences";

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
 * The phases of a deploy in `order` (deployOrder.ts decides it): by default the first deploy's,
 * account-a, then account-b, then account-a again.
 *
 * @internal exported for the tests only
 */
export function deployPhases(stacks: StackPair, order: readonly Side[] = FIRST_DEPLOY_ORDER): Phase[] {
  return phases(
    "up",
    order.map((side) => stacks[side]),
  );
}

/**
 * The phases of a preview: each stack once, in the order of its first update in `order` (by default
 * account-a, then account-b, which reads account-a's current outputs).
 *
 * @internal exported for the tests only
 */
export function previewPhases(stacks: StackPair, order: readonly Side[] = FIRST_DEPLOY_ORDER): Phase[] {
  return phases(
    "preview",
    [...new Set(order)].map((side) => stacks[side]),
  );
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
 * Reads both stacks' config and outputs and decides the deploy's order (deployOrder.ts), before any
 * `up`. Prints the order and why on one line; reports and returns undefined when it cannot be read
 * or no order works (nothing has run).
 */
async function decideOrder(run: CommandRun): Promise<Extract<DeployOrder, { ok: true }> | undefined> {
  const { workspace, stacks, log } = run.options;
  let inputs: DeployOrderInputs | undefined;
  const read = await setupStep(run, stacks.a, "read both stacks' config and outputs", async () => {
    const [qa, qb, ca, cb, oa, ob] = await Promise.all([
      workspace.qualifiedName(stacks.a),
      workspace.qualifiedName(stacks.b),
      workspace.getAllConfig(stacks.a),
      workspace.getAllConfig(stacks.b),
      workspace.outputs(stacks.a),
      workspace.outputs(stacks.b),
    ]);
    inputs = {
      qualified: { a: qa, b: qb },
      config: { a: ca, b: cb },
      outputs: { a: outputValues(oa), b: outputValues(ob) },
    };
  });
  if (!read || inputs === undefined) return undefined;
  let order: DeployOrder;
  try {
    order = decideDeployOrder(inputs, stacks);
  } catch (error) {
    // A config or an output the programs refuse: their own error, before any update.
    if (!(error instanceof InputError)) throw error;
    order = { ok: false, reason: error.message.replace(/\.$/, "") };
  }
  if (!order.ok) {
    const refused = run.command === "deploy" ? "deploy refused before any update" : "deploy would be refused";
    run.outcome.ok = false;
    run.outcome.failure = {
      command: run.command,
      step: "decide the deploy order",
      stack: stacks.a,
      error: new Error(order.reason),
      interrupted: false,
      resumeCommand: run.options.resumeCommand(run.command),
      pulumiPrefix: run.options.pulumiPrefix ?? "",
    };
    run.options.logError(`${refused}: ${order.reason}.`);
    run.options.logError(
      `Nothing was ${run.command === "deploy" ? "changed" : "previewed"}: fix the cause, then run \`${run.options.resumeCommand(run.command)}\` again.`,
    );
    return undefined;
  }
  log(`deploy order: ${order.order.map((side) => stacks[side]).join(", ")} (${order.reason})`);
  return order;
}

/**
 * `deploy`: creates or selects both stacks, decides the order of their updates from both stacks'
 * config and outputs (deployOrder.ts: a first deploy runs account-a for the cluster, account-b for the
 * grant, account-a again for the binding; in grants mode a change that adds trust runs account-b
 * then account-a, one that removes trust account-a, account-b, account-a), prints it and why, runs
 * the updates, and prints both stacks' outputs with secrets masked. Every step is idempotent, so
 * running it again after any failure or interruption converges.
 */
export async function deploy(options: RunOptions): Promise<RunOutcome> {
  const run = newRun("deploy", options);
  if (!(await prepareStacks(run))) return run.outcome;
  const order = await decideOrder(run);
  if (!order) return run.outcome;
  const results = new Map<string, OperationResult>();
  for (const phase of deployPhases(options.stacks, order.order)) {
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
 * `preview`: decides the deploy's order as `deploy` does and prints it, then previews each stack once
 * in that order; each preview reads the other stack's current outputs. A stack whose program would
 * refuse its preview until the other stack's update ran (it binds what is not trusted yet, or stops
 * trusting what is still bound) is not previewed, saying why; when account-a has no outputs yet,
 * account-b's preview shows the first-run state.
 */
export async function preview(options: RunOptions): Promise<RunOutcome> {
  const run = newRun("preview", options);
  if (!(await prepareStacks(run))) return run.outcome;
  const order = await decideOrder(run);
  if (!order) return run.outcome;
  const { stacks, log } = options;
  for (const phase of previewPhases(stacks, order.order)) {
    const side: Side = phase.stack === stacks.a ? "a" : "b";
    const waits = order.refusedFirst[side];
    if (waits.length > 0) {
      const other = side === "a" ? stacks.b : stacks.a;
      log(
        `${phaseLabel(phase)} preview ${phase.stack} skipped: its program refuses ${waits.join("; ")} until ` +
          `${other}'s update has run; \`${options.resumeCommand("deploy")}\` runs it after ${other}'s`,
      );
      run.outcome.phases.push({ phase, ok: true });
      continue;
    }
    if (side === "b" && !(await noteFirstRun(run))) return run.outcome;
    if (!(await runPhase(run, phase))) return run.outcome;
  }
  return run.outcome;
}

/** Before account-b's preview: says so when account-a has no outputs yet. False when they cannot be read. */
async function noteFirstRun(run: CommandRun): Promise<boolean> {
  const { stacks, log } = run.options;
  try {
    const outputs = await run.options.workspace.outputs(stacks.a);
    if (Object.keys(outputs).length === 0) {
      log(
        `note: ${stacks.a} has no outputs yet (never deployed), so ${stacks.b}'s preview ` +
          "shows the first-run state; after a deploy it reflects the real cluster.",
      );
    }
    return true;
  } catch (error) {
    fail(run, {
      command: "preview",
      step: `read the outputs of ${stacks.a}`,
      stack: stacks.a,
      error,
      interrupted: false,
    });
    return false;
  }
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
