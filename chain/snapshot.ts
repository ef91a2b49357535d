/**
 * The facts the chain is checked on. A collector fills a snapshot from wherever the facts are (the
 * offline plan from the programs' recorded registrations, the account-a program from account-b's
 * outputs, the doctor from AWS and the cluster), then `checkChain` checks it: the checks never know
 * where a fact came from.
 */
import { type ServiceAccountRef } from "../components/trustPolicy";

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
}

/** The facts of the IRSA chain. */
export interface IrsaSnapshot {
  mechanism: "irsa";
  /** account-a's cluster's OIDC issuer URL. */
  issuerUrl?: string;
  /** account-b's IAM OIDC provider: its ARN, the URL it stores, its client ids, and whether it was adopted. */
  provider?: { arn: string; url?: string; clientIds?: string[]; adopted: boolean };
  /** account-b's role and its trust policy (JSON, when known). */
  role?: { arn: string; trustPolicy?: string };
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
}

/** What the chain is checked on (one snapshot type per mechanism). */
export type ChainSnapshot = IrsaSnapshot;
