/**
 * `verify`'s diagnosis of a failed access check under IRSA with role chaining (`irsa-chained`): which
 * link the AWS CLI's error points to. The web identity step (token → source role) failing: A's
 * provider or the source role's trust (links 2, 3); the chained `sts:AssumeRole` denied: the target
 * role's trust or the source role's permission (links 6, 5); the profile missing or asking for more
 * than an hour, or the pod running as the source role (an SDK that read the webhook's AWS_ROLE_ARN
 * before AWS_PROFILE): the ServiceAccount and the pod's wiring (link 4).
 */
import { type AccessCheckResult } from "../../components/accessCheckResult";
import { STS_AUDIENCE } from "../../components/trustPolicy";
import {
  diagnoseS3,
  grantOf,
  ref,
  subjectOf,
  type AccessCheckRef,
  type LinkDiagnosis,
  staleTargetJob,
} from "../diagnosis";
import { IRSA_CHAINED_CHECKS as C } from "./catalogue";

/** STS gave the pod no credentials (stage `sts`). */
function diagnoseSts(reason: string, check: AccessCheckRef): LinkDiagnosis {
  const sa = { ...subjectOf(check), ...grantOf(check) };
  const target = { targetRoleArn: check.expectedRoleArn, ...grantOf(check) };
  if (/DurationSeconds exceeds the 1 hour session limit/i.test(reason)) {
    return {
      link: "service-account",
      advice:
        "the chained profile asks for a session longer than role chaining allows (one hour): set duration_seconds " +
        "to 3600 or less in the SDK config file.",
      checks: [ref(C.profileChains, { ...target, problems: ["duration_seconds is over 3600"] })],
    };
  }
  if (/config profile .* could not be found|ProfileNotFound|source_profile/i.test(reason)) {
    return {
      link: "service-account",
      advice:
        "the SDK did not find the chained profile: AWS_CONFIG_FILE must point at the mounted ConfigMap's file and " +
        "AWS_PROFILE name its chained profile, whose source_profile names the web identity profile.",
      checks: [
        ref(C.workloadUsesProfile, {
          workload: { kind: "Job", name: check.jobName, namespace: check.namespace },
        }),
        ref(C.profilePresent, {}),
      ],
    };
  }
  if (/AssumeRoleWithWebIdentity|InvalidIdentityToken|OpenIDConnect provider/i.test(reason)) {
    const provider = /InvalidIdentityToken|OpenIDConnect provider/i.test(reason);
    return {
      link: provider ? "oidc-provider" : "trust-policy",
      advice: provider
        ? "STS found no IAM OIDC provider for the cluster's issuer in account A (the source role's account), or it " +
          "does not accept sts.amazonaws.com."
        : "the source role's trust does not admit this ServiceAccount's token: it must name account A's provider with " +
          "the exact sub and aud.",
      checks: provider
        ? [ref(C.providerForIssuer, {}), ref(C.providerClientId, {})]
        : [ref(C.sourceTrustSubject, { ...sa, audience: STS_AUDIENCE }), ref(C.sourceTrustPrincipal, {})],
    };
  }
  if (/AccessDenied/i.test(reason) && /sts:AssumeRole\b/i.test(reason)) {
    // AWS's message is the same whether the trust or the caller's policy denied: both are named.
    return {
      link: "target-trust",
      advice:
        `the source role could not chain into ${check.expectedRoleArn}: the target role's trust must allow account A's ` +
        "source role (ArnEquals aws:PrincipalArn), and the source role's policy must allow sts:AssumeRole on it.",
      checks: [ref(C.targetTrust, target), ref(C.sourcePermission, target)],
    };
  }
  if (/not injected|AWS_WEB_IDENTITY_TOKEN_FILE|AWS_CONFIG_FILE|unable to locate credentials/i.test(reason)) {
    return {
      link: "service-account",
      advice:
        "the pod lacks the chain's parts: the ServiceAccount must be annotated with the source role (the webhook " +
        "mounts the token only then, into pods created after the annotation), and the pod must mount the SDK config file.",
      checks: [
        ref(C.serviceAccountAnnotated, sa),
        ref(C.workloadUsesProfile, {
          workload: { kind: "Job", name: check.jobName, namespace: check.namespace },
        }),
      ],
    };
  }
  return {
    advice:
      "the pod got no credentials for a reason this report does not recognise; see the reason above (the usual " +
      "suspects: links 4, 3, 6 and 5, in that order).",
    checks: [],
  };
}

/** The pod runs as another identity than the target role. */
function diagnoseIdentity(result: AccessCheckResult, check: AccessCheckRef): LinkDiagnosis {
  const workload = { kind: "Job", name: check.jobName, namespace: check.namespace };
  return {
    link: "service-account",
    advice:
      `the pod runs as ${result.callerArn || "an unknown identity"}, not as a session of ${check.expectedRoleArn}: the ` +
      "SDK did not use the chained profile (AWS_PROFILE unset, or an SDK such as Java v2 or Go v2 that reads the " +
      "webhook's AWS_ROLE_ARN first and stays the source role), or the profile's role_arn is another role.",
    checks: [
      ref(C.workloadUsesProfile, { workload }),
      ref(C.profileChains, {
        targetRoleArn: check.expectedRoleArn,
        problems: ["the pod did not end up as the target role"],
      }),
    ],
  };
}

/** The IRSA-chained diagnosis of a failed access check; `s3Error` is the AWS CLI's S3 error. */
export function diagnoseIrsaChained(
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
