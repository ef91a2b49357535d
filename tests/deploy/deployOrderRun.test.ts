import { expect } from "chai";
import { type RunOptions, deploy, preview } from "../../deploy/orchestrator";
import { DEFAULT_STACKS } from "../../cli/shared/stacks";
import { countChanges } from "../../deploy/progress";
import { loadStackConfig, type StackConfig } from "../../stacks/stackFile";
import { MemoryWorkspace } from "./memoryWorkspace";

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

/** The root single-grant pair, its bucket named (`bucket.name`, which the grants-mode file names too). */
const SINGLE_GRANT = {
  a: loadStackConfig("Pulumi.account-a.yaml"),
  b: ((b: StackConfig): StackConfig => ({
    ...b,
    config: {
      ...b.config,
      "cross-account-irsa:bucket": JSON.stringify({
        create: true,
        name: "irsa-demo-bucket",
        objectKey: "irsa-check.txt",
      }),
    },
  }))(loadStackConfig("Pulumi.account-b.yaml")),
};

/** The same pair in grants mode: the committed examples/mode-switch files. */
const SWITCHED = {
  a: loadStackConfig("examples/mode-switch/Pulumi.account-a.yaml"),
  b: loadStackConfig("examples/mode-switch/Pulumi.account-b.yaml"),
};

function harness(files: { a: StackConfig; b: StackConfig }) {
  const ws = new MemoryWorkspace({ [DEFAULT_STACKS.a]: files.a, [DEFAULT_STACKS.b]: files.b });
  const out: string[] = [];
  const err: string[] = [];
  const options: RunOptions = {
    workspace: ws,
    stacks: DEFAULT_STACKS,
    log: (l) => out.push(l),
    logError: (l) => err.push(l),
    now: ws.now,
    resumeCommand: (c) => `npm run ${c}`,
  };
  /** Switches both stacks' files (the user edits Pulumi.account-a.yaml and Pulumi.account-b.yaml). */
  const edit = (next: { a: StackConfig; b: StackConfig }) => {
    ws.stackFiles[DEFAULT_STACKS.a] = next.a;
    ws.stackFiles[DEFAULT_STACKS.b] = next.b;
  };
  /** One `npm run deploy`: the `up` calls it made, what it printed, and whether it succeeded. */
  const run = async () => {
    out.length = 0;
    err.length = 0;
    ws.calls.length = 0;
    const outcome = await deploy(options);
    return { outcome, ups: ws.callLog(["up"]), order: out.find((l) => l.startsWith("deploy order: ")) };
  };
  return { ws, out, err, options, edit, run };
}

/** The URNs of a stack's resources in the in-memory backend. */
const urnsOf = (ws: MemoryWorkspace, stack: string): string[] => [
  ...(ws.stacks.get(stack)?.resources.keys() ?? []),
];

/**
 * `pulumi state delete --target-dependents <urn> -s <stack>` on the in-memory backend: the resource
 * whose URN ends with `suffix` and its children (their URNs' type chain runs through its type).
 */
function stateDelete(ws: MemoryWorkspace, stack: string, suffix: string): void {
  const resources = ws.stacks.get(stack)!.resources;
  const target = [...resources.keys()].filter((u) => u.endsWith(suffix));
  expect(target, suffix).to.have.length(1);
  // urn:pulumi:<stack>::<project>::<parent types $ type>::<name>
  const type = target[0].split("::")[2];
  for (const urn of [...resources.keys()]) {
    if (urn === target[0] || urn.split("::")[2].startsWith(`${type}$`)) resources.delete(urn);
  }
}

/** A stack's `grants` output, as `{ key: mechanisms }` (account-a) or `{ key: handoff mechanisms }` (account-b). */
function mechanismsOf(ws: MemoryWorkspace, stack: string): Record<string, unknown> {
  const grants = (ws.stacks.get(stack)?.outputs.grants?.value ?? {}) as Record<
    string,
    Record<string, unknown>
  >;
  return Object.fromEntries(
    Object.entries(grants).map(([k, g]) => [
      k,
      stack === DEFAULT_STACKS.a ? g.mechanisms : (g.handoff as { mechanisms: unknown }).mechanisms,
    ]),
  );
}

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

  it("switches a deployed single-grant pair to grants mode as docs/migration.md says: keep the bucket and the namespace, then deploy (account-a, account-b, account-a)", async () => {
    const h = harness(SINGLE_GRANT);
    expect((await h.run()).outcome.ok, h.err.join("\n")).to.be.true;
    const clusterUrns = urnsOf(h.ws, "account-a").filter((u) => /WorkloadCluster|providers:aws/.test(u));
    expect(clusterUrns).to.have.length(4);
    const oidc = urnsOf(h.ws, "account-b").filter((u) => u.endsWith("::cluster-oidc"));
    expect(oidc).to.have.length(2);

    // Before the switch each program refuses to go first: the defect this procedure had.
    h.edit(SWITCHED);
    const bFirst = await h.ws.up("account-b", { onEvent: () => undefined }).then(
      () => "accepted",
      (e: unknown) => String(e),
    );
    expect(bFirst).to.match(
      /runs in grants mode \(cross-account-irsa:grants\) but .*account-a.* in single-grant mode/,
    );

    // Steps 1 and 2 of the procedure: `pulumi state delete` (--target-dependents: with the children).
    stateDelete(h.ws, "account-b", "cross-account-irsa:index:SecureBucket::bucket");
    stateDelete(h.ws, "account-a", "kubernetes:core/v1:Namespace::irsa-service-account-namespace");
    const kept = ["aws:s3/bucket:Bucket::bucket", "Namespace::irsa-service-account-namespace"];

    // Step 3: `npm run deploy` with the two grants-mode files.
    const run = await h.run();
    expect(run.outcome.ok, h.err.join("\n")).to.be.true;
    expect(run.ups).to.deep.equal(["up account-a", "up account-b", "up account-a"]);
    expect(run.order).to.equal(
      "deploy order: account-a, account-b, account-a (switches the pair to grants mode (account-b is still deployed " +
        "in single-grant mode): account-a first, binding nothing (its single-grant resources are deleted: pods lose " +
        "access until its second update), then account-b's grants, then account-a binds them)",
    );
    // account-a's first update: the warning, the single-grant resources deleted, nothing created.
    const warning = h.out.find((l) => l.startsWith("[1/3 account-a] warning: "));
    expect(warning).to.include(
      "organization/cross-account-irsa/account-b) is still deployed in single-grant mode",
    );
    expect(warning).to.include("It DELETES account-a's single-grant resources for irsa");
    expect(warning).to.include("Next: update account-b with its grants-mode config, then account-a again");
    const [first, second, third] = run.outcome.phases.map((p) => countChanges(p.resourceChanges ?? {}));
    expect([first.created, first.updated, first.deleted]).to.deep.equal([0, 0, 6]);
    const deleted = (phase: string) =>
      h.out.filter((l) => l.startsWith(`[${phase}]`) && / delete /.test(l)).join("\n");
    expect(deleted("1/3 account-a")).to.include("ServiceAccount irsa-service-account");
    expect(deleted("1/3 account-a")).not.to.include("Namespace");
    // account-b's update: the grant replaces the single-grant role; the kept bucket is not deleted.
    expect(second.created).to.be.greaterThan(0);
    expect(deleted("2/3 account-b")).to.include("aws:iam/role:Role irsa-role");
    expect(deleted("2/3 account-b")).not.to.include("aws:s3/bucket:Bucket");
    // account-a's second update binds the grant (pods regain access from here).
    expect([third.created, third.deleted]).to.deep.equal([6, 0]);
    expect(mechanismsOf(h.ws, "account-a")).to.deep.equal({ demo: ["irsa"] });
    // The cluster and account B's OIDC provider kept their URNs (never replaced); nothing kept was re-created.
    const after = [...urnsOf(h.ws, "account-a"), ...urnsOf(h.ws, "account-b")];
    for (const urn of [...clusterUrns, ...oidc]) expect(after).to.include(urn);
    for (const k of kept) expect(after.filter((u) => u.endsWith(k))).to.deep.equal([]);

    // Converged: deploying again changes nothing, account-b first (nothing to add or remove).
    const again = await h.run();
    expect(again.outcome.ok, h.err.join("\n")).to.be.true;
    expect(again.ups).to.deep.equal(["up account-b", "up account-a"]);
    for (const p of again.outcome.phases) {
      const c = countChanges(p.resourceChanges ?? {});
      expect([c.created, c.updated, c.deleted], `${p.phase.stack}`).to.deep.equal([0, 0, 0]);
    }
  });

  it("resumes the switch after account-b's update failed: account-a binds nothing yet, so account-b goes first", async () => {
    const h = harness(SINGLE_GRANT);
    expect((await h.run()).outcome.ok, h.err.join("\n")).to.be.true;
    h.edit(SWITCHED);
    h.ws.failNext({ op: "up", stack: "account-b", afterSteps: 1 });
    const failed = await h.run();
    expect(failed.outcome.ok).to.be.false;
    expect(failed.ups).to.deep.equal(["up account-a", "up account-b"]);
    const rerun = await h.run();
    expect(rerun.outcome.ok, h.err.join("\n")).to.be.true;
    expect(rerun.ups).to.deep.equal(["up account-b", "up account-a"]);
    expect(rerun.order).to.match(
      /^deploy order: account-b, account-a \(account-b is still deployed in single-grant mode and account-a binds nothing yet/,
    );
    expect(mechanismsOf(h.ws, "account-a")).to.deep.equal({ demo: ["irsa"] });
  });

  it("goes back to single-grant mode after the switch's first update only: account-a binds nothing, account-b is unchanged", async () => {
    const h = harness(SINGLE_GRANT);
    expect((await h.run()).outcome.ok, h.err.join("\n")).to.be.true;
    h.edit(SWITCHED);
    h.ws.failNext({ op: "up", stack: "account-b", afterSteps: 1 });
    expect((await h.run()).outcome.ok).to.be.false;
    h.edit(SINGLE_GRANT);
    const back = await h.run();
    expect(back.outcome.ok, h.err.join("\n")).to.be.true;
    expect(back.ups).to.deep.equal(["up account-a", "up account-b", "up account-a"]);
    expect(h.ws.stacks.get("account-a")?.outputs.mode).to.equal(undefined);
    expect(h.ws.stacks.get("account-a")?.outputs.roleArn?.value).to.equal(
      "arn:aws:iam::444455556666:role/irsa-demo-s3-reader",
    );
  });

  it("refuses, before any update, configs in two modes and a grants-mode pair switched back to single-grant", async () => {
    const h = harness(SINGLE_GRANT);
    expect((await h.run()).outcome.ok, h.err.join("\n")).to.be.true;
    // Only account-a's file switched: its program alone would run (binding nothing); the deploy refuses.
    h.edit({ a: SWITCHED.a, b: SINGLE_GRANT.b });
    const half = await h.run();
    expect(half.outcome.ok).to.be.false;
    expect(half.ups).to.deep.equal([]);
    expect(h.err[0]).to.match(
      /^deploy refused before any update: cross-account-irsa:grants: account-a \(organization\/cross-account-irsa\/account-a\) runs in grants mode .* in single-grant mode/,
    );
    // Switched, then both files back: both single-grant programs refuse the other stack's grants mode.
    h.edit(SWITCHED);
    expect((await h.run()).outcome.ok, h.err.join("\n")).to.be.true;
    h.edit(SINGLE_GRANT);
    const back = await h.run();
    expect(back.outcome.ok).to.be.false;
    expect(back.ups).to.deep.equal([]);
    expect(h.err[0]).to.match(/^deploy refused before any update: account-b is deployed in grants mode/);
    for (const stack of ["account-a", "account-b"]) {
      const error = await h.ws.up(stack, { onEvent: () => undefined }).then(
        () => "accepted",
        (e: unknown) => String(e),
      );
      expect(error, stack).to.match(/in grants mode .* in single-grant mode|single-grant mode/);
    }
  });

  it("previews the switch: account-a's deletes and warning; account-b waits for account-a's update", async () => {
    const h = harness(SINGLE_GRANT);
    expect((await h.run()).outcome.ok, h.err.join("\n")).to.be.true;
    h.edit(SWITCHED);
    h.out.length = 0;
    h.ws.calls.length = 0;
    const outcome = await preview(h.options);
    expect(outcome.ok, h.err.join("\n")).to.be.true;
    expect(h.out[0]).to.match(
      /^deploy order: account-a, account-b, account-a \(switches the pair to grants mode/,
    );
    expect(h.ws.callLog(["preview"])).to.deep.equal(["preview account-a"]);
    expect(
      h.out.some((l) =>
        l.includes("warning: account-b (organization/cross-account-irsa/account-b) is still"),
      ),
    ).to.be.true;
    expect(h.out).to.include(
      "[2/2 account-b] preview account-b skipped: its program refuses account-a's single-grant outputs until " +
        "account-a's update has run; `npm run deploy` runs it after account-a's",
    );
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
