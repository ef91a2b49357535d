import { expect } from "chai";
import { type ChainCheckResult, type CheckResult } from "../../chain";
import { doctorReport, renderDoctor } from "../../doctor/report";

const RESULTS: CheckResult[] = [
  { link: "issuer", check: "cluster demo has an OIDC issuer", status: "pass", detail: "issuer https://x" },
  { link: "issuer", check: "discovery", status: "warn", detail: "no route", fix: "run it elsewhere" },
  { link: "oidc-provider", check: "provider", status: "fail", detail: "none", fix: "create it" },
  { link: "service-account", check: "annotated", status: "skip", detail: "--no-cluster" },
];
/** The results as checkChain gives them: each with its mechanism. */
const IRSA_RESULTS: ChainCheckResult[] = RESULTS.map((r) => ({ ...r, mechanism: "irsa" }));

describe("doctor: the report", () => {
  it("is { ok, links } with exactly the documented fields; ok is false when a check failed or is undecided", () => {
    const withExtra = IRSA_RESULTS.map((r) => ({ ...r, extra: 1 }));
    const report = doctorReport(withExtra);
    expect(report.ok).to.equal(false);
    expect(Object.keys(report)).to.deep.equal(["ok", "links"]);
    expect(report.links).to.deep.equal(RESULTS);
    // An undecided check (warn) is not a pass: the doctor never answers ok to what it could not decide.
    expect(doctorReport(RESULTS.filter((r) => r.status !== "fail")).ok).to.equal(false);
    expect(doctorReport(RESULTS.filter((r) => r.status === "pass" || r.status === "skip")).ok).to.equal(true);
  });

  it("renders the plan's table, then each failure and warning with its fix, then a summary", () => {
    const text = renderDoctor(IRSA_RESULTS, { color: false, title: "IRSA chain links (live)" });
    expect(text.split("\n").slice(0, 2)).to.deep.equal([
      "IRSA chain links (live)",
      "  LINK  CHECK                            STATUS  DETAIL",
    ]);
    expect(text).to.include("  2     provider                         FAIL    none\n");
    expect(text).to.include(
      "✗ link 2 broken (the IAM OIDC provider for that issuer in account B): provider: none. Fix: create it.",
    );
    expect(text).to.include(
      "! link 1 undecided (the cluster's OIDC issuer (account A)): discovery: no route. Fix: run it elsewhere.",
    );
    expect(text).to.match(/Doctor: 1 broken link\(s\) \(1 passed, 1 failed, 1 warned, 1 skipped\)\n$/);
    const undecided = renderDoctor(
      IRSA_RESULTS.filter((r) => r.status !== "fail"),
      { color: false, title: "IRSA chain links (live)" },
    );
    expect(undecided).to.match(
      /Doctor: no broken link, 1 undecided check\(s\): not passed \(1 passed, 0 failed, 1 warned, 1 skipped\)\n$/,
    );
  });

  it("names a Pod Identity failure's link by Pod Identity's title (permission is link 5 of both)", () => {
    const failed: CheckResult = {
      link: "permission",
      check: "read",
      status: "fail",
      detail: "no",
      fix: "allow",
    };
    expect(renderDoctor([{ ...failed, mechanism: "pod-identity" }], { color: false, title: "t" })).to.include(
      "✗ link 5 broken (the target role's permission policy and the bucket policy in account B): read: no.",
    );
    expect(renderDoctor([{ ...failed, mechanism: "irsa" }], { color: false, title: "t" })).to.include(
      "✗ link 5 broken (the role's permission policy and the bucket policy in account B): read: no.",
    );
  });
});
