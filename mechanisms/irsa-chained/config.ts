/**
 * IRSA-chained's config keys and their checks (`cross-account-irsa:mechanism: irsa-chained`). Pure.
 *
 * account-a reads two keys only this mechanism has (`accountA.keys`, refused by name under another
 * mechanism by the stack parser): `existingOidcProviderArn` (adopt account A's provider for the
 * cluster's issuer: IAM allows one per URL per account) and `sourceRoleName`.
 * account-b refuses what means nothing, or less safety than asked, with this mechanism: an OIDC
 * provider in B (there is none), name patterns (`conditionTest: StringLike`, `trustWholeNamespaces`:
 * the source role trusts exact service accounts), and `maxSessionDuration` above one hour (role
 * chaining caps the target role's sessions at one hour,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html).
 */
import { InputError, PolicySizeError } from "../../components/errors";
import {
  ROLE_CHAINING_MAX_SESSION_SECONDS,
  buildChainedTargetTrustPolicy,
} from "../../components/chainedPolicies";
import { type PolicyDocument } from "../../components/policyDocument";
import { parseOidcProviderArn, validateRoleName } from "../../components/validation";
import type { AccountBConfig, AwsSettings } from "../../stacks/config";
import { key, optionalInteger, optionalString, type ConfigGetter } from "../../stacks/configSource";
import { restated, trustSizeError, type AccountAFacts } from "../../stacks/trustCheck";
import { type StackConfigLayer } from "../stackLayer";

/** account-a's settings of this mechanism. */
export interface IrsaChainedAccountAConfig {
  /** Adopt account A's IAM OIDC provider for the cluster's issuer instead of creating one. */
  existingOidcProviderArn?: string;
  /** The source role's name; undefined: generated. */
  sourceRoleName?: string;
}

/** This mechanism's part of account-a's parsed config. */
export interface IrsaChainedAccountASettings {
  /** Set only with this mechanism. */
  irsaChained?: IrsaChainedAccountAConfig;
}

/** account-a's fact account-b's target trust names (its `sourceRoleArn` output; undefined: not known yet). */
export interface IrsaChainedAccountAFacts {
  sourceRoleArn?: string;
}

/** account-b's output of this mechanism account-a reads. */
export interface IrsaChainedAccountBOutputs {
  /** The source role account-b's target role trusts (account-a checks it is its own). */
  sourceRoleArn?: string;
}

/**
 * account-a's keys of this mechanism, checked: the provider must be account A's, in the stack's
 * partition (STS looks it up in the source role's account), account A being among the stack's
 * `aws:allowedAccountIds` when it names some.
 */
export function parseIrsaChainedAccountA(
  get: ConfigGetter,
  aws: Pick<AwsSettings, "region" | "partition" | "allowedAccountIds">,
): IrsaChainedAccountAConfig {
  const existing = optionalString(get, "existingOidcProviderArn");
  const sourceRoleName = optionalString(get, "sourceRoleName");
  if (existing !== undefined) {
    const provider = parseOidcProviderArn(key("existingOidcProviderArn"), existing);
    if (provider.partition !== aws.partition) {
      throw new InputError(
        key("existingOidcProviderArn"),
        existing,
        `must be in the partition of aws:region ${aws.region} ("${aws.partition}")`,
      );
    }
    const ids = aws.allowedAccountIds;
    if (ids !== undefined && !ids.includes(provider.accountId)) {
      throw new InputError(
        key("existingOidcProviderArn"),
        existing,
        `must be a provider of account A (${ids.join(", ")}, aws:allowedAccountIds): with mechanism "irsa-chained" the ` +
          "source role in account A trusts it, and STS looks the provider up in the role's account",
      );
    }
  }
  if (sourceRoleName !== undefined) validateRoleName(key("sourceRoleName"), sourceRoleName);
  return {
    ...(existing !== undefined ? { existingOidcProviderArn: existing } : {}),
    ...(sourceRoleName !== undefined ? { sourceRoleName } : {}),
  };
}

/**
 * account-b's settings that mean nothing with this mechanism, or would make it less safe than
 * asked: each refused by name with why, never ignored. `maxSessionDuration` is given as parsed.
 */
export function refuseOnAccountB(get: ConfigGetter, maxSessionDuration: number | undefined): void {
  const refuse = (k: string, value: unknown, why: string): never => {
    throw new InputError(
      key(k),
      value,
      `cannot be used with cross-account-irsa:mechanism "irsa-chained": ${why}`,
    );
  };
  const existing = get("existingOidcProviderArn");
  if (existing !== undefined) {
    refuse(
      "existingOidcProviderArn",
      existing,
      "account B has no OIDC provider with role chaining (account A's provider is adopted with the same key on account-a)",
    );
  }
  const conditionTest = get("conditionTest");
  if (conditionTest === "StringLike") {
    refuse(
      "conditionTest",
      conditionTest,
      "the source role trusts exact service accounts; patterns would let account A's service accounts nobody named " +
        "reach account B's role",
    );
  }
  const whole = get("trustWholeNamespaces");
  if (whole === true || whole === "true") {
    refuse("trustWholeNamespaces", whole, "the source role trusts exact service accounts only");
  }
  if (maxSessionDuration !== undefined && maxSessionDuration > ROLE_CHAINING_MAX_SESSION_SECONDS) {
    refuse(
      "maxSessionDuration",
      maxSessionDuration,
      `role chaining caps the target role's sessions at ${ROLE_CHAINING_MAX_SESSION_SECONDS} seconds, so a longer maximum ` +
        "would never be used (IAM User Guide, Role chaining)",
    );
  }
}

/**
 * IRSA with role chaining: the target role's trust names account-a's source role (known once
 * account-a exists); the service accounts are account-a's source role's to trust.
 */
function checkChainedTargetTrust(config: AccountBConfig, a: AccountAFacts): PolicyDocument | undefined {
  if (a.sourceRoleArn === undefined) return undefined;
  try {
    return buildChainedTargetTrustPolicy({
      sourceRoleArn: a.sourceRoleArn,
      maxSize: config.maxTrustPolicySize,
    });
  } catch (error) {
    if (error instanceof PolicySizeError) throw trustSizeError(config, error, false, chainedTrustSizeWaysOut);
    throw restated(error, "sourceRoleArn", `${config.accountAStack} output sourceRoleArn`);
  }
}

/** How to get the target role's trust under its size limit. */
function chainedTrustSizeWaysOut(raise: string): string {
  return `Ways out: shorten the source role's path, or raise the IAM quota "Role trust policy length" and ${raise}.`;
}

const none = (): void => undefined;

/** IRSA-chained's stack config layer. */
export const IRSA_CHAINED_STACK_CONFIG: StackConfigLayer<
  IrsaChainedAccountASettings,
  Record<never, never>
> = {
  accountA: {
    keys: ["existingOidcProviderArn", "sourceRoleName"],
    clusterKeys: [],
    parse: (get, aws) => ({ irsaChained: parseIrsaChainedAccountA(get, aws) }),
    accountBOutputs: ["sourceRoleArn"],
    parseAccountBOutputs: (raw) =>
      typeof raw.sourceRoleArn === "string" ? { sourceRoleArn: raw.sourceRoleArn } : {},
    // Exact service accounts only: account-b's list is the whole trust.
    trustsUnlisted: () => false,
  },
  accountB: {
    keys: [],
    refuseKeys: none,
    checkServiceAccount: none,
    checkServiceAccounts: none,
    checkSettings: (settings) =>
      refuseOnAccountB(settings.get, optionalInteger(settings, "maxSessionDuration", 3600, 3600, 43200)),
    parse: () => ({}),
    trust: checkChainedTargetTrust,
  },
};
