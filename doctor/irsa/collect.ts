/**
 * The IRSA collector: fills the chain's snapshot from live state, read-only. EKS DescribeCluster in
 * the cluster's account (A); the issuer's discovery document and JWKS; the IAM OIDC provider, the
 * role, its inline and attached policies in the role's account (B), and the provider for the same
 * issuer in A (the usual mistake); the ServiceAccount and its pods; the bucket policy, the object and
 * its KMS key. With `--assume`, the end-to-end steps (assume.ts). The checks are chain/'s.
 */
import { DescribeClusterCommand } from "@aws-sdk/client-eks";
import {
  GetOpenIDConnectProviderCommand,
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
import { type IrsaSnapshot, type Unavailable } from "../../chain";
import { normalizeIssuer } from "../../components/issuer";
import { AUDIENCE_ANNOTATION } from "../../components/serviceAccountAnnotations";
import { STS_AUDIENCE } from "../../components/trustPolicy";
import { awsErrorCode, awsErrorText } from "../aws";
import { kubeErrorText } from "../kube";
import { type CollectorContext } from "../mechanisms";
import { fetchDiscovery } from "../oidc";
import { runAssume } from "./assume";
import {
  decodePolicyDocument,
  isMissingObject,
  podFacts,
  providerFacts,
  roleNameOf,
  serviceAccountFacts,
} from "./facts";

async function orUndefined<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await p };
  } catch (error) {
    return { error };
  }
}

/** The provider for a host/path in an account, or undefined when there is none. */
async function providerIn(iam: IAMClient, arn: string) {
  const out = await orUndefined(
    iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
  );
  if (out.error !== undefined) {
    if (awsErrorCode(out.error).code === "NoSuchEntity") return undefined;
    throw out.error instanceof Error ? out.error : new Error(awsErrorText(out.error));
  }
  return providerFacts(arn, out.value!);
}

/** The role's trust policy, inline policies (by name) and attached policies (by ARN), decoded. */
async function readRole(iam: IAMClient, roleName: string) {
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

/** The bucket policy (null: none), the object and its KMS key, each or why it could not be read. */
async function readBucketSide(ctx: CollectorContext, snapshot: IrsaSnapshot, unavailable: Unavailable) {
  const live = snapshot.live!;
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

/** The Kubernetes side: the ServiceAccount and the pods that run as it. */
async function readCluster(ctx: CollectorContext, snapshot: IrsaSnapshot, unavailable: Unavailable) {
  const { namespace, serviceAccount } = ctx.chain;
  if (ctx.kube === undefined) {
    unavailable.cluster = "--no-cluster";
    return;
  }
  try {
    const sa = await ctx.kube.readServiceAccount(namespace, serviceAccount);
    if (sa !== undefined) snapshot.serviceAccount = serviceAccountFacts(sa, namespace, serviceAccount);
    snapshot.live!.pods = podFacts(await ctx.kube.listPods(namespace), serviceAccount);
  } catch (error) {
    unavailable.cluster = `the cluster (${ctx.kube.where}) could not be read: ${kubeErrorText(error)}`;
  }
}

/** Reads the live IRSA chain into a snapshot (and runs the end-to-end steps with --assume). */
export async function collectIrsa(ctx: CollectorContext): Promise<IrsaSnapshot> {
  const { chain } = ctx;
  const unavailable: Unavailable = { workloads: "the doctor reads pods, not Deployments and Jobs" };
  const snapshot: IrsaSnapshot = {
    mechanism: "irsa",
    permissionPolicies: {},
    trusted: [{ namespace: chain.namespace, name: chain.serviceAccount }],
    bucketName: chain.bucket,
    objectKey: chain.key,
    workloads: [],
    deployProbe: false,
    live: {
      cluster: { name: chain.clusterName, region: ctx.clusterRegion, accountId: ctx.accounts.a },
      roleAccountId: ctx.accounts.b,
    },
  };
  const live = snapshot.live!;

  // Link 1: the cluster's issuer, and what the issuer serves.
  const cluster = await orUndefined(
    ctx.a.eks(ctx.clusterRegion).send(new DescribeClusterCommand({ name: chain.clusterName })),
  );
  if (cluster.error !== undefined)
    live.cluster.error = `DescribeCluster ${chain.clusterName}: ${awsErrorText(cluster.error)}`;
  else {
    const issuer = cluster.value!.cluster?.identity?.oidc?.issuer;
    if (issuer !== undefined) snapshot.issuerUrl = issuer;
  }
  let jwks: Awaited<ReturnType<typeof fetchDiscovery>>["jwks"];
  let hostPath: string | undefined;
  if (snapshot.issuerUrl !== undefined) {
    try {
      hostPath = normalizeIssuer(snapshot.issuerUrl);
    } catch {
      hostPath = undefined;
    }
  }
  if (hostPath !== undefined) {
    const fetched = await fetchDiscovery(snapshot.issuerUrl!, ctx.https);
    live.discovery = fetched.discovery;
    jwks = fetched.jwks;
  }

  // Links 2 and 3: the provider in B (and in A), the role and its policies.
  const partition = /^arn:([^:]+):/.exec(chain.roleArn)?.[1] ?? "aws";
  if (hostPath !== undefined) {
    const provider = await providerIn(
      ctx.b.iam,
      `arn:${partition}:iam::${ctx.accounts.b}:oidc-provider/${hostPath}`,
    );
    if (provider !== undefined) snapshot.provider = provider;
    else if (ctx.accounts.a !== ctx.accounts.b) {
      const inA = await orUndefined(
        providerIn(ctx.a.iam, `arn:${partition}:iam::${ctx.accounts.a}:oidc-provider/${hostPath}`),
      );
      if (inA.value !== undefined) live.providerInClusterAccount = inA.value.arn;
    }
  }
  const role = await orUndefined(readRole(ctx.b.iam, roleNameOf(chain.roleArn)));
  if (role.error !== undefined) {
    live.roleError = `GetRole ${roleNameOf(chain.roleArn)}: ${awsErrorText(role.error)}`;
  } else {
    snapshot.role = { arn: role.value!.arn || chain.roleArn, trustPolicy: role.value!.trustPolicy };
    snapshot.permissionPolicies = role.value!.inline;
    live.attachedPolicies = role.value!.attached;
  }

  // Link 4 and link 5's bucket side.
  await readCluster(ctx, snapshot, unavailable);
  await readBucketSide(ctx, snapshot, unavailable);

  if (ctx.assume && ctx.kube !== undefined) {
    const audience = snapshot.serviceAccount?.annotations[AUDIENCE_ANNOTATION] ?? STS_AUDIENCE;
    const outcome = await runAssume(ctx, audience, jwks);
    live.assume = outcome.steps;
    if (outcome.token !== undefined) live.token = outcome.token;
  }
  snapshot.unavailable = unavailable;
  return snapshot;
}
