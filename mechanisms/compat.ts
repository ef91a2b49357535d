/**
 * The mechanism a deployed stack runs, read from its outputs. Pure.
 *
 * Compatibility rule, in this one place: stacks from before EKS Pod Identity (0.1.x) exported no
 * `mechanism` output and ran IRSA, so a deployed stack without that output is IRSA. account-a (of
 * account-b's outputs), account-b (of account-a's), `verify` and the doctor all read the other
 * stack's mechanism through here.
 */
import { IrsaInputError } from "../components/errors";
import { Mechanism, isMechanism, mechanismRule } from "../components/mechanism";

/** The mechanism of stacks that predate the `mechanism` output. */
export const PRE_MECHANISM_OUTPUT: Mechanism = Mechanism.Irsa;

/**
 * A stack's mechanism from its `mechanism` output as exported (`undefined`: not exported, a pre-0.2.0
 * stack: {@link PRE_MECHANISM_OUTPUT}). Throws an `IrsaInputError` naming `field` when the output is
 * no mechanism this version knows (a newer stack's, or a typo): never a silent fallback.
 */
export function exportedMechanism(field: string, value: unknown): Mechanism {
  if (value === undefined) return PRE_MECHANISM_OUTPUT;
  if (!isMechanism(value)) throw new IrsaInputError(field, value, mechanismRule());
  return value;
}
