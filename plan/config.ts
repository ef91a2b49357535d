/**
 * The plan's input: both stacks' config files, validated exactly as the programs will validate them
 * (stacks/config.ts), before anything runs.
 */
import {
  configGetters,
  parseAccountAConfig,
  parseAccountBConfig,
  type AccountAConfig,
  type AccountBConfig,
  type StackSettings,
} from "../stacks/config";
import { type StackConfig } from "../stacks/stackFile";
import { errorMessage } from "../engine/errors";

/** The organization the plan runs the stacks in (a self-managed backend's). */
export const PLAN_ORGANIZATION = "organization";

/** The two stacks of the project. */
export type StackName = "account-a" | "account-b";

/** The validated configuration of both stacks. */
export interface PlanConfigs {
  a: AccountAConfig;
  b: AccountBConfig;
}

/** The settings of a parsed stack config file, with the programs' semantics (JSON parsed). */
export function stackConfigGetters(config: StackConfig): StackSettings {
  return configGetters(config.config, config.secretKeys);
}

/** A stack config that fails validation; `cause` is the IrsaInputError naming field, value and rule. */
export class PlanConfigError extends Error {
  constructor(
    public readonly stackName: StackName,
    public readonly cause: unknown,
  ) {
    super(`${stackName}: ${errorMessage(cause)}`);
    this.name = "PlanConfigError";
  }
}

/**
 * Validates both stack configs exactly as the programs will (stacks/config.ts), before anything runs.
 * Throws a {@link PlanConfigError} naming the stack, wrapping the IrsaInputError.
 */
export function parsePlanConfigs(
  configA: StackConfig,
  configB: StackConfig,
  organization = PLAN_ORGANIZATION,
): PlanConfigs {
  const parse = <T>(
    stack: StackName,
    config: StackConfig,
    parser: typeof parseAccountAConfig | typeof parseAccountBConfig,
  ) => {
    try {
      return parser(stackConfigGetters(config), organization) as T;
    } catch (e) {
      throw new PlanConfigError(stack, e);
    }
  };
  return {
    a: parse<AccountAConfig>("account-a", configA, parseAccountAConfig),
    b: parse<AccountBConfig>("account-b", configB, parseAccountBConfig),
  };
}
