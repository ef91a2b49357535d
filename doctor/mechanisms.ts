/**
 * The doctor's collectors, one per mechanism: each reads that mechanism's live chain into the
 * snapshot `checkChain` checks with the mechanism's link set. IRSA's is irsa/collect.ts; EKS Pod
 * Identity's (agent add-on, association with targetRoleArn, source role, target trust, permission)
 * is podIdentity/collect.ts. Loaded on demand, so the AWS SDK and the Kubernetes client are not
 * loaded for --help or a usage error.
 */
import { type ChainSnapshot } from "../chain";
import { type ChainInputs, type Mechanism } from "./args";
import { type AccountClients, type Recorder } from "./aws";
import { type KubeApi } from "./kube";
import { type HttpsOptions } from "./oidc";

/** Everything a collector reads with: the chain's names, both accounts' clients, the cluster's API. */
export interface CollectorContext {
  chain: ChainInputs;
  /** The cluster's region (resolved). */
  clusterRegion: string;
  /** The bucket's region (resolved). */
  bucketRegion: string;
  /** Clients of the cluster's account (A) and the role's (IRSA) or target role's (Pod Identity) account (B). */
  a: AccountClients;
  b: AccountClients;
  accounts: { a: string; b: string };
  /** The cluster's API; undefined with --no-cluster. */
  kube?: KubeApi;
  https: HttpsOptions;
  /** Run the end-to-end test (the only write calls). */
  assume: boolean;
  env: Record<string, string | undefined>;
  record: Recorder;
}

/** Reads one mechanism's live chain. */
export type Collector = (context: CollectorContext) => Promise<ChainSnapshot>;

/** The collector of each mechanism. */
export const COLLECTORS: Record<Mechanism, () => Promise<Collector>> = {
  irsa: async () => (await import("./irsa/collect")).collectIrsa,
  "pod-identity": async () => (await import("./podIdentity/collect")).collectPodIdentity,
};
