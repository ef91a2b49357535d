/**
 * IRSA-chained's access matrix: every row as the config intends on the builders' documents (near
 * misses denied: another service account, another role of A, the same name in a third account, A's
 * root); a target trust naming account A alone shows its near misses as allowed, not ok.
 */
import * as path from "node:path";
import { expect } from "chai";
import {
  buildChainedSourcePermissionPolicy,
  buildChainedSourceTrustPolicy,
  buildChainedTargetTrustPolicy,
} from "../../../components/chainedPolicies";
import { type PolicyDocument } from "../../../components/policyDocument";
import { buildS3AccessPolicy } from "../../../components/s3AccessPolicy";
import { buildIrsaChainedMatrix } from "../../../mechanisms/irsa-chained/matrix";
import { parsePlanConfigs } from "../../../plan/config";
import { loadStackConfig } from "../../../stacks/stackFile";

const A = "111122223333";
const B = "444455556666";
const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const PROVIDER = `arn:aws:iam::${A}:oidc-provider/${ISSUER.slice(8)}`;
const SOURCE = `arn:aws:iam::${A}:role/chained-source`;
const TARGET = `arn:aws:iam::${B}:role/chained-target`;
const ROOT = path.resolve(__dirname, "..", "..", "..");

function inputs(targetTrust?: PolicyDocument) {
  // The pod-identity example's settings (bucket, access, prefixes) stand in until the config parser
  // knows irsa-chained; the service accounts are the grant's.
  const configs = parsePlanConfigs(
    loadStackConfig(path.join(ROOT, "examples/pod-identity/Pulumi.account-a.yaml")),
    loadStackConfig(path.join(ROOT, "examples/pod-identity/Pulumi.account-b.yaml")),
  );
  const serviceAccounts = configs.b.serviceAccounts;
  return {
    configs,
    providerArn: PROVIDER,
    accountBId: B,
    sourceRoleArn: SOURCE,
    sourceTrust: buildChainedSourceTrustPolicy({
      oidcProviderArn: PROVIDER,
      issuerUrl: ISSUER,
      serviceAccounts,
    }),
    sourcePermissions: [buildChainedSourcePermissionPolicy({ targetRoleArn: TARGET })],
    targetRoleArn: TARGET,
    targetTrust: targetTrust ?? buildChainedTargetTrustPolicy({ sourceRoleArn: SOURCE }),
    permissionPolicies: [buildS3AccessPolicy({ bucketName: "reports-b", prefixes: ["reports/"] })],
    bucketName: "reports-b",
  };
}

describe("irsa-chained access matrix", () => {
  it("every row as intended; near misses denied", () => {
    const rows = buildIrsaChainedMatrix(inputs());
    expect(
      rows.filter((r) => !r.ok),
      JSON.stringify(
        rows.filter((r) => !r.ok),
        null,
        1,
      ),
    ).to.deep.equal([]);
    const target = rows
      .filter((r) => r.kind === "target-trust")
      .map((r) => [r.subject, r.expected, r.actual]);
    expect(target).to.deep.equal([
      ["the source role", "allow", "Allow"],
      ["another role of account A", "deny", "ImplicitDeny"],
      ["the source role's name in account 999988887777", "deny", "ImplicitDeny"],
      ["account A's root user", "deny", "ImplicitDeny"],
    ]);
    const trust = rows.filter((r) => r.kind === "trust");
    expect(trust.filter((r) => r.expected === "allow").map((r) => r.subject)).to.deep.equal([
      "team-a/s3-reader (trusted)",
      "team-b/report-writer (trusted)",
    ]);
    expect(trust.map((r) => r.subject)).to.include("a provider in account B, not A");
    expect(rows.filter((r) => r.kind === "source-role").map((r) => [r.subject, r.actual])).to.deep.equal([
      ["the source role chains into the target role", "Allow"],
      ["the source role chains into another role", "ImplicitDeny"],
    ]);
  });

  it("a target trust naming account A alone: its near misses are allowed, and flagged", () => {
    const rows = buildIrsaChainedMatrix(
      inputs({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: "sts:AssumeRole" },
        ],
      }),
    );
    expect(rows.filter((r) => !r.ok).map((r) => r.subject)).to.deep.equal([
      "another role of account A",
      "account A's root user",
    ]);
  });
});
