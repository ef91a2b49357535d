/**
 * Why a policy does not allow a request, statement by statement: which part of each statement for the
 * action does not match (its principal, its resource, or which condition, with what it expects and
 * what the request has). Found by asking the project's evaluator about altered copies of one statement
 * at a time, never by re-implementing IAM's rules: what the evaluator cannot read is reported as such.
 */
import { evaluateAccess, type EvaluationResult, type RequestKeys } from "../components/evaluate";
import { type PolicyDocument, type PolicyStatement } from "../components/policyDocument";
import { statementName, statementsOf } from "./evaluation";

/** How to ask the evaluator about one document, and what the request looks like for the words. */
export interface ExplainRequest {
  /** Evaluates a document for the request (evaluateTrust or evaluateAccess, bound to the request). */
  evaluate: (doc: PolicyDocument) => EvaluationResult;
  /**
   * The principal block that names the requester, put in place of a statement's own to see whether
   * its principal is what fails; undefined for identity policies (no principal).
   */
  principal?: PolicyStatement["Principal"];
  /** The request's context keys (lower-case compared), to say what a condition found. */
  context: Record<string, string>;
}

const allows = (req: ExplainRequest, statement: PolicyStatement, doc: PolicyDocument): boolean =>
  req.evaluate({ ...doc, Statement: [statement] }).decision === "Allow";

/**
 * The statement with its principal, resource and conditions made to match anything but the action
 * (a resource it had becomes `*`: IAM's grammar, and the evaluator, require one where it was).
 */
function actionOnly(statement: PolicyStatement, req: ExplainRequest): PolicyStatement {
  const { Condition: _c, Resource: resource, Principal: _p, ...rest } = statement;
  const any = resource !== undefined ? { ...rest, Resource: "*" } : rest;
  return req.principal !== undefined ? { ...any, Principal: req.principal } : any;
}

function describe(value: string | string[]): string {
  return JSON.stringify(value);
}

/** Why one Allow statement for the action does not apply; undefined when it does. */
function explainStatement(doc: PolicyDocument, index: number, req: ExplainRequest): string | undefined {
  const statement = statementsOf(doc)[index];
  const name = `statement ${statementName(doc, index)}`;
  if (allows(req, statement, doc)) return undefined;
  const reasons: string[] = [];
  const base = actionOnly(statement, req);
  if (statement.Principal !== undefined && !allows(req, { ...base, Principal: statement.Principal }, doc)) {
    const federated = statement.Principal === "*" ? "*" : statement.Principal.Federated;
    const aws = statement.Principal === "*" ? undefined : statement.Principal.AWS;
    reasons.push(
      `its principal ${describe(federated ?? aws ?? JSON.stringify(statement.Principal))} is not the requester`,
    );
  }
  if (statement.Resource !== undefined && !allows(req, { ...base, Resource: statement.Resource }, doc)) {
    reasons.push(`it covers ${describe(statement.Resource)} only`);
  }
  const lowerContext = new Map(Object.entries(req.context).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    if (keys === null || typeof keys !== "object") continue;
    for (const [key, expected] of Object.entries(keys)) {
      const one = { ...base, Condition: { [operator]: { [key]: expected } } };
      if (allows(req, one, doc)) continue;
      const actual = lowerContext.get(key.toLowerCase());
      reasons.push(
        `condition ${operator} ${key} expects ${describe(expected)}, ` +
          (actual === undefined
            ? `but the request has no ${key} (it has ${[...Object.keys(req.context)].join(", ") || "no keys"})`
            : `the request has ${JSON.stringify(actual)}`),
      );
    }
  }
  return `${name}: ${reasons.length > 0 ? reasons.join("; ") : "it does not apply"}`;
}

/**
 * The evaluator's answer for a whole document, and when it is not an allow, why: the explicit deny,
 * or for each Allow statement of the action what does not match. A statement the evaluator cannot
 * read is named with the evaluator's message.
 */
export function explainDecision(doc: PolicyDocument, req: ExplainRequest): string {
  let whole: EvaluationResult;
  try {
    whole = req.evaluate(doc);
  } catch {
    whole = { decision: "ImplicitDeny", statements: [], reason: "" };
  }
  if (whole.decision !== "ImplicitDeny") return whole.reason;
  const parts: string[] = [];
  statementsOf(doc).forEach((statement, i) => {
    if (statement === null || typeof statement !== "object" || statement.Effect !== "Allow") return;
    try {
      // Statements for other actions say nothing about this request.
      if (!allows(req, actionOnly(statement, req), doc)) return;
      const why = explainStatement(doc, i, req);
      if (why !== undefined) parts.push(why);
    } catch (e) {
      parts.push(
        `statement ${statementName(doc, i)}: cannot evaluate (${e instanceof Error ? e.message : String(e)})`,
      );
    }
  });
  const head = whole.reason || "no statement allows it";
  return parts.length > 0 ? `${head}: ${parts.join(" | ")}` : `${head} (no statement is for this action)`;
}

/**
 * Why a role's identity policies (by name) do not allow an action on a resource: each policy's
 * explanation, for the policies that have a statement for the action.
 */
export function explainIdentityPolicies(
  named: Array<[string, PolicyDocument]>,
  action: string,
  resource: string,
  context: Record<string, string> = {},
  keys: RequestKeys = {},
): string {
  const parts = named
    .map(([name, doc]) => {
      const why = explainDecision(doc, {
        evaluate: (d) => evaluateAccess(d, { ...keys, action, resource, context }),
        context,
      });
      return why.endsWith("(no statement is for this action)") ? undefined : `${name}: ${why}`;
    })
    .filter((p): p is string => p !== undefined);
  return parts.length > 0
    ? parts.join(" | ")
    : `no statement allows ${action} on ${resource} (no policy of the role has a statement for ${action})`;
}
