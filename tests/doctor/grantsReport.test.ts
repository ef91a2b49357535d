import { expect } from "chai";
import { type ChainCheckResult, type ChainSnapshot } from "../../chain";
import { grantsFromStacks, standbySnapshot } from "../../doctor/grants";
import { doctorGrantsReport, grantSections, renderDoctorGrants, type JudgedChain } from "../../doctor/report";
import { runDoctor } from "../support/doctorRun";
import { stacksWorkspace } from "../support/stacksWorkspace";
import { STACKS, aGrant, grantsA, grantsB } from "../support/grantOutputs";

const pass = (check: string): ChainCheckResult => ({
  link: "permission",
  check,
  status: "pass",
  detail: "ok",
  mechanism: "irsa",
});
const fail = (check: string): ChainCheckResult => ({
  link: "trust-policy",
  check,
  status: "fail",
  detail: "the trust names apps/other",
  fix: "trust team-a/archive-reader",
  mechanism: "irsa",
});

/** A snapshot as the IRSA collector leaves it, with one live pod that runs as the ServiceAccount. */
const snapshot = (mechanism: "irsa" | "pod-identity", env: Record<string, string>) =>
  ({
    mechanism,
    live: { pods: [{ name: "reader-1", containers: [{ name: "reader", env }] }] },
  }) as unknown as ChainSnapshot;

const IRSA_ENV = { AWS_ROLE_ARN: "arn:aws:iam::444455556666:role/x", AWS_WEB_IDENTITY_TOKEN_FILE: "/t" };

function judged(failing: boolean): JudgedChain[] {
  return [
    { grant: "reports", snapshot: snapshot("irsa", IRSA_ENV), results: [pass("a")], title: "IRSA reports" },
    {
      grant: "reports",
      snapshot: snapshot("pod-identity", IRSA_ENV),
      results: [{ ...pass("b"), mechanism: "pod-identity" }],
      title: "Pod Identity reports",
    },
    {
      grant: "archive",
      snapshot: snapshot("irsa", IRSA_ENV),
      results: [pass("c"), ...(failing ? [fail("d")] : [])],
      title: "IRSA archive",
    },
  ];
}

describe("doctor: the report of stacks in grants mode", () => {
  const grants = grantsFromStacks(STACKS, grantsA(), grantsB(), "eu-west-1");

  it("one passing and one failing grant: not ok; each grant's own verdict, each chain's links", () => {
    const report = doctorGrantsReport(grantSections(grants, judged(true)), grants);
    expect(report.ok).to.equal(false);
    expect(report.grants.map((g) => [g.key, g.ok, g.chains.map((c) => [c.mechanism, c.ok])])).to.deep.equal([
      [
        "reports",
        true,
        [
          ["irsa", true],
          ["pod-identity", true],
        ],
      ],
      ["archive", false, [["irsa", false]]],
    ]);
    expect(report.grants[1].chains[0].links[1]).to.deep.equal({
      link: "trust-policy",
      check: "d",
      status: "fail",
      detail: "the trust names apps/other",
      fix: "trust team-a/archive-reader",
    });
    expect(report.unbound).to.deep.equal(["unused"]);
    expect(report.noProbe).to.deep.equal([]);
    // The unbound grant's role still trusts its ServiceAccount: a dangling trust, a failing check.
    expect(report.danglingTrusts.map((d) => [d.grant, d.check, d.status])).to.deep.equal([
      ["unused", "dangling trust", "fail"],
    ]);
    // Which credentials the live pods use, from the chain of the grant's podCredentialPath.
    expect(report.grants[0].pods).to.deep.equal(["reader-1 uses IRSA's web identity (AWS_ROLE_ARN)"]);
  });

  it("every grant passing: ok", () => {
    expect(
      doctorGrantsReport(grantSections(grants, judged(false)), { unbound: [], noProbe: [], dangling: [] }).ok,
    ).to.equal(true);
  });

  it("renders one section per grant, its chains' tables, and names the failing grant in the verdict", () => {
    const text = renderDoctorGrants(grantSections(grants, judged(true)), grants, { color: false });
    expect(text.split("\n").filter((l) => l.startsWith("Grant ") && l.includes("pods use"))).to.deep.equal([
      "Grant reports: irsa + pod-identity; pods use irsa (account-a's podCredentialPath)",
      "Grant archive: irsa; pods use irsa (account-a's podCredentialPath)",
    ]);
    expect(text).to.include(
      "Grant reports (pod-identity): no broken link (1 passed, 0 failed, 0 warned, 0 skipped)",
    );
    expect(text).to.include(
      "Grant archive (irsa): 1 broken link(s) (1 passed, 1 failed, 0 warned, 0 skipped)",
    );
    expect(text).to.include("Not judged: account-b grants unused, which account-a does not bind.");
    expect(text).to.include("Doctor: 1 of 2 grant(s) with a broken link: archive");
    // The unbound grant "unused" is a dangling trust: it fails, said last.
    expect(text).to.include(
      `✗ grant unused: dangling trust: account-b's grant "unused" is not bound by account-a: its role still trusts team-a/unused-reader (irsa)`,
    );
    expect(text.trimEnd().split("\n").at(-1)).to.equal("Doctor: 1 dangling trust(s) in grant(s) unused");
    const noProbe = renderDoctorGrants(
      grantSections(grants, judged(false)),
      { unbound: [], noProbe: ["audit"], dangling: [] },
      {
        color: false,
      },
    );
    expect(noProbe).to.include(
      "Object read not judged: grants audit, for which account-b exports no probe object (set objectKey on one of " +
        "the grant's buckets); their other links are judged.",
    );
    expect(noProbe.trimEnd().split("\n").at(-1)).to.equal("Doctor: no broken link in 2 grant(s)");
  });
});

describe("doctor: flags one chain needs, refused with stacks in grants mode (exit 2, before any AWS call)", () => {
  async function run(argv: string[], a = grantsA(), cluster = ["--no-cluster"]) {
    const { code, stderr } = await runDoctor([...argv, ...cluster], {
      run: () => Promise.resolve({ code: 0, stdout: "v3.248.0\n", stderr: "" }),
      createWorkspace: () =>
        Promise.resolve(stacksWorkspace({ "account-a": a, "account-b": grantsB() }, "eu-west-1")),
      record: (call) => {
        throw new Error(`no call expected, got ${call}`);
      },
    });
    return { code, stderr };
  }

  it("--mechanism", async () => {
    expect(await run(["--mechanism", "irsa"])).to.deep.equal({
      code: 2,
      stderr:
        "doctor: --mechanism: the stacks are in grants mode, where each grant's binding says its mechanisms " +
        "(account-a's grants.<key>.mechanisms): drop --mechanism (and select one grant with --grant)\n",
    });
  });

  it("--source-role-arn", async () => {
    const r = await run(["--source-role-arn", "arn:aws:iam::111122223333:role/s"]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^doctor: --source-role-arn: the stacks are in grants mode/);
  });

  it("--assume with a grant that sets up Pod Identity names the grant", async () => {
    const r = await run(["--assume"], grantsA(), []);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(
      /^doctor: grant reports: --assume is not available with --mechanism pod-identity/,
    );
  });

  it("an unknown --grant lists the grants account-a binds", async () => {
    expect(await run(["--grant", "nope"])).to.deep.equal({
      code: 2,
      stderr: 'doctor: --grant: "nope" is invalid: is not a grant the stacks bind: one of reports, archive\n',
    });
  });

  it("an output it does not understand is a usage error naming it", async () => {
    const a = grantsA({ reports: { ...aGrant("reports", ["irsa"], "irsa"), extra: 1 } });
    const r = await run([], a);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(
      /^doctor: account-a output grants\.reports\.extra: 1 is invalid: is not a field/,
    );
  });
});

describe("doctor: a grant's standby path (not the pods' podCredentialPath)", () => {
  it("its Kubernetes side is skipped naming the path's chain, in place of the collectors' --no-cluster; nothing else changes", () => {
    const collected = {
      mechanism: "pod-identity",
      unavailable: { cluster: "--no-cluster", workloads: "the doctor reads pods, not Deployments and Jobs" },
    } as unknown as ChainSnapshot;
    expect(standbySnapshot(collected, "irsa").unavailable).to.deep.equal({
      cluster:
        "standby path: the pods take irsa first (account-a's podCredentialPath), and the irsa chain judges their " +
        "ServiceAccount and pods",
      workloads: "the doctor reads pods, not Deployments and Jobs",
    });
    // A cluster that could not be read stays what it is: undecided for its own reason.
    const unreadable = {
      ...collected,
      unavailable: { cluster: "the cluster could not be read: 403" },
    } as ChainSnapshot;
    expect(standbySnapshot(unreadable, "irsa")).to.deep.equal(unreadable);
  });
});
