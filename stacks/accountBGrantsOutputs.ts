/**
 * account-b's `grants` output in grants mode, as the program writes it and as account-a, the plan,
 * the doctor and `verify` read it back (strictly: an unknown field, a malformed handoff or a probe
 * the grant cannot read is refused, naming `<stack> output grants.<key>.<field>`). Pure.
 */
import { parseHandoff, type BucketAccessHandoff } from "../components/bucketAccessHandoff";
import { InputError } from "../components/errors";
import {
  requireString,
  validateBucketName,
  validateKmsKeyArn,
  validateObjectKey,
} from "../components/validation";

/** One grant's entry in account-b's `grants` output (grants mode). */
export interface GrantOutput {
  /** Everything account-a's `BucketAccessBinding` needs (`BucketAccessGrant.handoff`). */
  handoff: BucketAccessHandoff;
  /** The object the access check reads: the grant's first bucket with an `objectKey` (none: no probe). */
  probe?: { bucketName: string; objectKey: string };
  /** By KMS key ARN, the statement (JSON) the key's owner in another account must add; only when some key needs one. */
  kmsKeyPolicyStatements?: Record<string, string>;
}

/** A grant key, as `cross-account-irsa:grants[<i>].key` allows it. */
const GRANT_KEY = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

function plainObject(field: string, value: unknown, fields?: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(
      field,
      value,
      fields ? `must be an object { ${fields.join(", ")} }` : "must be an object",
    );
  }
  for (const name of fields ? Object.keys(value) : []) {
    if (!fields!.includes(name)) {
      throw new InputError(
        `${field}.${name}`,
        (value as Record<string, unknown>)[name],
        `is not a field of it (${fields!.join(", ")})`,
      );
    }
  }
  return value as Record<string, unknown>;
}

/** A probe: one of the handoff's buckets, an object key the grant lets the role read. */
function parseProbe(field: string, value: unknown, handoff: BucketAccessHandoff): GrantOutput["probe"] {
  const raw = plainObject(field, value, ["bucketName", "objectKey"]);
  const bucketName = validateBucketName(`${field}.bucketName`, raw.bucketName);
  const objectKey = validateObjectKey(`${field}.objectKey`, raw.objectKey);
  const bucket = handoff.buckets.find((b) => b.name === bucketName);
  if (bucket === undefined) {
    throw new InputError(
      `${field}.bucketName`,
      bucketName,
      "must be one of the grant's buckets (its handoff's)",
    );
  }
  if (
    bucket.access === "list" ||
    (bucket.prefixes.length > 0 && !bucket.prefixes.some((p) => objectKey.startsWith(p)))
  ) {
    throw new InputError(
      `${field}.objectKey`,
      objectKey,
      `must be an object the grant lets the role read in ${bucketName}`,
    );
  }
  return { bucketName, objectKey };
}

/**
 * Reads account-b's `grants` output (`stack` names account-b's stack in errors): by grant key, in the
 * order written, each entry checked. Throws an InputError naming `<stack> output grants...`.
 */
export function parseGrantsOutput(stack: string, value: unknown): Record<string, GrantOutput> {
  const field = `${stack} output grants`;
  const raw = plainObject(field, value);
  if (Object.keys(raw).length === 0) throw new InputError(field, value, "must name at least one grant");
  const out: Record<string, GrantOutput> = {};
  for (const [key, entry] of Object.entries(raw)) {
    const where = `${field}.${key}`;
    if (!GRANT_KEY.test(key)) {
      throw new InputError(where, key, "must be a grant key: 1 to 32 lower-case letters, digits or '-'");
    }
    const fields = plainObject(where, entry, ["handoff", "probe", "kmsKeyPolicyStatements"]);
    const handoff = parseHandoff(`${where}.handoff`, fields.handoff);
    const grant: GrantOutput = { handoff };
    if (fields.probe !== undefined) grant.probe = parseProbe(`${where}.probe`, fields.probe, handoff);
    if (fields.kmsKeyPolicyStatements !== undefined) {
      const statements = plainObject(`${where}.kmsKeyPolicyStatements`, fields.kmsKeyPolicyStatements);
      grant.kmsKeyPolicyStatements = Object.fromEntries(
        Object.entries(statements).map(([arn, statement]) => [
          validateKmsKeyArn(`${where}.kmsKeyPolicyStatements`, arn),
          requireString(`${where}.kmsKeyPolicyStatements.${arn}`, statement),
        ]),
      );
    }
    out[key] = grant;
  }
  return out;
}
