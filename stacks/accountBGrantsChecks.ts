/**
 * account-b's grants mode, before anything registers: each grant's trusted cluster as account-a's
 * outputs (or, in a preview before account-a exists, the shortest stand-ins) make it, and each grant's
 * documents built and checked as IAM will (the trust against the grant's `maxTrustPolicySize`, the S3
 * policies against the role's inline quota), errors naming `cross-account-irsa:grants[<i>].<field>`.
 * Pure.
 */
import { buildGrantTrustPolicy, type GrantCluster } from "../components/bucketAccess";
import { bucketAccessPolicy } from "../components/bucketAccessBuckets";
import { checkAdoptedProvider } from "../components/adoptedProvider";
import { InputError, PolicySizeError } from "../components/errors";
import { normalizeIssuer } from "../components/issuer";
import { Mechanism } from "../components/mechanism";
import { checkInlinePoliciesSize, policyJson, type PolicyDocument } from "../components/policyDocument";
import { parseEksClusterArn } from "../components/podIdentityPolicies";
import { trustPolicySizeProblem } from "../components/trustPolicy";
import { type AccountBGrant, type AccountBGrantsConfig } from "./accountBGrantsConfig";
import { partitionMismatch } from "./configShared";
import { key } from "./configSource";
import { GRANT_CLUSTER_KEY } from "./grantsMode";

/** The resource name of the stack-level OIDC provider every IRSA grant shares. */
export const GRANTS_OIDC_PROVIDER_NAME = "cluster-oidc";

/**
 * The shortest issuer and cluster ARN an EKS cluster can have: they stand in for account-a's in a
 * preview before account-a exists, so a document too large even then is refused (a lower bound).
 */
const SHORTEST_EKS_ISSUER = `https://oidc.eks.xx-xxxx-1.amazonaws.com/id/${"0".repeat(32)}`;
const SHORTEST_CLUSTER_ARN = "arn:aws:eks:us-east-1:000000000000:cluster/x";

/** account-a's outputs grants mode reads (undefined: not exported yet). */
export interface GrantsAccountAFacts {
  /** `oidcIssuerUrl`: read when a grant lists `irsa`. */
  issuerUrl?: string;
  /** `clusterArn`: read when a grant lists `pod-identity` or `irsa-chained` (account A's id and partition). */
  clusterArn?: string;
}

/** Which of account-a's outputs the grants need: the issuer for IRSA, the cluster ARN for the source roles. */
export function neededAccountAOutputs(config: AccountBGrantsConfig): Array<"oidcIssuerUrl" | "clusterArn"> {
  const listed = new Set(config.grants.flatMap((g) => g.mechanisms));
  const needed: Array<"oidcIssuerUrl" | "clusterArn"> = [];
  if (listed.has(Mechanism.Irsa)) needed.push("oidcIssuerUrl");
  if (listed.has(Mechanism.PodIdentity) || listed.has(Mechanism.IrsaChained)) needed.push("clusterArn");
  return needed;
}

/**
 * The ARN of a role named `name` in account A, from the cluster's ARN (its account and partition):
 * `arn:<partition>:iam::<account A>:role/<name>`.
 */
export function accountARoleArn(clusterArn: string, name: string, field = "clusterArn"): string {
  const { partition, accountId } = parseEksClusterArn(field, clusterArn);
  return `arn:${partition}:iam::${accountId}:role/${name}`;
}

/** Whether the grants need the stack-level OIDC provider (a grant lists `irsa`). */
export function needsOidcProvider(config: AccountBGrantsConfig): boolean {
  return config.grants.some((g) => g.mechanisms.includes(Mechanism.Irsa));
}

/** The provider's ARN before it exists: its account is the stack's pinned one, or a stand-in of that length. */
function predictedProviderArn(config: AccountBGrantsConfig, issuerUrl: string): string {
  const account = config.aws.allowedAccountIds?.[0] ?? "000000000000";
  return `arn:${config.aws.partition}:iam::${account}:oidc-provider/${normalizeIssuer(issuerUrl)}`;
}

/**
 * A grant's trusted cluster as plain values: account-a's facts when known, otherwise the shortest
 * stand-ins (only the documents' sizes are checked with them).
 */
function plannedGrantCluster(
  config: AccountBGrantsConfig,
  grant: AccountBGrant,
  a: GrantsAccountAFacts,
): GrantCluster {
  const cluster: GrantCluster = {};
  const clusterArn = a.clusterArn ?? SHORTEST_CLUSTER_ARN;
  for (const m of grant.mechanisms) {
    if (m === Mechanism.Irsa) {
      const issuerUrl = a.issuerUrl ?? SHORTEST_EKS_ISSUER;
      cluster.issuerUrl = issuerUrl;
      cluster.oidcProviderArn =
        config.existingOidcProviderArn !== undefined && a.issuerUrl !== undefined
          ? config.existingOidcProviderArn
          : predictedProviderArn(config, issuerUrl);
    } else if (m === Mechanism.PodIdentity) {
      cluster.clusterArn = clusterArn;
      cluster.sourceRoleArn = accountARoleArn(clusterArn, grant.sourceRoleName as string);
    } else {
      cluster.chainedSourceRoleArn = accountARoleArn(clusterArn, grant.chainedSourceRoleName as string);
    }
  }
  return cluster;
}

/** account-a's facts, checked against this stack: one partition, the adopted provider of its issuer. */
function checkAccountAFacts(config: AccountBGrantsConfig, a: GrantsAccountAFacts): void {
  if (a.clusterArn !== undefined) {
    const eks = parseEksClusterArn(`${config.accountAStack} output clusterArn`, a.clusterArn);
    const mismatch = partitionMismatch(
      {
        partition: eks.partition,
        region: eks.region,
        from: `cluster (${config.accountAStack} output clusterArn) is in`,
      },
      config.aws,
    );
    if (mismatch) throw mismatch;
  }
  if (config.existingOidcProviderArn !== undefined && a.issuerUrl !== undefined) {
    checkAdoptedProvider(
      config.existingOidcProviderArn,
      a.issuerUrl,
      undefined,
      key("existingOidcProviderArn"),
    );
  }
}

/** The trust size error of a grant, naming its fields (`lowerBound`: account-a's facts were stand-ins). */
function grantTrustSizeError(
  field: string,
  grant: AccountBGrant,
  error: PolicySizeError,
  lowerBound: boolean,
) {
  const problem = trustPolicySizeProblem(grant.serviceAccounts.length, error.size, error.limit).replace(
    " is ",
    lowerBound ? " is at least " : " is ",
  );
  return new PolicySizeError(
    `${field}.serviceAccounts`,
    `${grant.serviceAccounts.length} service accounts`,
    error.size,
    error.limit,
    `${field}.serviceAccounts: ${problem} (${field}.maxTrustPolicySize), for mechanisms ${grant.mechanisms.join(", ")}. ` +
      `Ways out: split the service accounts across several grants; or raise the IAM quota "Role trust policy ` +
      `length" in Service Quotas (up to 4096) and set ${field}.maxTrustPolicySize to it.`,
  );
}

/** The documents of one grant, checked; the trust only when account-a's facts it names are known. */
export interface GrantDocuments {
  trustPolicy?: PolicyDocument;
  accessPolicies: Record<string, PolicyDocument>;
}

/**
 * Builds and checks every grant's documents before the program registers anything, in preview as in
 * an update: the trust (account-a's facts, or the shortest stand-ins: a lower bound) against the
 * grant's `maxTrustPolicySize`, and its buckets' S3 policies together against the role's 10,240
 * inline characters. Returns each grant's documents, by key.
 *
 * @throws InputError naming `cross-account-irsa:grants[<i>].<field>` (or the top-level key).
 */
export function checkGrantsDocuments(
  config: AccountBGrantsConfig,
  a: GrantsAccountAFacts,
): Record<string, GrantDocuments> {
  checkAccountAFacts(config, a);
  const out: Record<string, GrantDocuments> = {};
  config.grants.forEach((grant, i) => {
    const field = key(`grants[${i}]`);
    const known = neededFor(grant).every((name) => a[name] !== undefined);
    let trustPolicy: PolicyDocument;
    try {
      trustPolicy = buildGrantTrustPolicy({
        mechanisms: grant.mechanisms,
        clusters: [[GRANT_CLUSTER_KEY, plannedGrantCluster(config, grant, a)]],
        serviceAccounts: grant.serviceAccounts,
        maxSize: grant.maxTrustPolicySize,
        maxSizeField: `${field}.maxTrustPolicySize`,
      });
    } catch (error) {
      if (error instanceof PolicySizeError) throw grantTrustSizeError(field, grant, error, !known);
      throw error;
    }
    const accessPolicies = Object.fromEntries(
      grant.buckets.map((b, j) => [
        `s3-${b.name}`,
        bucketAccessPolicy(`${field}.buckets[${j}]`, b, config.aws.partition),
      ]),
    );
    try {
      checkInlinePoliciesSize(
        `${field}.buckets`,
        Object.fromEntries(Object.entries(accessPolicies).map(([n, d]) => [n, policyJson(d)])),
      );
    } catch (error) {
      if (!(error instanceof PolicySizeError)) throw error;
      throw new PolicySizeError(
        `${field}.buckets`,
        `${grant.buckets.length} buckets`,
        error.size,
        error.limit,
        `${field}.buckets: the grant's S3 policies (one per bucket) are ${error.size} characters as IAM counts ` +
          `them (whitespace excluded), over IAM's limit of ${error.limit} for a role's inline policies together, ` +
          "which cannot be raised. Ways out: grant fewer, shorter prefixes (a parent prefix covers its children); " +
          "or split the buckets across several grants (one role each).",
      );
    }
    out[grant.key] = { ...(known ? { trustPolicy } : {}), accessPolicies };
  });
  return out;
}

/** The facts of account-a one grant's trust names. */
function neededFor(grant: AccountBGrant): Array<keyof GrantsAccountAFacts> {
  const needed: Array<keyof GrantsAccountAFacts> = [];
  if (grant.mechanisms.includes(Mechanism.Irsa)) needed.push("issuerUrl");
  if (grant.mechanisms.some((m) => m !== Mechanism.Irsa)) needed.push("clusterArn");
  return needed;
}

/**
 * Refuses an account-b update that would stop trusting what account-a's bindings still set up (a
 * grant account-a binds that this config no longer lists, a mechanism of its binding the grant no
 * longer trusts, or the ServiceAccount it binds that the grant's `serviceAccounts` no longer lists):
 * the update would succeed and the live pods on that path would lose access (IRSA's role trust or
 * provider, Pod Identity's association or source role trust, irsa-chained's source role trust,
 * deleted or narrowed). The order that keeps them working is account-a first (drop the mechanism, the
 * ServiceAccount or the entry there), then account-b; the error says so. `bound` is account-a's
 * `grants` output, read strictly (`parseAccountAGrants`).
 *
 * @throws InputError naming the grant's `cross-account-irsa:grants[<i>].mechanism` or
 *   `.serviceAccounts` (or `grants`).
 */
export function checkStillTrusted(
  config: AccountBGrantsConfig,
  bound: readonly {
    key: string;
    mechanisms: readonly Mechanism[];
    serviceAccount: { namespace: string; name: string };
  }[],
): void {
  for (const binding of bound) {
    const i = config.grants.findIndex((g) => g.key === binding.key);
    if (i < 0) {
      throw new InputError(
        key("grants"),
        config.grants.map((g) => g.key),
        `no longer lists grant "${binding.key}", which account-a (${config.accountAStack}) still binds ` +
          `(${binding.mechanisms.join(", ")}): its pods would lose access. Remove the entry from account-a's ` +
          "cross-account-irsa:grants and update account-a first, then account-b",
      );
    }
    const dropped = binding.mechanisms.filter((m) => !config.grants[i].mechanisms.includes(m));
    if (dropped.length > 0) {
      throw new InputError(
        key(`grants[${i}].mechanism`),
        config.grants[i].mechanisms,
        `no longer trusts ${dropped.map((m) => `"${m}"`).join(", ")}, which account-a (${config.accountAStack}) ` +
          `still sets up for grant "${binding.key}": its pods on that path would lose access. Drop it from ` +
          "account-a's entry and update account-a first (docs/migration.md, step 2), then account-b",
      );
    }
    const sa = binding.serviceAccount;
    const listed = config.grants[i].serviceAccounts;
    if (!listed.some((t) => t.namespace === sa.namespace && t.name === sa.name)) {
      throw new InputError(
        key(`grants[${i}].serviceAccounts`),
        listed.map((t) => `${t.namespace}/${t.name}`),
        `no longer lists ${sa.namespace}/${sa.name}, which account-a (${config.accountAStack}) still binds for ` +
          `grant "${binding.key}": its pods would lose access. Bind another of the grant's service accounts in ` +
          "account-a's entry (its serviceAccount) or remove the entry, and update account-a first, then account-b",
      );
    }
  }
}
