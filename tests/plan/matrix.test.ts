/**
 * plan/matrix.ts: a row is ok only when the evaluator decided what the config intends; an undecided
 * outcome (a statement it cannot read) is never ok, whatever was expected.
 */
import { expect } from "chai";
import { matrixRow } from "../../plan/matrix";

describe("the access matrix's rows (plan/matrix.ts)", () => {
  const row = (expected: "allow" | "deny", unsupported?: string) =>
    matrixRow("access", "the role", "s3:GetObject", "arn:aws:s3:::b/k", {}, expected, {
      decision: "ImplicitDeny",
      reason: "cannot evaluate: IpAddress",
      ...(unsupported !== undefined ? { unsupported } : {}),
    });

  it("an expected deny on an undecided outcome is not ok, and says why", () => {
    const undecided = row("deny", "statement Odd (IpAddress)");
    expect(undecided.ok).to.equal(false);
    expect(undecided.reason).to.equal("the evaluator cannot read statement Odd (IpAddress): not decided");
    expect(row("allow", "statement Odd (IpAddress)").ok).to.equal(false);
  });

  it("a decided outcome is ok when it is what the config intends", () => {
    expect(row("deny").ok).to.equal(true);
    expect(row("deny").reason).to.equal("cannot evaluate: IpAddress");
    expect(row("allow").ok).to.equal(false);
  });
});
