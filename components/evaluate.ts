import { type PolicyDocument, type PolicyStatement } from "./policyDocument";
import { parseOidcProviderArn } from "./validation";

/**
 * Narrow evaluators of the policy documents this package generates: enough of IAM's evaluation
 * logic (explicit deny beats allow beats implicit deny; `*`/`?` globs in actions, resources and
 * `StringLike`; the String, Numeric and Bool condition operators, with `IfExists`) to compute the offline
 * plan's access matrix and to diagnose a broken link. They throw on policy elements they do not
 * implement (NotAction, NotResource, NotPrincipal, other operators) rather than guess.
 */

/** IAM's three possible outcomes. */
export type Decision = "Allow" | "ImplicitDeny" | "ExplicitDeny";

/** The outcome of an evaluation, with the statements that decided it. */
export interface EvaluationResult {
  decision: Decision;
  /** Indexes of the statements that decided: the matching Deny statements, or else the matching Allows. */
  statements: number[];
  /** One sentence saying why. */
  reason: string;
}

/** An `sts:AssumeRoleWithWebIdentity` request as STS sees it. */
export interface TrustRequest {
  /** The IAM OIDC provider ARN the token's issuer maps to in the role's account. */
  oidcProviderArn: string;
  /** The token's `sub` claim, e.g. `system:serviceaccount:apps:reader`. */
  sub: string;
  /** The token's `aud` claim. */
  aud: string;
}

/** An S3 (or KMS) request made with the role's credentials. */
export interface AccessRequest {
  /** The action, e.g. `s3:GetObject`. */
  action: string;
  /** The resource ARN, e.g. `arn:aws:s3:::bucket/key`. */
  resource: string;
  /** Request context keys, e.g. `{ "s3:prefix": "reports/" }` for ListBucket. */
  context?: Record<string, string>;
  /**
   * The caller, for a resource policy (a bucket or key policy): its statements then apply only where
   * their `Principal` names it. Identity policies are evaluated without one.
   */
  principal?: { type: "AWS" | "Service"; id: string };
}

interface Request {
  action: string;
  resource?: string;
  principal?: { type: "Federated" | "AWS" | "Service"; id: string };
  context: Record<string, string>;
}

/** Does the trust policy let this web identity assume the role? */
export function evaluateTrust(doc: PolicyDocument, request: TrustRequest): EvaluationResult {
  const { hostPath } = parseOidcProviderArn("request.oidcProviderArn", request.oidcProviderArn);
  return evaluate(doc, {
    action: "sts:AssumeRoleWithWebIdentity",
    principal: { type: "Federated", id: request.oidcProviderArn },
    context: { [`${hostPath}:sub`]: request.sub, [`${hostPath}:aud`]: request.aud },
  });
}

/** Does the identity policy (or, given `request.principal`, the resource policy) allow this action on this resource? */
export function evaluateAccess(doc: PolicyDocument, request: AccessRequest): EvaluationResult {
  return evaluate(doc, {
    action: request.action,
    resource: request.resource,
    context: request.context ?? {},
    ...(request.principal !== undefined ? { principal: request.principal } : {}),
  });
}

function evaluate(doc: PolicyDocument, request: Request): EvaluationResult {
  const allows: number[] = [];
  const denies: number[] = [];
  doc.Statement.forEach((statement, i) => {
    if (statementApplies(statement, request)) (statement.Effect === "Deny" ? denies : allows).push(i);
  });
  const target = request.resource ? `${request.action} on ${request.resource}` : request.action;
  const names = (ids: number[]) => ids.map((i) => doc.Statement[i].Sid ?? `#${i}`).join(", ");
  if (denies.length > 0) {
    return {
      decision: "ExplicitDeny",
      statements: denies,
      reason: `${target} is denied by statement ${names(denies)}`,
    };
  }
  if (allows.length > 0) {
    return {
      decision: "Allow",
      statements: allows,
      reason: `${target} is allowed by statement ${names(allows)}`,
    };
  }
  return { decision: "ImplicitDeny", statements: [], reason: `no statement allows ${target}` };
}

function statementApplies(statement: PolicyStatement, request: Request): boolean {
  for (const unsupported of ["NotAction", "NotResource", "NotPrincipal"]) {
    if (unsupported in statement)
      throw new Error(`evaluate: ${unsupported} is not supported by this evaluator`);
  }
  if (!list(statement.Action).some((a) => globMatch(a, request.action, true))) return false;
  if (statement.Resource !== undefined) {
    if (request.resource === undefined) return false;
    if (!list(statement.Resource).some((r) => globMatch(r, request.resource!, false))) return false;
  }
  if (!principalMatches(statement, request)) return false;
  return conditionsHold(statement, request.context);
}

function principalMatches(statement: PolicyStatement, request: Request): boolean {
  if (statement.Principal === undefined) return request.principal === undefined;
  if (request.principal === undefined) return false;
  if (statement.Principal === "*") return true;
  return list(statement.Principal[request.principal.type]).some(
    (p) => p === "*" || p === request.principal!.id,
  );
}

function conditionsHold(statement: PolicyStatement, context: Record<string, string>): boolean {
  const lowerContext = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [rawOperator, keys] of Object.entries(statement.Condition ?? {})) {
    const ifExists = rawOperator.endsWith("IfExists");
    const operator = ifExists ? rawOperator.slice(0, -"IfExists".length) : rawOperator;
    const test = OPERATORS[operator];
    if (!test)
      throw new Error(`evaluate: condition operator ${rawOperator} is not supported by this evaluator`);
    for (const [key, values] of Object.entries(keys)) {
      const actual = lowerContext.get(key.toLowerCase());
      if (actual === undefined) {
        // IAM: a missing key fails positive operators and passes negated ones; IfExists passes.
        if (ifExists || test.negated) continue;
        return false;
      }
      if (!test.holds(list(values), actual)) return false;
    }
  }
  return true;
}

const OPERATORS: Record<string, { negated: boolean; holds: (values: string[], actual: string) => boolean }> =
  {
    StringEquals: { negated: false, holds: (vs, a) => vs.includes(a) },
    StringNotEquals: { negated: true, holds: (vs, a) => !vs.includes(a) },
    StringEqualsIgnoreCase: {
      negated: false,
      holds: (vs, a) => vs.some((v) => v.toLowerCase() === a.toLowerCase()),
    },
    StringLike: { negated: false, holds: (vs, a) => vs.some((v) => globMatch(v, a, false)) },
    StringNotLike: { negated: true, holds: (vs, a) => !vs.some((v) => globMatch(v, a, false)) },
    Bool: { negated: false, holds: (vs, a) => vs.some((v) => v.toLowerCase() === a.toLowerCase()) },
    NumericEquals: { negated: false, holds: (vs, a) => vs.some((v) => Number(a) === Number(v)) },
    NumericNotEquals: { negated: true, holds: (vs, a) => !vs.some((v) => Number(a) === Number(v)) },
    NumericLessThan: { negated: false, holds: (vs, a) => vs.some((v) => Number(a) < Number(v)) },
    NumericLessThanEquals: { negated: false, holds: (vs, a) => vs.some((v) => Number(a) <= Number(v)) },
    NumericGreaterThan: { negated: false, holds: (vs, a) => vs.some((v) => Number(a) > Number(v)) },
    NumericGreaterThanEquals: { negated: false, holds: (vs, a) => vs.some((v) => Number(a) >= Number(v)) },
  };

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** IAM's glob: `*` matches any run of characters (also none), `?` exactly one. */
export function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  // Iterative matcher with backtracking on the last '*': linear in practice, no regex injection.
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    // '*' first: a '*' in the pattern is always a wildcard, even where the value has a literal '*'.
    if (pi < p.length && p[pi] === "*") {
      star = pi++;
      mark = vi;
    } else if (pi < p.length && (p[pi] === "?" || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (star !== -1) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}
