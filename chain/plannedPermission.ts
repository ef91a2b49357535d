/**
 * The permission link on planned facts, the same for both mechanisms: the role account B grants
 * (IRSA's role, Pod Identity's target role) may read what the workloads read.
 */
import { describeValue } from "../components/errors";
import { PERMISSION_CHECKS as C } from "./permissionCatalogue";
import { DESCRIBED, parsePolicy, tryAccess } from "./evaluation";
import { partitionOf } from "./arns";
import { runCheck, type CheckResult } from "./result";
import { type IrsaSnapshot } from "./snapshot";

/** What the planned permission link reads from a snapshot of either mechanism. */
export type PlannedPermissionFacts = Pick<
  IrsaSnapshot,
  "unavailable" | "permissionPolicies" | "workloads" | "bucketName" | "objectKey" | "role"
>;

/**
 * The permission link as planned (both mechanisms): the role's permission policies let it read what
 * the workloads read, in account-b's bucket.
 */
export function plannedPermissionLink(s: PlannedPermissionFacts): CheckResult[] {
  if (s.unavailable?.permission !== undefined) {
    return [runCheck(C.permissionObjectKnown, {}, "skip", s.unavailable.permission)];
  }
  const results: CheckResult[] = [];
  const docs = Object.values(s.permissionPolicies).map((json) => parsePolicy(json));
  const readable = docs.every((d) => d !== undefined);
  const reads = (s.unavailable?.workloads === undefined ? s.workloads : [])
    .filter((w) => w.env.S3_BUCKET !== undefined && w.env.S3_OBJECT_KEY !== undefined)
    .map((w) => ({ reader: `${w.kind} ${w.name}`, bucket: w.env.S3_BUCKET, key: w.env.S3_OBJECT_KEY }));
  if (reads.length === 0 && s.bucketName && s.objectKey) {
    reads.push({ reader: "account-b's objectKey", bucket: s.bucketName, key: s.objectKey });
  }
  if (reads.length === 0) {
    results.push(runCheck(C.permissionObjectKnown, {}, false, "no bucket or object key planned"));
  }
  // The object's ARN is in the role's partition: read from its ARN, never assumed.
  const partition = partitionOf(s.role?.arn);
  for (const r of reads) {
    const sameBucket = s.bucketName === undefined || r.bucket === s.bucketName;
    const decision =
      docs.length === 0
        ? undefined
        : !readable
          ? { decision: "ImplicitDeny", reason: "cannot evaluate: a permission policy is not JSON" }
          : partition === undefined
            ? {
                decision: "ImplicitDeny",
                reason: `cannot evaluate: the role's ARN ${describeValue(s.role?.arn)} is no IAM role ARN, so the object's partition is unknown`,
              }
            : tryAccess(docs, "s3:GetObject", `arn:${partition}:s3:::${r.bucket}/${r.key}`, {}, DESCRIBED);
    results.push(
      runCheck(
        C.permissionRead,
        { reader: r.reader },
        sameBucket && decision?.decision === "Allow",
        !sameBucket
          ? `reads bucket ${r.bucket}, but account-b's bucket is ${s.bucketName}`
          : (decision?.reason ?? "account-b plans no permission policy"),
      ),
    );
  }
  return results;
}
