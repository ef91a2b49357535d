/**
 * `BucketAccessGrant`'s buckets as plain values before anything registers: an Output a bucket may
 * hold (an existing bucket's name, a KMS key ARN) stood in for or left out, so that the pure checks of
 * `bucketAccessBuckets.ts` run at once, and again on the real values once they resolve.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  bucketAccessPolicy,
  bucketPolicyName,
  checkGrantBuckets,
  type GrantBucket,
} from "./bucketAccessBuckets";
import { type GrantBucketInput } from "./bucketAccessGrantInputs";
import { InputError } from "./errors";
import { checked, isPlain } from "./inputs";
import { policyJson } from "./policyDocument";

/**
 * The shortest valid bucket name, distinct per index, standing in for an existing bucket's name that
 * is an Output (S3 names are 3 to 63 characters): the early size checks stay a lower bound.
 */
function standIn(index: number): string {
  return `b${String(index).padStart(2, "0")}`;
}

/**
 * The buckets with what is not plain yet replaced: an existing bucket's name that is an Output by
 * {@link standIn} (its `policyName` required: it names the inline policy now), a KMS key ARN that is
 * an Output left out until it resolves. A created bucket's name must be plain (it names child
 * resources).
 */
export function plainBucketArgs(buckets: unknown): unknown {
  if (!Array.isArray(buckets)) return buckets;
  return buckets.map((b: unknown, i) => {
    if (b === null || typeof b !== "object" || Array.isArray(b) || isPlain(b)) return b;
    const { kmsKeyArn, name, ...rest } = b as GrantBucketInput;
    const out: Record<string, unknown> = { ...rest, ...(isPlain(kmsKeyArn) ? { kmsKeyArn } : {}) };
    if (isPlain(name)) return { ...out, name };
    if (rest.create === true) {
      throw new InputError(
        `args.buckets[${i}].name`,
        "[an Output]",
        "must be a plain string for a bucket the grant creates (it names the bucket's child resources)",
      );
    }
    if (rest.policyName === undefined) {
      throw new InputError(
        `args.buckets[${i}].policyName`,
        undefined,
        `is required when args.buckets[${i}].name is an Output (the inline policy's name must be known now)`,
      );
    }
    return { ...out, name: standIn(i) };
  });
}

/** A shortest-possible S3 policy text per bucket (partition `aws`), to check IAM's inline quota early. */
export function inlineLowerBound(buckets: readonly GrantBucket[]): Record<string, string> {
  return Object.fromEntries(
    buckets.map((b, i) => [
      bucketPolicyName(b),
      policyJson(bucketAccessPolicy(`args.buckets[${i}]`, b, "aws")),
    ]),
  );
}

/**
 * The buckets, checked on their real values: at once when plain, else once the names and KMS key
 * ARNs that are Outputs resolve (the same checks, naming the same fields).
 */
export function resolvedBuckets(
  args: readonly GrantBucketInput[],
  plain: GrantBucket[],
): pulumi.Output<GrantBucket[]> {
  const pending = args.map((b) => [b.name, b.kmsKeyArn] as const);
  if (isPlain(pending)) return pulumi.output(plain);
  return checked(pulumi.all(pending.map(([n, k]) => pulumi.all([n, k]))), (values) =>
    checkGrantBuckets(
      "args.buckets",
      args.map((b, i) => {
        const [name, kmsKeyArn] = values[i];
        const { kmsKeyArn: _k, ...rest } = b;
        return { ...rest, name, ...(kmsKeyArn !== undefined ? { kmsKeyArn } : {}) };
      }),
    ),
  );
}
