/**
 * chain/arns.ts's partitionOf never assumes a partition: the permission link (planned and live) and
 * IRSA's expected provider ARN say the partition is unknown instead of deciding on partition `aws`.
 */
import { expect } from "chai";
import { partitionOf } from "../../chain/arns";
import { livePermissionLink } from "../../chain/permission";
import { plannedPermissionLink } from "../../chain/plannedPermission";
import { buildS3AccessPolicy } from "../../components/s3AccessPolicy";
import { expectedProviderArn } from "../../mechanisms/irsa/facts";
import { HOST, KEY, live } from "./liveSnapshot";

const POLICY = JSON.stringify(buildS3AccessPolicy({ bucketName: "team-data" }));

describe("chain/arns: partitionOf", () => {
  it("reads the partition of a role ARN in each partition", () => {
    expect(partitionOf("arn:aws:iam::111122223333:role/r")).to.equal("aws");
    expect(partitionOf("arn:aws-cn:iam::111122223333:role/r")).to.equal("aws-cn");
    expect(partitionOf("arn:aws-us-gov:iam::111122223333:role/path/r")).to.equal("aws-us-gov");
  });

  it("is undefined, never aws, for no ARN, an ARN that is no role's, or text", () => {
    for (const arn of [
      undefined,
      "",
      "not an arn",
      "arn:aws:s3:::bucket",
      "arn:aws:iam::111122223333:user/u",
    ])
      expect(partitionOf(arn), String(arn)).to.equal(undefined);
  });

  it("planned permission link: a role ARN that is no role's is not evaluated as partition aws", () => {
    const facts = {
      mechanism: "irsa" as const,
      role: { arn: "not-a-role-arn", trustPolicy: "{}" },
      permissionPolicies: { s3: POLICY },
      trusted: [],
      workloads: [],
      deployProbe: false,
      bucketName: "team-data",
      objectKey: "k",
    };
    const [read] = plannedPermissionLink(facts);
    expect(read.status).to.equal("fail");
    expect(read.detail).to.match(
      /the role's ARN "not-a-role-arn" is no IAM role ARN, so the object's partition is unknown/,
    );
    // The same policy on a role ARN of partition aws: allowed (the check above failed for the partition only).
    expect(
      plannedPermissionLink({ ...facts, role: { ...facts.role, arn: "arn:aws:iam::444455556666:role/r" } })[0]
        .status,
    ).to.equal("pass");
  });

  it("live permission link: not decided (warn) when the role's ARN gives no partition", () => {
    const s = live((x) => {
      x.role = { ...x.role!, arn: "not-a-role-arn" };
    });
    const read = livePermissionLink(s).find((r) => /partition is unknown/.test(r.detail));
    expect(read?.status).to.equal("warn");
  });

  it("live bucket policy, listing and KMS key checks: not decided (warn) on a role ARN that gives no account", () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: "*" }],
    });
    const s = live((x) => {
      x.role = { ...x.role!, arn: "not-a-role-arn" };
      x.live!.bucketPolicy = policy;
      x.live!.attachedPolicies = {};
      x.live!.kmsKey = { arn: KEY, awsManaged: true };
    });
    const results = livePermissionLink(s);
    for (const check of [/may s3:ListBucket/, /bucket policy/, /KMS key/]) {
      const r = results.find((x) => check.test(x.check));
      expect(r, String(check)).to.not.equal(undefined);
      expect([r!.status, r!.detail], String(check)).to.deep.equal([
        "warn",
        "the role's ARN not-a-role-arn is no IAM role ARN, so its partition and account are unknown: not decided",
      ]);
    }
  });

  it("IRSA's expected provider ARN: in the role's partition; none when that partition is unknown", () => {
    const s = live();
    expect(expectedProviderArn(s, HOST)).to.equal(
      `arn:aws:iam::${s.live!.roleAccountId}:oidc-provider/${HOST}`,
    );
    const cn = live((x) => (x.role = { ...x.role!, arn: x.role!.arn.replace("arn:aws:", "arn:aws-cn:") }));
    expect(expectedProviderArn(cn, HOST)).to.match(/^arn:aws-cn:iam::/);
    const unknown = live((x) => {
      x.role = undefined;
      x.live!.roleArn = undefined;
    });
    expect(expectedProviderArn(unknown, HOST)).to.equal(undefined);
  });
});
