/**
 * The IRSA-chained doctor collector against moto: the chain is built in moto's two accounts (A, the
 * cluster's and the source role's; B, the target role's, reached by AssumeRole into another account
 * id) with documents written as a user would with the AWS CLI or boto3 (a Statement object rather
 * than a list, string Actions, an extra condition), the Kubernetes side is an in-memory API; the
 * collector reads it all and the link set checks it. One link broken at a time.
 */
import { CreateClusterCommand } from "@aws-sdk/client-eks";
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { type V1ConfigMap, type V1Pod, type V1ServiceAccount } from "@kubernetes/client-node";
import { CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { buildChainedProfileConfig } from "../../components/chainedPolicies";
import { chainedPodWiring } from "../../components/chainedWiring";
import { normalizeIssuer } from "../../components/issuer";
import { type CheckResult } from "../../chain/result";
import { accountClients as doctorClients } from "../../doctor/aws";
import { kubeApi, type KubeApi } from "../../doctor/kube";
import { type CollectorContext } from "../../doctor/collector";
import { checkIrsaChainedChain } from "../../mechanisms/irsa-chained/chain";
import { collectIrsaChained, type ConfigMapReader } from "../../mechanisms/irsa-chained/doctor/collect";
import { world } from "./support/hooks";
import { ACCOUNT_A, ACCOUNT_B, REGION, accountClients } from "./support/moto";

const NAMESPACE = "apps";
const SA = "reader";
const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/chained-source`;
const TARGET = `arn:aws:iam::${ACCOUNT_B}:role/chained-target`;
const CONFIG_MAP = "cross-account-irsa-aws-config";

interface Variant {
  /** Where the OIDC provider is: A (right) or B (IRSA's layout, wrong here). */
  provider: "a" | "b";
  /** The target role's trust: the source role, or account A as a whole. */
  targetTrust: "source-role" | "account";
  /** The role the source role may assume. */
  sourcePermits: string;
  /** The ServiceAccount's annotation. */
  annotation: string;
  /** The profile's session length. */
  durationSeconds: string;
  /** A bucket policy denying the target role s3:GetObject. */
  bucketDeny?: boolean;
}
const HEALTHY: Variant = {
  provider: "a",
  targetTrust: "source-role",
  sourcePermits: TARGET,
  annotation: SOURCE,
  durationSeconds: "3600",
};

/** An in-memory cluster: the ServiceAccount, one pod with the chained wiring, the ConfigMap. */
function kubeOf(v: Variant): KubeApi & ConfigMapReader & { requests: string[] } {
  const wiring = chainedPodWiring({
    sourceRoleArn: SOURCE,
    configMapName: CONFIG_MAP,
    profileName: "cross-account-irsa",
  });
  const sa: V1ServiceAccount = {
    metadata: { name: SA, namespace: NAMESPACE, annotations: { "eks.amazonaws.com/role-arn": v.annotation } },
  };
  const pod: V1Pod = {
    metadata: { name: "s3-reader-1", namespace: NAMESPACE },
    spec: {
      serviceAccountName: SA,
      volumes: wiring.volumes,
      containers: [
        {
          name: "reader",
          env: [
            ...wiring.env,
            { name: "EXPECTED_ROLE_ARN", value: TARGET },
            { name: "S3_BUCKET", value: "team-data" },
            { name: "S3_OBJECT_KEY", value: "reports/q3.csv" },
            { name: "AWS_ROLE_ARN", value: SOURCE },
            {
              name: "AWS_WEB_IDENTITY_TOKEN_FILE",
              value: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
            },
          ],
          volumeMounts: wiring.volumeMounts,
        },
      ],
    },
  };
  const config = buildChainedProfileConfig({ sourceRoleArn: SOURCE, targetRoleArn: TARGET }).text.replace(
    "duration_seconds = 3600",
    `duration_seconds = ${v.durationSeconds}`,
  );
  const requests: string[] = [];
  return {
    where: "in-memory",
    requests,
    readServiceAccount: (namespace, name) => {
      requests.push(`GET serviceaccount ${namespace}/${name}`);
      return Promise.resolve(namespace === NAMESPACE && name === SA ? sa : undefined);
    },
    listPods: (namespace) => {
      requests.push(`GET pods ${namespace}`);
      return Promise.resolve(namespace === NAMESPACE ? [pod] : []);
    },
    readConfigMap: (namespace, name): Promise<V1ConfigMap | undefined> => {
      requests.push(`GET configmap ${namespace}/${name}`);
      return Promise.resolve(
        namespace === NAMESPACE && name === CONFIG_MAP ? { metadata: { name }, data: { config } } : undefined,
      );
    },
    readDaemonSet: () => Promise.reject(new Error("not used")),
    requestToken: () => Promise.reject(new Error("not used: no --assume")),
  };
}

/** Builds the chain in moto as a user would with the CLI (hand-written JSON), returns the issuer. */
async function build(v: Variant): Promise<string> {
  const moto = world().moto;
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
    const issuer = cluster.cluster!.identity!.oidc!.issuer!;
    const hostPath = normalizeIssuer(issuer);
    await (v.provider === "a" ? a : b).iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: issuer,
        ClientIDList: ["sts.amazonaws.com"],
        ThumbprintList: [],
      }),
    );
    // The source role's trust as the EKS guide writes it: one Statement object, a string Action.
    await a.iam.send(
      new CreateRoleCommand({
        RoleName: "chained-source",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: {
            Effect: "Allow",
            Principal: { Federated: `arn:aws:iam::${ACCOUNT_A}:oidc-provider/${hostPath}` },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                [`${hostPath}:sub`]: `system:serviceaccount:${NAMESPACE}:${SA}`,
                [`${hostPath}:aud`]: "sts.amazonaws.com",
              },
            },
          },
        }),
      }),
    );
    await a.iam.send(
      new PutRolePolicyCommand({
        RoleName: "chained-source",
        PolicyName: "assume-target-role",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: v.sourcePermits }],
        }),
      }),
    );
    // The target role's trust: A's root, narrowed (or not) to the source role, plus an extra condition
    // the chain meets (a Bool on aws:MultiFactorAuthPresent would not be met: this one is harmless).
    await b.iam.send(
      new CreateRoleCommand({
        RoleName: "chained-target",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:root` },
              Action: "sts:AssumeRole",
              ...(v.targetTrust === "source-role"
                ? {
                    Condition: {
                      ArnEquals: { "aws:PrincipalArn": SOURCE },
                      StringEquals: { "aws:PrincipalAccount": ACCOUNT_A },
                    },
                  }
                : {}),
            },
          ],
        }),
      }),
    );
    await b.iam.send(
      new PutRolePolicyCommand({
        RoleName: "chained-target",
        PolicyName: "s3-access",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::team-data/reports/*" },
            { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::team-data" },
          ],
        }),
      }),
    );
    // The bucket side the live permission link reads: the bucket, the object, and (or not) a policy.
    await b.s3.send(new CreateBucketCommand({ Bucket: "team-data" }));
    await b.s3.send(new PutObjectCommand({ Bucket: "team-data", Key: "reports/q3.csv", Body: "q3,42\n" }));
    if (v.bucketDeny) {
      await b.s3.send(
        new PutBucketPolicyCommand({
          Bucket: "team-data",
          Policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "DenyTargetRole",
                Effect: "Deny",
                Principal: { AWS: TARGET },
                Action: "s3:GetObject",
                Resource: "arn:aws:s3:::team-data/*",
              },
            ],
          }),
        }),
      );
    }
    return issuer;
  } finally {
    for (const side of [a, b]) for (const c of Object.values(side)) c.destroy();
  }
}

/** Runs the collector (the doctor's own clients, pointed at moto) and the link set. */
async function doctor(
  v: Variant,
  kubeOverride?: KubeApi,
): Promise<{ results: CheckResult[]; calls: string[]; kube: string[] }> {
  const moto = world().moto;
  const env = { AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: REGION };
  const calls: string[] = [];
  const record = (call: string) => calls.push(call);
  const a = await doctorClients({
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    env,
    record,
  });
  const b = await doctorClients({ credentials: moto.accountB, env, record });
  const fake = kubeOf(v);
  const kube = kubeOverride ?? fake;
  try {
    const ctx: CollectorContext = {
      chain: {
        roleArn: TARGET,
        clusterName: "demo",
        clusterRegion: REGION,
        namespace: NAMESPACE,
        serviceAccount: SA,
        bucket: "team-data",
        key: "reports/q3.csv",
      },
      clusterRegion: REGION,
      bucketRegion: REGION,
      a,
      b,
      accounts: { a: ACCOUNT_A, b: ACCOUNT_B },
      kube,
      https: {},
      assume: false,
      env,
      record,
    };
    return { results: checkIrsaChainedChain(await collectIrsaChained(ctx)), calls, kube: fake.requests };
  } finally {
    a.destroy();
    b.destroy();
  }
}

const failing = (results: CheckResult[]) => results.filter((r) => r.status === "fail");

describe("the irsa-chained doctor collector against moto", function () {
  this.timeout(60000);

  it("a healthy chain: every check passes, from read calls only", async () => {
    const issuer = await build(HEALTHY);
    const { results, calls, kube } = await doctor(HEALTHY);
    expect(
      results.filter((r) => r.status !== "pass"),
      JSON.stringify(results, null, 1),
    ).to.deep.equal([]);
    expect([...new Set(results.map((r) => r.link))]).to.deep.equal([
      "issuer",
      "oidc-provider",
      "trust-policy",
      "service-account",
      "source-role",
      "target-trust",
      "permission",
    ]);
    expect(results[0].detail).to.equal(`issuer ${issuer}`);
    expect(
      calls.filter((c) => !/:(Describe|Get|List|Head)/.test(c)),
      "only reads",
    ).to.deep.equal([]);
    expect(calls).to.include.members([
      "aws EKS:DescribeCluster",
      "aws IAM:GetOpenIDConnectProvider",
      "aws IAM:GetRole",
      "aws IAM:GetRolePolicy",
      "aws S3:GetBucketPolicy",
      "aws S3:HeadObject",
    ]);
    expect(kube).to.deep.equal([
      `GET serviceaccount ${NAMESPACE}/${SA}`,
      `GET pods ${NAMESPACE}`,
      `GET configmap ${NAMESPACE}/${CONFIG_MAP}`,
    ]);
  });

  it("through the doctor's Kubernetes client and the API stand-in: the ConfigMap is read over HTTP", async () => {
    await build(HEALTHY);
    // The same cluster state as the in-memory one, served by the stand-in API server.
    const fake = kubeOf(HEALTHY);
    const state = world().kube.state;
    state.serviceAccounts = [(await fake.readServiceAccount(NAMESPACE, SA))!];
    state.pods = await fake.listPods(NAMESPACE);
    state.configMaps = [
      {
        ...(await fake.readConfigMap(NAMESPACE, CONFIG_MAP))!,
        metadata: { name: CONFIG_MAP, namespace: NAMESPACE },
      },
    ];
    world().kube.requests.length = 0;
    const calls: string[] = [];
    const kube = kubeApi({ file: world().kubeconfigFile, record: (c) => calls.push(c) });
    const { results } = await doctor(HEALTHY, kube);
    expect(
      results.filter((r) => r.status !== "pass"),
      JSON.stringify(results, null, 1),
    ).to.deep.equal([]);
    expect(world().kube.requests).to.deep.equal([
      `GET /api/v1/namespaces/${NAMESPACE}/serviceaccounts/${SA}`,
      `GET /api/v1/namespaces/${NAMESPACE}/pods`,
      `GET /api/v1/namespaces/${NAMESPACE}/configmaps/${CONFIG_MAP}`,
    ]);
    state.configMaps = [];
  });

  const broken: Array<[string, Partial<Variant>, string, RegExp]> = [
    [
      "the OIDC provider is in account B (IRSA's layout)",
      { provider: "b" },
      "oidc-provider",
      /create-open-id-connect-provider/,
    ],
    [
      "the target role trusts account A as a whole",
      { targetTrust: "account" },
      "target-trust",
      /not the account alone/,
    ],
    [
      "the source role may assume another role",
      { sourcePermits: `arn:aws:iam::${ACCOUNT_B}:role/someone-else` },
      "source-role",
      /put-role-policy --role-name chained-source/,
    ],
    [
      "the ServiceAccount names the target role",
      { annotation: TARGET },
      "service-account",
      /never account B's role/,
    ],
    [
      "the profile asks for two hours",
      { durationSeconds: "7200" },
      "service-account",
      /duration_seconds <= 3600/,
    ],
    ["the bucket policy denies the target role", { bucketDeny: true }, "permission", /bucket policy/],
  ];
  for (const [what, change, link, fix] of broken) {
    it(`${what}: link ${link} is the first to fail, with the live fix`, async () => {
      const v = { ...HEALTHY, ...change };
      await build(v);
      const { results } = await doctor(v);
      const failed = failing(results);
      expect(failed.length, JSON.stringify(results, null, 1)).to.be.greaterThan(0);
      expect(failed[0].link, JSON.stringify(failed, null, 1)).to.equal(link);
      expect(
        failed.some((r) => fix.test(r.fix ?? "")),
        JSON.stringify(failed, null, 1),
      ).to.equal(true);
    });
  }
});
