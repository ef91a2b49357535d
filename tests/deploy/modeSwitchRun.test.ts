/**
 * The switch of a deployed single-grant stack pair to grants mode, as docs/migration.md ("Moving a
 * deployed single-grant stack pair to grants mode") says, through the in-memory workspace with the
 * REAL stack programs: the root single-grant pair deployed, the bucket and the namespace taken out
 * of the state, the committed examples/mode-switch files, then `npm run deploy` (and its preview, a
 * resume, going back, and what stays refused).
 */
import { expect } from "chai";
import { preview } from "../../deploy/orchestrator";
import { countChanges } from "../../deploy/progress";
import { loadStackConfig, type StackConfig } from "../../stacks/stackFile";
import { harness, mechanismsOf } from "./deployHarness";
import { type MemoryWorkspace } from "./memoryWorkspace";

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

describe("the switch of a deployed single-grant pair to grants mode (the real programs)", () => {
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
    stateDelete(h.ws, "account-a", "kubernetes:core/v1:Namespace::binding-namespace");
    const kept = ["aws:s3/bucket:Bucket::bucket", "Namespace::binding-namespace"];

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
    expect(deleted("1/3 account-a")).to.include("ServiceAccount binding");
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
});
