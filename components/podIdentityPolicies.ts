/**
 * The policy documents of EKS Pod Identity cross-account (`targetRoleArn`): the source role's trust
 * (account A) and permission, and the target role's trust (account B). Pure, deterministic (sorted,
 * de-duplicated) and size-checked like the IRSA trust policy.
 *
 * How EKS uses them (Amazon EKS User Guide): EKS Pod Identity assumes the association's `roleArn`
 * (the source role) as the service `pods.eks.amazonaws.com` with `sts:AssumeRole` and
 * `sts:TagSession`, passing session tags (`eks-cluster-arn`, `kubernetes-namespace`,
 * `kubernetes-service-account`, ...: "pod-id-abac"), then, with that session, assumes the
 * `targetRoleArn` in the other account, the tags passed on (transitive). The target role's trust
 * names the source role's account as principal and the source role by `aws:PrincipalArn`
 * ("pod-id-assign-target-role"), and the trusted subjects by the request tags.
 */
import { InputError, PolicySizeError } from "./errors";
import { policySize, sortedUnique, type PolicyDocument, type PolicyStatement } from "./policyDocument";
import {
  DEFAULT_TRUST_POLICY_MAX_SIZE,
  MAX_TRUST_POLICY_QUOTA,
  trustPolicySizeProblem,
  type ServiceAccountRef,
} from "./trustPolicy";
import {
  parseRoleArn,
  requireArray,
  requireString,
  validateEksClusterName,
  validateInteger,
  validateNamespace,
  validateObjectName,
  validateRegion,
} from "./validation";
import { AWS_PARTITIONS, partitionOfRegion } from "./partitions";
import { requireObject } from "./policyGrammar";

/** The EKS add-on that runs the Pod Identity agent. */
export const POD_IDENTITY_AGENT_ADDON = "eks-pod-identity-agent";
/** The service principal EKS Pod Identity assumes roles as. */
export const POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com";
/** What EKS Pod Identity calls on both roles: it passes session tags, so TagSession too. */
export const POD_IDENTITY_ACTIONS = ["sts:AssumeRole", "sts:TagSession"] as const;
/** The session tags EKS Pod Identity sets that the trust policies test (request tags on STS). */
export const POD_IDENTITY_TAGS = {
  clusterArn: "aws:RequestTag/eks-cluster-arn",
  namespace: "aws:RequestTag/kubernetes-namespace",
  serviceAccount: "aws:RequestTag/kubernetes-service-account",
} as const;

/** The parts of an EKS cluster ARN, `arn:<partition>:eks:<region>:<account>:cluster/<name>`. */
export interface EksClusterArnParts {
  partition: string;
  region: string;
  accountId: string;
  clusterName: string;
}

/** Parses an EKS cluster ARN, naming `field` when it is not one. */
export function parseEksClusterArn(field: string, value: unknown): EksClusterArnParts {
  const s = requireString(field, value);
  const m = /^arn:([a-z-]+):eks:([a-z0-9-]+):(\d{12}):cluster\/(.+)$/.exec(s);
  const rule = "must be an EKS cluster ARN: arn:<partition>:eks:<region>:<12-digit account>:cluster/<name>";
  if (!m || !AWS_PARTITIONS.includes(m[1])) throw new InputError(field, value, rule);
  try {
    validateRegion(field, m[2]);
    validateEksClusterName(field, m[4]);
  } catch {
    throw new InputError(field, value, rule);
  }
  const regionPartition = partitionOfRegion(field, m[2]);
  if (regionPartition !== m[1]) {
    throw new InputError(
      field,
      value,
      `${rule}; region ${m[2]} is in partition "${regionPartition}", not "${m[1]}"`,
    );
  }
  return { partition: m[1], region: m[2], accountId: m[3], clusterName: m[4] };
}

/** The session tags EKS Pod Identity passes for a service account of a cluster (those the trusts test). */
export function podIdentitySessionTags(clusterArn: string, sa: ServiceAccountRef): Record<string, string> {
  parseEksClusterArn("clusterArn", clusterArn);
  if (sa === null || typeof sa !== "object") {
    throw new InputError("serviceAccount", sa, "must be an object { namespace, name }");
  }
  return {
    [POD_IDENTITY_TAGS.clusterArn]: clusterArn,
    [POD_IDENTITY_TAGS.namespace]: validateNamespace("serviceAccount.namespace", sa.namespace),
    [POD_IDENTITY_TAGS.serviceAccount]: validateObjectName("serviceAccount.name", sa.name),
  };
}

/**
 * A role ARN that a policy names (`aws:PrincipalArn`, `Resource`): IAM allows `*` and `?` in a
 * role's path, but a policy reads them as wildcards, and `${` as a policy variable, so such an ARN
 * would grant more roles than the one named. Refused.
 */
export function parsePolicyRoleArn(field: string, value: unknown): ReturnType<typeof parseRoleArn> {
  const parts = parseRoleArn(field, value);
  if (/[*?$]/.test(value as string)) {
    throw new InputError(
      field,
      value,
      "must not contain '*', '?' or '$': in a policy they are wildcards or a policy variable, and would match roles " +
        "other than this one",
    );
  }
  return parts;
}

/** Options of {@link buildPodIdentitySourceTrustPolicy}. */
export interface PodIdentitySourceTrustOptions {
  /** The cluster whose associations may use the role (its `eks-cluster-arn` session tag). */
  clusterArn: string;
}

/**
 * The source role's trust policy (account A): `pods.eks.amazonaws.com` may `sts:AssumeRole` and
 * `sts:TagSession` only with the session tag `eks-cluster-arn` of this cluster, so an association of
 * another cluster (even in account A) cannot use the role.
 */
export function buildPodIdentitySourceTrustPolicy(options: PodIdentitySourceTrustOptions): PolicyDocument {
  const o = requireOptions(options, "{ clusterArn }");
  parseEksClusterArn("clusterArn", o.clusterArn);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EksPodIdentityForThisCluster",
        Effect: "Allow",
        Principal: { Service: POD_IDENTITY_SERVICE },
        Action: [...POD_IDENTITY_ACTIONS],
        Condition: { StringEquals: { [POD_IDENTITY_TAGS.clusterArn]: o.clusterArn as string } },
      },
    ],
  };
}

/** Options of {@link buildPodIdentitySourcePermissionPolicy}. */
export interface PodIdentitySourcePermissionOptions {
  /** The target role in the other account. */
  targetRoleArn: string;
}

/**
 * The source role's permission policy: `sts:AssumeRole` and `sts:TagSession` on the target role
 * only (EKS chains into it with the source role's session, tags passed on).
 */
export function buildPodIdentitySourcePermissionPolicy(
  options: PodIdentitySourcePermissionOptions,
): PolicyDocument {
  const o = requireOptions(options, "{ targetRoleArn }");
  parsePolicyRoleArn("targetRoleArn", o.targetRoleArn);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ChainIntoTargetRole",
        Effect: "Allow",
        Action: [...POD_IDENTITY_ACTIONS],
        Resource: o.targetRoleArn as string,
      },
    ],
  };
}

/** Options of {@link buildPodIdentityTargetTrustPolicy}. */
export interface PodIdentityTargetTrustOptions {
  /** The source role in the cluster's account (the association's `roleArn`). */
  sourceRoleArn: string;
  /** The cluster whose service accounts the role trusts (same account as the source role). */
  clusterArn: string;
  /** The service accounts that may reach the role: exact namespaces and names, at least one. */
  serviceAccounts: ServiceAccountRef[];
  /**
   * The largest trust policy allowed, in characters as IAM counts them.
   * @default 2048
   */
  maxSize?: number;
  /**
   * How errors name the size limit (a component passes its own argument's name).
   * @default "maxSize"
   */
  maxSizeField?: string;
}

/**
 * The target role's trust policy (account B): account A's root as principal, narrowed to the source
 * role by `ArnEquals aws:PrincipalArn`, for `sts:AssumeRole` and `sts:TagSession`, and only with the
 * session tags of a trusted service account of this cluster. One statement per namespace, each with
 * its own names: a single statement listing all namespaces and all names would also allow namespace
 * X with a name of namespace Y. Namespaces and names are exact (no `StringLike`: the tags are
 * compared as written).
 *
 * @throws InputError for a bad ARN, a source role and cluster in different accounts or
 *   partitions, a wildcard or invalid name, no service accounts, or a document over `maxSize`.
 */
export function buildPodIdentityTargetTrustPolicy(options: PodIdentityTargetTrustOptions): PolicyDocument {
  const o = requireOptions(options, "{ sourceRoleArn, clusterArn, serviceAccounts, maxSize? }");
  const source = parsePolicyRoleArn("sourceRoleArn", o.sourceRoleArn);
  const cluster = parseEksClusterArn("clusterArn", o.clusterArn);
  if (source.accountId !== cluster.accountId || source.partition !== cluster.partition) {
    throw new InputError(
      "sourceRoleArn",
      o.sourceRoleArn,
      `must be in the cluster's account and partition (arn:${cluster.partition}:iam::${cluster.accountId}:role/...): ` +
        "EKS assumes the source role in the cluster's account",
    );
  }
  const maxSizeField = typeof o.maxSizeField === "string" ? o.maxSizeField : "maxSize";
  const maxSize = validateInteger(
    maxSizeField,
    o.maxSize ?? DEFAULT_TRUST_POLICY_MAX_SIZE,
    1,
    MAX_TRUST_POLICY_QUOTA,
  );
  const list = requireArray("serviceAccounts", o.serviceAccounts, 1);
  const byNamespace = new Map<string, string[]>();
  list.forEach((sa, i) => {
    const field = `serviceAccounts[${i}]`;
    if (sa === null || typeof sa !== "object") {
      throw new InputError(field, sa, "must be an object { namespace, name }");
    }
    const ref = sa as Partial<ServiceAccountRef>;
    for (const part of ["namespace", "name"] as const) {
      if (typeof ref[part] === "string" && /[*?]/.test(ref[part])) {
        throw new InputError(
          `${field}.${part}`,
          ref[part],
          "must be exact with Pod Identity: the trust compares the session tags EKS sets as written, and a pattern " +
            "there (StringLike) would trust service accounts nobody named",
        );
      }
    }
    const namespace = validateNamespace(`${field}.namespace`, ref.namespace);
    const name = validateObjectName(`${field}.name`, ref.name);
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), name]);
  });

  const principal = `arn:${source.partition}:iam::${source.accountId}:root`;
  const statements = sortedUnique(byNamespace.keys()).map((namespace): PolicyStatement => {
    const names = sortedUnique(byNamespace.get(namespace)!);
    return {
      Effect: "Allow",
      Principal: { AWS: principal },
      Action: [...POD_IDENTITY_ACTIONS],
      Condition: {
        ArnEquals: { "aws:PrincipalArn": o.sourceRoleArn as string },
        StringEquals: {
          [POD_IDENTITY_TAGS.clusterArn]: o.clusterArn as string,
          [POD_IDENTITY_TAGS.namespace]: namespace,
          [POD_IDENTITY_TAGS.serviceAccount]: names.length === 1 ? names[0] : names,
        },
      },
    };
  });
  const doc: PolicyDocument = { Version: "2012-10-17", Statement: statements };
  const size = policySize(doc);
  if (size > maxSize) {
    const count = [...byNamespace.values()].reduce((n, names) => n + new Set(names).size, 0);
    throw new PolicySizeError(
      "serviceAccounts",
      `${count} service accounts`,
      size,
      maxSize,
      `serviceAccounts: ${trustPolicySizeProblem(count, size, maxSize)} (${maxSizeField}). ` +
        podIdentityTrustSizeWaysOut(`pass that as ${maxSizeField}`),
    );
  }
  return doc;
}

/**
 * The ways out of a target trust policy that is too large; `raise` says how to pass a raised quota.
 * No name patterns: a Pod Identity association names one service account exactly, and the trust
 * matches the session tags EKS sets from it with StringEquals (a pattern would trust service
 * accounts nobody named).
 */
export function podIdentityTrustSizeWaysOut(raise: string): string {
  return (
    `Ways out: split the service accounts across several target roles (one account-b stack each); or raise ` +
    `the IAM quota "Role trust policy length" in Service Quotas (up to ${MAX_TRUST_POLICY_QUOTA}) and ${raise}.`
  );
}

function requireOptions(options: unknown, shape: string): Record<string, unknown> {
  return requireObject("options", options, `an object ${shape}`);
}
