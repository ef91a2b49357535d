/**
 * The five EKS Pod Identity components under the mock engine: what each registers (types, parents,
 * exact inputs), its outputs, and Output inputs resolved later. Bad input: podIdentityComponentsErrors.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { type MockEngine, type RecordedResource } from "../../engine/mockEngine";
import { PodIdentitySourceRole } from "../../components/podIdentitySourceRole";
import { PodIdentityTargetRole } from "../../components/podIdentityTargetRole";
import { PodIdentityAgent } from "../../components/podIdentityAgent";
import { PodIdentityServiceAccount } from "../../components/podIdentityServiceAccount";
import { CrossAccountPodIdentity } from "../../components/crossAccountPodIdentity";
import {
  buildPodIdentitySourcePermissionPolicy,
  buildPodIdentitySourceTrustPolicy,
  buildPodIdentityTargetTrustPolicy,
} from "../../components/podIdentityPolicies";
import { policyJson, type PolicyDocument } from "../../components/policyDocument";
import { buildS3AccessPolicy } from "../../components/s3AccessPolicy";
import { settled, valueOf } from "../support/outputs";
import { childrenOf, engineIn, token } from "../support/componentEngine";

const ACCOUNT_A = "111122223333";
const ACCOUNT_B = "222233334444";
const CLUSTER = `arn:aws:eks:eu-west-1:${ACCOUNT_A}:cluster/prod`;
const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/pod-source`;
const TARGET = `arn:aws:iam::${ACCOUNT_B}:role/pod-target`;
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ADDON = "aws:eks/addon:Addon";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const NAMESPACE = "kubernetes:core/v1:Namespace";

const metadata = (r: RecordedResource) => r.inputs.metadata as Record<string, unknown>;

describe("PodIdentitySourceRole", () => {
  let engine: MockEngine;
  beforeEach(async () => (engine = await engineIn(ACCOUNT_A)));

  it("registers one role trusting pods.eks.amazonaws.com for this cluster only, and outputs it", async () => {
    const role = new PodIdentitySourceRole("source", {
      clusterArn: CLUSTER,
      roleName: "pod-source",
      path: "/pod-identity/",
      tags: { team: "data" },
    });
    expect(await valueOf(role.roleArn)).to.equal(`arn:aws:iam::${ACCOUNT_A}:role/pod-identity/pod-source`);
    expect(await valueOf(role.roleName)).to.equal("pod-source");
    await settled();
    const children = childrenOf(engine, "PodIdentitySourceRole", "source");
    expect(children.map((r) => r.type)).to.deep.equal([ROLE]);
    const expected = policyJson(buildPodIdentitySourceTrustPolicy({ clusterArn: CLUSTER }));
    expect(children[0].inputs).to.deep.equal({
      name: "pod-source",
      path: "/pod-identity/",
      assumeRolePolicy: expected,
      description: "EKS Pod Identity source role (managed by cross-account-irsa)",
      maxSessionDuration: 3600,
      tags: { team: "data" },
    });
    expect(await valueOf(role.trustPolicy)).to.equal(expected);
    const trust = JSON.parse(expected) as PolicyDocument;
    expect(trust.Statement[0].Principal).to.deep.equal({ Service: "pods.eks.amazonaws.com" });
    expect(trust.Statement[0].Condition).to.deep.equal({
      StringEquals: { "aws:RequestTag/eks-cluster-arn": CLUSTER },
    });
  });

  it("builds the trust once an Output clusterArn resolves, with an auto-generated name", async () => {
    const role = new PodIdentitySourceRole("source", {
      clusterArn: pulumi.output(CLUSTER),
      description: "mine",
      permissionsBoundary: `arn:aws:iam::${ACCOUNT_A}:policy/boundary`,
    });
    const roleName = await valueOf(role.roleName);
    expect(roleName).to.match(/^source-[0-9a-f]{7}$/);
    expect(await valueOf(role.roleArn)).to.equal(`arn:aws:iam::${ACCOUNT_A}:role/${roleName}`);
    await settled();
    const sent = engine.one(ROLE).inputs;
    expect(sent).to.not.have.property("name");
    expect(sent).to.include({
      assumeRolePolicy: policyJson(buildPodIdentitySourceTrustPolicy({ clusterArn: CLUSTER })),
      description: "mine",
      permissionsBoundary: `arn:aws:iam::${ACCOUNT_A}:policy/boundary`,
    });
  });
});

describe("PodIdentityTargetRole", () => {
  let engine: MockEngine;
  beforeEach(async () => (engine = await engineIn(ACCOUNT_B)));

  const serviceAccounts = [
    { namespace: "jobs", name: "exporter" },
    { namespace: "apps", name: "reader" },
    { namespace: "apps", name: "writer" },
  ];

  it("registers the role with one trust statement per namespace, and its permission policies", async () => {
    const s3 = JSON.stringify(buildS3AccessPolicy({ bucketName: "team-bucket" }));
    const role = new PodIdentityTargetRole("target", {
      sourceRoleArn: SOURCE,
      clusterArn: CLUSTER,
      serviceAccounts,
      roleName: "pod-target",
      inlinePolicies: { access: s3 },
      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      maxSessionDuration: 7200,
    });
    expect(await valueOf(role.roleArn)).to.equal(TARGET);
    expect(await valueOf(role.roleName)).to.equal("pod-target");
    await settled();
    const children = childrenOf(engine, "PodIdentityTargetRole", "target");
    const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
    expect(children.map((r) => r.type).sort()).to.deep.equal([ROLE, ROLE_POLICY, ATTACHMENT]);
    const expected = policyJson(
      buildPodIdentityTargetTrustPolicy({ sourceRoleArn: SOURCE, clusterArn: CLUSTER, serviceAccounts }),
    );
    expect(engine.one(ROLE).inputs).to.include({
      name: "pod-target",
      path: "/",
      assumeRolePolicy: expected,
      description: "EKS Pod Identity target role (managed by cross-account-irsa)",
      maxSessionDuration: 7200,
    });
    expect(await valueOf(role.trustPolicy)).to.equal(expected);
    const trust = JSON.parse(expected) as PolicyDocument;
    expect(trust.Statement.map((s) => s.Condition?.StringEquals)).to.deep.equal([
      {
        "aws:RequestTag/eks-cluster-arn": CLUSTER,
        "aws:RequestTag/kubernetes-namespace": "apps",
        "aws:RequestTag/kubernetes-service-account": ["reader", "writer"],
      },
      {
        "aws:RequestTag/eks-cluster-arn": CLUSTER,
        "aws:RequestTag/kubernetes-namespace": "jobs",
        "aws:RequestTag/kubernetes-service-account": "exporter",
      },
    ]);
    for (const s of trust.Statement) {
      expect(s.Principal).to.deep.equal({ AWS: `arn:aws:iam::${ACCOUNT_A}:root` });
      expect(s.Condition?.ArnEquals).to.deep.equal({ "aws:PrincipalArn": SOURCE });
      expect(s.Action).to.deep.equal(["sts:AssumeRole", "sts:TagSession"]);
    }
    expect(engine.one(ROLE_POLICY).inputs).to.deep.equal({ role: "pod-target", name: "access", policy: s3 });
    expect(engine.one(ATTACHMENT).inputs).to.deep.equal({
      role: "pod-target",
      policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
    });
  });

  it("builds the trust once Output inputs (sourceRoleArn, clusterArn, a service account) resolve", async () => {
    const role = new PodIdentityTargetRole("target", {
      sourceRoleArn: pulumi.output(SOURCE),
      clusterArn: pulumi.output(CLUSTER),
      serviceAccounts: [pulumi.output(serviceAccounts[0]), serviceAccounts[1]],
      maxTrustPolicySize: 4096,
    });
    const expected = policyJson(
      buildPodIdentityTargetTrustPolicy({
        sourceRoleArn: SOURCE,
        clusterArn: CLUSTER,
        serviceAccounts: serviceAccounts.slice(0, 2),
      }),
    );
    expect(await valueOf(role.trustPolicy)).to.equal(expected);
    await valueOf(role.roleArn);
    await settled();
    expect(engine.one(ROLE).inputs.assumeRolePolicy).to.equal(expected);
  });
});

describe("PodIdentityAgent", () => {
  let engine: MockEngine;
  beforeEach(async () => (engine = await engineIn(ACCOUNT_A)));

  it("installs the eks-pod-identity-agent add-on, the version EKS picks when none is given", async () => {
    const agent = new PodIdentityAgent("agent", { clusterName: "prod", tags: { team: "data" } });
    expect(await valueOf(agent.addonName)).to.equal("eks-pod-identity-agent");
    expect(await valueOf(agent.addonVersion)).to.equal("v1.3.8-eksbuild.2"); // the engine's default
    await settled();
    const children = childrenOf(engine, "PodIdentityAgent", "agent");
    expect(children.map((r) => r.type)).to.deep.equal([ADDON]);
    expect(children[0].inputs).to.deep.equal({
      clusterName: "prod",
      addonName: "eks-pod-identity-agent",
      tags: { team: "data" },
    });
  });

  it("pins the given version, with clusterName and addonVersion as Outputs", async () => {
    const agent = new PodIdentityAgent("agent", {
      clusterName: pulumi.output("prod"),
      addonVersion: pulumi.output("v1.3.10-eksbuild.1"),
    });
    expect(await valueOf(agent.addonVersion)).to.equal("v1.3.10-eksbuild.1");
    await settled();
    expect(engine.one(ADDON).inputs).to.deep.equal({
      clusterName: "prod",
      addonName: "eks-pod-identity-agent",
      addonVersion: "v1.3.10-eksbuild.1",
    });
  });
});

describe("PodIdentityServiceAccount", () => {
  let engine: MockEngine;
  beforeEach(async () => (engine = await engineIn(ACCOUNT_A)));

  it("creates the ServiceAccount, named exactly, with no annotations at all, and no Namespace", async () => {
    const sa = new PodIdentityServiceAccount("reader", { namespace: "apps", name: "s3-reader" });
    expect(await valueOf(sa.name)).to.equal("s3-reader");
    expect(await valueOf(sa.namespace)).to.equal("apps");
    await settled();
    const children = childrenOf(engine, "PodIdentityServiceAccount", "reader");
    expect(children.map((r) => r.type)).to.deep.equal([SERVICE_ACCOUNT]);
    expect(engine.ofType(NAMESPACE)).to.have.length(0);
    expect(children[0].inputs).to.deep.equal({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: "s3-reader",
        namespace: "apps",
        labels: { "app.kubernetes.io/part-of": "cross-account-irsa" },
      },
    });
  });

  it("creates the Namespace first with createNamespace: true, both labelled, from Output inputs", async () => {
    const sa = new PodIdentityServiceAccount("reader", {
      namespace: pulumi.output("apps"),
      name: pulumi.output("s3-reader"),
      labels: { team: pulumi.output("data") },
      createNamespace: true,
    });
    expect(await valueOf(sa.namespace)).to.equal("apps");
    await settled();
    const children = childrenOf(engine, "PodIdentityServiceAccount", "reader");
    expect(children.map((r) => [r.type, r.name])).to.deep.equal([
      [NAMESPACE, "reader-namespace"],
      [SERVICE_ACCOUNT, "reader"],
    ]);
    const labels = { "app.kubernetes.io/part-of": "cross-account-irsa", team: "data" };
    expect(metadata(children[0])).to.deep.equal({ name: "apps", labels });
    expect(metadata(children[1])).to.deep.equal({ name: "s3-reader", namespace: "apps", labels });
    expect(children[1].dependsOn, "the ServiceAccount waits for its Namespace").to.include(children[0].urn);
  });
});

describe("CrossAccountPodIdentity", () => {
  let engine: MockEngine;
  beforeEach(async () => (engine = await engineIn(ACCOUNT_A)));

  const serviceAccounts = [
    { namespace: "apps", name: "reader" },
    { namespace: "jobs", name: "reader" },
  ];

  it("grants the source role the chain into the target, then one association per service account", async () => {
    const c = new CrossAccountPodIdentity("xa", {
      clusterName: "prod",
      sourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/pod-identity/pod-source`,
      targetRoleArn: TARGET,
      serviceAccounts,
      tags: { team: "data" },
    });
    const arns = await valueOf(c.associationArns);
    await settled();
    const children = childrenOf(engine, "CrossAccountPodIdentity", "xa");
    // The associations wait for the RolePolicy (dependsOn), so it registers first.
    expect([children[0].type, children[0].name]).to.deep.equal([ROLE_POLICY, "xa-assume-target"]);
    const associations = children.slice(1);
    expect(associations.map((r) => r.type)).to.deep.equal([ASSOCIATION, ASSOCIATION]);
    expect(associations.map((r) => r.name).sort()).to.deep.equal(["xa-apps-reader", "xa-jobs-reader"]);
    const policy = policyJson(buildPodIdentitySourcePermissionPolicy({ targetRoleArn: TARGET }));
    // The role's NAME (without its path), as aws.iam.RolePolicy takes it.
    expect(children[0].inputs).to.deep.equal({ role: "pod-source", name: "assume-target-role", policy });
    expect(await valueOf(c.sourcePermissionPolicy)).to.equal(policy);
    for (const sa of serviceAccounts) {
      const association = engine.one(ASSOCIATION, `xa-${sa.namespace}-${sa.name}`);
      expect(association.inputs).to.deep.equal({
        clusterName: "prod",
        namespace: sa.namespace,
        serviceAccount: sa.name,
        roleArn: `arn:aws:iam::${ACCOUNT_A}:role/pod-identity/pod-source`,
        targetRoleArn: TARGET,
        tags: { team: "data" },
      });
      expect(association.inputs, "session tags stay on").to.not.have.property("disableSessionTags");
      expect(association.dependsOn, "waits for the RolePolicy").to.include(children[0].urn);
    }
    expect(arns).to.deep.equal({
      "apps/reader": engine.one(ASSOCIATION, "xa-apps-reader").state.associationArn,
      "jobs/reader": engine.one(ASSOCIATION, "xa-jobs-reader").state.associationArn,
    });
    expect(arns["apps/reader"]).to.match(
      new RegExp(`^arn:aws:eks:eu-west-1:${ACCOUNT_A}:podidentityassociation/prod/a-[0-9a-f]{17}$`),
    );
  });

  it("takes both roles as Outputs: the source role's name and ARN, straight from PodIdentitySourceRole", async () => {
    const source = new PodIdentitySourceRole("source", { clusterArn: CLUSTER, roleName: "pod-source" });
    const c = new CrossAccountPodIdentity("xa", {
      clusterName: pulumi.output("prod"),
      sourceRoleArn: source.roleArn,
      targetRoleArn: pulumi.output(TARGET),
      serviceAccounts: [serviceAccounts[0]],
    });
    expect(Object.keys(await valueOf(c.associationArns))).to.deep.equal(["apps/reader"]);
    await settled();
    expect(engine.one(ROLE_POLICY).inputs.role).to.equal("pod-source");
    expect(engine.one(ASSOCIATION).inputs).to.include({ roleArn: SOURCE, targetRoleArn: TARGET });
    const role = engine.one(ROLE);
    expect(engine.byUrn(role.parent)?.type).to.equal(token("PodIdentitySourceRole"));
    expect(engine.one(ROLE_POLICY).dependsOn, "the policy waits for the source role").to.include(role.urn);
  });
});
