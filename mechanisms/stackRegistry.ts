/**
 * Each mechanism's wiring in the two stack programs (`mechanisms/<name>/accountA.ts` and
 * `accountB.ts`), by name. A mechanism missing here is a compile error. stacks/accountA.ts and
 * stacks/accountB.ts look the stack's mechanism up here and call it; they never ask which mechanism
 * it is.
 *
 * Loads the components that register Pulumi resources: the registry of the chain layer
 * (registry.ts) and of the config keys (stackConfigRegistry.ts) do not import this file.
 */
import { type Mechanism } from "../components/mechanism";
import { IRSA_ACCOUNT_A } from "./irsa/accountA";
import { IRSA_ACCOUNT_B } from "./irsa/accountB";
import { POD_IDENTITY_ACCOUNT_A } from "./pod-identity/accountA";
import { POD_IDENTITY_ACCOUNT_B } from "./pod-identity/accountB";
import { IRSA_CHAINED_ACCOUNT_A } from "./irsa-chained/accountA";
import { IRSA_CHAINED_ACCOUNT_B } from "./irsa-chained/accountB";
import { type StackLayer } from "./stackLayer";

/** Every mechanism's stack layer, by name. */
export const STACK_LAYERS: { readonly [M in Mechanism]: StackLayer } = {
  irsa: { accountA: IRSA_ACCOUNT_A, accountB: IRSA_ACCOUNT_B },
  "pod-identity": { accountA: POD_IDENTITY_ACCOUNT_A, accountB: POD_IDENTITY_ACCOUNT_B },
  "irsa-chained": { accountA: IRSA_CHAINED_ACCOUNT_A, accountB: IRSA_CHAINED_ACCOUNT_B },
};
