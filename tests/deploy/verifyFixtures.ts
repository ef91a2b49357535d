/**
 * The access check, its results and the pods verify reads, as the verify tests build them (not a
 * test file).
 */
import { type AccessCheckRef } from "../../deploy/verify";
import { type AccessCheckResult } from "../../components/accessCheckResult";

export const ROLE = "arn:aws:iam::222222222222:role/irsa/NAME";
export const CALLER = "arn:aws:sts::222222222222:assumed-role/NAME/botocore-session-1";
export const CHECK: AccessCheckRef = {
  mechanism: "irsa",
  namespace: "irsa-demo",
  jobName: "access-check-abc",
  expectedRoleArn: ROLE,
  bucketName: "b",
  objectKey: "k",
};
export const OK_RESULT: AccessCheckResult = {
  ok: true,
  stage: "done",
  reason: `read 42 bytes of s3://b/k as ${CALLER}`,
  expectedRoleArn: ROLE,
  callerArn: CALLER,
  bucket: "b",
  key: "k",
  bytes: 42,
};
export const OK_MESSAGE = JSON.stringify(OK_RESULT);

/** A failed result of the check, in the shape its script writes (callerArn empty when STS failed). */
export function failed(stage: "sts" | "identity" | "s3", reason: string, callerArn = ""): AccessCheckResult {
  return { ok: false, stage, reason, expectedRoleArn: ROLE, callerArn, bucket: "b", key: "k", bytes: null };
}

export function pod(name: string, created: string, status: Record<string, unknown>) {
  return { metadata: { name, creationTimestamp: created }, status };
}

export function terminated(message: string, phase = "Succeeded") {
  return { phase, containerStatuses: [{ name: "check", state: { terminated: { exitCode: 0, message } } }] };
}

export function podList(...items: unknown[]): string {
  return JSON.stringify({ apiVersion: "v1", kind: "List", items });
}
