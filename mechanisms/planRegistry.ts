/**
 * The plan layers: each mechanism's plan parts by name (a mapped type over `Mechanism`, so a
 * mechanism missing here is a compile error), and the two dispatches plan/ makes through them.
 * Loads the plan side (plan/records.ts, plan/matrix.ts): the doctor never imports it.
 */
import { type Mechanism } from "../components/mechanism";
import { type ChainSnapshot } from "../chain";
import { type StackPass } from "../plan/passes";
import { type PlanConfigs } from "../plan/planInput";
import { IRSA_PLAN } from "./irsa/planLayer";
import { POD_IDENTITY_PLAN } from "./pod-identity/planLayer";
import { IRSA_CHAINED_PLAN } from "./irsa-chained/planLayer";
import { type PlanLayer, type PlannedAccountB, type PlannedMatrix } from "./planLayer";

/**
 * Every mechanism's plan layer, by name.
 *
 * @internal exported for the tests only
 */
export const PLAN_LAYERS: { readonly [M in Mechanism]: PlanLayer<M> } = {
  irsa: IRSA_PLAN,
  "pod-identity": POD_IDENTITY_PLAN,
  "irsa-chained": IRSA_CHAINED_PLAN,
};

/** The plan layer of a mechanism. */
export function planLayer<M extends Mechanism>(mechanism: M): PlanLayer<M> {
  return PLAN_LAYERS[mechanism];
}

/** The chain's facts as the configured mechanism's planned collector reads them from the runs. */
export function collectSnapshot(passes: StackPass[], configs: PlanConfigs): ChainSnapshot {
  return planLayer(configs.b.mechanism).collect(passes, configs);
}

/** The access matrix of the snapshot's mechanism. */
export function planMatrix(snapshot: ChainSnapshot, planned: PlannedAccountB): PlannedMatrix {
  // The mapped type pairs each name with the layer of that name's snapshot type.
  const layer = PLAN_LAYERS[snapshot.mechanism] as PlanLayer;
  return layer.matrix(snapshot, planned);
}
