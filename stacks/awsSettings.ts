/**
 * A stack's AWS provider settings (`aws:*` keys): parsed and validated once, used to build the
 * stack's explicit AWS provider and, on account-a, the kubeconfig that must authenticate exactly as
 * that provider does. Pure.
 */
import { IrsaInputError } from "../components/errors";
import { partitionOfRegion } from "../components/partitions";
import { requireArray, validateAccountId, validateRegion } from "../components/validation";
import { checkKnownKeys, type StackSettings } from "./configSource";

/** The AWS provider settings of a stack (`aws:*` keys). */
export interface AwsSettings {
  region: string;
  /** The region's partition (`aws`, `aws-cn`, `aws-us-gov`, ...): the partition of every ARN. */
  partition: string;
  profile?: string;
  /** `aws:assumeRoles`: role chain for the provider (each `{ roleArn, sessionName?, externalId? }`). */
  assumeRoles?: Array<{ roleArn: string; sessionName?: string; externalId?: string }>;
  /** `aws:allowedAccountIds`: the provider refuses to run against any other account. */
  allowedAccountIds?: string[];
}

/**
 * How the kubeconfig's `aws eks get-token` authenticates: the provider's profile (`--profile`) and
 * the role it assumes (`--role-arn`). Fails, naming the `aws:` key, for what `get-token` cannot
 * reproduce: a chain of several roles, or an external id.
 */
export interface KubeconfigCredentials {
  profile?: string;
  roleArn?: string;
}

/** The kubeconfig credentials that reproduce the provider's: see {@link KubeconfigCredentials}. */
export function kubeconfigCredentials(settings: AwsSettings): KubeconfigCredentials {
  const credentials: KubeconfigCredentials = {};
  if (settings.profile !== undefined) credentials.profile = settings.profile;
  const roles = settings.assumeRoles ?? [];
  if (roles.length > 1) {
    throw new IrsaInputError(
      "aws:assumeRoles",
      roles.map((r) => r.roleArn),
      "must name at most one role on account-a: the provider assumes them in a chain, and the cluster's " +
        "kubeconfig (aws eks get-token --role-arn) can assume only one. Define the chain as an AWS CLI " +
        "profile (role_arn and source_profile in ~/.aws/config) and set aws:profile to it instead",
    );
  }
  if (roles.length === 1) {
    if (roles[0].externalId !== undefined) {
      throw new IrsaInputError(
        "aws:assumeRoles[0].externalId",
        roles[0].externalId,
        "cannot be used on account-a: the cluster's kubeconfig (aws eks get-token --role-arn) cannot pass an " +
          "external id. Define the role as an AWS CLI profile (role_arn, external_id, source_profile) and set " +
          "aws:profile to it instead",
      );
    }
    credentials.roleArn = roles[0].roleArn;
  }
  return credentials;
}

/**
 * Static keys in a stack file are not used by the stacks' explicit provider (it takes the profile,
 * the roles, or the environment), nor could the kubeconfig reproduce them: refuse them.
 */
const STATIC_KEY_SETTINGS = ["accessKey", "secretKey", "token"] as const;

/** The `aws:` keys the stacks read: what configures each stack's explicit provider. */
export const AWS_KEYS = ["allowedAccountIds", "assumeRoles", "profile", "region"] as const;

/**
 * Reads `aws:*` provider settings. Every `aws:` key must be one the stacks read: the explicit
 * provider ignores the rest, so a misspelt one (`aws:profil`) would fall back to other credentials.
 */
export function parseAwsSettings(settings: StackSettings): AwsSettings {
  const getAws = settings.getAws;
  const region = getAws("region");
  if (region === undefined) {
    throw new IrsaInputError(
      "aws:region",
      region,
      "must be set: the region of this stack's resources (pulumi config set aws:region <region>)",
    );
  }
  for (const key of STATIC_KEY_SETTINGS) {
    if (getAws(key) !== undefined) {
      throw new IrsaInputError(
        `aws:${key}`,
        "[not shown]",
        "is not used: each stack's explicit AWS provider authenticates with aws:profile or aws:assumeRoles, " +
          "or the environment's credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE, ...); remove it from the stack file",
      );
    }
  }
  checkKnownKeys(settings, "aws", "the stacks' AWS provider", AWS_KEYS);
  const validRegion = validateRegion("aws:region", region);
  const aws: AwsSettings = {
    region: validRegion,
    partition: partitionOfRegion("aws:region", validRegion),
  };
  const profile = getAws("profile");
  if (profile !== undefined && profile !== "") {
    if (typeof profile !== "string") throw new IrsaInputError("aws:profile", profile, "must be a string");
    aws.profile = profile;
  }
  const assumeRoles = getAws("assumeRoles");
  if (assumeRoles !== undefined) {
    aws.assumeRoles = requireArray("aws:assumeRoles", assumeRoles).map((r, i) => {
      if (r === null || typeof r !== "object" || Array.isArray(r)) {
        throw new IrsaInputError(
          `aws:assumeRoles[${i}]`,
          r,
          "must be an object { roleArn, sessionName?, externalId? }",
        );
      }
      const o = r as Record<string, unknown>;
      const roleArn = o.roleArn;
      if (typeof roleArn !== "string" || !/^arn:[a-z-]+:iam::\d{12}:role\/.+$/.test(roleArn)) {
        throw new IrsaInputError(`aws:assumeRoles[${i}].roleArn`, roleArn, "must be an IAM role ARN");
      }
      return {
        roleArn,
        ...(typeof o.sessionName === "string" ? { sessionName: o.sessionName } : {}),
        ...(typeof o.externalId === "string" ? { externalId: o.externalId } : {}),
      };
    });
  }
  const allowed = getAws("allowedAccountIds");
  if (allowed !== undefined) {
    aws.allowedAccountIds = requireArray("aws:allowedAccountIds", allowed, 1).map((a, i) =>
      validateAccountId(`aws:allowedAccountIds[${i}]`, a),
    );
  }
  return aws;
}
