/**
 * Builds an IRSA chain in moto with the AWS SDK (and the matching cluster state in the Kubernetes
 * stand-in): healthy by default, or with one link broken by a {@link Variant}. The documents are the
 * project's own builders' (buildTrustPolicy, buildS3AccessPolicy), as a real deployment sends them.
 */
import { CreateClusterCommand } from "@aws-sdk/client-eks";
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { type V1Pod } from "@kubernetes/client-node";
import { buildS3AccessPolicy } from "../../../components/s3AccessPolicy";
import { normalizeIssuer } from "../../../components/issuer";
import { buildTrustPolicy } from "../../../components/trustPolicy";
import { ACCOUNT_A, ACCOUNT_B, accountClients, type Moto } from "./moto";
import { type KubeStandIn } from "./standIns";

/** One broken link (or a different, still healthy, shape) of the chain. */
export interface Variant {
  /** Where the IAM OIDC provider is: the role's account (right), the cluster's, or nowhere. */
  provider: "role-account" | "cluster-account" | "none";
  clientIds: string[];
  /** The subject the trust policy names. */
  trustSubject: { namespace: string; name: string };
  /** The account of the provider ARN the trust policy names. */
  trustProviderAccount: string;
  /** The bucket the role's policy grants. */
  grantedBucket: string;
  /** The role's policy as an attached managed policy instead of an inline one. */
  attached: boolean;
  putObject: boolean;
  bucketPolicy: "healthy" | "deny-role" | "not-principal" | "none";
  /** Encrypt the object with a customer managed KMS key; grant kms:Decrypt on it or not. */
  kms: "none" | "granted" | "not-granted";
  annotation: "role" | "other-role" | "none";
  serviceAccount: boolean;
  pods: "injected" | "not-injected";
}

export const HEALTHY: Variant = {
  provider: "role-account",
  clientIds: ["sts.amazonaws.com"],
  trustSubject: { namespace: "apps", name: "reader" },
  trustProviderAccount: ACCOUNT_B,
  grantedBucket: "team-data",
  attached: false,
  putObject: true,
  bucketPolicy: "healthy",
  kms: "none",
  annotation: "role",
  serviceAccount: true,
  pods: "injected",
};

/** The chain's names, as the doctor's flags give them. */
export const CHAIN = {
  cluster: "demo",
  namespace: "apps",
  serviceAccount: "reader",
  roleName: "irsa-reader",
  roleArn: `arn:aws:iam::${ACCOUNT_B}:role/irsa-reader`,
  bucket: "team-data",
  key: "reports/q3.csv",
};

/** What was built: the issuer URL the cluster got. */
export interface BuiltChain {
  issuerUrl: string;
}

/** Resets moto and builds the chain with `changes` applied to the healthy one. */
export async function buildChain(
  moto: Moto,
  kube: KubeStandIn,
  changes: Partial<Variant> = {},
): Promise<BuiltChain> {
  const v = { ...HEALTHY, ...changes };
  await moto.reset();
  const a = accountClients(moto, "a");
  const b = accountClients(moto, "b");
  try {
    const cluster = await a.eks.send(
      new CreateClusterCommand({
        name: CHAIN.cluster,
        roleArn: `arn:aws:iam::${ACCOUNT_A}:role/eks-cluster`,
        resourcesVpcConfig: { subnetIds: [] },
      }),
    );
    const issuerUrl = cluster.cluster!.identity!.oidc!.issuer!;
    const hostPath = normalizeIssuer(issuerUrl);
    if (v.provider !== "none") {
      await (v.provider === "role-account" ? b : a).iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: issuerUrl,
          ClientIDList: v.clientIds,
          ThumbprintList: ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
        }),
      );
    }
    const trust = buildTrustPolicy([
      {
        oidcProviderArn: `arn:aws:iam::${v.trustProviderAccount}:oidc-provider/${hostPath}`,
        issuerUrl,
        serviceAccounts: [v.trustSubject],
      },
    ]);
    await b.iam.send(
      new CreateRoleCommand({ RoleName: CHAIN.roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }),
    );
    let keyArn: string | undefined;
    if (v.kms !== "none") {
      keyArn = (await b.kms.send(new CreateKeyCommand({ Description: "team-data" }))).KeyMetadata!.Arn!;
    }
    const access = buildS3AccessPolicy({
      bucketName: v.grantedBucket,
      ...(v.kms === "granted" ? { kmsKeyArn: keyArn } : {}),
    });
    if (v.attached) {
      const policy = await b.iam.send(
        new CreatePolicyCommand({ PolicyName: "team-data-read", PolicyDocument: JSON.stringify(access) }),
      );
      await b.iam.send(
        new AttachRolePolicyCommand({ RoleName: CHAIN.roleName, PolicyArn: policy.Policy!.Arn! }),
      );
    } else {
      await b.iam.send(
        new PutRolePolicyCommand({
          RoleName: CHAIN.roleName,
          PolicyName: "s3-access",
          PolicyDocument: JSON.stringify(access),
        }),
      );
    }
    await b.s3.send(new CreateBucketCommand({ Bucket: CHAIN.bucket }));
    if (v.putObject) {
      await b.s3.send(
        new PutObjectCommand({
          Bucket: CHAIN.bucket,
          Key: CHAIN.key,
          Body: "quarter,revenue\nq3,42\n",
          ...(keyArn ? { ServerSideEncryption: "aws:kms", SSEKMSKeyId: keyArn } : {}),
        }),
      );
    }
    const bucketArn = `arn:aws:s3:::${CHAIN.bucket}`;
    const statements: unknown[] = [];
    if (v.bucketPolicy !== "none") {
      // A policy a real bucket could have. (Not the TLS-only deny: moto is reached over plain HTTP
      // and enforces bucket policies, so aws:SecureTransport would deny the tests' own reads.)
      statements.push(
        {
          Sid: "AllowReaderRole",
          Effect: "Allow",
          Principal: { AWS: CHAIN.roleArn },
          Action: ["s3:GetObject", "s3:ListBucket"],
          Resource: [bucketArn, `${bucketArn}/*`],
        },
        {
          Sid: "DenyBucketDeletion",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:DeleteBucket",
          Resource: bucketArn,
        },
      );
    }
    if (v.bucketPolicy === "deny-role") {
      statements.push({
        Sid: "DenyReaderRole",
        Effect: "Deny",
        Principal: { AWS: CHAIN.roleArn },
        Action: "s3:GetObject",
        Resource: `${bucketArn}/*`,
      });
    }
    if (v.bucketPolicy === "not-principal") {
      statements.push({
        Sid: "OnlyAdmins",
        Effect: "Deny",
        NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT_B}:role/admin` },
        Action: "s3:DeleteObject",
        Resource: `${bucketArn}/*`,
      });
    }
    if (statements.length > 0) {
      await b.s3.send(
        new PutBucketPolicyCommand({
          Bucket: CHAIN.bucket,
          Policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
        }),
      );
    }
    kube.issuer.issuerUrl = issuerUrl;
    kube.issuer.claimedIssuer = undefined;
    kube.requests.length = 0;
    kube.state.serviceAccounts = v.serviceAccount
      ? [
          {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: {
              name: CHAIN.serviceAccount,
              namespace: CHAIN.namespace,
              annotations:
                v.annotation === "none"
                  ? {}
                  : {
                      "eks.amazonaws.com/role-arn":
                        v.annotation === "role"
                          ? CHAIN.roleArn
                          : `arn:aws:iam::${ACCOUNT_B}:role/someone-else`,
                    },
            },
          },
        ]
      : [];
    kube.state.pods = [pod("reader-7d9f-abcde", v.pods === "injected"), otherPod()];
    return { issuerUrl };
  } finally {
    for (const side of [a, b]) for (const c of Object.values(side)) c.destroy();
  }
}

function pod(name: string, injected: boolean): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: CHAIN.namespace, creationTimestamp: new Date("2025-06-01T10:00:00Z") },
    spec: {
      serviceAccountName: CHAIN.serviceAccount,
      containers: [
        {
          name: "reader",
          image: "public.ecr.aws/aws-cli/aws-cli:2.27.50",
          env: [
            { name: "S3_BUCKET", value: CHAIN.bucket },
            ...(injected
              ? [
                  { name: "AWS_ROLE_ARN", value: CHAIN.roleArn },
                  {
                    name: "AWS_WEB_IDENTITY_TOKEN_FILE",
                    value: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
                  },
                ]
              : []),
          ],
        },
      ],
    },
  };
}

/** A pod of another ServiceAccount in the same namespace: the doctor must ignore it. */
function otherPod(): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-1", namespace: CHAIN.namespace },
    spec: { containers: [{ name: "web", image: "nginx" }] },
  };
}
