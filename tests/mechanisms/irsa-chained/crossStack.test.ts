/**
 * The IRSA-chained chain as account-a is about to build it: whole once its own side is known; before
 * that, the links that need the cluster and the source role wait; a mismatch with account-b's export
 * names both sides.
 */
import { expect } from "chai";
import { buildChainedTargetTrustPolicy } from "../../../components/chainedPolicies";
import { policyJson } from "../../../components/policyDocument";
import { buildS3AccessPolicy } from "../../../components/s3AccessPolicy";
import { plannedIrsaChainedProblems } from "../../../mechanisms/irsa-chained/crossStack";

const A = "111122223333";
const B = "444455556666";
const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const PROVIDER = `arn:aws:iam::${A}:oidc-provider/${ISSUER.slice(8)}`;
const SOURCE = `arn:aws:iam::${A}:role/chained-source`;
const SA = { namespace: "team-a", name: "s3-reader" };
const b = {
  roleArn: `arn:aws:iam::${B}:role/chained-target`,
  bucketName: "reports-b",
  objectKey: "reports/check.txt",
  serviceAccounts: [SA],
  trustPolicy: policyJson(buildChainedTargetTrustPolicy({ sourceRoleArn: SOURCE })),
  accessPolicy: policyJson(buildS3AccessPolicy({ bucketName: "reports-b", prefixes: ["reports/"] })),
  sourceRoleArn: SOURCE,
};

describe("irsa-chained cross-stack check", () => {
  it("passes once the cluster, the provider and the source role are known, and before (waiting)", () => {
    expect(
      plannedIrsaChainedProblems(b, SA, true, {
        issuerUrl: ISSUER,
        providerArn: PROVIDER,
        sourceRoleArn: SOURCE,
      }),
    ).to.equal(undefined);
    expect(plannedIrsaChainedProblems(b, SA, true, {})).to.equal(undefined);
  });

  it("account-b trusting another source role: names both", () => {
    const other = `arn:aws:iam::${A}:role/old-source`;
    expect(
      plannedIrsaChainedProblems(b, SA, true, {
        issuerUrl: ISSUER,
        providerArn: PROVIDER,
        sourceRoleArn: other,
      }),
    ).to.match(new RegExp(`trusts ${SOURCE}, not this stack's source role ${other}`));
  });

  it("a ServiceAccount account-b does not grant: link 4, naming the fix", () => {
    const problem = plannedIrsaChainedProblems(b, { namespace: "team-b", name: "x" }, true, {
      issuerUrl: ISSUER,
      providerArn: PROVIDER,
      sourceRoleArn: SOURCE,
    });
    expect(problem).to.match(/link 4 broken .*ServiceAccount team-b\/x is one account-b grants/);
  });
});
