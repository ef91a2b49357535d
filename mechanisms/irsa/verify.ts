/**
 * `verify`'s diagnosis of a failed access check when the pod gets its credentials through IRSA: which
 * link of that chain the AWS CLI's error points to. No credentials: the OIDC provider (link 2), the
 * ServiceAccount's annotation or token (link 4), the role's trust (link 3); another identity: the
 * ServiceAccount's annotation (link 4); S3: the permission link, shared (mechanisms/diagnosis.ts).
 */
import { type AccessCheckResult } from "../../components/accessCheckResult";
import {
  diagnoseS3,
  grantOf,
  ref,
  subjectOf,
  type AccessCheckRef,
  type CheckRef,
  type LinkDiagnosis,
} from "../diagnosis";
import { STS_AUDIENCE } from "../../components/trustPolicy";
import { IRSA_CHECKS } from "./catalogue";

/** Link 3's check that the role trusts the Job's ServiceAccount with the STS audience. */
export function trustSubjectRef(check: AccessCheckRef): CheckRef {
  return ref(IRSA_CHECKS.trustSubject, { ...subjectOf(check), audience: STS_AUDIENCE, ...grantOf(check) });
}

/** STS gave the pod no credentials (stage `sts`): which link the AWS CLI's error points to. */
function diagnoseSts(reason: string, check: AccessCheckRef): LinkDiagnosis {
  const C = IRSA_CHECKS;
  if (/no OpenIDConnect provider found/i.test(reason)) {
    return {
      link: "oidc-provider",
      advice:
        "account B has no IAM OIDC provider for this cluster's issuer URL (or one for a different URL): " +
        "check account-b's ClusterOidcProvider against account-a's oidcIssuerUrl output.",
      checks: [ref(C.providerForIssuer, {})],
    };
  }
  if (/InvalidIdentityToken/i.test(reason) && /thumbprint|certificate/i.test(reason)) {
    return {
      link: "oidc-provider",
      advice: "STS rejected the issuer's certificate: check the OIDC provider's thumbprint in account B.",
      checks: [ref(C.providerThumbprint, {})],
    };
  }
  if (/InvalidIdentityToken/i.test(reason) && /aud/i.test(reason)) {
    return {
      link: "oidc-provider",
      advice:
        "the token's audience is not a client id of the OIDC provider: the provider needs sts.amazonaws.com " +
        "(and so does the ServiceAccount's audience annotation, when set).",
      checks: [ref(C.providerClientId, {})],
    };
  }
  const tokenMissing =
    /web.?identity token|AWS_WEB_IDENTITY_TOKEN_FILE|AWS_ROLE_ARN|token file|serviceaccount\/token|unable to locate credentials|no credentials/i;
  if (tokenMissing.test(reason)) {
    return {
      link: "service-account",
      advice:
        "the pod has no web identity token or role: check that the ServiceAccount carries " +
        "eks.amazonaws.com/role-arn, that the Job's pod uses that ServiceAccount, and that the pod was created " +
        "after the annotation (the webhook only injects into new pods: delete the pod or re-run the Job).",
      checks: [ref(C.serviceAccountAnnotated, { ...subjectOf(check), ...grantOf(check) })],
    };
  }
  if (/AssumeRoleWithWebIdentity/i.test(reason)) {
    return {
      link: "trust-policy",
      advice:
        "STS refused AssumeRoleWithWebIdentity: check the role's trust policy (Principal.Federated must be the " +
        `OIDC provider ARN in account B, <issuer>:sub must be system:serviceaccount:${check.namespace}:<name> of ` +
        "the ServiceAccount, <issuer>:aud must be sts.amazonaws.com) and that the provider's URL is the cluster's issuer.",
      checks: [trustSubjectRef(check), ref(C.trustPrincipal, {})],
    };
  }
  if (/Could not connect to the endpoint URL|Connect timeout|timed out/i.test(reason)) {
    return {
      advice:
        "the pod could not reach STS: check the pod's egress (NetworkPolicy, security groups, an STS VPC " +
        "endpoint in a private cluster) and the region it uses.",
      checks: [],
    };
  }
  return {
    advice:
      "STS gave the pod no credentials for a reason this report does not recognise; see the reason above " +
      "(the usual suspects: links 4, 3 and 2, in that order).",
    checks: [],
  };
}

/**
 * The pod runs as another identity than the expected role: stage `identity`, or a passed check
 * whose role is not the one account-a's outputs name.
 */
function diagnoseIdentity(result: AccessCheckResult, check: AccessCheckRef): LinkDiagnosis {
  if (result.ok && result.expectedRoleArn !== check.expectedRoleArn) {
    return {
      advice:
        `the Job checked ${result.expectedRoleArn || "another role"}, not ${check.expectedRoleArn} that ` +
        `account-a's ${check.grant === undefined ? "accessCheck" : `grants.${check.grant}.accessCheck`} output names: ` +
        "run `npm run deploy` again so that the Job runs for the current role.",
      checks: [],
    };
  }
  return {
    link: "service-account",
    advice:
      `the pod got credentials for ${result.callerArn || "an unknown identity"}, not for ${check.expectedRoleArn}: ` +
      "the ServiceAccount's annotation names another role, or the pod runs under another ServiceAccount " +
      "(the node's role means the webhook injected nothing: no annotation, or a pod created before it).",
    checks: [ref(IRSA_CHECKS.serviceAccountAnnotated, { ...subjectOf(check), ...grantOf(check) })],
  };
}

/** The IRSA diagnosis of a failed access check; `s3Error` is the AWS CLI's S3 error. */
export function diagnoseIrsa(
  result: AccessCheckResult,
  check: AccessCheckRef,
  s3Error: string,
): LinkDiagnosis {
  switch (result.stage) {
    case "sts":
      return diagnoseSts(result.reason, check);
    case "identity":
    case "done":
      return diagnoseIdentity(result, check);
    case "s3":
      return diagnoseS3(s3Error, check);
  }
}
