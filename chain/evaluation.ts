/**
 * The policy evaluators as the chain checks and the access matrix use them: a document the evaluator
 * cannot read gives a deny with the reason, never an exception in the middle of a report and never an
 * allow (fail closed). Where it cannot read a statement, the outcome names that statement
 * (`unsupported`), so a live check can say so (warn) instead of guessing.
 */
import {
  evaluateAccess,
  evaluateResourcePolicy,
  evaluateServiceTrust,
  evaluateTrust,
  type EvaluationResult,
} from "../components/evaluate";
import { type PolicyDocument } from "../components/policyDocument";
import { type CheckStatus } from "./result";

/**
 * A decision and why; `statements` when the evaluator could read the document. `unsupported`: the
 * statements the evaluator could not read, named, with its message (the decision is then a deny
 * that is not known to be right, unless an evaluable statement denies explicitly).
 */
export type Outcome = Pick<EvaluationResult, "decision" | "reason"> & {
  statements?: number[];
  unsupported?: string;
};

/**
 * A check's status from an outcome: an explicit deny fails, a statement the evaluator could not read
 * leaves it undecided (warn, never pass), otherwise `passes` decides.
 */
export function statusOf(outcome: Outcome, passes: boolean): CheckStatus {
  if (outcome.decision === "ExplicitDeny") return "fail";
  if (outcome.unsupported !== undefined) return "warn";
  return passes ? "pass" : "fail";
}

/** Why undecided, when a statement could not be read; otherwise `detail` (the outcome's reason by default). */
export function detailOf(outcome: Outcome, detail: string = outcome.reason): string {
  return outcome.unsupported !== undefined
    ? `the evaluator cannot read ${outcome.unsupported}: not decided`
    : detail;
}

/** Parses a policy document's JSON; undefined when it is not JSON. */
export function parsePolicy(json: string | undefined): PolicyDocument | undefined {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as PolicyDocument;
  } catch {
    return undefined;
  }
}

/** A statement's name in messages: its Sid, else its index (`#2`). */
export function statementName(doc: PolicyDocument, index: number): string {
  const sid = Array.isArray(doc.Statement) ? doc.Statement[index]?.Sid : undefined;
  return typeof sid === "string" && sid !== "" ? sid : `#${index}`;
}

/**
 * Runs an evaluation of a whole document; when the evaluator throws, evaluates each statement alone
 * to name the ones it cannot read. An explicit deny among the readable statements still decides
 * (nothing can turn it into an allow); otherwise the outcome is a deny with `unsupported` set.
 */
function guarded(doc: PolicyDocument, run: (d: PolicyDocument) => EvaluationResult): Outcome {
  try {
    return run(doc);
  } catch (e) {
    const statements = Array.isArray(doc?.Statement) ? doc.Statement : undefined;
    if (!statements) {
      return {
        decision: "ImplicitDeny",
        reason: `cannot evaluate: ${messageOf(e)}`,
        unsupported: "the document",
      };
    }
    const failed: string[] = [];
    const denies: string[] = [];
    statements.forEach((statement, i) => {
      try {
        if (run({ ...doc, Statement: [statement] }).decision === "ExplicitDeny") {
          denies.push(statementName(doc, i));
        }
      } catch (inner) {
        failed.push(`statement ${statementName(doc, i)} (${messageOf(inner)})`);
      }
    });
    if (denies.length > 0) {
      return {
        decision: "ExplicitDeny",
        reason: `denied by statement ${denies.join(", ")} (the evaluator cannot read ${failed.join(", ")})`,
      };
    }
    const unsupported = failed.length > 0 ? failed.join(", ") : `the document (${messageOf(e)})`;
    return { decision: "ImplicitDeny", reason: `cannot evaluate: ${messageOf(e)}`, unsupported };
  }
}

/** {@link evaluateTrust}, with a document it cannot evaluate reported as a deny and the reason. */
export function tryTrust(doc: PolicyDocument, oidcProviderArn: string, sub: string, aud: string): Outcome {
  return guarded(doc, (d) => evaluateTrust(d, { oidcProviderArn, sub, aud }));
}

/**
 * {@link evaluateAccess} over all of a role's identity policies: an explicit deny in any wins (also
 * over a document it cannot evaluate, before or after it), else a document it cannot evaluate makes
 * the answer an undecided deny (`unsupported`), else an allow in any, else an implicit deny.
 */
export function tryAccess(
  docs: PolicyDocument[],
  action: string,
  resource: string,
  context: Record<string, string> = {},
): Outcome {
  let best: Outcome = { decision: "ImplicitDeny", reason: `no statement allows ${action} on ${resource}` };
  let undecided: Outcome | undefined;
  for (const doc of docs) {
    const r = guarded(doc, (d) => evaluateAccess(d, { action, resource, context }));
    if (r.decision === "ExplicitDeny") return r;
    if (r.unsupported !== undefined) undecided ??= r;
    else if (r.decision === "Allow") best = r;
  }
  return undecided ?? best;
}

/**
 * A resource policy (a bucket or key policy) for a request by one principal (its IAM ARN; a policy
 * that names the principal's account, by id or root ARN, applies to it too unless
 * `matchAccountPrincipals` is false). A document the evaluator cannot read is a deny with the
 * statements named, never an allow.
 */
export function tryResourcePolicy(
  doc: PolicyDocument,
  principalArn: string,
  action: string,
  resource: string,
  context: Record<string, string> = {},
  matchAccountPrincipals = true,
): Outcome {
  return guarded(doc, (d) =>
    evaluateResourcePolicy(d, { principalArn, action, resource, context, matchAccountPrincipals }),
  );
}

/** {@link evaluateServiceTrust} (a role trusted by an AWS service), a document it cannot read a deny. */
export function tryServiceTrust(
  doc: PolicyDocument,
  service: string,
  action: string,
  context: Record<string, string>,
): Outcome {
  return guarded(doc, (d) => evaluateServiceTrust(d, { service, action, context }));
}

/** A role's trust policy for `sts:AssumeRole`-style requests by an AWS principal (a role of another account). */
export function tryRoleTrust(
  doc: PolicyDocument,
  principalArn: string,
  action: string,
  context: Record<string, string>,
): Outcome {
  return guarded(doc, (d) => evaluateResourcePolicy(d, { principalArn, action, context }, "trust"));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
