import { expect } from "chai";
import { outputValues, type StackOutputs } from "../../cli/shared/workspace";
import { InputError } from "../../components/errors";
import { type DeployOrder, type DeployOrderInputs, decideDeployOrder } from "../../deploy/deployOrder";
import { loadStackConfig, type StackConfig } from "../../stacks/stackFile";
import { STACKS, aGrant, bGrant, grantsA, grantsB } from "../support/grantOutputs";

/** A committed config of the migration runbook (examples/migration/step-<n>). */
const step = (n: 1 | 2 | 3, side: "a" | "b"): StackConfig =>
  loadStackConfig(`examples/migration/step-${n}/Pulumi.account-${side}.yaml`);

/** A config with `cross-account-irsa:grants` replaced (as Pulumi stores a list: JSON). */
const withGrants = (config: StackConfig, grants: unknown[]): StackConfig => ({
  ...config,
  config: { ...config.config, "cross-account-irsa:grants": JSON.stringify(grants) },
});

/** An entry of account-b's grants (examples/migration's, with its key's ServiceAccount). */
const bEntry = (key: string, mechanism: string[], names = [`${key}-reader`]) => ({
  key,
  mechanism,
  serviceAccounts: names.map((name) => ({ namespace: "team-a", name })),
  buckets: [
    { name: `acme-team-a-${key}`, create: true, prefixes: ["reports/"], objectKey: "reports/check.txt" },
  ],
});

const aEntry = (key: string, mechanism: string[], extra: Record<string, unknown> = {}) => ({
  key,
  mechanism,
  ...extra,
});

const configA = (grants: unknown[]) => withGrants(step(1, "a"), grants);
const configB = (grants: unknown[]) => withGrants(step(1, "b"), grants);

function decide(
  a: StackConfig,
  b: StackConfig,
  outA: StackOutputs = {},
  outB: StackOutputs = {},
): DeployOrder {
  const inputs: DeployOrderInputs = {
    qualified: {
      a: `organization/cross-account-irsa/${STACKS.a}`,
      b: `organization/cross-account-irsa/${STACKS.b}`,
    },
    config: { a, b },
    outputs: { a: outputValues(outA), b: outputValues(outB) },
  };
  return decideDeployOrder(inputs, STACKS);
}

/** The order as `b, a`, or `refused: <reason>`. */
function shown(decision: DeployOrder): string {
  return decision.ok ? decision.order.join(", ") : `refused: ${decision.reason}`;
}

/** The deployed pair before the runbook: one grant `reports`, trusted and bound with IRSA. */
const before = {
  a: grantsA({ reports: aGrant("reports", ["irsa"], "irsa") }),
  b: grantsB({ reports: bGrant("reports", ["irsa"]) }),
};
/** The deployed pair after step 1: `reports` trusted and bound with both. */
const afterStep1 = {
  a: grantsA({ reports: aGrant("reports", ["irsa", "pod-identity"], "irsa") }),
  b: grantsB({ reports: bGrant("reports", ["irsa", "pod-identity"]) }),
};

describe("deploy order (decideDeployOrder)", () => {
  it("runs a first deploy (no outputs) as account-a, account-b, account-a: account-b trusts the cluster's issuer", () => {
    const d = decide(step(1, "a"), step(1, "b"));
    expect(shown(d)).to.equal("a, b, a");
    expect(d.ok && d.reason).to.match(/^account-a has no outputs yet \(first deploy\)/);
  });

  it("runs single-grant stacks as account-a, account-b, account-a, whatever their outputs", () => {
    const a = loadStackConfig("Pulumi.account-a.yaml");
    const b = loadStackConfig("Pulumi.account-b.yaml");
    expect(shown(decide(a, b))).to.equal("a, b, a");
    // After the switch's first update only (account-a exports mode grants, binds nothing): going back.
    const single = { roleArn: { value: "arn:aws:iam::444455556666:role/x", secret: false } };
    expect(shown(decide(a, b, grantsA({}), single))).to.equal("a, b, a");
    expect(decide(a, b).ok && decide(a, b)).to.include({
      reason: "single-grant mode: account-a's cluster, account-b's grant, then account-a's binding",
    });
  });

  it("runs a change that adds a mechanism (runbook step 1) as account-b, then account-a, naming what is added", () => {
    const d = decide(step(1, "a"), step(1, "b"), before.a, before.b);
    expect(shown(d)).to.equal("b, a");
    expect(d.ok && d.reason).to.equal(
      'adds trust (grant "reports" pod-identity): account-b trusts it first, then account-a binds it',
    );
    expect(d.ok && d.refusedFirst).to.deep.equal({ a: ['grant "reports" pod-identity'], b: [] });
  });

  it("runs a change that adds a grant (a new key on both sides) as account-b, then account-a", () => {
    const a = configA([aEntry("reports", ["irsa"]), aEntry("archive", ["irsa"])]);
    const b = configB([bEntry("reports", ["irsa"]), bEntry("archive", ["irsa"])]);
    const d = decide(a, b, before.a, before.b);
    expect(shown(d)).to.equal("b, a");
    expect(d.ok && d.reason).to.match(/^adds trust \(grant "archive"\)/);
  });

  it("runs a change to a ServiceAccount account-b newly trusts as account-b, then account-a", () => {
    const a = configA([
      aEntry("reports", ["irsa"], { serviceAccount: { namespace: "team-a", name: "new-reader" } }),
    ]);
    const b = configB([bEntry("reports", ["irsa"], ["reports-reader", "new-reader"])]);
    const d = decide(a, b, before.a, before.b);
    expect(shown(d)).to.equal("b, a");
    expect(d.ok && d.reason).to.match(/^adds trust \(grant "reports" service account team-a\/new-reader\)/);
  });

  it("runs a change that removes a mechanism on both sides as account-a, account-b, account-a, naming what is removed", () => {
    const a = configA([aEntry("reports", ["pod-identity"])]);
    const b = configB([bEntry("reports", ["pod-identity"])]);
    const d = decide(a, b, afterStep1.a, afterStep1.b);
    expect(shown(d)).to.equal("a, b, a");
    expect(d.ok && d.reason).to.equal(
      'removes trust (grant "reports" irsa): account-a stops binding it first, then account-b stops trusting it, ' +
        "then account-a again to read account-b's new outputs",
    );
    expect(d.ok && d.refusedFirst).to.deep.equal({ a: [], b: ['grant "reports" irsa'] });
  });

  it("runs a change that moves a binding to another ServiceAccount and drops the old one on both sides as account-a first", () => {
    // Deployed: the grant trusts reports-reader and new-reader, account-a binds reports-reader.
    const deployedB = grantsB({
      reports: {
        ...bGrant("reports", ["irsa"]),
        handoff: {
          ...bGrant("reports", ["irsa"]).handoff,
          serviceAccounts: [
            { namespace: "team-a", name: "reports-reader" },
            { namespace: "team-a", name: "new-reader" },
          ],
        },
      },
    });
    const a = configA([
      aEntry("reports", ["irsa"], { serviceAccount: { namespace: "team-a", name: "new-reader" } }),
    ]);
    const b = configB([bEntry("reports", ["irsa"], ["new-reader"])]);
    const d = decide(a, b, before.a, deployedB);
    expect(shown(d)).to.equal("a, b, a");
    expect(d.ok && d.reason).to.match(
      /^removes trust \(grant "reports" service account team-a\/reports-reader\)/,
    );
    expect(d.ok && d.refusedFirst).to.deep.equal({
      a: [],
      b: ['grant "reports" service account team-a/reports-reader'],
    });
  });

  it("refuses a change that swaps the bound ServiceAccount in one deploy (adds one, drops the bound one)", () => {
    // Deployed: the grant trusts reports-reader only, account-a binds it; both configs move to other-reader.
    const a = configA([
      aEntry("reports", ["irsa"], { serviceAccount: { namespace: "team-a", name: "other-reader" } }),
    ]);
    const b = configB([bEntry("reports", ["irsa"], ["other-reader"])]);
    const d = decide(a, b, before.a, before.b);
    expect(shown(d)).to.match(
      /^refused: the change adds trust \(grant "reports" service account team-a\/other-reader\) and removes trust \(grant "reports" service account team-a\/reports-reader\) in one deploy/,
    );
  });

  it("runs a change that removes a grant on both sides as account-a first", () => {
    const deployedA = grantsA({
      reports: aGrant("reports", ["irsa"], "irsa"),
      archive: aGrant("archive", ["irsa"], "irsa"),
    });
    const deployedB = grantsB({ reports: bGrant("reports", ["irsa"]), archive: bGrant("archive", ["irsa"]) });
    const d = decide(
      configA([aEntry("reports", ["irsa"])]),
      configB([bEntry("reports", ["irsa"])]),
      deployedA,
      deployedB,
    );
    expect(shown(d)).to.equal("a, b, a");
    expect(d.ok && d.reason).to.match(/^removes trust \(grant "archive"\)/);
  });

  it("refuses a change that adds trust and removes trust at once, naming both: each program refuses to go first", () => {
    const deployedA = grantsA({
      reports: aGrant("reports", ["irsa"], "irsa"),
      archive: aGrant("archive", ["irsa"], "irsa"),
    });
    const deployedB = grantsB({ reports: bGrant("reports", ["irsa"]), archive: bGrant("archive", ["irsa"]) });
    const d = decide(
      configA([aEntry("reports", ["irsa", "pod-identity"])]),
      configB([bEntry("reports", ["irsa", "pod-identity"])]),
      deployedA,
      deployedB,
    );
    expect(shown(d)).to.equal(
      'refused: the change adds trust (grant "reports" pod-identity) and removes trust (grant "archive") in one deploy: ' +
        "account-a's update refuses to bind what account-b does not trust yet, and account-b's update refuses to stop " +
        "trusting what account-a still binds, so no order works. Deploy them as two changes: first the addition (keep " +
        'what is removed in both configs), then the removal (docs/migration.md, "Which stack first")',
    );
  });

  it("runs a change that touches no trust (a bucket prefix) as account-b, then account-a", () => {
    const b = configB([
      {
        ...bEntry("reports", ["irsa"]),
        buckets: [
          {
            name: "acme-team-a-reports",
            create: true,
            prefixes: ["reports/2026/"],
            objectKey: "reports/2026/check.txt",
          },
        ],
      },
    ]);
    const d = decide(configA([aEntry("reports", ["irsa"])]), b, before.a, before.b);
    expect(shown(d)).to.equal("b, a");
    expect(d.ok && d.reason).to.equal(
      "either order passes both programs' checks: account-b first, then account-a, which reads account-b's new outputs",
    );
  });

  it("runs runbook steps 2 and 3 (one side drops what the other no longer needs) as account-b, then account-a", () => {
    // Step 2: account-a stops binding irsa, account-b still trusts it: either order passes.
    expect(shown(decide(step(2, "a"), step(2, "b"), afterStep1.a, afterStep1.b))).to.equal("b, a");
    // Step 3: account-b stops trusting irsa, which account-a no longer binds.
    const afterStep2A = grantsA({ reports: aGrant("reports", ["pod-identity"], "pod-identity") });
    expect(shown(decide(step(3, "a"), step(3, "b"), afterStep2A, afterStep1.b))).to.equal("b, a");
  });

  it("runs account-b first when only account-b has no outputs (account-a's cluster is deployed)", () => {
    const clusterOnly = grantsA({});
    const d = decide(step(1, "a"), step(1, "b"), clusterOnly, {});
    expect(shown(d)).to.equal("b, a");
    expect(d.ok && d.reason).to.match(/^account-b has no outputs yet/);
  });

  it("refuses configs that disagree (account-a binds what account-b's config does not trust): no order fixes it", () => {
    const d = decide(
      configA([aEntry("reports", ["irsa", "pod-identity"])]),
      configB([bEntry("reports", ["irsa"])]),
      before.a,
      before.b,
    );
    expect(shown(d)).to.equal(
      "refused: account-a's config binds what account-b's config does not trust (grant \"reports\" pod-identity): no order " +
        "fixes that; add it to the grant in account-b's cross-account-irsa:grants, or remove it from account-a's entry",
    );
  });

  it("throws the programs' own error for a config or an output they refuse, before anything runs", () => {
    expect(() => decide(configA([aEntry("Reports", ["irsa"])]), step(1, "b"))).to.throw(
      InputError,
      /cross-account-irsa:grants\[0\]\.key/,
    );
    const edited = grantsB({ reports: { ...bGrant("reports", ["irsa"]), extra: true } });
    expect(() => decide(step(1, "a"), step(1, "b"), before.a, edited)).to.throw(
      InputError,
      /account-b output grants\.reports\.extra/,
    );
    // Configs in two modes: refused before any update (account-a's program alone would run, binding nothing).
    expect(() => decide(step(1, "a"), loadStackConfig("Pulumi.account-b.yaml"))).to.throw(
      InputError,
      /account-a \(organization\/cross-account-irsa\/account-a\) runs in grants mode .* but account-b .* in single-grant mode/,
    );
    // An account-b mode this version does not know.
    const unknownMode: StackOutputs = { mode: { value: "single", secret: false } };
    expect(() => decide(step(1, "a"), step(1, "b"), before.a, unknownMode)).to.throw(
      InputError,
      /account-b output mode/,
    );
  });

  describe("the switch of a deployed single-grant pair to grants mode (docs/migration.md)", () => {
    const single: StackOutputs = {
      roleArn: { value: "arn:aws:iam::444455556666:role/irsa-demo-s3-reader", secret: false },
      mechanism: { value: "irsa", secret: false },
    };
    /** account-a deployed in single-grant mode: its cluster's outputs, its mechanism and role, no mode. */
    const singleA: StackOutputs = {
      ...Object.fromEntries(Object.entries(grantsA({})).filter(([k]) => k !== "mode" && k !== "grants")),
      ...single,
    };

    it("runs account-a (binding nothing), account-b, account-a; account-b's preview waits for account-a", () => {
      const d = decide(step(1, "a"), step(1, "b"), singleA, single);
      expect(shown(d)).to.equal("a, b, a");
      expect(d.ok && d.reason).to.equal(
        "switches the pair to grants mode (account-b is still deployed in single-grant mode): account-a first, " +
          "binding nothing (its single-grant resources are deleted: pods lose access until its second update), " +
          "then account-b's grants, then account-a binds them",
      );
      expect(d.ok && d.refusedFirst).to.deep.equal({ a: [], b: ["account-a's single-grant outputs"] });
    });

    it("resumed after account-a's first update (it binds nothing): account-b, then account-a", () => {
      const d = decide(step(1, "a"), step(1, "b"), grantsA({}), single);
      expect(shown(d)).to.equal("b, a");
      expect(d.ok && d.reason).to.match(
        /^account-b is still deployed in single-grant mode and account-a binds nothing yet/,
      );
    });

    it("an account-a that binds grants beside a single-grant account-b (not reachable by the programs): account-b first, then account-a", () => {
      expect(shown(decide(step(1, "a"), step(1, "b"), before.a, single))).to.equal("b, a");
    });

    it("refuses a grants-mode pair switched back to single-grant configs", () => {
      const d = decide(
        loadStackConfig("Pulumi.account-a.yaml"),
        loadStackConfig("Pulumi.account-b.yaml"),
        before.a,
        before.b,
      );
      expect(shown(d)).to.match(
        /^refused: account-b is deployed in grants mode \(it exports mode "grants"\) but both configs are single-grant/,
      );
    });
  });
});
