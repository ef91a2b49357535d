/**
 * Which mode a pair of stack files runs (`cross-account-irsa:grants` set: grants mode), read before
 * either mode's parser loads; a pair in two modes is refused as the programs refuse it. Pure.
 */
import { type StackConfig } from "../stacks/stackFile";
import { PROJECT } from "../stacks/configSource";
import { checkModesMatch, isGrantsMode, type StackMode } from "../stacks/grantsMode";
import { PlanConfigError, stackConfigGetters } from "./config";
import { PLAN_ORGANIZATION } from "./planInput";

/** The mode a stack file runs its program in, as the program decides it (`isGrantsMode`). */
export function stackFileMode(config: StackConfig): StackMode {
  return isGrantsMode(stackConfigGetters(config)) ? "grants" : "single-grant";
}

/**
 * The mode both files run; a pair that runs two modes is refused as the programs refuse it (account-b
 * is judged first: it is the one whose grants account-a binds).
 */
export function planMode(
  configA: StackConfig,
  configB: StackConfig,
  organization = PLAN_ORGANIZATION,
): StackMode {
  const a = stackFileMode(configA);
  const b = stackFileMode(configB);
  try {
    checkModesMatch(
      "account-b",
      `${organization}/${PROJECT}/account-b`,
      b,
      `${organization}/${PROJECT}/account-a`,
      a,
    );
  } catch (e) {
    throw new PlanConfigError(b === "grants" ? "account-a" : "account-b", e);
  }
  return b;
}
