/**
 * `verify`'s diagnosis when the access check ran through EKS Pod Identity: each failure points to a
 * link of the Pod Identity chain, with the catalogue's fixes.
 */
import { expect } from "chai";
import { type AccessCheckRef, formatVerifyReport, readVerifyInputs } from "../../../deploy/verify";
import { diagnose, diagnosisLine } from "../../../mechanisms/diagnose";
import { type AccessCheckResult } from "../../../components/accessCheckResult";

const TARGET = "arn:aws:iam::444455556666:role/pod-identity-s3-reader";
const CHECK: AccessCheckRef = {
  namespace: "team-a",
  jobName: "access-check-abc",
  expectedRoleArn: TARGET,
  bucketName: "b",
  objectKey: "k",
  mechanism: "pod-identity",
  serviceAccount: { namespace: "team-a", name: "s3-reader" },
};

function failed(stage: "sts" | "identity" | "s3", reason: string, callerArn = ""): AccessCheckResult {
  return { ok: false, stage, reason, expectedRoleArn: TARGET, callerArn, bucket: "b", key: "k", bytes: null };
}

describe("verify's diagnosis with EKS Pod Identity", () => {
  it("reads the mechanism from account-a's outputs", () => {
    const { mechanism, ...irsa } = CHECK;
    const outputs = {
      accessCheck: { value: irsa, secret: false },
      kubeconfig: { value: "{}", secret: true },
      serviceAccount: { value: CHECK.serviceAccount, secret: false },
    };
    const read = (extra: Record<string, { value: unknown; secret: boolean }>) => {
      const r = readVerifyInputs({ ...outputs, ...extra }, "account-a", "npm run deploy");
      return r.ok ? r.check.mechanism : r.reason;
    };
    expect(read({ mechanism: { value: mechanism, secret: false } })).to.equal("pod-identity");
    expect(read({})).to.equal("irsa"); // IRSA, as before (stacks from before the output: mechanisms/compat.ts)
    // A mechanism this version does not know is refused by name, not read as IRSA.
    expect(read({ mechanism: { value: "irsa-chainde", secret: false } })).to.equal(
      'account-a output mechanism: "irsa-chainde" is invalid: must be "irsa", "pod-identity" or "irsa-chained"',
    );
  });

  it("says the object was read through EKS Pod Identity, not IRSA", () => {
    const caller = "arn:aws:sts::444455556666:assumed-role/pod-identity-s3-reader/eks-x";
    const result: AccessCheckResult = {
      ok: true,
      stage: "done",
      reason: `read 42 bytes of s3://b/k as ${caller}`,
      expectedRoleArn: TARGET,
      callerArn: caller,
      bucket: "b",
      key: "k",
      bytes: 42,
    };
    const report = formatVerifyReport(CHECK, {
      count: 1,
      chosen: { podName: "p", phase: "Succeeded", result },
    });
    expect(report.ok).to.be.true;
    expect(report.lines.at(-1)).to.equal(
      "verify: OK, the pod in account A read the object in account B through EKS Pod Identity (its target role).",
    );
  });

  const cases: Array<[string, AccessCheckResult, RegExp, RegExp]> = [
    [
      "no credentials at all: the association or the agent (links 2, 1)",
      failed(
        "sts",
        "no AWS credentials: aws sts get-caller-identity failed (...): Unable to locate credentials.",
      ),
      /^ {2}Pod Identity link 2 \(the Pod Identity association/,
      /aws eks create-pod-identity-association .*--target-role-arn arn:aws:iam::444455556666:role\/pod-identity-s3-reader.* Or: account-a installs it \(PodIdentityAgent\)/,
    ],
    [
      "AccessDenied chaining into the target role: its trust or the source role's permission (links 4, 3)",
      failed(
        "sts",
        "no AWS credentials: ...: Error when retrieving credentials from container-role: AccessDeniedException: " +
          `User: arn:aws:sts::111122223333:assumed-role/pod-identity-source/eks-x is not authorized to perform: sts:AssumeRole on resource: ${TARGET}`,
      ),
      /^ {2}Pod Identity link 4 \(the target role's trust policy/,
      /ArnEquals aws:PrincipalArn = the source role .* Or: allow sts:AssumeRole and sts:TagSession on arn:aws:iam::444455556666/,
    ],
    [
      "AccessDenied on the source role: its trust (link 3)",
      failed(
        "sts",
        "no AWS credentials: ...: AccessDeniedException: pods.eks.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/pod-identity-source",
      ),
      /^ {2}Pod Identity link 3 \(the source role/,
      /pods\.eks\.amazonaws\.com sts:AssumeRole and sts:TagSession with aws:RequestTag\/eks-cluster-arn/,
    ],
    [
      "a web identity instead: an IRSA annotation takes precedence (link 2)",
      failed(
        "identity",
        "caller is not the expected role",
        "arn:aws:sts::444455556666:assumed-role/old-irsa/botocore-session-1",
      ),
      /^ {2}Pod Identity link 2 /,
      /kubectl annotate serviceaccount s3-reader -n team-a eks\.amazonaws\.com\/role-arn-/,
    ],
    [
      "the node's role: no association, or one into another role (link 2)",
      failed(
        "identity",
        "caller is not the expected role",
        "arn:aws:sts::111122223333:assumed-role/nodes/i-0abc",
      ),
      /^ {2}Pod Identity link 2 /,
      /targetRoleArn must be account-b's roleArn/,
    ],
    [
      "the S3 read denied: the permission (link 5)",
      failed(
        "s3",
        "reading s3://b/k as x failed: An error occurred (AccessDenied) when calling the GetObject operation",
      ),
      /^ {2}Pod Identity link 5 \(the target role's permission policy/,
      /s3:GetObject on the object ARN/,
    ],
  ];
  for (const [label, result, line, fixes] of cases) {
    it(label, () => {
      const text = diagnosisLine(diagnose(result, CHECK));
      expect(text).to.match(line);
      expect(text).to.match(fixes);
    });
  }

  it("a missing object is no link's fault, whatever the mechanism", () => {
    const text = diagnosisLine(diagnose(failed("s3", "reading s3://b/k as x failed: NoSuchKey"), CHECK));
    expect(text).to.match(/^ {2}cause: the role works, but s3:\/\/b\/k does not exist/);
  });
});
