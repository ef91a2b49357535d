/**
 * Two IRSA grants of one stack pair in grants mode, built in moto as a user's other tools write them
 * (raw JSON strings through the IAM API, as the AWS CLI's `--assume-role-policy-document file://` and
 * boto3's `json.dumps` send them: `Statement` as one object, string `Action`, no builder of this
 * package), with the stacks' `grants` outputs that name them. `reports` is healthy; `archive`'s role
 * trusts `reports`'s ServiceAccount (a copy-paste of the other grant's trust), so its trust link fails.
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
import { plain } from "../../support/stacksWorkspace";
import { ACCOUNT_A, ACCOUNT_B, REGION, accountClients, type Moto } from "./moto";
import { kubeconfigFor, type KubeStandIn } from "./standIns";
import { type TestTls } from "./tls";

export const GRANT_NAMESPACE = "team-a";
export const GRANT_KEYS = ["reports", "archive"] as const;
const OBJECT_KEY = "reports/check.txt";

export const grantRole = (key: string) => `arn:aws:iam::${ACCOUNT_B}:role/${key}-reader`;
const bucketOf = (key: string) => `team-a-${key}`;
const serviceAccountOf = (key: string) => `${key}-reader`;

/** The trust policy as `aws iam create-role --assume-role-policy-document` takes it from a file. */
function trustJson(providerArn: string, host: string, serviceAccount: string): string {
  return (
    `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"${providerArn}"},` +
    `"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{` +
    `"${host}:sub":"system:serviceaccount:${GRANT_NAMESPACE}:${serviceAccount}","${host}:aud":"sts.amazonaws.com"}}}}`
  );
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

function pod(key: string): V1Pod {
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
          ],
        },
      ],
    },
  };
}

/** Resets moto and builds both grants' chains in it and in the Kubernetes stand-in; returns the issuer URL. */
export async function buildGrants(moto: Moto, kube: KubeStandIn): Promise<string> {
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
          AssumeRolePolicyDocument: trustJson(provider.OpenIDConnectProviderArn!, host, trusted),
        }),
      );
      await b.iam.send(
        new PutRolePolicyCommand({
          RoleName: `${key}-reader`,
          PolicyName: "read",
          PolicyDocument: readJson(bucketOf(key)),
        }),
      );
      await b.s3.send(new CreateBucketCommand({ Bucket: bucketOf(key) }));
      await b.s3.send(new PutObjectCommand({ Bucket: bucketOf(key), Key: OBJECT_KEY, Body: "ok\n" }));
    }
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
    b[key] = {
      handoff: {
        version: 1,
        mechanisms: ["irsa"],
        roleArn: grantRole(key),
        serviceAccounts: [serviceAccount],
        clusters: [
          { key: "cluster", issuerUrl, oidcProviderArn: `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${host}` },
        ],
        buckets: [{ name: bucketOf(key), access: "read", prefixes: ["reports/"] }],
      },
      probe: { bucketName: bucketOf(key), objectKey: OBJECT_KEY },
    };
    a[key] = { mechanisms: ["irsa"], roleArn: grantRole(key), serviceAccount, podCredentialPath: "irsa" };
  }
  return {
    "account-a": {
      mode: plain("grants"),
      clusterName: plain("demo"),
      clusterArn: plain(`arn:aws:eks:${REGION}:${ACCOUNT_A}:cluster/demo`),
      oidcIssuerUrl: plain(issuerUrl),
      kubeconfig: { value: kubeconfigFor(kube, tls), secret: true },
      grants: plain(a),
    },
    "account-b": { mode: plain("grants"), region: plain(REGION), grants: plain(b) },
  };
}
