import { expect } from "chai";
import { tryResourcePolicy } from "../../chain";
import { checkChain } from "../../mechanisms";
import { buildS3AccessPolicy } from "../../components/s3AccessPolicy";
import { B, KEY, ROLE, find, live, statusOf } from "./liveSnapshot";

describe("the permission link on live facts (bucket policy, object, KMS key)", () => {
  it("fails an explicit deny in the bucket policy even beside a statement it cannot read", () => {
    const doc = {
      Version: "2012-10-17" as const,
      Statement: [
        {
          Sid: "Odd",
          Effect: "Deny" as const,
          NotPrincipal: { AWS: "x" },
          Action: "s3:DeleteObject",
          Resource: "*",
        },
        {
          Sid: "NoReader",
          Effect: "Deny" as const,
          Principal: { AWS: ROLE },
          Action: "s3:GetObject",
          Resource: "*",
        },
      ],
    };
    const outcome = tryResourcePolicy(doc, ROLE, "s3:GetObject", "arn:aws:s3:::team-data/k");
    expect(outcome.decision).to.equal("ExplicitDeny");
    expect(outcome.reason).to.match(
      /^denied by statement NoReader \(the evaluator cannot read statement Odd/,
    );
  });

  it("applies a deny to the role's account root to the role", () => {
    const s = live((x) => {
      x.live!.bucketPolicy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "NoB",
            Effect: "Deny",
            Principal: { AWS: `arn:aws:iam::${B}:root` },
            Action: "s3:ListBucket",
            Resource: "*",
          },
        ],
      });
    });
    expect(find(checkChain(s), /bucket policy/).detail).to.match(/denied by statement NoB/);
    expect(
      statusOf(
        live((x) => (x.live!.bucketPolicy = null)),
        /bucket policy/,
      ),
    ).to.equal("pass");
  });

  it("needs kms:Decrypt in the role's policy when the key policy only delegates to the account", () => {
    const noGrant = live(
      (x) => (x.permissionPolicies = { p: JSON.stringify(buildS3AccessPolicy({ bucketName: "team-data" })) }),
    );
    expect(statusOf(noGrant, /kms:Decrypt/)).to.equal("fail");
    const direct = live((x) => {
      x.permissionPolicies = { p: JSON.stringify(buildS3AccessPolicy({ bucketName: "team-data" })) };
      x.live!.kmsKey!.policy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "Reader",
            Effect: "Allow",
            Principal: { AWS: ROLE },
            Action: "kms:Decrypt",
            Resource: "*",
          },
        ],
      });
    });
    expect(statusOf(direct, /kms:Decrypt/)).to.equal("pass");
    const awsManagedElsewhere = live(
      (x) => (x.live!.kmsKey = { arn: KEY.replace(B, "999999999999"), awsManaged: true }),
    );
    expect(statusOf(awsManagedElsewhere, /kms:Decrypt/)).to.equal("fail");
  });

  it("checks the bucket side even when the role's policies could not be read: a missing object still fails", () => {
    const s = live((x) => {
      delete x.role;
      x.permissionPolicies = {};
      x.live!.roleArn = ROLE;
      x.live!.roleError = "GetRole reader: AccessDenied: not authorized";
      x.live!.object = { exists: false, detail: "HeadObject: NotFound (HTTP 404)" };
    });
    const results = checkChain(s);
    expect(find(results, /may s3:GetObject/).status).to.equal("skip");
    expect(find(results, /exists/)).to.deep.include({
      status: "fail",
      detail: "HeadObject: NotFound (HTTP 404)",
    });
    expect(find(results, /bucket policy/).status).to.equal("pass");
    // The key policy only delegates to the account: the unread policies would decide, so not decided.
    expect(find(results, /kms:Decrypt/)).to.deep.include({
      status: "skip",
      detail: "the role's policies could not be read: needed to decide",
    });
    // A key policy that grants the role itself is not enough either: an unread policy of the role may
    // deny kms:Decrypt (tests/chain/kmsPrincipal.test.ts).
    const direct = live((x) => {
      delete x.role;
      x.live!.roleArn = ROLE;
      x.live!.kmsKey!.policy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "Reader", Effect: "Allow", Principal: { AWS: ROLE }, Action: "kms:Decrypt", Resource: "*" },
        ],
      });
    });
    expect(find(checkChain(direct), /kms:Decrypt/).status).to.equal("skip");
  });

  it("skips what could not be read, with AWS's error", () => {
    const s = live((x) => {
      delete x.live!.object;
      delete x.live!.kmsKey;
      x.unavailable = { ...x.unavailable, object: "HeadObject: AccessDenied" };
    });
    expect(find(checkChain(s), /exists/)).to.deep.include({
      status: "skip",
      detail: "HeadObject: AccessDenied",
    });
  });
});
