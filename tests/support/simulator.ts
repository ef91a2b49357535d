/**
 * What the cross-checks with @cloud-copilot/iam-simulate share (not a test file): the simulator's
 * results in our evaluator's words, the verdict of a validated run, and our evaluators' decision on a
 * role assumption that needs both the role's trust and the caller's permission.
 */
import { expect } from "chai";
import { runSimulation, type RunSimulationResults, type Simulation } from "@cloud-copilot/iam-simulate";
import { evaluateAccess, evaluateResourcePolicy, type Decision } from "../../components/evaluate";
import { type PolicyDocument } from "../../components/policyDocument";

/** The simulator's overall result as our evaluator's decision. */
export const SIMULATOR_DECISION: Record<string, Decision> = {
  Allowed: "Allow",
  ImplicitlyDenied: "ImplicitDeny",
  ExplicitlyDenied: "ExplicitDeny",
};

/** The verdict of a validated run: one result, which must keep every context key we pass. */
export function validatedVerdict(result: RunSimulationResults): Decision {
  expect(result.resultType, JSON.stringify(result)).to.equal("single");
  if (result.resultType !== "single") throw new Error("unreachable");
  expect(result.result.ignoredContextKeys ?? [], "context keys the simulator ignored").to.deep.equal([]);
  return SIMULATOR_DECISION[result.overallResult];
}

/** The simulator's verdict on `simulation`, validated ({@link validatedVerdict}). */
export async function simulateValidated(simulation: Simulation): Promise<Decision> {
  return validatedVerdict(await runSimulation(simulation, {}));
}

/**
 * Ours on an assumption of role `resource` by `principalArn`: "Allow" only when the role's trust and
 * the caller's permission policy both allow it (a trust delegating to an account needs both, as in AWS).
 */
export function oursAssume(
  trust: PolicyDocument,
  permission: PolicyDocument,
  request: { principalArn: string; action: string; resource: string; context?: Record<string, string> },
): Decision {
  const { principalArn, action, resource, context } = request;
  const viaTrust = evaluateResourcePolicy(
    trust,
    { absent: ["*"], principalArn, action, ...(context !== undefined ? { context } : {}) },
    "trust",
  ).decision;
  const viaPermission = evaluateAccess(permission, { absent: ["*"], action, resource }).decision;
  return viaTrust === "Allow" && viaPermission === "Allow" ? "Allow" : "ImplicitDeny";
}
