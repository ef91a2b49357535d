/**
 * `npm run plan` on the committed EKS Pod Identity example (examples/pod-identity/): the three runs,
 * both roles' documents, an access matrix whose every near miss is denied, and an all-pass chain.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type CheckResult } from "../../chain";
import { POD_IDENTITY_LINKS } from "../../mechanisms";
import { type AccessRow } from "../../plan/matrix";
import { REPO_ROOT, main, type PlanIo } from "../../plan/cli";

const CONFIG_A = path.join(REPO_ROOT, "examples/pod-identity/Pulumi.account-a.yaml");
const CONFIG_B = path.join(REPO_ROOT, "examples/pod-identity/Pulumi.account-b.yaml");

interface Summary {
  ok: boolean;
  runs: Array<{ stack: string; resources: Array<{ type: string }> }>;
  policies: { mechanism: string; trust: { limit: number } };
  accessMatrix: AccessRow[];
  links: CheckResult[];
  artifacts: Record<string, string>;
}

describe("offline plan of the Pod Identity example (npm run plan -- --config-a ... --config-b ...)", function () {
  this.timeout(20000);
  let out: string;
  let code: number;
  let stdout = "";
  let summary: Summary;

  before(async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-pod-identity-"));
    out = path.join(tmp, "out");
    const io: PlanIo = {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stdout += s),
      isTTY: false,
      env: {},
      cwd: REPO_ROOT,
    };
    code = await main(["--config-a", CONFIG_A, "--config-b", CONFIG_B, "--out", out], io);
    summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")) as Summary;
  });

  it("exits 0 and writes both roles' documents", () => {
    expect(code, stdout).to.equal(0);
    expect(summary.ok).to.be.true;
    expect(summary.policies.mechanism).to.equal("pod-identity");
    for (const file of ["trust-policy.json", "source-trust-policy.json", "source-permission-policy.json"]) {
      expect(fs.existsSync(path.join(out, file)), file).to.be.true;
      expect(summary.artifacts).to.have.property(file);
    }
    const types = (stack: string, i: number) =>
      summary.runs.filter((r) => r.stack === stack)[i].resources.map((r) => r.type);
    expect(types("account-b", 0)).to.not.include("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    expect(types("account-a", 0)).to.include("aws:eks/addon:Addon");
    expect(types("account-a", 1)).to.include("aws:eks/podIdentityAssociation:PodIdentityAssociation");
  });

  it("denies every near miss of the target trust and allows exactly the trusted pairs", () => {
    const rows = summary.accessMatrix.filter((r) => r.kind === "target-trust");
    expect(rows.every((r) => r.ok)).to.be.true;
    const subjects = new Set(rows.map((r) => r.subject.replace(/ [^ ]*\/[^ ]*$/, "").replace(/\d{12}/, "N")));
    for (const near of [
      "same name, other namespace",
      "other name, same namespace",
      "swapped pair",
      "another cluster of account A",
      "another role of account A, right tags",
      "the source role's name in account N",
      "no session tags (disableSessionTags)",
    ]) {
      expect([...subjects], near).to.include(near);
      const nearRows = rows.filter((r) => r.subject.replace(/\d{12}/, "N").startsWith(near));
      expect(
        nearRows.every((r) => r.actual !== "Allow"),
        near,
      ).to.be.true;
    }
    const allowed = rows.filter((r) => r.actual === "Allow").map((r) => r.subject);
    expect([...new Set(allowed)]).to.deep.equal([
      "team-a/s3-reader (trusted)",
      "team-b/report-writer (trusted)",
    ]);
    // Both calls EKS makes on the target role are evaluated for every case.
    expect(new Set(rows.map((r) => r.action))).to.deep.equal(new Set(["sts:AssumeRole", "sts:TagSession"]));
  });

  it("checks the source role both ways, and the same access rows as IRSA", () => {
    const source = summary.accessMatrix.filter((r) => r.kind === "source-role");
    expect(source.filter((r) => r.expected === "allow").length).to.be.greaterThan(0);
    expect(source.filter((r) => r.expected === "deny").length).to.be.greaterThan(0);
    expect(source.every((r) => r.ok)).to.be.true;
    expect(summary.accessMatrix.filter((r) => r.kind === "access").every((r) => r.ok)).to.be.true;
  });

  it("passes every Pod Identity link, all five of them, and prints them", () => {
    expect(summary.links.every((l) => l.status === "pass")).to.be.true;
    expect(new Set(summary.links.map((l) => l.link))).to.deep.equal(
      new Set(POD_IDENTITY_LINKS.map((l) => l.id)),
    );
    expect(stdout).to.include("EKS Pod Identity chain links (offline)");
    expect(stdout).to.include("Who may reach the target role");
    expect(stdout).to.match(/Plan OK: \d+ access-matrix rows as intended, \d+ link checks passed/);
  });
});
