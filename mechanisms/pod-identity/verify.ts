/**
 * `verify`'s diagnosis of a failed access check when the pod gets its credentials through EKS Pod
 * Identity: which link of that chain the AWS CLI's error points to. No credentials at all: the agent
 * or the association (links 1, 2); AccessDenied on the chained sts:AssumeRole: the target role's
 * trust or the source role's permission (links 4, 3); another identity: the association's target or
 * an IRSA annotation that takes precedence (link 2).
 */
import { type AccessCheckResult } from "../../components/accessCheckResult";
import { POD_IDENTITY_CHECKS as C } from "./catalogue";
import {
  diagnoseS3,
  grantOf,
  ref,
  subjectOf,
  type AccessCheckRef,
  type LinkDiagnosis,
  staleTargetJob,
} from "../diagnosis";

/** STS gave the pod no credentials (stage `sts`). */
function diagnoseSts(reason: string, check: AccessCheckRef): LinkDiagnosis {
  const sa = { ...subjectOf(check), ...grantOf(check) };
  // The chained AssumeRole EKS makes with the source role into the target role.
  if (/AccessDenied/i.test(reason) && /sts:(AssumeRole|TagSession)\b/i.test(reason)) {
    const intoTarget = reason.includes(check.expectedRoleArn);
    return {
      link: intoTarget ? "target-trust" : "source-role",
      advice: intoTarget
        ? `EKS could not chain from the source role into ${check.expectedRoleArn}: the target role's trust does not ` +
          "allow the source role with this service account's session tags, or the source role's policy does not " +
          "allow sts:AssumeRole and sts:TagSession on it."
        : "EKS could not assume the source role: its trust must allow pods.eks.amazonaws.com with this cluster's " +
          "eks-cluster-arn session tag.",
      checks: intoTarget
        ? [
            ref(C.targetTrust, { ...sa, action: "sts:AssumeRole" }),
            ref(C.sourcePermission, { action: "sts:AssumeRole", targetRoleArn: check.expectedRoleArn }),
          ]
        : [ref(C.sourceTrust, { action: "sts:AssumeRole" })],
    };
  }
  // No credentials: the SDK found no container credentials endpoint, or the agent did not answer.
  if (
    /unable to locate credentials|no credentials|AWS_CONTAINER_CREDENTIALS_FULL_URI|container.?(role|credentials)|169\.254\.170\.23|Connection refused/i.test(
      reason,
    )
  ) {
    return {
      link: "association",
      advice:
        "the pod got no Pod Identity credentials: EKS injects the credentials endpoint only into pods created after " +
        "an association for their ServiceAccount exists, and the eks-pod-identity-agent must run on the node " +
        "(not on Fargate or Windows nodes). Re-run the Job after checking both.",
      checks: [
        ref(C.associationPresent, { ...sa, targetRoleArn: check.expectedRoleArn }),
        ref(C.agentInstalled, {}),
      ],
    };
  }
  if (/Could not connect to the endpoint URL|Connect timeout|timed out/i.test(reason)) {
    return {
      advice:
        "the pod could not reach STS or the Pod Identity agent: check the pod's egress (NetworkPolicy, security " +
        "groups, an STS VPC endpoint in a private cluster).",
      checks: [],
    };
  }
  return {
    advice:
      "the pod got no credentials for a reason this report does not recognise; see the reason above (the usual " +
      "suspects: Pod Identity links 2, 1, 4 and 3, in that order).",
    checks: [],
  };
}

/** The pod runs as another identity than the target role. */
function diagnoseIdentity(result: AccessCheckResult, check: AccessCheckRef): LinkDiagnosis {
  const sa = { ...subjectOf(check), ...grantOf(check) };
  if (
    /:assumed-role\/[^/]+\/botocore-session|AssumeRoleWithWebIdentity/.test(result.callerArn) ||
    /web.?identity/i.test(result.reason)
  ) {
    return {
      link: "association",
      advice:
        `the pod runs as ${result.callerArn}, through a web identity: an eks.amazonaws.com/role-arn annotation on the ` +
        "ServiceAccount makes the SDKs take the IRSA path before Pod Identity's credentials.",
      checks: [ref(C.serviceAccountPlain, sa)],
    };
  }
  return {
    link: "association",
    advice:
      `the pod got credentials for ${result.callerArn || "an unknown identity"}, not for ${check.expectedRoleArn}: ` +
      "the association's targetRoleArn names another role, or there is none and the pod runs as the node's role.",
    checks: [
      ref(C.associationTarget, { ...sa, targetRoleArn: check.expectedRoleArn }),
      ref(C.associationPresent, { ...sa, targetRoleArn: check.expectedRoleArn }),
    ],
  };
}

/** The Pod Identity diagnosis of a failed access check; `s3Error` is the AWS CLI's S3 error. */
export function diagnosePodIdentity(
  result: AccessCheckResult,
  check: AccessCheckRef,
  s3Error: string,
): LinkDiagnosis {
  switch (result.stage) {
    case "sts":
      return diagnoseSts(result.reason, check);
    case "identity":
    case "done":
      return staleTargetJob(result, check) ?? diagnoseIdentity(result, check);
    case "s3":
      return diagnoseS3(s3Error, check);
  }
}
