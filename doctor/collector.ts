/**
 * What a doctor's collector is: each mechanism's (mechanisms/<name>/doctor/collect.ts, found through
 * the registry) reads that mechanism's live chain into the snapshot `checkChain` checks with the
 * mechanism's link set. The registry loads collectors on demand, so the AWS SDK and the Kubernetes
 * client are not loaded for --help or a usage error. Types only: collectors import this file, this
 * file imports none of them.
 */
import { type ChainSnapshot } from "../chain";
import { type ChainInputs } from "./args";
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
