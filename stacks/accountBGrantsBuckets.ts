/**
 * The buckets of one grant of account-b's `cross-account-irsa:grants` (grants mode), parsed: the
 * grant component's own checks of a bucket (`checkGrantBuckets`) under the field names the user
 * wrote, and the stack's own fields (`objectKey`, `forceDestroy`). Pure.
 */
import { checkGrantBuckets, type GrantBucket } from "../components/bucketAccessBuckets";
import { InputError } from "../components/errors";
import { type S3AccessLevel } from "../components/s3AccessPolicy";
import { validateBoolean, validateObjectKey } from "../components/validation";
import { checkKmsKeyRegion, refuseControlCharacters } from "./accountBConfig";
import { type AwsSettings } from "./awsSettings";
import { notSet, onlyKeys } from "./configSource";

/** The fields of one bucket of a grant. */
const GRANT_BUCKET_FIELDS = [
  "name",
  "create",
  "access",
  "prefixes",
  "kmsKeyArn",
  "objectKey",
  "forceDestroy",
] as const;

/** One bucket of a grant, checked, defaults applied. */
export interface AccountBGrantBucket {
  name: string;
  create: boolean;
  access: S3AccessLevel;
  prefixes: string[];
  kmsKeyArn?: string;
  /** The object the access check reads (written into a created bucket). */
  objectKey?: string;
  /** A created bucket only: let `pulumi destroy` delete it while it holds objects. */
  forceDestroy?: boolean;
}

/** A required field of a grant or bucket. */
export function required(field: string, value: unknown, why: string): unknown {
  if (value === undefined || value === null) throw notSet(field, why);
  return value;
}

/** A plain JSON object entry of a list (`field` names it). */
export function entryObject(field: string, value: unknown, shape: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(field, value, `must be an object ${shape}`);
  }
  return value as Record<string, unknown>;
}

/** A bucket entry's own checks, before the grant's: its fields, its name set, no control character in a prefix. */
function precheckBucket(where: string, raw: Record<string, unknown>): void {
  onlyKeys(where, raw, [...GRANT_BUCKET_FIELDS]);
  required(`${where}.name`, raw.name, "it names the bucket (an existing one, or the one to create)");
  if (Array.isArray(raw.prefixes)) {
    raw.prefixes.forEach((p: unknown, i) => refuseControlCharacters(`${where}.prefixes[${i}]`, p));
  }
}

/**
 * The stack's own fields of a bucket the grant checked (`bucket`): its KMS key in the bucket's region,
 * `forceDestroy` for a created bucket only, `objectKey` readable through the grant.
 */
function parseBucket(
  where: string,
  raw: Record<string, unknown>,
  bucket: GrantBucket,
  aws: AwsSettings,
): AccountBGrantBucket {
  if (bucket.kmsKeyArn !== undefined) checkKmsKeyRegion(bucket.kmsKeyArn, aws, `${where}.kmsKeyArn`);
  const out: AccountBGrantBucket = { ...bucket };
  if (raw.forceDestroy !== undefined) {
    const forceDestroy = validateBoolean(`${where}.forceDestroy`, raw.forceDestroy);
    if (!bucket.create) {
      throw new InputError(
        `${where}.forceDestroy`,
        raw.forceDestroy,
        `is for a bucket the stack creates (${where}.create: true): an existing bucket is named, never modified`,
      );
    }
    out.forceDestroy = forceDestroy;
  }
  if (raw.objectKey !== undefined) {
    refuseControlCharacters(`${where}.objectKey`, raw.objectKey);
    const objectKey = validateObjectKey(`${where}.objectKey`, raw.objectKey);
    if (bucket.prefixes.length > 0 && !bucket.prefixes.some((p) => objectKey.startsWith(p))) {
      throw new InputError(
        `${where}.objectKey`,
        objectKey,
        `must be under one of the granted prefixes ${JSON.stringify(bucket.prefixes)}, or the access check cannot read it`,
      );
    }
    if (bucket.access === "list") {
      throw new InputError(
        `${where}.objectKey`,
        objectKey,
        `cannot be read with ${where}.access "list" (it lists keys only): use "read" for the access check, or leave objectKey out`,
      );
    }
    out.objectKey = objectKey;
  }
  return out;
}

/** A grant's `buckets` (`field`): a non-empty list, each bucket checked as the grant and the stack check it. */
export function parseGrantBuckets(field: string, value: unknown, aws: AwsSettings): AccountBGrantBucket[] {
  const rawBuckets = required(field, value, "it lists the buckets the role may use");
  if (!Array.isArray(rawBuckets) || rawBuckets.length === 0) {
    throw new InputError(field, rawBuckets, "must be a non-empty list of buckets { name, ... }");
  }
  const bucketEntries = rawBuckets.map((b: unknown, j) => {
    const where = `${field}[${j}]`;
    const entry = entryObject(where, b, `{ ${GRANT_BUCKET_FIELDS.join(", ")} }`);
    precheckBucket(where, entry);
    return entry;
  });
  // The grant's own checks of its buckets (each once, names, access, prefixes, KMS key), then the stack's.
  const checkedBuckets = checkGrantBuckets(
    field,
    bucketEntries.map(({ objectKey: _key, forceDestroy: _destroy, ...own }) => own),
  );
  const buckets = bucketEntries.map((entry, j) =>
    parseBucket(`${field}[${j}]`, entry, checkedBuckets[j], aws),
  );
  return buckets;
}
