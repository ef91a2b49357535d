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
  type RequestKeys,
} from "../components/evaluate";
import { type PolicyDocument, type PolicyStatement } from "../components/policyDocument";
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

/**
 * Parses a policy document's JSON; undefined when it is not JSON, or when an object in it has the same
 * key twice: IAM stores such a document as written (Terraform's provider checks for duplicates for
 * that reason, https://github.com/hashicorp/terraform-provider-aws/pull/33570), and which one AWS
 * reads is not documented, while `JSON.parse` keeps the last (a second `"Effect"` or `"Condition"`
 * could turn a Deny off). Such a document is undecided, never evaluated.
 */
export function parsePolicy(json: string | undefined): PolicyDocument | undefined {
  if (json === undefined) return undefined;
  try {
    const doc = JSON.parse(json) as PolicyDocument;
    return hasDuplicateKeys(json) ? undefined : doc;
  } catch {
    return undefined;
  }
}

/**
 * Whether an object in a valid JSON text has a key twice (keys compared as decoded strings).
 *
 * @internal exported for the tests only
 */
export function hasDuplicateKeys(json: string): boolean {
  const objects: Array<Set<string> | undefined> = [];
  let i = 0;
  while (i < json.length) {
    const c = json[i];
    if (c === "{") objects.push(new Set());
    else if (c === "[") objects.push(undefined);
    else if (c === "}" || c === "]") objects.pop();
    else if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === "\\" ? 2 : 1;
      let next = end + 1;
      while (next < json.length && " \t\n\r".includes(json[next])) next++;
      const keys = objects[objects.length - 1];
      if (keys !== undefined && json[next] === ":") {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (keys.has(key)) return true;
        keys.add(key);
      }
      i = end;
    }
    i++;
  }
  return false;
}

/**
 * The keys of a request the caller describes in full (the plan's hypothetical requests, whose
 * documents are the package's own): every condition key not in its context is absent. Live
 * requests pass what AWS sets instead (components/requestContext.ts), so an unknown key is undecided.
 */
export const DESCRIBED: RequestKeys = { absent: ["*"] };

/**
 * A document's statements as a list, whatever shape it has: IAM accepts `Statement` as one object as
 * well as a list (the AWS CLI and Terraform write both). Not an object or a list: none.
 */
export function statementsOf(doc: PolicyDocument | undefined): PolicyStatement[] {
  const raw = (doc as { Statement?: unknown } | undefined)?.Statement;
  if (Array.isArray(raw)) return raw as PolicyStatement[];
  return raw !== null && typeof raw === "object" ? [raw as PolicyStatement] : [];
}

/** A statement's name in messages: its Sid, else its index (`#2`). */
export function statementName(doc: PolicyDocument, index: number): string {
  const sid = (statementsOf(doc)[index] as { Sid?: unknown } | undefined)?.Sid;
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
    const statements = statementsOf(doc);
    if (statements.length === 0) {
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
export function tryTrust(
  doc: PolicyDocument,
  oidcProviderArn: string,
  sub: string,
  aud: string,
  keys: RequestKeys & { context?: Record<string, string> } = {},
): Outcome {
  return guarded(doc, (d) => evaluateTrust(d, { ...keys, oidcProviderArn, sub, aud }));
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
  keys: RequestKeys = {},
): Outcome {
  let best: Outcome = { decision: "ImplicitDeny", reason: `no statement allows ${action} on ${resource}` };
  let undecided: Outcome | undefined;
  for (const doc of docs) {
    const r = guarded(doc, (d) => evaluateAccess(d, { ...keys, action, resource, context }));
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
  keys: RequestKeys = {},
): Outcome {
  return guarded(doc, (d) =>
    evaluateResourcePolicy(d, { ...keys, principalArn, action, resource, context, matchAccountPrincipals }),
  );
}

/** {@link evaluateServiceTrust} (a role trusted by an AWS service), a document it cannot read a deny. */
export function tryServiceTrust(
  doc: PolicyDocument,
  service: string,
  action: string,
  context: Record<string, string>,
  keys: RequestKeys = {},
): Outcome {
  return guarded(doc, (d) => evaluateServiceTrust(d, { ...keys, service, action, context }));
}

/** A role's trust policy for `sts:AssumeRole`-style requests by an AWS principal (a role of another account). */
export function tryRoleTrust(
  doc: PolicyDocument,
  principalArn: string,
  action: string,
  context: Record<string, string>,
  keys: RequestKeys = {},
): Outcome {
  return guarded(doc, (d) => evaluateResourcePolicy(d, { ...keys, principalArn, action, context }, "trust"));
}

/**
 * The same request made once per variant of its context (one per pod: the pod's name and uid are
 * session tags): an explicit deny for any decides, then an undecided one, then a deny for any, else
 * the allow. Named by `label` in the reason of the one that decided.
 */
export function worstOf(outcomes: Array<{ label?: string; outcome: Outcome }>): Outcome {
  const named = ({ label, outcome }: { label?: string; outcome: Outcome }): Outcome =>
    label === undefined ? outcome : { ...outcome, reason: `${label}: ${outcome.reason}` };
  const pick =
    outcomes.find((o) => o.outcome.decision === "ExplicitDeny") ??
    outcomes.find((o) => o.outcome.unsupported !== undefined) ??
    outcomes.find((o) => o.outcome.decision !== "Allow") ??
    outcomes[0];
  return named(pick);
}

/**
 * An identity policy's outcome through the role's permissions boundary: the effective permission is
 * allowed only when both allow (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
 * `boundary` undefined: the role has none. A boundary that could not be read (`unreadable`) leaves
 * an allow undecided.
 */
export function throughBoundary(
  identity: Outcome,
  boundary: { arn: string; outcome?: Outcome; unreadable?: string } | undefined,
): Outcome {
  if (boundary === undefined || identity.decision === "ExplicitDeny") return identity;
  if (boundary.outcome === undefined) {
    if (identity.decision !== "Allow") return identity;
    return {
      decision: "ImplicitDeny",
      reason: `the permissions boundary ${boundary.arn} could not be read: ${boundary.unreadable ?? "unknown"}`,
      unsupported: `the permissions boundary ${boundary.arn} (${boundary.unreadable ?? "not read"})`,
    };
  }
  const b = boundary.outcome;
  const prefix = `permissions boundary ${boundary.arn}`;
  if (b.decision === "ExplicitDeny") return { ...b, reason: `${prefix}: ${b.reason}` };
  if (b.unsupported !== undefined) {
    return { ...b, unsupported: `${prefix}: ${b.unsupported}`, reason: `${prefix}: ${b.reason}` };
  }
  if (identity.unsupported !== undefined || identity.decision !== "Allow") return identity;
  if (b.decision !== "Allow") {
    return {
      decision: "ImplicitDeny",
      reason: `${identity.reason}, but the ${prefix} does not allow it (${b.reason})`,
    };
  }
  return { ...identity, reason: `${identity.reason}; the ${prefix} allows it too` };
}

/**
 * A role's identity policies for one request, through its permissions boundary when it has one
 * (allowed only when both allow; a boundary not read, or not JSON, leaves an allow undecided).
 */
export function tryAccessWithin(
  policies: PolicyDocument[],
  boundary: { arn: string; policy?: string; error?: string } | undefined,
  action: string,
  resource: string,
  v: { context: Record<string, string>; keys: RequestKeys },
  extra: Record<string, string> = {},
): Outcome {
  const context = { ...v.context, ...extra };
  const identity = tryAccess(policies, action, resource, context, v.keys);
  if (boundary === undefined) return identity;
  return throughBoundary(identity, boundaryOutcome(boundary, action, resource, context, v.keys));
}

/** A permissions boundary (read, or why not) evaluated for one request, as {@link throughBoundary} takes it. */
export function boundaryOutcome(
  boundary: { arn: string; policy?: string; error?: string },
  action: string,
  resource: string,
  context: Record<string, string>,
  keys: RequestKeys = {},
): { arn: string; outcome?: Outcome; unreadable?: string } {
  const doc = boundary.policy !== undefined ? parsePolicy(boundary.policy) : undefined;
  if (doc === undefined)
    return { arn: boundary.arn, unreadable: boundary.error ?? "its document is not JSON or has a key twice" };
  return { arn: boundary.arn, outcome: tryAccess([doc], action, resource, context, keys) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
