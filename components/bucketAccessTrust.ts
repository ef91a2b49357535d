/**
 * How a `BucketAccessGrant`'s trust policy compares what it trusts, beyond its exact default (pure):
 * IRSA's `StringLike` name patterns and whole namespaces, both only when asked for, and the Sid of
 * IRSA with role chaining's statement. No Pulumi or AWS package is imported.
 */
import { InputError, inArgsTerms } from "./errors";
import { Mechanism } from "./mechanism";
import { serviceAccountSubjects, type ServiceAccountRef } from "./trustPolicy";
import { requireArray, validateBoolean, validateNamespace, validateObjectName } from "./validation";

/** The trust settings of a grant, checked. */
export interface GrantTrustSettings {
  /** How IRSA compares the `sub` claim: exact names, or `*`/`?` patterns in the name. */
  conditionTest: "StringEquals" | "StringLike";
  /** Whether IRSA's name patterns may together match every service account of a namespace. */
  trustWholeNamespaces: boolean;
  /** Whether IRSA with role chaining's statement keeps its Sid (`ChainFromSourceRole`). */
  chainedStatementSid: boolean;
}

/** The default: exact service accounts, no whole namespace, no Sid. */
export const EXACT_TRUST: GrantTrustSettings = {
  conditionTest: "StringEquals",
  trustWholeNamespaces: false,
  chainedStatementSid: false,
};

/**
 * Checks the grant's trust settings against its mechanisms and cluster count (plain values: they
 * decide which checks run before anything registers). `StringLike` is for `irsa` alone: Pod Identity
 * compares the session tags exactly, and IRSA with role chaining trusts a role, not service accounts.
 * The chained statement keeps its Sid only in a grant of one cluster: IAM requires a Sid to be unique
 * within a policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
 */
export function checkGrantTrustSettings(
  args: { conditionTest?: unknown; trustWholeNamespaces?: unknown; chainedStatementSid?: unknown },
  mechanisms: readonly Mechanism[],
  clusterCount: number,
): GrantTrustSettings {
  const conditionTest = args.conditionTest ?? "StringEquals";
  if (conditionTest !== "StringEquals" && conditionTest !== "StringLike") {
    throw new InputError("args.conditionTest", conditionTest, 'must be "StringEquals" or "StringLike"');
  }
  if (conditionTest === "StringLike" && (mechanisms.length !== 1 || mechanisms[0] !== Mechanism.Irsa)) {
    throw new InputError(
      "args.conditionTest",
      conditionTest,
      `is for args.mechanisms ["irsa"] alone (here ${JSON.stringify(mechanisms)}): Pod Identity compares its ` +
        "session tags exactly, and IRSA with role chaining trusts a role, not service accounts",
    );
  }
  const trustWholeNamespaces =
    args.trustWholeNamespaces === undefined
      ? false
      : validateBoolean("args.trustWholeNamespaces", args.trustWholeNamespaces);
  const chainedStatementSid =
    args.chainedStatementSid === undefined
      ? false
      : validateBoolean("args.chainedStatementSid", args.chainedStatementSid);
  if (chainedStatementSid && (!mechanisms.includes(Mechanism.IrsaChained) || clusterCount !== 1)) {
    throw new InputError(
      "args.chainedStatementSid",
      true,
      `needs mechanism "irsa-chained" and exactly one cluster (here ${clusterCount}): IAM requires a Sid to be ` +
        "unique within a policy, and the grant writes one chained statement per cluster",
    );
  }
  return { conditionTest, trustWholeNamespaces, chainedStatementSid };
}

/**
 * The service accounts of a grant: exact namespace/name pairs (no patterns: Pod Identity compares the
 * session tags as written, and one list serves every mechanism), valid, listed once each. Under
 * `conditionTest: "StringLike"` (IRSA alone: {@link checkGrantTrustSettings}) a name may be a `*`/`?`
 * pattern, checked as IRSA's trust builder checks it (the namespace still literal; a set matching a
 * whole namespace only with `trustWholeNamespaces`).
 */
export function checkGrantServiceAccounts(
  field: string,
  value: unknown,
  settings: Pick<GrantTrustSettings, "conditionTest" | "trustWholeNamespaces"> = EXACT_TRUST,
): ServiceAccountRef[] {
  const list = requireArray(field, value, 1);
  const like = settings.conditionTest === "StringLike";
  const seen = new Set<string>();
  const refs = list.map((sa, i) => {
    const where = `${field}[${i}]`;
    if (sa === null || typeof sa !== "object" || Array.isArray(sa)) {
      throw new InputError(where, sa, "must be an object { namespace, name }");
    }
    for (const key of Object.keys(sa)) {
      if (key !== "namespace" && key !== "name") {
        throw new InputError(
          `${where}.${key}`,
          (sa as Record<string, unknown>)[key],
          "is not a service account field (namespace, name)",
        );
      }
    }
    const ref = sa as Partial<ServiceAccountRef>;
    for (const part of like ? [] : (["namespace", "name"] as const)) {
      if (typeof ref[part] === "string" && /[*?]/.test(ref[part])) {
        throw new InputError(
          `${where}.${part}`,
          ref[part],
          "must be exact: a grant names each service account (a pattern would trust service accounts nobody named)",
        );
      }
    }
    const namespace = validateNamespace(`${where}.namespace`, ref.namespace);
    const name = like ? (ref.name as string) : validateObjectName(`${where}.name`, ref.name);
    const key = `${namespace}/${name}`;
    if (seen.has(key)) throw new InputError(where, sa, "is listed twice: list each service account once");
    seen.add(key);
    return { namespace, name };
  });
  // IRSA's own checks of patterns (and of a set matching a whole namespace), in the grant's terms.
  if (like) {
    inArgsTerms(
      () => serviceAccountSubjects(field, list, "StringLike", settings.trustWholeNamespaces),
      {},
      { "(config cross-account-irsa:trustWholeNamespaces: true)": "(args.trustWholeNamespaces: true)" },
    );
  }
  return refs;
}
