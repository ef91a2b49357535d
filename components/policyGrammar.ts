/**
 * The grammar of the IAM policy documents the evaluators read: what a document of each kind (trust,
 * identity, resource) must be before anything is evaluated, normalised to lists of strings. Anything
 * IAM would refuse, and anything valid the evaluators do not implement (NotAction, NotResource,
 * NotPrincipal, policy variables, other operators), is an `InputError` naming the element. Pure.
 */
import { InputError, describeValue } from "./errors";
import { type PolicyDocument } from "./policyDocument";

/** The kinds of document IAM distinguishes, by which elements a statement must and must not have. */
export type DocumentKind = "trust" | "identity" | "resource";

/** The condition operators the evaluators implement (each also with `IfExists`). */
export const SUPPORTED_OPERATORS: readonly string[] = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
  "Bool",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
];

// ---------------------------------------------------------------------------------------------
// The grammar: what a document must be before anything is evaluated.

/** A statement after the grammar check: every value a list of strings. */
export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | Partial<Record<"AWS" | "Federated" | "Service", string[]>>;
  Action: string[];
  Resource?: string[];
  Condition: Array<{ operator: string; key: string; values: string[] }>;
}

const STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "Action", "Resource", "Condition"]);
const UNSUPPORTED = ["NotAction", "NotResource", "NotPrincipal"];
const PRINCIPAL_TYPES = ["AWS", "Federated", "Service"] as const;

export function fail(field: string, value: unknown, rule: string): never {
  throw new InputError(field, value, rule);
}

/** Documents {@link sealDocument} froze, with their statements once checked for each kind. */
const sealed = new WeakMap<object, Map<DocumentKind, readonly Statement[]>>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * A deeply frozen copy of a document whose grammar check {@link checkDocument} does once per kind,
 * for a caller that evaluates one document many times (the plan's access matrix: one row per
 * request). Frozen, the copy cannot change after its check; a document that fails the check is
 * checked (and fails) again on every evaluation.
 */
export function sealDocument(doc: PolicyDocument): PolicyDocument {
  const copy = deepFreeze(structuredClone(doc));
  if (copy !== null && typeof copy === "object") sealed.set(copy, new Map());
  return copy;
}

/** Checks the document against IAM's grammar for its kind, and returns its statements normalised. */
export function checkDocument(doc: PolicyDocument, kind: DocumentKind): Statement[] {
  const checked = sealed.get(doc);
  if (checked === undefined) return checkDocumentNow(doc, kind);
  let statements = checked.get(kind);
  if (statements === undefined) {
    statements = deepFreeze(checkDocumentNow(doc, kind));
    checked.set(kind, statements);
  }
  return statements as Statement[];
}

function checkDocumentNow(doc: PolicyDocument, kind: DocumentKind): Statement[] {
  const d = requireObject("policy", doc, "{ Version, Statement }");
  const version = d.Version;
  if (version !== "2012-10-17" && version !== "2008-10-17") {
    fail("policy.Version", version, 'must be "2012-10-17" (or "2008-10-17")');
  }
  for (const key of Object.keys(d)) {
    if (key !== "Version" && key !== "Statement" && key !== "Id") {
      fail(`policy.${key}`, d[key], "is not an element of an IAM policy document");
    }
  }
  const raw = Array.isArray(d.Statement) ? d.Statement : d.Statement === undefined ? [] : [d.Statement];
  if (raw.length === 0) fail("policy.Statement", d.Statement, "must hold at least one statement");
  return raw.map((s, i) => checkStatement(s, `policy.Statement[${i}]`, kind, version === "2012-10-17"));
}

function checkStatement(value: unknown, field: string, kind: DocumentKind, variables: boolean): Statement {
  const s = requireObject(field, value, "a statement object");
  for (const key of Object.keys(s)) {
    if (UNSUPPORTED.includes(key))
      fail(`${field}.${key}`, s[key], `${key} is not supported by this evaluator`);
    if (!STATEMENT_KEYS.has(key))
      fail(`${field}.${key}`, s[key], "is not an element of an IAM policy statement");
  }
  if (s.Effect !== "Allow" && s.Effect !== "Deny")
    fail(`${field}.Effect`, s.Effect, 'must be "Allow" or "Deny"');
  if (s.Sid !== undefined && typeof s.Sid !== "string") fail(`${field}.Sid`, s.Sid, "must be a string");
  const statement: Statement = {
    ...(typeof s.Sid === "string" ? { Sid: s.Sid } : {}),
    Effect: s.Effect,
    Action: actions(`${field}.Action`, s.Action),
    Condition: conditions(`${field}.Condition`, s.Condition, variables),
  };
  if (kind === "identity") {
    if (s.Principal !== undefined) {
      fail(
        `${field}.Principal`,
        s.Principal,
        "must not be in an identity policy: it applies to the role itself",
      );
    }
    if (s.Resource === undefined) {
      fail(
        `${field}.Resource`,
        undefined,
        "is required in an identity policy statement (IAM rejects one without it)",
      );
    }
  } else {
    if (s.Principal === undefined) {
      fail(
        `${field}.Principal`,
        undefined,
        `is required in a ${kind} policy statement (IAM rejects one without it)`,
      );
    }
    statement.Principal = principal(`${field}.Principal`, s.Principal);
    if (kind === "trust" && s.Resource !== undefined) {
      fail(`${field}.Resource`, s.Resource, "must not be in a trust policy: its resource is the role itself");
    }
    if (kind === "resource" && s.Resource === undefined) {
      fail(
        `${field}.Resource`,
        undefined,
        "is required in a resource policy statement (IAM rejects one without it)",
      );
    }
  }
  if (s.Resource !== undefined) {
    statement.Resource = resources(`${field}.Resource`, s.Resource);
    if (variables) statement.Resource.forEach((r) => refuseVariables(`${field}.Resource`, r));
  }
  return statement;
}

function principal(field: string, value: unknown): Statement["Principal"] {
  if (value === "*") return "*";
  const p = requireObject(field, value, '"*" or { AWS?, Federated?, Service? }');
  const out: Partial<Record<(typeof PRINCIPAL_TYPES)[number], string[]>> = {};
  for (const [type, ids] of Object.entries(p)) {
    if (!(PRINCIPAL_TYPES as readonly string[]).includes(type)) {
      fail(
        `${field}.${type}`,
        ids,
        `is not a principal type this evaluator supports (${PRINCIPAL_TYPES.join(", ")})`,
      );
    }
    out[type as (typeof PRINCIPAL_TYPES)[number]] = strings(`${field}.${type}`, ids);
  }
  if (Object.keys(out).length === 0) fail(field, value, "must name at least one principal");
  return out;
}

function conditions(field: string, value: unknown, variables: boolean): Statement["Condition"] {
  if (value === undefined) return [];
  const block = requireObject(field, value, "an object of operators");
  const out: Statement["Condition"] = [];
  for (const [operator, keys] of Object.entries(block)) {
    const base = operator.endsWith("IfExists") ? operator.slice(0, -"IfExists".length) : operator;
    if (!SUPPORTED_OPERATORS.includes(base))
      fail(`${field}.${operator}`, keys, `condition operator ${operator} is not supported by this evaluator`);
    const k = requireObject(`${field}.${operator}`, keys, "an object of condition keys");
    const seen = new Set<string>();
    for (const [key, v] of Object.entries(k)) {
      // Key names are case-insensitive (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html):
      // the same key twice in one operator, in two spellings, is both tests or one (not documented): refused.
      if (seen.has(key.toLowerCase())) {
        fail(
          `${field}.${operator}.${key}`,
          v,
          "names a condition key already in this operator, in another case",
        );
      }
      seen.add(key.toLowerCase());
      const values = conditionValues(`${field}.${operator}.${key}`, v);
      if (variables) values.forEach((x) => refuseVariables(`${field}.${operator}.${key}`, x));
      values.forEach((x) => checkOperand(`${field}.${operator}.${key}`, base, x));
      out.push({ operator, key, values });
    }
  }
  return out;
}

/** Condition values as IAM takes them: strings, or JSON numbers and booleans compared as text. */
function conditionValues(field: string, value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) fail(field, value, "must hold at least one value");
  return list.map((v) => {
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    return fail(field, value, "must be a string, number or boolean, or a list of them");
  });
}

/** A number as the Numeric operators compare it (an optional sign, digits, an optional fraction). */
export const NUMERIC_VALUE: RegExp = /^[+-]?\d+(\.\d+)?$/;

/**
 * The values the Numeric and Bool operators can compare: anything else would never match, which
 * would silently disable a Deny (fail open), so it is refused.
 */
function checkOperand(field: string, operator: string, value: string): void {
  if (operator.startsWith("Numeric") && !NUMERIC_VALUE.test(value)) {
    fail(field, value, `${operator} compares numbers: the value must be a number (e.g. 10 or 2.5)`);
  }
  if (operator === "Bool" && !/^(true|false)$/i.test(value)) {
    fail(field, value, "Bool compares true or false: the value must be one of them");
  }
}

function refuseVariables(field: string, value: string): void {
  if (value.includes("${")) {
    fail(field, value, "holds an IAM policy variable ('${...}'), which this evaluator does not substitute");
  }
}

/** Actions as IAM accepts them: `*` or `<service prefix>:<action, * and ? allowed>`. */
function actions(field: string, value: unknown): string[] {
  const list = strings(field, value);
  for (const a of list) {
    // "The prefix and the action name are case insensitive" (matched so by globMatch):
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    if (a !== "*" && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(a)) {
      fail(
        field,
        value,
        `holds ${JSON.stringify(a)}: an action is "*" or <service>:<action> (e.g. s3:GetObject)`,
      );
    }
  }
  return list;
}

/** Resources as IAM accepts them: `*` or an ARN `arn:<partition>:<service>:<region>:<account>:<resource>`. */
function resources(field: string, value: unknown): string[] {
  const list = strings(field, value);
  for (const r of list) {
    if (r !== "*" && !/^arn:[a-z*?-]+:[a-z0-9*?-]+:[^:]*:[^:]*:.+$/.test(r)) {
      fail(
        field,
        value,
        `holds ${JSON.stringify(r)}: a resource is "*" or an ARN arn:<partition>:<service>:<region>:<account>:<resource>`,
      );
    }
  }
  return list;
}

function strings(field: string, value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== "string" || v.length === 0)) {
    fail(field, value, "must be a non-empty string or a non-empty list of them");
  }
  return list as string[];
}

export function requireObject(field: string, value: unknown, shape: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail(field, value, `must be ${shape}`);
  }
  return value as Record<string, unknown>;
}

export function requireText(field: string, value: unknown): string {
  if (typeof value !== "string") fail(field, value, "must be a string");
  return value;
}

export function requireContext(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  const c = requireObject("request.context", value, "an object of condition keys to strings");
  for (const [k, v] of Object.entries(c)) {
    if (typeof v !== "string") fail(`request.context[${describeValue(k)}]`, v, "must be a string");
  }
  return c as Record<string, string>;
}
