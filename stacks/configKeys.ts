/**
 * The keys each program reads: the shared ones (configShared.ts) and every mechanism's own (its
 * stack config layer's `keys` and `clusterKeys`, mechanisms/stackConfigRegistry.ts). A key neither
 * names is unknown (refused by `checkKnownKeys`); a key only another mechanism than the stack's reads
 * is refused by name ({@link refuseOtherMechanismKeys}). Pure.
 */
import { InputError } from "../components/errors";
import { MECHANISMS, type Mechanism } from "../components/mechanism";
import { STACK_CONFIG_LAYERS } from "../mechanisms/stackConfigRegistry";
import { type StackConfigLayer } from "../mechanisms/stackLayer";
import { key, type ConfigGetter } from "./configSource";
import { ACCOUNT_A_SHARED_KEYS, ACCOUNT_B_SHARED_KEYS, CLUSTER_SHARED_KEYS } from "./configShared";

type Program = "account-a" | "account-b";

/** A mechanism's own keys of one program: top-level, and (account-a) the `cluster` object's. */
function ownKeys(layer: StackConfigLayer, program: Program, cluster: boolean): readonly string[] {
  if (program === "account-b") return cluster ? [] : layer.accountB.keys;
  return cluster ? layer.accountA.clusterKeys : layer.accountA.keys;
}

/** The shared keys, then every mechanism's own (in registry order), each once. */
function compose(shared: readonly string[], program: Program, cluster: boolean): string[] {
  const all = [...shared];
  for (const m of MECHANISMS) {
    for (const k of ownKeys(STACK_CONFIG_LAYERS[m], program, cluster)) if (!all.includes(k)) all.push(k);
  }
  return all;
}

/** The keys of the project's namespace account-a reads, sorted: the shared ones and every mechanism's. */
export const ACCOUNT_A_KEYS: readonly string[] = compose(ACCOUNT_A_SHARED_KEYS, "account-a", false).sort();
/** The keys of the project's namespace account-b reads, sorted: the shared ones and every mechanism's. */
export const ACCOUNT_B_KEYS: readonly string[] = compose(ACCOUNT_B_SHARED_KEYS, "account-b", false).sort();
/** The fields of account-a's `cluster` object: the shared ones, then every mechanism's. */
export const CLUSTER_KEYS: readonly string[] = compose(CLUSTER_SHARED_KEYS, "account-a", true);

/**
 * Refuses, by name, each key set on `program`'s stack that only mechanisms other than the stack's
 * own read (`cluster` is account-a's parsed `cross-account-irsa:cluster` object). A key the stack's
 * mechanism or every program reads is left to them.
 */
export function refuseOtherMechanismKeys(
  program: Program,
  mechanism: Mechanism,
  get: ConfigGetter,
  cluster: Record<string, unknown> = {},
): void {
  for (const inCluster of [false, true]) {
    const shared: readonly string[] =
      program === "account-b"
        ? ACCOUNT_B_SHARED_KEYS
        : inCluster
          ? CLUSTER_SHARED_KEYS
          : ACCOUNT_A_SHARED_KEYS;
    const mine = ownKeys(STACK_CONFIG_LAYERS[mechanism], program, inCluster);
    for (const other of MECHANISMS) {
      for (const k of ownKeys(STACK_CONFIG_LAYERS[other], program, inCluster)) {
        if (mine.includes(k) || shared.includes(k)) continue;
        const value = inCluster ? cluster[k] : get(k);
        if (value === undefined) continue;
        const owners = MECHANISMS.filter((m) =>
          ownKeys(STACK_CONFIG_LAYERS[m], program, inCluster).includes(k),
        );
        throw new InputError(
          key(inCluster ? `cluster.${k}` : k),
          value,
          `is read on ${program} only with cross-account-irsa:mechanism ${owners.map((m) => `"${m}"`).join(" or ")} ` +
            `(this stack uses "${mechanism}")`,
        );
      }
    }
  }
}
