/**
 * The checks of the permission link, the one link every mechanism shares: the role account B grants
 * may read the object (its permission policies, the bucket policy, the object's KMS key). Each
 * mechanism's catalogue includes them under the same names. Pure data and string functions.
 */
import { check, grantEntryField, inGrant, says, type InGrant, type Live } from "./catalogueBase";

/** An S3 object, for the words of a check. */
export interface S3Object {
  bucket: string;
  key: string;
}

/** The permission link's checks, by name (the same entries in every mechanism's catalogue). */
export const PERMISSION_CHECKS = {
  permissionObjectKnown: check(
    "permission",
    () => "the role may read the object the access check reads",
    () => "check account-b's bucket config",
  ),
  permissionRead: check<Live & InGrant & { reader: string }>(
    "permission",
    (p) =>
      says(p, `the role may s3:GetObject what ${p.reader} reads`, `the role may s3:GetObject ${p.reader}`),
    (p) =>
      says(
        p,
        "the object must be in account-b's bucket and under a granted prefix: check " +
          inGrant(
            p,
            "cross-account-irsa:bucket.objectKey, prefixes and access on account-b",
            (g) => `${grantEntryField(g, "buckets[<j>]")}'s objectKey, prefixes and access on account-b`,
          ),
        `allow s3:GetObject on ${p.reader.replace(/^s3:\/\//, "arn:aws:s3:::")} (or a prefix of it) in an inline or attached policy ` +
          "of the role: buildS3AccessPolicy writes one",
      ),
  ),
  permissionList: check<S3Object>(
    "permission",
    (p) => `the role may s3:ListBucket on bucket ${p.bucket}`,
    (p) =>
      `allow s3:ListBucket on arn:aws:s3:::${p.bucket} (the bucket ARN, not ${p.bucket}/*) in the role's policy, with an ` +
      `s3:prefix condition that covers ${p.key} when listing is limited to prefixes (buildS3AccessPolicy does)`,
  ),
  bucketPolicyAllows: check<S3Object>(
    "permission",
    (p) => `the bucket policy of ${p.bucket} denies the role neither s3:GetObject nor s3:ListBucket`,
    (p) =>
      `narrow the bucket policy's Deny statement so that it no longer matches the role reading s3://${p.bucket}/${p.key} ` +
      `(aws s3api get-bucket-policy --bucket ${p.bucket}): an explicit deny beats every allow`,
  ),
  objectExists: check<S3Object>(
    "permission",
    (p) => `object s3://${p.bucket}/${p.key} exists`,
    (p) =>
      `upload it (aws s3 cp <file> s3://${p.bucket}/${p.key}) or name an existing object with --bucket and --key ` +
      "(account-b's bucketName and objectKey outputs)",
  ),
  kmsKeyAllowed: check<{ keyArn: string }>(
    "permission",
    (p) => `the role may kms:Decrypt with the object's KMS key ${p.keyArn}`,
    (p) =>
      `allow kms:Decrypt on ${p.keyArn} in the role's policy (buildS3AccessPolicy's kmsKeyArn does) and let the key policy ` +
      "allow the role or delegate to its account (the default key policy's :root statement); an AWS managed key (aws/s3) " +
      "cannot be used from another account: encrypt with a customer managed key",
  ),
};
