/**
 * verify's IRSA-chained diagnosis: each AWS CLI error of the chain points to its link, with the
 * catalogue checks whose fixes apply.
 */
import { expect } from "chai";
import { type AccessCheckResult } from "../../../components/accessCheckResult";
import { diagnoseIrsaChained } from "../../../mechanisms/irsa-chained/verify";

const A = "111122223333";
const B = "444455556666";
const TARGET = `arn:aws:iam::${B}:role/chained-target`;
const check = {
  namespace: "team-a",
  jobName: "access-check-1",
  expectedRoleArn: TARGET,
  bucketName: "reports-b",
  objectKey: "reports/check.txt",
  serviceAccount: { namespace: "team-a", name: "s3-reader" },
  mechanism: "irsa-chained" as const,
};
const result = (stage: AccessCheckResult["stage"], reason: string, callerArn = ""): AccessCheckResult => ({
  ok: false,
  stage,
  reason,
  expectedRoleArn: TARGET,
  callerArn,
  bucket: "reports-b",
  key: "reports/check.txt",
  bytes: null,
});

describe("irsa-chained verify diagnosis", () => {
  const cases: Array<[string, AccessCheckResult, string | undefined, RegExp]> = [
    [
      "the chained AssumeRole denied",
      result(
        "sts",
        `An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::${A}:assumed-role/chained-source/botocore-session-1 is not authorized to perform: sts:AssumeRole on resource: ${TARGET}`,
      ),
      "target-trust",
      /ArnEquals aws:PrincipalArn/,
    ],
    [
      "the web identity step denied",
      result(
        "sts",
        "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity",
      ),
      "trust-policy",
      /exact sub and aud/,
    ],
    [
      "no provider in A",
      result(
        "sts",
        "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found in your account for https://oidc.eks...",
      ),
      "oidc-provider",
      /account A/,
    ],
    [
      "a session over an hour",
      result(
        "sts",
        "An error occurred (ValidationError) when calling the AssumeRole operation: The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
      ),
      "service-account",
      /3600 or less/,
    ],
    [
      "the profile is missing",
      result("sts", "The config profile (cross-account-irsa) could not be found"),
      "service-account",
      /AWS_PROFILE/,
    ],
    [
      "the pod runs as the source role",
      result("identity", "the pod runs as ...", `arn:aws:sts::${A}:assumed-role/chained-source/1`),
      "service-account",
      /reads the webhook's AWS_ROLE_ARN first/,
    ],
  ];
  for (const [what, r, link, advice] of cases) {
    it(`${what}: link ${link}`, () => {
      const d = diagnoseIrsaChained(r, check, "");
      expect(d.link).to.equal(link);
      expect(d.advice).to.match(advice);
      expect(d.checks.length).to.be.greaterThan(0);
    });
  }
  it("an S3 denial is the permission link's", () => {
    const d = diagnoseIrsaChained(
      result("s3", "reading failed"),
      check,
      "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
    );
    expect(d.link).to.equal("permission");
  });
});
