/**
 * deploy/diagnosis.ts and the STS diagnosis of verify.ts: the link a failure points to and the
 * catalogue check whose fix is given first agree, and a KMS error is never read as a missing object.
 */
import { expect } from "chai";
import { IRSA_CHECKS } from "../../mechanisms";
import { type AccessCheckResult } from "../../components/accessCheckResult";
import { diagnoseS3 } from "../../deploy/diagnosis";
import { type AccessCheckRef, diagnose, diagnosisLine } from "../../deploy/verify";

const ROLE = "arn:aws:iam::444455556666:role/reader";
const KEY_ARN = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const CHECK: AccessCheckRef = {
  mechanism: "irsa",
  namespace: "apps",
  jobName: "access-check-abc",
  expectedRoleArn: ROLE,
  bucketName: "b",
  objectKey: "k",
  serviceAccount: { namespace: "apps", name: "reader" },
};

function failed(stage: "sts" | "s3", reason: string, callerArn = ""): AccessCheckResult {
  return { ok: false, stage, reason, expectedRoleArn: ROLE, callerArn, bucket: "b", key: "k", bytes: null };
}

describe("verify's diagnosis: the link and its first fix agree", () => {
  it("STS refusing AssumeRoleWithWebIdentity points to link 3, and its first fix is link 3's trust subject", () => {
    const d = diagnose(
      failed(
        "sts",
        "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized",
      ),
      CHECK,
    );
    expect(d.link).to.equal("trust-policy");
    expect(d.checks.map((c) => c.definition.link)).to.deep.equal(["trust-policy", "trust-policy"]);
    expect(d.checks[0].definition).to.equal(IRSA_CHECKS.trustSubject);
    expect(diagnosisLine({ ...d, mechanism: "irsa" })).to.include(
      "Fix: the trust policy's StringEquals must hold <issuer>:sub = system:serviceaccount:apps:reader and " +
        "<issuer>:aud = sts.amazonaws.com",
    );
  });

  const kmsErrors = [
    `An error occurred (KMS.NotFoundException) when calling the GetObject operation: Key '${KEY_ARN}' does not exist`,
    `An error occurred (AccessDenied) when calling the GetObject operation: not authorized to perform kms:Decrypt on ${KEY_ARN}`,
  ];
  for (const error of kmsErrors) {
    it(`a KMS error is the key, not a missing object: ${error.slice(18, 50)}...`, () => {
      const d = diagnoseS3(error, CHECK);
      expect(d.link).to.equal("permission");
      expect(d.advice).to.match(/KMS key/);
      expect(d.checks.map((c) => c.definition)).to.deep.equal([IRSA_CHECKS.kmsKeyAllowed]);
      expect(diagnosisLine({ ...d, mechanism: "irsa" })).to.include(
        `Fix: allow kms:Decrypt on ${KEY_ARN} in the role's policy`,
      );
    });
  }

  it("a KMS error that names no key still gives the KMS fix", () => {
    const d = diagnoseS3("AccessDenied: kms:Decrypt", CHECK);
    expect(diagnosisLine({ ...d, mechanism: "irsa" })).to.include(
      "Fix: allow kms:Decrypt on <the object's KMS key ARN>",
    );
  });

  it("a KMS key that is gone says so; a bucket or key merely named kms is not a KMS error", () => {
    const gone = diagnoseS3(
      `An error occurred (KMS.DisabledException) when calling the GetObject operation: ${KEY_ARN} is disabled.`,
      CHECK,
    );
    expect(gone.advice).to.match(
      /^the object's KMS key cannot be used \(KMS\.DisabledException\): it is missing, disabled/,
    );
    const named = diagnoseS3(
      "An error occurred (NoSuchKey) when calling the GetObject operation: kms-exports/k",
      {
        ...CHECK,
        bucketName: "kms-exports",
      },
    );
    expect(named.link).to.equal(undefined);
    expect(named.advice).to.match(/does not exist/);
  });

  it("a missing object is still a missing object", () => {
    const d = diagnoseS3("An error occurred (NoSuchKey) when calling the GetObject operation", CHECK);
    expect(d.link).to.equal(undefined);
    expect(d.advice).to.match(/s3:\/\/b\/k does not exist/);
  });
});
