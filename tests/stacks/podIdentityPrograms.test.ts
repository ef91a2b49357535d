/**
 * Both stack programs with `cross-account-irsa:mechanism: pod-identity`, end to end under the mock
 * engine, from the committed example configs (examples/pod-identity/): account-a's first run,
 * account-b reading it, account-a's second run reading account-b; mechanism mismatches both ways;
 * a subject account-b does not trust; an adopted cluster with and without the agent flag.
 */
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { captureConsole, outputValues, runOffline, runOnEngine } from "../../engine/offline";
import { evaluateResourcePolicy } from "../../components/evaluate";
import { type PolicyDocument } from "../../components/policyDocument";
import { podIdentitySessionTags } from "../../components/podIdentityPolicies";
import { loadStackConfig } from "../../stacks/stackFile";
import { accountA, WORKLOAD_SKIPPED } from "../../stacks/accountA";
import { accountB } from "../../stacks/accountB";

const A = loadStackConfig("examples/pod-identity/Pulumi.account-a.yaml");
const B = loadStackConfig("examples/pod-identity/Pulumi.account-b.yaml");
const IRSA_A = loadStackConfig("Pulumi.account-a.yaml");
const IRSA_B = loadStackConfig("Pulumi.account-b.yaml");
const A_STACK = "organization/cross-account-irsa/account-a";
const B_STACK = "organization/cross-account-irsa/account-b";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";

/** Runs a program with its log captured (the first run's "no outputs yet" is expected). */
function quietly<T>(run: () => Promise<T>): Promise<T> {
  const restore = captureConsole([]);
  return run().finally(restore);
}
const runA = (bOutputs: Record<string, unknown>, config = A.config) =>
  quietly(() => runOffline(accountA, { stack: "account-a", config, stackOutputs: { [B_STACK]: bOutputs } }));
const runB = (aOutputs: Record<string, unknown>, config = B.config) =>
  quietly(() => runOffline(accountB, { stack: "account-b", config, stackOutputs: { [A_STACK]: aOutputs } }));

/** A program run that must fail: its error, and what it registered before failing. */
async function failed(
  program: () => Promise<Record<string, unknown>>,
  stack: string,
  config: Record<string, string>,
  stackOutputs: Record<string, Record<string, unknown>>,
) {
  const engine = new MockEngine({ stack, config, stackOutputs });
  const error = await runOnEngine(engine, program).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, "the run must fail").to.be.instanceOf(Error);
  return {
    error: error!,
    cloud: engine.resources.map((r) => r.type).filter((t) => !t.startsWith("pulumi:")),
  };
}

describe("EKS Pod Identity: both programs (examples/pod-identity)", () => {
  let first: Record<string, unknown>;
  let b: Record<string, unknown>;
  before(async () => {
    first = outputValues((await runA({})).outputs);
    b = outputValues((await runB(first)).outputs);
  });

  it("account-a's first run: the cluster, the agent add-on and the source role; exports them and the mechanism", async () => {
    const { engine, outputs } = await runA({});
    expect(engine.one("aws:eks/addon:Addon").inputs.addonName).to.equal("eks-pod-identity-agent");
    const source = engine.one("aws:iam/role:Role");
    const trust = JSON.parse(source.inputs.assumeRolePolicy as string) as PolicyDocument;
    expect(trust.Statement[0].Principal).to.deep.equal({ Service: "pods.eks.amazonaws.com" });
    expect(trust.Statement[0].Condition).to.deep.equal({
      StringEquals: { "aws:RequestTag/eks-cluster-arn": outputs.clusterArn.value },
    });
    expect(engine.ofType(ASSOCIATION)).to.have.length(0);
    expect(engine.ofType("kubernetes:core/v1:ServiceAccount")).to.have.length(0);
    expect(outputs.mechanism.value).to.equal("pod-identity");
    expect(outputs.sourceRoleArn.value).to.equal(source.state.arn);
    expect(outputs.workload.value).to.equal(WORKLOAD_SKIPPED);
  });

  it("account-b: no OIDC provider; a target role trusting the source role for exactly the configured pairs", async () => {
    const { engine } = await runB(first);
    expect(engine.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")).to.have.length(0);
    const role = engine.one("aws:iam/role:Role");
    const trust = JSON.parse(role.inputs.assumeRolePolicy as string) as PolicyDocument;
    expect(trust.Statement).to.have.length(2); // one per namespace
    const ask = (namespace: string, name: string, principal = first.sourceRoleArn as string) =>
      evaluateResourcePolicy(
        trust,
        {
          principalArn: principal,
          action: "sts:AssumeRole",
          context: podIdentitySessionTags(first.clusterArn as string, { namespace, name }),
        },
        "trust",
      ).decision;
    expect(ask("team-a", "s3-reader")).to.equal("Allow");
    expect(ask("team-b", "report-writer")).to.equal("Allow");
    expect(ask("team-a", "report-writer")).to.equal("ImplicitDeny"); // the swapped pair
    expect(ask("team-a", "s3-reader", "arn:aws:iam::111122223333:role/other")).to.equal("ImplicitDeny");
    expect(b).to.include({ mechanism: "pod-identity", roleArn: role.state.arn });
    expect(b).to.include({ clusterArn: first.clusterArn, sourceRoleArn: first.sourceRoleArn });
    expect(b.serviceAccounts).to.deep.equal([
      { namespace: "team-a", name: "s3-reader" },
      { namespace: "team-b", name: "report-writer" },
    ]);
  });

  it("account-a's second run: the source role may chain, an association per pair, a plain ServiceAccount, the probes", async () => {
    const { engine, outputs } = await runA(b);
    const permission = engine.ofType("aws:iam/rolePolicy:RolePolicy");
    expect(permission).to.have.length(1);
    expect(JSON.parse(permission[0].inputs.policy as string)).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ChainIntoTargetRole",
          Effect: "Allow",
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Resource: b.roleArn,
        },
      ],
    });
    const associations = engine.ofType(ASSOCIATION).map((r) => r.inputs);
    expect(associations.map((a) => `${String(a.namespace)}/${String(a.serviceAccount)}`)).to.deep.equal([
      "team-a/s3-reader",
      "team-b/report-writer",
    ]);
    for (const a of associations) {
      expect(a).to.include({ roleArn: first.sourceRoleArn, targetRoleArn: b.roleArn });
      expect(a).to.not.have.property("disableSessionTags");
    }
    const sa = engine.one("kubernetes:core/v1:ServiceAccount");
    expect(sa.inputs.metadata).to.not.have.property("annotations");
    expect(sa.inputs.metadata).to.include({ namespace: "team-a", name: "s3-reader" });
    const job = engine.one("kubernetes:batch/v1:Job");
    expect(JSON.stringify(job.inputs)).to.include(b.roleArn);
    expect(outputs.roleArn.value).to.equal(b.roleArn);
  });

  it("a mechanism mismatch fails before anything is created, naming both values (account-a reading account-b)", async () => {
    const irsaB = { ...b, mechanism: "irsa" };
    const { error, cloud } = await failed(accountA, "account-a", A.config, { [B_STACK]: irsaB });
    expect(error.message).to.match(
      /^cross-account-irsa:mechanism: "pod-identity" is invalid: account-a uses "pod-identity" but account-b \(organization\/cross-account-irsa\/account-b\) exports mechanism "irsa"/,
    );
    expect(cloud).to.deep.equal([]);
  });

  it("a mechanism mismatch fails account-b too (an IRSA account-a)", async () => {
    const irsaFirst = outputValues((await runA({}, IRSA_A.config)).outputs);
    const { error, cloud } = await failed(accountB, "account-b", B.config, { [A_STACK]: irsaFirst });
    expect(error.message).to.match(
      /account-b uses "pod-identity" but account-a \(organization\/cross-account-irsa\/account-a\) exports mechanism "irsa"/,
    );
    expect(cloud).to.deep.equal([]);
    // And the other way round: an IRSA account-b against a Pod Identity account-a.
    const other = await failed(accountB, "account-b", IRSA_B.config, { [A_STACK]: first });
    expect(other.error.message).to.match(
      /account-b uses "irsa" but account-a .* exports mechanism "pod-identity"/,
    );
    // An exported mechanism that is neither is refused as it is, not read as IRSA.
    const odd = await failed(accountB, "account-b", IRSA_B.config, {
      [A_STACK]: { ...first, mechanism: 42 },
    });
    expect(odd.error.message).to.match(
      /^organization\/cross-account-irsa\/account-a output mechanism: 42 is invalid: must be "irsa", "pod-identity" or "irsa-chained"/,
    );
    expect(odd.cloud).to.deep.equal([]);
  });

  it("a malformed ARN among account-a's outputs is named as that output, before anything is created", async () => {
    const { error, cloud } = await failed(accountB, "account-b", B.config, {
      [A_STACK]: { ...first, clusterArn: "prod" },
    });
    expect(error.message).to.match(
      /^organization\/cross-account-irsa\/account-a output clusterArn: "prod" is invalid: must be an EKS cluster ARN/,
    );
    expect(cloud).to.deep.equal([]);
  });

  it("a service account account-b does not trust fails account-a before anything is created, naming both", async () => {
    const config = {
      ...A.config,
      "cross-account-irsa:serviceAccount": JSON.stringify({ namespace: "team-a", name: "report-writer" }),
    };
    const { error, cloud } = await failed(accountA, "account-a", config, { [B_STACK]: b });
    expect(error.message).to.match(
      /cross-account-irsa:serviceAccount: account-a's config names .*report-writer/,
    );
    expect(error.message).to.include("team-a/s3-reader, team-b/report-writer");
    expect(cloud).to.deep.equal([]);
  });

  it("an account-b that trusts a replaced source role breaks link 4 once the cluster exists: nothing in Kubernetes", async () => {
    const stale = {
      ...b,
      trustPolicy: (b.trustPolicy as string).replace(/pod-identity-source-[0-9a-f]+/g, "old-source"),
    };
    const { error, cloud } = await failed(accountA, "account-a", A.config, { [B_STACK]: stale });
    expect(error.message).to.match(
      /link 4 broken .*the target role trusts the source role to sts:AssumeRole for team-a\/s3-reader/,
    );
    expect(cloud.filter((t) => t.startsWith("kubernetes:") || t === ASSOCIATION)).to.deep.equal([]);
  });

  it("an adopted cluster: no add-on unless cluster.podIdentityAgent says so", async () => {
    const adopt = (flag?: boolean) => ({
      ...A.config,
      "cross-account-irsa:cluster": JSON.stringify({
        existingName: "platform",
        ...(flag !== undefined ? { podIdentityAgent: flag } : {}),
      }),
    });
    const without = await runA({}, adopt());
    expect(without.engine.ofType("aws:eks/addon:Addon")).to.have.length(0);
    expect(without.outputs.podIdentityAgent.value).to.match(
      /adopted cluster must run the eks-pod-identity-agent/,
    );
    const withFlag = await runA({}, adopt(true));
    expect(withFlag.engine.one("aws:eks/addon:Addon").inputs.clusterName).to.equal("platform");
  });

  it("account-b previews before account-a exists: the target role with its trust unknown, and says so", async () => {
    const logged: string[] = [];
    const restore = captureConsole(logged);
    const run = await runOffline(accountB, {
      stack: "account-b",
      config: B.config,
      stackOutputs: { [A_STACK]: {} },
      preview: true,
    }).finally(restore);
    expect(run.engine.ofType("aws:iam/role:Role")).to.have.length(1);
    expect(run.outputs.trustPolicy.value).to.equal(undefined);
    expect(logged.join("\n")).to.include("account-a has no clusterArn and sourceRoleArn outputs yet");
  });

  it("a target trust over its size limit: the ways out are Pod Identity's (no StringLike, which Pod Identity refuses)", async () => {
    const many = Array.from({ length: 150 }, (_, i) => ({
      namespace: "team-a",
      name: `service-account-${i}`,
    }));
    const config = { ...B.config, "cross-account-irsa:serviceAccounts": JSON.stringify(many) };
    const { error, cloud } = await failed(accountB, "account-b", config, { [A_STACK]: first });
    expect(error.message).to.match(
      /^cross-account-irsa:serviceAccounts: the trust policy for 150 service accounts is \d+ characters .* \(cross-account-irsa:maxTrustPolicySize\)\. Ways out: split the service accounts across several target roles/,
    );
    expect(error.message).to.include("set cross-account-irsa:maxTrustPolicySize to it");
    expect(error.message).to.not.match(/StringLike|conditionTest|name pattern/);
    expect(cloud).to.deep.equal([]);
  });

  it("refuses IRSA-only settings in Pod Identity mode, naming the key and why", async () => {
    for (const [key, value, why] of [
      ["conditionTest", "StringLike", /patterns \(StringLike\) would trust service accounts nobody named/],
      ["trustWholeNamespaces", "true", /exact service accounts only/],
      [
        "existingOidcProviderArn",
        "arn:aws:iam::444455556666:oidc-provider/x",
        /no OIDC provider in account B/,
      ],
    ] as const) {
      const config = { ...B.config, [`cross-account-irsa:${key}`]: value };
      const { error, cloud } = await failed(accountB, "account-b", config, { [A_STACK]: first });
      expect(error.message).to.match(
        new RegExp(
          `^cross-account-irsa:${key}: .* cannot be used with cross-account-irsa:mechanism "pod-identity"`,
        ),
      );
      expect(error.message).to.match(why);
      expect(cloud).to.deep.equal([]);
    }
  });
});
