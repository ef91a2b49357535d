/**
 * What both mechanisms' collectors read the same way, read-only: an IAM role with its trust policy,
 * inline and attached policies; the bucket side of the permission link (bucket policy, object, KMS
 * key); the ServiceAccount and the pods that run as it. I/O shell: the facts are irsa/facts.ts's.
 */
import { tryParseArn } from "../components/arn";
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  type IAMClient,
} from "@aws-sdk/client-iam";
import { DescribeClusterCommand, type Cluster } from "@aws-sdk/client-eks";
import { DescribeKeyCommand, GetKeyPolicyCommand } from "@aws-sdk/client-kms";
import { GetBucketPolicyCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import {
  type IrsaSnapshot,
  type LivePod,
  type PermissionLiveFacts,
  type PodIdentitySnapshot,
  type Unavailable,
} from "../chain";
import { awsErrorCode, awsErrorText } from "./aws";
import {
  decodePolicyDocument,
  isMissingObject,
  podFacts,
  roleNameOf,
  serviceAccountFacts,
} from "../mechanisms/irsa/doctor/facts";
import { kubeErrorText } from "./kube";
import { type CollectorContext } from "./collector";

/** A promise's value, or its error. */
export async function orUndefined<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await p };
  } catch (error) {
    return { error };
  }
}

/** A managed policy (a permissions boundary) as read: its document, or why it could not be read. */
export type ManagedPolicyRead = { arn: string; policy?: string; error?: string };

/** A role as {@link readRole} read it, or which call failed and why. */
export type RoleRead =
  | {
      ok: true;
      arn: string;
      trustPolicy: string;
      /** GetRole's RoleId, and its permissions boundary (its document, or why it could not be read). */
      id?: string;
      boundary?: ManagedPolicyRead;
      /** Inline policies by name, attached policies by ARN, decoded. */
      inline: Record<string, string>;
      attached: Record<string, string>;
    }
  | {
      ok: false;
      /**
       * The role and its trust policy, when GetRole answered (a policy call failed after it), and its
       * permissions boundary when it was read before that call: it still bounds what the bucket side grants.
       */
      role?: {
        arn: string;
        trustPolicy: string;
        boundary?: ManagedPolicyRead;
      };
      /** The call that failed, with what it was for (`GetRole <name>`, `GetPolicy <arn>`, ...). */
      call: string;
      error: unknown;
      /** GetRole said NoSuchEntity: the role does not exist (a broken link, not an unread fact). */
      missing: boolean;
    };

/** The role's trust policy, inline policies (by name) and attached policies (by ARN); never rejects. */
export async function readRole(iam: IAMClient, roleName: string): Promise<RoleRead> {
  let call = `GetRole ${roleName}`;
  let role: { arn: string; trustPolicy: string; boundary?: ManagedPolicyRead } | undefined;
  try {
    const got = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    role = {
      arn: got.Role?.Arn ?? "",
      trustPolicy: decodePolicyDocument(got.Role?.AssumeRolePolicyDocument) ?? "",
    };
    const id = got.Role?.RoleId;
    const boundaryArn = got.Role?.PermissionsBoundary?.PermissionsBoundaryArn;
    // Read apart from the rest: a boundary that cannot be read leaves only the decisions it bounds undecided.
    const boundary = boundaryArn !== undefined ? await readManagedPolicy(iam, boundaryArn) : undefined;
    if (boundary !== undefined) role.boundary = boundary;
    const inline: Record<string, string> = {};
    let inlineMarker: string | undefined;
    do {
      call = `ListRolePolicies ${roleName}`;
      const page = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: inlineMarker }));
      for (const name of page.PolicyNames ?? []) {
        call = `GetRolePolicy ${roleName} ${name}`;
        const p = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
        inline[name] = decodePolicyDocument(p.PolicyDocument) ?? "";
      }
      inlineMarker = page.IsTruncated ? page.Marker : undefined;
    } while (inlineMarker);
    const attached: Record<string, string> = {};
    let attachedMarker: string | undefined;
    do {
      call = `ListAttachedRolePolicies ${roleName}`;
      const page = await iam.send(
        new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: attachedMarker }),
      );
      for (const a of page.AttachedPolicies ?? []) {
        if (!a.PolicyArn) continue;
        call = `GetPolicy ${a.PolicyArn}`;
        const policy = await iam.send(new GetPolicyCommand({ PolicyArn: a.PolicyArn }));
        const versionId = policy.Policy?.DefaultVersionId;
        call = `GetPolicyVersion ${a.PolicyArn} ${versionId ?? "(no default version)"}`;
        const version = await iam.send(
          new GetPolicyVersionCommand({ PolicyArn: a.PolicyArn, VersionId: versionId }),
        );
        attached[a.PolicyArn] = decodePolicyDocument(version.PolicyVersion?.Document) ?? "";
      }
      attachedMarker = page.IsTruncated ? page.Marker : undefined;
    } while (attachedMarker);
    return {
      ok: true,
      arn: role.arn,
      trustPolicy: role.trustPolicy,
      ...(id !== undefined ? { id } : {}),
      ...(boundary !== undefined ? { boundary } : {}),
      inline,
      attached,
    };
  } catch (error) {
    return {
      ok: false,
      ...(role !== undefined ? { role } : {}),
      call,
      error,
      missing: role === undefined && awsErrorCode(error).code === "NoSuchEntity",
    };
  }
}

/**
 * A managed policy's default version (a permissions boundary): GetPolicy, then GetPolicyVersion; or
 * the failed call and AWS's error. Never rejects.
 */
export async function readManagedPolicy(iam: IAMClient, arn: string): Promise<ManagedPolicyRead> {
  let call = `GetPolicy ${arn}`;
  try {
    const policy = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    const versionId = policy.Policy?.DefaultVersionId;
    call = `GetPolicyVersion ${arn} ${versionId ?? "(no default version)"}`;
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }));
    const text = decodePolicyDocument(version.PolicyVersion?.Document);
    return text !== undefined ? { arn, policy: text } : { arn, error: `${call}: no document` };
  } catch (error) {
    return { arn, error: `${call}: ${awsErrorText(error)}` };
  }
}

/**
 * The bucket policy (null: none), the object and its KMS key, each or why it could not be read, with
 * account B's credentials, into the live facts of either mechanism.
 */
export async function readBucketSide(
  ctx: CollectorContext,
  live: PermissionLiveFacts,
  unavailable: Unavailable,
): Promise<void> {
  // No object to read (a grant without a probe object): nothing of the bucket is read; the object
  // read is skipped by the doctor naming why (doctor/cli.ts).
  if (ctx.chain.noObject !== undefined) return;
  const s3 = ctx.b.s3(ctx.bucketRegion);
  const { bucket, key } = ctx.chain;
  const policy = await orUndefined(s3.send(new GetBucketPolicyCommand({ Bucket: bucket })));
  if (policy.error === undefined) live.bucketPolicy = policy.value!.Policy ?? null;
  else if (awsErrorCode(policy.error).code === "NoSuchBucketPolicy") live.bucketPolicy = null;
  else if (awsErrorCode(policy.error).code !== "NoSuchBucket") {
    unavailable.bucketPolicy = `GetBucketPolicy: ${awsErrorText(policy.error)}`;
  }
  const head = await orUndefined(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
  if (head.error !== undefined) {
    const { code, status } = awsErrorCode(head.error);
    if (isMissingObject(code, status)) {
      const noBucket =
        code === "NoSuchBucket" ||
        (policy.error !== undefined && awsErrorCode(policy.error).code === "NoSuchBucket");
      live.object = {
        exists: false,
        detail: noBucket
          ? `bucket ${bucket} does not exist`
          : `HeadObject: ${code ?? "NotFound"} (HTTP ${status ?? 404})`,
      };
    } else {
      const text = awsErrorText(head.error, "HeadObject");
      unavailable.object = text.endsWith(" on HeadObject")
        ? `${text} s3://${bucket}/${key} with --profile-b's credentials`
        : `HeadObject with --profile-b's credentials: ${text}`;
    }
    return;
  }
  const h = head.value!;
  const kmsKey =
    h.ServerSideEncryption === "aws:kms" || h.ServerSideEncryption === "aws:kms:dsse"
      ? h.SSEKMSKeyId
      : undefined;
  live.object = {
    exists: true,
    detail: `${h.ContentLength ?? "?"} bytes, ${h.ServerSideEncryption ?? "no"} server-side encryption${kmsKey ? ` with ${kmsKey}` : ""}`,
    ...(kmsKey ? { kmsKeyArn: kmsKey } : {}),
  };
  if (!kmsKey) return;
  const keyArn = tryParseArn(kmsKey);
  const region = keyArn?.service === "kms" && keyArn.region !== "" ? keyArn.region : ctx.bucketRegion;
  const kms = ctx.b.kms(region);
  const described = await orUndefined(kms.send(new DescribeKeyCommand({ KeyId: kmsKey })));
  if (described.error !== undefined) {
    unavailable.kmsKey = `DescribeKey ${kmsKey}: ${awsErrorText(described.error)}`;
    return;
  }
  const meta = described.value!.KeyMetadata;
  const arn = meta?.Arn ?? kmsKey;
  const awsManaged = meta?.KeyManager === "AWS";
  live.kmsKey = { arn, awsManaged };
  if (awsManaged) return;
  const keyPolicy = await orUndefined(
    kms.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: "default" })),
  );
  if (keyPolicy.error === undefined && keyPolicy.value!.Policy !== undefined)
    live.kmsKey.policy = keyPolicy.value!.Policy;
  else if (keyPolicy.error !== undefined)
    unavailable.kmsKey = `GetKeyPolicy ${arn}: ${awsErrorText(keyPolicy.error)}`;
}

/**
 * The Kubernetes side: the ServiceAccount (undefined when it does not exist) and the pods that run as
 * it; with --no-cluster, or when the cluster cannot be read, nothing, and why in `unavailable.cluster`.
 */
export async function readCluster(
  ctx: CollectorContext,
  unavailable: Unavailable,
): Promise<{ serviceAccount?: ReturnType<typeof serviceAccountFacts>; pods?: LivePod[] }> {
  const { namespace, serviceAccount } = ctx.chain;
  if (ctx.kube === undefined) {
    unavailable.cluster = "--no-cluster";
    return {};
  }
  try {
    const sa = await ctx.kube.readServiceAccount(namespace, serviceAccount);
    const pods = podFacts(await ctx.kube.listPods(namespace), serviceAccount);
    return {
      ...(sa !== undefined ? { serviceAccount: serviceAccountFacts(sa, namespace, serviceAccount) } : {}),
      pods,
    };
  } catch (error) {
    unavailable.cluster = `the cluster (${ctx.kube.where}) could not be read: ${kubeErrorText(error)}`;
    return {};
  }
}

/**
 * What both collectors read alike once their own links are read: the role the pod ends up as
 * (--role-arn, account B) with its policies, the ServiceAccount and its pods, and the bucket side.
 */
export async function readRoleClusterAndBucket(
  ctx: CollectorContext,
  snapshot: IrsaSnapshot | PodIdentitySnapshot,
  unavailable: Unavailable,
): Promise<void> {
  const live = snapshot.live!;
  const roleName = roleNameOf(ctx.chain.roleArn);
  const read = await readRole(ctx.b.iam, roleName);
  if (read.ok) {
    snapshot.role = {
      arn: read.arn || ctx.chain.roleArn,
      trustPolicy: read.trustPolicy,
      ...(read.id !== undefined ? { id: read.id } : {}),
      ...(read.boundary !== undefined ? { boundary: read.boundary } : {}),
    };
    snapshot.permissionPolicies = read.inline;
    live.attachedPolicies = read.attached;
  } else if (read.missing) {
    live.roleError = `${read.call}: ${awsErrorText(read.error)}`;
  } else {
    // Not read (AccessDenied, throttling, ...): undecided, not broken. The trust is known when GetRole answered.
    const why = `${read.call}: ${awsErrorText(read.error)}`;
    snapshot.role = read.role
      ? {
          arn: read.role.arn || ctx.chain.roleArn,
          trustPolicy: read.role.trustPolicy,
          ...(read.role.boundary !== undefined ? { boundary: read.role.boundary } : {}),
        }
      : { arn: ctx.chain.roleArn };
    if (read.role === undefined) unavailable.trust = why;
    unavailable.permission = why;
  }
  const kube = await readCluster(ctx, unavailable);
  if (kube.serviceAccount !== undefined) snapshot.serviceAccount = kube.serviceAccount;
  if (kube.pods !== undefined) live.pods = kube.pods;
  await readBucketSide(ctx, live, unavailable);
}

/**
 * What both collectors' snapshots start from: the ServiceAccount the chain names, the bucket and key,
 * no workloads (the doctor reads pods), and the live facts of the cluster and the role's account.
 */
export function liveBase(ctx: CollectorContext) {
  const { chain } = ctx;
  return {
    permissionPolicies: {},
    trusted: [{ namespace: chain.namespace, name: chain.serviceAccount }],
    bucketName: chain.bucket,
    objectKey: chain.key,
    workloads: [],
    deployProbe: false,
    live: {
      cluster: { name: chain.clusterName, region: ctx.clusterRegion, accountId: ctx.accounts.a },
      roleAccountId: ctx.accounts.b,
      roleArn: chain.roleArn,
    },
  };
}

/**
 * EKS DescribeCluster in account A: the cluster, or (in `live.cluster`) AWS's error, marked
 * `unreadable` unless it says the cluster does not exist (AccessDenied, throttling: nothing is known).
 */
export async function describeCluster(
  ctx: CollectorContext,
  live: { cluster: { error?: string; unreadable?: boolean } },
): Promise<Cluster | undefined> {
  const name = ctx.chain.clusterName;
  const out = await orUndefined(ctx.a.eks(ctx.clusterRegion).send(new DescribeClusterCommand({ name })));
  if (out.error === undefined) return out.value!.cluster;
  live.cluster.error = `DescribeCluster ${name}: ${awsErrorText(out.error)}`;
  if (awsErrorCode(out.error).code !== "ResourceNotFoundException") live.cluster.unreadable = true;
  return undefined;
}
