/**
 * The buckets of a `BucketAccessGrant` (pure): each bucket's arguments checked, its least-privilege S3
 * policy, and the statement the owner of a KMS key in another account must add to the key's policy.
 * No Pulumi or AWS package is imported.
 */
import { InputError } from "./errors";
import { type PolicyDocument, type PolicyStatement } from "./policyDocument";
import { buildS3AccessPolicy, KMS_ACTIONS, normalizePrefixes, type S3AccessLevel } from "./s3AccessPolicy";
import {
  parseRoleArn,
  requireArray,
  validateBoolean,
  validateBucketName,
  validateKmsKeyArn,
  validateObjectKey,
} from "./validation";
/** One bucket of a grant, checked, with its defaults applied. */
export interface GrantBucket {
  name: string;
  /** The name of the bucket's inline policy on the grant's role, when given ({@link bucketPolicyName}). */
  policyName?: string;
  create: boolean;
  access: S3AccessLevel;
  prefixes: string[];
  kmsKeyArn?: string;
}

const BUCKET_FIELDS = [
  "name",
  "policyName",
  "create",
  "access",
  "prefixes",
  "kmsKeyArn",
  "objects",
  "forceDestroy",
] as const;
/** The fields only a bucket the grant creates reads (an existing bucket is never modified). */
const CREATED_ONLY: readonly string[] = ["objects", "forceDestroy"];
const ACCESS_LEVELS: readonly S3AccessLevel[] = ["read", "read-write", "list"];

/**
 * The buckets of a grant, plain values (their names name child resources and policies): a known
 * bucket name each, listed once, `access` a known level, `prefixes` non-empty when given, a KMS key
 * ARN. The S3 policy each gets is built once here so that any error names the argument.
 */
export function checkGrantBuckets(field: string, value: unknown): GrantBucket[] {
  const list = requireArray(field, value, 1);
  const seen = new Map<string, number>();
  const policies = new Map<string, number>();
  return list.map((b, i) => {
    const where = `${field}[${i}]`;
    if (b === null || typeof b !== "object" || Array.isArray(b)) {
      throw new InputError(where, b, `must be an object { ${BUCKET_FIELDS.join(", ")} }`);
    }
    const raw = b as Record<string, unknown>;
    for (const key of Object.keys(raw)) {
      if (!(BUCKET_FIELDS as readonly string[]).includes(key)) {
        throw new InputError(
          `${where}.${key}`,
          raw[key],
          `is not a bucket field (${BUCKET_FIELDS.join(", ")})`,
        );
      }
    }
    const name = validateBucketName(`${where}.name`, raw.name);
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new InputError(`${where}.name`, name, `is ${field}[${earlier}].name too: list each bucket once`);
    }
    seen.set(name, i);
    const given =
      raw.policyName === undefined ? undefined : checkPolicyName(`${where}.policyName`, raw.policyName);
    const policyName = given ?? `s3-${name}`;
    const sameName = policies.get(policyName);
    if (sameName !== undefined) {
      throw new InputError(
        `${where}.policyName`,
        policyName,
        `is ${field}[${sameName}]'s inline policy name too: each bucket's policy needs its own name`,
      );
    }
    policies.set(policyName, i);
    const create = raw.create === undefined ? false : validateBoolean(`${where}.create`, raw.create);
    checkCreatedOnly(where, raw, create);
    const access = raw.access === undefined ? "read" : raw.access;
    if (!ACCESS_LEVELS.includes(access as S3AccessLevel)) {
      throw new InputError(
        `${where}.access`,
        access,
        `must be one of ${ACCESS_LEVELS.map((a) => `"${a}"`).join(", ")}`,
      );
    }
    if (Array.isArray(raw.prefixes) && raw.prefixes.length === 0) {
      throw new InputError(
        `${where}.prefixes`,
        raw.prefixes,
        "must not be empty: leave prefixes out to grant the whole bucket",
      );
    }
    const prefixes = normalizePrefixes(raw.prefixes, `${where}.prefixes`);
    const kmsKeyArn =
      raw.kmsKeyArn === undefined ? undefined : validateKmsKeyArn(`${where}.kmsKeyArn`, raw.kmsKeyArn);
    const bucket: GrantBucket = {
      name,
      ...(given !== undefined ? { policyName: given } : {}),
      create,
      access: access as S3AccessLevel,
      prefixes,
      ...(kmsKeyArn !== undefined ? { kmsKeyArn } : {}),
    };
    bucketAccessPolicy(where, bucket, kmsKeyArn === undefined ? "aws" : kmsKeyArn.split(":")[1]);
    return bucket;
  });
}

/** The name of a bucket's inline policy on the grant's role: its `policyName`, or `s3-<name>`. */
export function bucketPolicyName(bucket: GrantBucket): string {
  return bucket.policyName ?? `s3-${bucket.name}`;
}

/** An inline policy name as IAM allows it: 1 to 128 letters, digits or any of `+=,.@_-`. */
function checkPolicyName(field: string, value: unknown): string {
  if (typeof value !== "string" || !/^[\w+=,.@-]{1,128}$/.test(value)) {
    throw new InputError(
      field,
      value,
      "must be an IAM policy name: 1 to 128 letters, digits or any of + = , . @ _ -",
    );
  }
  return value;
}

/**
 * The fields of a created bucket only: refused on an existing bucket (named, never modified);
 * `forceDestroy` a boolean; `objects` a list of `{ key, content }`, each key valid and listed once
 * (the content may be an Output: the component checks it is a string once known).
 */
function checkCreatedOnly(where: string, raw: Record<string, unknown>, create: boolean): void {
  for (const name of CREATED_ONLY) {
    if (raw[name] !== undefined && !create) {
      throw new InputError(
        `${where}.${name}`,
        raw[name],
        `is for a bucket the grant creates (${where}.create: true): an existing bucket is named, never modified`,
      );
    }
  }
  if (raw.forceDestroy !== undefined) validateBoolean(`${where}.forceDestroy`, raw.forceDestroy);
  if (raw.objects === undefined) return;
  const keys = new Map<string, number>();
  requireArray(`${where}.objects`, raw.objects).forEach((o, j) => {
    const at = `${where}.objects[${j}]`;
    if (o === null || typeof o !== "object" || Array.isArray(o)) {
      throw new InputError(at, o, "must be an object { key, content }");
    }
    const entry = o as Record<string, unknown>;
    for (const name of Object.keys(entry)) {
      if (name !== "key" && name !== "content") {
        throw new InputError(`${at}.${name}`, entry[name], "is not an object field (key, content)");
      }
    }
    const key = validateObjectKey(`${at}.key`, entry.key);
    if (entry.content === undefined || entry.content === null) {
      throw new InputError(`${at}.content`, entry.content, "is required: the object's text");
    }
    const earlier = keys.get(key);
    if (earlier !== undefined) {
      throw new InputError(
        `${at}.key`,
        key,
        `is ${where}.objects[${earlier}].key too: write each object once`,
      );
    }
    keys.set(key, j);
  });
}

/** The least-privilege S3 policy of one bucket of the grant, in `partition`, errors naming `field`. */
export function bucketAccessPolicy(field: string, bucket: GrantBucket, partition: string): PolicyDocument {
  try {
    return buildS3AccessPolicy({
      bucketName: bucket.name,
      access: bucket.access,
      ...(bucket.prefixes.length > 0 ? { prefixes: bucket.prefixes } : {}),
      ...(bucket.kmsKeyArn !== undefined ? { kmsKeyArn: bucket.kmsKeyArn } : {}),
      partition,
    });
  } catch (e) {
    if (e instanceof InputError) {
      const sub = e.field === "bucketName" ? "name" : e.field;
      throw new InputError(`${field}.${sub}`, e.value, e.rule);
    }
    throw e;
  }
}

/** The 12-digit account of a KMS key ARN (checked). */
function kmsKeyAccount(
  field: string,
  kmsKeyArn: string,
): { partition: string; region: string; accountId: string } {
  const arn = validateKmsKeyArn(field, kmsKeyArn);
  const [, partition, , region, accountId] = arn.split(":");
  return { partition, region, accountId };
}

/**
 * The statement the owner of a KMS key in another account must add to the key's policy so that the
 * grant's role can use the key through S3: a key policy is the only policy that can give another
 * account's principal access to a key (the role's own `kms:` permission alone does not suffice).
 * Narrowed to requests S3 makes on the role's behalf in the key's region (`kms:ViaService`). The
 * `Resource` of a key policy is `"*"`: the key the policy is attached to.
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
 */
export function buildKmsKeyPolicyStatement(options: {
  roleArn: string;
  kmsKeyArn: string;
  access: S3AccessLevel;
}): PolicyStatement {
  parseRoleArn("roleArn", options.roleArn);
  const key = kmsKeyAccount("kmsKeyArn", options.kmsKeyArn);
  const actions = KMS_ACTIONS[options.access];
  if (actions === undefined)
    throw new InputError("access", options.access, `must be one of ${ACCESS_LEVELS.join(", ")}`);
  return {
    Sid: "CrossAccountIrsaS3Use",
    Effect: "Allow",
    Principal: { AWS: options.roleArn },
    Action: actions.length === 1 ? actions[0] : [...actions],
    Resource: "*",
    Condition: { StringEquals: { "kms:ViaService": `s3.${key.region}.amazonaws.com` } },
  };
}

/**
 * The key-policy statements a grant's role needs from the owners of KMS keys in accounts other than
 * the role's, by key ARN (keys of the role's own account and buckets without a key need none, and
 * `list` access reads no object). One statement per key, with the widest access among its buckets.
 */
export function foreignKeyStatements(
  roleArn: string,
  buckets: readonly GrantBucket[],
): Record<string, PolicyStatement> {
  const role = parseRoleArn("roleArn", roleArn);
  const widest = new Map<string, S3AccessLevel>();
  const rank: Record<S3AccessLevel, number> = { list: 0, read: 1, "read-write": 2 };
  for (const b of buckets) {
    if (b.kmsKeyArn === undefined || KMS_ACTIONS[b.access].length === 0) continue;
    if (kmsKeyAccount("kmsKeyArn", b.kmsKeyArn).accountId === role.accountId) continue;
    const was = widest.get(b.kmsKeyArn);
    if (was === undefined || rank[b.access] > rank[was]) widest.set(b.kmsKeyArn, b.access);
  }
  return Object.fromEntries(
    [...widest.keys()]
      .sort()
      .map((k) => [k, buildKmsKeyPolicyStatement({ roleArn, kmsKeyArn: k, access: widest.get(k)! })]),
  );
}
