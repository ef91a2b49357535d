/**
 * account-b's single-grant outputs (stacks/crossStack.ts parses them) as the one grant's handoff
 * `BucketAccessBinding` reads, so that a single-grant account-a runs through the same component as
 * grants mode. Pure: no Pulumi or AWS package is imported.
 */
import { type BucketAccessHandoff, buildHandoff } from "../components/bucketAccessHandoff";
import { type GrantCluster } from "../components/bucketAccess";
import { InputError } from "../components/errors";
import { normalizeIssuer } from "../components/issuer";
import { Mechanism } from "../components/mechanism";
import { buildS3AccessPolicy, type S3AccessLevel } from "../components/s3AccessPolicy";
import { type ServiceAccountRef } from "../components/trustPolicy";
import { parseRoleArn } from "../components/validation";
import { type AccountBOutputs } from "./crossStack";
import { GRANT_CLUSTER_KEY } from "./grantsMode";

/** What account-a knows of its own side once the cluster (and its source role) exist. */
export interface SingleGrantClusterFacts {
  /** The cluster's OIDC issuer URL. */
  issuerUrl: string;
  /** The cluster's ARN. */
  clusterArn: string;
  /** The source role this stack registered (pod-identity, irsa-chained), when it registers one. */
  sourceRoleArn?: string;
}

/** A subject with a wildcard: an IRSA `StringLike` pattern, not one service account. */
const isPattern = (sa: ServiceAccountRef): boolean => /[*?]/.test(sa.namespace + sa.name);

/**
 * The bucket as the handoff carries it, read back from account-b's exported permission policy: the
 * access level and prefixes (and KMS key) whose policy `buildS3AccessPolicy` writes exactly that
 * document. Refused naming the output when none does (a policy changed by hand, or another tool's).
 */
export function bucketFromAccessPolicy(
  field: string,
  bucketName: string,
  accessPolicy: string | undefined,
): { name: string; access: S3AccessLevel; prefixes: string[]; kmsKeyArn?: string } {
  if (accessPolicy === undefined) {
    throw new InputError(
      field,
      undefined,
      "is required: account-a reads the bucket's access level and prefixes from it; run account-b's update first",
    );
  }
  let doc: { Statement?: Array<Record<string, unknown>> };
  try {
    doc = JSON.parse(accessPolicy) as typeof doc;
  } catch {
    throw new InputError(field, accessPolicy, "must be the JSON policy account-b exports");
  }
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [];
  const list = statements.find((s) => s.Sid === "ListBucket");
  const resource = typeof list?.Resource === "string" ? list.Resource : "";
  const partition = resource.split(":")[1] ?? "aws";
  const condition = (list?.Condition as { StringLike?: Record<string, unknown> } | undefined)?.StringLike?.[
    "s3:prefix"
  ];
  const patterns = condition === undefined ? [] : Array.isArray(condition) ? condition : [condition];
  const prefixes = patterns.map((p) => String(p).replace(/\*$/, ""));
  const kms = statements.find((s) => s.Sid === "UseBucketKey")?.Resource;
  const kmsKeyArn = typeof kms === "string" ? kms : undefined;
  const canonical = JSON.stringify(JSON.parse(accessPolicy));
  for (const access of ["read", "read-write", "list"] as const) {
    let built: string;
    try {
      built = JSON.stringify(
        buildS3AccessPolicy({
          bucketName,
          access,
          prefixes,
          partition,
          ...(kmsKeyArn !== undefined ? { kmsKeyArn } : {}),
        }),
      );
    } catch {
      continue;
    }
    if (built === canonical) {
      return { name: bucketName, access, prefixes, ...(kmsKeyArn !== undefined ? { kmsKeyArn } : {}) };
    }
  }
  throw new InputError(
    field,
    accessPolicy,
    `must be a policy account-b writes for bucket "${bucketName}" (one access level, its prefixes and KMS key): ` +
      "the outputs were changed by hand, or the stack read is not account-b's",
  );
}

/**
 * The handoff of account-b's single grant, from its outputs (`b`, read from `bStack` and checked by
 * the stack's chain checks) and account-a's own facts:
 *
 * - `serviceAccounts`: the service accounts account-b lists exactly, plus `serviceAccount` (the one
 *   account-a creates) when account-b trusts it only through an IRSA `StringLike` pattern
 *   (`chooseServiceAccount` checked that its trust policy allows it); the patterns themselves are not
 *   service accounts, and no binding is made for them.
 * - `clusters`: one, keyed `GRANT_CLUSTER_KEY`, with what account-b's trust names: IRSA's provider
 *   (`oidcProviderArn`; an account-b that exports none had it for this issuer, in its role's account:
 *   IAM names a provider `arn:<partition>:iam::<account>:oidc-provider/<issuer host/path>`:
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns and
 *   the EKS provider ARNs of https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html), Pod
 *   Identity's cluster and source role, irsa-chained's source role (account-b's outputs, else
 *   account-a's own, which the chain checks found account-b trusts).
 * - `buckets`: the one bucket, its access read back from account-b's `accessPolicy`.
 */
export function singleGrantHandoff(
  bStack: string,
  b: AccountBOutputs,
  serviceAccount: ServiceAccountRef,
  own: SingleGrantClusterFacts,
): BucketAccessHandoff {
  const field = (name: string) => `${bStack} output ${name}`;
  const exact = b.serviceAccounts.filter((sa) => !isPattern(sa));
  const listed = exact.some(
    (sa) => sa.namespace === serviceAccount.namespace && sa.name === serviceAccount.name,
  );
  const serviceAccounts = listed ? exact : [...exact, serviceAccount];
  const cluster: GrantCluster = {};
  const requireSource = (): string => {
    if (own.sourceRoleArn === undefined) {
      throw new InputError(field("sourceRoleArn"), undefined, `is required by mechanism "${b.mechanism}"`);
    }
    return own.sourceRoleArn;
  };
  switch (b.mechanism) {
    case Mechanism.Irsa: {
      cluster.issuerUrl = own.issuerUrl;
      const role = parseRoleArn(field("roleArn"), b.roleArn);
      cluster.oidcProviderArn =
        b.oidcProviderArn ??
        `arn:${role.partition}:iam::${role.accountId}:oidc-provider/${normalizeIssuer(own.issuerUrl)}`;
      break;
    }
    case Mechanism.PodIdentity:
      cluster.clusterArn = b.clusterArn ?? own.clusterArn;
      cluster.sourceRoleArn = b.sourceRoleArn ?? requireSource();
      break;
    case Mechanism.IrsaChained:
      cluster.chainedSourceRoleArn = b.sourceRoleArn ?? requireSource();
      break;
  }
  const handoff = buildHandoff({
    mechanisms: [b.mechanism],
    roleArn: b.roleArn,
    serviceAccounts,
    clusters: [[GRANT_CLUSTER_KEY, cluster]],
    buckets: [],
  });
  // The bucket as the handoff carries it (a grant's own buckets also say whether it creates them).
  return {
    ...handoff,
    buckets: [bucketFromAccessPolicy(field("accessPolicy"), b.bucketName, b.accessPolicy)],
  };
}
