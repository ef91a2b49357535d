/**
 * Parsing and validation of account-a's configuration (see config.ts). Pure.
 */
import { InputError } from "../components/errors";
import { type Mechanism } from "../components/mechanism";
import { STACK_CONFIG_LAYERS, type MechanismAccountAConfig } from "../mechanisms/stackConfigRegistry";
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
  optionalString,
  type StackSettings,
} from "./configSource";
import { type ServiceAccountRef } from "../components/trustPolicy";
import {
  requireArray,
  validateEc2Id,
  validateEksClusterName,
  validateInstanceType,
  validateKubernetesVersion,
  validateInteger,
  validateNamespace,
  validateObjectName,
} from "../components/validation";

import { ACCOUNT_A_KEYS, ACCOUNT_B_KEYS, CLUSTER_KEYS, refuseOtherMechanismKeys } from "./configKeys";
import { parseMechanism, qualifyStackName } from "./configShared";
import { refuseGrantsModeConfig } from "./grantsMode";

/**
 * account-a's configuration: what every mechanism reads, and each mechanism's own part (its stack
 * config layer's, `MechanismConfigParts` in mechanisms/stackConfigRegistry.ts; set only with it).
 */
export type AccountAConfig = SharedAccountAConfig & MechanismAccountAConfig;

/** What account-a's configuration holds whatever the mechanism. */
export interface SharedAccountAConfig {
  aws: AwsSettings;
  /** `mechanism`: must equal account-b's. */
  mechanism: Mechanism;
  /** Fully qualified name of account-b's stack. */
  accountBStack: string;
  cluster: {
    existingName?: string;
    /**
     * `1.<minor>`, passed to EKS as written: which versions EKS offers changes over time and
     * @pulumi/eks takes any string, so EKS refuses an unsupported one when the cluster is created.
     */
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
  /** Create the service account's namespace; undefined when unset (account-a's program decides). */
  createNamespace: boolean | undefined;
  /** How the cluster's kubeconfig authenticates: as the stack's AWS provider does. */
  kubeconfig: KubeconfigCredentials;
}

/** Parses and validates account-a's config. */
export function parseAccountAConfig(settings: StackSettings, organization: string): AccountAConfig {
  checkKnownKeys(settings, PROJECT, "the account-a program", ACCOUNT_A_KEYS, {
    name: "account-b",
    keys: ACCOUNT_B_KEYS,
  });
  const { get } = settings;
  // Grants mode is parseAccountAGrantsConfig's (stacks/accountAGrantsConfig.ts).
  refuseGrantsModeConfig(settings, "parseAccountAGrantsConfig");
  const cluster = object(key("cluster"), get("cluster"));
  onlyKeys(key("cluster"), cluster, [...CLUSTER_KEYS]);
  const mechanism = parseMechanism(settings);
  // The keys only another mechanism reads, refused by name (each mechanism's config layer names its own).
  refuseOtherMechanismKeys("account-a", mechanism, get, cluster);
  const layer = STACK_CONFIG_LAYERS[mechanism].accountA;
  const clusterConfig = parseClusterSettings(cluster, layer.clusterKeys);
  let serviceAccount: ServiceAccountRef | undefined;
  const sa = get("serviceAccount");
  if (sa !== undefined && sa !== null) {
    const o = object(key("serviceAccount"), sa);
    onlyKeys(key("serviceAccount"), o, ["namespace", "name"]);
    serviceAccount = {
      namespace: validateNamespace(key("serviceAccount.namespace"), o.namespace),
      name: validateObjectName(key("serviceAccount.name"), o.name),
    };
  }
  const aws = parseAwsSettings(settings);
  return {
    ...layer.parse(get, aws, cluster),
    aws,
    mechanism,
    accountBStack: qualifyStackName(
      key("accountBStack"),
      optionalString(get, "accountBStack") ?? "account-b",
      organization,
    ),
    cluster: clusterConfig,
    ...(serviceAccount ? { serviceAccount } : {}),
    deployProbe: optionalBoolean(get, "deployProbe", true),
    // Unset stays unset: account-a's program decides from the namespace and the cluster.
    createNamespace:
      (get("createNamespace") ?? undefined) === undefined
        ? undefined
        : optionalBoolean(get, "createNamespace", false),
    kubeconfig: kubeconfigCredentials(aws),
  };
}

/**
 * account-a's `cluster` object (`cluster`, its fields already checked against the known ones),
 * checked with the validators WorkloadCluster applies, naming the config key: an adopted cluster
 * (`existingName`) takes none of the creation fields, only the mechanisms' own (`ownKeys`, Pod
 * Identity's `podIdentityAgent`). Returns the fields that are set. Both modes read it (grants mode:
 * stacks/accountAGrantsConfig.ts).
 */
export function parseClusterSettings(
  cluster: Record<string, unknown>,
  ownKeys: readonly string[],
): SharedAccountAConfig["cluster"] {
  if (cluster.existingName !== undefined) {
    validateEksClusterName(key("cluster.existingName"), cluster.existingName);
    // The mechanisms' own fields (Pod Identity's agent) say what this stack adds to an adopted cluster.
    const creationKeys = Object.keys(cluster).filter((k) => k !== "existingName" && !ownKeys.includes(k));
    if (creationKeys.length > 0) {
      throw new InputError(
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
      requireArray(field, value, 1).map((id, i) => validateEc2Id(`${field}[${i}]`, id, "subnet")),
    );
  const size = (name: string, min = 0) =>
    optional(name, (field, value) => validateInteger(field, value, min, 1000));
  const clusterConfig: SharedAccountAConfig["cluster"] = {
    existingName: cluster.existingName as string | undefined,
    version: optional("version", validateKubernetesVersion),
    instanceType: optional("instanceType", validateInstanceType),
    desiredCapacity: size("desiredCapacity"),
    minSize: size("minSize"),
    maxSize: size("maxSize", 1),
    vpcId: optional("vpcId", (field, value) => validateEc2Id(field, value, "vpc")),
    publicSubnetIds: subnets("publicSubnetIds"),
    privateSubnetIds: subnets("privateSubnetIds"),
  };
  checkClusterCombinations(clusterConfig);
  return Object.fromEntries(Object.entries(clusterConfig).filter(([, v]) => v !== undefined));
}

/**
 * The node group sizes WorkloadCluster uses when one is not set (its `WORKLOAD_CLUSTER_DEFAULTS`,
 * kept out of this pure module because that file loads the EKS SDK; a test pins them equal).
 */
export const DEFAULT_NODE_SIZES = { minSize: 1, desiredCapacity: 2, maxSize: 3 } as const;

/**
 * The combinations WorkloadCluster checks, checked here first so the error names the config key
 * (`cross-account-irsa:cluster.minSize`), never the component's argument (`args.minSize`).
 */
function checkClusterCombinations(c: SharedAccountAConfig["cluster"]): void {
  if (c.existingName !== undefined) return;
  const min = c.minSize ?? DEFAULT_NODE_SIZES.minSize;
  const desired = c.desiredCapacity ?? DEFAULT_NODE_SIZES.desiredCapacity;
  const max = c.maxSize ?? DEFAULT_NODE_SIZES.maxSize;
  const shown = (name: string, value: number, set: boolean) =>
    set ? key(`cluster.${name}`) : `${key(`cluster.${name}`)} (default ${value})`;
  if (min > max) {
    throw new InputError(
      key("cluster.minSize"),
      min,
      `must not exceed ${shown("maxSize", max, c.maxSize !== undefined)}`,
    );
  }
  if (desired < min || desired > max) {
    throw new InputError(
      key("cluster.desiredCapacity"),
      desired,
      `must be from ${shown("minSize", min, c.minSize !== undefined)} to ` +
        `${shown("maxSize", max, c.maxSize !== undefined)}`,
    );
  }
  const hasSubnets = c.publicSubnetIds !== undefined || c.privateSubnetIds !== undefined;
  if (c.vpcId !== undefined && !hasSubnets) {
    throw new InputError(
      key("cluster.vpcId"),
      c.vpcId,
      "needs cluster.publicSubnetIds or cluster.privateSubnetIds: the cluster's subnets must be in the VPC given",
    );
  }
  if (c.vpcId === undefined && hasSubnets) {
    const name = c.privateSubnetIds !== undefined ? "privateSubnetIds" : "publicSubnetIds";
    throw new InputError(
      key(`cluster.${name}`),
      c[name],
      "needs cluster.vpcId: subnets are only used together with the VPC they belong to",
    );
  }
}
