/**
 * The pure core of `BucketAccessGrant` (account B): its arguments checked as plain values, the one
 * trust policy of a grant over a list of mechanisms, and the KMS key-policy statement the owner of a
 * key in another account must add. No Pulumi or AWS package is imported; the component only wires
 * these.
 *
 * Everything that differs between mechanisms is found through {@link GRANT_MECHANISMS}, a
 * `Record<Mechanism, ...>`: a new mechanism is a compile error here until it says what it needs of
 * a cluster and which trust statements it adds.
 */
import { buildChainedTargetTrustPolicy } from "./chainedPolicies";
import { InputError, PolicySizeError, inArgsTerms } from "./errors";
import { normalizeIssuer } from "./issuer";
import { assertNever, isMechanism, Mechanism, MECHANISMS } from "./mechanism";
import { policySize, type PolicyDocument, type PolicyStatement } from "./policyDocument";
import { buildPodIdentityTargetTrustPolicy, parseEksClusterArn } from "./podIdentityPolicies";
import { roleIdentity, sourceRoleParts } from "./sourceRoleArn";
import { EXACT_TRUST, type GrantTrustSettings } from "./bucketAccessTrust";

export { checkGrantServiceAccounts } from "./bucketAccessTrust";

import {
  buildTrustPolicy,
  DEFAULT_TRUST_POLICY_MAX_SIZE,
  MAX_TRUST_POLICY_QUOTA,
  trustPolicySizeProblem,
  type ServiceAccountRef,
} from "./trustPolicy";
import { parseOidcProviderArn, validateInteger } from "./validation";

/** A trusted cluster as the grant reads it (plain values; which fields a mechanism needs: {@link GRANT_MECHANISMS}). */
export interface GrantCluster {
  /** IRSA: the cluster's OIDC issuer URL. */
  issuerUrl?: string;
  /** IRSA: an existing IAM OIDC provider for the issuer in account B (adopted, never modified). */
  oidcProviderArn?: string;
  /** Pod Identity: the cluster's ARN (the `eks-cluster-arn` session tag). */
  clusterArn?: string;
  /** Pod Identity: the source role in the cluster's account (the association's `roleArn`). */
  sourceRoleArn?: string;
  /** IRSA with role chaining: account A's IRSA source role, the one principal the chained trust admits. */
  chainedSourceRoleArn?: string;
}

/** The fields of a {@link GrantCluster}. */
export type GrantClusterField = keyof GrantCluster;

/** What a mechanism needs of each trusted cluster, and what it adds to the grant. */
export interface GrantMechanismParts {
  /** The cluster fields this mechanism needs. */
  required: readonly GrantClusterField[];
  /** The cluster fields this mechanism reads when given. */
  optional: readonly GrantClusterField[];
  /**
   * The trust statements of this path for the clusters and service accounts (plain, checked values;
   * an IRSA cluster's `oidcProviderArn` is filled in, by the grant's own provider when it creates one).
   */
  trustStatements(
    clusters: ReadonlyArray<readonly [string, GrantCluster]>,
    sas: ServiceAccountRef[],
    settings: GrantTrustSettings,
  ): PolicyStatement[];
}

/**
 * Each mechanism's part of a grant. A new mechanism adds its entry here (and the compiler finds every
 * other table and switch that must learn it).
 */
export const GRANT_MECHANISMS: Record<Mechanism, GrantMechanismParts> = {
  [Mechanism.Irsa]: {
    required: ["issuerUrl"],
    optional: ["oidcProviderArn"],
    trustStatements: (clusters, serviceAccounts, settings) =>
      buildTrustPolicy(
        clusters.map(([key, c]) => {
          if (c.oidcProviderArn === undefined) {
            throw new InputError(`clusters.${key}.oidcProviderArn`, undefined, "is required by now");
          }
          return { oidcProviderArn: c.oidcProviderArn, issuerUrl: c.issuerUrl as string, serviceAccounts };
        }),
        {
          maxSize: MAX_TRUST_POLICY_QUOTA,
          conditionTest: settings.conditionTest,
          trustWholeNamespaces: settings.trustWholeNamespaces,
        },
      ).Statement,
  },
  [Mechanism.PodIdentity]: {
    required: ["clusterArn", "sourceRoleArn"],
    optional: [],
    trustStatements: (clusters, serviceAccounts) =>
      clusters.flatMap(
        ([, c]) =>
          buildPodIdentityTargetTrustPolicy({
            sourceRoleArn: c.sourceRoleArn as string,
            clusterArn: c.clusterArn as string,
            serviceAccounts,
            maxSize: MAX_TRUST_POLICY_QUOTA,
          }).Statement,
      ),
  },
  [Mechanism.IrsaChained]: {
    required: ["chainedSourceRoleArn"],
    optional: [],
    // ChainedTargetRole's own statement per cluster: account A's root narrowed by `ArnEquals
    // aws:PrincipalArn` to the source role, so account B can trust a role account A creates later.
    // Without its Sid: IAM requires a Sid to be unique within a policy, and a grant holds one such
    // statement per cluster (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html);
    // kept only when asked for (`chainedStatementSid`, one cluster: checkGrantTrustSettings).
    trustStatements: (clusters, _sas, settings) =>
      clusters.map(([key, c]) => {
        const [statement] = inArgsTerms(
          () =>
            buildChainedTargetTrustPolicy({
              sourceRoleArn: c.chainedSourceRoleArn as string,
              maxSize: MAX_TRUST_POLICY_QUOTA,
            }).Statement,
          { sourceRoleArn: `clusters.${key}.chainedSourceRoleArn` },
        );
        if (settings.chainedStatementSid) return statement;
        const { Sid: _sid, ...rest } = statement;
        return rest;
      }),
  },
};

const CLUSTER_FIELDS: readonly GrantClusterField[] = [
  "issuerUrl",
  "oidcProviderArn",
  "clusterArn",
  "sourceRoleArn",
  "chainedSourceRoleArn",
];

/** Keys of `clusters` (they name child resources): 1 to 32 lower-case letters, digits or `-`. */
const CLUSTER_KEY = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

/**
 * A grant's mechanism list: one mechanism or a list of distinct ones (a migration), returned in the
 * order of {@link MECHANISMS} so that equal lists give equal documents.
 */
export function checkMechanisms(field: string, value: unknown): Mechanism[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  if (list.length === 0) {
    throw new InputError(field, value, `must name at least one mechanism (${MECHANISMS.join(", ")})`);
  }
  const seen = new Set<Mechanism>();
  list.forEach((m, i) => {
    const where = Array.isArray(value) ? `${field}[${i}]` : field;
    if (!isMechanism(m)) {
      throw new InputError(where, m, `must be one of ${MECHANISMS.map((n) => `"${n}"`).join(", ")}`);
    }
    if (seen.has(m)) throw new InputError(where, m, "is listed twice: list each mechanism once");
    seen.add(m);
  });
  return MECHANISMS.filter((m) => seen.has(m));
}

/** The mechanisms of `mechanisms` that read `field` of a cluster. */
function readersOf(field: GrantClusterField, mechanisms: readonly Mechanism[]): Mechanism[] {
  return mechanisms.filter(
    (m) => GRANT_MECHANISMS[m].required.includes(field) || GRANT_MECHANISMS[m].optional.includes(field),
  );
}

/**
 * Checks the shape of `clusters` against the mechanisms, on what is known when the program runs
 * (the keys, and which fields are present; values may still be Outputs): each key names child
 * resources, every field a listed mechanism needs is there, and no field is given that no listed
 * mechanism reads (it would be dropped silently). Returns the keys, sorted.
 */
export function checkClusterShapes(
  field: string,
  clusters: unknown,
  mechanisms: readonly Mechanism[],
): string[] {
  if (clusters === null || typeof clusters !== "object" || Array.isArray(clusters)) {
    throw new InputError(
      field,
      clusters,
      "must be an object of trusted clusters by stable key, e.g. { prod: { issuerUrl } } (the keys name child resources)",
    );
  }
  const keys = Object.keys(clusters).sort();
  if (keys.length === 0) {
    throw new InputError(
      field,
      clusters,
      "must name at least one cluster: a grant that trusts none can never be used",
    );
  }
  for (const key of keys) {
    const where = `${field}.${key}`;
    if (!CLUSTER_KEY.test(key)) {
      throw new InputError(
        where,
        key,
        "the key names child resources: 1 to 32 lower-case letters, digits or '-', starting and ending with a letter or digit",
      );
    }
    const cluster = (clusters as Record<string, unknown>)[key];
    if (cluster === null || typeof cluster !== "object" || Array.isArray(cluster)) {
      throw new InputError(
        where,
        cluster,
        `must be an object { ${CLUSTER_FIELDS.join(", ")} } (as the mechanisms need)`,
      );
    }
    for (const name of Object.keys(cluster)) {
      if (!(CLUSTER_FIELDS as readonly string[]).includes(name)) {
        throw new InputError(
          `${where}.${name}`,
          (cluster as Record<string, unknown>)[name],
          `is not a cluster field (${CLUSTER_FIELDS.join(", ")})`,
        );
      }
      const value = (cluster as Record<string, unknown>)[name];
      if (value !== undefined && readersOf(name as GrantClusterField, mechanisms).length === 0) {
        const users = readersOf(name as GrantClusterField, MECHANISMS);
        throw new InputError(
          `${where}.${name}`,
          typeof value === "string" ? value : "[an Output]",
          `is read only by mechanism ${users.map((m) => `"${m}"`).join(", ")}, which args.mechanisms does not list: remove it, or add the mechanism`,
        );
      }
    }
    for (const m of mechanisms) {
      for (const need of GRANT_MECHANISMS[m].required) {
        if ((cluster as Record<string, unknown>)[need] === undefined) {
          throw new InputError(`${where}.${need}`, undefined, `is required by mechanism "${m}"`);
        }
      }
    }
  }
  return keys;
}

/** Checks one cluster's plain values (the fields its mechanisms read), naming `field`. */
export function checkClusterValues(field: string, cluster: GrantCluster): GrantCluster {
  const out: GrantCluster = {};
  if (cluster.issuerUrl !== undefined) {
    normalizeIssuer(cluster.issuerUrl, `${field}.issuerUrl`);
    out.issuerUrl = cluster.issuerUrl;
  }
  if (cluster.oidcProviderArn !== undefined) {
    const { hostPath } = parseOidcProviderArn(`${field}.oidcProviderArn`, cluster.oidcProviderArn);
    const issuer = normalizeIssuer(cluster.issuerUrl as string, `${field}.issuerUrl`);
    if (hostPath !== issuer) {
      throw new InputError(
        `${field}.oidcProviderArn`,
        cluster.oidcProviderArn,
        `must be the IAM OIDC provider of ${field}.issuerUrl, i.e. end in ":oidc-provider/${issuer}"`,
      );
    }
    out.oidcProviderArn = cluster.oidcProviderArn;
  }
  if (cluster.clusterArn !== undefined) {
    parseEksClusterArn(`${field}.clusterArn`, cluster.clusterArn);
    out.clusterArn = cluster.clusterArn;
  }
  if (cluster.sourceRoleArn !== undefined) {
    const source = sourceRoleParts(`${field}.sourceRoleArn`, cluster.sourceRoleArn);
    const eks = parseEksClusterArn(`${field}.clusterArn`, cluster.clusterArn);
    if (source.accountId !== eks.accountId || source.partition !== eks.partition) {
      throw new InputError(
        `${field}.sourceRoleArn`,
        cluster.sourceRoleArn,
        `must be in the cluster's account and partition (arn:${eks.partition}:iam::${eks.accountId}:role/...): EKS assumes the source role in the cluster's account`,
      );
    }
    out.sourceRoleArn = cluster.sourceRoleArn;
  }
  if (cluster.chainedSourceRoleArn !== undefined) {
    const where = `${field}.chainedSourceRoleArn`;
    const chained = sourceRoleParts(where, cluster.chainedSourceRoleArn);
    if (cluster.clusterArn !== undefined) {
      // As for Pod Identity's source role: account A is the cluster's account.
      const eks = parseEksClusterArn(`${field}.clusterArn`, cluster.clusterArn);
      if (chained.accountId !== eks.accountId || chained.partition !== eks.partition) {
        throw new InputError(
          where,
          cluster.chainedSourceRoleArn,
          `must be in the cluster's account and partition (arn:${eks.partition}:iam::${eks.accountId}:role/...): ` +
            "the binding creates it in the cluster's account, trusted through that account's OIDC provider",
        );
      }
    }
    if (
      cluster.sourceRoleArn !== undefined &&
      roleIdentity(cluster.chainedSourceRoleArn) === roleIdentity(cluster.sourceRoleArn)
    ) {
      throw new InputError(
        where,
        cluster.chainedSourceRoleArn,
        `must differ from ${field}.sourceRoleArn, also in the role name's case and whatever the path (IAM role ` +
          "names are unique in an account, not distinguished by case): Pod Identity's source role trusts pods.eks.amazonaws.com, " +
          "IRSA with role chaining's trusts account A's OIDC provider; the binding creates each under its own name",
      );
    }
    out.chainedSourceRoleArn = cluster.chainedSourceRoleArn;
  }
  return out;
}

/** Refuses two clusters with the same issuer or the same cluster ARN (one grant trusts each once). */
export function checkDistinctClusters(
  field: string,
  clusters: ReadonlyArray<readonly [string, GrantCluster]>,
): void {
  const seen = new Map<string, string>();
  for (const [key, c] of clusters) {
    // [what, as shown, as compared]
    const ids: Array<[string, string, string]> = [];
    if (c.issuerUrl !== undefined) ids.push(["issuer", c.issuerUrl, normalizeIssuer(c.issuerUrl)]);
    if (c.clusterArn !== undefined) ids.push(["cluster", c.clusterArn, c.clusterArn]);
    // One chained source role per cluster: it trusts that cluster's issuer, and a binding creates it
    // (one role name per account, whatever its case and path: roleIdentity).
    if (c.chainedSourceRoleArn !== undefined) {
      ids.push(["chained source role", c.chainedSourceRoleArn, roleIdentity(c.chainedSourceRoleArn)]);
    }
    for (const [what, shown, compared] of ids) {
      const id = `${what} ${compared}`;
      const earlier = seen.get(id);
      if (earlier !== undefined) {
        throw new InputError(
          `${field}.${key}`,
          `${what} ${what === "issuer" ? compared : shown}`,
          `names the same ${what} as ${field}.${earlier}: list each cluster once`,
        );
      }
      seen.set(id, key);
    }
  }
}

/** Options of {@link buildGrantTrustPolicy}. */
export interface GrantTrustOptions {
  /** The paths the role trusts (checked: {@link checkMechanisms}). */
  mechanisms: readonly Mechanism[];
  /** The trusted clusters by key, plain and checked, IRSA's provider ARNs filled in. */
  clusters: ReadonlyArray<readonly [string, GrantCluster]>;
  /** The service accounts (checked: {@link checkGrantServiceAccounts}). */
  serviceAccounts: ServiceAccountRef[];
  /**
   * The largest trust policy allowed, in characters as IAM counts them.
   * @default 2048
   */
  maxSize?: number;
  /**
   * How errors name the size limit.
   * @default "maxSize"
   */
  maxSizeField?: string;
  /**
   * IRSA's `sub` comparison, patterns allowed with a whole namespace, and the chained statement's
   * Sid (checked: {@link checkGrantTrustSettings}).
   * @default exact service accounts, no Sid
   */
  settings?: GrantTrustSettings;
}

/**
 * The trust policy of a grant's one role: the statements of every listed mechanism, each as its own
 * builder makes them (IRSA: one statement per OIDC provider, exact `sub` and `aud`; Pod Identity: one
 * per cluster and namespace, `aws:PrincipalArn` and the session tags), in the order of
 * {@link MECHANISMS}. With two mechanisms the role trusts both paths: a migration.
 *
 * @throws InputError as the builders do, or a {@link PolicySizeError} when the whole document
 *   is over `maxSize`.
 */
export function buildGrantTrustPolicy(options: GrantTrustOptions): PolicyDocument {
  const maxSizeField = options.maxSizeField ?? "maxSize";
  const maxSize = validateInteger(
    maxSizeField,
    options.maxSize ?? DEFAULT_TRUST_POLICY_MAX_SIZE,
    1,
    MAX_TRUST_POLICY_QUOTA,
  );
  const statements = options.mechanisms.flatMap((m) =>
    GRANT_MECHANISMS[m].trustStatements(
      options.clusters,
      options.serviceAccounts,
      options.settings ?? EXACT_TRUST,
    ),
  );
  const doc: PolicyDocument = { Version: "2012-10-17", Statement: statements };
  const size = policySize(doc);
  if (size > maxSize) {
    const count = options.serviceAccounts.length * options.clusters.length;
    throw new PolicySizeError(
      "serviceAccounts",
      `${count} service accounts`,
      size,
      maxSize,
      `serviceAccounts: ${trustPolicySizeProblem(count, size, maxSize)} (${maxSizeField}), for mechanisms ` +
        `${options.mechanisms.join(", ")} and ${options.clusters.length} cluster(s). Ways out: split the service ` +
        `accounts or clusters across several grants; or raise the IAM quota "Role trust policy length" in Service ` +
        `Quotas (up to ${MAX_TRUST_POLICY_QUOTA}) and pass that as ${maxSizeField}.`,
    );
  }
  return doc;
}

export { CREDENTIAL_PRECEDENCE, checkBindingMechanisms, podCredentialPath } from "./credentialPath";

/** Exhaustiveness guard for switches over a grant's mechanisms (re-exported for the components). */
export function unhandledMechanism(m: never): never {
  return assertNever(m, "mechanism");
}
