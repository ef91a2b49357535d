/**
 * Which mode a stack runs, and the check that both stacks run the same: grants mode
 * (`cross-account-irsa:grants`, a list of grants) or the single-grant keys ("single-grant mode").
 * A stack tells the other its mode through its outputs: in grants mode it exports `mode: "grants"`
 * (and `grants` once it has any); a single-grant stack exports neither. Pure.
 */
import { InputError } from "../components/errors";
import { key } from "./configSource";

/** A stack's mode. */
export type StackMode = "grants" | "single-grant";

/** The `mode` output of a stack in grants mode. */
export const GRANTS_MODE = "grants";

/** The outputs that tell a stack's mode (beside the outputs every deployed stack has). */
export const MODE_OUTPUTS = ["mode", "grants"] as const;

/**
 * The mode of the other stack (`stack`) from its outputs (`raw`), or undefined when it has none yet
 * (`deployed`: whether it exports what every deployed stack of its program does). An unknown `mode`
 * is refused, naming the output: never read as either mode.
 */
export function exportedMode(
  stack: string,
  raw: Record<string, unknown>,
  deployed: boolean,
): StackMode | undefined {
  if (raw.mode !== undefined) {
    if (raw.mode !== GRANTS_MODE) {
      throw new InputError(
        `${stack} output mode`,
        raw.mode,
        `must be "${GRANTS_MODE}" when exported (a stack of another version of cross-account-irsa?)`,
      );
    }
    return "grants";
  }
  if (raw.grants !== undefined) return "grants";
  return deployed ? "single-grant" : undefined;
}

/**
 * Both stacks must run one mode: `self` (its stack `selfStack`) runs `mine`, the other stack
 * (`otherStack`) `theirs`. A mismatch names both stacks and what to change.
 */
export function checkModesMatch(
  self: "account-a" | "account-b",
  selfStack: string,
  mine: StackMode,
  otherStack: string,
  theirs: StackMode,
): void {
  if (mine === theirs) return;
  const other = self === "account-a" ? "account-b" : "account-a";
  const grantsSide = mine === "grants" ? `${self} (${selfStack})` : `${other} (${otherStack})`;
  const singleSide = mine === "grants" ? `${other} (${otherStack})` : `${self} (${selfStack})`;
  throw new InputError(
    key("grants"),
    mine === "grants" ? "[set]" : undefined,
    `${grantsSide} runs in grants mode (${key("grants")}) but ${singleSide} in single-grant mode: both stacks ` +
      `must run the same mode. Set ${key("grants")} on ${singleSide} too (the same grant keys), or remove it from ` +
      `${grantsSide} and use the single-grant keys on both`,
    `${key("grants")}: ${grantsSide} runs in grants mode (${key("grants")}) but ${singleSide} in single-grant mode ` +
      `(${mine === "grants" ? `${other}'s outputs have no mode "grants"` : `${other} exports mode "grants"`}): both stacks ` +
      `must run the same mode. Set ${key("grants")} on ${singleSide} too (the same grant keys), or remove it from ` +
      `${grantsSide} and use the single-grant keys on both.`,
  );
}
