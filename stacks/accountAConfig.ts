/**
 * Parsing and validation of account-a's configuration (see config.ts). Pure.
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

import {
  ACCOUNT_A_KEYS,
  ACCOUNT_B_KEYS,
  parseMechanism,
  qualifyStackName,
  refusePodIdentityRegion,
  type Mechanism,
} from "./configShared";

/** account-a's configuration. */
export interface AccountAConfig {
  aws: AwsSettings;
  /** `mechanism`: must equal account-b's. */
  mechanism: Mechanism;
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
    /**
     * Pod Identity: whether this stack installs the eks-pod-identity-agent add-on (default: when it
     * creates the cluster; an adopted cluster must have it already, unless this says so).
     */
    podIdentityAgent?: boolean;
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
    "podIdentityAgent",
  ]);
  const mechanism = parseMechanism(settings);
  if (cluster.podIdentityAgent !== undefined) {
    if (typeof cluster.podIdentityAgent !== "boolean") {
      throw new IrsaInputError(
        key("cluster.podIdentityAgent"),
        cluster.podIdentityAgent,
        "must be true or false",
      );
    }
    if (mechanism !== "pod-identity") {
      throw new IrsaInputError(
        key("cluster.podIdentityAgent"),
        cluster.podIdentityAgent,
        'is read only with cross-account-irsa:mechanism "pod-identity" (this stack uses "irsa")',
      );
    }
  }
  if (cluster.existingName !== undefined) {
    validateEksClusterName(key("cluster.existingName"), cluster.existingName);
    const creationKeys = Object.keys(cluster).filter((k) => k !== "existingName" && k !== "podIdentityAgent");
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
    podIdentityAgent: cluster.podIdentityAgent,
  };
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
  if (mechanism === "pod-identity") refusePodIdentityRegion(aws);
  return {
    aws,
    mechanism,
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
