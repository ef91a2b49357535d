/**
 * account-b's `grants` output read back strictly (stacks/grantsOutputs.ts's parseAccountBGrants), as
 * account-a, the doctor and verify read it: each refusal names `<stack> output grants.<key>.<field>`,
 * the value and the rule. The accepted shape is the program's own output (accountBGrants.test.ts
 * reads it back); tests/doctor/grants.test.ts has the doctor's cases.
 */
import { expect } from "chai";
import { type BucketAccessHandoff } from "../../components/bucketAccessHandoff";
import { parseAccountBGrants } from "../../stacks/grantsOutputs";
import { ACCOUNT_B, B_STACK, ISSUER, PROVIDER_ARN } from "./accountBGrantsFixtures";

const FOREIGN = "arn:aws:kms:eu-west-1:999988887777:key/abc";
const HANDOFF: BucketAccessHandoff = {
  version: 1,
  mechanisms: ["irsa"],
  roleArn: `arn:aws:iam::${ACCOUNT_B}:role/reports`,
  serviceAccounts: [{ namespace: "team-a", name: "reader" }],
  clusters: [{ key: "cluster", issuerUrl: ISSUER, oidcProviderArn: PROVIDER_ARN }],
  buckets: [
    { name: "team-a-reports", access: "read", prefixes: ["reports/"], kmsKeyArn: FOREIGN },
    { name: "shared-data", access: "list", prefixes: [] },
  ],
};
const OUT = `${B_STACK} output grants`;

describe("account-b's grants output, read back (parseAccountBGrants)", () => {
  it("accepts a grant with and without a probe and statements, in the order written", () => {
    const value = {
      reports: {
        handoff: HANDOFF,
        probe: { bucketName: "team-a-reports", objectKey: "reports/check.txt" },
        kmsKeyPolicyStatements: { [FOREIGN]: "{}" },
      },
      other: { handoff: HANDOFF },
    };
    const read = parseAccountBGrants(B_STACK, value);
    expect(read).to.deep.equal(Object.entries(value).map(([key, entry]) => ({ key, ...entry })));
    expect(read.map((g) => g.key)).to.deep.equal(["reports", "other"]);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    [
      "a list",
      [HANDOFF],
      /^organization\/cross-account-irsa\/account-b output grants: .* is invalid: must be an object keyed by grant key$/,
    ],
    ["no grant", {}, /output grants: \{\} is invalid: must name at least one grant/],
    [
      "a bad key",
      { Reports: { handoff: HANDOFF } },
      /output grants: .* is invalid: has the key "Reports", which must be 1 to 32 lower-case letters/,
    ],
    [
      "an unknown field",
      { reports: { handoff: HANDOFF, role: "x" } },
      /output grants\.reports\.role: "x" is invalid: is not a field this version reads \(handoff, probe, kmsKeyPolicyStatements\)/,
    ],
    ["no handoff", { reports: {} }, /output grants\.reports\.handoff: undefined is invalid: is required/],
    [
      "a handoff of another version",
      { reports: { handoff: { ...HANDOFF, version: 2 } } },
      /output grants\.reports\.handoff\.version: 2 is invalid: must be 1/,
    ],
    [
      "a probe of another bucket",
      { reports: { handoff: HANDOFF, probe: { bucketName: "other-data", objectKey: "a" } } },
      /output grants\.reports\.probe\.bucketName: "other-data" is invalid: must be one of the grant's buckets/,
    ],
    [
      "a probe outside the prefixes",
      { reports: { handoff: HANDOFF, probe: { bucketName: "team-a-reports", objectKey: "check.txt" } } },
      /output grants\.reports\.probe\.objectKey: "check.txt" is invalid: must be an object the grant lets the role read in team-a-reports/,
    ],
    [
      "a probe of a listed-only bucket",
      { reports: { handoff: HANDOFF, probe: { bucketName: "shared-data", objectKey: "x" } } },
      /output grants\.reports\.probe\.objectKey: "x" is invalid: must be an object the grant lets the role read/,
    ],
    [
      "a probe field",
      { reports: { handoff: HANDOFF, probe: { bucket: "team-a-reports" } } },
      /output grants\.reports\.probe\.bucket: .* is invalid: is not a field this version reads \(bucketName, objectKey\)/,
    ],
    [
      "a statement that is not text",
      { reports: { handoff: HANDOFF, kmsKeyPolicyStatements: { [FOREIGN]: {} } } },
      /output grants\.reports\.kmsKeyPolicyStatements\["arn:aws:kms:.*"\]: \{\} is invalid/,
    ],
    [
      "a statement for an alias",
      { reports: { handoff: HANDOFF, kmsKeyPolicyStatements: { "alias/x": "{}" } } },
      /output grants\.reports\.kmsKeyPolicyStatements key: "alias\/x" is invalid/,
    ],
  ];
  for (const [label, value, message] of cases) {
    it(`refuses ${label}`, () => {
      expect(() => parseAccountBGrants(B_STACK, value)).to.throw(message);
    });
  }
  it("names the output as the stack reads it", () => {
    expect(() => parseAccountBGrants(B_STACK, null)).to.throw(
      new RegExp(`^${OUT.replace(/\//g, "\\/")}: null`),
    );
  });
});
