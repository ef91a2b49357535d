/**
 * BucketAccessGrant and BucketAccessBinding under the mock engine: what each registers (types, names,
 * exact documents), their outputs, Output arguments, a migration's steps (the ServiceAccount keeps its
 * URN, only its annotation changes), and refused arguments (once, before anything registers).
 * The pure core: bucketAccess.test.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { type MockEngine, type RecordedResource } from "../../engine/mockEngine";
import {
  BUCKET_ACCESS_GRANT_ROLE_DESCRIPTION,
  BucketAccessGrant,
  type BucketAccessGrantArgs,
} from "../../components/bucketAccessGrant";
import { BucketAccessBinding, type BucketAccessBindingArgs } from "../../components/bucketAccessBinding";
import { buildGrantTrustPolicy } from "../../components/bucketAccess";
import { type BucketAccessHandoff } from "../../components/bucketAccessHandoff";
import { buildPodIdentitySourceTrustPolicy } from "../../components/podIdentityPolicies";
import { policyJson } from "../../components/policyDocument";
import { buildS3AccessPolicy } from "../../components/s3AccessPolicy";
import { settled, settledRun, valueOf } from "../support/outputs";
import { engineIn, names } from "../support/componentEngine";
import { ACCOUNT_A, ACCOUNT_B, ISSUER, PROVIDER, CLUSTER, ROLE, SA } from "./bucketAccessWorld";

const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/team/reports-source`;
const FOREIGN_KEY = "arn:aws:kms:eu-west-1:999988887777:key/abc";

const grantArgs = (over: Partial<BucketAccessGrantArgs> = {}): BucketAccessGrantArgs => ({
  mechanisms: ["irsa", "pod-identity"],
  clusters: { prod: { issuerUrl: ISSUER, clusterArn: CLUSTER, sourceRoleArn: SOURCE } },
  serviceAccounts: [SA],
  buckets: [
    { name: "team-reports" },
    { name: "team-exports", create: true, access: "read-write", kmsKeyArn: FOREIGN_KEY },
  ],
  roleName: "reports",
  ...over,
});

describe("BucketAccessGrant (account B)", () => {
  it("registers one role trusting both paths, a policy per bucket, the provider and the created bucket", async () => {
    const engine = await engineIn(ACCOUNT_B);
    const grant = new BucketAccessGrant("reports", grantArgs());
    const handoff = await valueOf(grant.handoff);
    await settled();
    expect(names(engine)).to.have.members([
      "cross-account-irsa:index:BucketAccessGrant::reports",
      "cross-account-irsa:index:ClusterOidcProvider::reports-oidc-prod",
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider::reports-oidc-prod",
      "cross-account-irsa:index:SecureBucket::reports-team-exports",
      "aws:s3/bucket:Bucket::reports-team-exports",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::reports-team-exports-public-access",
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls::reports-team-exports-ownership",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration::reports-team-exports-encryption",
      "aws:s3/bucketVersioning:BucketVersioning::reports-team-exports-versioning",
      "aws:s3/bucketPolicy:BucketPolicy::reports-team-exports-tls-only",
      "aws:iam/role:Role::reports",
      "aws:iam/rolePolicy:RolePolicy::reports-s3-team-reports",
      "aws:iam/rolePolicy:RolePolicy::reports-s3-team-exports",
    ]);
    const component = engine.one("cross-account-irsa:index:BucketAccessGrant", "reports");
    for (const r of engine.resources.filter(
      (x) => x.type.startsWith("cross-account-irsa:index:") && x !== component,
    )) {
      expect(r.parent, `${r.name} is the grant's child`).to.equal(component.urn);
    }
    const role = engine.one("aws:iam/role:Role", "reports").inputs;
    const expected = buildGrantTrustPolicy({
      mechanisms: ["irsa", "pod-identity"],
      clusters: [
        [
          "prod",
          { issuerUrl: ISSUER, oidcProviderArn: PROVIDER, clusterArn: CLUSTER, sourceRoleArn: SOURCE },
        ],
      ],
      serviceAccounts: [SA],
    });
    expect(role.assumeRolePolicy).to.equal(policyJson(expected));
    expect(role.name).to.equal("reports");
    // The documented defaults (argsContract.test.ts reads the @default literals).
    expect(role.description).to.equal(BUCKET_ACCESS_GRANT_ROLE_DESCRIPTION);
    expect(role.maxSessionDuration).to.equal(3600);
    expect(role.path).to.equal("/");
    const policy = (n: string) => engine.one("aws:iam/rolePolicy:RolePolicy", n).inputs;
    expect(policy("reports-s3-team-reports")).to.include({
      name: "s3-team-reports",
      policy: policyJson(buildS3AccessPolicy({ bucketName: "team-reports" })),
    });
    expect(JSON.parse(policy("reports-s3-team-exports").policy as string)).to.deep.equal(
      buildS3AccessPolicy({ bucketName: "team-exports", access: "read-write", kmsKeyArn: FOREIGN_KEY }),
    );
    expect(engine.one("aws:s3/bucket:Bucket").inputs.bucket).to.equal("team-exports");
    expect(await valueOf(grant.bucketNames)).to.deep.equal(["team-reports", "team-exports"]);
    expect(handoff).to.deep.include({ version: 1, mechanisms: ["irsa", "pod-identity"], roleArn: ROLE });
    expect(handoff.clusters).to.deep.equal([
      {
        key: "prod",
        issuerUrl: ISSUER,
        oidcProviderArn: PROVIDER,
        clusterArn: CLUSTER,
        sourceRoleArn: SOURCE,
      },
    ]);
    const statements = await valueOf(grant.kmsKeyPolicyStatements);
    expect(Object.keys(statements)).to.deep.equal([FOREIGN_KEY]);
    expect(JSON.parse(statements[FOREIGN_KEY])).to.deep.include({ Principal: { AWS: ROLE } });
  });

  it("adopts an existing provider (read, never created) and takes computed arguments", async () => {
    const engine = await engineIn(ACCOUNT_B);
    const grant = new BucketAccessGrant(
      "g",
      grantArgs({
        mechanisms: ["irsa"],
        clusters: { prod: { issuerUrl: pulumi.output(ISSUER), oidcProviderArn: PROVIDER } },
        serviceAccounts: pulumi.output([SA]),
        buckets: [
          { name: "team-reports", kmsKeyArn: pulumi.output(`arn:aws:kms:eu-west-1:${ACCOUNT_B}:key/own`) },
        ],
        maxSessionDuration: pulumi.output(7200),
      }),
    );
    const handoff = await valueOf(grant.handoff);
    await settled();
    expect(
      engine.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((r) => r.read),
    ).to.deep.equal([true]);
    expect(engine.ofType("aws:s3/bucket:Bucket")).to.have.length(0);
    expect(engine.one("aws:iam/role:Role").inputs.maxSessionDuration).to.equal(7200);
    expect(handoff.clusters).to.deep.equal([{ key: "prod", issuerUrl: ISSUER, oidcProviderArn: PROVIDER }]);
    expect(await valueOf(grant.kmsKeyPolicyStatements), "a key of the role's own account").to.deep.equal({});
  });

  const refused: Array<[string, Partial<BucketAccessGrantArgs>, RegExp]> = [
    [
      "an unknown mechanism",
      { mechanisms: ["irsa", "irsa-typo" as never] },
      /^InputError: args\.mechanisms\[1\]: "irsa-typo" is invalid/,
    ],
    [
      "a cluster field no listed mechanism reads",
      { mechanisms: ["irsa"], clusters: { prod: { issuerUrl: ISSUER, clusterArn: pulumi.output(CLUSTER) } } },
      /^InputError: args\.clusters\.prod\.clusterArn: "\[an Output\]" is invalid: is read only by mechanism "pod-identity"/,
    ],
    [
      "clusters as one Output",
      { clusters: pulumi.output({ prod: { issuerUrl: ISSUER } }) as never },
      /^InputError: args\.clusters: "\[an Output\]" is invalid: must be a plain value, not an Output: its keys name child resources/,
    ],
    [
      "mechanisms as an Output",
      { mechanisms: pulumi.output(["irsa"]) as never },
      /^InputError: args\.mechanisms: "\[an Output\]" is invalid: must be a plain value, not an Output: it decides which resources exist/,
    ],
    [
      "a bucket listed twice",
      { buckets: [{ name: "a-data" }, { name: "a-data" }] },
      /^InputError: args\.buckets\[1\]\.name: "a-data" is invalid/,
    ],
    [
      "a bad path while the issuer is an Output",
      { mechanisms: ["irsa"], clusters: { prod: { issuerUrl: pulumi.output(ISSUER) } }, path: "bad" },
      /^InputError: args\.path: "bad" is invalid/,
    ],
    [
      "a trust over its size",
      {
        serviceAccounts: Array.from({ length: 5 }, (_, i) => ({
          namespace: `ns-${i}`,
          name: `service-account-${i}`,
        })),
      },
      /^PolicySizeError: args\.serviceAccounts: .*\(args\.maxTrustPolicySize\)/,
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
  mechanisms: ["irsa", "pod-identity"],
  roleArn: ROLE,
  serviceAccounts: [SA],
  clusters: [
    { key: "prod", issuerUrl: ISSUER, oidcProviderArn: PROVIDER, clusterArn: CLUSTER, sourceRoleArn: SOURCE },
  ],
  buckets: [{ name: "team-reports", access: "read", prefixes: [] }],
};

async function bind(over: Partial<BucketAccessBindingArgs>): Promise<MockEngine> {
  const engine = await engineIn(ACCOUNT_A);
  const binding = new BucketAccessBinding("reports", {
    handoff: pulumi.output(HANDOFF),
    mechanisms: ["irsa", "pod-identity"],
    clusterName: "prod",
    serviceAccount: SA,
    ...over,
  });
  await valueOf(binding.roleArn);
  await settled();
  return engine;
}

const serviceAccount = (engine: MockEngine): RecordedResource =>
  engine.one("kubernetes:core/v1:ServiceAccount", "reports");
const annotationsOf = (r: RecordedResource) =>
  (r.inputs.metadata as { annotations?: Record<string, string> }).annotations;

describe("BucketAccessBinding (account A)", () => {
  it("both paths (migration step 1): the annotation, the source role the grant names, the association; pods use IRSA", async () => {
    const engine = await bind({ probe: { objectKey: "probe.txt" } });
    expect(annotationsOf(serviceAccount(engine))).to.deep.include({ "eks.amazonaws.com/role-arn": ROLE });
    const source = engine.one("aws:iam/role:Role", "reports-source").inputs;
    expect(source).to.include({ name: "reports-source", path: "/team/" });
    expect(source.assumeRolePolicy).to.equal(
      policyJson(buildPodIdentitySourceTrustPolicy({ clusterArn: CLUSTER })),
    );
    expect(engine.one("aws:eks/podIdentityAssociation:PodIdentityAssociation").inputs).to.deep.include({
      clusterName: "prod",
      namespace: "apps",
      serviceAccount: "reports",
      roleArn: SOURCE,
      targetRoleArn: ROLE,
    });
    const job = JSON.stringify(engine.one("kubernetes:batch/v1:Job").inputs);
    expect(job, "the probe checks IRSA's injected credentials").to.include("AWS_WEB_IDENTITY_TOKEN_FILE");
    expect(job).to.not.include("podidentityassociation/");
  });

  it("Pod Identity only (migration step 2): the same ServiceAccount, no annotation; the probe checks Pod Identity", async () => {
    const step1 = await bind({});
    const urn1 = serviceAccount(step1).urn;
    const engine = await bind({ mechanisms: ["pod-identity"], probe: { objectKey: "probe.txt" } });
    expect(serviceAccount(engine).urn, "one URN both ways: an update, not a replacement").to.equal(urn1);
    expect(annotationsOf(serviceAccount(engine))).to.equal(undefined);
    const job = engine.one("kubernetes:batch/v1:Job").inputs as {
      spec: { template: { metadata: { annotations: Record<string, string> } } };
    };
    expect(JSON.stringify(job.spec.template.metadata.annotations)).to.include("podidentityassociation");
  });

  it("IRSA only: the annotation, nothing of Pod Identity; an adopted ServiceAccount is patched, never created", async () => {
    const engine = await bind({
      mechanisms: ["irsa"],
      clusterName: undefined,
      serviceAccount: { ...SA, create: false },
    });
    expect(engine.ofType("kubernetes:core/v1:ServiceAccount")).to.have.length(0);
    expect(engine.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")).to.have.length(0);
    const patch = engine.one("kubernetes:core/v1:ServiceAccountPatch", "reports-annotation").inputs;
    expect(patch.metadata).to.deep.include({ name: "reports", namespace: "apps" });
    expect(annotationsOf({ inputs: patch } as unknown as RecordedResource)).to.deep.include({
      "eks.amazonaws.com/role-arn": ROLE,
    });
  });

  it("installs the Pod Identity agent when asked, and the association waits for it", async () => {
    const engine = await bind({ mechanisms: ["pod-identity"], installPodIdentityAgent: true });
    const addon = engine.one("aws:eks/addon:Addon", "reports-agent");
    expect(addon.inputs).to.include({ clusterName: "prod", addonName: "eks-pod-identity-agent" });
    const identity = engine.one("cross-account-irsa:index:CrossAccountPodIdentity");
    // A component in dependsOn stands for its resources: the add-on.
    expect(identity.dependsOn).to.include(addon.urn);
    expect((await bind({ mechanisms: ["pod-identity"] })).ofType("aws:eks/addon:Addon")).to.have.length(0);
  });

  it("names the probe's Job and Deployment after probe.name, so two bindings' probes can share a namespace", async () => {
    const defaults = await bind({ probe: { objectKey: "probe.txt" } });
    const nameOf = (r: RecordedResource) => (r.inputs.metadata as { name: string }).name;
    expect(nameOf(defaults.one("kubernetes:apps/v1:Deployment"))).to.equal("s3-reader");
    expect(nameOf(defaults.one("kubernetes:batch/v1:Job"))).to.match(/^access-check-[0-9a-f]{10}$/);
    const named = await bind({ probe: { objectKey: "probe.txt", name: "reports" } });
    const deployment = named.one("kubernetes:apps/v1:Deployment");
    expect(nameOf(deployment)).to.equal("reports-reader");
    expect(nameOf(named.one("kubernetes:batch/v1:Job"))).to.match(/^reports-check-[0-9a-f]{10}$/);
    // The selector follows the name: two readers in one namespace never select each other's pods.
    expect(JSON.stringify((deployment.inputs.spec as { selector: unknown }).selector)).to.include(
      "reports-reader",
    );
  });

  it("exposes the access-check Job's name with a probe, and none without", async () => {
    const engine = await engineIn(ACCOUNT_A);
    const args = { handoff: pulumi.output(HANDOFF), mechanisms: ["irsa" as const], serviceAccount: SA };
    const probed = new BucketAccessBinding("reports", {
      ...args,
      probe: { objectKey: "probe.txt", name: "reports" },
    });
    const jobName = await valueOf(probed.accessCheckJobName!);
    await settled();
    expect(jobName).to.match(/^reports-check-[0-9a-f]{10}$/);
    expect(jobName).to.equal(
      (engine.one("kubernetes:batch/v1:Job").inputs.metadata as { name: string }).name,
    );
    expect(new BucketAccessBinding("plain", args).accessCheckJobName).to.equal(undefined);
  });

  const refused: Array<[string, Partial<BucketAccessBindingArgs>, RegExp]> = [
    [
      "a probe name longer than the Job name leaves room for",
      { probe: { objectKey: "probe.txt", name: "a".repeat(47) } },
      /^InputError: args\.probe\.name: "a{47}" is invalid: must be at most 46 characters/,
    ],
    [
      "a probe name that is not a DNS-1123 label",
      { probe: { objectKey: "probe.txt", name: "Reports" } },
      /^InputError: args\.probe\.name: "Reports" is invalid/,
    ],
    [
      "the agent without Pod Identity",
      { mechanisms: ["irsa"], clusterName: undefined, installPodIdentityAgent: true },
      /^InputError: args\.installPodIdentityAgent: true is invalid: is for mechanism "pod-identity"/,
    ],
    [
      "a cluster name IRSA does not read",
      { mechanisms: ["irsa"] },
      /^InputError: args\.clusterName: "prod" is invalid: is read only by mechanism "pod-identity"/,
    ],
    [
      "no cluster name with Pod Identity",
      { clusterName: undefined },
      /^InputError: args\.clusterName: undefined is invalid: is required by mechanism "pod-identity"/,
    ],
    [
      "an unknown service account field",
      { serviceAccount: { ...SA, nmae: "x" } as never },
      /^InputError: args\.serviceAccount\.nmae: "x" is invalid/,
    ],
    [
      "createNamespace for an adopted one",
      { serviceAccount: { ...SA, create: false, createNamespace: true } },
      /^InputError: args\.serviceAccount\.createNamespace: true is invalid/,
    ],
  ];
  for (const [label, over, message] of refused) {
    it(`refuses ${label}: once, before anything registers`, async () => {
      const engine = await engineIn(ACCOUNT_A);
      let thrown: unknown;
      try {
        new BucketAccessBinding("b", {
          handoff: pulumi.output(HANDOFF),
          mechanisms: ["irsa", "pod-identity"],
          clusterName: "prod",
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
