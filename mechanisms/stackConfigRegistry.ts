/**
 * Each mechanism's stack config layer (`mechanisms/<name>/config.ts`): its config keys, their
 * refusals and account-b's trust check, by name. A mechanism missing here is a compile error. The
 * two stack config parsers and account-b's document check call these; they never ask which
 * mechanism a stack uses.
 *
 * Pure: loads no Pulumi, AWS or Kubernetes package (the stacks' wiring is stackRegistry.ts).
 */
import { type Mechanism } from "../components/mechanism";
import { IRSA_STACK_CONFIG } from "./irsa/config";
import { POD_IDENTITY_STACK_CONFIG } from "./pod-identity/config";
import { IRSA_CHAINED_STACK_CONFIG } from "./irsa-chained/config";
import { type StackConfigLayer } from "./stackLayer";

/** Every mechanism's stack config layer, by name. */
export const STACK_CONFIG_LAYERS: { readonly [M in Mechanism]: StackConfigLayer } = {
  irsa: IRSA_STACK_CONFIG,
  "pod-identity": POD_IDENTITY_STACK_CONFIG,
  "irsa-chained": IRSA_CHAINED_STACK_CONFIG,
};
