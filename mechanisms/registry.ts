/**
 * The registry: the one place that maps each mechanism's name to its module. A mechanism missing
 * here is a compile error (the table is a mapped type over `Mechanism`); front ends find everything
 * that differs between mechanisms from here, or from an exhaustive switch ending in `assertNever`.
 *
 * Loads the chain layer only (pure): each module's doctor collector is an `import()` made when the
 * doctor runs.
 */
import { type Mechanism } from "../components/mechanism";
import { type LinkDefinition, type LinkId } from "../chain/catalogueBase";
import { type ChainCheckResult } from "../chain/result";
import { type ChainSnapshot } from "../chain/snapshot";
import { IRSA } from "./irsa/module";
import { POD_IDENTITY } from "./pod-identity/module";
import { IRSA_CHAINED } from "./irsa-chained/module";
import { type MechanismModule } from "./types";

/** Every mechanism's module, by name. */
export const REGISTRY: { readonly [M in Mechanism]: MechanismModule<M> } = {
  irsa: IRSA,
  "pod-identity": POD_IDENTITY,
  "irsa-chained": IRSA_CHAINED,
};

/** The module of a mechanism. */
export function mechanismModule<M extends Mechanism>(mechanism: M): MechanismModule<M> {
  return REGISTRY[mechanism];
}

/**
 * Checks every link of the snapshot's chain with its mechanism's checks; each result carries the
 * mechanism. Pure: the same snapshot gives the same results.
 */
export function checkChain(snapshot: ChainSnapshot): ChainCheckResult[] {
  const module = REGISTRY[snapshot.mechanism] as MechanismModule;
  // The mapped type pairs each name with the module of that name's snapshot type.
  return module.checkChain(snapshot as never).map((r) => ({ ...r, mechanism: snapshot.mechanism }));
}

/** The definition of a link of a mechanism's chain, by id. */
export function linkOf(id: LinkId, mechanism: Mechanism): LinkDefinition {
  const link = REGISTRY[mechanism].links.find((l) => l.id === id);
  if (!link) throw new Error(`no link ${id} in the ${mechanism} chain`);
  return link;
}
