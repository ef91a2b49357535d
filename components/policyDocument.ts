/**
 * The IAM policy document shapes this package generates and evaluates, plus `policySize`.
 */
import { IrsaInputError } from "./errors";

/** A condition block: operator → condition key → value(s). */
export type ConditionBlock = Record<string, Record<string, string | string[]>>;

/** A principal block of a trust or resource policy. */
export interface PrincipalBlock {
  Federated?: string | string[];
  AWS?: string | string[];
  Service?: string | string[];
}

/** One statement of an IAM policy document. */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: PrincipalBlock | "*";
  Action: string | string[];
  Resource?: string | string[];
  Condition?: ConditionBlock;
}

/** An IAM policy document (identity, trust or resource policy). */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/**
 * The size of a policy document as IAM counts it against its quotas: the characters of its JSON
 * with all whitespace removed. (IAM does not count whitespace; the package's documents have no
 * whitespace inside values, so this equals the compact JSON's length.)
 */
export function policySize(doc: PolicyDocument): number {
  return policyJson(doc).replace(/\s+/g, "").length;
}

/** Serialises a policy document the way this package sends it to AWS: compact, stable key order. */
export function policyJson(doc: PolicyDocument): string {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc) || !("Statement" in doc)) {
    throw new IrsaInputError("policy", doc, "must be an IAM policy document { Version, Statement }");
  }
  try {
    return JSON.stringify(doc);
  } catch (e) {
    throw new IrsaInputError(
      "policy",
      "[unserialisable]",
      `must be plain JSON data (${(e as Error).message})`,
    );
  }
}

/** A value as IAM writes it: a lone string for one item, a list for several. */
export function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

/** Sorted, de-duplicated copy (code-point order, so the result does not depend on locale). */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
