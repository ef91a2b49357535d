/**
 * The policy evaluators as the chain checks and the access matrix use them: a document the evaluator
 * cannot read gives a deny with the reason, never an exception in the middle of a report and never an
 * allow (fail closed).
 */
import { evaluateAccess, evaluateTrust, type EvaluationResult } from "../components/evaluate";
import { type PolicyDocument } from "../components/policyDocument";

/** A decision and why; `statements` when the evaluator could read the document. */
export type Outcome = Pick<EvaluationResult, "decision" | "reason"> & { statements?: number[] };

/** Parses a policy document's JSON; undefined when it is not JSON. */
export function parsePolicy(json: string | undefined): PolicyDocument | undefined {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as PolicyDocument;
  } catch {
    return undefined;
  }
}

/** {@link evaluateTrust}, with a document it cannot evaluate reported as a deny and the reason. */
export function tryTrust(doc: PolicyDocument, oidcProviderArn: string, sub: string, aud: string): Outcome {
  try {
    return evaluateTrust(doc, { oidcProviderArn, sub, aud });
  } catch (e) {
    return { decision: "ImplicitDeny", statements: [], reason: `cannot evaluate: ${messageOf(e)}` };
  }
}

/**
 * {@link evaluateAccess} over all of a role's identity policies: an explicit deny in any wins, else an
 * allow in any, else an implicit deny. A document it cannot evaluate makes the answer a deny.
 */
export function tryAccess(
  docs: PolicyDocument[],
  action: string,
  resource: string,
  context: Record<string, string> = {},
): Outcome {
  let best: Outcome = { decision: "ImplicitDeny", reason: `no statement allows ${action} on ${resource}` };
  for (const doc of docs) {
    try {
      const r = evaluateAccess(doc, { action, resource, context });
      if (r.decision === "ExplicitDeny") return r;
      if (r.decision === "Allow") best = r;
    } catch (e) {
      return { decision: "ImplicitDeny", reason: `cannot evaluate: ${messageOf(e)}` };
    }
  }
  return best;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
