/**
 * Each mechanism's wiring in account-a's stack program (`mechanisms/<name>/accountA.ts`), by name
 * (account-b's single grant: stacks/accountBSingleGrant.ts). A mechanism missing here is a compile
 * error. stacks/accountA.ts looks the stack's mechanism up here and calls it; it never asks which
 * mechanism it is.
 *
 * Loads the components that register Pulumi resources: the registry of the chain layer
 * (registry.ts) and of the config keys (stackConfigRegistry.ts) do not import this file.
 */
import { type Mechanism } from "../components/mechanism";
import { IRSA_ACCOUNT_A } from "./irsa/accountA";
import { POD_IDENTITY_ACCOUNT_A } from "./pod-identity/accountA";
import { IRSA_CHAINED_ACCOUNT_A } from "./irsa-chained/accountA";
import { type StackLayer } from "./stackLayer";

/** Every mechanism's stack layer, by name. */
export const STACK_LAYERS: { readonly [M in Mechanism]: StackLayer } = {
  irsa: { accountA: IRSA_ACCOUNT_A },
  "pod-identity": { accountA: POD_IDENTITY_ACCOUNT_A },
  "irsa-chained": { accountA: IRSA_CHAINED_ACCOUNT_A },
};
