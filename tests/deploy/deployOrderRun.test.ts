import { expect } from "chai";
import { preview } from "../../deploy/orchestrator";
import { countChanges } from "../../deploy/progress";
import { loadStackConfig, type StackConfig } from "../../stacks/stackFile";
import { harness, mechanismsOf } from "./deployHarness";

/**
 * `npm run deploy` in grants mode through the in-memory workspace, which runs the REAL stack programs:
 * the IRSA -> Pod Identity runbook of docs/migration.md, one deploy per step, from each step's
 * committed example config (examples/migration/step-1..3), and the order each deploy picks.
 */

const GRANTS = "cross-account-irsa:grants";

/** A committed config of the runbook. */
const step = (n: 1 | 2 | 3, side: "a" | "b"): StackConfig =>
  loadStackConfig(`examples/migration/step-${n}/Pulumi.account-${side}.yaml`);

/** Step 1's config with `cross-account-irsa:grants` replaced (stored as JSON, as Pulumi stores a list). */
const withGrants = (side: "a" | "b", grants: unknown[]): StackConfig => {
  const base = step(1, side);
  return { ...base, config: { ...base.config, [GRANTS]: JSON.stringify(grants) } };
};

/** An entry of account-b's grants like the runbook's, for `key`. */
const bEntry = (key: string, mechanism: string[]) => ({
  key,
  mechanism,
  serviceAccounts: [{ namespace: "team-a", name: `${key}-reader` }],
  buckets: [
    { name: `acme-team-a-${key}`, create: true, prefixes: ["reports/"], objectKey: "reports/check.txt" },
  ],
});

/** The pair before the runbook: the step-1 files with `mechanism: irsa` on both sides. */
const BEFORE = {
  a: withGrants("a", [{ key: "reports", mechanism: ["irsa"] }]),
  b: withGrants("b", [bEntry("reports", ["irsa"])]),
};

describe("deploy order through the orchestrator (grants mode, the real programs)", () => {
  it("runs the IRSA -> Pod Identity runbook, steps 1 -> 2 -> 3, each in the order its change needs", async () => {
    const h = harness(BEFORE);
    const first = await h.run();
    expect(first.outcome.ok, h.err.join("\n")).to.be.true;
    expect(first.ups).to.deep.equal(["up account-a", "up account-b", "up account-a"]);
    expect(first.order).to.match(
      /^deploy order: account-a, account-b, account-a \(account-a has no outputs yet/,
    );

    // Step 1 adds pod-identity on both sides: account-b must trust it before account-a binds it.
    h.edit({ a: step(1, "a"), b: step(1, "b") });
    const one = await h.run();
    expect(one.outcome.ok, h.err.join("\n")).to.be.true;
    expect(one.ups).to.deep.equal(["up account-b", "up account-a"]);
    expect(one.order).to.equal(
      'deploy order: account-b, account-a (adds trust (grant "reports" pod-identity): account-b trusts it first, then account-a binds it)',
    );
    // The order line comes before the first phase.
    expect(h.out.indexOf(one.order!)).to.be.lessThan(h.out.findIndex((l) => l.startsWith("[1/2 account-b]")));
    expect(mechanismsOf(h.ws, "account-a")).to.deep.equal({ reports: ["irsa", "pod-identity"] });

    // Step 2: account-a drops irsa; account-b (unchanged) still trusts it, so account-b may go first.
    h.edit({ a: step(2, "a"), b: step(2, "b") });
    const two = await h.run();
    expect(two.outcome.ok, h.err.join("\n")).to.be.true;
    expect(two.ups).to.deep.equal(["up account-b", "up account-a"]);
    expect(mechanismsOf(h.ws, "account-a")).to.deep.equal({ reports: ["pod-identity"] });

    // Step 3: account-b drops irsa, which account-a no longer binds; its OIDC provider goes.
    h.edit({ a: step(3, "a"), b: step(3, "b") });
    const three = await h.run();
    expect(three.outcome.ok, h.err.join("\n")).to.be.true;
    expect(three.ups).to.deep.equal(["up account-b", "up account-a"]);
    expect(mechanismsOf(h.ws, "account-b")).to.deep.equal({ reports: ["pod-identity"] });
    const bTypes = [...(h.ws.stacks.get("account-b")?.resources.values() ?? [])].map(
      (r) => `${r.type} ${r.name}`,
    );
    expect(bTypes.filter((t) => t.endsWith(" cluster-oidc"))).to.deep.equal([]);

    // Converged: deploying step 3 again changes nothing.
    const again = await h.run();
    expect(again.outcome.ok, h.err.join("\n")).to.be.true;
    for (const p of again.outcome.phases) {
      const c = countChanges(p.resourceChanges ?? {});
      expect([c.created, c.updated, c.deleted], `${p.phase.stack}`).to.deep.equal([0, 0, 0]);
    }
  });

  it("step 1 fails in the first-deploy order: account-a's program refuses to bind what account-b does not trust yet", async () => {
    const h = harness(BEFORE);
    expect((await h.run()).outcome.ok, h.err.join("\n")).to.be.true;
    h.edit({ a: step(1, "a"), b: step(1, "b") });
    // What `npm run deploy` ran before this change (always account-a first): refused, nothing changed.
    const beforeState = h.ws.snapshot("account-a");
    let refused: unknown;
    await h.ws.up("account-a", { onEvent: () => undefined }).catch((e: unknown) => (refused = e));
    expect(String(refused)).to.include(
      'lists "pod-identity", which account-b\'s grant "reports" does not trust',
    );
    expect(h.ws.snapshot("account-a")).to.deep.equal(beforeState);
  });

  it("resumes step 1 after account-a's update failed: account-b already trusts both, so the rerun converges", async () => {
    const h = harness(BEFORE);
    expect((await h.run()).outcome.ok, h.err.join("\n")).to.be.true;
    h.edit({ a: step(1, "a"), b: step(1, "b") });
    h.ws.failNext({ op: "up", stack: "account-a", afterSteps: 2 });
    const failed = await h.run();
    expect(failed.outcome.ok).to.be.false;
    expect(failed.ups).to.deep.equal(["up account-b", "up account-a"]);
    expect(h.err[0]).to.equal("deploy failed in phase 2/2 (up account-a)");
    const rerun = await h.run();
    expect(rerun.outcome.ok, h.err.join("\n")).to.be.true;
    expect(rerun.ups).to.deep.equal(["up account-b", "up account-a"]);
    expect(rerun.order).to.match(
      /^deploy order: account-b, account-a \(either order passes both programs' checks/,
    );
    expect(mechanismsOf(h.ws, "account-a")).to.deep.equal({ reports: ["irsa", "pod-identity"] });
  });

  it("runs a change that removes trust on both sides as account-a, account-b, account-a (account-b first is refused)", async () => {
    const h = harness({ a: step(1, "a"), b: step(1, "b") });
    expect((await h.run()).outcome.ok, h.err.join("\n")).to.be.true;
    const dropBoth = {
      a: withGrants("a", [{ key: "reports", mechanism: ["pod-identity"] }]),
      b: withGrants("b", [bEntry("reports", ["pod-identity"])]),
    };
    h.edit(dropBoth);
    // account-b's program refuses to go first: account-a still binds irsa.
    let refused: unknown;
    await h.ws.up("account-b", { onEvent: () => undefined }).catch((e: unknown) => (refused = e));
    expect(String(refused)).to.include('no longer trusts "irsa", which account-a');
    const removal = await h.run();
    expect(removal.outcome.ok, h.err.join("\n")).to.be.true;
    expect(removal.ups).to.deep.equal(["up account-a", "up account-b", "up account-a"]);
    expect(removal.order).to.match(
      /^deploy order: account-a, account-b, account-a \(removes trust \(grant "reports" irsa\)/,
    );
    expect(mechanismsOf(h.ws, "account-b")).to.deep.equal({ reports: ["pod-identity"] });
  });

  it("runs a change that moves the binding to another ServiceAccount and drops the old one on both sides as account-a, account-b, account-a", async () => {
    const twoReaders = {
      ...bEntry("reports", ["irsa"]),
      serviceAccounts: [
        { namespace: "team-a", name: "reports-reader" },
        { namespace: "team-a", name: "new-reader" },
      ],
    };
    const h = harness({
      a: withGrants("a", [
        {
          key: "reports",
          mechanism: ["irsa"],
          serviceAccount: { namespace: "team-a", name: "reports-reader" },
        },
      ]),
      b: withGrants("b", [twoReaders]),
    });
    expect((await h.run()).outcome.ok, h.err.join("\n")).to.be.true;
    h.edit({
      a: withGrants("a", [
        { key: "reports", mechanism: ["irsa"], serviceAccount: { namespace: "team-a", name: "new-reader" } },
      ]),
      b: withGrants("b", [{ ...twoReaders, serviceAccounts: [{ namespace: "team-a", name: "new-reader" }] }]),
    });
    // account-b's program refuses to go first: account-a still binds team-a/reports-reader.
    let refused: unknown;
    await h.ws.up("account-b", { onEvent: () => undefined }).catch((e: unknown) => (refused = e));
    expect(String(refused)).to.include("cross-account-irsa:grants[0].serviceAccounts");
    expect(String(refused)).to.include("no longer lists team-a/reports-reader, which account-a");
    const moved = await h.run();
    expect(moved.outcome.ok, h.err.join("\n")).to.be.true;
    expect(moved.ups).to.deep.equal(["up account-a", "up account-b", "up account-a"]);
    expect(moved.order).to.match(
      /^deploy order: account-a, account-b, account-a \(removes trust \(grant "reports" service account team-a\/reports-reader\)/,
    );
    const bound = h.ws.stacks.get("account-a")?.outputs.grants?.value as Record<
      string,
      { serviceAccount: unknown }
    >;
    expect(bound.reports.serviceAccount).to.deep.equal({ namespace: "team-a", name: "new-reader" });
  });

  it("refuses a change that adds and removes trust at once before any update, and each program would refuse to go first", async () => {
    const two = {
      a: withGrants("a", [
        { key: "reports", mechanism: ["irsa"] },
        {
          key: "archive",
          mechanism: ["irsa"],
          serviceAccount: { namespace: "team-a", name: "archive-reader" },
        },
      ]),
      b: withGrants("b", [bEntry("reports", ["irsa"]), bEntry("archive", ["irsa"])]),
    };
    const h = harness(two);
    expect((await h.run()).outcome.ok, h.err.join("\n")).to.be.true;
    h.edit({ a: step(1, "a"), b: step(1, "b") });
    const both = await h.run();
    expect(both.outcome.ok).to.be.false;
    expect(both.ups).to.deep.equal([]);
    expect(h.err[0]).to.match(
      /^deploy refused before any update: the change adds trust \(grant "reports" pod-identity\) and removes trust \(grant "archive"\) in one deploy/,
    );
    expect(h.err).to.include("Nothing was changed: fix the cause, then run `npm run deploy` again.");
    // The reasoning, checked against the programs: whichever stack goes first refuses.
    const errors: string[] = [];
    for (const stack of ["account-a", "account-b"]) {
      await h.ws.up(stack, { onEvent: () => undefined }).then(
        () => errors.push(`${stack} accepted`),
        (e: unknown) => errors.push(String(e)),
      );
    }
    expect(errors[0]).to.include('lists "pod-identity", which account-b\'s grant "reports" does not trust');
    expect(errors[1]).to.include('no longer lists grant "archive", which account-a');
  });

  it("previews in the deploy's order, skipping the stack that must wait for the other's update", async () => {
    const h = harness(BEFORE);
    expect((await h.run()).outcome.ok, h.err.join("\n")).to.be.true;
    h.edit({ a: step(1, "a"), b: step(1, "b") });
    h.out.length = 0;
    h.ws.calls.length = 0;
    const outcome = await preview(h.options);
    expect(outcome.ok, h.err.join("\n")).to.be.true;
    expect(h.out[0]).to.match(/^deploy order: account-b, account-a \(adds trust/);
    expect(h.ws.callLog(["preview"])).to.deep.equal(["preview account-b"]);
    expect(h.out).to.include(
      '[2/2 account-a] preview account-a skipped: its program refuses grant "reports" pod-identity until ' +
        "account-b's update has run; `npm run deploy` runs it after account-b's",
    );
  });
});
