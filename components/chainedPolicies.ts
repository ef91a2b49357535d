/**
 * The documents of IRSA with role chaining (`irsa-chained`): the source role's trust (account A) and
 * permission, the target role's trust (account B) and the SDK config file that chains them. Pure,
 * deterministic and size-checked like the other mechanisms' documents.
 *
 * How it works (Amazon EKS User Guide, "Authenticate to another account with IRSA", option 2,
 * https://docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html): the pod's projected
 * service-account token is exchanged for a session of an IRSA role in the cluster's own account A
 * (the "source role", trusted through A's own IAM OIDC provider), and the SDK then calls
 * `sts:AssumeRole` on the role in account B (the "target role") with that session, as a config
 * profile with `role_arn` and `source_profile` tells it to (the source profile holds
 * `web_identity_token_file` and `role_arn`; settings: https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html).
 * Account B needs no OIDC provider: it trusts a role of account A.
 */
import { InputError, PolicySizeError } from "./errors";
import { parsePolicyRoleArn } from "./podIdentityPolicies";
import { policySize, type PolicyDocument } from "./policyDocument";
import { requireObject } from "./policyGrammar";
import {
  DEFAULT_TRUST_POLICY_MAX_SIZE,
  MAX_TRUST_POLICY_QUOTA,
  buildTrustPolicy,
  type ServiceAccountRef,
} from "./trustPolicy";
import { parseOidcProviderArn, validateInteger } from "./validation";

/** The one action the source role needs on the target role, and the target role's trust allows. */
export const CHAINED_ACTION = "sts:AssumeRole";

/**
 * The longest session a chained `AssumeRole` may ask for, in seconds: "role chaining limits your AWS
 * CLI or AWS API role session to a maximum of one hour"; a longer `DurationSeconds` fails
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html, "Role chaining").
 */
export const ROLE_CHAINING_MAX_SESSION_SECONDS = 3600;
/** The shortest session STS grants (`DurationSeconds` minimum), in seconds. */
export const MIN_SESSION_SECONDS = 900;

/**
 * Where the EKS pod identity webhook mounts the projected token of an annotated ServiceAccount.
 *
 * @internal exported for the tests only
 */
export const IRSA_TOKEN_FILE = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

/** The config profile the pods select (`AWS_PROFILE`): the target role, chained from the source profile. */
export const DEFAULT_CHAINED_PROFILE = "cross-account-irsa";
/** The profile of the source role (web identity), the chained profile's `source_profile`. */
export const DEFAULT_SOURCE_PROFILE = "cross-account-irsa-source";

/** Options of {@link buildChainedSourceTrustPolicy}. */
export interface ChainedSourceTrustOptions {
  /** The IAM OIDC provider for the cluster's issuer in the cluster's own account (A). */
  oidcProviderArn: string;
  /** The cluster's OIDC issuer URL. */
  issuerUrl: string;
  /** The service accounts that may assume the source role: exact namespaces and names, at least one. */
  serviceAccounts: ServiceAccountRef[];
  /**
   * The token audience, always compared exactly.
   * @default "sts.amazonaws.com"
   */
  audience?: string;
  /**
   * The largest trust policy allowed, in characters as IAM counts them.
   * @default 2048
   */
  maxSize?: number;
}

/**
 * The source role's trust policy (account A): exactly the IRSA trust of `buildTrustPolicy`, with A's
 * own provider as the Federated principal, exact `sub` and `aud` (`StringEquals` only: a role B
 * trusts as a whole must not be reachable by service accounts nobody named), with the same guards
 * (names, size).
 *
 * @throws InputError for a bad provider ARN or issuer, a provider of another issuer, a wildcard
 *   or invalid name, no service accounts, or a document over `maxSize`.
 */
export function buildChainedSourceTrustPolicy(options: ChainedSourceTrustOptions): PolicyDocument {
  const o = requireObject(
    "options",
    options,
    "an object { oidcProviderArn, issuerUrl, serviceAccounts, audience?, maxSize? }",
  );
  return buildTrustPolicy(
    [
      {
        oidcProviderArn: o.oidcProviderArn as string,
        issuerUrl: o.issuerUrl as string,
        serviceAccounts: o.serviceAccounts as ServiceAccountRef[],
      },
    ],
    {
      conditionTest: "StringEquals",
      ...(o.audience !== undefined ? { audience: o.audience as string } : {}),
      ...(o.maxSize !== undefined ? { maxSize: o.maxSize as number } : {}),
    },
  );
}

/** Options of {@link buildChainedSourcePermissionPolicy}. */
export interface ChainedSourcePermissionOptions {
  /** The target role in account B. */
  targetRoleArn: string;
}

/**
 * The source role's permission policy: `sts:AssumeRole` on the target role's exact ARN, nothing
 * else. No `sts:TagSession`: the SDKs' config profiles pass no session tags (a profile has no
 * setting for them), and a permission never used is a permission too many.
 *
 * @throws InputError for an ARN that is not a role's, or holds `*`, `?` or `$`.
 */
export function buildChainedSourcePermissionPolicy(options: ChainedSourcePermissionOptions): PolicyDocument {
  const o = requireObject("options", options, "an object { targetRoleArn }");
  parsePolicyRoleArn("targetRoleArn", o.targetRoleArn);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ChainIntoTargetRole",
        Effect: "Allow",
        Action: CHAINED_ACTION,
        Resource: o.targetRoleArn as string,
      },
    ],
  };
}

/** Options of {@link buildChainedTargetTrustPolicy}. */
export interface ChainedTargetTrustOptions {
  /** The source role in the cluster's account (A): the only principal trusted. */
  sourceRoleArn: string;
  /**
   * The largest trust policy allowed, in characters as IAM counts them.
   * @default 2048
   */
  maxSize?: number;
}

/**
 * The target role's trust policy (account B): account A's root as principal, narrowed to the source
 * role by `ArnEquals aws:PrincipalArn`, for `sts:AssumeRole` only.
 *
 * Why the root and a condition, not the role's ARN as principal: IAM converts a role ARN in
 * `Principal` to the role's unique id when the policy is saved, so the trust breaks when the source
 * role is deleted and created again (same ARN, new id), and IAM refuses a `Principal` naming a role
 * that does not exist yet, so account B could not be deployed before account A's role
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
 * "IAM role principals"). `aws:PrincipalArn` is compared as text: it survives re-creation and may
 * name a role to come. Only that role's sessions match: another role or user of A does not, a role
 * of the same name in another account does not (the account is part of the ARN and of the
 * principal). The EKS guide's example trusts A's root alone and recommends a specific role.
 *
 * @throws InputError for an ARN that is not a role's, holds `*`, `?` or `$`, or a document over
 *   `maxSize`.
 */
export function buildChainedTargetTrustPolicy(options: ChainedTargetTrustOptions): PolicyDocument {
  const o = requireObject("options", options, "an object { sourceRoleArn, maxSize? }");
  const source = parsePolicyRoleArn("sourceRoleArn", o.sourceRoleArn);
  const maxSize = validateInteger(
    "maxSize",
    o.maxSize ?? DEFAULT_TRUST_POLICY_MAX_SIZE,
    1,
    MAX_TRUST_POLICY_QUOTA,
  );
  const doc: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ChainFromSourceRole",
        Effect: "Allow",
        Principal: { AWS: `arn:${source.partition}:iam::${source.accountId}:root` },
        Action: CHAINED_ACTION,
        Condition: { ArnEquals: { "aws:PrincipalArn": o.sourceRoleArn as string } },
      },
    ],
  };
  const size = policySize(doc);
  if (size > maxSize) {
    throw new PolicySizeError(
      "sourceRoleArn",
      o.sourceRoleArn,
      size,
      maxSize,
      `sourceRoleArn: the target role's trust policy is ${size} characters as IAM counts them, over the limit ` +
        `of ${maxSize} (maxSize): raise maxSize (up to ${MAX_TRUST_POLICY_QUOTA} with the IAM quota) or shorten the role's path`,
    );
  }
  return doc;
}

/** Options of {@link buildChainedProfileConfig}. */
export interface ChainedProfileOptions {
  /** The source role (account A) the token is exchanged for. */
  sourceRoleArn: string;
  /** The target role (account B) the SDK chains into. */
  targetRoleArn: string;
  /**
   * The projected token's path.
   * @default "/var/run/secrets/eks.amazonaws.com/serviceaccount/token" (where the webhook mounts it)
   */
  tokenFile?: string;
  /**
   * The chained profile's name (what `AWS_PROFILE` selects).
   * @default "cross-account-irsa"
   */
  profileName?: string;
  /**
   * The source profile's name.
   * @default "cross-account-irsa-source"
   */
  sourceProfileName?: string;
  /**
   * The session name of the target role's sessions (`role_session_name`; it ends the caller's ARN
   * and is visible to account B in CloudTrail).
   * @default none (the SDK picks one)
   */
  roleSessionName?: string;
  /**
   * The target role's session length in seconds (`duration_seconds`), 900 to 3600: role chaining
   * caps it at one hour and a longer request fails.
   * @default 3600
   */
  durationSeconds?: number;
}

const PROFILE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

function profileName(field: string, value: unknown): string {
  if (typeof value !== "string" || !PROFILE_NAME.test(value)) {
    throw new InputError(field, value, "must be a profile name: 1 to 64 letters, digits, '_' or '-'");
  }
  return value;
}

/** The SDK config file's text, as {@link buildChainedProfileConfig} writes it, and what it selects. */
export interface ChainedProfileConfig {
  /** The file's text (INI, `[profile <name>]` sections, as `AWS_CONFIG_FILE` reads it). */
  text: string;
  /** The profile `AWS_PROFILE` must select. */
  profileName: string;
  /** The source profile's name. */
  sourceProfileName: string;
}

/**
 * The SDK config file that chains the roles: a source profile with `web_identity_token_file` and
 * `role_arn` of the source role, and the chained profile with `role_arn` of the target role,
 * `source_profile`, `duration_seconds` (at most 3600) and, when given, `role_session_name`. Every
 * value is checked first (ARNs, names, an absolute path without whitespace), so none can add a line.
 *
 * @throws InputError naming the option, for any value that is not what it must be.
 */
export function buildChainedProfileConfig(options: ChainedProfileOptions): ChainedProfileConfig {
  const o = requireObject(
    "options",
    options,
    "an object { sourceRoleArn, targetRoleArn, tokenFile?, profileName?, sourceProfileName?, roleSessionName?, durationSeconds? }",
  );
  parsePolicyRoleArn("sourceRoleArn", o.sourceRoleArn);
  parsePolicyRoleArn("targetRoleArn", o.targetRoleArn);
  if (o.sourceRoleArn === o.targetRoleArn) {
    throw new InputError(
      "targetRoleArn",
      o.targetRoleArn,
      "must differ from sourceRoleArn: the chain assumes the target role with the source role's session",
    );
  }
  const tokenFile = o.tokenFile ?? IRSA_TOKEN_FILE;
  if (
    typeof tokenFile !== "string" ||
    !/^\/[\x21-\x7e]{1,4095}$/.test(tokenFile) ||
    tokenFile.includes(";")
  ) {
    throw new InputError(
      "tokenFile",
      tokenFile,
      "must be an absolute path of printable characters without whitespace or ';'",
    );
  }
  const chained = profileName("profileName", o.profileName ?? DEFAULT_CHAINED_PROFILE);
  const source = profileName("sourceProfileName", o.sourceProfileName ?? DEFAULT_SOURCE_PROFILE);
  if (chained === source) {
    throw new InputError("sourceProfileName", source, "must differ from profileName");
  }
  if (
    o.roleSessionName !== undefined &&
    (typeof o.roleSessionName !== "string" || !SESSION_NAME.test(o.roleSessionName))
  ) {
    throw new InputError(
      "roleSessionName",
      o.roleSessionName,
      "must be an STS role session name: 2 to 64 letters, digits or any of + = , . @ _ -",
    );
  }
  const duration = validateInteger(
    "durationSeconds",
    o.durationSeconds ?? ROLE_CHAINING_MAX_SESSION_SECONDS,
    MIN_SESSION_SECONDS,
    ROLE_CHAINING_MAX_SESSION_SECONDS,
  );
  const lines = [
    `[profile ${source}]`,
    `role_arn = ${o.sourceRoleArn as string}`,
    `web_identity_token_file = ${tokenFile}`,
    "",
    `[profile ${chained}]`,
    `role_arn = ${o.targetRoleArn as string}`,
    `source_profile = ${source}`,
    ...(o.roleSessionName !== undefined ? [`role_session_name = ${o.roleSessionName}`] : []),
    `duration_seconds = ${duration}`,
    "",
  ];
  return { text: lines.join("\n"), profileName: chained, sourceProfileName: source };
}

/**
 * The keys a chained config file may set: what buildChainedProfileConfig writes, and the region. Any
 * other (static keys, credential_process, sso_*) could give the SDK credentials other than the chain's.
 */
const PROFILE_KEYS = [
  "role_arn",
  "web_identity_token_file",
  "source_profile",
  "role_session_name",
  "duration_seconds",
  "region",
  "sts_regional_endpoints",
];

/** The settings of one profile of an SDK config file, by key. */
export type ProfileSettings = Record<string, string>;

/**
 * Reads an SDK config file's profiles (`[profile <name>]`, and `[default]`): `key = value` lines,
 * `#`/`;` comment lines skipped. What the chain checks read back from a planned or live ConfigMap.
 * A line it cannot read is an error naming it (never skipped: a check must not pass on a file the
 * SDK would read otherwise).
 */
export function parseProfileConfig(text: string): Record<string, ProfileSettings> {
  if (typeof text !== "string") throw new InputError("config", text, "must be the config file's text");
  const profiles: Record<string, ProfileSettings> = {};
  let current: ProfileSettings | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    const field = `config line ${i + 1}`;
    // An indented line continues the key above it (a nested setting): the SDK reads it, this reader does not.
    if (/^\s/.test(raw)) throw new InputError(field, raw, "must not be indented (a nested setting)");
    const section = /^\[\s*(?:profile\s+([^\]\s]+)|(default))\s*\]$/.exec(line);
    if (section) {
      const name = section[1] ?? section[2];
      if (profiles[name] !== undefined) throw new InputError(field, raw, "must not repeat a section");
      current = profiles[name] = {};
      return;
    }
    const setting = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
    if (!setting || current === undefined) {
      throw new InputError(field, raw, "must be a [profile <name>] section or a key = value line in one");
    }
    if (!PROFILE_KEYS.includes(setting[1])) {
      throw new InputError(
        field,
        raw,
        `must set one of ${PROFILE_KEYS.join(", ")} (other keys change the credentials)`,
      );
    }
    if (current[setting[1]] !== undefined)
      throw new InputError(field, raw, "must not repeat a key of its profile");
    current[setting[1]] = setting[2];
  });
  return profiles;
}

/** The provider ARN's account, for the checks that the source role and its provider share one. */
export function providerAccount(oidcProviderArn: string): string {
  return parseOidcProviderArn("oidcProviderArn", oidcProviderArn).accountId;
}
