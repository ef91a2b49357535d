/**
 * Parsing and validation of account-b's configuration (see config.ts). Pure.
 */
import { parseArn } from "../components/arn";
import { InputError } from "../components/errors";
import { type Mechanism } from "../components/mechanism";
import { STACK_CONFIG_LAYERS, type MechanismAccountBConfig } from "../mechanisms/stackConfigRegistry";
import { parseAwsSettings, type AwsSettings } from "./awsSettings";
import {
  PROJECT,
  checkKnownKeys,
  key,
  notSet,
  object,
  onlyKeys,
  optionalBoolean,
  optionalInteger,
  optionalString,
  type StackSettings,
} from "./configSource";
import { refuseGrantsModeConfig } from "./grantsMode";
import { normalizePrefixes, type S3AccessLevel } from "../components/s3AccessPolicy";
import {
  DEFAULT_TRUST_POLICY_MAX_SIZE,
  MAX_TRUST_POLICY_QUOTA,
  serviceAccountSubjects,
  type ServiceAccountRef,
} from "../components/trustPolicy";
import {
  validateBucketName,
  validateKmsKeyArn,
  validateObjectKey,
  validateRoleName,
} from "../components/validation";

import { ACCOUNT_A_KEYS, ACCOUNT_B_KEYS, refuseOtherMechanismKeys } from "./configKeys";
import { parseMechanism, qualifyStackName } from "./configShared";

/**
 * account-b's configuration: what every mechanism reads, and each mechanism's own part (its stack
 * config layer's, `MechanismConfigParts` in mechanisms/stackConfigRegistry.ts; set only with it).
 */
export type AccountBConfig = SharedAccountBConfig & MechanismAccountBConfig;

/** What account-b's configuration holds whatever the mechanism. */
export interface SharedAccountBConfig {
  aws: AwsSettings;
  /** `mechanism`: must equal account-a's. */
  mechanism: Mechanism;
  /** Fully qualified name of account-a's stack. */
  accountAStack: string;
  serviceAccounts: ServiceAccountRef[];
  conditionTest: "StringEquals" | "StringLike";
  /** Whether patterns may trust every service account of a namespace (`trustWholeNamespaces`). */
  trustWholeNamespaces: boolean;
  bucket: {
    name?: string;
    create: boolean;
    objectKey: string;
    objectContent: string;
    kmsKeyArn?: string;
    forceDestroy: boolean;
  };
  access: S3AccessLevel;
  prefixes: string[];
  roleName?: string;
  maxSessionDuration: number;
  /** The trust policy size limit (`maxTrustPolicySize`): IAM's quota, 2048 unless raised. */
  maxTrustPolicySize: number;
}

/** The content of the object account-b writes for the access check, unless `bucket.objectContent` says otherwise. */
export const DEFAULT_OBJECT_CONTENT = "cross-account-irsa: this object was read through IRSA\n";

/** C0 and C1 control characters (CR, LF, tab, NUL, ...): never part of a prefix or key one can type. */
const CONTROL_CHARACTERS = /\p{Cc}/u;

/**
 * Refuses a prefix or object key holding a control character: IAM and S3 take a CR or LF, so it
 * would pass every later check and fail only when the pod reads another key than the one written.
 */
export function refuseControlCharacters(field: string, value: unknown): void {
  if (typeof value !== "string") return;
  const m = CONTROL_CHARACTERS.exec(value);
  if (m) {
    throw new InputError(
      field,
      value,
      `must not contain a control character (U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} ` +
        `at position ${m.index})`,
    );
  }
}

/**
 * S3 encrypts with a KMS key of the bucket's region only (SSE-KMS: "the KMS key must be in the same
 * Region as the bucket", https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html);
 * the bucket is in this stack's aws:region.
 */
export function checkKmsKeyRegion(arn: string, aws: AwsSettings, field = key("bucket.kmsKeyArn")): void {
  const { partition, region } = parseArn(field, arn);
  if (region !== aws.region || partition !== aws.partition) {
    throw new InputError(
      field,
      arn,
      `must be a key of the bucket's region, aws:region ${aws.region} (partition ${aws.partition}): S3 uses ` +
        "a KMS key only in the bucket's own region",
    );
  }
}

/** Parses and validates account-b's config. */
export function parseAccountBConfig(settings: StackSettings, organization: string): AccountBConfig {
  // `grants` selects grants mode, which parseAccountBGrantsConfig (accountBGrantsConfig.ts) reads.
  refuseGrantsModeConfig(settings, "parseAccountBGrantsConfig");
  checkKnownKeys(settings, PROJECT, "the account-b program", ACCOUNT_B_KEYS, {
    name: "account-a",
    keys: ACCOUNT_A_KEYS,
  });
  const { get } = settings;
  const mechanism = parseMechanism(settings);
  // The mechanism's config layer: what it refuses and checks beyond the shared rules.
  const layer = STACK_CONFIG_LAYERS[mechanism].accountB;
  layer.refuseKeys(settings);
  const conditionTest = (optionalString(get, "conditionTest") ??
    "StringEquals") as AccountBConfig["conditionTest"];
  if (conditionTest !== "StringEquals" && conditionTest !== "StringLike") {
    throw new InputError(key("conditionTest"), conditionTest, 'must be "StringEquals" or "StringLike"');
  }
  const rawServiceAccounts = get("serviceAccounts");
  if (rawServiceAccounts === undefined) {
    throw notSet(
      key("serviceAccounts"),
      "it lists the service accounts the role trusts, e.g. [{namespace: irsa-demo, name: s3-reader}]",
    );
  }
  if (Array.isArray(rawServiceAccounts)) {
    rawServiceAccounts.forEach((entry: unknown, i) => {
      if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return; // the subject check says why
      const field = `${key("serviceAccounts")}[${i}]`;
      onlyKeys(field, entry as Record<string, unknown>, ["namespace", "name"]);
      layer.checkServiceAccount(field, entry as Record<string, unknown>);
    });
    layer.checkServiceAccounts(rawServiceAccounts);
  }
  const trustWholeNamespaces = optionalBoolean(get, "trustWholeNamespaces", false);
  serviceAccountSubjects(key("serviceAccounts"), rawServiceAccounts, conditionTest, trustWholeNamespaces);
  const serviceAccounts = (rawServiceAccounts as ServiceAccountRef[]).map((sa) => ({
    namespace: sa.namespace,
    name: sa.name,
  }));

  const bucket = object(key("bucket"), get("bucket"));
  onlyKeys(key("bucket"), bucket, [
    "name",
    "create",
    "objectKey",
    "objectContent",
    "kmsKeyArn",
    "forceDestroy",
  ]);
  const create = bucket.create === undefined ? true : bucket.create;
  if (typeof create !== "boolean")
    throw new InputError(key("bucket.create"), create, "must be true or false");
  if (!create && bucket.name === undefined) {
    throw notSet(key("bucket.name"), "it must name the existing bucket when bucket.create is false");
  }
  const forceDestroy = bucket.forceDestroy ?? false;
  if (typeof forceDestroy !== "boolean") {
    throw new InputError(key("bucket.forceDestroy"), forceDestroy, "must be true or false");
  }
  const objectContent = bucket.objectContent ?? DEFAULT_OBJECT_CONTENT;
  if (typeof objectContent !== "string") {
    throw new InputError(key("bucket.objectContent"), objectContent, "must be a string");
  }
  const access = (optionalString(get, "access") ?? "read") as S3AccessLevel;
  if (!["read", "read-write", "list"].includes(access)) {
    throw new InputError(key("access"), access, 'must be one of "read", "read-write", "list"');
  }
  const rawPrefixes = get("prefixes");
  if (Array.isArray(rawPrefixes)) {
    if (rawPrefixes.length === 0) {
      throw new InputError(
        key("prefixes"),
        rawPrefixes,
        "must list at least one prefix: leave prefixes out to grant the whole bucket",
      );
    }
    rawPrefixes.forEach((p: unknown, i) => refuseControlCharacters(`${key("prefixes")}[${i}]`, p));
  }
  const prefixes = normalizePrefixes(rawPrefixes, key("prefixes"));
  refuseControlCharacters(key("bucket.objectKey"), bucket.objectKey);
  const objectKey = validateObjectKey(
    key("bucket.objectKey"),
    bucket.objectKey ?? (prefixes.length > 0 ? `${prefixes[0]}irsa-check.txt` : "irsa-check.txt"),
  );
  if (prefixes.length > 0 && !prefixes.some((p) => objectKey.startsWith(p))) {
    throw new InputError(
      key("bucket.objectKey"),
      objectKey,
      `must be under one of the granted prefixes ${JSON.stringify(prefixes)}, or the access check cannot read it`,
    );
  }
  if (access === "list" && bucket.objectKey !== undefined) {
    throw new InputError(
      key("access"),
      access,
      '"list" cannot read bucket.objectKey; use "read" for the access check',
    );
  }
  const roleName = optionalString(get, "roleName");
  const aws = parseAwsSettings(settings);
  layer.checkSettings(settings, aws);
  // The keys only another mechanism reads, refused by name (each mechanism's config layer names its own).
  refuseOtherMechanismKeys("account-b", mechanism, get);
  const kmsKeyArn =
    bucket.kmsKeyArn !== undefined ? validateKmsKeyArn(key("bucket.kmsKeyArn"), bucket.kmsKeyArn) : undefined;
  if (kmsKeyArn !== undefined) checkKmsKeyRegion(kmsKeyArn, aws);
  const own = layer.parse(settings, aws);
  return {
    aws,
    mechanism,
    accountAStack: qualifyStackName(
      key("accountAStack"),
      optionalString(get, "accountAStack") ?? "account-a",
      organization,
    ),
    serviceAccounts,
    conditionTest,
    trustWholeNamespaces,
    bucket: {
      ...(bucket.name !== undefined ? { name: validateBucketName(key("bucket.name"), bucket.name) } : {}),
      create,
      objectKey,
      objectContent,
      ...(kmsKeyArn !== undefined ? { kmsKeyArn } : {}),
      forceDestroy,
    },
    access,
    prefixes,
    ...(roleName ? { roleName: validateRoleName(key("roleName"), roleName) } : {}),
    ...own,
    maxSessionDuration: optionalInteger(settings, "maxSessionDuration", 3600, 3600, 43200),
    maxTrustPolicySize: optionalInteger(
      settings,
      "maxTrustPolicySize",
      DEFAULT_TRUST_POLICY_MAX_SIZE,
      DEFAULT_TRUST_POLICY_MAX_SIZE,
      MAX_TRUST_POLICY_QUOTA,
    ),
  };
}
