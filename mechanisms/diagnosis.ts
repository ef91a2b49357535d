/**
 * What `verify`'s diagnosis is made of: the access check it reads, the catalogue checks whose fixes
 * apply, and the link a failure points to. Shared by the diagnoses of both mechanisms.
 */
import { PERMISSION_CHECKS, type CheckDefinition, type InGrant, type LinkId } from "../chain";
import { grantEntryField, inGrant } from "../chain/catalogueBase";
import { type AccessCheckResult } from "../components/accessCheckResult";
import { arnsIn } from "../components/arn";
import { type Mechanism } from "../components/mechanism";

/** account-a's `accessCheck` output: where the access-check Job ran and what it should have read. */
export interface AccessCheckRef {
  namespace: string;
  jobName: string;
  expectedRoleArn: string;
  bucketName: string;
  objectKey: string;
  /** How the pod gets its credentials (account-a's `mechanism` output, read by mechanisms/compat.ts). */
  mechanism: Mechanism;
  /** The ServiceAccount the Job runs as (account-a's `serviceAccount` output), when known. */
  serviceAccount?: { namespace: string; name: string };
  /**
   * The grant the Job checks (its key in account-a's `grants` output) when the stacks run grants mode:
   * the advice then names that grant's fields and outputs; unset: the single-grant keys.
   */
  grant?: string;
}

/** A catalogue check with the parameters of its words. */
export interface CheckRef {
  definition: CheckDefinition<never>;
  params: unknown;
}

export function ref<P>(definition: CheckDefinition<P>, params: P): CheckRef {
  return { definition: definition, params };
}

/**
 * Which link of the chain a failure points to (if any), why, and the catalogue's checks whose fixes
 * apply, most likely first.
 */
export interface Diagnosis {
  link?: LinkId;
  /** The chain the link is of. */
  mechanism: Mechanism;
  /** What the failure means, in words. */
  advice: string;
  /** The checks (from the chain's catalogue) whose fixes repair it. */
  checks: CheckRef[];
}

/** A diagnosis as one mechanism's diagnoser makes it; `diagnose` adds the mechanism. */
export type LinkDiagnosis = Omit<Diagnosis, "mechanism">;

/** The check's grant, for the words of the catalogue's checks (grants mode); `{}` in single-grant mode. */
export function grantOf(check: AccessCheckRef): InGrant {
  return check.grant !== undefined ? { grant: check.grant } : {};
}

/** The service account of the check, or a stand-in that names its namespace. */
export function subjectOf(check: AccessCheckRef): { namespace: string; name: string } {
  return check.serviceAccount ?? { namespace: check.namespace, name: "<the Job's ServiceAccount>" };
}

/**
 * The S3 read failed (stage `s3`) after the expected role was assumed. KMS is tested first: a KMS
 * error ("Key ... does not exist", KMS.NotFoundException) is about the key, not a missing object.
 */
export function diagnoseS3(error: string, check: AccessCheckRef): LinkDiagnosis {
  const object = `s3://${check.bucketName}/${check.objectKey}`;
  const read = ref(PERMISSION_CHECKS.permissionRead, { reader: `Job ${check.jobName}`, ...grantOf(check) });
  // A KMS action named in a denial (kms:Decrypt) or an error S3 passes on from KMS (KMS.NotFoundException);
  // a bucket, key or role merely named "kms" is not one.
  const kms = /\bkms:[A-Z]\w*|\bKMS\.(\w+)Exception/.exec(error);
  if (kms) {
    const keyArn = arnsIn(error, "kms")[0] ?? "<the object's KMS key ARN>";
    const unusable = kms[1] !== undefined && kms[1] !== "AccessDenied";
    return {
      link: "permission",
      advice: unusable
        ? `the object's KMS key cannot be used (${kms[0]}): it is missing, disabled or pending deletion, ` +
          "so nobody can read the object until the key is usable again (or the object is re-encrypted)."
        : "the object is encrypted with a KMS key the role may not use: allow kms:Decrypt on that key.",
      checks: [ref(PERMISSION_CHECKS.kmsKeyAllowed, { keyArn })],
    };
  }
  if (/NoSuchBucket|bucket does not exist/i.test(error)) {
    return { advice: `the role works, but the bucket ${check.bucketName} does not exist.`, checks: [] };
  }
  if (/NoSuchKey|does not exist|Not Found|\(404\)/i.test(error)) {
    return {
      advice:
        `the role works, but ${object} does not exist: check ` +
        inGrant(
          check,
          "account-b's bucket objectKey and seed object.",
          (g) => `${grantEntryField(g, "buckets[<j>]")}'s objectKey on account-b and the object there.`,
        ),
      checks: [],
    };
  }
  return {
    link: "permission",
    advice:
      `the role was assumed but may not read ${object}: check the role's ` +
      "permission policy (s3:GetObject on the object ARN) and the bucket policy in account B.",
    checks: [read],
  };
}

/**
 * A Job that passed, but for another target role than the stack's now (it ran before the role
 * changed): the advice to deploy again, or undefined when the Job checked the current role. For the
 * mechanisms whose Job expects account B's target role (Pod Identity, irsa-chained).
 */
export function staleTargetJob(result: AccessCheckResult, check: AccessCheckRef): LinkDiagnosis | undefined {
  if (!result.ok || result.expectedRoleArn === check.expectedRoleArn) return undefined;
  return {
    advice:
      `the Job checked ${result.expectedRoleArn || "another role"}, not ${check.expectedRoleArn}: run ` +
      "`npm run deploy` again so that the Job runs for the current target role.",
    checks: [],
  };
}
