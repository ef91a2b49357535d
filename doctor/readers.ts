/**
 * What both mechanisms' collectors read the same way, read-only: an IAM role with its trust policy,
 * inline and attached policies; the bucket side of the permission link (bucket policy, object, KMS
 * key); the ServiceAccount and the pods that run as it. I/O shell: the facts are irsa/facts.ts's.
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  type IAMClient,
} from "@aws-sdk/client-iam";
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
} from "./irsa/facts";
import { kubeErrorText } from "./kube";
import { type CollectorContext } from "./mechanisms";

/** A promise's value, or its error. */
export async function orUndefined<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await p };
  } catch (error) {
    return { error };
  }
}

/** The role's trust policy, inline policies (by name) and attached policies (by ARN), decoded. */
export async function readRole(iam: IAMClient, roleName: string) {
  const role = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  const inline: Record<string, string> = {};
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
    for (const name of page.PolicyNames ?? []) {
      const p = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
      inline[name] = decodePolicyDocument(p.PolicyDocument) ?? "";
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  const attached: Record<string, string> = {};
  do {
    const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
    for (const a of page.AttachedPolicies ?? []) {
      if (!a.PolicyArn) continue;
      const policy = await iam.send(new GetPolicyCommand({ PolicyArn: a.PolicyArn }));
      const version = await iam.send(
        new GetPolicyVersionCommand({ PolicyArn: a.PolicyArn, VersionId: policy.Policy?.DefaultVersionId }),
      );
      attached[a.PolicyArn] = decodePolicyDocument(version.PolicyVersion?.Document) ?? "";
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return {
    arn: role.Role?.Arn ?? "",
    trustPolicy: decodePolicyDocument(role.Role?.AssumeRolePolicyDocument) ?? "",
    inline,
    attached,
  };
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
      unavailable.object = `HeadObject with --profile-b's credentials: ${awsErrorText(head.error)}`;
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
  const region = /^arn:[^:]+:kms:([^:]+):/.exec(kmsKey)?.[1] ?? ctx.bucketRegion;
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
  const role = await orUndefined(readRole(ctx.b.iam, roleName));
  if (role.error !== undefined) {
    live.roleError = `GetRole ${roleName}: ${awsErrorText(role.error)}`;
  } else {
    snapshot.role = { arn: role.value!.arn || ctx.chain.roleArn, trustPolicy: role.value!.trustPolicy };
    snapshot.permissionPolicies = role.value!.inline;
    live.attachedPolicies = role.value!.attached;
  }
  const kube = await readCluster(ctx, unavailable);
  if (kube.serviceAccount !== undefined) snapshot.serviceAccount = kube.serviceAccount;
  if (kube.pods !== undefined) live.pods = kube.pods;
  await readBucketSide(ctx, live, unavailable);
}
