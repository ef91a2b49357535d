/**
 * Two grants of one stack pair in grants mode, built in moto as a user's other tools write them (raw
 * JSON strings through the IAM API, as the AWS CLI's `--assume-role-policy-document file://` and
 * boto3's `json.dumps` send them: `Statement` as one object, string `Action`), with the stacks'
 * `grants` outputs that name them. `reports` is mid-migration and healthy: its role trusts IRSA and
 * EKS Pod Identity, its ServiceAccount is annotated and associated, its pods have both paths' variables
 * (IRSA's first); `archive` is IRSA only, and its role trusts `reports`'s ServiceAccount (a copy-paste
 * of the other grant's trust), so its trust link fails.
 */
import { CreateClusterCommand } from "@aws-sdk/client-eks";
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { type V1Pod, type V1ServiceAccount } from "@kubernetes/client-node";
import { type StackOutputs } from "../../../cli/shared/workspace";
import {
  buildPodIdentitySourcePermissionPolicy,
  buildPodIdentitySourceTrustPolicy,
  buildPodIdentityTargetTrustPolicy,
} from "../../../components/podIdentityPolicies";
import { type EksStandIn } from "./eksStandIn";
import { plain } from "../../support/stacksWorkspace";
import { ACCOUNT_A, ACCOUNT_B, REGION, accountClients, type Moto } from "./moto";
import { kubeconfigFor, type KubeStandIn } from "./standIns";
import { type TestTls } from "./tls";

export const GRANT_NAMESPACE = "team-a";
export const GRANT_KEYS = ["reports", "archive"] as const;
const OBJECT_KEY = "reports/check.txt";

export const grantRole = (key: string) => `arn:aws:iam::${ACCOUNT_B}:role/${key}-reader`;
const CLUSTER_ARN = `arn:aws:eks:${REGION}:${ACCOUNT_A}:cluster/demo`;
/** The grant's Pod Identity source role in account A (the stacks' default name). */
export const sourceRole = (key: string) => `arn:aws:iam::${ACCOUNT_A}:role/${key}-pod-identity-source`;
/** The grants and the mechanisms each trusts and is bound with. */
const MECHANISMS: Record<(typeof GRANT_KEYS)[number], string[]> = {
  reports: ["irsa", "pod-identity"],
  archive: ["irsa"],
};
const bucketOf = (key: string) => `team-a-${key}`;
const serviceAccountOf = (key: string) => `${key}-reader`;

/** IRSA's trust statement as a user writes it in the file `aws iam create-role --assume-role-policy-document` reads. */
function irsaStatement(providerArn: string, host: string, serviceAccount: string): string {
  return (
    `{"Effect":"Allow","Principal":{"Federated":"${providerArn}"},` +
    `"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{` +
    `"${host}:sub":"system:serviceaccount:${GRANT_NAMESPACE}:${serviceAccount}","${host}:aud":"sts.amazonaws.com"}}}`
  );
}

/**
 * The role's trust: IRSA's statement alone (`Statement` as one object), or beside Pod Identity's
 * statements (a list, the migration's "trust both" step).
 */
function trustJson(
  key: (typeof GRANT_KEYS)[number],
  providerArn: string,
  host: string,
  serviceAccount: string,
): string {
  const irsa = irsaStatement(providerArn, host, serviceAccount);
  if (!MECHANISMS[key].includes("pod-identity")) return `{"Version":"2012-10-17","Statement":${irsa}}`;
  const podIdentity = buildPodIdentityTargetTrustPolicy({
    sourceRoleArn: sourceRole(key),
    clusterArn: CLUSTER_ARN,
    serviceAccounts: [{ namespace: GRANT_NAMESPACE, name: serviceAccount }],
  }).Statement;
  return `{"Version":"2012-10-17","Statement":[${irsa},${podIdentity.map((st) => JSON.stringify(st)).join(",")}]}`;
}

/** The read policy as boto3's `put_role_policy(PolicyDocument=json.dumps(...))` sends it. */
function readJson(bucket: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "List", Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${bucket}` },
      { Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/reports/*` },
    ],
  });
}

/** The variables EKS injects for an association (Pod Identity). */
const POD_IDENTITY_ENV = [
  { name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: "http://169.254.170.23/v1/credentials" },
  {
    name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    value: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
  },
];

function pod(key: (typeof GRANT_KEYS)[number]): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `${key}-reader-5c7d-abcde`, namespace: GRANT_NAMESPACE },
    spec: {
      serviceAccountName: serviceAccountOf(key),
      containers: [
        {
          name: "reader",
          image: "public.ecr.aws/aws-cli/aws-cli:2.27.50",
          env: [
            { name: "AWS_ROLE_ARN", value: grantRole(key) },
            {
              name: "AWS_WEB_IDENTITY_TOKEN_FILE",
              value: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
            },
            ...(MECHANISMS[key].includes("pod-identity") ? POD_IDENTITY_ENV : []),
          ],
        },
      ],
    },
  };
}

/** Resets moto and builds both grants' chains in it and in the Kubernetes stand-in; returns the issuer URL. */
export async function buildGrants(moto: Moto, eks: EksStandIn, kube: KubeStandIn): Promise<string> {
  await moto.reset();
  const a = accountClients(moto, "a");
  const b = accountClients(moto, "b");
  try {
    const cluster = await a.eks.send(
      new CreateClusterCommand({
        name: "demo",
        roleArn: `arn:aws:iam::${ACCOUNT_A}:role/eks-cluster`,
        resourcesVpcConfig: { subnetIds: [] },
      }),
    );
    const issuerUrl = cluster.cluster!.identity!.oidc!.issuer!;
    const host = issuerUrl.replace(/^https:\/\//, "");
    // The one provider both grants share (the stack's cluster-oidc).
    const provider = await b.iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: issuerUrl,
        ClientIDList: ["sts.amazonaws.com"],
        ThumbprintList: ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
      }),
    );
    for (const key of GRANT_KEYS) {
      // archive's trust was copied from reports's and names reports's ServiceAccount.
      const trusted = serviceAccountOf(key === "archive" ? "reports" : key);
      await b.iam.send(
        new CreateRoleCommand({
          RoleName: `${key}-reader`,
          AssumeRolePolicyDocument: trustJson(key, provider.OpenIDConnectProviderArn!, host, trusted),
        }),
      );
      await b.iam.send(
        new PutRolePolicyCommand({
          RoleName: `${key}-reader`,
          PolicyName: "read",
          PolicyDocument: readJson(bucketOf(key)),
        }),
      );
      if (MECHANISMS[key].includes("pod-identity")) {
        // The source role account-a's binding creates: trusted by EKS for this cluster, may chain into the grant's role.
        const name = `${key}-pod-identity-source`;
        await a.iam.send(
          new CreateRoleCommand({
            RoleName: name,
            AssumeRolePolicyDocument: JSON.stringify(
              buildPodIdentitySourceTrustPolicy({ clusterArn: CLUSTER_ARN }),
            ),
          }),
        );
        await a.iam.send(
          new PutRolePolicyCommand({
            RoleName: name,
            PolicyName: "chain",
            PolicyDocument: JSON.stringify(
              buildPodIdentitySourcePermissionPolicy({ targetRoleArn: grantRole(key) }),
            ),
          }),
        );
      }
      await b.s3.send(new CreateBucketCommand({ Bucket: bucketOf(key) }));
      await b.s3.send(new PutObjectCommand({ Bucket: bucketOf(key), Key: OBJECT_KEY, Body: "ok\n" }));
    }
    if (cluster.cluster!.arn !== CLUSTER_ARN)
      throw new Error(`moto named the cluster ${cluster.cluster!.arn}`);
    eks.state.addons.clear();
    eks.state.associations.clear();
    eks.requests.length = 0;
    eks.state.addons.set("demo", [
      {
        addonName: "eks-pod-identity-agent",
        addonVersion: "v1.3.4-eksbuild.1",
        status: "ACTIVE",
        health: { issues: [] },
      },
    ]);
    eks.state.associations.set(
      "demo",
      GRANT_KEYS.filter((key) => MECHANISMS[key].includes("pod-identity")).map((key, i) => ({
        associationId: `a-grant0000000000${i}`,
        namespace: GRANT_NAMESPACE,
        serviceAccount: serviceAccountOf(key),
        roleArn: sourceRole(key),
        targetRoleArn: grantRole(key),
        disableSessionTags: false,
        externalId: `5b1d2c1e-0000-4000-8000-00000000000${i}`,
      })),
    );
    kube.issuer.issuerUrl = issuerUrl;
    kube.issuer.claimedIssuer = undefined;
    kube.requests.length = 0;
    kube.state.serviceAccounts = GRANT_KEYS.map((key): V1ServiceAccount => ({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: serviceAccountOf(key),
        namespace: GRANT_NAMESPACE,
        annotations: { "eks.amazonaws.com/role-arn": grantRole(key) },
      },
    }));
    kube.state.pods = GRANT_KEYS.map(pod);
    return issuerUrl;
  } finally {
    for (const side of [a, b]) for (const c of Object.values(side)) c.destroy();
  }
}

/** The two stacks' outputs in grants mode for {@link buildGrants}'s grants (account-a's kubeconfig reaches the stand-in). */
export function grantsOutputs(
  issuerUrl: string,
  kube: KubeStandIn,
  tls: TestTls,
): { "account-a": StackOutputs; "account-b": StackOutputs } {
  const host = issuerUrl.replace(/^https:\/\//, "");
  const a: Record<string, unknown> = {};
  const b: Record<string, unknown> = {};
  for (const key of GRANT_KEYS) {
    const serviceAccount = { namespace: GRANT_NAMESPACE, name: serviceAccountOf(key) };
    const mechanisms = MECHANISMS[key];
    const podIdentity = mechanisms.includes("pod-identity")
      ? { clusterArn: CLUSTER_ARN, sourceRoleArn: sourceRole(key) }
      : {};
    b[key] = {
      handoff: {
        version: 1,
        mechanisms,
        roleArn: grantRole(key),
        serviceAccounts: [serviceAccount],
        clusters: [
          {
            key: "cluster",
            issuerUrl,
            oidcProviderArn: `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${host}`,
            ...podIdentity,
          },
        ],
        buckets: [{ name: bucketOf(key), access: "read", prefixes: ["reports/"] }],
      },
      probe: { bucketName: bucketOf(key), objectKey: OBJECT_KEY },
    };
    a[key] = { mechanisms, roleArn: grantRole(key), serviceAccount, podCredentialPath: "irsa" };
  }
  return {
    "account-a": {
      mode: plain("grants"),
      clusterName: plain("demo"),
      clusterArn: plain(CLUSTER_ARN),
      oidcIssuerUrl: plain(issuerUrl),
      kubeconfig: { value: kubeconfigFor(kube, tls), secret: true },
      grants: plain(a),
    },
    "account-b": { mode: plain("grants"), region: plain(REGION), grants: plain(b) },
  };
}
