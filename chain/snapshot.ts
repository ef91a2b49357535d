/**
 * The facts the chain is checked on. A collector fills a snapshot from wherever the facts are (the
 * offline plan from the programs' recorded registrations, the account-a program from account-b's
 * outputs, the doctor from AWS and the cluster), then `checkChain` checks it: the checks never know
 * where a fact came from.
 */
import { type ServiceAccountRef } from "../components/trustPolicy";
import { type LinkId } from "./catalogueBase";
import { type IrsaChainedSnapshot } from "../mechanisms/irsa-chained/snapshot";

export { type IrsaChainedSnapshot };

/** A pod-running object (Deployment or Job) that uses the ServiceAccount. */
export interface ChainWorkload {
  kind: string;
  name: string;
  namespace?: string;
  serviceAccountName?: string;
  /** Environment of its first container (`S3_BUCKET`, `S3_OBJECT_KEY`, `EXPECTED_ROLE_ARN`, ...). */
  env: Record<string, string>;
}

/** Facts a collector could not gather, each with the reason: the checks that need them are skipped. */
export interface Unavailable {
  /** The cluster's issuer (for example: the cluster does not exist yet). */
  issuer?: string;
  /** The workloads (for example: they are registered after the checks). */
  workloads?: string;
  /** The OIDC provider and the role's trust policy. */
  trust?: string;
  /** The role's permission policies. */
  permission?: string;
  /** The Kubernetes side: the ServiceAccount, its annotations and the pods that use it (e.g. `--no-cluster`). */
  cluster?: string;
  /** The bucket's policy (e.g. the doctor's identity may not read it). */
  bucketPolicy?: string;
  /** Whether the object exists and how it is encrypted. */
  object?: string;
  /** The KMS key the object is encrypted with, and its key policy. */
  kmsKey?: string;
}

/**
 * What the doctor fetched from the cluster's issuer: its OIDC discovery document and its JWKS, or why
 * it could not. `noRoute`: no answer at all (DNS, connection, timeout), which says nothing about
 * the chain; otherwise the issuer answered, and what it answered is checked.
 */
export interface IssuerDiscovery {
  /** The discovery document's URL (`<issuer>/.well-known/openid-configuration`). */
  url: string;
  /** The document's `issuer` and `jwks_uri`, when it was fetched and is JSON. */
  document?: { issuer?: string; jwksUri?: string };
  /** Why the document could not be read. */
  error?: { message: string; noRoute: boolean };
  /** The key ids (`kid`) of the JWKS, when it was fetched and is a key set. */
  jwksKeyIds?: string[];
  /** Why the JWKS could not be read. */
  jwksError?: { message: string; noRoute: boolean };
  /**
   * The certificate chain the JWKS host presented: SHA-1 thumbprints (lower-case hex), the server's
   * first, and whether a publicly trusted root CA signed it.
   */
  certificates?: { thumbprints: string[]; publicRoot: boolean };
}

/** A token the Kubernetes TokenRequest API issued for the ServiceAccount (`--assume`), as the doctor read it. */
export interface TokenFacts {
  issuer?: string;
  subject?: string;
  audiences: string[];
  keyId?: string;
  /** Whether its signature verifies against the issuer's JWKS; undefined when the JWKS was not read. */
  signatureVerified?: boolean;
  /** Why it does not verify. */
  verifyError?: string;
}

/** A pod that runs as the ServiceAccount, with the literal environment of each container. */
export interface LivePod {
  name: string;
  /** Its uid (the `kubernetes-pod-uid` session tag of EKS Pod Identity). */
  uid?: string;
  createdAt?: string;
  /**
   * Each container's environment as its spec states it (a `valueFrom` variable with a marker value),
   * and its `envFrom` sources, whose variables are not read (`secretRef <name>`, ...).
   */
  containers: { name: string; env: Record<string, string>; envFrom?: string[] }[];
}

/** One step of the end-to-end test (`--assume`): token, STS, S3. */
export interface AssumeStep {
  step: "token" | "sts" | "s3";
  ok: boolean;
  /** What happened: the identity or bytes obtained, or the service's own error. */
  detail: string;
  /** For a failure: the link the error points to, and what it means (the doctor's diagnosis). */
  pointsTo?: LinkId;
  advice?: string;
}

/**
 * What a live collector reads of a role besides its documents: its unique id (GetRole's RoleId, the
 * start of aws:userid of its sessions) and its permissions boundary (GetRole's PermissionsBoundary,
 * the document by GetPolicy and GetPolicyVersion), or why the boundary could not be read.
 */
export interface RoleLiveFacts {
  id?: string;
  boundary?: { arn: string; policy?: string; error?: string };
}

/**
 * Facts of the permission side that only a live collector reads (any mechanism): the role's attached
 * managed policies, the bucket policy, the object and its KMS key.
 */
export interface PermissionLiveFacts {
  /** The role named (`--role-arn`: IRSA's role, Pod Identity's target role), also when it could not be read. */
  roleArn?: string;
  /** The role's attached managed policies (their default version's JSON), by policy ARN. */
  attachedPolicies?: Record<string, string>;
  /** The bucket policy's JSON; null when the bucket has none. */
  bucketPolicy?: string | null;
  /** Whether the object exists (`exists: false` also when the bucket does not), and its KMS key. */
  object?: { exists: boolean; detail: string; kmsKeyArn?: string };
  /** The KMS key that encrypts the object: AWS managed (`aws/s3`) or customer managed, and its key policy. */
  kmsKey?: { arn: string; awsManaged: boolean; policy?: string };
}

/**
 * Facts only a live collector (the doctor) gathers, from AWS and the cluster. Their presence also
 * selects the live words of the checks: the plan's words name the stacks' config, and a live chain
 * may not come from these stacks. Each check that needs one of them runs only when it is there, so
 * the offline plan's output does not change.
 */
export interface IrsaLiveFacts extends PermissionLiveFacts {
  /** The cluster the issuer was read from (EKS DescribeCluster in account A); AWS's error when it failed. */
  /** `unreadable`: the error is not "not found" (AccessDenied, throttling), so nothing is known of the cluster. */
  cluster: { name: string; region: string; accountId?: string; error?: string; unreadable?: boolean };
  /** The role's account (B). */
  roleAccountId: string;
  /** AWS's error when the role could not be read (NoSuchEntity: it does not exist). */
  roleError?: string;
  /** AWS's error when account B's provider could not be read (other than NoSuchEntity): link 2 undecided. */
  providerError?: string;
  /** When account B has no provider for the issuer: the one the cluster's account (A) has, the usual mistake. */
  providerInClusterAccount?: string;
  /** The issuer's discovery document and JWKS. */
  discovery?: IssuerDiscovery;
  /** The pods that run as the ServiceAccount. */
  pods?: LivePod[];
  /** The token from the TokenRequest API (`--assume`). */
  token?: TokenFacts;
  /** The end-to-end test's steps (`--assume`), in order, up to the first that failed. */
  assume?: AssumeStep[];
}

/** The facts of the IRSA chain. */
export interface IrsaSnapshot {
  mechanism: "irsa";
  /** account-a's cluster's OIDC issuer URL. */
  issuerUrl?: string;
  /**
   * account-b's IAM OIDC provider: its ARN, the URL it stores, its client ids, whether it was adopted,
   * and (read live) its thumbprints.
   */
  provider?: { arn: string; url?: string; clientIds?: string[]; adopted: boolean; thumbprints?: string[] };
  /** account-b's role and its trust policy (JSON, when known); live, its id and boundary. */
  role?: { arn: string; trustPolicy?: string } & RoleLiveFacts;
  /** The role's permission policies (JSON), by name. */
  permissionPolicies: Record<string, string>;
  /** The service accounts account-b means the role to trust. */
  trusted: ServiceAccountRef[];
  /** account-b's bucket, and the object the access check reads. */
  bucketName?: string;
  objectKey?: string;
  /** The ServiceAccount account-a runs the workloads as, with its annotations. */
  serviceAccount?: { namespace: string; name: string; annotations: Record<string, string> };
  /** The Deployments and Jobs that run as the ServiceAccount. */
  workloads: ChainWorkload[];
  /** Whether account-a deploys the reader and the access check (when false their absence is no failure). */
  deployProbe: boolean;
  /** Facts not gathered, and why. */
  unavailable?: Unavailable;
  /** Facts read from the live chain (the doctor); absent in the plan and the programs. */
  live?: IrsaLiveFacts;
}

/** A Pod Identity association, as planned or read. */
export interface PodIdentityAssociationFacts {
  namespace: string;
  serviceAccount: string;
  /** The source role (account A). */
  roleArn?: string;
  /** The target role (account B). */
  targetRoleArn?: string;
  /** Whether EKS passes no session tags (the target trust then cannot match). */
  disableSessionTags?: boolean;
  /** Its id (read live: what `aws eks update-pod-identity-association` takes). */
  associationId?: string;
  /** The external id EKS passes when it assumes the target role (`sts:ExternalId`), read live. */
  externalId?: string;
}

/**
 * Facts of the Pod Identity chain only a live collector (the doctor) gathers. Their presence selects
 * the live words of the checks and adds the checks only live facts allow (the cluster's and the
 * add-on's state, the pods' injected environment, the permission side's bucket policy, object and KMS
 * key); without them the results are the plan's, unchanged.
 */
export interface PodIdentityLiveFacts extends PermissionLiveFacts {
  /** The cluster (EKS DescribeCluster in account A); AWS's error when it failed. */
  /** `unreadable`: the error is not "not found" (AccessDenied, throttling), so nothing is known of the cluster. */
  cluster: {
    name: string;
    region: string;
    accountId?: string;
    error?: string;
    unreadable?: boolean;
    autoMode?: boolean;
  };
  /** The target role's account (B). */
  roleAccountId: string;
  /** The target role named (--role-arn), also when it could not be read. */
  targetRoleArn: string;
  /** The eks-pod-identity-agent add-on as DescribeAddon gives it (absent: not installed or not read). */
  addon?: { status?: string; version?: string; issues: string[] };
  /** AWS's answer when the cluster has no such add-on (ResourceNotFoundException). */
  addonMissing?: string;
  /** AWS's error when the add-on could not be read (other than ResourceNotFoundException). */
  addonError?: string;
  /**
   * Without the add-on: the agent run as a self-managed DaemonSet (kube-system/eks-pod-identity-agent),
   * as the Kubernetes API gives it (`found: false`: no such DaemonSet), or why it could not be read.
   */
  agentDaemonSet?: { found: boolean; desired?: number; ready?: number; image?: string } | { error: string };
  /** AWS's error when the associations could not be listed or described. */
  associationsError?: string;
  /** The source role the user named (--source-role-arn, or account-a's sourceRoleArn output). */
  expectedSourceRoleArn?: string;
  /** AWS's error when the source role (account A) could not be read. */
  sourceRoleError?: string;
  /** AWS's error when the target role (account B) could not be read. */
  roleError?: string;
  /** The pods that run as the ServiceAccount. */
  pods?: LivePod[];
}

/** The facts of the EKS Pod Identity cross-account chain. */
export interface PodIdentitySnapshot {
  mechanism: "pod-identity";
  /** account-a's cluster: its ARN (the `eks-cluster-arn` session tag) and name. */
  cluster?: { arn: string; name?: string };
  /**
   * The eks-pod-identity-agent add-on: `installed` when this stack installs it (or it was read),
   * undefined when an adopted cluster's add-ons are not known.
   */
  agent: { installed?: boolean; adopted: boolean };
  /** The source role in account A, its trust policy and its permission policies (JSON, by name). */
  sourceRole?: {
    arn: string;
    trustPolicy?: string;
    permissionPolicies: Record<string, string>;
  } & RoleLiveFacts;
  /** The target role in account B (the role the pod runs as) and its trust policy; live, its id and boundary. */
  role?: { arn: string; trustPolicy?: string } & RoleLiveFacts;
  /** The target role's permission policies (JSON), by name. */
  permissionPolicies: Record<string, string>;
  /** The associations of the cluster. */
  associations: PodIdentityAssociationFacts[];
  /** The service accounts account-b means the target role to trust. */
  trusted: ServiceAccountRef[];
  bucketName?: string;
  objectKey?: string;
  /** The ServiceAccount account-a runs the workloads as, with its annotations. */
  serviceAccount?: { namespace: string; name: string; annotations: Record<string, string> };
  workloads: ChainWorkload[];
  deployProbe: boolean;
  /**
   * Facts not gathered, and why: `issuer` stands for the cluster (its ARN), `trust` for the target
   * role's trust, `permission` for its permissions; `associations` and `sourcePermission` for the
   * second account-a update's resources; `sourceRole` (live) for a source role that could not be read.
   */
  unavailable?: Unavailable & { associations?: string; sourcePermission?: string; sourceRole?: string };
  /** Facts read from the live chain (the doctor); absent in the plan and the programs. */
  live?: PodIdentityLiveFacts;
}

/** What the chain is checked on (one snapshot type per mechanism). */
export type ChainSnapshot = IrsaSnapshot | PodIdentitySnapshot | IrsaChainedSnapshot;
