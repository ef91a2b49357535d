/**
 * The access matrix's shared machinery: requests the config means to allow and near misses it means
 * to deny, each evaluated on the planned documents. The expectation comes from the config, never
 * from the policy builders, so a builder bug shows as a mismatch. Each mechanism's rows are in
 * `mechanisms/<name>/matrix.ts`; the access rows every mechanism shares are here.
 */
import { type Decision } from "../components/evaluate";
import { type PolicyDocument } from "../components/policyDocument";
import { type AccountBConfig } from "../stacks/config";
import { DESCRIBED, detailOf, tryAccess, type Outcome } from "../chain";
import { type PlanConfigs } from "./planInput";

/**
 * The documents of the two roles the matrix of a mechanism with a source role in account A evaluates
 * (Pod Identity, irsa-chained): the source role's in A, the target role's in B.
 */
export interface TwoRoleDocuments {
  sourceRoleArn: string;
  sourceTrust: PolicyDocument;
  sourcePermissions: PolicyDocument[];
  targetRoleArn: string;
  targetTrust: PolicyDocument;
  permissionPolicies: PolicyDocument[];
}

/** One row of the access matrix: a request, what the config intends, what the documents decide. */
export interface AccessRow {
  /**
   * `trust`: sts:AssumeRoleWithWebIdentity against the IRSA trust policy; `target-trust`: Pod
   * Identity's chained sts:AssumeRole/TagSession against the target role's trust; `source-role`: EKS
   * assuming the source role, and the source role's permission to chain; `access`: the permission policy.
   */
  kind: "trust" | "target-trust" | "source-role" | "access";
  /** Who or what is asking, in words. */
  subject: string;
  action: string;
  /** The provider ARN (trust) or the resource ARN (access). */
  resource: string;
  /** Request context, e.g. the token claims or `s3:prefix`. */
  context: Record<string, string>;
  /** What the configuration intends. */
  expected: "allow" | "deny";
  /** What the planned document decides. */
  actual: Decision;
  /** The evaluator's explanation. */
  reason: string;
  ok: boolean;
  /**
   * `namespace-wide`: the request is in a namespace whose every service account the role trusts
   * (StringLike name patterns with `trustWholeNamespaces`), so the row's grant is the namespace's.
   */
  scope?: "namespace-wide";
}

/**
 * A row: what was asked, what the config intends, and what the evaluator decided (ok when they agree).
 * An undecided outcome (a statement the evaluator cannot read) is never ok, whatever was expected.
 */
export function matrixRow(
  kind: AccessRow["kind"],
  subject: string,
  action: string,
  resource: string,
  context: Record<string, string>,
  expected: "allow" | "deny",
  result: Outcome,
): AccessRow {
  return {
    kind,
    subject,
    action,
    resource,
    context,
    expected,
    actual: result.decision,
    reason: detailOf(result),
    ok: result.unsupported === undefined && (result.decision === "Allow") === (expected === "allow"),
  };
}

/** The S3 object actions each access level intends (independent of the policy builder). */
const INTENDED_OBJECT_ACTIONS: Record<AccountBConfig["access"], readonly string[]> = {
  list: [],
  read: ["s3:GetObject"],
  "read-write": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
};
const INTENDED_KMS_ACTIONS: Record<AccountBConfig["access"], readonly string[]> = {
  list: [],
  read: ["kms:Decrypt"],
  "read-write": ["kms:Decrypt", "kms:GenerateDataKey"],
};
/** Bucket administration no role of this package may do. */
const ADMIN_ACTIONS = ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucket", "s3:PutBucketAcl"];
/** The audience of a pod's ordinary service-account token: a token that is not for STS. */
export const KUBERNETES_AUDIENCE = "https://kubernetes.default.svc";

/** A value from the candidates that differs from `value`. */
export function otherThan(value: string, candidates: string[]): string {
  return candidates.find((c) => c !== value) ?? `${value}-other`;
}

/** The account near misses come from ("the source role's name in a third account"). */
export const THIRD_ACCOUNT = "999988887777";

/** What the access rows need. */
export interface AccessInputs {
  configs: PlanConfigs;
  partition: string;
  permissionPolicies: PolicyDocument[];
  bucketName: string;
  /**
   * Every bucket the role is granted (a grant of grants mode may have several): "another bucket" is
   * none of them.
   * @default [bucketName]
   */
  grantedBuckets?: readonly string[];
}

/**
 * The access rows, the same for both mechanisms: the role (IRSA's, or Pod Identity's target role)
 * may do exactly the S3 (and KMS) actions its access level and prefixes intend, nothing on another
 * bucket, no bucket administration.
 */
export function accessRows(inputs: AccessInputs): AccessRow[] {
  const { configs, partition, bucketName } = inputs;
  const b = configs.b;
  const rows: AccessRow[] = [];
  // Access: the intent is the access level's actions, on the bucket, under the prefixes.
  const bucketArn = `arn:${partition}:s3:::${bucketName}`;
  const prefixes = b.prefixes;
  const underPrefix = (key: string) => prefixes.length === 0 || prefixes.some((p) => key.startsWith(p));
  const access = (
    subject: string,
    action: string,
    resource: string,
    expected: "allow" | "deny",
    context: Record<string, string> = {},
  ) => {
    const result = tryAccess(inputs.permissionPolicies, action, resource, context, DESCRIBED);
    rows.push(matrixRow("access", subject, action, resource, context, expected, result));
  };
  access("list the whole bucket", "s3:ListBucket", bucketArn, prefixes.length === 0 ? "allow" : "deny");
  for (const p of prefixes)
    access(`list under ${p}`, "s3:ListBucket", bucketArn, "allow", { "s3:prefix": p });
  // A key outside every granted prefix (any other key when the whole bucket is granted).
  const outside = ["outside/", "zz-outside/", "other-prefix/"].find((o) => !underPrefix(o)) ?? "other/";
  if (prefixes.length > 0) {
    access(`list under ${outside} (not granted)`, "s3:ListBucket", bucketArn, "deny", {
      "s3:prefix": outside,
    });
  }
  const keys = [b.bucket.objectKey, ...prefixes.map((p) => `${p}example.txt`), `${outside}example.txt`];
  for (const key of [...new Set(keys)]) {
    for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
      const intended = INTENDED_OBJECT_ACTIONS[b.access].includes(action) && underPrefix(key);
      access(`object ${key}`, action, `${bucketArn}/${key}`, intended ? "allow" : "deny");
    }
  }
  if (b.access === "read-write") {
    access(
      `object ${b.bucket.objectKey}`,
      "s3:AbortMultipartUpload",
      `${bucketArn}/${b.bucket.objectKey}`,
      underPrefix(b.bucket.objectKey) ? "allow" : "deny",
    );
  }
  for (const action of ADMIN_ACTIONS) access("bucket administration", action, bucketArn, "deny");
  const granted = new Set([bucketName, ...(inputs.grantedBuckets ?? [])]);
  const otherBucket =
    ["another-bucket", "another-bucket-2", "another-bucket-3"].find((c) => !granted.has(c)) ??
    `${bucketName}-other`;
  access(`another bucket ${otherBucket}`, "s3:ListBucket", `arn:${partition}:s3:::${otherBucket}`, "deny");
  access(
    `another bucket ${otherBucket}`,
    "s3:GetObject",
    `arn:${partition}:s3:::${otherBucket}/${b.bucket.objectKey}`,
    "deny",
  );
  const kmsKeyArn = b.bucket.kmsKeyArn;
  if (kmsKeyArn) {
    for (const action of ["kms:Decrypt", "kms:GenerateDataKey"]) {
      access(
        "the bucket's KMS key",
        action,
        kmsKeyArn,
        INTENDED_KMS_ACTIONS[b.access].includes(action) ? "allow" : "deny",
      );
    }
    const otherKey = kmsKeyArn.replace(/[^/]+$/, (id) =>
      otherThan(id, ["00000000-0000-0000-0000-000000000000", "11111111-1111-1111-1111-111111111111"]),
    );
    access("another KMS key", "kms:Decrypt", otherKey, "deny");
  }
  return rows;
}
