/**
 * account-b's IAM documents, built and checked from config before the program registers anything.
 *
 * Every part of them is known before the first resource: the OIDC provider's ARN is
 * `arn:<partition>:iam::<account B>:oidc-provider/<issuer host/path>`, and an auto-named bucket's
 * name has a known length. So a trust policy over IAM's size quota, a permission policy over the
 * role's inline quota, or an adopted provider of another issuer fails here, in preview as in an
 * update, naming the config key the user wrote, instead of after the provider and the bucket exist.
 * Pure.
 */
import { PolicySizeError } from "../components/errors";
import { checkInlinePoliciesSize, policyJson, type PolicyDocument } from "../components/policyDocument";
import { buildS3AccessPolicy } from "../components/s3AccessPolicy";
import { STACK_CONFIG_LAYERS } from "../mechanisms/stackConfigRegistry";
import { key } from "./configSource";
import { restated, type AccountAFacts } from "./trustCheck";
import type { AccountBConfig } from "./config";

export { type AccountAFacts } from "./trustCheck";

/** The resource name the account-b program gives its bucket (Pulumi auto-names it from this). */
export const BUCKET_RESOURCE_NAME = "bucket";
/**
 * A stand-in of the length of an auto-named bucket: Pulumi names it `<resource name>-<7 random
 * characters>`. Only the policy's size depends on it.
 */
export const AUTONAMED_BUCKET_STAND_IN = `${BUCKET_RESOURCE_NAME}-0000000`;

/** The documents account-b will send, as far as config and account-a's facts (when known) decide them. */
export interface AccountBDocuments {
  /** The trust policy, or undefined while account-a's facts it names are unknown. */
  trustPolicy?: PolicyDocument;
  /** The S3 permission policy (with the bucket stand-in when the bucket is auto-named). */
  accessPolicy: PolicyDocument;
}

/**
 * Builds account-b's trust and permission policies from config and checks them as IAM will: the
 * trust policy against `cross-account-irsa:maxTrustPolicySize`, the permission policy against the
 * role's 10,240-character inline quota (the trust as the mechanism's stack config layer checks it:
 * `accountB.trust` in `mechanisms/<name>/config.ts`). A fact of `a` is undefined in a preview before
 * account-a exports it: the trust policy is then checked with the shortest value it can have (IRSA's
 * shortest issuer, Pod Identity's shortest ARNs), a lower bound, and not returned.
 *
 * @throws InputError naming the `cross-account-irsa:` key to change.
 */
export function checkAccountBDocuments(config: AccountBConfig, a: AccountAFacts): AccountBDocuments {
  const trustPolicy = STACK_CONFIG_LAYERS[config.mechanism].accountB.trust(config, a);
  return { ...(trustPolicy !== undefined ? { trustPolicy } : {}), accessPolicy: checkAccessPolicy(config) };
}

/** The S3 permission policy, with the bucket's name or a stand-in of an auto-name's length. */
function checkAccessPolicy(config: AccountBConfig): PolicyDocument {
  let accessPolicy: PolicyDocument;
  const renames: Array<[string, string]> = [
    ["kmsKeyArn", key("bucket.kmsKeyArn")],
    ["prefixes", key("prefixes")],
    ["bucketName", key("bucket.name")],
  ];
  try {
    accessPolicy = buildS3AccessPolicy({
      bucketName: config.bucket.name ?? AUTONAMED_BUCKET_STAND_IN,
      access: config.access,
      prefixes: config.prefixes,
      kmsKeyArn: config.bucket.kmsKeyArn,
      partition: config.aws.partition,
    });
  } catch (error) {
    throw renames.reduce((e, [from, to]) => restated(e, from, to), error);
  }
  try {
    checkInlinePoliciesSize(key("prefixes"), { "s3-access": policyJson(accessPolicy) });
  } catch (error) {
    if (!(error instanceof PolicySizeError)) throw error;
    throw new PolicySizeError(
      key("prefixes"),
      `${config.prefixes.length} prefixes`,
      error.size,
      error.limit,
      `${key("prefixes")}: the S3 permission policy for ${config.prefixes.length} prefixes is ${error.size} ` +
        `characters as IAM counts them (whitespace excluded), over IAM's limit of ${error.limit} for a role's ` +
        `inline policies together, which cannot be raised. Ways out: grant fewer, shorter prefixes (a parent ` +
        `prefix covers its children: "reports/" covers "reports/2026/"); or split the prefixes across several ` +
        `roles (one account-b stack each).`,
    );
  }
  return accessPolicy;
}
