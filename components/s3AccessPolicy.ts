/**
 * The least-privilege S3 identity policy (`buildS3AccessPolicy`): ListBucket on the bucket only,
 * object actions on object ARNs only, KMS on the named key only. Pure.
 */
import { InputError } from "./errors";
import { oneOrMany, sortedUnique, type PolicyDocument, type PolicyStatement } from "./policyDocument";
import {
  refusePolicyVariables,
  requireArray,
  requireString,
  validateBucketName,
  validateKmsKeyArn,
  validatePartition,
  validatePolicyText,
} from "./validation";

/** What the role may do with the bucket. */
export type S3AccessLevel = "read" | "read-write" | "list";

/** Options of {@link buildS3AccessPolicy}. */
export interface S3AccessOptions {
  /** The bucket's name (not its ARN). */
  bucketName: string;
  /**
   * `read`: list and get objects. `read-write`: also put, delete and abort multipart uploads.
   * `list`: list object keys only.
   * @default "read"
   */
  access?: S3AccessLevel;
  /**
   * Key prefixes the role is confined to, e.g. `["reports/"]`. A prefix is a plain string prefix:
   * end it with `/` to mean a folder (`"data"` also covers `"database/"`). No `*`, `?` or leading `/`.
   * @default [] (the whole bucket)
   */
  prefixes?: string[];
  /**
   * The KMS key that encrypts the bucket's objects (SSE-KMS), when it is a customer-managed key. Adds
   * `kms:Decrypt` (and `kms:GenerateDataKey` for `read-write`) on that key only.
   * @default none (SSE-S3 or an AWS-managed key: no KMS permission needed)
   */
  kmsKeyArn?: string;
  /**
   * The AWS partition of the bucket.
   * @default "aws"
   */
  partition?: string;
}

/** The S3 object actions of each access level (ListBucket is on the bucket, not on objects). */
export const OBJECT_ACTIONS: Record<S3AccessLevel, readonly string[]> = {
  list: [],
  read: ["s3:GetObject"],
  "read-write": ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
};

/** The KMS actions each access level needs on a customer-managed key. */
export const KMS_ACTIONS: Record<S3AccessLevel, readonly string[]> = {
  list: [],
  read: ["kms:Decrypt"],
  "read-write": ["kms:Decrypt", "kms:GenerateDataKey"],
};

/**
 * Validates, de-duplicates and sorts key prefixes, and drops a prefix that another one already
 * covers (`a/` covers `a/b/`), so equivalent inputs give the same policy.
 */
export function normalizePrefixes(prefixes: unknown, field = "prefixes"): string[] {
  if (prefixes === undefined) return [];
  const list = requireArray(field, prefixes).map((p, i) => {
    const prefix = requireString(`${field}[${i}]`, p);
    if (prefix.length === 0) {
      throw new InputError(
        `${field}[${i}]`,
        p,
        "must not be empty: leave prefixes out to grant the whole bucket",
      );
    }
    if (/[*?]/.test(prefix)) {
      throw new InputError(`${field}[${i}]`, p, "must not contain '*' or '?': a prefix is matched literally");
    }
    if (prefix.startsWith("/")) {
      throw new InputError(
        `${field}[${i}]`,
        p,
        "must not start with '/': S3 keys are relative to the bucket",
      );
    }
    refusePolicyVariables(`${field}[${i}]`, prefix);
    validatePolicyText(`${field}[${i}]`, prefix);
    return prefix;
  });
  // In code-unit order a prefix comes right before the keys it covers, and whatever sorts between q
  // and a key starting with q starts with q too: comparing each with the last one kept is enough.
  const kept: string[] = [];
  for (const p of sortedUnique(list)) {
    const last = kept[kept.length - 1];
    if (last === undefined || !p.startsWith(last)) kept.push(p);
  }
  return kept;
}

/**
 * A least-privilege identity policy for reading (or writing, or listing) one S3 bucket:
 * `s3:ListBucket` on the bucket ARN only (restricted by `s3:prefix` when prefixes are given), object
 * actions on object ARNs only (`bucket/*` or `bucket/<prefix>*`), and KMS on the named key only.
 *
 * @throws InputError for a bucket name S3 rejects, an unknown access level, a bad prefix,
 *   partition or KMS key ARN.
 */
export function buildS3AccessPolicy(options: S3AccessOptions): PolicyDocument {
  if (options === null || typeof options !== "object") {
    throw new InputError(
      "options",
      options,
      "must be an object { bucketName, access?, prefixes?, kmsKeyArn?, partition? }",
    );
  }
  const bucket = validateBucketName("bucketName", options.bucketName);
  const access = options.access ?? "read";
  if (!Object.prototype.hasOwnProperty.call(OBJECT_ACTIONS, access)) {
    throw new InputError("access", access, 'must be one of "read", "read-write", "list"');
  }
  const partition = validatePartition("partition", options.partition ?? "aws");
  const prefixes = normalizePrefixes(options.prefixes);
  const kmsKeyArn =
    options.kmsKeyArn === undefined ? undefined : validateKmsKeyArn("kmsKeyArn", options.kmsKeyArn);
  if (kmsKeyArn !== undefined && kmsKeyArn.split(":")[1] !== partition) {
    throw new InputError("kmsKeyArn", kmsKeyArn, `must be in the bucket's partition "${partition}"`);
  }

  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  const statements: PolicyStatement[] = [
    {
      Sid: "ListBucket",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      ...(prefixes.length > 0
        ? { Condition: { StringLike: { "s3:prefix": oneOrMany(prefixes.map((p) => `${p}*`)) } } }
        : {}),
    },
  ];
  const objectActions = OBJECT_ACTIONS[access];
  if (objectActions.length > 0) {
    const objectArns = prefixes.length > 0 ? prefixes.map((p) => `${bucketArn}/${p}*`) : [`${bucketArn}/*`];
    statements.push({
      Sid: access === "read" ? "ReadObjects" : "ReadWriteObjects",
      Effect: "Allow",
      Action: oneOrMany([...objectActions]),
      Resource: oneOrMany(objectArns),
    });
  }
  const kmsActions = KMS_ACTIONS[access];
  if (kmsKeyArn !== undefined && kmsActions.length > 0) {
    statements.push({
      Sid: "UseBucketKey",
      Effect: "Allow",
      Action: oneOrMany([...kmsActions]),
      Resource: kmsKeyArn,
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}
