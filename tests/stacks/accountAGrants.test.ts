/**
 * account-a's grants mode, the real program under the mock engine: account-b's `grants` output is
 * written with the real handoff builder (`buildHandoff`) exactly as account-b's grants mode exports
 * it (one cluster keyed `cluster`, from account-a's first-run outputs; source roles named
 * `<key>-pod-identity-source` and `<key>-chained-source`), and the program's registrations and
 * outputs are asserted: one binding per entry, one OIDC provider, one agent, each namespace once.
 */
import { expect } from "chai";
import { MockEngine, type RecordedResource } from "../../engine/mockEngine";
import { captureConsole, outputValues, runOffline, runOnEngine } from "../../engine/offline";
import { loadStackConfig } from "../../stacks/stackFile";
import { accountA } from "../../stacks/accountA";
import { accountB } from "../../stacks/accountB";
import { grantOf } from "./accountAGrantsFixtures";

const A = loadStackConfig("Pulumi.account-a.yaml");
const B = loadStackConfig("Pulumi.account-b.yaml");
const A_STACK = "organization/cross-account-irsa/account-a";
const B_STACK = "organization/cross-account-irsa/account-b";
const ACCOUNT_B = "444455556666";
const BINDING = "cross-account-irsa:index:BucketAccessBinding";
const PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const ADDON = "aws:eks/addon:Addon";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";

/** Pulumi.account-a.yaml without its per-grant keys: the cluster, aws:*. */
const CLUSTER_ONLY = Object.fromEntries(
  Object.entries(A.config).filter(
    ([k]) => !/^cross-account-irsa:(mechanism|serviceAccount|createNamespace|deployProbe)$/.test(k),
  ),
);
const grantsConfig = (grants: unknown[], extra: Record<string, string> = {}) => ({
  ...CLUSTER_ONLY,
  "cross-account-irsa:grants": JSON.stringify(grants),
  ...extra,
});

const bOutputs = (grants: Record<string, unknown>) => ({ grants, region: "eu-west-1", mode: "grants" });

/** Runs a program with its log captured into `log` (when given). */
function quietly<T>(run: () => Promise<T>, log: string[] = []): Promise<T> {
  const restore = captureConsole(log);
  return run().finally(restore);
}
const runA = (config: Record<string, string>, b: Record<string, unknown>, log?: string[]) =>
  quietly(() => runOffline(accountA, { stack: "account-a", config, stackOutputs: { [B_STACK]: b } }), log);

/** A run that must fail: its error and the cloud and Kubernetes resources it registered first. */
async function failed(config: Record<string, string>, b: Record<string, unknown>, program = accountA) {
  const engine = new MockEngine({ stack: "account-a", config, stackOutputs: { [B_STACK]: b } });
  const error = await quietly(() => runOnEngine(engine, program)).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, "the run must fail").to.be.instanceOf(Error);
  return {
    error: error!,
    registered: engine.resources.map((r) => r.type).filter((t) => !t.startsWith("pulumi:")),
  };
}

const metadataOf = (r: RecordedResource) =>
  r.inputs.metadata as { name: string; namespace?: string; annotations?: Record<string, string> };

describe("account-a in grants mode (the real program, account-b's grants from the real handoff builder)", () => {
  const config = grantsConfig([
    { key: "reports", mechanism: "irsa", serviceAccount: { namespace: "team-a", name: "reports-reader" } },
    { key: "ledger", mechanism: ["pod-identity"] },
    { key: "audit", mechanism: "irsa-chained", deployProbe: false },
  ]);
  let first: Record<string, unknown>;
  let b: Record<string, unknown>;
  before(async () => {
    first = outputValues((await runA(config, {})).outputs);
    b = bOutputs({
      reports: grantOf(
        first,
        "reports",
        ["irsa"],
        [
          { namespace: "team-a", name: "reports-reader" },
          { namespace: "team-a", name: "reports-writer" },
        ],
      ),
      ledger: grantOf(first, "ledger", ["pod-identity"], [{ namespace: "team-b", name: "ledger" }]),
      audit: grantOf(first, "audit", ["irsa-chained"], [{ namespace: "team-c", name: "audit" }], null),
      unused: grantOf(first, "unused", ["irsa"], [{ namespace: "team-d", name: "unused" }]),
    });
  });

  it("first update, before account-b has outputs: the cluster only; mode grants and grants {} (account-b reads the mode from it)", async () => {
    const log: string[] = [];
    const { engine, outputs } = await runA(config, {}, log);
    expect(engine.stackReferences).to.deep.equal([B_STACK]);
    expect(engine.one("eks:index:Cluster").name).to.equal("cluster");
    for (const t of [BINDING, PROVIDER, ADDON, NAMESPACE, SERVICE_ACCOUNT])
      expect(engine.ofType(t), t).to.have.length(0);
    expect(outputs.mode.value).to.equal("grants");
    expect(outputs.grants.value).to.deep.equal({});
    expect(Object.keys(outputs).sort()).to.deep.equal(
      ["clusterArn", "clusterName", "grants", "kubeconfig", "mode", "oidcIssuerUrl", "oidcThumbprint"].sort(),
    );
    expect(outputs.kubeconfig.secret).to.equal(true);
    expect(log.join("\n")).to.contain(`account-b (${B_STACK}) has no outputs yet: creating the cluster only`);
  });

  it("one grant per mechanism: one binding per entry named by its key, each wired for its mechanism", async () => {
    const log: string[] = [];
    const { engine, outputs } = await runA(config, b, log);
    const bindings = engine.ofType(BINDING);
    expect(bindings.map((r) => r.name)).to.deep.equal(["reports", "ledger", "audit"]);
    for (const r of bindings) expect(r.parent, `${r.name} is top level`).to.equal(undefined);
    const sa = (name: string) => engine.one(SERVICE_ACCOUNT, name);
    // IRSA: the grant's role; Pod Identity: no annotation; irsa-chained: account A's source role.
    expect(metadataOf(sa("reports"))).to.include({ namespace: "team-a", name: "reports-reader" });
    expect(metadataOf(sa("reports")).annotations).to.deep.include({
      "eks.amazonaws.com/role-arn": `arn:aws:iam::${ACCOUNT_B}:role/reports-access`,
    });
    expect(metadataOf(sa("ledger"))).to.not.have.property("annotations");
    const chainedSource = engine.one("aws:iam/role:Role", "audit-chained-source");
    expect(chainedSource.inputs.name).to.equal("audit-chained-source");
    expect(metadataOf(sa("audit")).annotations).to.deep.include({
      "eks.amazonaws.com/role-arn": chainedSource.state.arn,
    });
    const association = engine.one("aws:eks/podIdentityAssociation:PodIdentityAssociation");
    expect(association.inputs).to.deep.include({
      namespace: "team-b",
      serviceAccount: "ledger",
      targetRoleArn: `arn:aws:iam::${ACCOUNT_B}:role/ledger-access`,
    });
    // The stack-level resources: one provider in A, one agent, each namespace once.
    const provider = engine.one("cross-account-irsa:index:ClusterOidcProvider", "cluster-oidc");
    expect(provider.parent).to.equal(undefined);
    expect(engine.ofType(PROVIDER).filter((r) => !r.read)).to.have.length(1);
    const agent = engine.one("cross-account-irsa:index:PodIdentityAgent", "pod-identity-agent");
    expect(engine.ofType(ADDON)).to.have.length(1);
    const ledger = engine.one(BINDING, "ledger");
    // A component in dependsOn stands for its resources: the association waits for the add-on.
    expect(agent.parent).to.equal(undefined);
    expect(ledger.dependsOn).to.include(engine.one(ADDON).urn);
    expect(engine.ofType(NAMESPACE).map((r) => metadataOf(r).name)).to.deep.equal([
      "team-a",
      "team-b",
      "team-c",
    ]);
    for (const [binding, ns] of [
      ["reports", "team-a"],
      ["ledger", "team-b"],
      ["audit", "team-c"],
    ]) {
      expect(engine.one(BINDING, binding).dependsOn, binding).to.include(
        engine.one(NAMESPACE, `namespace-${ns}`).urn,
      );
    }
    // The probes: the entries that deploy one, named after the key.
    expect(engine.ofType("kubernetes:apps/v1:Deployment").map((r) => metadataOf(r).name)).to.deep.equal([
      "reports-reader",
      "ledger-reader",
    ]);
    const grants = outputs.grants.value as Record<string, Record<string, unknown>>;
    expect(Object.keys(grants)).to.deep.equal(["reports", "ledger", "audit"]);
    const job = engine.ofType("kubernetes:batch/v1:Job").find((r) => metadataOf(r).namespace === "team-a")!;
    expect(grants.reports).to.deep.equal({
      mechanisms: ["irsa"],
      roleArn: `arn:aws:iam::${ACCOUNT_B}:role/reports-access`,
      serviceAccount: { namespace: "team-a", name: "reports-reader" },
      podCredentialPath: "irsa",
      accessCheck: {
        namespace: "team-a",
        jobName: metadataOf(job).name,
        expectedRoleArn: `arn:aws:iam::${ACCOUNT_B}:role/reports-access`,
        bucketName: "team-reports-data",
        objectKey: "reports/check.txt",
      },
    });
    expect(grants.ledger).to.deep.include({
      mechanisms: ["pod-identity"],
      podCredentialPath: "pod-identity",
    });
    expect(grants.audit).to.deep.equal({
      mechanisms: ["irsa-chained"],
      roleArn: `arn:aws:iam::${ACCOUNT_B}:role/audit-access`,
      serviceAccount: { namespace: "team-c", name: "audit" },
      podCredentialPath: "irsa-chained",
    });
    expect(outputs.mode.value).to.equal("grants");
    expect(outputs.oidcProviderArn.value).to.equal(engine.ofType(PROVIDER).find((r) => !r.read)!.state.arn);
    expect(outputs.podIdentityAgent.value).to.equal("installed by this stack");
    expect(outputs).to.not.have.property("mechanism");
    // account-b's grant no entry lists: not bound, and a WARNING (its role trusts a ServiceAccount no
    // binding sets up: a dangling trust, stacks/danglingTrusts.ts).
    expect(log.join("\n")).to.contain(
      `warning: dangling trust (${B_STACK}): account-b's grant "unused" is not bound by account-a: its role still trusts team-d/unused (irsa)`,
    );
  });

  it("a migration binding [irsa, pod-identity]: the annotation and the association on one ServiceAccount, pods use IRSA; the next step keeps its URNs", async () => {
    const cfg = grantsConfig([{ key: "reports", mechanism: ["irsa", "pod-identity"] }]);
    const sa = [{ namespace: "team-a", name: "reports-reader" }];
    const { engine, outputs } = await runA(
      cfg,
      bOutputs({ reports: grantOf(first, "reports", ["irsa", "pod-identity"], sa) }),
    );
    const account = engine.one(SERVICE_ACCOUNT, "reports");
    expect(metadataOf(account).annotations).to.deep.include({
      "eks.amazonaws.com/role-arn": `arn:aws:iam::${ACCOUNT_B}:role/reports-access`,
    });
    expect(engine.one("aws:eks/podIdentityAssociation:PodIdentityAssociation").inputs).to.deep.include({
      namespace: "team-a",
      serviceAccount: "reports-reader",
    });
    expect(engine.one(BINDING, "reports").dependsOn).to.include(engine.one(ADDON).urn);
    expect(engine.ofType("cross-account-irsa:index:ClusterOidcProvider")).to.have.length(0);
    const grants = outputs.grants.value as Record<string, Record<string, unknown>>;
    expect(grants.reports).to.deep.include({
      mechanisms: ["irsa", "pod-identity"],
      podCredentialPath: "irsa",
    });
    // The next migration step (the entry lists pod-identity only, account-b still trusts both): the
    // same ServiceAccount (one URN: an update that drops the annotation), the same association.
    const step2 = await runA(
      grantsConfig([{ key: "reports", mechanism: "pod-identity" }]),
      bOutputs({ reports: grantOf(first, "reports", ["irsa", "pod-identity"], sa) }),
    );
    const next = step2.engine.one(SERVICE_ACCOUNT, "reports");
    expect(next.urn).to.equal(account.urn);
    expect(metadataOf(next)).to.not.have.property("annotations");
    expect(step2.engine.one("aws:eks/podIdentityAssociation:PodIdentityAssociation").urn).to.equal(
      engine.one("aws:eks/podIdentityAssociation:PodIdentityAssociation").urn,
    );
    expect((step2.outputs.grants.value as Record<string, Record<string, unknown>>).reports).to.deep.include({
      mechanisms: ["pod-identity"],
      podCredentialPath: "pod-identity",
    });
  });

  it("two grants in one namespace: the namespace once, both bindings waiting for it, a probe each", async () => {
    const cfg = grantsConfig([
      { key: "reports", mechanism: "irsa" },
      { key: "exports", mechanism: "irsa" },
    ]);
    const { engine } = await runA(
      cfg,
      bOutputs({
        reports: grantOf(first, "reports", ["irsa"], [{ namespace: "team-a", name: "reports-reader" }]),
        exports: grantOf(first, "exports", ["irsa"], [{ namespace: "team-a", name: "exporter" }]),
      }),
    );
    const ns = engine.one(NAMESPACE);
    expect(metadataOf(ns).name).to.equal("team-a");
    expect(ns.parent).to.equal(undefined);
    for (const key of ["reports", "exports"]) expect(engine.one(BINDING, key).dependsOn).to.include(ns.urn);
    expect(engine.ofType(SERVICE_ACCOUNT).map((r) => metadataOf(r).name)).to.deep.equal([
      "reports-reader",
      "exporter",
    ]);
    expect(engine.ofType("kubernetes:apps/v1:Deployment").map((r) => metadataOf(r).name)).to.deep.equal([
      "reports-reader",
      "exports-reader",
    ]);
  });

  it("two pod-identity grants share the one agent: one add-on, both bindings waiting for it", async () => {
    const cfg = grantsConfig([
      { key: "ledger", mechanism: "pod-identity" },
      { key: "billing", mechanism: "pod-identity" },
    ]);
    const { engine } = await runA(
      cfg,
      bOutputs({
        ledger: grantOf(first, "ledger", ["pod-identity"], [{ namespace: "team-b", name: "ledger" }]),
        billing: grantOf(first, "billing", ["pod-identity"], [{ namespace: "team-b", name: "billing" }]),
      }),
    );
    const addon = engine.one(ADDON);
    expect(addon.inputs).to.include({ addonName: "eks-pod-identity-agent", clusterName: first.clusterName });
    for (const key of ["ledger", "billing"]) expect(engine.one(BINDING, key).dependsOn).to.include(addon.urn);
    expect(engine.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")).to.have.length(2);
    expect(engine.ofType("aws:iam/role:Role").map((r) => r.inputs.name)).to.deep.equal([
      "ledger-pod-identity-source",
      "billing-pod-identity-source",
    ]);
  });

  it("two irsa-chained grants share account A's one provider: created once, each binding adopts (reads) it", async () => {
    const cfg = grantsConfig([
      { key: "audit", mechanism: "irsa-chained" },
      { key: "archive", mechanism: "irsa-chained" },
    ]);
    const { engine } = await runA(
      cfg,
      bOutputs({
        audit: grantOf(first, "audit", ["irsa-chained"], [{ namespace: "team-c", name: "audit" }]),
        archive: grantOf(first, "archive", ["irsa-chained"], [{ namespace: "team-c", name: "archive" }]),
      }),
    );
    const created = engine.ofType(PROVIDER).filter((r) => !r.read);
    expect(created).to.have.length(1);
    expect(engine.byUrn(created[0].parent)?.name).to.equal("cluster-oidc");
    const reads = engine.ofType(PROVIDER).filter((r) => r.read);
    expect(reads.map((r) => r.name)).to.deep.equal(["audit-oidc-existing", "archive-oidc-existing"]);
    // Each chained source role trusts the one provider (the adopted ARN is the created one).
    const roles = engine.ofType("aws:iam/role:Role");
    expect(roles.map((r) => r.inputs.name)).to.deep.equal(["audit-chained-source", "archive-chained-source"]);
    for (const r of roles) {
      const trust = JSON.parse(r.inputs.assumeRolePolicy as string) as {
        Statement: Array<{ Principal: { Federated: string } }>;
      };
      expect(trust.Statement[0].Principal.Federated, r.name).to.equal(created[0].state.arn);
    }
  });

  it("an entry whose key account-b does not export: fails before anything registers, naming the entry and account-b's keys", async () => {
    const cfg = grantsConfig([{ key: "missing", mechanism: "irsa" }]);
    const { error, registered } = await failed(cfg, b);
    expect(error.message).to.contain(
      'cross-account-irsa:grants[0].key: "missing" is invalid: is not a grant of account-b',
    );
    expect(error.message).to.contain(`(${B_STACK} exports "audit", "ledger", "reports", "unused")`);
    expect(registered).to.deep.equal([]);
  });

  it("a grant for another cluster's issuer fails once the cluster is known, before anything of the grants registers", async () => {
    const other = grantOf(
      {
        ...first,
        oidcIssuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
      },
      "reports",
      ["irsa"],
      [{ namespace: "team-a", name: "reports-reader" }],
    );
    const { error, registered } = await failed(
      grantsConfig([{ key: "reports", mechanism: "irsa" }]),
      bOutputs({ reports: other }),
    );
    expect(error.message).to.match(
      /grants\.reports\.handoff\.clusters "cluster"\.issuerUrl: .*FFFF.* is not this cluster's issuer/,
    );
    expect(registered.filter((t) => t.startsWith("kubernetes:") || t.startsWith("aws:iam"))).to.deep.equal(
      [],
    );
  });

  it("previews the second update (pulumi preview): the same bindings and shared resources register", async () => {
    const { engine, outputs } = await quietly(() =>
      runOffline(accountA, { stack: "account-a", config, stackOutputs: { [B_STACK]: b }, preview: true }),
    );
    expect(engine.ofType(BINDING).map((r) => r.name)).to.deep.equal(["reports", "ledger", "audit"]);
    expect(engine.ofType("cross-account-irsa:index:ClusterOidcProvider").map((r) => r.name)).to.include(
      "cluster-oidc",
    );
    expect(Object.keys(outputs.grants.value as object)).to.deep.equal(["reports", "ledger", "audit"]);
  });

  describe("mode mismatch, both ways, naming both stacks", () => {
    it("account-a in grants mode beside a deployed single-grant account-b (the switch's first update): the cluster only, binding nothing, with a warning naming what it removes and what to run next", async () => {
      const singleA = await quietly(() =>
        runOffline(accountA, { stack: "account-a", config: A.config, stackOutputs: {} }),
      );
      const singleB = await quietly(() =>
        runOffline(accountB, {
          stack: "account-b",
          config: B.config,
          stackOutputs: { [A_STACK]: outputValues(singleA.outputs) },
        }),
      );
      const log: string[] = [];
      const { engine, outputs } = await runA(config, outputValues(singleB.outputs), log);
      expect(outputValues(outputs).grants).to.deep.equal({});
      expect(outputValues(outputs).mode).to.equal("grants");
      expect(engine.ofType(BINDING)).to.have.length(0);
      expect(engine.ofType("eks:index:Cluster")).to.have.length(1);
      const warning = log.find((l) => l.startsWith("warning:") && l.includes("single-grant mode"));
      expect(warning).to.contain(`account-b (${B_STACK}) is still deployed in single-grant mode`);
      expect(warning).to.contain("It DELETES account-a's single-grant resources for irsa");
      expect(warning).to.contain("pods have no credentials for account-b's buckets");
      expect(warning).to.contain("Next: update account-b with its grants-mode config, then account-a again");
    });

    it("account-a in grants mode refuses an account-b output it does not understand (a mode other than grants)", async () => {
      const { error, registered } = await failed(config, {
        mode: "single",
        roleArn: "arn:aws:iam::444455556666:role/x",
      });
      expect(error.message).to.contain(`${B_STACK} output mode`);
      expect(registered).to.deep.equal([]);
    });

    it("account-a in single-grant mode reading an account-b in grants mode", async () => {
      const { error, registered } = await failed(A.config, b);
      expect(error.message).to.contain(`account-a (${A_STACK}) in single-grant mode`);
      expect(error.message).to.contain(`account-b (${B_STACK}) runs in grants mode`);
      expect(error.message).to.contain(`Set cross-account-irsa:grants on account-a (${A_STACK}) too`);
      expect(registered).to.deep.equal([]);
    });
  });

  it("an adopted cluster: no agent unless cluster.podIdentityAgent says so; namespaces not created unless asked", async () => {
    const adopted = (agent?: boolean) =>
      grantsConfig([{ key: "ledger", mechanism: "pod-identity" }], {
        "cross-account-irsa:cluster": JSON.stringify({
          existingName: "prod",
          ...(agent === undefined ? {} : { podIdentityAgent: agent }),
        }),
      });
    const adoptedFirst = {
      ...first,
      clusterArn: String(first.clusterArn).replace(/cluster\/.*$/, "cluster/prod"),
    };
    const grants = bOutputs({
      ledger: grantOf(adoptedFirst, "ledger", ["pod-identity"], [{ namespace: "team-b", name: "ledger" }]),
    });
    const without = await runA(adopted(), grants);
    expect(without.engine.ofType(ADDON)).to.have.length(0);
    expect(without.engine.ofType(NAMESPACE)).to.have.length(0);
    expect(without.outputs.podIdentityAgent.value).to.match(/^not installed by this stack/);
    const withAgent = await runA(adopted(true), grants);
    expect(withAgent.engine.one(ADDON).inputs.clusterName).to.equal("prod");
  });
});
