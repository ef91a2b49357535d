/**
 * account-b's single-grant program judges the edge cases of tests/fixtures/singleGrant/accountBCases.ts
 * exactly as it did before it ran through `BucketAccessGrant` (recorded at 4787b0f's programs): the
 * same refusals, word for word, and for an accepted stack the same registrations (type and inputs)
 * and outputs.
 */
import { expect } from "chai";
import recorded from "../fixtures/singleGrant/accountBJudged.json";
import { ACCOUNT_B_CASES, judge } from "../fixtures/singleGrant/accountBCases";

const BEFORE = (recorded as { judged: Record<string, string> }).judged;

describe("account-b single-grant edge cases: judged as before the fold into BucketAccessGrant", () => {
  it("has a recorded judgement for every case", () => {
    expect(Object.keys(BEFORE)).to.have.members(ACCOUNT_B_CASES.map((c) => c.name));
  });
  for (const c of ACCOUNT_B_CASES) {
    it(c.name, async () => {
      expect(await judge(c)).to.equal(BEFORE[c.name]);
    });
  }
});
