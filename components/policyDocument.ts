/**
 * The IAM policy document shapes this package generates and evaluates, plus `policySize`.
 */
import { InputError, PolicySizeError } from "./errors";

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

/** IAM's quota on the inline policies of one role, together, in characters without whitespace. */
export const ROLE_INLINE_POLICIES_QUOTA = 10240;

/** The size of a policy's JSON text as IAM counts it: whitespace excluded. */
export function policyTextSize(json: string): number {
  if (typeof json !== "string") throw new InputError("policy", json, "must be a JSON policy document");
  return json.replace(/\s+/g, "").length;
}

/**
 * Checks a role's inline policies (name → JSON) against IAM's quota on their total size
 * ({@link ROLE_INLINE_POLICIES_QUOTA}, not adjustable): IAM would refuse the last policy that
 * crosses it, after the role and the others exist.
 *
 * @throws PolicySizeError naming `field`, the total, the limit and the ways out.
 */
export function checkInlinePoliciesSize(
  field: string,
  policies: Record<string, string>,
  limit: number = ROLE_INLINE_POLICIES_QUOTA,
): void {
  const sizes = Object.entries(policies).map(([name, json]) => [name, policyTextSize(json)] as const);
  const total = sizes.reduce((sum, [, size]) => sum + size, 0);
  if (total <= limit) return;
  const parts = sizes.map(([name, size]) => `${name}: ${size}`).join(", ");
  throw new PolicySizeError(
    field,
    `${sizes.length} inline policies`,
    total,
    limit,
    `${field}: the role's inline policies are ${total} characters as IAM counts them (whitespace excluded; ${parts}), ` +
      `over IAM's limit of ${limit} for all inline policies of a role together, which cannot be raised. Ways out: ` +
      `grant fewer, shorter prefixes (a shared parent prefix covers its children); or move the grant into a ` +
      `customer managed policy (up to 6,144 characters each) attached through managedPolicyArns.`,
  );
}

/** Serialises a policy document the way this package sends it to AWS: compact, stable key order. */
export function policyJson(doc: PolicyDocument): string {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc) || !("Statement" in doc)) {
    throw new InputError("policy", doc, "must be an IAM policy document { Version, Statement }");
  }
  try {
    return JSON.stringify(doc);
  } catch (e) {
    throw new InputError("policy", "[unserialisable]", `must be plain JSON data (${(e as Error).message})`);
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
