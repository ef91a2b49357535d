/**
 * IRSA's config keys and their checks (`cross-account-irsa:mechanism: irsa`, the default). Pure.
 *
 * IRSA reads one key the other mechanisms do not: account-b's `existingOidcProviderArn` (adopt
 * account B's provider for account-a's issuer); the patterns (`conditionTest`,
 * `trustWholeNamespaces`) are the shared parser's, which the other mechanisms refuse. Its part is
 * account-b's trust: the role trusts account B's OIDC provider for account-a's issuer, for the exact
 * `sub` (or the patterns asked for) and `aud`.
 */
import { checkAdoptedProvider } from "../../components/adoptedProvider";
import { InputError, PolicySizeError } from "../../components/errors";
import { normalizeIssuer } from "../../components/issuer";
import { type PolicyDocument } from "../../components/policyDocument";
import { evaluateTrust } from "../../components/evaluate";
import {
  STS_AUDIENCE,
  buildTrustPolicy,
  serviceAccountSubject,
  trustPolicySizeWaysOut,
  type ServiceAccountRef,
} from "../../components/trustPolicy";
import { parseOidcProviderArn } from "../../components/validation";
import { key, optionalString, type StackSettings } from "../../stacks/configSource";
import { restated, trustSizeError } from "../../stacks/trustCheck";
import type { AccountBConfig, AwsSettings } from "../../stacks/config";
import type { AccountBOutputs } from "../../stacks/crossStack";
import { type StackConfigLayer } from "../stackLayer";

/**
 * The shortest issuer an EKS cluster can have (`oidc.eks.<9-character region>.amazonaws.com/id/<32
 * hex digits>`): it stands in for account-a's issuer in a preview before account-a exists, so a
 * trust policy that would be too large even then is refused. The real issuer is never shorter.
 */
const SHORTEST_EKS_ISSUER = `https://oidc.eks.xx-xxxx-1.amazonaws.com/id/${"0".repeat(32)}`;

/**
 * The ARN of the provider account-b will create for the issuer: its account is the stack's pinned
 * account when there is one, or a stand-in of the same length (only the document's size depends on
 * it before the provider exists).
 */
function predictedProviderArn(config: AccountBConfig, issuerUrl: string): string {
  const account = config.aws.allowedAccountIds?.[0] ?? "000000000000";
  return `arn:${config.aws.partition}:iam::${account}:oidc-provider/${normalizeIssuer(issuerUrl)}`;
}

/** IRSA: the role's trust, with the provider ARN it will have (or the shortest issuer). */
function checkIrsaTrust(config: AccountBConfig, issuerUrl: string | undefined): PolicyDocument | undefined {
  const issuer = issuerUrl ?? SHORTEST_EKS_ISSUER;
  if (config.existingOidcProviderArn !== undefined && issuerUrl !== undefined) {
    checkAdoptedProvider(
      config.existingOidcProviderArn,
      issuerUrl,
      undefined,
      key("existingOidcProviderArn"),
    );
  }
  const providerArn =
    config.existingOidcProviderArn !== undefined && issuerUrl !== undefined
      ? config.existingOidcProviderArn
      : predictedProviderArn(config, issuer);

  let trustPolicy: PolicyDocument;
  try {
    trustPolicy = buildTrustPolicy(
      [{ oidcProviderArn: providerArn, issuerUrl: issuer, serviceAccounts: config.serviceAccounts }],
      {
        conditionTest: config.conditionTest,
        trustWholeNamespaces: config.trustWholeNamespaces,
        maxSize: config.maxTrustPolicySize,
      },
    );
  } catch (error) {
    if (error instanceof PolicySizeError) {
      throw trustSizeError(config, error, issuerUrl === undefined, trustPolicySizeWaysOut);
    }
    throw restated(error, "clusters[0].serviceAccounts", key("serviceAccounts"));
  }
  return issuerUrl !== undefined ? trustPolicy : undefined;
}

/** account-b's settings of this mechanism. */
export interface IrsaAccountBSettings {
  /** Adopt account B's IAM OIDC provider for account-a's issuer instead of creating one. */
  existingOidcProviderArn?: string;
}

/**
 * An adopted provider must be in account B's partition and, when the stack pins its accounts, in
 * one of them: the role trusts the provider by ARN, and a provider elsewhere is not account B's.
 */
function checkProviderAccount(field: string, arn: string, aws: AwsSettings): void {
  const { partition, accountId } = parseOidcProviderArn(field, arn);
  if (partition !== aws.partition) {
    throw new InputError(
      field,
      arn,
      `must be in the partition of aws:region ${aws.region} ("${aws.partition}")`,
    );
  }
  if (aws.allowedAccountIds !== undefined && !aws.allowedAccountIds.includes(accountId)) {
    throw new InputError(
      field,
      arn,
      `must be in account B (aws:allowedAccountIds ${JSON.stringify(aws.allowedAccountIds)}): the role trusts ` +
        "the provider of its own account",
    );
  }
}

/** account-b's `existingOidcProviderArn`, checked against the stack's AWS settings. */
function parseAccountB(settings: StackSettings, aws: AwsSettings): IrsaAccountBSettings {
  const existing = optionalString(settings.get, "existingOidcProviderArn");
  if (existing === undefined) return {};
  checkProviderAccount(key("existingOidcProviderArn"), existing, aws);
  return { existingOidcProviderArn: existing };
}

/** account-a's fact account-b's trust names (its `oidcIssuerUrl` output; undefined: not known yet). */
export interface IrsaAccountAFacts {
  issuerUrl?: string;
}

/** account-b's output of this mechanism account-a reads. */
export interface IrsaAccountBOutputs {
  /** The OIDC provider in account B the role trusts. */
  oidcProviderArn?: string;
}

/** account-b's `oidcProviderArn` output, checked when it is there. */
function parseAccountBOutputs(
  raw: Record<string, unknown>,
  field: (name: string) => string,
): IrsaAccountBOutputs {
  if (typeof raw.oidcProviderArn !== "string") return {};
  parseOidcProviderArn(field("oidcProviderArn"), raw.oidcProviderArn);
  return { oidcProviderArn: raw.oidcProviderArn };
}

/**
 * Whether account-b's role trusts a service account it does not list (a StringLike pattern): its
 * exported trust policy, evaluated for the service account's `sub` through account-b's provider.
 * Whether that provider is this cluster's is a separate link (`checkProviderMatchesIssuer`,
 * crossStack.ts).
 */
function trustsUnlisted(b: AccountBOutputs, sa: ServiceAccountRef): boolean {
  if (!b.trustPolicy || !b.oidcProviderArn) return false;
  const doc = JSON.parse(b.trustPolicy) as PolicyDocument;
  const sub = serviceAccountSubject(sa);
  return (
    evaluateTrust(doc, { oidcProviderArn: b.oidcProviderArn, sub, aud: STS_AUDIENCE }).decision === "Allow"
  );
}

const none = (): void => undefined;

/** IRSA's stack config layer. */
export const IRSA_STACK_CONFIG: StackConfigLayer<
  Record<never, never>,
  IrsaAccountBSettings,
  IrsaAccountBOutputs
> = {
  accountA: {
    keys: [],
    clusterKeys: [],
    parse: () => ({}),
    accountBOutputs: ["oidcProviderArn"],
    parseAccountBOutputs,
    trustsUnlisted,
  },
  accountB: {
    keys: ["existingOidcProviderArn"],
    refuseKeys: none,
    checkServiceAccount: none,
    checkServiceAccounts: none,
    checkSettings: none,
    parse: parseAccountB,
    trust: (config, a) => checkIrsaTrust(config, a.issuerUrl),
  },
};
