/**
 * The facts the IRSA-chained link set checks (`irsa-chained`). A collector fills them from wherever
 * they are (the offline plan from the programs' recorded registrations, the doctor from AWS and the
 * cluster); the checks never know where a fact came from. Pure types.
 */
import { type ServiceAccountRef } from "../../components/trustPolicy";
import {
  type ChainWorkload,
  type PermissionLiveFacts,
  type RoleLiveFacts,
  type Unavailable,
} from "../../chain/snapshot";

/** A workload of the chain: its environment and the ConfigMaps it mounts (name and where). */
export interface ChainedWorkload extends ChainWorkload {
  /** The ConfigMap volumes of its first container's mounts: the ConfigMap's name and the mount path. */
  configMapMounts: Array<{ configMap: string; mountPath: string; readOnly: boolean }>;
  /** Its first container's `envFrom` sources (live pods; their variables are not read). */
  envFrom?: string[];
}

/** Facts only the doctor reads (the live chain); their presence selects the live words. */
export interface IrsaChainedLiveFacts extends PermissionLiveFacts {
  /** The cluster (EKS DescribeCluster in account A); AWS's error when it failed. */
  cluster: { name: string; region: string; accountId?: string; error?: string };
  /** AWS's error when account A's OIDC provider could not be read (other than NoSuchEntity). */
  providerError?: string;
  /** AWS's error when the source role (account A) could not be read. */
  sourceRoleError?: string;
  /** AWS's error when the target role (account B) could not be read. */
  roleError?: string;
}

/** The facts of the IRSA-chained chain. */
export interface IrsaChainedSnapshot {
  mechanism: "irsa-chained";
  /** account-a's cluster's OIDC issuer URL. */
  issuerUrl?: string;
  /** account-a's IAM OIDC provider for that issuer: ARN, stored URL, client ids, whether adopted. */
  provider?: { arn: string; url?: string; clientIds?: string[]; adopted: boolean };
  /** account-a's source role: its trust policy and permission policies (JSON, by name). */
  sourceRole?: {
    arn: string;
    trustPolicy?: string;
    permissionPolicies: Record<string, string>;
  } & RoleLiveFacts;
  /** account-b's target role and its trust policy (JSON). */
  role?: { arn: string; trustPolicy?: string } & RoleLiveFacts;
  /** The target role's permission policies (JSON), by name. */
  permissionPolicies: Record<string, string>;
  /** The service accounts account-b names for the grant (the source role must trust exactly these). */
  trusted: ServiceAccountRef[];
  bucketName?: string;
  objectKey?: string;
  /** The ServiceAccount account-a runs the workloads as, with its annotations. */
  serviceAccount?: { namespace: string; name: string; annotations: Record<string, string> };
  /** The ConfigMap holding the SDK config file (its name, namespace and `config` text). */
  profile?: { configMap: string; namespace: string; text?: string };
  workloads: ChainedWorkload[];
  deployProbe: boolean;
  /**
   * Facts not gathered, and why: `issuer` the cluster's issuer, `trust` the target role's trust,
   * `permission` its permissions; `sourceRole` the source role (account A's first update has not
   * run), `sourcePermission` its chain permission and `profile` the ConfigMap (account A's second
   * update's).
   */
  unavailable?: Unavailable & { sourceRole?: string; sourcePermission?: string; profile?: string };
  /** Facts read from the live chain (the doctor); absent in the plan. */
  live?: IrsaChainedLiveFacts;
}
