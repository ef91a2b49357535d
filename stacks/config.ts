/**
 * Pure parsing and validation of the two stacks' configuration. The programs, the offline plan and
 * the tests all go through these functions, so a bad value fails the same way everywhere: with the
 * config key (`cross-account-irsa:<key>`), the value and the rule, before any resource is registered.
 */
export { ACCOUNT_A_KEYS, ACCOUNT_B_KEYS } from "./configKeys";
export { MECHANISMS, parseMechanism, qualifyStackName, type Mechanism } from "./configShared";
export { parseAccountBConfig, type AccountBConfig } from "./accountBConfig";
export {
  parseAccountBGrantsConfig,
  type AccountBGrant,
  type AccountBGrantsConfig,
} from "./accountBGrantsConfig";
export { parseAccountAConfig, type AccountAConfig } from "./accountAConfig";
export { parseAccountAGrantsConfig, type AccountAGrantsConfig } from "./accountAGrantsConfig";
export {
  kubeconfigCredentials,
  parseAwsSettings,
  type AwsSettings,
  type KubeconfigCredentials,
} from "./awsSettings";
export { PROJECT, configGetters, type ConfigGetter, type StackSettings } from "./configSource";
