/**
 * chain/evaluation.ts: the evaluators as the checks use them, undecided where the evaluator cannot
 * read a statement, and an explicit deny anywhere still deciding.
 */
import { expect } from "chai";
import { statusOf, tryAccess } from "../../chain";
import { type PolicyDocument } from "../../components/policyDocument";

const OBJECT = "arn:aws:s3:::team-data/x.txt";
/** A document the evaluator cannot read (an operator it does not support). */
const unreadable = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "Odd",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "*",
      Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
    },
  ],
} as unknown as PolicyDocument;
const deny: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Sid: "NoRead", Effect: "Deny", Action: "s3:GetObject", Resource: "*" }],
};
const allow: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
};

describe("tryAccess over a role's policies (chain/evaluation.ts)", () => {
  it("an explicit deny in any policy wins, also after a policy it cannot read (fail, not warn)", () => {
    for (const docs of [
      [unreadable, deny],
      [deny, unreadable],
      [allow, unreadable, deny],
    ]) {
      const outcome = tryAccess(docs, "s3:GetObject", OBJECT);
      expect(outcome.decision).to.equal("ExplicitDeny");
      expect(statusOf(outcome, false)).to.equal("fail");
    }
  });

  it("a policy it cannot read leaves an allow elsewhere undecided (warn), naming the statement", () => {
    for (const docs of [
      [unreadable, allow],
      [allow, unreadable],
    ]) {
      const outcome = tryAccess(docs, "s3:GetObject", OBJECT);
      expect(outcome.unsupported).to.match(/^statement Odd /);
      expect(statusOf(outcome, outcome.decision === "Allow")).to.equal("warn");
    }
    expect(tryAccess([allow], "s3:GetObject", OBJECT).decision).to.equal("Allow");
  });
});
