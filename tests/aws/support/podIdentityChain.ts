/**
 * Builds an EKS Pod Identity cross-account chain: the cluster, the source role (account A), the
 * target role, bucket and object (account B) in moto with the AWS SDK; the agent add-on and the
 * association in the EKS stand-in; the ServiceAccount and its pods in the Kubernetes stand-in. Healthy
 * by default, or with one link broken by a {@link PodIdentityVariant}. The documents are the
 * project's own builders', as a real deployment sends them.
 */
import { CreateClusterCommand } from "@aws-sdk/client-eks";
import { CreateRoleCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { type V1Pod } from "@kubernetes/client-node";
import { policyJson } from "../../../components/policyDocument";
import {
  buildPodIdentitySourcePermissionPolicy,
  buildPodIdentitySourceTrustPolicy,
  buildPodIdentityTargetTrustPolicy,
} from "../../../components/podIdentityPolicies";
import { buildS3AccessPolicy } from "../../../components/s3AccessPolicy";
import { type EksStandIn } from "./eksStandIn";
import { ACCOUNT_A, ACCOUNT_B, REGION, accountClients, type Moto } from "./moto";
import { type KubeStandIn } from "./standIns";

/** One broken link (or a healthy shape) of the Pod Identity chain. */
export interface PodIdentityVariant {
  agent: "active" | "none" | "degraded";
  /** The association: right, none, or into another target role. */
  association: "healthy" | "none" | "other-target";
  disableSessionTags: boolean;
  /** The ServiceAccount annotated eks.amazonaws.com/role-arn (the IRSA way). */
  annotated: boolean;
  serviceAccount: boolean;
  pods: "injected" | "not-injected";
  /** The cluster the source role's trust names. */
  sourceTrustCluster: "this" | "other";
  /** Whether the source role may chain (sts:AssumeRole, sts:TagSession) into the target role. */
  sourcePermission: boolean;
  /** The source role the target role's trust names. */
  targetTrustSource: "source" | "other";
  grantedBucket: string;
  putObject: boolean;
}

export const PI_HEALTHY: PodIdentityVariant = {
  agent: "active",
  association: "healthy",
  disableSessionTags: false,
  annotated: false,
  serviceAccount: true,
  pods: "injected",
  sourceTrustCluster: "this",
  sourcePermission: true,
  targetTrustSource: "source",
  grantedBucket: "team-data",
  putObject: true,
};

/** The chain's names, as the doctor's flags give them. */
export const PI_CHAIN = {
  cluster: "demo",
  clusterArn: `arn:aws:eks:${REGION}:${ACCOUNT_A}:cluster/demo`,
  namespace: "apps",
  serviceAccount: "reader",
  sourceRoleName: "pod-identity-source",
  sourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/pod-identity-source`,
  targetRoleName: "pod-identity-target",
  targetRoleArn: `arn:aws:iam::${ACCOUNT_B}:role/pod-identity-target`,
  bucket: "team-data",
  key: "reports/q3.csv",
  associationId: "a-0pod1dent1ty0001",
  externalId: "5b1d2c1e-0000-4000-8000-00000000c0de",
};

/** Resets moto and the stand-ins and builds the chain with `changes` applied to the healthy one. */
export async function buildPodIdentityChain(
  moto: Moto,
  eks: EksStandIn,
  kube: KubeStandIn,
  changes: Partial<PodIdentityVariant> = {},
): Promise<void> {
  const v = { ...PI_HEALTHY, ...changes };
  await moto.reset();
  const a = accountClients(moto, "a");
  const b = accountClients(moto, "b");
  try {
    const cluster = await a.eks.send(
      new CreateClusterCommand({
        name: PI_CHAIN.cluster,
        roleArn: `arn:aws:iam::${ACCOUNT_A}:role/eks-cluster`,
        resourcesVpcConfig: { subnetIds: [] },
      }),
    );
    const clusterArn = cluster.cluster!.arn!;
    if (clusterArn !== PI_CHAIN.clusterArn) throw new Error(`moto named the cluster ${clusterArn}`);
    await a.iam.send(
      new CreateRoleCommand({
        RoleName: PI_CHAIN.sourceRoleName,
        AssumeRolePolicyDocument: policyJson(
          buildPodIdentitySourceTrustPolicy({
            clusterArn: v.sourceTrustCluster === "this" ? clusterArn : clusterArn.replace(/demo$/, "other"),
          }),
        ),
      }),
    );
    if (v.sourcePermission) {
      await a.iam.send(
        new PutRolePolicyCommand({
          RoleName: PI_CHAIN.sourceRoleName,
          PolicyName: "chain-into-target",
          PolicyDocument: policyJson(
            buildPodIdentitySourcePermissionPolicy({ targetRoleArn: PI_CHAIN.targetRoleArn }),
          ),
        }),
      );
    }
    await b.iam.send(
      new CreateRoleCommand({
        RoleName: PI_CHAIN.targetRoleName,
        AssumeRolePolicyDocument: policyJson(
          buildPodIdentityTargetTrustPolicy({
            sourceRoleArn:
              v.targetTrustSource === "source"
                ? PI_CHAIN.sourceRoleArn
                : `arn:aws:iam::${ACCOUNT_A}:role/someone-else`,
            clusterArn,
            serviceAccounts: [{ namespace: PI_CHAIN.namespace, name: PI_CHAIN.serviceAccount }],
          }),
        ),
      }),
    );
    await b.iam.send(
      new PutRolePolicyCommand({
        RoleName: PI_CHAIN.targetRoleName,
        PolicyName: "s3-access",
        PolicyDocument: policyJson(buildS3AccessPolicy({ bucketName: v.grantedBucket })),
      }),
    );
    await b.s3.send(new CreateBucketCommand({ Bucket: PI_CHAIN.bucket }));
    if (v.putObject) {
      await b.s3.send(
        new PutObjectCommand({
          Bucket: PI_CHAIN.bucket,
          Key: PI_CHAIN.key,
          Body: "quarter,revenue\nq3,42\n",
        }),
      );
    }
    const bucketArn = `arn:aws:s3:::${PI_CHAIN.bucket}`;
    await b.s3.send(
      new PutBucketPolicyCommand({
        Bucket: PI_CHAIN.bucket,
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AllowTargetRole",
              Effect: "Allow",
              Principal: { AWS: PI_CHAIN.targetRoleArn },
              Action: ["s3:GetObject", "s3:ListBucket"],
              Resource: [bucketArn, `${bucketArn}/*`],
            },
          ],
        }),
      }),
    );
  } finally {
    for (const side of [a, b]) for (const c of Object.values(side)) c.destroy();
  }

  eks.state.addons.clear();
  eks.state.associations.clear();
  eks.requests.length = 0;
  eks.state.addons.set(
    PI_CHAIN.cluster,
    v.agent === "none"
      ? []
      : [
          {
            addonName: "eks-pod-identity-agent",
            addonVersion: "v1.3.4-eksbuild.1",
            status: v.agent === "active" ? "ACTIVE" : "DEGRADED",
            health: {
              issues:
                v.agent === "active"
                  ? []
                  : [
                      {
                        code: "InsufficientNumberOfReplicas",
                        message:
                          "The add-on is unhealthy because it doesn't have the desired number of replicas.",
                        resourceIds: ["eks-pod-identity-agent"],
                      },
                    ],
            },
          },
        ],
  );
  eks.state.associations.set(
    PI_CHAIN.cluster,
    v.association === "none"
      ? []
      : [
          {
            associationId: PI_CHAIN.associationId,
            namespace: PI_CHAIN.namespace,
            serviceAccount: PI_CHAIN.serviceAccount,
            roleArn: PI_CHAIN.sourceRoleArn,
            targetRoleArn:
              v.association === "other-target"
                ? `arn:aws:iam::${ACCOUNT_B}:role/another-target`
                : PI_CHAIN.targetRoleArn,
            disableSessionTags: v.disableSessionTags,
            externalId: PI_CHAIN.externalId,
          },
        ],
  );

  kube.requests.length = 0;
  kube.state.serviceAccounts = v.serviceAccount
    ? [
        {
          apiVersion: "v1",
          kind: "ServiceAccount",
          metadata: {
            name: PI_CHAIN.serviceAccount,
            namespace: PI_CHAIN.namespace,
            annotations: v.annotated ? { "eks.amazonaws.com/role-arn": PI_CHAIN.targetRoleArn } : {},
          },
        },
      ]
    : [];
  kube.state.pods = [pod("reader-5c8d-xyz12", v.pods === "injected")];
  kube.state.daemonSets = [];
  kube.state.forbidden = [];
}

/** A pod of the ServiceAccount, with the environment EKS injects for an association (or without). */
function pod(name: string, injected: boolean): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: PI_CHAIN.namespace, creationTimestamp: new Date("2025-06-01T10:00:00Z") },
    spec: {
      serviceAccountName: PI_CHAIN.serviceAccount,
      containers: [
        {
          name: "reader",
          image: "public.ecr.aws/aws-cli/aws-cli:2.27.50",
          env: [
            { name: "S3_BUCKET", value: PI_CHAIN.bucket },
            ...(injected
              ? [
                  {
                    name: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    value: "http://169.254.170.23/v1/credentials",
                  },
                  {
                    name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                    value: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
                  },
                ]
              : []),
          ],
        },
      ],
    },
  };
}
