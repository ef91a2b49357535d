/**
 * account-b's `grants` output read back strictly (parseGrantsOutput), as account-a and the tools read
 * it: each refusal names `<stack> output grants.<key>.<field>`, the value and the rule. The accepted
 * shape is the program's own output (accountBGrants.test.ts reads it back).
 */
import { expect } from "chai";
import { type BucketAccessHandoff } from "../../components/bucketAccessHandoff";
import { parseGrantsOutput } from "../../stacks/accountBGrantsOutputs";
import { ACCOUNT_B, B_STACK, ISSUER, PROVIDER_ARN } from "./accountBGrantsFixtures";

const HANDOFF: BucketAccessHandoff = {
  version: 1,
  mechanisms: ["irsa"],
  roleArn: `arn:aws:iam::${ACCOUNT_B}:role/reports`,
  serviceAccounts: [{ namespace: "team-a", name: "reader" }],
  clusters: [{ key: "cluster", issuerUrl: ISSUER, oidcProviderArn: PROVIDER_ARN }],
  buckets: [
    { name: "team-a-reports", access: "read", prefixes: ["reports/"] },
    { name: "shared-data", access: "list", prefixes: [] },
  ],
};
const FOREIGN = "arn:aws:kms:eu-west-1:999988887777:key/abc";
const OUT = `${B_STACK} output grants`;

describe("account-b's grants output, read back (parseGrantsOutput)", () => {
  it("accepts a grant with and without a probe and statements, in the order written", () => {
    const value = {
      reports: {
        handoff: HANDOFF,
        probe: { bucketName: "team-a-reports", objectKey: "reports/check.txt" },
        kmsKeyPolicyStatements: { [FOREIGN]: "{}" },
      },
      other: { handoff: HANDOFF },
    };
    const read = parseGrantsOutput(B_STACK, value);
    expect(read).to.deep.equal(value);
    expect(Object.keys(read)).to.deep.equal(["reports", "other"]);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    [
      "a list",
      [HANDOFF],
      /^organization\/cross-account-irsa\/account-b output grants: .* is invalid: must be an object$/,
    ],
    ["no grant", {}, /output grants: \{\} is invalid: must name at least one grant/],
    [
      "a bad key",
      { Reports: { handoff: HANDOFF } },
      /output grants\.Reports: "Reports" is invalid: must be a grant key/,
    ],
    [
      "an unknown field",
      { reports: { handoff: HANDOFF, role: "x" } },
      /output grants\.reports\.role: "x" is invalid: is not a field of it \(handoff, probe, kmsKeyPolicyStatements\)/,
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
      /output grants\.reports\.probe\.bucket: .* is invalid: is not a field of it \(bucketName, objectKey\)/,
    ],
    [
      "a statement that is not text",
      { reports: { handoff: HANDOFF, kmsKeyPolicyStatements: { [FOREIGN]: {} } } },
      /output grants\.reports\.kmsKeyPolicyStatements\.arn:aws:kms:.*: \{\} is invalid/,
    ],
    [
      "a statement for an alias",
      { reports: { handoff: HANDOFF, kmsKeyPolicyStatements: { "alias/x": "{}" } } },
      /output grants\.reports\.kmsKeyPolicyStatements: "alias\/x" is invalid/,
    ],
  ];
  for (const [label, value, message] of cases) {
    it(`refuses ${label}`, () => {
      expect(() => parseGrantsOutput(B_STACK, value)).to.throw(message);
    });
  }
  it("names the output as the stack reads it", () => {
    expect(() => parseGrantsOutput(B_STACK, null)).to.throw(
      new RegExp(`^${OUT.replace(/\//g, "\\/")}: null`),
    );
  });
});
