/**
 * What a mechanism is in the code: one module per mechanism (its folder under mechanisms/), listed in
 * registry.ts. A module holds what differs between mechanisms at the chain layer (its links, the
 * checks of its snapshot, its words) and a lazy loader of the doctor's collector, so that loading the
 * registry loads no AWS SDK or Kubernetes client (the doctor's libraries load when the doctor runs).
 *
 * Pure types.
 */
import { type Mechanism } from "../components/mechanism";
import { type LinkDefinition } from "../chain/catalogueBase";
import { type CheckResult } from "../chain/result";
import { type ChainSnapshot } from "../chain/snapshot";
import type { Collector } from "../doctor/collector";

/** The snapshot type of mechanism `M` (its member of the `ChainSnapshot` union). */
export type SnapshotOf<M extends Mechanism> = Extract<ChainSnapshot, { mechanism: M }>;

/** One mechanism: everything the front ends find from its name. */
export interface MechanismModule<M extends Mechanism = Mechanism> {
  /** Its name, as config and args take it. */
  readonly name: M;
  /** Its name in report words ("IRSA", "Pod Identity"). */
  readonly title: string;
  /** The links of its chain, in order (the permission link is last in each). */
  readonly links: readonly LinkDefinition[];
  /** Checks every link of a snapshot of this mechanism. Pure. */
  readonly checkChain: (snapshot: SnapshotOf<M>) => CheckResult[];
  /** The doctor's collector of the live chain, loaded on demand (it loads the AWS SDK and a Kubernetes client). */
  readonly doctorCollector: () => Promise<Collector>;
  /**
   * The doctor's flags this mechanism refuses: `assume`, why `--assume` is not available (undefined:
   * it is); `sourceRoleArn`, whether `--source-role-arn` names nothing in this chain.
   */
  readonly doctorRefuses: { readonly assume?: string; readonly sourceRoleArn: boolean };
}
