/**
 * Each mechanism's stack config layer (`mechanisms/<name>/config.ts`): its config keys, their
 * checks and refusals, its own part of each parsed config, and account-b's trust check, by name. A
 * mechanism missing here is a compile error. The two stack config parsers and account-b's document
 * check call these; they never ask which mechanism a stack uses.
 *
 * Pure: loads no Pulumi, AWS or Kubernetes package (the stacks' wiring is stackRegistry.ts).
 */
import { type Mechanism } from "../components/mechanism";
import {
  IRSA_STACK_CONFIG,
  type IrsaAccountAFacts,
  type IrsaAccountBOutputs,
  type IrsaAccountBSettings,
} from "./irsa/config";
import {
  POD_IDENTITY_STACK_CONFIG,
  type PodIdentityAccountAFacts,
  type PodIdentityAccountASettings,
  type PodIdentityAccountBOutputs,
} from "./pod-identity/config";
import {
  IRSA_CHAINED_STACK_CONFIG,
  type IrsaChainedAccountAFacts,
  type IrsaChainedAccountASettings,
  type IrsaChainedAccountBOutputs,
} from "./irsa-chained/config";
import { type StackConfigLayer } from "./stackLayer";

/** A mechanism without settings of its own on one stack. */
type NoSettings = Record<never, never>;

/**
 * Each mechanism's own part of account-a's and account-b's parsed config, of account-b's outputs as
 * account-a reads them, and of account-a's facts account-b's trust check reads (`aFacts`).
 */
export interface MechanismConfigParts {
  irsa: {
    accountA: NoSettings;
    accountB: IrsaAccountBSettings;
    bOutputs: IrsaAccountBOutputs;
    aFacts: IrsaAccountAFacts;
  };
  "pod-identity": {
    accountA: PodIdentityAccountASettings;
    accountB: NoSettings;
    bOutputs: PodIdentityAccountBOutputs;
    aFacts: PodIdentityAccountAFacts;
  };
  "irsa-chained": {
    accountA: IrsaChainedAccountASettings;
    accountB: NoSettings;
    bOutputs: IrsaChainedAccountBOutputs;
    aFacts: IrsaChainedAccountAFacts;
  };
}

/** The intersection of a union's members. */
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every mechanism's part of account-a's config, together (each field set only with its mechanism). */
export type MechanismAccountAConfig = Intersection<MechanismConfigParts[Mechanism]["accountA"]>;
/** Every mechanism's part of account-b's config, together (likewise). */
export type MechanismAccountBConfig = Intersection<MechanismConfigParts[Mechanism]["accountB"]>;
/** Every mechanism's part of account-b's outputs as account-a reads them, together (likewise). */
export type MechanismAccountBOutputs = Intersection<MechanismConfigParts[Mechanism]["bOutputs"]>;
/** Every mechanism's facts of account-a account-b's trust check reads, together (likewise). */
export type MechanismAccountAFacts = Intersection<MechanismConfigParts[Mechanism]["aFacts"]>;

/** Every mechanism's stack config layer, by name. */
export const STACK_CONFIG_LAYERS: {
  readonly [M in Mechanism]: StackConfigLayer<
    MechanismConfigParts[M]["accountA"],
    MechanismConfigParts[M]["accountB"],
    MechanismConfigParts[M]["bOutputs"]
  >;
} = {
  irsa: IRSA_STACK_CONFIG,
  "pod-identity": POD_IDENTITY_STACK_CONFIG,
  "irsa-chained": IRSA_CHAINED_STACK_CONFIG,
};
