/**
 * The handoff of a grant: everything account A needs from account B's `BucketAccessGrant`, as one
 * plain object a StackReference carries across (`grant.handoff`), versioned, and read strictly
 * (`parseHandoff`; the binding's own arguments are checked against it in `bucketAccessBindingPlan.ts`).
 * No Pulumi or AWS package is imported.
 */
import { InputError } from "./errors";
import { isMechanism, Mechanism, MECHANISMS } from "./mechanism";
import { checkClusterValues, checkDistinctClusters, type GrantCluster } from "./bucketAccess";
import { type GrantBucket } from "./bucketAccessBuckets";
import { parseEksClusterArn } from "./podIdentityPolicies";
import { normalizePrefixes } from "./s3AccessPolicy";
import { type ServiceAccountRef } from "./trustPolicy";
import {
  parseOidcProviderArn,
  parseRoleArn,
  requireArray,
  requireString,
  validateBucketName,
  validateKmsKeyArn,
  validateNamespace,
  validateObjectName,
} from "./validation";

/**
 * The version of the handoff this package writes and reads. A binding refuses another version, naming
 * it, rather than guess what its fields mean; a new version is a new major entry in the CHANGELOG.
 * `chainedSourceRoleArn` (irsa-chained) was added within version 1: it appears only in a handoff that
 * trusts irsa-chained, every handoff without it reads as before, and a reader that does not know the
 * field refuses it by name (the reader is strict) instead of misreading it.
 */
export const HANDOFF_VERSION = 1;

/** A trusted cluster, as the handoff carries it (the fields its mechanisms read). */
export interface HandoffCluster {
  /**
   * The cluster's key in the grant's `clusters`.
   * @default none (required)
   */
  key: string;
  /**
   * IRSA: the cluster's OIDC issuer URL.
   * @default none (absent unless the grant trusts IRSA)
   */
  issuerUrl?: string;
  /**
   * IRSA: the IAM OIDC provider for the issuer in account B (created or adopted by the grant).
   * @default none (absent unless the grant trusts IRSA)
   */
  oidcProviderArn?: string;
  /**
   * Pod Identity: the cluster's ARN.
   * @default none (absent unless the grant trusts Pod Identity)
   */
  clusterArn?: string;
  /**
   * Pod Identity: the source role in account A the target role trusts (by `aws:PrincipalArn`).
   * @default none (absent unless the grant trusts Pod Identity)
   */
  sourceRoleArn?: string;
  /**
   * IRSA with role chaining: account A's IRSA source role the grant's role trusts (by
   * `aws:PrincipalArn`); the binding creates it under this name and path.
   * @default none (absent unless the grant trusts irsa-chained)
   */
  chainedSourceRoleArn?: string;
}

/** A bucket of the grant, as the handoff carries it. */
export interface HandoffBucket {
  /**
   * The bucket's name.
   * @default none (required)
   */
  name: string;
  /**
   * What the role may do with it: `read`, `read-write` or `list`.
   * @default none (required)
   */
  access: string;
  /**
   * The key prefixes the role is confined to; empty for the whole bucket.
   * @default none (required)
   */
  prefixes: string[];
  /**
   * The KMS key that encrypts the bucket, when a customer-managed one.
   * @default none (SSE-S3 or an AWS-managed key)
   */
  kmsKeyArn?: string;
}

/** A service account the grant trusts, as the handoff carries it. */
export interface HandoffServiceAccount {
  /**
   * The namespace.
   * @default none (required)
   */
  namespace: string;
  /**
   * The service account's name.
   * @default none (required)
   */
  name: string;
}

/**
 * Everything account A needs from a grant in account B, as one object (version `HANDOFF_VERSION`).
 * `BucketAccessGrant.handoff` writes it; `BucketAccessBinding` reads it, typically through a
 * StackReference (`new pulumi.StackReference("org/account-b/prod").getOutput("handoff")`).
 */
export interface BucketAccessHandoff {
  /**
   * The format's version, `HANDOFF_VERSION` (1).
   * @default none (required)
   */
  version: number;
  /**
   * The paths the grant's role trusts.
   * @default none (required)
   */
  mechanisms: Mechanism[];
  /**
   * The grant's role in account B: IRSA's annotation, Pod Identity's `targetRoleArn`, the chained
   * profile's `role_arn`.
   * @default none (required)
   */
  roleArn: string;
  /**
   * The service accounts the role trusts (exact pairs).
   * @default none (required)
   */
  serviceAccounts: HandoffServiceAccount[];
  /**
   * The trusted clusters, with what their mechanisms read.
   * @default none (required)
   */
  clusters: HandoffCluster[];
  /**
   * The buckets the role may use.
   * @default none (required)
   */
  buckets: HandoffBucket[];
}

/**
 * What the handoff carries of each cluster, by mechanism: what the grant's trust names (IRSA's
 * provider ARN is filled in by the grant, created or adopted).
 */
export const HANDOFF_CLUSTER_FIELDS: Record<Mechanism, readonly (keyof GrantCluster)[]> = {
  [Mechanism.Irsa]: ["issuerUrl", "oidcProviderArn"],
  [Mechanism.PodIdentity]: ["clusterArn", "sourceRoleArn"],
  [Mechanism.IrsaChained]: ["chainedSourceRoleArn"],
};

/** A handoff cluster's fields, in the order the handoff writes them. */
const HANDOFF_CLUSTER_KEYS = [
  "issuerUrl",
  "oidcProviderArn",
  "clusterArn",
  "sourceRoleArn",
  "chainedSourceRoleArn",
] as const;

/**
 * The handoff of a grant, from its checked parts: mechanisms, role, service accounts and clusters
 * sorted as the grant sorts them, buckets in the grant's order (the first is the probe's default).
 */
export function buildHandoff(options: {
  mechanisms: readonly Mechanism[];
  roleArn: string;
  serviceAccounts: readonly ServiceAccountRef[];
  clusters: ReadonlyArray<readonly [string, GrantCluster]>;
  buckets: readonly GrantBucket[];
}): BucketAccessHandoff {
  return {
    version: HANDOFF_VERSION,
    mechanisms: [...options.mechanisms],
    roleArn: options.roleArn,
    serviceAccounts: options.serviceAccounts.map((sa) => ({ namespace: sa.namespace, name: sa.name })),
    clusters: [...options.clusters]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, c]) => {
        const fields = new Set(options.mechanisms.flatMap((m) => HANDOFF_CLUSTER_FIELDS[m]));
        const entry: HandoffCluster = { key };
        for (const f of HANDOFF_CLUSTER_KEYS) {
          if (fields.has(f) && c[f] !== undefined) entry[f] = c[f];
        }
        return entry;
      }),
    buckets: options.buckets.map((b) => ({
      name: b.name,
      access: b.access,
      prefixes: [...b.prefixes],
      ...(b.kmsKeyArn !== undefined ? { kmsKeyArn: b.kmsKeyArn } : {}),
    })),
  };
}

const HANDOFF_FIELDS = [
  "version",
  "mechanisms",
  "roleArn",
  "serviceAccounts",
  "clusters",
  "buckets",
] as const;

function object(field: string, value: unknown, fields: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(field, value, `must be an object { ${fields.join(", ")} }`);
  }
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) {
      throw new InputError(
        `${field}.${key}`,
        (value as Record<string, unknown>)[key],
        `is not a field of it (${fields.join(", ")})`,
      );
    }
  }
  return value as Record<string, unknown>;
}

/**
 * Reads a handoff strictly: the version this package writes, no unknown field, every value valid and
 * consistent (each listed mechanism's cluster fields present, each cluster key, issuer, cluster ARN
 * and chained source role once, the grant's role in account B). Errors name `field` (the binding's
 * `args.handoff`) and the path inside it.
 */
export function parseHandoff(field: string, value: unknown): BucketAccessHandoff {
  if (value === undefined || value === null) {
    throw new InputError(
      field,
      value,
      "is required: account B's BucketAccessGrant.handoff (through a StackReference, account B's update must have run first)",
    );
  }
  const raw = object(field, value, HANDOFF_FIELDS);
  if (raw.version !== HANDOFF_VERSION) {
    throw new InputError(
      `${field}.version`,
      raw.version,
      `must be ${HANDOFF_VERSION}: this version of cross-account-irsa reads handoffs of version ${HANDOFF_VERSION} only; ` +
        "use the same package version in account A as in account B",
    );
  }
  const mechanismList = requireArray(`${field}.mechanisms`, raw.mechanisms, 1);
  const mechanisms = mechanismList.map((m, i) => {
    if (!isMechanism(m)) {
      throw new InputError(
        `${field}.mechanisms[${i}]`,
        m,
        `must be one of ${MECHANISMS.map((n) => `"${n}"`).join(", ")}`,
      );
    }
    return m;
  });
  if (new Set(mechanisms).size !== mechanisms.length) {
    throw new InputError(`${field}.mechanisms`, raw.mechanisms, "must list each mechanism once");
  }
  const roleArn = parseRoleArn(`${field}.roleArn`, raw.roleArn) && (raw.roleArn as string);
  const serviceAccounts = requireArray(`${field}.serviceAccounts`, raw.serviceAccounts, 1).map((sa, i) => {
    const where = `${field}.serviceAccounts[${i}]`;
    const o = object(where, sa, ["namespace", "name"]);
    return {
      namespace: validateNamespace(`${where}.namespace`, o.namespace),
      name: validateObjectName(`${where}.name`, o.name),
    };
  });
  const clusters = requireArray(`${field}.clusters`, raw.clusters, 1).map((c, i) => {
    const where = `${field}.clusters[${i}]`;
    const o = object(where, c, ["key", ...HANDOFF_CLUSTER_KEYS]);
    const key = requireString(`${where}.key`, o.key);
    const { key: _key, ...rest } = o;
    const values = checkClusterValues(where, rest);
    for (const m of mechanisms) {
      for (const need of HANDOFF_CLUSTER_FIELDS[m]) {
        if (values[need] === undefined)
          throw new InputError(`${where}.${need}`, undefined, `is required by mechanism "${m}"`);
      }
    }
    return { key, ...values };
  });
  // As the grant writes them: each key once, each issuer, cluster and chained source role once.
  const firstOfKey = new Map<string, number>();
  clusters.forEach((c, i) => {
    const earlier = firstOfKey.get(c.key);
    if (earlier !== undefined) {
      throw new InputError(
        `${field}.clusters[${i}].key`,
        c.key,
        `is the key of ${field}.clusters[${earlier}] too: a grant's clusters have distinct keys`,
      );
    }
    firstOfKey.set(c.key, i);
  });
  checkDistinctClusters(
    field,
    clusters.map(({ key: _key, ...c }, i) => [`clusters[${i}]`, c] as const),
  );
  checkHandoffRole(`${field}.roleArn`, roleArn, clusters);
  const buckets = requireArray(`${field}.buckets`, raw.buckets, 1).map((b, i) => {
    const where = `${field}.buckets[${i}]`;
    const o = object(where, b, ["name", "access", "prefixes", "kmsKeyArn"]);
    if (o.access !== "read" && o.access !== "read-write" && o.access !== "list") {
      throw new InputError(`${where}.access`, o.access, 'must be one of "read", "read-write", "list"');
    }
    return {
      name: validateBucketName(`${where}.name`, o.name),
      access: o.access,
      prefixes: normalizePrefixes(requireArray(`${where}.prefixes`, o.prefixes), `${where}.prefixes`),
      ...(o.kmsKeyArn !== undefined
        ? { kmsKeyArn: validateKmsKeyArn(`${where}.kmsKeyArn`, o.kmsKeyArn) }
        : {}),
    };
  });
  return { version: HANDOFF_VERSION, mechanisms, roleArn, serviceAccounts, clusters, buckets };
}

/**
 * The grant's role must be in account B: another account than every account-A ARN the handoff names
 * (a cluster, a Pod Identity or chained source role), in the same partition as all of them. Within one
 * account an identity policy alone lets a principal assume a role whose trust names the account
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html),
 * so a handoff naming a role of the cluster's own account (its ClusterAdmin, say) would have the
 * binding's source roles allowed into it; no AWS principal assumes a role of another partition.
 */
function checkHandoffRole(field: string, roleArn: string, clusters: readonly HandoffCluster[]): void {
  const role = parseRoleArn(field, roleArn);
  clusters.forEach((c, i) => {
    const sides: Array<[string, { partition: string; accountId: string }, boolean]> = [];
    if (c.clusterArn !== undefined)
      sides.push(["clusterArn", parseEksClusterArn("clusterArn", c.clusterArn), true]);
    if (c.sourceRoleArn !== undefined)
      sides.push(["sourceRoleArn", parseRoleArn("sourceRoleArn", c.sourceRoleArn), true]);
    if (c.chainedSourceRoleArn !== undefined)
      sides.push([
        "chainedSourceRoleArn",
        parseRoleArn("chainedSourceRoleArn", c.chainedSourceRoleArn),
        true,
      ]);
    // IRSA's provider is account B's (the grant's), so only its partition is compared.
    if (c.oidcProviderArn !== undefined)
      sides.push(["oidcProviderArn", parseOidcProviderArn("oidcProviderArn", c.oidcProviderArn), false]);
    for (const [name, other, accountA] of sides) {
      const where = `clusters[${i}].${name}`;
      if (other.partition !== role.partition) {
        throw new InputError(
          field,
          roleArn,
          `must be in the partition of the handoff's ${where} ("${other.partition}"): no role of another partition can be assumed`,
        );
      }
      if (accountA && other.accountId === role.accountId) {
        throw new InputError(
          field,
          roleArn,
          `must be in account B, not in account ${other.accountId} of the handoff's ${where} (the cluster's account A): ` +
            "within one account an identity policy alone lets the binding's source roles assume a role whose trust names the account",
        );
      }
    }
  });
}
