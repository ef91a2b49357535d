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
import { PROJECT } from "../stacks/configSource";
import { partitionMismatch, selectProgramName } from "../stacks/configShared";
import { InputError } from "../components/errors";
import { errorMessage } from "../engine/errors";
import { planLayer } from "../mechanisms/planRegistry";
import { PLAN_ORGANIZATION, type PlanConfigs, type StackName } from "./planInput";

export { PLAN_ORGANIZATION, type PlanConfigs, type StackName } from "./planInput";

/** The settings of a parsed stack config file, with the programs' semantics (JSON parsed). */
export function stackConfigGetters(config: StackConfig): StackSettings {
  return configGetters(config.config, config.secretKeys);
}

/** A stack config that fails validation; `cause` is the InputError naming field, value and rule. */
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
 * Throws a {@link PlanConfigError} naming the stack, wrapping the InputError.
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
  checkProgram("account-a", configA);
  checkProgram("account-b", configB);
  const configs = {
    a: parse<AccountAConfig>("account-a", configA, parseAccountAConfig),
    b: parse<AccountBConfig>("account-b", configB, parseAccountBConfig),
  };
  if (planLayer(configs.b.mechanism).checksPartitions) {
    const mismatch = partitionMismatch({ ...configs.a.aws, from: "aws:region is" }, configs.b.aws);
    if (mismatch) throw new PlanConfigError("account-b", mismatch);
  }
  return configs;
}

/**
 * The program a stack file makes its stack run, read exactly as stacks/index.ts reads it
 * (`cross-account-irsa:program` as `Config.get` returns it, else the stack name): the plan runs the
 * file given as account-a's config as the account-a program, so a file that would run the other one
 * is refused rather than planned as something it is not.
 */
function checkProgram(stack: StackName, config: StackConfig): void {
  const configured = config.config[`${PROJECT}:program`];
  try {
    const program = selectProgramName(stack, configured);
    if (program !== stack) {
      throw new InputError(
        `${PROJECT}:program`,
        configured,
        `makes the stack run the ${program} program, but this file is given as ${stack}'s config ` +
          `(--config-${stack.slice(-1)}): the plan would run a program the real stack does not`,
      );
    }
  } catch (e) {
    throw new PlanConfigError(stack, e);
  }
}
