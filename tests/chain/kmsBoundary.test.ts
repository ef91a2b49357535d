/**
 * The KMS check goes through the role's permissions boundary (review of the evaluator merge): the
 * boundary bounds the role's IAM policies and a key policy grant to the role's ARN alike
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html), so a boundary
 * without kms:Decrypt makes S3's read of a KMS-encrypted object fail. It passed before.
 */
import { expect } from "chai";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { type IrsaSnapshot } from "../../chain";
import { checkChain } from "../../mechanisms";
import { B, KEY, ROLE, find, live } from "./liveSnapshot";

const BOUNDARY_ARN = `arn:aws:iam::${B}:policy/s3-only`;
/** A boundary as the AWS CLI writes it: one statement object, a string action. */
const S3_ONLY = { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:*", Resource: "*" } };
const WITH_KMS = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["s3:*", "kms:Decrypt"], Resource: "*" }],
};
const IDENTITY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket", "kms:Decrypt"], Resource: "*" }],
};
const DIRECT_KEY_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: ROLE }, Action: "kms:Decrypt", Resource: "*" }],
};

const withBoundary = (boundary: object, change: (s: IrsaSnapshot) => void = () => undefined) =>
  live((s) => {
    s.permissionPolicies = { inline: JSON.stringify(IDENTITY) };
    s.role = { ...s.role!, boundary: { arn: BOUNDARY_ARN, policy: JSON.stringify(boundary) } };
    change(s);
  });
const kms = (s: IrsaSnapshot) => find(checkChain(s), /kms:Decrypt/);

describe("the KMS key check goes through the role's permissions boundary", () => {
  it("iam-simulate: a boundary without kms:Decrypt denies the role's kms:Decrypt (delegating key policy)", () => {
    const decision = runUnsafeSimulation(
      {
        request: {
          principal: `arn:aws:sts::${B}:assumed-role/reader/session`,
          action: "kms:Decrypt",
          resource: { resource: KEY, accountId: B },
          contextVariables: {},
        },
        identityPolicies: [{ name: "inline", policy: IDENTITY }],
        permissionBoundaryPolicies: [{ name: "s3-only", policy: S3_ONLY }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: {
          __validated: true,
          policyDocument: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${B}:root` },
                Action: "kms:*",
                Resource: "*",
              },
            ],
          },
          metadata: { name: "key" },
          errors: [],
        },
      },
      {},
    );
    expect(decision).to.equal("ImplicitlyDenied");
  });

  it("a delegating key policy, identity allows kms:Decrypt, boundary does not: fail (was: pass)", () => {
    const r = kms(withBoundary(S3_ONLY));
    expect(r.status).to.equal("fail");
    expect(r.detail).to.contain(BOUNDARY_ARN);
  });

  it("a key policy naming the role's ARN, boundary without kms:Decrypt: fail (was: pass)", () => {
    const r = kms(
      withBoundary(S3_ONLY, (s) => {
        s.live!.kmsKey = { arn: KEY, awsManaged: false, policy: JSON.stringify(DIRECT_KEY_POLICY) };
      }),
    );
    expect(r.status).to.equal("fail");
  });

  it("an AWS managed key with a boundary that does not allow kms:Decrypt: warn, not pass", () => {
    const r = kms(
      withBoundary(S3_ONLY, (s) => {
        s.live!.kmsKey = { arn: KEY, awsManaged: true };
      }),
    );
    expect(r.status).to.equal("warn");
    expect(r.detail).to.contain(BOUNDARY_ARN);
  });

  it("a boundary that could not be read: warn for both key kinds", () => {
    const unread = (s: IrsaSnapshot) => {
      s.role = { ...s.role!, boundary: { arn: BOUNDARY_ARN, error: "GetPolicy: AccessDenied" } };
    };
    expect(kms(withBoundary(S3_ONLY, unread)).status).to.equal("warn");
    expect(
      kms(
        withBoundary(S3_ONLY, (s) => {
          unread(s);
          s.live!.kmsKey = { arn: KEY, awsManaged: true };
        }),
      ).status,
    ).to.equal("warn");
  });

  it("a boundary that allows kms:Decrypt: pass, as without a boundary", () => {
    expect(kms(withBoundary(WITH_KMS)).status).to.equal("pass");
    expect(
      kms(
        withBoundary(WITH_KMS, (s) => {
          s.live!.kmsKey = { arn: KEY, awsManaged: true };
        }),
      ).status,
    ).to.equal("pass");
  });
});
