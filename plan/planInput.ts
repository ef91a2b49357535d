/**
 * What the plan runs on: the organization its stacks run in, the two stack names and their validated
 * configuration. Types and one constant, below everything else in plan/ (the mechanisms' plan parts
 * import them without loading plan/config.ts, which dispatches through the mechanisms).
 */
import { type AccountAConfig, type AccountBConfig } from "../stacks/config";

/** The organization the plan runs the stacks in (a self-managed backend's). */
export const PLAN_ORGANIZATION = "organization";

/** The two stacks of the project. */
export type StackName = "account-a" | "account-b";

/** The validated configuration of both stacks. */
export interface PlanConfigs {
  a: AccountAConfig;
  b: AccountBConfig;
}
