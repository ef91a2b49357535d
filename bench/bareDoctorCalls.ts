/**
 * The doctor's floor: the AWS SDK and Kubernetes calls the doctor makes on the healthy Pod Identity test
 * chain (bench.ts checks the list against the doctor's own record), made by a bare script with the
 * same SDK clients (the AWS SDK v3 and @kubernetes/client-node), the same profiles and the same endpoints, and nothing else: no argument parsing,
 * no checks, no report. Run by bench.ts in its own process, against the world it started; reads the
 * chain's names from BARE_CHAIN (JSON) and the kubeconfig's server, CA and token from BARE_KUBE (JSON).
 */
import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListPodIdentityAssociationsCommand,
} from "@aws-sdk/client-eks";
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { GetBucketPolicyCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";

/** What the bare script is told about the chain. */
export interface BareChain {
  region: string;
  cluster: string;
  namespace: string;
  serviceAccount: string;
  sourceRoleName: string;
  targetRoleName: string;
  bucket: string;
  key: string;
}

/** The calls, in the doctor's words (its Recorder's), that this script makes. */
export const BARE_CALLS = [
  "aws STS:GetCallerIdentity",
  "aws STS:GetCallerIdentity",
  "aws EKS:DescribeCluster",
  "aws EKS:DescribeAddon",
  "aws EKS:ListPodIdentityAssociations",
  "aws EKS:DescribePodIdentityAssociation",
  ...[
    "aws IAM:GetRole",
    "aws IAM:ListRolePolicies",
    "aws IAM:GetRolePolicy",
    "aws IAM:ListAttachedRolePolicies",
  ],
  ...[
    "aws IAM:GetRole",
    "aws IAM:ListRolePolicies",
    "aws IAM:GetRolePolicy",
    "aws IAM:ListAttachedRolePolicies",
  ],
  "k8s GET /api/v1/namespaces/<ns>/serviceaccounts/<sa>",
  "k8s GET /api/v1/namespaces/<ns>/pods",
  "aws S3:GetBucketPolicy",
  "aws S3:HeadObject",
];

/**
 * The Kubernetes API through the same client the doctor must use (@kubernetes/client-node, loaded as
 * the doctor loads it), so the floor is the same SDKs' calls and nothing else.
 */
function coreApi(kube: { server: string; ca: string; token: string }): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: kube.server, caData: Buffer.from(kube.ca).toString("base64") }],
    users: [{ name: "u", token: kube.token }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc.makeApiClient(CoreV1Api);
}

async function main(): Promise<void> {
  const chain = JSON.parse(process.env.BARE_CHAIN ?? "") as BareChain;
  const kube = JSON.parse(process.env.BARE_KUBE ?? "") as { server: string; ca: string; token: string };
  // As the doctor's clients: a profile each, the endpoints from AWS_ENDPOINT_URL(_<SERVICE>), two attempts.
  const a = { region: chain.region, profile: "cluster-account", maxAttempts: 2 };
  const b = { region: chain.region, profile: "role-account", maxAttempts: 2 };
  const [stsA, stsB, eks, iamA, iamB, s3] = [
    new STSClient(a),
    new STSClient(b),
    new EKSClient(a),
    new IAMClient(a),
    new IAMClient(b),
    new S3Client({ ...b, forcePathStyle: true }),
  ];
  await stsA.send(new GetCallerIdentityCommand({}));
  await stsB.send(new GetCallerIdentityCommand({}));
  await eks.send(new DescribeClusterCommand({ name: chain.cluster }));
  await eks.send(
    new DescribeAddonCommand({ clusterName: chain.cluster, addonName: "eks-pod-identity-agent" }),
  );
  const listed = await eks.send(
    new ListPodIdentityAssociationsCommand({
      clusterName: chain.cluster,
      namespace: chain.namespace,
      serviceAccount: chain.serviceAccount,
    }),
  );
  await eks.send(
    new DescribePodIdentityAssociationCommand({
      clusterName: chain.cluster,
      associationId: listed.associations![0].associationId!,
    }),
  );
  for (const [iam, roleName] of [
    [iamA, chain.sourceRoleName],
    [iamB, chain.targetRoleName],
  ] as const) {
    await iam.send(new GetRoleCommand({ RoleName: roleName }));
    const inline = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
    await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: inline.PolicyNames![0] }));
    await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
  }
  const core = coreApi(kube);
  await core.readNamespacedServiceAccount({ name: chain.serviceAccount, namespace: chain.namespace });
  await core.listNamespacedPod({ namespace: chain.namespace });
  await s3.send(new GetBucketPolicyCommand({ Bucket: chain.bucket }));
  await s3.send(new HeadObjectCommand({ Bucket: chain.bucket, Key: chain.key }));
  for (const c of [stsA, stsB, eks, iamA, iamB, s3]) c.destroy();
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bareDoctorCalls: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
