/**
 * What every mechanism's check of account-b's trust policy shares (each mechanism's own check is its
 * stack config layer's `accountB.trust`, in `mechanisms/<name>/config.ts`): account-a's facts it
 * takes, and the errors of the component functions restated with the config keys the user wrote.
 * Pure.
 */
import { InputError, PolicySizeError } from "../components/errors";
import { trustPolicySizeProblem } from "../components/trustPolicy";
import { key } from "./configSource";
import type { AccountBConfig } from "./accountBConfig";
import type { MechanismAccountAFacts } from "../mechanisms/stackConfigRegistry";

/**
 * What account-b's trust check reads from account-a: each mechanism's own facts (its stack config
 * layer's, `MechanismConfigParts` in mechanisms/stackConfigRegistry.ts).
 */
export type AccountAFacts = MechanismAccountAFacts;

/** An error of a component function restated with the config key its field came from. */
export function restated(error: unknown, from: string, to: string): unknown {
  if (!(error instanceof InputError) || error instanceof PolicySizeError) return error;
  if (error.field !== from && !error.field.startsWith(`${from}.`) && !error.field.startsWith(`${from}[`)) {
    return error;
  }
  return new InputError(`${to}${error.field.slice(from.length)}`, error.value, error.rule);
}

/**
 * The restated size error of a trust policy, naming the config keys; `waysOut` says how to get under
 * the limit in the words of the mechanism (given the words that raise the limit).
 */
export function trustSizeError(
  config: AccountBConfig,
  error: PolicySizeError,
  lowerBound: boolean,
  waysOut: (raise: string) => string,
): PolicySizeError {
  const count = new Set(config.serviceAccounts.map((sa) => `${sa.namespace}:${sa.name}`)).size;
  const problem = trustPolicySizeProblem(count, error.size, error.limit).replace(
    " is ",
    lowerBound ? " is at least " : " is ",
  );
  return new PolicySizeError(
    key("serviceAccounts"),
    `${count} service accounts`,
    error.size,
    error.limit,
    `${key("serviceAccounts")}: ${problem} (${key("maxTrustPolicySize")}). ` +
      waysOut(`set ${key("maxTrustPolicySize")} to it`),
  );
}
