/**
 * account-a's configuration in grants mode (`cross-account-irsa:grants` set): the cluster as in
 * single-grant mode, and one entry per grant of account-b it binds. Every single-grant per-grant key is refused
 * by name (it belongs in each grant); errors name `cross-account-irsa:grants[<i>].<field>` as the
 * user wrote it, the value and the rule. Pure.
 */
import { checkMechanisms } from "../components/bucketAccess";
import { checkBindingMechanisms } from "../components/credentialPath";
import { InputError } from "../components/errors";
import { MECHANISMS, Mechanism } from "../components/mechanism";
import { type ServiceAccountRef } from "../components/trustPolicy";
import { validateNamespace, validateObjectName } from "../components/validation";
import { parseIrsaChainedAccountA } from "../mechanisms/irsa-chained/config";
import { STACK_CONFIG_LAYERS } from "../mechanisms/stackConfigRegistry";
import { parseClusterSettings, type SharedAccountAConfig } from "./accountAConfig";
import {
  kubeconfigCredentials,
  parseAwsSettings,
  type AwsSettings,
  type KubeconfigCredentials,
} from "./awsSettings";
import { ACCOUNT_A_KEYS, ACCOUNT_B_KEYS, CLUSTER_KEYS } from "./configKeys";
import { qualifyStackName } from "./configShared";
import {
  PROJECT,
  checkKnownKeys,
  refuseEmptyGrants,
  refuseSecretGrants,
  key,
  object,
  onlyKeys,
  optionalString,
  type StackSettings,
} from "./configSource";
import { validateGrantKey } from "./grantsMode";

/** The fields of an entry of account-a's `cross-account-irsa:grants`. */
export const ACCOUNT_A_GRANT_FIELDS = [
  "key",
  "mechanism",
  "serviceAccount",
  "createNamespace",
  "deployProbe",
] as const;

/**
 * The top-level keys of single-grant mode that are per grant: in grants mode each is an error naming the
 * grant field it moves to (`mechanism` -> `grants[<i>].mechanism`, ...).
 */
export const PER_GRANT_KEYS = ["mechanism", "serviceAccount", "createNamespace", "deployProbe"] as const;

/**
 * The mechanism-specific top-level keys that stay top level in grants mode: `existingOidcProviderArn`
 * (account A's IAM OIDC provider for the cluster's issuer, adopted by the stack's one
 * `cluster-oidc` for every grant listing `irsa-chained`: IAM allows one provider per issuer URL per
 * account). Every other mechanism-specific key is per grant, and refused.
 */
export const STACK_LEVEL_MECHANISM_KEYS: readonly string[] = ["existingOidcProviderArn"];

/** One entry of account-a's `cross-account-irsa:grants`: which grant of account-b it binds, and how. */
export interface AccountAGrantConfig {
  /** The grant's key in account-b's `grants` (the binding's resource name; never changes). */
  key: string;
  /** The paths the binding sets up, in the order of `MECHANISMS`. */
  mechanisms: Mechanism[];
  /** The ServiceAccount; undefined: the grant's only one. */
  serviceAccount?: ServiceAccountRef;
  /** Whether the stack creates the ServiceAccount's namespace; undefined: as `decideCreateNamespace`. */
  createNamespace?: boolean;
  /** Deploy the probe (needs the grant's `probe`); undefined: unset (the default, true). */
  deployProbe?: boolean;
}

/** account-a's configuration in grants mode. */
export interface AccountAGrantsConfig {
  aws: AwsSettings;
  /** Fully qualified name of account-b's stack. */
  accountBStack: string;
  cluster: SharedAccountAConfig["cluster"];
  /** `cluster.podIdentityAgent` (only with a grant listing `pod-identity`); undefined: unset. */
  podIdentityAgent?: boolean;
  /** `existingOidcProviderArn` (only with a grant listing `irsa-chained`); undefined: created. */
  existingOidcProviderArn?: string;
  kubeconfig: KubeconfigCredentials;
  /** The grants, in config order. */
  grants: AccountAGrantConfig[];
}

/** `cross-account-irsa:grants[<i>]` and a field of it, as the user wrote them. */
export const grantField = (i: number, field?: string): string =>
  key(`grants[${i}]${field === undefined ? "" : `.${field}`}`);

/**
 * Refuses each single-grant per-grant key set beside `cross-account-irsa:grants`, and every
 * mechanism-specific top-level key but {@link STACK_LEVEL_MECHANISM_KEYS}, by name.
 */
function refuseSingleGrantKeys(settings: StackSettings): void {
  const mechanismKeys = MECHANISMS.flatMap((m) => STACK_CONFIG_LAYERS[m].accountA.keys).filter(
    (k) => !STACK_LEVEL_MECHANISM_KEYS.includes(k),
  );
  for (const k of [...PER_GRANT_KEYS, ...mechanismKeys]) {
    const value = settings.get(k);
    if (value === undefined) continue;
    const shown = settings.isSecret(PROJECT, k) ? "[secret]" : value;
    const where = (PER_GRANT_KEYS as readonly string[]).includes(k)
      ? `move it into each grant (cross-account-irsa:grants[<i>].${k})`
      : k === "sourceRoleName"
        ? "the chained source role's name is each grant's chainedSourceRoleName on account-b, and the binding creates it under that name"
        : "it is not read in grants mode";
    throw new InputError(
      key(k),
      shown,
      `is per grant with cross-account-irsa:grants (this stack is in grants mode): ${where}`,
    );
  }
}

/** One entry of `cross-account-irsa:grants`, checked. */
function parseGrant(i: number, value: unknown): AccountAGrantConfig {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(
      grantField(i),
      value,
      `must be an object { ${ACCOUNT_A_GRANT_FIELDS.join(", ")} } (key and mechanism required)`,
    );
  }
  const o = value as Record<string, unknown>;
  onlyKeys(grantField(i), o, [...ACCOUNT_A_GRANT_FIELDS]);
  if (o.key === undefined)
    throw new InputError(grantField(i, "key"), undefined, "is required: a key of account-b's grants");
  const grantKey = validateGrantKey(grantField(i, "key"), o.key);
  if (o.mechanism === undefined || o.mechanism === null) {
    throw new InputError(
      grantField(i, "mechanism"),
      o.mechanism,
      `is required: one mechanism or a list of them (${MECHANISMS.join(", ")})`,
    );
  }
  const mechanisms = checkBindingMechanisms(
    grantField(i, "mechanism"),
    checkMechanisms(grantField(i, "mechanism"), o.mechanism),
  );
  const grant: AccountAGrantConfig = { key: grantKey, mechanisms };
  if (o.serviceAccount !== undefined) {
    const field = grantField(i, "serviceAccount");
    const sa = object(field, o.serviceAccount);
    onlyKeys(field, sa, ["namespace", "name"]);
    grant.serviceAccount = {
      namespace: validateNamespace(`${field}.namespace`, sa.namespace),
      name: validateObjectName(`${field}.name`, sa.name),
    };
  }
  for (const flag of ["createNamespace", "deployProbe"] as const) {
    if (o[flag] === undefined) continue;
    if (typeof o[flag] !== "boolean")
      throw new InputError(grantField(i, flag), o[flag], "must be true or false");
    grant[flag] = o[flag];
  }
  return grant;
}

/**
 * Why a ServiceAccount is bound by one entry only, in the words of the entries' mechanisms: IRSA and
 * irsa-chained annotate it `eks.amazonaws.com/role-arn` with one role; EKS Pod Identity maps one role
 * to it ("You can associate one IAM role to each Kubernetes service account in each cluster",
 * https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html#pod-id-considerations), so a
 * second binding's association for it would be refused by EKS once the first one's exists.
 */
export function oneBindingPerServiceAccount(mechanisms: readonly Mechanism[]): string {
  const reasons = [
    ...(mechanisms.some((m) => m !== Mechanism.PodIdentity)
      ? ["its one eks.amazonaws.com/role-arn annotation names one role"]
      : []),
    ...(mechanisms.includes(Mechanism.PodIdentity)
      ? ["EKS Pod Identity associates one IAM role with each ServiceAccount of a cluster"]
      : []),
  ];
  return `a ServiceAccount is bound once (${reasons.join("; ")}); give each grant its own ServiceAccount`;
}

/**
 * `cross-account-irsa:grants`: a non-empty list of entries, each key once, each configured
 * ServiceAccount bound once ({@link oneBindingPerServiceAccount}).
 */
function parseGrants(value: unknown): AccountAGrantConfig[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InputError(
      key("grants"),
      value,
      "must be a non-empty list of grants, each { key, mechanism, serviceAccount?, createNamespace?, deployProbe? }",
    );
  }
  const grants = value.map((g, i) => parseGrant(i, g));
  grants.forEach((g, i) => {
    const earlier = grants.findIndex((o) => o.key === g.key);
    if (earlier !== i) {
      throw new InputError(
        grantField(i, "key"),
        g.key,
        `is grants[${earlier}].key too: each grant of account-b is bound once (one binding per key)`,
      );
    }
    const sa = g.serviceAccount;
    const other = grants.findIndex(
      (o) => o.serviceAccount?.namespace === sa?.namespace && o.serviceAccount?.name === sa?.name,
    );
    if (sa !== undefined && other !== i) {
      throw new InputError(
        grantField(i, "serviceAccount"),
        sa,
        `is grants[${other}].serviceAccount too: ` +
          oneBindingPerServiceAccount([...grants[other].mechanisms, ...g.mechanisms]),
      );
    }
  });
  return grants;
}

/**
 * The fields of the `cluster` object each mechanism owns (Pod Identity's `podIdentityAgent`), and
 * the stack-level mechanism keys: each is read only when a grant lists its mechanism, refused
 * otherwise (it would be ignored).
 */
function refuseUnusedMechanismSettings(
  settings: StackSettings,
  cluster: Record<string, unknown>,
  grants: readonly AccountAGrantConfig[],
): void {
  const listed = (m: Mechanism) => grants.some((g) => g.mechanisms.includes(m));
  for (const m of MECHANISMS) {
    if (listed(m)) continue;
    const layer = STACK_CONFIG_LAYERS[m].accountA;
    const unused: Array<[string, unknown]> = [
      ...layer.clusterKeys.map((k): [string, unknown] => [`cluster.${k}`, cluster[k]]),
      ...layer.keys
        .filter((k) => STACK_LEVEL_MECHANISM_KEYS.includes(k))
        .map((k): [string, unknown] => [k, settings.get(k)]),
    ];
    for (const [k, value] of unused) {
      if (value === undefined) continue;
      throw new InputError(
        key(k),
        value,
        `is read in grants mode only when a grant lists mechanism "${m}", and none of cross-account-irsa:grants does`,
      );
    }
  }
}

/**
 * EKS Pod Identity is not offered in the China Regions ("Pod Identity is not available in China
 * Regions. Use IAM roles for service accounts.",
 * https://docs.amazonaws.cn/en_us/eks/latest/userguide/pod-identities.html): a grant listing it is
 * refused there.
 */
function refusePodIdentityRegion(aws: AwsSettings, grants: readonly AccountAGrantConfig[]): void {
  if (aws.partition !== "aws-cn") return;
  const i = grants.findIndex((g) => g.mechanisms.includes(Mechanism.PodIdentity));
  if (i < 0) return;
  throw new InputError(
    grantField(i, "mechanism"),
    grants[i].mechanisms,
    `cannot list "pod-identity" in aws:region ${aws.region}: EKS Pod Identity is not available in the China Regions ` +
      '(docs.amazonaws.cn, EKS User Guide, "EKS Pod Identities"); use "irsa"',
  );
}

/** Parses and validates account-a's config in grants mode (grantsMode.ts's `isGrantsMode`). */
export function parseAccountAGrantsConfig(
  settings: StackSettings,
  organization: string,
): AccountAGrantsConfig {
  checkKnownKeys(settings, PROJECT, "the account-a program", ACCOUNT_A_KEYS, {
    name: "account-b",
    keys: ACCOUNT_B_KEYS,
  });
  refuseEmptyGrants(settings);
  refuseSingleGrantKeys(settings);
  refuseSecretGrants(settings);
  const { get } = settings;
  const clusterObject = object(key("cluster"), get("cluster"));
  onlyKeys(key("cluster"), clusterObject, [...CLUSTER_KEYS]);
  const grants = parseGrants(get("grants"));
  refuseUnusedMechanismSettings(settings, clusterObject, grants);
  const ownClusterKeys = MECHANISMS.flatMap((m) => STACK_CONFIG_LAYERS[m].accountA.clusterKeys);
  const cluster = parseClusterSettings(clusterObject, ownClusterKeys);
  const agent = clusterObject.podIdentityAgent;
  if (agent !== undefined && typeof agent !== "boolean") {
    throw new InputError(key("cluster.podIdentityAgent"), agent, "must be true or false");
  }
  const aws = parseAwsSettings(settings);
  refusePodIdentityRegion(aws, grants);
  // The same checks as single-grant irsa-chained's: account A's provider, in the stack's partition.
  const { existingOidcProviderArn } = parseIrsaChainedAccountA(get, aws);
  return {
    aws,
    accountBStack: qualifyStackName(
      key("accountBStack"),
      optionalString(get, "accountBStack") ?? "account-b",
      organization,
    ),
    cluster,
    ...(agent !== undefined ? { podIdentityAgent: agent } : {}),
    ...(existingOidcProviderArn !== undefined ? { existingOidcProviderArn } : {}),
    kubeconfig: kubeconfigCredentials(aws),
    grants,
  };
}
