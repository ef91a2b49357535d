/**
 * What orders account-a's second run, under the mock engine (the registrations' dependencies and
 * which outputs feed which), so that a first real deploy converges: the associations wait for the
 * source role's permission, the access-check Job for the ServiceAccount and the associations, the
 * reader for the Job; the pod templates carry the association's ARN. And which namespace the run
 * creates: never one every cluster has, by default only on a cluster this stack creates.
 */
import { expect } from "chai";
import { MockEngine, type RecordedResource } from "../../engine/mockEngine";
import { captureConsole, outputValues, runOffline, runOnEngine } from "../../engine/offline";
import { ASSOCIATION_POD_ANNOTATION, ROLE_ARN_POD_ANNOTATION } from "../../components/podSecurity";
import { loadStackConfig } from "../../stacks/stackFile";
import { accountA, decideCreateNamespace } from "../../stacks/accountA";
import { accountB } from "../../stacks/accountB";

const IRSA_A = loadStackConfig("Pulumi.account-a.yaml").config;
const IRSA_B = loadStackConfig("Pulumi.account-b.yaml").config;
const PI_A = loadStackConfig("examples/pod-identity/Pulumi.account-a.yaml").config;
const PI_B = loadStackConfig("examples/pod-identity/Pulumi.account-b.yaml").config;
const A_STACK = "organization/cross-account-irsa/account-a";
const B_STACK = "organization/cross-account-irsa/account-b";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const JOB = "cross-account-irsa:index:AccessCheckJob";
const READER = "cross-account-irsa:index:S3ReaderDeployment";

function quietly<T>(run: () => Promise<T>): Promise<T> {
  const restore = captureConsole([]);
  return run().finally(restore);
}

/** account-a's first run, account-b reading it, then account-a's second run: its engine. */
async function secondRun(a: Record<string, string>, b: Record<string, string>) {
  const first = await quietly(() =>
    runOffline(accountA, { stack: "account-a", config: a, stackOutputs: {} }),
  );
  const bRun = await quietly(() =>
    runOffline(accountB, {
      stack: "account-b",
      config: b,
      stackOutputs: { [A_STACK]: outputValues(first.outputs) },
    }),
  );
  const bOutputs = outputValues(bRun.outputs);
  const run = await quietly(() =>
    runOffline(accountA, { stack: "account-a", config: a, stackOutputs: { [B_STACK]: bOutputs } }),
  );
  return { ...run, bOutputs };
}

function templateAnnotations(r: RecordedResource): Record<string, string> {
  return (r.inputs.spec as { template: { metadata: { annotations: Record<string, string> } } }).template
    .metadata.annotations;
}

describe("account-a's second run: what orders the registrations", () => {
  it("IRSA: the Job waits for the annotated ServiceAccount, the reader for the Job", async () => {
    const { engine } = await secondRun(IRSA_A, IRSA_B);
    const sa = engine.one("kubernetes:core/v1:ServiceAccount");
    const job = engine.one(JOB);
    const reader = engine.one(READER);
    expect(job.dependsOn).to.include(sa.urn);
    // Pulumi expands a dependency on a component to its children: the Job itself.
    expect(reader.dependsOn, "the reader's pods are admitted only after the check passed").to.include(
      engine.one("kubernetes:batch/v1:Job").urn,
    );
    expect(reader.dependsOn).to.include(sa.urn);
    const script = JSON.stringify(engine.one("kubernetes:batch/v1:Job").inputs.spec);
    expect(script)
      .to.include("AWS_WEB_IDENTITY_TOKEN_FILE")
      .and.not.include("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  });

  it("Pod Identity: permission → associations → Job → reader; both pod templates carry the association's ARN", async () => {
    const { engine, bOutputs } = await secondRun(PI_A, PI_B);
    const permission = engine.one("aws:iam/rolePolicy:RolePolicy");
    const associations = engine.ofType(ASSOCIATION);
    expect(associations).to.have.length(2);
    for (const a of associations) {
      expect(a.dependsOn, "EKS never hands out a chain the source role may not complete").to.include(
        permission.urn,
      );
    }
    const job = engine.one(JOB);
    const reader = engine.one(READER);
    for (const a of associations) expect(job.dependsOn).to.include(a.urn);
    expect(job.dependsOn).to.include(engine.one("kubernetes:core/v1:ServiceAccount").urn);
    expect(reader.dependsOn).to.include(engine.one("kubernetes:batch/v1:Job").urn);
    // The association of the workload's ServiceAccount (team-a/s3-reader) feeds both templates.
    const own = associations.find(
      (a) => a.inputs.namespace === "team-a" && a.inputs.serviceAccount === "s3-reader",
    );
    const arn = own?.state.associationArn as string;
    expect(arn).to.match(/^arn:aws:eks:eu-west-1:\d{12}:podidentityassociation\//);
    for (const r of [engine.one("kubernetes:apps/v1:Deployment"), engine.one("kubernetes:batch/v1:Job")]) {
      expect(templateAnnotations(r), r.type).to.deep.equal({
        [ROLE_ARN_POD_ANNOTATION]: bOutputs.roleArn,
        [ASSOCIATION_POD_ANNOTATION]: arn,
      });
    }
    const script = JSON.stringify(engine.one("kubernetes:batch/v1:Job").inputs.spec);
    expect(script)
      .to.include("AWS_CONTAINER_CREDENTIALS_FULL_URI")
      .and.not.include("AWS_WEB_IDENTITY_TOKEN_FILE");
    expect(script).to.not.include("is the ServiceAccount annotated with that role");
  });
});

describe("account-a's second run: which namespace it creates", () => {
  const inNamespace = (namespace: string) => ({
    a: { ...IRSA_A, "cross-account-irsa:serviceAccount": JSON.stringify({ namespace, name: "s3-reader" }) },
    b: {
      ...IRSA_B,
      "cross-account-irsa:serviceAccounts": JSON.stringify([{ namespace, name: "s3-reader" }]),
    },
  });
  const namespaces = (engine: MockEngine) =>
    engine.ofType("kubernetes:core/v1:Namespace").map((r) => (r.inputs.metadata as { name: string }).name);

  it("a cluster this stack creates: the workload's namespace, unless asked not to", async () => {
    expect(namespaces((await secondRun(IRSA_A, IRSA_B)).engine)).to.deep.equal(["irsa-demo"]);
    const off = { ...IRSA_A, "cross-account-irsa:createNamespace": "false" };
    expect(namespaces((await secondRun(off, IRSA_B)).engine)).to.deep.equal([]);
  });

  for (const namespace of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    it(`never "${namespace}", which every cluster has (creating it fails the update with "already exists")`, async () => {
      const { a, b } = inNamespace(namespace);
      const { engine } = await secondRun(a, b);
      expect(namespaces(engine)).to.deep.equal([]);
      expect(engine.one("kubernetes:core/v1:ServiceAccount").inputs.metadata).to.include({ namespace });
    });
  }

  it('createNamespace: true for "default" is refused, naming the key, before anything in the cluster', async () => {
    const { a, b } = inNamespace("default");
    const first = await quietly(() =>
      runOffline(accountA, { stack: "account-a", config: a, stackOutputs: {} }),
    );
    const bRun = await quietly(() =>
      runOffline(accountB, {
        stack: "account-b",
        config: b,
        stackOutputs: { [A_STACK]: outputValues(first.outputs) },
      }),
    );
    const engine = new MockEngine({
      stack: "account-a",
      config: { ...a, "cross-account-irsa:createNamespace": "true" },
      stackOutputs: { [B_STACK]: outputValues(bRun.outputs) },
    });
    const error = await quietly(() => runOnEngine(engine, accountA)).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.match(
      /cross-account-irsa:createNamespace: true is invalid: cannot create namespace "default"/,
    );
    expect(engine.resources.filter((r) => r.type.startsWith("kubernetes:") && r.custom)).to.deep.equal([]);
  });

  it("an adopted cluster: not created unless asked (its namespaces are its owner's)", async () => {
    const adopted = { ...IRSA_A, "cross-account-irsa:cluster": '{"existingName":"prod-1"}' };
    expect(namespaces((await secondRun(adopted, IRSA_B)).engine)).to.deep.equal([]);
    const asked = { ...adopted, "cross-account-irsa:createNamespace": "true" };
    expect(namespaces((await secondRun(asked, IRSA_B)).engine)).to.deep.equal(["irsa-demo"]);
  });

  it("decideCreateNamespace: configured wins, except for a system namespace; unset follows the cluster", () => {
    expect(decideCreateNamespace(undefined, "apps", false)).to.equal(true);
    expect(decideCreateNamespace(undefined, "apps", true)).to.equal(false);
    expect(decideCreateNamespace(undefined, "default", false)).to.equal(false);
    expect(decideCreateNamespace(false, "apps", false)).to.equal(false);
    expect(decideCreateNamespace(true, "apps", true)).to.equal(true);
    expect(decideCreateNamespace(false, "kube-system", false)).to.equal(false);
    expect(() => decideCreateNamespace(true, "kube-system", false)).to.throw(/kube-system/);
  });
});
