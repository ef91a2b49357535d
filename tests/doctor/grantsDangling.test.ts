/**
 * The doctor's dangling-trust check (stacks in grants mode): a source role account-b's grant trusts by
 * name that account-a's binding does not create, or a grant account-a does not bind, fails the grant
 * and the run (a trust nobody created is access nobody meant to give: never pass it), named with the
 * role ARN and what to change; `--grant` keeps the selected grant's only.
 */
import { expect } from "chai";
import { grantsFromStacks } from "../../doctor/grants";
import { doctorGrantsReport, grantSections, renderDoctorGrants } from "../../doctor/report";
import { STACKS, aGrant, bGrant, grantsA, grantsB, sourceRoleOf } from "../support/grantOutputs";

/** account-b trusts reports for [irsa, pod-identity]; account-a binds it for irsa only. */
const b = grantsB({
  reports: bGrant("reports", ["irsa", "pod-identity"]),
  archive: bGrant("archive", ["irsa"]),
});
const a = grantsA({
  reports: aGrant("reports", ["irsa"], "irsa"),
  archive: aGrant("archive", ["irsa"], "irsa"),
});

describe("doctor: a dangling trust fails its grant", () => {
  it("a mechanism the binding does not set up: the source role trusted by name, a failing check naming it", () => {
    const grants = grantsFromStacks(STACKS, a, b, "eu-west-1");
    expect(grants.dangling.map((d) => [d.key, d.mechanism, d.roleArn, d.bound])).to.deep.equal([
      ["reports", "pod-identity", sourceRoleOf("reports"), true],
    ]);
    const report = doctorGrantsReport(grantSections(grants, []), grants);
    expect(report.ok).to.equal(false);
    expect(report.grants.map((g) => [g.key, g.ok])).to.deep.equal([
      ["reports", false],
      ["archive", true],
    ]);
    expect(report.danglingTrusts).to.deep.equal([
      {
        grant: "reports",
        mechanism: "pod-identity",
        roleArn: sourceRoleOf("reports"),
        check: "dangling trust",
        status: "fail",
        detail:
          `account-b's grant "reports" trusts ${sourceRoleOf("reports")} (pod-identity) by name, which account-a's ` +
          "binding does not create (it sets up irsa): any principal of account A allowed to create a role named " +
          "reports-pod-identity-source gets the grant's access",
        fix:
          `add "pod-identity" to the mechanism of account-a's cross-account-irsa:grants entry "reports" (its binding ` +
          `then creates the role), or remove "pod-identity" from the grant's mechanism on account-b`,
      },
    ]);
    const text = renderDoctorGrants(grantSections(grants, []), grants, { color: false });
    expect(text.trimEnd().split("\n").at(-1)).to.equal("Doctor: 1 dangling trust(s) in grant(s) reports");
  });

  it("--grant keeps the selected grant's dangling trusts only", () => {
    expect(grantsFromStacks(STACKS, a, b, "eu-west-1", "archive").dangling).to.deep.equal([]);
    expect(grantsFromStacks(STACKS, a, b, "eu-west-1", "reports").dangling).to.have.length(1);
  });

  it("every trusted source role created by a binding, every grant bound: none, ok", () => {
    const bound = grantsA({
      reports: aGrant("reports", ["irsa", "pod-identity"], "irsa"),
      archive: aGrant("archive", ["irsa"], "irsa"),
    });
    const grants = grantsFromStacks(STACKS, bound, b, "eu-west-1");
    expect(grants.dangling).to.deep.equal([]);
    expect(doctorGrantsReport(grantSections(grants, []), grants).ok).to.equal(true);
  });
});
