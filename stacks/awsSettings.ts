/**
 * A stack's AWS provider settings (`aws:*` keys): parsed and validated once, used to build the
 * stack's explicit AWS provider and, on account-a, the kubeconfig that must authenticate exactly as
 * that provider does. Pure.
 */
import { isPolicyArn } from "../components/arn";
import { InputError } from "../components/errors";
import { partitionOfRegion } from "../components/partitions";
import { parseRoleArn, requireArray, validateAccountId, validateRegion } from "../components/validation";
import { validateProfile } from "../components/kubeconfig";
import { checkKnownKeys, notSet, onlyKeys, type StackSettings } from "./configSource";
import { OFFLINE_SECRET } from "./stackFile";

/** The AWS provider settings of a stack (`aws:*` keys). */
export interface AwsSettings {
  region: string;
  /** The region's partition (`aws`, `aws-cn`, `aws-us-gov`, ...): the partition of every ARN. */
  partition: string;
  profile?: string;
  /** `aws:assumeRoles`: the provider's role chain, every field as written (see {@link AssumeRole}). */
  assumeRoles?: AssumeRole[];
  /** `aws:allowedAccountIds`: the provider refuses to run against any other account. */
  allowedAccountIds?: string[];
}

/**
 * One entry of `aws:assumeRoles`: every field of the AWS provider's `assumeRoles` (`ProviderAssumeRole`
 * in @pulumi/aws's types/input.d.ts), passed to the provider exactly as written. `roleArn` is
 * required here: an entry without one assumes nothing.
 */
export interface AssumeRole {
  roleArn: string;
  /** The session's duration, a Go duration (`1h`, `90m`); STS accepts 15 minutes to 12 hours. */
  duration?: string;
  externalId?: string;
  /** A session policy (IAM policy JSON) that narrows what the session may do. */
  policy?: string;
  /** Managed policies that narrow what the session may do. */
  policyArns?: string[];
  sessionName?: string;
  sourceIdentity?: string;
  /** Session tags. */
  tags?: Record<string, string>;
  /** Session tag keys passed on to later sessions of a chain. */
  transitiveTagKeys?: string[];
}

/**
 * The fields of an `aws:assumeRoles` entry: those of the provider's `ProviderAssumeRole`.
 *
 * @internal exported for the tests only
 */
export const ASSUME_ROLE_KEYS = [
  "duration",
  "externalId",
  "policy",
  "policyArns",
  "roleArn",
  "sessionName",
  "sourceIdentity",
  "tags",
  "transitiveTagKeys",
] as const;

/**
 * How the kubeconfig's `aws eks get-token` authenticates: the provider's profile (`--profile`) and
 * the role it assumes (`--role-arn`). Fails, naming the `aws:` key, for what `get-token` cannot
 * reproduce: a chain of several roles, or an external id.
 */
export interface KubeconfigCredentials {
  profile?: string;
  roleArn?: string;
}

/** What each field the kubeconfig cannot reproduce is, in words. */
const KUBECONFIG_CANNOT: Record<string, string> = {
  duration: "a session duration",
  externalId: "an external id",
  policy: "a session policy",
  policyArns: "session policy ARNs",
  sourceIdentity: "a source identity",
  tags: "session tags",
  transitiveTagKeys: "transitive session tag keys",
};

/** The kubeconfig credentials that reproduce the provider's: see {@link KubeconfigCredentials}. */
export function kubeconfigCredentials(settings: AwsSettings): KubeconfigCredentials {
  const credentials: KubeconfigCredentials = {};
  if (settings.profile !== undefined) credentials.profile = settings.profile;
  const roles = settings.assumeRoles ?? [];
  if (roles.length > 1) {
    throw new InputError(
      "aws:assumeRoles",
      roles.map((r) => r.roleArn),
      "must name at most one role on account-a: the provider assumes them in a chain, and the cluster's " +
        "kubeconfig (aws eks get-token --role-arn) can assume only one. Define the chain as an AWS CLI " +
        "profile (role_arn and source_profile in ~/.aws/config) and set aws:profile to it instead",
    );
  }
  if (roles.length === 1) {
    // get-token takes --role-arn only: anything else would make Kubernetes calls run as another session
    // than the provider's (an external id the role's trust requires, a narrower session policy, ...).
    for (const field of ASSUME_ROLE_KEYS) {
      if (field === "roleArn" || field === "sessionName" || roles[0][field] === undefined) continue;
      throw new InputError(
        `aws:assumeRoles[0].${field}`,
        roles[0][field],
        "cannot be used on account-a: the cluster's kubeconfig (aws eks get-token --role-arn) cannot pass " +
          `${KUBECONFIG_CANNOT[field]}, so Kubernetes calls would run as another session than the provider's. ` +
          "Define the role as an AWS CLI profile (role_arn, source_profile, external_id, duration_seconds) " +
          "and set aws:profile to it instead",
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

/**
 * The `aws:` keys the stacks read: what configures each stack's explicit provider.
 *
 * @internal exported for the tests only
 */
export const AWS_KEYS = ["allowedAccountIds", "assumeRoles", "profile", "region"] as const;

/**
 * Reads `aws:*` provider settings. Every `aws:` key must be one the stacks read: the explicit
 * provider ignores the rest, so a misspelt one (`aws:profil`) would fall back to other credentials.
 */
export function parseAwsSettings(settings: StackSettings): AwsSettings {
  const getAws = settings.getAws;
  const region = getAws("region");
  if (region === undefined) {
    throw notSet(
      "aws:region",
      "it is the region of this stack's resources (pulumi config set aws:region <region>)",
    );
  }
  for (const key of STATIC_KEY_SETTINGS) {
    if (getAws(key) !== undefined) {
      throw new InputError(
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
    // The check the kubeconfig's profile gets (WorkloadCluster's kubeconfigProfile), naming this key.
    aws.profile = validateProfile("aws:profile", profile);
  }
  const assumeRoles = getAws("assumeRoles");
  if (assumeRoles !== undefined) {
    const secret = settings.isSecret("aws", "assumeRoles");
    aws.assumeRoles = requireArray("aws:assumeRoles", assumeRoles).map((r, i) => {
      try {
        return parseAssumeRole(r, i, secret);
      } catch (e) {
        // A secret (an external id, say) is never shown in an error.
        if (!secret || !(e instanceof InputError)) throw e;
        throw new InputError(e.field, "[secret]", e.rule);
      }
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

// The lengths and characters STS takes for RoleSessionName, SourceIdentity and ExternalId:
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
const SESSION_TEXT = /^[\w+=,.@-]{2,64}$/;
/** A Go duration (`time.ParseDuration`), which the provider reads `duration` with. */
const GO_DURATION =
  /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h)(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))*$/;

/** An `aws:assumeRoles` entry, every field checked and kept exactly; unknown fields are refused. */
function parseAssumeRole(r: unknown, i: number, secret: boolean): AssumeRole {
  const field = `aws:assumeRoles[${i}]`;
  if (r === null || typeof r !== "object" || Array.isArray(r)) {
    throw new InputError(field, r, `must be an object with a roleArn and ${ASSUME_ROLE_KEYS.join(", ")}`);
  }
  const o = r as Record<string, unknown>;
  onlyKeys(field, o, [...ASSUME_ROLE_KEYS]);
  const text = (name: keyof AssumeRole, pattern: RegExp, rule: string): string | undefined => {
    const v = o[name];
    if (v === undefined) return undefined;
    // A secure value cannot be decrypted offline: the plan passes the marker on unchecked.
    if (secret && v === OFFLINE_SECRET) return v;
    if (typeof v !== "string" || !pattern.test(v)) throw new InputError(`${field}.${name}`, v, rule);
    return v;
  };
  // The check the kubeconfig's role ARN gets (WorkloadCluster's kubeconfigRoleArn), naming this key.
  parseRoleArn(`${field}.roleArn`, o.roleArn);
  const role: AssumeRole = { roleArn: o.roleArn as string };
  // The text fields: each checked as STS (and, for duration, the provider's Go parser) reads it.
  const textFields: [
    Exclude<keyof AssumeRole, "roleArn" | "policy" | "policyArns" | "tags" | "transitiveTagKeys">,
    RegExp,
    string,
  ][] = [
    ["sessionName", SESSION_TEXT, "must be a string of 2 to 64 of A-Z a-z 0-9 _ + = , . @ -"],
    [
      "externalId",
      /^[\w+=,.@:/-]{2,1224}$/,
      "must be a string of 2 to 1224 of A-Z a-z 0-9 _ + = , . @ : / -",
    ],
    [
      "duration",
      GO_DURATION,
      'must be a duration such as "1h" or "90m" (STS then accepts 15 minutes to 12 hours)',
    ],
    ["sourceIdentity", SESSION_TEXT, "must be a string of 2 to 64 of A-Z a-z 0-9 _ + = , . @ -"],
  ];
  for (const [name, pattern, rule] of textFields) {
    const value = text(name, pattern, rule);
    if (value !== undefined) role[name] = value;
  }
  if (o.policy !== undefined) {
    if (!(secret && o.policy === OFFLINE_SECRET)) {
      let document: unknown;
      try {
        document = typeof o.policy === "string" ? JSON.parse(o.policy) : undefined;
      } catch {
        document = undefined;
      }
      if (document === null || typeof document !== "object" || Array.isArray(document)) {
        throw new InputError(`${field}.policy`, o.policy, "must be an IAM policy document as JSON text");
      }
    }
    role.policy = o.policy as string;
  }
  const strings = (name: "policyArns" | "transitiveTagKeys", valid: (x: string) => boolean, rule: string) => {
    const v = o[name];
    if (v === undefined) return undefined;
    return requireArray(`${field}.${name}`, v).map((x, j) => {
      if (secret && x === OFFLINE_SECRET) return x;
      if (typeof x !== "string" || !valid(x)) throw new InputError(`${field}.${name}[${j}]`, x, rule);
      return x;
    });
  };
  const policyArns = strings("policyArns", isPolicyArn, "must be an IAM policy ARN");
  if (policyArns !== undefined) role.policyArns = policyArns;
  const transitiveTagKeys = strings(
    "transitiveTagKeys",
    (x) => /^[\p{L}\p{Z}\p{N}_.:/=+@-]{1,128}$/u.test(x),
    "must be a tag key",
  );
  if (transitiveTagKeys !== undefined) role.transitiveTagKeys = transitiveTagKeys;
  if (o.tags !== undefined) {
    if (o.tags === null || typeof o.tags !== "object" || Array.isArray(o.tags)) {
      throw new InputError(`${field}.tags`, o.tags, "must be an object of tag keys to string values");
    }
    for (const [k, v] of Object.entries(o.tags)) {
      if (typeof v !== "string") throw new InputError(`${field}.tags.${k}`, v, "must be a string");
    }
    role.tags = o.tags as Record<string, string>;
  }
  return role;
}
