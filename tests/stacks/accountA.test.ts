import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { captureConsole, runOffline, runOnEngine, outputValues } from "../../engine/offline";
import { loadStackConfig } from "../../stacks/stackFile";
import { accountA, WORKLOAD_SKIPPED } from "../../stacks/accountA";
import { accountB } from "../../stacks/accountB";

const A = loadStackConfig("Pulumi.account-a.yaml");
const B = loadStackConfig("Pulumi.account-b.yaml");
const A_STACK = "organization/cross-account-irsa/account-a";
const B_STACK = "organization/cross-account-irsa/account-b";

let bOutputs: Promise<Record<string, unknown>> | undefined;
/**
 * account-a, then account-b reading it, as the real order does; returns account-b's outputs. The same
 * two runs for every test of this file: run once, each test gets its own copy.
 */
async function accountBOutputs(): Promise<Record<string, unknown>> {
  bOutputs ??= runAccountB().catch((error: unknown) => {
    bOutputs = undefined; // a failure is each test's own, not remembered for the next
    throw error;
  });
  return structuredClone(await bOutputs);
}

async function runAccountB(): Promise<Record<string, unknown>> {
  const log: string[] = []; // the first run's note that account-b has no outputs yet
  const restore = captureConsole(log);
  const first = await runOffline(accountA, {
    stack: "account-a",
    config: A.config,
    stackOutputs: {},
  }).finally(restore);
  expect(
    log.filter((l) => !l.startsWith("info: ")),
    log.join("\n"),
  ).to.deep.equal([]);
  const b = await runOffline(accountB, {
    stack: "account-b",
    config: B.config,
    stackOutputs: { [A_STACK]: outputValues(first.outputs) },
  });
  return outputValues(b.outputs);
}

/** What the runs of {@link runA} logged (`pulumi.log`), newest run last. */
const logged: string[][] = [];

function runA(bOutputs: Record<string, unknown>, config = A.config) {
  const log: string[] = [];
  logged.push(log);
  const restore = captureConsole(log);
  return runOffline(accountA, { stack: "account-a", config, stackOutputs: { [B_STACK]: bOutputs } })
    .finally(restore)
    .then((run) => {
      // A run that succeeds says at most what it skipped (info); nothing warns.
      expect(
        log.filter((l) => !l.startsWith("info: ")),
        log.join("\n"),
      ).to.deep.equal([]);
      return run;
    });
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the program to fail");
}

describe("account-a program (committed Pulumi.account-a.yaml)", () => {
  it("first run, before account-b exists: creates the cluster only, exports its issuer, says the workload was skipped", async () => {
    const { engine, outputs } = await runA({});
    expect(engine.stackReferences).to.deep.equal([B_STACK]);
    const cluster = engine.one("eks:index:Cluster");
    expect(cluster.inputs).to.not.have.property("createOidcProvider");
    expect(cluster.inputs).to.include({
      version: "1.33",
      instanceType: "t3.medium",
    });
    expect(
      engine.resources.filter((r) => r.type.startsWith("kubernetes:core/v1:ServiceAccount")),
    ).to.have.length(0);
    expect(engine.ofType("kubernetes:batch/v1:Job")).to.have.length(0);
    expect(outputs.workload.value).to.equal(WORKLOAD_SKIPPED);
    expect(logged[logged.length - 1]).to.deep.equal([
      `info: account-b (${B_STACK}) has no outputs yet: creating the cluster only. Run account-b's update, ` +
        "then this stack's again, to create the ServiceAccount, the reader and the access check.",
    ]);
    expect(outputs.oidcIssuerUrl.value).to.match(
      /^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/,
    );
    expect(outputs.kubeconfig.secret).to.equal(true);
    expect(outputs.clusterName.secret).to.equal(false);
  });

  it("second run: the ServiceAccount carries account-b's role ARN; reader and access check use it", async () => {
    const b = await accountBOutputs();
    const { engine, outputs } = await runA(b);
    const sa = engine.one("kubernetes:core/v1:ServiceAccount");
    const metadata = sa.inputs.metadata as {
      name: string;
      namespace: string;
      annotations: Record<string, string>;
    };
    expect(metadata).to.include({ name: "s3-reader", namespace: "irsa-demo" });
    expect(metadata.annotations["eks.amazonaws.com/role-arn"]).to.equal(b.roleArn);
    expect(metadata.annotations["eks.amazonaws.com/sts-regional-endpoints"]).to.equal("true");
    const deployment = engine.one("kubernetes:apps/v1:Deployment");
    const podSpec = (deployment.inputs.spec as { template: { spec: { serviceAccountName: string } } })
      .template.spec;
    expect(podSpec.serviceAccountName).to.equal("s3-reader");
    // The reader component waits for the ServiceAccount itself (Pulumi expands a component dependency to its children).
    expect(engine.one("cross-account-irsa:index:S3ReaderDeployment").dependsOn).to.include(sa.urn);
    expect(engine.one("cross-account-irsa:index:AccessCheckJob").dependsOn).to.include(sa.urn);
    const job = engine.one("kubernetes:batch/v1:Job");
    const jobEnv = JSON.stringify(job.inputs.spec);
    expect(jobEnv).to.contain(String(b.roleArn)).and.to.contain(String(b.bucketName));
    expect(outputs.accessCheck.value).to.deep.include({
      expectedRoleArn: b.roleArn,
      bucketName: b.bucketName,
      objectKey: "irsa-check.txt",
    });
    expect(outputs.issuerCheck.value).to.match(/matches this cluster's issuer/);
    // Every Kubernetes resource goes through the cluster's provider, every AWS one through account-a's.
    for (const r of engine.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
      expect(engine.byUrn(r.provider?.slice(0, r.provider.lastIndexOf("::")))?.type, r.name).to.equal(
        "pulumi:providers:kubernetes",
      );
    }
  });

  it("fails, naming both sides, when account-a's configured service account is not the one account-b trusts", async () => {
    const b = await accountBOutputs();
    const config = {
      ...A.config,
      "cross-account-irsa:serviceAccount": '{"namespace":"other","name":"s3-reader"}',
    };
    const error = await failure(runA(b, config));
    expect(error.message).to.contain('account-a\'s config names {"namespace":"other","name":"s3-reader"}');
    expect(error.message).to.contain(`account-b (${B_STACK}) trusts only irsa-demo/s3-reader`);
  });

  it("fails when account-b's OIDC provider is for another cluster's issuer, before any Kubernetes resource is registered", async () => {
    const b = await accountBOutputs();
    const other = String(b.oidcProviderArn).replace(/id\/[0-9A-F]+$/, "id/FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
    // A consistent account-b for the other cluster: its provider, and a trust policy keyed by that issuer.
    const hostPath = (arn: unknown) => String(arn).slice(String(arn).indexOf("oidc-provider/") + 14);
    const trustPolicy = String(b.trustPolicy).split(hostPath(b.oidcProviderArn)).join(hostPath(other));
    const engine = new MockEngine({
      stack: "account-a",
      config: A.config,
      stackOutputs: { [B_STACK]: { ...b, oidcProviderArn: other, trustPolicy } },
    });
    const error = await failure(runOnEngine(engine, accountA));
    expect(error.message).to.match(
      /output oidcProviderArn: .* is for issuer .*FFFF.*, but this cluster's issuer is/,
    );
    // The check gates every Kubernetes object: nothing is created or updated in the cluster.
    const kubernetesObjects = engine.resources.filter(
      (r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:"),
    );
    expect(kubernetesObjects.map((r) => r.type)).to.deep.equal([]);
  });

  it("gives the kubeconfig the provider's profile and role, so phase 3 authenticates as phase 1 did", async () => {
    const role = "arn:aws:iam::111122223333:role/PulumiDeploy";
    const config = {
      ...A.config,
      "aws:profile": "account-a-admin",
      "aws:assumeRoles": JSON.stringify([{ roleArn: role }]),
    };
    const { engine, outputs } = await runA({}, config);
    const provider = engine.one("pulumi:providers:aws");
    expect(provider.inputs).to.deep.include({ profile: "account-a-admin" });
    const kubeconfig = JSON.parse(String(outputs.kubeconfig.value)) as {
      users: Array<{ user: { exec: { args: string[]; env?: unknown } } }>;
    };
    const exec = kubeconfig.users[0].user.exec;
    expect(exec.args.slice(2, 4)).to.deep.equal(["--profile", "account-a-admin"]);
    expect(exec.args.slice(-2)).to.deep.equal(["--role-arn", role]);
    expect(exec).to.not.have.property("env");
    expect(engine.one("eks:index:Cluster").inputs.providerCredentialOpts).to.deep.equal({
      profileName: "account-a-admin",
      roleArn: role,
    });
  });

  it("rejects bad config before registering anything", async () => {
    const config = { ...A.config, "cross-account-irsa:cluster": '{"existingName":"c","version":"1.33"}' };
    const error = await failure(runA({}, config));
    expect(error.message).to.match(
      /cross-account-irsa:cluster\.version: "1.33" is invalid: cannot be combined with cluster\.existingName/,
    );
  });

  it("adopts an existing cluster by name: no eks.Cluster, the issuer from the EKS API", async () => {
    const config = { ...A.config, "cross-account-irsa:cluster": '{"existingName":"prod-1"}' };
    const { engine, outputs } = await runA({}, config);
    expect(engine.ofType("eks:index:Cluster")).to.have.length(0);
    expect(engine.calls.map((c) => c.token)).to.include("aws:eks/getCluster:getCluster");
    expect(outputs.clusterName.value).to.equal("prod-1");
  });
});
