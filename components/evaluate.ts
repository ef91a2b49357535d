/**
 * Narrow, fail-closed evaluators of IAM policy documents: enough of IAM's evaluation logic (explicit
 * deny beats allow beats implicit deny; `*`/`?` globs in actions, resources, `StringLike` and
 * `ArnLike`; the String, Arn, Numeric and Bool condition operators, with `IfExists`; Federated, AWS
 * and Service principals) to compute the offline plan's access matrix and to diagnose a broken link.
 *
 * A security evaluator must never answer Allow to a document it does not fully understand: every
 * document is checked against the grammar IAM accepts for its kind (trust policy, identity policy,
 * resource policy) before anything is evaluated, and anything outside what this evaluator
 * implements (NotAction, NotResource, NotPrincipal, other operators, policy variables, unknown
 * elements, a misspelt Effect) throws an `InputError` naming the element, never a guess.
 */
import { InputError } from "./errors";
import { type PolicyDocument } from "./policyDocument";
import { OPERATORS, globMatch, isArn, prefixHolds } from "./conditionOperators";
import {
  NUMERIC_VALUE,
  checkDocument,
  requireContext,
  requireObject,
  requireText,
  type DocumentKind,
  type Statement,
} from "./policyGrammar";
import { webIdentityKeys } from "./requestContext";
import { parseOidcProviderArn } from "./validation";

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
export interface TrustRequest extends RequestKeys {
  /** The IAM OIDC provider ARN the token's issuer maps to in the role's account. */
  oidcProviderArn: string;
  /** The token's `sub` claim, e.g. `system:serviceaccount:apps:reader`. */
  sub: string;
  /** The token's `aud` claim. */
  aud: string;
}

/** An S3 (or KMS) request made with the role's credentials. */
export interface AccessRequest extends RequestKeys {
  /** The action, e.g. `s3:GetObject`. */
  action: string;
  /** The resource ARN, e.g. `arn:aws:s3:::bucket/key`. */
  resource: string;
  /** Request context keys, e.g. `{ "s3:prefix": "reports/" }` for ListBucket. */
  context?: Record<string, string>;
}

/** A request by an AWS principal against a resource policy (a bucket policy, a role's trust policy). */
export interface PrincipalRequest extends RequestKeys {
  /** The calling principal's IAM ARN (a role's `arn:<partition>:iam::<account>:role/...`, a user's). */
  principalArn: string;
  action: string;
  /** The resource ARN; absent for a role's trust policy, whose resource is the role itself. */
  resource?: string;
  /** Request context keys (`aws:RequestTag/...`, `aws:SecureTransport`, ...). */
  context?: Record<string, string>;
  /**
   * Whether a statement that names the caller's account (its id, or its `root` ARN) applies to the
   * caller. IAM reads such a statement as a delegation to the account: an Allow then needs the
   * caller's own identity policy too, a Deny applies as it stands. `false` asks whether the policy
   * names the caller itself (a key policy that grants the role directly).
   * @default true
   */
  matchAccountPrincipals?: boolean;
}

/**
 * What is known of a request's context beyond its values (see {@link RequestKeys}). A condition on
 * a key that is neither in the context, nor known absent, nor known by its prefix, is undecided.
 */
export interface RequestKeys {
  /**
   * Keys AWS does not set for this request (compared case-insensitively). An entry ending in `/`
   * stands for every key it prefixes (`aws:RequestTag/`: no request tag at all); `*` says the
   * context is the whole request (a hypothetical request described in full, as the plan's matrix
   * rows are): every key not in it is absent.
   * @default [] (a key not in the context is undecided)
   */
  absent?: readonly string[];
  /**
   * Keys whose value is known only by its beginning, e.g. `aws:userid`, `<role id>:<session name>`
   * with a session name the SDK picks: `{ "aws:userid": "AROA...:" }`. A String operator decides
   * when the known beginning settles it; otherwise the statement is undecided.
   * @default {}
   */
  prefixes?: Record<string, string>;
}

interface Request extends RequestKeys {
  action: string;
  resource?: string;
  principal?: { type: "Federated" | "AWS" | "Service"; id: string; matchAccount?: boolean };
  context: Record<string, string>;
}

/**
 * A statement the evaluator cannot decide for the request: a condition on a key the request context
 * does not settle (not supplied, not known to be absent). Never read as absent: a `Deny` on it could
 * apply, and a negated `Allow` could not (fail closed).
 */
export class UndecidedError extends InputError {
  constructor(readonly keys: string[]) {
    // Keys, and `Principal <element>` for a principal element that may or may not name the caller.
    const conditionKeys = keys.filter((k) => !k.startsWith("Principal "));
    const named = [
      ...(conditionKeys.length > 0
        ? [`condition key${conditionKeys.length > 1 ? "s" : ""} ${conditionKeys.join(", ")}`]
        : []),
      ...keys.filter((k) => k.startsWith("Principal ")),
    ].join(", ");
    super(
      named,
      undefined,
      "is not known for this request",
      `${named} not known for this request: not decided`,
    );
    this.name = "UndecidedError";
  }
}

/**
 * Does the trust policy let this web identity assume the role? The request context is what STS sets
 * for AssumeRoleWithWebIdentity with an IAM OIDC provider's token (see {@link webIdentityKeys}), plus
 * `context`/`absent`/`prefixes` given; any other key a statement needs leaves it undecided.
 */
export function evaluateTrust(doc: PolicyDocument, request: TrustRequest): EvaluationResult {
  const r = requireObject("request", request, "{ oidcProviderArn, sub, aud }");
  const { hostPath } = parseOidcProviderArn("request.oidcProviderArn", r.oidcProviderArn);
  const sub = requireText("request.sub", r.sub);
  const aud = requireText("request.aud", r.aud);
  const keys = webIdentityKeys(r.oidcProviderArn as string);
  const extra = requireKeys(r);
  return evaluate(doc, "trust", {
    action: "sts:AssumeRoleWithWebIdentity",
    principal: { type: "Federated", id: r.oidcProviderArn as string },
    context: {
      ...keys.context,
      ...requireContext(r.context),
      [`${hostPath}:sub`]: sub,
      [`${hostPath}:aud`]: aud,
    },
    absent: [...(keys.absent ?? []), ...(extra.absent ?? [])],
    ...(extra.prefixes ? { prefixes: extra.prefixes } : {}),
  });
}

/** The `absent` and `prefixes` of a request, checked. */
function requireKeys(r: Record<string, unknown>): RequestKeys {
  const out: RequestKeys = {};
  if (r.absent !== undefined) {
    if (!Array.isArray(r.absent) || r.absent.some((k) => typeof k !== "string")) {
      throw new InputError("request.absent", r.absent, "must be a list of condition keys");
    }
    out.absent = r.absent as string[];
  }
  if (r.prefixes !== undefined) {
    const p = requireObject("request.prefixes", r.prefixes, "an object of condition keys to strings");
    for (const [k, v] of Object.entries(p)) requireText(`request.prefixes.${k}`, v);
    out.prefixes = p as Record<string, string>;
  }
  return out;
}

/** Does the identity policy allow this action on this resource? */
export function evaluateAccess(doc: PolicyDocument, request: AccessRequest): EvaluationResult {
  const r = requireObject("request", request, "{ action, resource, context? }");
  return evaluate(doc, "identity", {
    action: requireText("request.action", r.action),
    resource: requireText("request.resource", r.resource),
    context: requireContext(r.context),
    ...requireKeys(r),
  });
}

/**
 * Does the resource policy (a bucket policy; a role's trust policy for `sts:AssumeRole`) allow this
 * AWS principal the action? `aws:PrincipalArn` and `aws:PrincipalAccount` are in the context.
 */
export function evaluateResourcePolicy(
  doc: PolicyDocument,
  request: PrincipalRequest,
  kind: "trust" | "resource" = "resource",
): EvaluationResult {
  const r = requireObject("request", request, "{ principalArn, action, resource?, context? }");
  const principalArn = requireText("request.principalArn", r.principalArn);
  const account = /^arn:[a-z-]+:(?:iam|sts)::(\d{12}):/.exec(principalArn)?.[1];
  if (account === undefined) {
    throw new InputError("request.principalArn", principalArn, "must be an IAM or STS principal ARN");
  }
  return evaluate(doc, kind, {
    action: requireText("request.action", r.action),
    ...(r.resource !== undefined ? { resource: requireText("request.resource", r.resource) } : {}),
    principal: { type: "AWS", id: principalArn, matchAccount: r.matchAccountPrincipals !== false },
    context: {
      ...requireContext(r.context),
      "aws:PrincipalArn": principalArn,
      "aws:PrincipalAccount": account,
    },
    ...requireKeys(r),
  });
}

/** A request by an AWS service (its principal, e.g. `pods.eks.amazonaws.com`) against a role's trust policy. */
export interface ServiceRequest extends RequestKeys {
  /** The service principal, e.g. `pods.eks.amazonaws.com`. */
  service: string;
  /** The action, e.g. `sts:AssumeRole` or `sts:TagSession`. */
  action: string;
  /** Request context keys, e.g. the session tags as `aws:RequestTag/<key>`. */
  context?: Record<string, string>;
}

/** Does the trust policy let this AWS service assume the role (EKS Pod Identity's source role)? */
export function evaluateServiceTrust(doc: PolicyDocument, request: ServiceRequest): EvaluationResult {
  const r = requireObject("request", request, "{ service, action, context? }");
  const service = requireText("request.service", r.service);
  if (!/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(service)) {
    throw new InputError(
      "request.service",
      service,
      "must be a service principal like pods.eks.amazonaws.com",
    );
  }
  return evaluate(doc, "trust", {
    action: requireText("request.action", r.action),
    principal: { type: "Service", id: service },
    context: requireContext(r.context),
    ...requireKeys(r),
  });
}

function evaluate(doc: PolicyDocument, kind: DocumentKind, request: Request): EvaluationResult {
  const statements = checkDocument(doc, kind);
  const allows: number[] = [];
  const denies: number[] = [];
  const undecided: { deny: UndecidedError[]; allow: UndecidedError[] } = { deny: [], allow: [] };
  statements.forEach((statement, i) => {
    const deny = statement.Effect === "Deny";
    try {
      if (statementApplies(statement, request)) (deny ? denies : allows).push(i);
    } catch (e) {
      if (!(e instanceof UndecidedError)) throw e;
      (deny ? undecided.deny : undecided.allow).push(e);
    }
  });
  const target = request.resource ? `${request.action} on ${request.resource}` : request.action;
  const names = (ids: number[]) => ids.map((i) => statements[i].Sid ?? `#${i}`).join(", ");
  if (denies.length > 0) {
    return {
      decision: "ExplicitDeny",
      statements: denies,
      reason: `${target} is denied by statement ${names(denies)}`,
    };
  }
  // A Deny that may apply, or (with no other Allow) an Allow that may: the answer is not known.
  const open = undecided.deny.length > 0 ? undecided.deny : allows.length === 0 ? undecided.allow : [];
  if (open.length > 0) throw new UndecidedError([...new Set(open.flatMap((e) => e.keys))]);
  if (allows.length > 0) {
    return {
      decision: "Allow",
      statements: allows,
      reason: `${target} is allowed by statement ${names(allows)}`,
    };
  }
  return { decision: "ImplicitDeny", statements: [], reason: `no statement allows ${target}` };
}

// ---------------------------------------------------------------------------------------------
// Matching.

function statementApplies(statement: Statement, request: Request): boolean {
  if (!statement.Action.some((a) => globMatch(a, request.action, true))) return false;
  if (statement.Resource !== undefined) {
    if (request.resource === undefined) return false;
    if (!statement.Resource.some((r) => globMatch(r, request.resource!, false))) return false;
  }
  if (!principalMatches(statement, request)) return false;
  return conditionsHold(statement, request);
}

function principalMatches(statement: Statement, request: Request): boolean {
  if (statement.Principal === undefined) return request.principal === undefined;
  if (request.principal === undefined) return false;
  if (statement.Principal === "*") return true;
  // `{"AWS": "*"}` is documented as everyone, like `"*"` (https://docs.aws.amazon.com/mediapackage/latest/userguide/policy-principal.html,
  // "Grant anonymous permissions"); iam-simulate applies such a Deny to web identities and services too.
  // A Deny reads it so (fail closed); an Allow keeps to AWS principals.
  if (statement.Effect === "Deny" && (statement.Principal.AWS ?? []).includes("*")) return true;
  const { type, id, matchAccount } = request.principal;
  const unknown: string[] = [];
  const matched = (statement.Principal[type] ?? []).some((p) => {
    if (p === "*") return true;
    if (type !== "AWS") return p === id;
    const m = awsPrincipalMatches(p, id, matchAccount !== false);
    if (m === undefined) unknown.push(`Principal ${p}`);
    return m === true;
  });
  if (!matched && unknown.length > 0) throw new UndecidedError(unknown);
  return matched;
}

/**
 * An AWS principal element against the caller's ARN: `*`; an account (its id, or its root ARN)
 * stands for every principal of that account (unless `matchAccount` is false); a role or user ARN
 * for exactly that principal. Undefined (undecided) when it may name the caller without the evaluator
 * knowing: a session of the caller's role (`arn:aws:sts::<account>:assumed-role/<role>/<session>`,
 * the session name is the SDK's or EKS's), or the caller's ARN spelt in another case ("Names are not
 * distinguished by case", CreateRole's RoleName:
 * https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/iam/aws.sdk.kotlin.services.iam.model/-create-role-request/role-name.html).
 */
function awsPrincipalMatches(element: string, callerArn: string, matchAccount: boolean): boolean | undefined {
  if (element === callerArn) return true;
  if (element.toLowerCase() === callerArn.toLowerCase()) return undefined;
  const role = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(callerArn);
  const session = /^arn:([a-z-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(element);
  if (role && session && role[1] === session[1] && role[2] === session[2]) {
    if (role[3].toLowerCase() === session[3].toLowerCase()) return undefined;
  }
  const caller = /^arn:([a-z-]+):(?:iam|sts)::(\d{12}):/.exec(callerArn);
  if (!caller || !matchAccount) return false;
  if (/^\d{12}$/.test(element)) return element === caller[2];
  const root = /^arn:([a-z-]+):iam::(\d{12}):root$/.exec(element);
  return root !== null && root[1] === caller[1] && root[2] === caller[2];
}

function conditionsHold(statement: Statement, request: Request): boolean {
  const lower = (m: Record<string, string>) =>
    new Map(Object.entries(m).map(([k, v]) => [k.toLowerCase(), v]));
  const context = lower(request.context);
  const prefixes = lower(request.prefixes ?? {});
  const absent = (request.absent ?? []).map((k) => k.toLowerCase());
  const unknown: string[] = [];
  for (const { operator, key, values } of statement.Condition) {
    const ifExists = operator.endsWith("IfExists");
    const base = ifExists ? operator.slice(0, -"IfExists".length) : operator;
    const test = OPERATORS[base];
    const k = key.toLowerCase();
    const actual = context.get(k);
    if (actual === undefined) {
      const prefix = prefixes.get(k);
      if (prefix !== undefined) {
        const known = prefixHolds(base, values, prefix);
        if (known === false) return false;
        if (known === undefined) unknown.push(key);
        continue;
      }
      if (absent.some((a) => a === "*" || a === k || (a.endsWith("/") && k.startsWith(a)))) {
        // IAM: a missing key fails positive operators and passes negated ones; IfExists passes.
        if (ifExists || test.negated) continue;
        return false;
      }
      // Neither supplied nor known absent: AWS may set it. Undecided unless another condition fails.
      unknown.push(key);
      continue;
    }
    if (test.numeric && !NUMERIC_VALUE.test(actual)) {
      // IAM cannot compare it as a number either: refused rather than guessed (a Deny must not lapse).
      throw new InputError(
        `context.${key}`,
        actual,
        `must be a number for the condition operator ${operator}`,
      );
    }
    if (base.startsWith("Arn") && [actual, ...values].some((v) => !isArn(v))) {
      // An ARN operator on a value that is not an ARN: IAM's answer is not documented (the independent
      // simulator says the condition fails), so neither a match nor its opposite is assumed: "no match"
      // would let a Deny lapse, a match would let an Allow grant.
      unknown.push(key);
      continue;
    }
    if (!test.holds(values, actual)) return false;
  }
  if (unknown.length > 0) throw new UndecidedError(unknown);
  return true;
}

/** IAM's glob (see conditionOperators.ts); here for the callers that import it with the evaluator. */
export { globMatch } from "./conditionOperators";
