/**
 * irsa-chained through BucketAccessGrant (account B) and BucketAccessBinding (account A) under the
 * mock engine: what each registers (types, stable names, exact documents), the handoff between them,
 * the probe's chained wiring, the pairs a binding takes (with Pod Identity; IRSA → irsa-chained as one
 * update of the same ServiceAccount) and refused arguments (once, before anything registers).
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { type MockEngine, type RecordedResource } from "../../engine/mockEngine";
import { BucketAccessGrant, type BucketAccessGrantArgs } from "../../components/bucketAccessGrant";
import { BucketAccessBinding, type BucketAccessBindingArgs } from "../../components/bucketAccessBinding";
import { buildGrantTrustPolicy } from "../../components/bucketAccess";
import { type BucketAccessHandoff } from "../../components/bucketAccessHandoff";
import {
  buildChainedProfileConfig,
  buildChainedSourcePermissionPolicy,
  buildChainedSourceTrustPolicy,
} from "../../components/chainedPolicies";
import { policyJson } from "../../components/policyDocument";
import { settled, settledRun, valueOf } from "../support/outputs";
import { engineIn, names } from "../support/componentEngine";
import { ACCOUNT_A, ACCOUNT_B, HOST, ISSUER, PROVIDER_A, CLUSTER, ROLE, SA } from "./bucketAccessWorld";

const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/team/reports-source`;
const CHAINED = `arn:aws:iam::${ACCOUNT_A}:role/team/reports-chained`;

const grantArgs = (over: Partial<BucketAccessGrantArgs> = {}): BucketAccessGrantArgs => ({
  mechanisms: ["irsa-chained"],
  clusters: { prod: { chainedSourceRoleArn: CHAINED } },
  serviceAccounts: [SA],
  buckets: [{ name: "team-reports" }],
  roleName: "reports",
  ...over,
});

describe("BucketAccessGrant with irsa-chained (account B)", () => {
  it("registers the role trusting the chained source role and the bucket policy, no OIDC provider; the handoff names the source role", async () => {
    const engine = await engineIn(ACCOUNT_B);
    const grant = new BucketAccessGrant("reports", grantArgs());
    const handoff = await valueOf(grant.handoff);
    await settled();
    expect(names(engine)).to.have.members([
      "cross-account-irsa:index:BucketAccessGrant::reports",
      "aws:iam/role:Role::reports",
      "aws:iam/rolePolicy:RolePolicy::reports-s3-team-reports",
    ]);
    const role = engine.one("aws:iam/role:Role", "reports").inputs;
    expect(role.assumeRolePolicy).to.equal(
      policyJson(
        buildGrantTrustPolicy({
          mechanisms: ["irsa-chained"],
          clusters: [["prod", { chainedSourceRoleArn: CHAINED }]],
          serviceAccounts: [SA],
        }),
      ),
    );
    expect(await valueOf(grant.trustPolicy)).to.equal(role.assumeRolePolicy);
    expect(handoff).to.deep.equal({
      version: 1,
      mechanisms: ["irsa-chained"],
      roleArn: ROLE,
      serviceAccounts: [SA],
      clusters: [{ key: "prod", chainedSourceRoleArn: CHAINED }],
      buckets: [{ name: "team-reports", access: "read", prefixes: [] }],
    });
  });

  it("takes the source role as an Output, beside Pod Identity (a migration): one statement each", async () => {
    const engine = await engineIn(ACCOUNT_B);
    const grant = new BucketAccessGrant(
      "reports",
      grantArgs({
        mechanisms: ["pod-identity", "irsa-chained"],
        clusters: {
          prod: { clusterArn: CLUSTER, sourceRoleArn: SOURCE, chainedSourceRoleArn: pulumi.output(CHAINED) },
        },
      }),
    );
    const handoff = await valueOf(grant.handoff);
    await settled();
    const trust = JSON.parse(
      engine.one("aws:iam/role:Role", "reports").inputs.assumeRolePolicy as string,
    ) as {
      Statement: Array<{ Condition: { ArnEquals: Record<string, string> } }>;
    };
    expect(trust.Statement.map((st) => st.Condition.ArnEquals["aws:PrincipalArn"])).to.deep.equal([
      SOURCE,
      CHAINED,
    ]);
    expect(handoff.mechanisms).to.deep.equal(["pod-identity", "irsa-chained"]);
    expect(handoff.clusters).to.deep.equal([
      { key: "prod", clusterArn: CLUSTER, sourceRoleArn: SOURCE, chainedSourceRoleArn: CHAINED },
    ]);
  });

  const refused: Array<[string, Partial<BucketAccessGrantArgs>, RegExp]> = [
    [
      "irsa-chained without the source role",
      { clusters: { prod: {} } },
      /^InputError: args\.clusters\.prod\.chainedSourceRoleArn: undefined is invalid: is required by mechanism "irsa-chained"/,
    ],
    [
      "a wildcard source role",
      { clusters: { prod: { chainedSourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/reports-*` } } },
      /^InputError: args\.clusters\.prod\.chainedSourceRoleArn: "arn:aws:iam::111122223333:role\/reports-\*" is invalid/,
    ],
    [
      "the chained source role without irsa-chained",
      { mechanisms: ["irsa"], clusters: { prod: { issuerUrl: ISSUER, chainedSourceRoleArn: CHAINED } } },
      /^InputError: args\.clusters\.prod\.chainedSourceRoleArn: ".*" is invalid: is read only by mechanism "irsa-chained", which args\.mechanisms does not list/,
    ],
    [
      "one source role for two clusters",
      {
        clusters: { dev: { chainedSourceRoleArn: CHAINED }, prod: { chainedSourceRoleArn: CHAINED } },
      },
      /^InputError: args\.clusters\.prod: "chained source role .*" is invalid: names the same chained source role as args\.clusters\.dev/,
    ],
  ];
  for (const [label, over, message] of refused) {
    it(`refuses ${label}: once, before anything registers`, async () => {
      const engine = await engineIn(ACCOUNT_B);
      const { thrown, unhandled } = await settledRun(() => new BucketAccessGrant("g", grantArgs(over)));
      expect(String(thrown)).to.match(message);
      expect(unhandled.map(String)).to.deep.equal([]);
      expect(engine.resources).to.have.length(0);
    });
  }
});

const HANDOFF: BucketAccessHandoff = {
  version: 1,
  mechanisms: ["irsa", "pod-identity", "irsa-chained"],
  roleArn: ROLE,
  serviceAccounts: [SA],
  clusters: [
    {
      key: "prod",
      issuerUrl: ISSUER,
      oidcProviderArn: `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${HOST}`,
      clusterArn: CLUSTER,
      sourceRoleArn: SOURCE,
      chainedSourceRoleArn: CHAINED,
    },
  ],
  buckets: [{ name: "team-reports", access: "read", prefixes: [] }],
};

async function bind(over: Partial<BucketAccessBindingArgs>): Promise<MockEngine> {
  const engine = await engineIn(ACCOUNT_A);
  const binding = new BucketAccessBinding("reports", {
    handoff: pulumi.output(HANDOFF),
    mechanisms: ["irsa-chained"],
    issuerUrl: ISSUER,
    serviceAccount: SA,
    ...over,
  });
  expect(await valueOf(binding.podCredentialPath)).to.be.a("string");
  await valueOf(binding.roleArn);
  await settled();
  return engine;
}

const serviceAccount = (engine: MockEngine): RecordedResource =>
  engine.one("kubernetes:core/v1:ServiceAccount", "reports");
const annotationsOf = (r: RecordedResource) =>
  (r.inputs.metadata as { annotations?: Record<string, string> }).annotations;
type Container = { env: Array<{ name: string; value?: string }>; volumeMounts: Array<{ mountPath: string }> };
const containerOf = (r: RecordedResource): Container =>
  (r.inputs as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec
    .containers[0];

describe("BucketAccessBinding with irsa-chained (account A)", () => {
  it("creates A's OIDC provider, the source role the grant names, the annotated ServiceAccount and the profile", async () => {
    const engine = await bind({ probe: { objectKey: "probe.txt" } });
    expect(names(engine)).to.have.members([
      "cross-account-irsa:index:BucketAccessBinding::reports",
      "cross-account-irsa:index:ClusterOidcProvider::reports-oidc",
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider::reports-oidc",
      "cross-account-irsa:index:ChainedSourceRole::reports-chained-source",
      "aws:iam/role:Role::reports-chained-source",
      "aws:iam/rolePolicy:RolePolicy::reports-chained-source-assume-target-role",
      "kubernetes:core/v1:ServiceAccount::reports",
      "cross-account-irsa:index:ChainedProfileConfigMap::reports-profile",
      "kubernetes:core/v1:ConfigMap::reports-profile",
      "cross-account-irsa:index:AccessCheckJob::reports-access-check",
      "kubernetes:batch/v1:Job::reports-access-check",
      "cross-account-irsa:index:S3ReaderDeployment::reports-reader",
      "kubernetes:apps/v1:Deployment::reports-reader",
    ]);
    const source = engine.one("aws:iam/role:Role", "reports-chained-source").inputs;
    expect(source).to.include({ name: "reports-chained", path: "/team/" });
    expect(source.assumeRolePolicy).to.equal(
      policyJson(
        buildChainedSourceTrustPolicy({
          oidcProviderArn: PROVIDER_A,
          issuerUrl: ISSUER,
          serviceAccounts: [SA],
        }),
      ),
    );
    expect(engine.one("aws:iam/rolePolicy:RolePolicy").inputs.policy).to.equal(
      policyJson(buildChainedSourcePermissionPolicy({ targetRoleArn: ROLE })),
    );
    expect(annotationsOf(serviceAccount(engine))).to.deep.include({ "eks.amazonaws.com/role-arn": CHAINED });
    const configMap = engine.one("kubernetes:core/v1:ConfigMap").inputs as {
      metadata: { name: string; namespace: string };
      data: { config: string };
    };
    expect(configMap.metadata).to.deep.include({ name: "reports-aws-config", namespace: "apps" });
    expect(configMap.data.config).to.equal(
      buildChainedProfileConfig({ sourceRoleArn: CHAINED, targetRoleArn: ROLE }).text,
    );
    expect(engine.one("cross-account-irsa:index:ChainedProfileConfigMap").dependsOn).to.include(
      serviceAccount(engine).urn,
    );
    for (const workload of [
      engine.one("kubernetes:batch/v1:Job"),
      engine.one("kubernetes:apps/v1:Deployment"),
    ]) {
      const container = containerOf(workload);
      expect(container.env).to.deep.include.members([
        { name: "AWS_CONFIG_FILE", value: "/etc/cross-account-irsa/aws/config" },
        { name: "AWS_PROFILE", value: "cross-account-irsa" },
      ]);
      expect(container.volumeMounts.map((m) => m.mountPath)).to.include("/etc/cross-account-irsa/aws");
    }
    expect(JSON.stringify(engine.one("kubernetes:batch/v1:Job").inputs)).to.include("EXPECTED_ROLE_ARN");
  });

  it("adopts A's existing provider (read, never created)", async () => {
    const engine = await bind({ existingOidcProviderArn: PROVIDER_A });
    expect(
      engine.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((r) => r.read),
    ).to.deep.equal([true]);
  });

  it("with Pod Identity (a migration step): both source roles, the association, the chained annotation; pods take the profile", async () => {
    const engine = await bind({
      mechanisms: ["pod-identity", "irsa-chained"],
      clusterName: "prod",
      probe: { objectKey: "probe.txt" },
    });
    expect(engine.ofType("aws:iam/role:Role").map((r) => r.inputs.name)).to.have.members([
      "reports-source",
      "reports-chained",
    ]);
    expect(engine.one("aws:eks/podIdentityAssociation:PodIdentityAssociation").inputs).to.deep.include({
      roleArn: SOURCE,
      targetRoleArn: ROLE,
    });
    expect(annotationsOf(serviceAccount(engine))).to.deep.include({ "eks.amazonaws.com/role-arn": CHAINED });
    const job = JSON.stringify(engine.one("kubernetes:batch/v1:Job").inputs);
    expect(job, "the probe checks the chain's credentials").to.include("AWS_PROFILE");
    expect(job).to.not.include("podidentityassociation/");
  });

  it("IRSA → irsa-chained is one update: the same ServiceAccount, its annotation moves to A's source role", async () => {
    const before = await bind({ mechanisms: ["irsa"], issuerUrl: undefined });
    expect(annotationsOf(serviceAccount(before))).to.deep.include({ "eks.amazonaws.com/role-arn": ROLE });
    expect(before.ofType("kubernetes:core/v1:ConfigMap")).to.have.length(0);
    const after = await bind({});
    expect(serviceAccount(after).urn).to.equal(serviceAccount(before).urn);
    expect(annotationsOf(serviceAccount(after))).to.deep.include({ "eks.amazonaws.com/role-arn": CHAINED });
  });

  it("run with another account's AWS provider: the source role is not the one B trusts, so nothing Kubernetes is registered", async () => {
    const engine = await engineIn("444455556666");
    const { thrown, unhandled } = await settledRun(async () => {
      const binding = new BucketAccessBinding("reports", {
        handoff: pulumi.output(HANDOFF),
        mechanisms: ["irsa-chained"],
        issuerUrl: ISSUER,
        serviceAccount: SA,
        probe: { objectKey: "probe.txt" },
      });
      await valueOf(binding.roleArn);
    });
    expect(thrown).to.equal(undefined);
    expect(engine.one("aws:iam/role:Role").inputs.name).to.equal("reports-chained");
    for (const type of [
      "kubernetes:core/v1:ServiceAccount",
      "kubernetes:core/v1:ConfigMap",
      "kubernetes:batch/v1:Job",
      "kubernetes:apps/v1:Deployment",
    ]) {
      expect(engine.ofType(type), type).to.have.length(0);
    }
    expect(unhandled.map(String).join("\n")).to.match(
      /args\.handoff: .* names the source role account B trusts \(args\.handoff\.clusters\[\]\.chainedSourceRoleArn\), but this binding's source role is arn:aws:iam::444455556666:role\/team\/reports-chained/,
    );
  });

  it("an adopted provider of another account, given as an Output: refused in the binding's terms, nothing Kubernetes registered", async () => {
    const engine = await engineIn(ACCOUNT_A);
    const providerInB = `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${HOST}`;
    const { thrown, unhandled } = await settledRun(
      () =>
        new BucketAccessBinding("reports", {
          handoff: pulumi.output(HANDOFF),
          mechanisms: ["irsa-chained"],
          issuerUrl: ISSUER,
          existingOidcProviderArn: pulumi.output(providerInB),
          serviceAccount: SA,
        }),
    );
    expect(thrown).to.equal(undefined);
    expect(engine.ofType("aws:iam/role:Role")).to.have.length(0);
    expect(engine.ofType("kubernetes:core/v1:ServiceAccount")).to.have.length(0);
    expect(unhandled.map(String).join("\n")).to.include(
      `args.existingOidcProviderArn: "${providerInB}" is invalid: must be in the account of the chained source role`,
    );
  });

  const refused: Array<[string, Partial<BucketAccessBindingArgs>, RegExp]> = [
    [
      "irsa with irsa-chained",
      { mechanisms: ["irsa", "irsa-chained"] },
      /^InputError: args\.mechanisms: \["irsa","irsa-chained"\] is invalid: must not list both "irsa" and "irsa-chained": the ServiceAccount has one eks\.amazonaws\.com\/role-arn annotation/,
    ],
    [
      "irsa-chained without the issuer",
      { issuerUrl: undefined },
      /^InputError: args\.issuerUrl: undefined is invalid: is required by mechanism "irsa-chained"/,
    ],
    [
      "an issuer without irsa-chained",
      { mechanisms: ["irsa"] },
      /^InputError: args\.issuerUrl: "https:\/\/oidc\..*" is invalid: is read only by mechanism "irsa-chained"/,
    ],
    [
      "a provider of another issuer",
      {
        existingOidcProviderArn: `arn:aws:iam::${ACCOUNT_A}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAAA`,
      },
      /^InputError: args\.existingOidcProviderArn: ".*" is invalid: must be the IAM OIDC provider of args\.issuerUrl/,
    ],
    [
      "a clusterKey that is an Output",
      { clusterKey: pulumi.output("prod") as never },
      /^InputError: args\.clusterKey: "\[an Output\]" is invalid: must be a plain string/,
    ],
    [
      "a malformed issuer",
      { issuerUrl: "http://oidc.example.com" },
      /^InputError: args\.issuerUrl: "http:\/\/oidc\.example\.com" is invalid/,
    ],
  ];
  for (const [label, over, message] of refused) {
    it(`refuses ${label}: once, before anything registers`, async () => {
      const engine = await engineIn(ACCOUNT_A);
      let thrown: unknown;
      try {
        new BucketAccessBinding("b", {
          handoff: pulumi.output(HANDOFF),
          mechanisms: ["irsa-chained"],
          issuerUrl: ISSUER,
          serviceAccount: SA,
          ...over,
        });
      } catch (e) {
        thrown = e;
      }
      await settled();
      expect(String(thrown)).to.match(message);
      expect(engine.resources).to.have.length(0);
    });
  }
});
