/**
 * Pure helpers of the IRSA collector: AWS and Kubernetes answers turned into the chain's facts (the
 * policies IAM returns URL-encoded, the ServiceAccount, the pods that run as it, the provider, the
 * object), and the diagnosis of a failed end-to-end step. Unit-tested without AWS or a cluster.
 */
import { tryParseArn } from "../../../components/arn";
import { type V1Pod, type V1ServiceAccount } from "@kubernetes/client-node";
import { containerEnvironment } from "../../../components/credentialPath";
import { type AssumeStep, type IrsaSnapshot, type LivePod } from "../../../chain";
import { diagnose, diagnosisLine } from "../../diagnose";
import { type AccessCheckRef } from "../../diagnosis";
import { type AccessCheckResult } from "../../../components/accessCheckResult";

/**
 * A policy document as IAM returns it: GetRole, GetRolePolicy and GetPolicyVersion return documents
 * URL-encoded (RFC 3986), some tools already decoded. JSON stays as it is; anything else is decoded.
 */
export function decodePolicyDocument(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    JSON.parse(text);
    return text;
  } catch {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  }
}

/** The ServiceAccount as the chain needs it. */
export function serviceAccountFacts(
  sa: V1ServiceAccount,
  namespace: string,
  name: string,
): IrsaSnapshot["serviceAccount"] {
  return {
    namespace: sa.metadata?.namespace ?? namespace,
    name: sa.metadata?.name ?? name,
    annotations: { ...(sa.metadata?.annotations ?? {}) },
  };
}

/** The pods that run as the ServiceAccount (pods without serviceAccountName run as `default`). */
export function podFacts(pods: V1Pod[], serviceAccount: string): LivePod[] {
  return pods
    .filter((p) => (p.spec?.serviceAccountName ?? p.spec?.serviceAccount ?? "default") === serviceAccount)
    .map((p) => ({
      name: p.metadata?.name ?? "(unnamed)",
      ...(p.metadata?.uid !== undefined ? { uid: p.metadata.uid } : {}),
      ...(p.metadata?.creationTimestamp !== undefined
        ? { createdAt: new Date(p.metadata.creationTimestamp).toISOString() }
        : {}),
      containers: (p.spec?.containers ?? []).map((c) => ({
        name: c.name,
        ...containerEnvironment(c),
      })),
    }))
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

/** An IAM OIDC provider as GetOpenIDConnectProvider describes it. */
export function providerFacts(
  arn: string,
  out: { Url?: string; ClientIDList?: string[]; ThumbprintList?: string[] },
): NonNullable<IrsaSnapshot["provider"]> {
  return {
    arn,
    ...(out.Url !== undefined
      ? { url: out.Url.startsWith("https://") ? out.Url : `https://${out.Url}` }
      : {}),
    clientIds: [...(out.ClientIDList ?? [])],
    thumbprints: [...(out.ThumbprintList ?? [])],
    adopted: true,
  };
}

/** The account id in an ARN (`arn:<p>:<service>:<region>:<account>:...`). */
export function accountOf(arn: string): string | undefined {
  const account = tryParseArn(arn)?.account;
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}

/** The role name in a role ARN (the path dropped): what GetRole takes. */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf("/") + 1);
}

/** Whether an S3 error means the object (or its bucket) does not exist. */
export function isMissingObject(code: string | undefined, status: number | undefined): boolean {
  return code === "NotFound" || code === "NoSuchKey" || code === "NoSuchBucket" || status === 404;
}

/** What a failed end-to-end step points to, by the same diagnosis `npm run verify` gives. */
export function diagnoseStep(
  stage: "sts" | "s3",
  error: string,
  ref: AccessCheckRef,
  callerArn = "",
): Pick<AssumeStep, "pointsTo" | "advice"> {
  const result: AccessCheckResult = {
    ok: false,
    stage,
    reason: error,
    expectedRoleArn: ref.expectedRoleArn,
    callerArn,
    bucket: ref.bucketName,
    key: ref.objectKey,
    bytes: null,
  };
  const diagnosis = diagnose(result, ref);
  const advice = diagnosisLine(diagnosis)
    .replace(/^\s*(IRSA link \d+ \([^)]*(\([^)]*\)[^)]*)*\)|cause):\s*/, "")
    .replace(/\.$/, "");
  return { ...(diagnosis.link !== undefined ? { pointsTo: diagnosis.link } : {}), advice };
}
