/**
 * Pure parsing and validation of the two stacks' configuration. The programs, the offline plan and
 * the tests all go through these functions, so a bad value fails the same way everywhere: with the
 * config key (`cross-account-irsa:<key>`), the value and the rule, before any resource is registered.
 */
import { IrsaInputError } from "../components/errors";
import {
  kubeconfigCredentials,
  parseAwsSettings,
  type AwsSettings,
  type KubeconfigCredentials,
} from "./awsSettings";
import {
  PROJECT,
  checkKnownKeys,
  key,
  object,
  onlyKeys,
  optionalBoolean,
  optionalInteger,
  optionalString,
  type StackSettings,
} from "./configSource";
import { normalizePrefixes, type S3AccessLevel } from "../components/s3AccessPolicy";
import {
  DEFAULT_TRUST_POLICY_MAX_SIZE,
  MAX_TRUST_POLICY_QUOTA,
  serviceAccountSubjects,
  type ServiceAccountRef,
} from "../components/trustPolicy";
import {
  requireArray,
  validateBucketName,
  validateEc2Id,
  validateEksClusterName,
  validateInstanceType,
  validateKubernetesVersion,
  validateInteger,
  validateKmsKeyArn,
  validateNamespace,
  validateObjectKey,
  validateObjectName,
  parseOidcProviderArn,
  validateRoleName,
} from "../components/validation";

/** account-b's configuration. */
export interface AccountBConfig {
  aws: AwsSettings;
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
  existingOidcProviderArn?: string;
  maxSessionDuration: number;
  /** The trust policy size limit (`maxTrustPolicySize`): IAM's quota, 2048 unless raised. */
  maxTrustPolicySize: number;
}

/** account-a's configuration. */
export interface AccountAConfig {
  aws: AwsSettings;
  /** Fully qualified name of account-b's stack. */
  accountBStack: string;
  cluster: {
    existingName?: string;
    version?: string;
    instanceType?: string;
    desiredCapacity?: number;
    minSize?: number;
    maxSize?: number;
    vpcId?: string;
    publicSubnetIds?: string[];
    privateSubnetIds?: string[];
  };
  /** Optional cross-check: the service account account-a expects account-b to trust. */
  serviceAccount?: ServiceAccountRef;
  /** Deploy the reader Deployment and the access-check Job. */
  deployProbe: boolean;
  /** Create the service account's namespace. */
  createNamespace: boolean;
  /** How the cluster's kubeconfig authenticates: as the stack's AWS provider does. */
  kubeconfig: KubeconfigCredentials;
}

/**
 * The fully qualified name `<organization>/<project>/<stack>` of the other stack: works on Pulumi
 * Cloud and on self-managed backends (where the organization is `organization`).
 */
export function qualifyStackName(
  field: string,
  value: string,
  organization: string,
  project = PROJECT,
): string {
  const parts = value.split("/");
  const segment = /^[A-Za-z0-9_.-]+$/;
  if (parts.length > 3 || parts.some((p) => !segment.test(p))) {
    throw new IrsaInputError(
      field,
      value,
      "must be a stack name: <stack>, <project>/<stack> or <organization>/<project>/<stack>, each of letters, digits, '_', '.', '-'",
    );
  }
  if (parts.length === 3) return value;
  if (parts.length === 2) return `${organization}/${value}`;
  return `${organization}/${project}/${value}`;
}

/** The keys of the project's namespace each program reads (`program` picks the program). */
export const ACCOUNT_A_KEYS = [
  "accountBStack",
  "cluster",
  "createNamespace",
  "deployProbe",
  "program",
  "serviceAccount",
] as const;
export const ACCOUNT_B_KEYS = [
  "access",
  "accountAStack",
  "bucket",
  "conditionTest",
  "existingOidcProviderArn",
  "maxSessionDuration",
  "maxTrustPolicySize",
  "prefixes",
  "program",
  "roleName",
  "serviceAccounts",
  "trustWholeNamespaces",
] as const;

/**
 * An adopted provider must be in account B's partition and, when the stack pins its accounts, in
 * one of them: the role trusts the provider by ARN, and a provider elsewhere is not account B's.
 */
function checkProviderAccount(field: string, arn: string, aws: AwsSettings): void {
  const { partition, accountId } = parseOidcProviderArn(field, arn);
  if (partition !== aws.partition) {
    throw new IrsaInputError(
      field,
      arn,
      `must be in the partition of aws:region ${aws.region} ("${aws.partition}")`,
    );
  }
  if (aws.allowedAccountIds !== undefined && !aws.allowedAccountIds.includes(accountId)) {
    throw new IrsaInputError(
      field,
      arn,
      `must be in account B (aws:allowedAccountIds ${JSON.stringify(aws.allowedAccountIds)}): the role trusts ` +
        "the provider of its own account",
    );
  }
}

/** Parses and validates account-b's config. */
export function parseAccountBConfig(settings: StackSettings, organization: string): AccountBConfig {
  checkKnownKeys(settings, PROJECT, "the account-b program", ACCOUNT_B_KEYS, {
    name: "account-a",
    keys: ACCOUNT_A_KEYS,
  });
  const { get } = settings;
  const conditionTest = (optionalString(get, "conditionTest") ??
    "StringEquals") as AccountBConfig["conditionTest"];
  if (conditionTest !== "StringEquals" && conditionTest !== "StringLike") {
    throw new IrsaInputError(key("conditionTest"), conditionTest, 'must be "StringEquals" or "StringLike"');
  }
  const rawServiceAccounts = get("serviceAccounts");
  if (rawServiceAccounts === undefined) {
    throw new IrsaInputError(
      key("serviceAccounts"),
      undefined,
      "must list the service accounts the role trusts, e.g. [{namespace: irsa-demo, name: s3-reader}]",
    );
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
    throw new IrsaInputError(key("bucket.create"), create, "must be true or false");
  if (!create && bucket.name === undefined) {
    throw new IrsaInputError(
      key("bucket.name"),
      undefined,
      "must name the existing bucket when bucket.create is false",
    );
  }
  const forceDestroy = bucket.forceDestroy ?? false;
  if (typeof forceDestroy !== "boolean") {
    throw new IrsaInputError(key("bucket.forceDestroy"), forceDestroy, "must be true or false");
  }
  const objectContent = bucket.objectContent ?? "cross-account-irsa: this object was read through IRSA\n";
  if (typeof objectContent !== "string") {
    throw new IrsaInputError(key("bucket.objectContent"), objectContent, "must be a string");
  }
  const access = (optionalString(get, "access") ?? "read") as S3AccessLevel;
  if (!["read", "read-write", "list"].includes(access)) {
    throw new IrsaInputError(key("access"), access, 'must be one of "read", "read-write", "list"');
  }
  const prefixes = normalizePrefixes(get("prefixes"), key("prefixes"));
  const objectKey = validateObjectKey(
    key("bucket.objectKey"),
    bucket.objectKey ?? (prefixes.length > 0 ? `${prefixes[0]}irsa-check.txt` : "irsa-check.txt"),
  );
  if (prefixes.length > 0 && !prefixes.some((p) => objectKey.startsWith(p))) {
    throw new IrsaInputError(
      key("bucket.objectKey"),
      objectKey,
      `must be under one of the granted prefixes ${JSON.stringify(prefixes)}, or the access check cannot read it`,
    );
  }
  if (access === "list" && bucket.objectKey !== undefined) {
    throw new IrsaInputError(
      key("access"),
      access,
      '"list" cannot read bucket.objectKey; use "read" for the access check',
    );
  }
  const roleName = optionalString(get, "roleName");
  const existingOidcProviderArn = optionalString(get, "existingOidcProviderArn");
  const aws = parseAwsSettings(settings);
  if (existingOidcProviderArn !== undefined) {
    checkProviderAccount(key("existingOidcProviderArn"), existingOidcProviderArn, aws);
  }
  return {
    aws,
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
      ...(bucket.kmsKeyArn !== undefined
        ? { kmsKeyArn: validateKmsKeyArn(key("bucket.kmsKeyArn"), bucket.kmsKeyArn) }
        : {}),
      forceDestroy,
    },
    access,
    prefixes,
    ...(roleName ? { roleName: validateRoleName(key("roleName"), roleName) } : {}),
    ...(existingOidcProviderArn ? { existingOidcProviderArn } : {}),
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

/** Parses and validates account-a's config. */
export function parseAccountAConfig(settings: StackSettings, organization: string): AccountAConfig {
  checkKnownKeys(settings, PROJECT, "the account-a program", ACCOUNT_A_KEYS, {
    name: "account-b",
    keys: ACCOUNT_B_KEYS,
  });
  const { get } = settings;
  const cluster = object(key("cluster"), get("cluster"));
  onlyKeys(key("cluster"), cluster, [
    "existingName",
    "version",
    "instanceType",
    "desiredCapacity",
    "minSize",
    "maxSize",
    "vpcId",
    "publicSubnetIds",
    "privateSubnetIds",
  ]);
  if (cluster.existingName !== undefined) {
    validateEksClusterName(key("cluster.existingName"), cluster.existingName);
    const creationKeys = Object.keys(cluster).filter((k) => k !== "existingName");
    if (creationKeys.length > 0) {
      throw new IrsaInputError(
        key(`cluster.${creationKeys[0]}`),
        cluster[creationKeys[0]],
        "cannot be combined with cluster.existingName: an adopted cluster is not changed",
      );
    }
  }
  // The same validators WorkloadCluster applies, so a bad value fails here naming the config key.
  const optional = <T>(name: string, check: (field: string, value: unknown) => T): T | undefined =>
    cluster[name] === undefined ? undefined : check(key(`cluster.${name}`), cluster[name]);
  const subnets = (name: string) =>
    optional(name, (field, value) =>
      requireArray(field, value).map((id, i) => validateEc2Id(`${field}[${i}]`, id, "subnet")),
    );
  const size = (name: string) => optional(name, (field, value) => validateInteger(field, value, 0, 1000));
  const clusterConfig: AccountAConfig["cluster"] = {
    existingName: cluster.existingName as string | undefined,
    version: optional("version", validateKubernetesVersion),
    instanceType: optional("instanceType", validateInstanceType),
    desiredCapacity: size("desiredCapacity"),
    minSize: size("minSize"),
    maxSize: size("maxSize"),
    vpcId: optional("vpcId", (field, value) => validateEc2Id(field, value, "vpc")),
    publicSubnetIds: subnets("publicSubnetIds"),
    privateSubnetIds: subnets("privateSubnetIds"),
  };
  let serviceAccount: ServiceAccountRef | undefined;
  const sa = get("serviceAccount");
  if (sa !== undefined && sa !== null) {
    const o = object(key("serviceAccount"), sa);
    serviceAccount = {
      namespace: validateNamespace(key("serviceAccount.namespace"), o.namespace),
      name: validateObjectName(key("serviceAccount.name"), o.name),
    };
  }
  const aws = parseAwsSettings(settings);
  return {
    aws,
    accountBStack: qualifyStackName(
      key("accountBStack"),
      optionalString(get, "accountBStack") ?? "account-b",
      organization,
    ),
    cluster: Object.fromEntries(Object.entries(clusterConfig).filter(([, v]) => v !== undefined)),
    ...(serviceAccount ? { serviceAccount } : {}),
    deployProbe: optionalBoolean(get, "deployProbe", true),
    createNamespace: optionalBoolean(get, "createNamespace", true),
    kubeconfig: kubeconfigCredentials(aws),
  };
}

export { kubeconfigCredentials, parseAwsSettings, type AwsSettings, type KubeconfigCredentials };
export { PROJECT, configGetters, type ConfigGetter, type StackSettings } from "./configSource";
