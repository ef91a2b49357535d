/**
 * Running the programs (the plan's one impure step): account-a, account-b and account-a again, each
 * on a fresh mock engine, in the order a real deployment runs them, each reading the other's planned
 * outputs through its StackReference. What comes back is the recorded passes; everything after is pure.
 */
import { PROJECT } from "../stacks/config";
import { type StackConfig } from "../stacks/stackFile";
import { type RecordedResource } from "../engine/mockEngine";
import { errorMessage } from "../engine/errors";
import { captureConsole, outputValues, runOffline, type ResolvedOutput } from "../engine/offline";
import { PLAN_ORGANIZATION, type PlanConfigs, type StackName } from "./planInput";

/** One run of one stack program under the mock engine. */
export interface StackPass {
  /** Position in the deployment order, 1 to 3. */
  step: number;
  stack: StackName;
  /** What this run stands for, e.g. "account-a, second update". */
  title: string;
  /** Every registration, in the order the program made them. */
  resources: RecordedResource[];
  /** The stack's outputs, resolved, with their secret flags. */
  outputs: Record<string, ResolvedOutput>;
  /** What the program logged (pulumi.log), in order. */
  messages: string[];
  /** Fully qualified names of the stacks the program referenced. */
  stackReferences: string[];
}

/** A failure of one program run, naming the run. */
export class PlanPassError extends Error {
  constructor(
    public readonly step: number,
    public readonly stackName: StackName,
    public readonly cause: unknown,
    public readonly messages: string[],
  ) {
    super(`${stackName} (step ${step} of 3) failed: ${errorMessage(cause)}`);
    this.name = "PlanPassError";
  }
}

type Program = () => Promise<Record<string, unknown>>;

/** What the runs read of the validated configs, in either mode: where each stack reads the other. */
export interface StackPair {
  a: Pick<PlanConfigs["a"], "accountBStack">;
  b: Pick<PlanConfigs["b"], "accountAStack">;
}

/**
 * Runs the three program runs of a deployment, each on a fresh mock engine: account-a (account-b
 * has no outputs yet, so the workload is skipped), account-b (reading account-a's planned outputs
 * through its StackReference), account-a again (reading account-b's). Throws a {@link PlanPassError}
 * for the first run that fails (a thrown error, or an unhandled rejection as the language host
 * reports it: see `runOffline`).
 */
export async function runPasses(
  configA: StackConfig,
  configB: StackConfig,
  configs: StackPair,
  organization = PLAN_ORGANIZATION,
): Promise<StackPass[]> {
  // Loaded here, not at the top: they pull in the provider SDKs, which pure callers do not need.
  const [{ accountA }, { accountB }] = await Promise.all([
    import("../stacks/accountA"),
    import("../stacks/accountB"),
  ]);
  const first = await runPass(1, "account-a", "account-a, first update", accountA, configA, {}, organization);
  const second = await runPass(
    2,
    "account-b",
    "account-b, update (reads account-a's outputs)",
    accountB,
    configB,
    { [configs.b.accountAStack]: outputValues(first.outputs) },
    organization,
  );
  const third = await runPass(
    3,
    "account-a",
    "account-a, second update (reads account-b's outputs)",
    accountA,
    configA,
    { [configs.a.accountBStack]: outputValues(second.outputs) },
    organization,
  );
  return [first, second, third];
}

async function runPass(
  step: number,
  stack: StackName,
  title: string,
  program: Program,
  config: StackConfig,
  stackOutputs: Record<string, Record<string, unknown>>,
  organization: string,
): Promise<StackPass> {
  const messages: string[] = [];
  const restoreConsole = captureConsole(messages);
  try {
    const run = await runOffline(program, {
      config: config.config,
      secretKeys: config.secretKeys,
      project: PROJECT,
      stack,
      organization,
      stackOutputs,
    });
    return {
      step,
      stack,
      title,
      resources: run.engine.resources,
      outputs: run.outputs,
      messages: [...messages],
      stackReferences: [...run.engine.stackReferences],
    };
  } catch (error) {
    throw new PlanPassError(step, stack, error, [...messages]);
  } finally {
    restoreConsole();
  }
}
