/**
 * How the live trust reviews (trustReview.ts) read a policy document as AWS writes it: statements as a
 * list or one object, strings or lists of them, principals, and the conditions on a key with which of
 * their values may stand for more than one (patterns, policy variables). Pure.
 */
import { isRecord } from "../components/values";

export type Json = Record<string, unknown>;

const isObject: (v: unknown) => v is Json = isRecord;

/** A JSON value that may be one string or a list of them, as a list (anything else: none). */
export function strings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** The statements of a document, whether `Statement` is a list or one object. */
export function statementsOf(doc: unknown): Json[] {
  const s = isObject(doc) ? doc.Statement : undefined;
  return (Array.isArray(s) ? s : [s]).filter(isObject);
}

/** An IAM glob (`*`, `?`) as a case-insensitive regular expression. */
export function glob(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "i");
}

/** Whether an Allow statement grants `action` (NotAction: whenever it does not exclude it). */
export function grants(statement: Json, action: string): boolean {
  if (statement.Effect !== "Allow") return false;
  if (statement.NotAction !== undefined)
    return !strings(statement.NotAction).some((a) => glob(a).test(action));
  return strings(statement.Action).some((a) => glob(a).test(action));
}

/** The statement's principals of one kind ("*" for `Principal: "*"` or `NotPrincipal`). */
export function principals(statement: Json, kind: "AWS" | "Federated" | "Service"): string[] {
  if (statement.NotPrincipal !== undefined || statement.Principal === "*") return ["*"];
  return isObject(statement.Principal) ? strings(statement.Principal[kind]) : [];
}

/** One condition of a statement: operator as written, its parts, the key and its values. */
export interface Condition {
  operator: string;
  /** Compared as a pattern (`StringLike`, `ArnEquals`, `ArnLike`). */
  like: boolean;
  /** Restricts the request: a positive match that is false when the key is absent. */
  restricts: boolean;
  values: string[];
}

const MATCHING = new Set(["StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"]);

/**
 * The operators whose values are patterns: `StringLike`, and both ARN operators, whose `*` and `?`
 * match in each of the ARN's six parts under `ArnEquals` as under `ArnLike`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
 */
const PATTERNS = new Set(["StringLike", "ArnEquals", "ArnLike"]);

/** The statement's conditions on `key` (compared case-insensitively, as IAM does). */
export function conditionsOn(statement: Json, key: string): Condition[] {
  const block = statement.Condition;
  if (!isObject(block)) return [];
  const out: Condition[] = [];
  for (const [operator, entries] of Object.entries(block)) {
    if (!isObject(entries)) continue;
    const m = /^(ForAnyValue:|ForAllValues:)?(.*?)(IfExists)?$/.exec(operator)!;
    for (const [k, v] of Object.entries(entries)) {
      if (k.toLowerCase() !== key.toLowerCase()) continue;
      out.push({
        operator,
        like: PATTERNS.has(m[2]),
        restricts: m[1] !== "ForAllValues:" && m[3] === undefined && MATCHING.has(m[2]),
        values: strings(v),
      });
    }
  }
  return out;
}

export const WILDCARD = /[*?]/;

/**
 * The values of a condition that may stand for more than one: patterns (`*`, `?` under a pattern
 * operator) and policy variables (`${...}`, which AWS fills in from the request under any operator,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html). A `${` is read
 * as a variable whatever the policy's Version: reading more as loose can only add findings.
 */
export function loose(c: Condition): string[] {
  return c.values.filter((v) => v.includes("${") || (c.like && WILDCARD.test(v)));
}

/** The narrowest restricting condition on a key: one with exact values if there is one (they are ANDed). */
export function narrowest(statement: Json, key: string): Condition | undefined {
  const restricting = conditionsOn(statement, key).filter((c) => c.restricts && c.values.length > 0);
  return restricting.find((c) => loose(c).length === 0) ?? restricting[0];
}

/** A statement's name in messages: its Sid, else its index. */
export function nameOf(statement: Json, index: number): string {
  return typeof statement.Sid === "string" && statement.Sid !== "" ? statement.Sid : `#${index}`;
}
