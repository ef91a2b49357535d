/**
 * Which mode a stack runs, and the checks that both stacks run the same: grants mode
 * (`cross-account-irsa:grants`, a list of grants) or the single-grant keys (single-grant mode, still
 * supported). A stack tells the other its mode through its outputs: in grants mode it exports
 * `mode: "grants"` and `grants`; a single-grant stack exports neither. The grant key rule and the key
 * of account-a's cluster in each grant are here too: the stack programs, their config parsers, the
 * plan, the doctor and `npm run verify` all use these. Pure (no Pulumi import: the doctor loads it).
 */
import { InputError } from "../components/errors";
import { PROJECT, key, type StackSettings } from "./configSource";

/** A stack's mode. */
export type StackMode = "grants" | "single-grant";

/** The `mode` output of a stack in grants mode (both programs). */
export const GRANTS_MODE = "grants";

/** Whether a stack runs in grants mode, from its config: `cross-account-irsa:grants` is set (even empty: then refused). */
export function isGrantsMode(settings: StackSettings): boolean {
  // Set at all: an empty value (`grants:`, which Pulumi stores as "") is grants mode too, refused by
  // the grants parsers by name; read as unset it would quietly run the stack in single-grant mode.
  return settings.raw(PROJECT, "grants") !== undefined;
}

/**
 * The single-grant config parsers refuse a stack in grants mode (read by them, its grants would be
 * ignored), naming the parser that reads it (`grantsParser`).
 */
export function refuseGrantsModeConfig(settings: StackSettings, grantsParser: string): void {
  if (!isGrantsMode(settings)) return;
  throw new InputError(
    key("grants"),
    settings.isSecret(PROJECT, "grants") ? "[secret]" : settings.raw(PROJECT, "grants"),
    `selects grants mode: the stack's config is read by ${grantsParser} (one grant per entry), not the single-grant parser`,
  );
}

/** The outputs that tell a stack's mode (beside the outputs every deployed stack has). */
export const MODE_OUTPUTS = ["mode", "grants"] as const;

/**
 * The key account-b's grants give account-a's cluster in each grant's `clusters` (and so in its
 * handoff's `clusters[].key`): account-a's binding's `clusterKey` for irsa-chained.
 */
export const GRANT_CLUSTER_KEY = "cluster";

/** A grant key: 1 to 32 lower-case letters, digits or `-`, starting and ending with a letter or digit. */
const GRANT_KEY = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

/** The grant key rule, in words. */
export const GRANT_KEY_RULE =
  "must be 1 to 32 lower-case letters, digits or '-', starting and ending with a letter or digit";

/** Whether `value` is a grant key. */
export function isGrantKey(value: string): boolean {
  return GRANT_KEY.test(value);
}

/** A grant key as a stack's config writes it, checked (`field` names where it was written). */
export function validateGrantKey(field: string, value: unknown): string {
  if (typeof value !== "string" || !isGrantKey(value)) {
    throw new InputError(
      field,
      value,
      `${GRANT_KEY_RULE} (it names the grant's resources and never changes: a new key replaces them)`,
    );
  }
  return value;
}

/**
 * The mode of a stack (`stack`) from its outputs (`raw`, the values), or undefined when it has none
 * yet (`deployed`: whether it exports what every deployed stack of its program does). A `mode` other
 * than "grants", or a `grants` output without `mode`, is refused naming the output: never read as
 * either mode.
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
        `must be "${GRANTS_MODE}" when exported (not exported: a single-grant stack): this version knows no ` +
          "other mode (a stack of another version of cross-account-irsa?)",
      );
    }
    return "grants";
  }
  if (raw.grants !== undefined) {
    throw new InputError(
      `${stack} output grants`,
      raw.grants,
      `is exported without mode: "${GRANTS_MODE}": this version reads grants only from a stack in grants mode ` +
        "(a newer or an edited stack?); deploy it with this version",
    );
  }
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

/**
 * The other stack's mode from its outputs (`raw`; `deployed` as {@link exportedMode}), checked against
 * `mine` ({@link checkModesMatch}): its mode, or undefined when it has no outputs yet.
 */
export function checkOtherStackMode(
  self: "account-a" | "account-b",
  selfStack: string,
  mine: StackMode,
  otherStack: string,
  raw: Record<string, unknown>,
  deployed: boolean,
): StackMode | undefined {
  const theirs = exportedMode(otherStack, raw, deployed);
  if (theirs !== undefined) checkModesMatch(self, selfStack, mine, otherStack, theirs);
  return theirs;
}

/** Why two deployed stacks cannot be read together (the doctor, verify): one in grants mode, the other not. */
export class StackModeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackModeError";
  }
}

/**
 * The mode of a stack pair as a tool reading both sees it (`a`, `b`: their output values; no
 * outputs: not deployed yet): `grants` when either stack is in grants mode (the other then in grants
 * mode too, or not deployed yet), else `single-grant`. A stack in grants mode beside a deployed
 * single-grant stack is a {@link StackModeError} naming both stacks and what to change.
 */
export function pairMode(
  stacks: { a: string; b: string },
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): StackMode {
  const modes = {
    a: exportedMode(stacks.a, a, Object.keys(a).length > 0),
    b: exportedMode(stacks.b, b, Object.keys(b).length > 0),
  };
  if (modes.a !== "grants" && modes.b !== "grants") return "single-grant";
  for (const [side, other] of [
    ["a", "b"],
    ["b", "a"],
  ] as const) {
    if (modes[side] === "grants" && modes[other] === "single-grant") {
      // account-a in grants mode beside a single-grant account-b: the switch of a deployed pair to
      // grants mode, stopped after account-a's first update (it binds nothing: no pod has access).
      const switching =
        side === "a"
          ? ` (a switch to grants mode stopped after ${stacks.a}'s first update, which binds nothing: its pods ` +
            'have no access until the deploy ends; docs/migration.md, "Moving a deployed single-grant stack pair ' +
            'to grants mode")'
          : "";
      throw new StackModeError(
        `stack ${stacks[side]} is in grants mode (it exports mode: "${GRANTS_MODE}") but stack ${stacks[other]} is ` +
          `a single-grant stack (no mode output): set cross-account-irsa:grants in both stacks' config (or in ` +
          `neither) and deploy both (npm run deploy)${switching}`,
      );
    }
  }
  return "grants";
}
