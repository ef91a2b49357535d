/**
 * BucketAccessBinding with what single-grant account-a hands it: adopted source roles (Pod Identity's
 * and irsa-chained's, registered before account B's grant existed), the associations of every
 * service account the grant trusts, the chained ConfigMap's name, and aliases for its resources.
 * What it registers, what it refuses (naming the argument), and that each refusal happens before
 * anything Kubernetes registers.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { BucketAccessBinding, type BucketAccessBindingArgs } from "../../components/bucketAccessBinding";
import { type BucketAccessHandoff } from "../../components/bucketAccessHandoff";
import { settled } from "../support/outputs";

const ACCOUNT_A = "111122223333";
const ACCOUNT_B = "222233334444";
const CLUSTER = `arn:aws:eks:eu-west-1:${ACCOUNT_A}:cluster/prod`;
const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/pod-identity-source-1a2b3c4`;
const CHAINED = `arn:aws:iam::${ACCOUNT_A}:role/irsa-chained-source-5d6e7f8`;
const ROLE = `arn:aws:iam::${ACCOUNT_B}:role/reports`;
const SA = { namespace: "apps", name: "reports" };
const OTHER = { namespace: "batch", name: "writer" };

const HANDOFF: BucketAccessHandoff = {
  version: 1,
  mechanisms: ["pod-identity", "irsa-chained"],
  roleArn: ROLE,
  serviceAccounts: [SA, OTHER],
  clusters: [{ key: "cluster", clusterArn: CLUSTER, sourceRoleArn: SOURCE, chainedSourceRoleArn: CHAINED }],
  buckets: [{ name: "team-reports", access: "read", prefixes: [] }],
};

/** Runs a binding in account A; what the engine registered and the rejections reported. */
async function run(args: BucketAccessBindingArgs): Promise<{ engine: MockEngine; errors: string }> {
  const engine = new MockEngine({
    config: { "aws:region": "eu-west-1", "aws:allowedAccountIds": `["${ACCOUNT_A}"]` },
  });
  await engine.install();
  const unhandled: unknown[] = [];
  const listener = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", listener);
  try {
    new BucketAccessBinding("reports", args);
    await settled();
  } finally {
    process.off("unhandledRejection", listener);
  }
  return { engine, errors: unhandled.map(String).join("\n") };
}

/** The error a binding's constructor throws. */
function refusal(args: BucketAccessBindingArgs): string {
  try {
    new BucketAccessBinding("reports", args);
  } catch (e) {
    return String(e);
  }
  throw new Error("expected the binding to refuse its arguments");
}

const podIdentity = (over: Partial<BucketAccessBindingArgs> = {}): BucketAccessBindingArgs => ({
  handoff: pulumi.output(HANDOFF),
  mechanisms: ["pod-identity"],
  clusterName: "prod",
  serviceAccount: SA,
  podIdentitySourceRoleArn: SOURCE,
  ...over,
});

const chained = (over: Partial<BucketAccessBindingArgs> = {}): BucketAccessBindingArgs => ({
  handoff: pulumi.output(HANDOFF),
  mechanisms: ["irsa-chained"],
  serviceAccount: SA,
  chainedSourceRoleArn: CHAINED,
  ...over,
});

describe("BucketAccessBinding with an adopted Pod Identity source role", () => {
  it("registers no source role; the permission and the association name the adopted one", async () => {
    const { engine, errors } = await run(podIdentity());
    expect(errors).to.equal("");
    expect(engine.ofType("aws:iam/role:Role")).to.have.length(0);
    expect(engine.one("aws:iam/rolePolicy:RolePolicy").inputs.role).to.equal("pod-identity-source-1a2b3c4");
    const association = engine.one("aws:eks/podIdentityAssociation:PodIdentityAssociation");
    expect(association.inputs).to.include({
      roleArn: SOURCE,
      targetRoleArn: ROLE,
      serviceAccount: "reports",
    });
  });

  it("associates every service account podIdentityServiceAccounts lists, in its order", async () => {
    const { engine, errors } = await run(podIdentity({ podIdentityServiceAccounts: [OTHER, SA] }));
    expect(errors).to.equal("");
    const associations = engine.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation");
    expect(
      associations.map((a) => `${String(a.inputs.namespace)}/${String(a.inputs.serviceAccount)}`),
    ).to.deep.equal(["batch/writer", "apps/reports"]);
    // One ServiceAccount: the binding's own; the other's owner creates it.
    expect(engine.ofType("kubernetes:core/v1:ServiceAccount")).to.have.length(1);
  });

  it("refuses an adopted role that is not the one the handoff names: no association, no pod", async () => {
    const other = `arn:aws:iam::${ACCOUNT_A}:role/someone-else`;
    const { engine, errors } = await run(
      podIdentity({ podIdentitySourceRoleArn: pulumi.output(other), probe: { objectKey: "probe.txt" } }),
    );
    expect(errors).to.match(
      /args\.podIdentitySourceRoleArn: "arn:aws:iam::111122223333:role\/someone-else" is invalid: must be the source role account B trusts: the handoff names arn:aws:iam::\d+:role\/\S+ \(args\.handoff\.clusters\[\]\.sourceRoleArn\); adopt that role/,
    );
    for (const type of [
      "aws:iam/rolePolicy:RolePolicy",
      "aws:eks/podIdentityAssociation:PodIdentityAssociation",
      "kubernetes:batch/v1:Job",
      "kubernetes:apps/v1:Deployment",
    ]) {
      expect(engine.ofType(type), type).to.have.length(0);
    }
  });

  it("refuses a service account to associate that the grant does not trust, naming it", async () => {
    const { engine, errors } = await run(
      podIdentity({ podIdentityServiceAccounts: [SA, { namespace: "x", name: "y" }] }),
    );
    expect(errors).to.match(
      /args\.podIdentityServiceAccounts\[1\]: \{"namespace":"x","name":"y"\} is invalid: is not among the service accounts account B's grant trusts/,
    );
    expect(engine.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")).to.have.length(0);
  });

  it("refuses, when constructed, a list without the binding's own, a duplicate, a malformed ARN and the fields without pod-identity", () => {
    expect(refusal(podIdentity({ podIdentityServiceAccounts: [OTHER] }))).to.match(
      /args\.podIdentityServiceAccounts: .* must list args\.serviceAccount \(apps\/reports\)/,
    );
    expect(refusal(podIdentity({ podIdentityServiceAccounts: [SA, SA] }))).to.match(
      /args\.podIdentityServiceAccounts\[1\]: .* is listed twice/,
    );
    expect(refusal(podIdentity({ podIdentitySourceRoleArn: "not-an-arn" }))).to.match(
      /args\.podIdentitySourceRoleArn: "not-an-arn"/,
    );
    expect(refusal(chained({ podIdentitySourceRoleArn: SOURCE }))).to.match(
      /args\.podIdentitySourceRoleArn: .* is read only by mechanism "pod-identity"/,
    );
    expect(refusal(chained({ podIdentityServiceAccounts: [SA] }))).to.match(
      /args\.podIdentityServiceAccounts: .* is read only by mechanism "pod-identity"/,
    );
  });
});

describe("BucketAccessBinding with an adopted irsa-chained source role", () => {
  it("registers no OIDC provider and no role; the annotation and the profile name the adopted role; the ConfigMap takes chainedConfigMapName", async () => {
    const { engine, errors } = await run(chained({ chainedConfigMapName: "cross-account-irsa-aws-config" }));
    expect(errors).to.equal("");
    expect(engine.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")).to.have.length(0);
    expect(engine.ofType("aws:iam/role:Role")).to.have.length(0);
    expect(engine.ofType("aws:iam/rolePolicy:RolePolicy")).to.have.length(0);
    const sa = engine.one("kubernetes:core/v1:ServiceAccount").inputs.metadata as {
      annotations: Record<string, string>;
    };
    expect(sa.annotations["eks.amazonaws.com/role-arn"]).to.equal(CHAINED);
    const cm = engine.one("kubernetes:core/v1:ConfigMap");
    expect((cm.inputs.metadata as { name: string }).name).to.equal("cross-account-irsa-aws-config");
    expect(JSON.stringify(cm.inputs.data)).to.contain(CHAINED).and.to.contain(ROLE);
  });

  it("names the ConfigMap after the ServiceAccount by default", async () => {
    const { engine } = await run(chained());
    expect((engine.one("kubernetes:core/v1:ConfigMap").inputs.metadata as { name: string }).name).to.equal(
      "reports-aws-config",
    );
  });

  it("refuses an adopted role that is not the one the handoff names, before anything Kubernetes registers", async () => {
    const { engine, errors } = await run(
      chained({ chainedSourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/someone-else` }),
    );
    expect(errors).to.match(
      /args\.chainedSourceRoleArn: "arn:aws:iam::111122223333:role\/someone-else" is invalid: must be the source role account B trusts: the handoff names .* \(args\.handoff\.clusters\[\]\.chainedSourceRoleArn\)/,
    );
    expect(engine.ofType("kubernetes:core/v1:ServiceAccount")).to.have.length(0);
    expect(engine.ofType("kubernetes:core/v1:ConfigMap")).to.have.length(0);
  });

  it("refuses, when constructed, issuerUrl or existingOidcProviderArn beside it, and the fields without irsa-chained", () => {
    expect(refusal(chained({ issuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC" }))).to.match(
      /args\.issuerUrl: .* args\.chainedSourceRoleArn adopts the source role: remove one of them/,
    );
    expect(
      refusal(
        chained({
          existingOidcProviderArn: `arn:aws:iam::${ACCOUNT_A}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC`,
        }),
      ),
    ).to.match(/args\.existingOidcProviderArn: .* remove one of them/);
    expect(refusal(podIdentity({ chainedSourceRoleArn: CHAINED }))).to.match(
      /args\.chainedSourceRoleArn: .* is read only by mechanism "irsa-chained"/,
    );
    expect(refusal(podIdentity({ chainedConfigMapName: "x" }))).to.match(
      /args\.chainedConfigMapName: "x" .*is read only by mechanism "irsa-chained"/,
    );
    expect(refusal(chained({ chainedConfigMapName: "Not_A_Name" }))).to.match(
      /args\.chainedConfigMapName: "Not_A_Name"/,
    );
  });
});

describe("BucketAccessBinding childAliases", () => {
  it("passes each part's aliases (earlier URNs) to its resource (its children follow)", async () => {
    const top = (type: string, name: string) => `urn:pulumi:test::cross-account-irsa::${type}::${name}`;
    const { engine, errors } = await run(
      podIdentity({
        serviceAccount: { ...SA, createNamespace: true },
        probe: { objectKey: "probe.txt" },
        childAliases: {
          serviceAccount: [top("kubernetes:core/v1:ServiceAccount", "old-sa")],
          namespace: [top("kubernetes:core/v1:Namespace", "old-ns")],
          podIdentity: [top("cross-account-irsa:index:CrossAccountPodIdentity", "old-identity")],
          accessCheck: [top("cross-account-irsa:index:AccessCheckJob", "old-check")],
          reader: [top("cross-account-irsa:index:S3ReaderDeployment", "old-reader")],
        },
      }),
    );
    expect(errors).to.equal("");
    expect(engine.one("kubernetes:core/v1:ServiceAccount").aliases).to.include(
      top("kubernetes:core/v1:ServiceAccount", "old-sa"),
    );
    expect(engine.one("kubernetes:core/v1:Namespace").aliases).to.include(
      top("kubernetes:core/v1:Namespace", "old-ns"),
    );
    expect(engine.one("cross-account-irsa:index:CrossAccountPodIdentity").aliases).to.deep.equal([
      top("cross-account-irsa:index:CrossAccountPodIdentity", "old-identity"),
    ]);
    // A child whose name the parent's prefixes follows under the parent's old name.
    expect(engine.one("aws:iam/rolePolicy:RolePolicy").aliases).to.include(
      "urn:pulumi:test::cross-account-irsa::cross-account-irsa:index:CrossAccountPodIdentity$aws:iam/rolePolicy:RolePolicy::old-identity-assume-target",
    );
    expect(engine.one("cross-account-irsa:index:AccessCheckJob").aliases).to.include(
      top("cross-account-irsa:index:AccessCheckJob", "old-check"),
    );
    expect(engine.one("cross-account-irsa:index:S3ReaderDeployment").aliases).to.include(
      top("cross-account-irsa:index:S3ReaderDeployment", "old-reader"),
    );
  });

  it("refuses an unknown part and a part that is not a list, naming it", () => {
    expect(refusal(podIdentity({ childAliases: { role: [] } as never }))).to.match(
      /args\.childAliases\.role: .* is not a part of the binding/,
    );
    expect(refusal(podIdentity({ childAliases: { reader: "old" } as never }))).to.match(
      /args\.childAliases\.reader: .* must be a list of earlier URNs/,
    );
  });
});
