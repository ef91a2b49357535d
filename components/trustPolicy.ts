/**
 * The IRSA trust policy (`buildTrustPolicy`): one statement per OIDC provider, exact `aud`, exact
 * (or explicitly asked-for `StringLike`) `sub`, size-checked as IAM counts it. Pure.
 */
import { InputError, PolicySizeError, describeValue } from "./errors";
import { normalizeIssuer } from "./issuer";
import { isRecord } from "./values";
import {
  oneOrMany,
  policySize,
  sortedUnique,
  type ConditionBlock,
  type PolicyDocument,
  type PolicyStatement,
} from "./policyDocument";
import { subjectScope, wholeNamespaceWords } from "./nameCoverage";
import {
  DNS1123_SUBDOMAIN_RULE,
  parseOidcProviderArn,
  requireArray,
  requireString,
  validateInteger,
  validateNamespace,
  validateObjectName,
} from "./validation";

/** A Kubernetes service account, by namespace and name. */
export interface ServiceAccountRef {
  /**
   * The namespace (a DNS-1123 label), always literal.
   * @default none (required)
   */
  namespace: string;
  /**
   * The service account's name (a DNS-1123 subdomain). With IRSA's `StringLike` it may hold `*` and `?`.
   * @default none (required)
   */
  name: string;
}

/** One cluster whose service accounts the role trusts: its issuer and the IAM OIDC provider for it. */
export interface TrustedCluster {
  /** The IAM OIDC provider for this cluster's issuer, in the role's account. */
  oidcProviderArn: string;
  /** The cluster's OIDC issuer URL (with or without `https://`). */
  issuerUrl: string;
  /** The service accounts of this cluster that may assume the role. At least one. */
  serviceAccounts: ServiceAccountRef[];
}

/** Options of {@link buildTrustPolicy}. */
export interface TrustPolicyOptions {
  /**
   * The token audience the role accepts (`aud`). Always compared with `StringEquals`.
   * @default "sts.amazonaws.com"
   */
  audience?: string;
  /**
   * How `sub` is compared. `StringLike` allows `*` and `?` in namespaces and names; it must be asked
   * for explicitly, and never matches every service account of a cluster.
   * @default "StringEquals"
   */
  conditionTest?: "StringEquals" | "StringLike";
  /**
   * The largest trust policy allowed, in characters as IAM counts them. IAM's default quota for a
   * role trust policy is 2048; it can be raised to 4096 through Service Quotas.
   * @default 2048
   */
  maxSize?: number;
  /**
   * Allow `StringLike` name patterns that together match every service account of a namespace
   * (`{namespace: apps, name: "*"}`). Without it such a set is refused: a grant to a whole namespace
   * must be asked for by name.
   * @default false
   */
  trustWholeNamespaces?: boolean;
}

/** IAM's default quota for a role trust policy, in characters (without whitespace). */
export const DEFAULT_TRUST_POLICY_MAX_SIZE = 2048;
/** The highest value IAM's role trust policy quota can be raised to. */
export const MAX_TRUST_POLICY_QUOTA = 4096;
/** The audience EKS projects into IRSA tokens, and the only client id STS accepts by default. */
export const STS_AUDIENCE = "sts.amazonaws.com";

/** `system:serviceaccount:<namespace>:<name>`, the `sub` claim of a projected service account token. */
export function serviceAccountSubject(sa: ServiceAccountRef): string {
  const namespace = validateNamespace("serviceAccount.namespace", sa?.namespace);
  const name = validateObjectName("serviceAccount.name", sa?.name);
  return `system:serviceaccount:${namespace}:${name}`;
}

const WILDCARD = /[*?]/;

function subjectPattern(field: string, sa: ServiceAccountRef, like: boolean): ServiceAccountRef {
  if (sa === null || typeof sa !== "object") {
    throw new InputError(field, sa, "must be an object { namespace, name }");
  }
  const namespace = requireString(`${field}.namespace`, sa.namespace);
  const name = requireString(`${field}.name`, sa.name);
  if (like && subjectScope([{ namespace, name }], true).spanning.length > 0) {
    throw new InputError(
      `${field}.namespace`,
      namespace,
      "must be named literally: under StringLike a wildcard in the namespace would trust service accounts of " +
        "namespaces nobody named; patterns are allowed in the name only",
    );
  }
  if (WILDCARD.test(namespace)) {
    throw new InputError(
      `${field}.namespace`,
      namespace,
      `wildcards '*' and '?' are only allowed with conditionTest "StringLike"; under "StringEquals" they match only a literal '*' or '?'`,
    );
  }
  validateNamespace(`${field}.namespace`, namespace);
  if (!like) {
    if (WILDCARD.test(name)) {
      throw new InputError(
        `${field}.name`,
        name,
        `wildcards '*' and '?' are only allowed with conditionTest "StringLike"; under "StringEquals" they match only a literal '*' or '?'`,
      );
    }
    validateObjectName(`${field}.name`, name);
  } else if (!/^[a-z0-9.*?-]+$/.test(name) || name.length > 253) {
    // A pattern must still be able to match a valid name: the same characters, wildcards aside.
    throw new InputError(
      `${field}.name`,
      name,
      `${DNS1123_SUBDOMAIN_RULE} ('*' and '?' allowed with StringLike)`,
    );
  }
  return { namespace, name };
}

/**
 * The namespaces the list trusts as a whole: under `StringLike`, those whose name patterns together
 * leave at most finitely many names unmatched (see {@link subjectScope}, the rule the doctor applies to
 * a live trust too), sorted. Empty under `StringEquals`.
 */
export function wholeNamespaces(
  serviceAccounts: readonly ServiceAccountRef[],
  conditionTest: "StringEquals" | "StringLike" = "StringEquals",
): string[] {
  return subjectScope(serviceAccounts, conditionTest === "StringLike").whole.map((w) => w.namespace);
}

/** Refuses a set of patterns that trusts a whole namespace, unless that was asked for. */
function checkWholeNamespaces(
  field: string,
  serviceAccounts: readonly ServiceAccountRef[],
  conditionTest: "StringEquals" | "StringLike",
  trustWholeNamespaces: boolean,
): void {
  if (trustWholeNamespaces) return;
  for (const { namespace, names, coverage } of subjectScope(serviceAccounts, conditionTest === "StringLike")
    .whole) {
    throw new InputError(
      field,
      names.map((name) => ({ namespace, name })),
      `together ${wholeNamespaceWords(namespace, coverage)}; name the service accounts, or, to grant the whole namespace, ` +
        `say so with trustWholeNamespaces (config cross-account-irsa:trustWholeNamespaces: true)`,
    );
  }
}

/**
 * Validates a cluster's list of trusted service accounts and returns their `sub` values (patterns
 * under `StringLike`), in input order. Used by {@link buildTrustPolicy}, and by components to check
 * plain config before any resource is registered.
 */
export function serviceAccountSubjects(
  field: string,
  serviceAccounts: unknown,
  conditionTest: "StringEquals" | "StringLike" = "StringEquals",
  trustWholeNamespaces = false,
): string[] {
  if (!Array.isArray(serviceAccounts) || serviceAccounts.length === 0) {
    throw new InputError(
      field,
      serviceAccounts,
      "must list at least one service account: a role that trusts none can never be assumed",
    );
  }
  const refs = serviceAccounts.map((sa: ServiceAccountRef, j) =>
    subjectPattern(`${field}[${j}]`, sa, conditionTest === "StringLike"),
  );
  checkWholeNamespaces(field, refs, conditionTest, trustWholeNamespaces);
  return refs.map((sa) => `system:serviceaccount:${sa.namespace}:${sa.name}`);
}

/** What is wrong with a trust policy that is too large, in words (for {@link PolicySizeError}s). */
export function trustPolicySizeProblem(count: number, size: number, maxSize: number): string {
  return (
    `the trust policy for ${describeValue(count)} service accounts is ${size} characters as IAM counts them ` +
    `(whitespace excluded), over the limit of ${maxSize}`
  );
}

/** The ways out of a trust policy that is too large; `raise` says how to pass a raised quota. */
export function trustPolicySizeWaysOut(raise: string): string {
  return (
    `Ways out: match several service accounts of a namespace with one name pattern (conditionTest ` +
    `"StringLike", e.g. name "report-*"); split the service accounts across several roles; or raise the IAM ` +
    `quota "Role trust policy length" in Service Quotas (up to ${MAX_TRUST_POLICY_QUOTA}) and ${raise}.`
  );
}

/**
 * The trust policy of a role that service accounts of one or more EKS clusters assume through IRSA.
 *
 * One statement per OIDC provider, each allowing `sts:AssumeRoleWithWebIdentity` to that provider
 * only when `<issuer host/path>:aud` equals the audience (always `StringEquals`) and
 * `<issuer host/path>:sub` is one of the service accounts' subjects. Subjects are sorted and
 * de-duplicated, and statements are sorted by provider ARN, so the same input always gives the same
 * JSON. Entries that name the same provider are merged into one statement.
 *
 * @throws InputError for a malformed provider ARN, a provider that is not the issuer's, an
 *   invalid namespace or name, a wildcard under `StringEquals`, a pattern that matches every service
 *   account, no service accounts, or a document larger than `maxSize`.
 */
export function buildTrustPolicy(
  clusters: TrustedCluster[],
  options: TrustPolicyOptions = {},
): PolicyDocument {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new InputError("options", options, "must be an object { audience?, conditionTest?, maxSize? }");
  }
  const audience = options.audience ?? STS_AUDIENCE;
  requireString("options.audience", audience);
  if (audience.length === 0 || /\s/.test(audience) || WILDCARD.test(audience)) {
    throw new InputError(
      "options.audience",
      audience,
      "must be a non-empty audience without whitespace or wildcards; it is always matched exactly",
    );
  }
  const conditionTest = options.conditionTest ?? "StringEquals";
  if (conditionTest !== "StringEquals" && conditionTest !== "StringLike") {
    throw new InputError("options.conditionTest", conditionTest, 'must be "StringEquals" or "StringLike"');
  }
  const maxSize = validateInteger(
    "options.maxSize",
    options.maxSize ?? DEFAULT_TRUST_POLICY_MAX_SIZE,
    1,
    MAX_TRUST_POLICY_QUOTA,
  );
  const like = conditionTest === "StringLike";
  const trustWholeNamespaces = options.trustWholeNamespaces ?? false;
  if (typeof trustWholeNamespaces !== "boolean") {
    throw new InputError("options.trustWholeNamespaces", trustWholeNamespaces, "must be true or false");
  }

  requireArray("clusters", clusters, 1);
  const subjectsByProvider = new Map<string, { hostPath: string; subjects: string[] }>();
  clusters.forEach((cluster, i) => {
    const field = `clusters[${i}]`;
    if (!isRecord(cluster)) {
      throw new InputError(
        field,
        cluster,
        "must be an object { oidcProviderArn, issuerUrl, serviceAccounts }",
      );
    }
    const provider = parseOidcProviderArn(`${field}.oidcProviderArn`, cluster.oidcProviderArn);
    const hostPath = normalizeIssuer(cluster.issuerUrl, `${field}.issuerUrl`);
    if (provider.hostPath !== hostPath) {
      throw new InputError(
        `${field}.oidcProviderArn`,
        cluster.oidcProviderArn,
        `must be the IAM OIDC provider of ${field}.issuerUrl, i.e. end in ":oidc-provider/${hostPath}"`,
      );
    }
    const subjects = serviceAccountSubjects(
      `${field}.serviceAccounts`,
      cluster.serviceAccounts,
      conditionTest,
      trustWholeNamespaces,
    );
    const entry = subjectsByProvider.get(cluster.oidcProviderArn) ?? { hostPath, subjects: [] };
    entry.subjects.push(...subjects);
    subjectsByProvider.set(cluster.oidcProviderArn, entry);
  });

  // Entries for the same provider are one grant: their patterns are checked together too.
  for (const { subjects } of subjectsByProvider.values()) {
    const refs = subjects.map((sub) => {
      const [namespace, name] = sub.slice("system:serviceaccount:".length).split(/:(.*)/s);
      return { namespace, name };
    });
    checkWholeNamespaces("clusters[].serviceAccounts", refs, conditionTest, trustWholeNamespaces);
  }

  const statements = sortedUnique(subjectsByProvider.keys()).map((arn): PolicyStatement => {
    const { hostPath, subjects } = subjectsByProvider.get(arn)!;
    const sub = oneOrMany(sortedUnique(subjects));
    const audKey = `${hostPath}:aud`;
    const subKey = `${hostPath}:sub`;
    const condition: ConditionBlock = like
      ? { StringEquals: { [audKey]: audience }, StringLike: { [subKey]: sub } }
      : { StringEquals: { [audKey]: audience, [subKey]: sub } };
    return {
      Effect: "Allow",
      Principal: { Federated: arn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: condition,
    };
  });
  const doc: PolicyDocument = { Version: "2012-10-17", Statement: statements };

  const size = policySize(doc);
  if (size > maxSize) {
    const count = [...subjectsByProvider.values()].reduce((n, e) => n + new Set(e.subjects).size, 0);
    throw new PolicySizeError(
      "clusters[].serviceAccounts",
      `${count} service accounts`,
      size,
      maxSize,
      `clusters[].serviceAccounts: ${trustPolicySizeProblem(count, size, maxSize)} (options.maxSize). ` +
        trustPolicySizeWaysOut("pass that as options.maxSize"),
    );
  }
  return doc;
}
