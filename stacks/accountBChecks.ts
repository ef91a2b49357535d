/**
 * account-b's IAM documents, built and checked from config before the program registers anything.
 *
 * Every part of them is known before the first resource: the OIDC provider's ARN is
 * `arn:<partition>:iam::<account B>:oidc-provider/<issuer host/path>`, and an auto-named bucket's
 * name has a known length. So a trust policy over IAM's size quota, a permission policy over the
 * role's inline quota, or an adopted provider of another issuer fails here, in preview as in an
 * update, naming the config key the user wrote, instead of after the provider and the bucket exist.
 * Pure.
 */
import { tryParseArn } from "../components/arn";
import { Mechanism, assertNever } from "../components/mechanism";
import { checkAdoptedProvider } from "../components/clusterOidcProvider";
import { InputError, PolicySizeError } from "../components/errors";
import { normalizeIssuer } from "../components/issuer";
import { checkInlinePoliciesSize, policyJson, type PolicyDocument } from "../components/policyDocument";
import { buildS3AccessPolicy } from "../components/s3AccessPolicy";
import { buildTrustPolicy, trustPolicySizeProblem, trustPolicySizeWaysOut } from "../components/trustPolicy";
import {
  buildPodIdentityTargetTrustPolicy,
  podIdentityTrustSizeWaysOut,
} from "../components/podIdentityPolicies";
import { buildChainedTargetTrustPolicy } from "../components/chainedPolicies";
import { key } from "./configSource";
import { partitionMismatch } from "./configShared";
import type { AccountBConfig } from "./config";

/** The resource name the account-b program gives its bucket (Pulumi auto-names it from this). */
export const BUCKET_RESOURCE_NAME = "bucket";
/**
 * A stand-in of the length of an auto-named bucket: Pulumi names it `<resource name>-<7 random
 * characters>`. Only the policy's size depends on it.
 */
export const AUTONAMED_BUCKET_STAND_IN = `${BUCKET_RESOURCE_NAME}-0000000`;
/**
 * The shortest issuer an EKS cluster can have (`oidc.eks.<9-character region>.amazonaws.com/id/<32
 * hex digits>`): it stands in for account-a's issuer in a preview before account-a exists, so a
 * trust policy that would be too large even then is refused. The real issuer is never shorter.
 */
export const SHORTEST_EKS_ISSUER = `https://oidc.eks.xx-xxxx-1.amazonaws.com/id/${"0".repeat(32)}`;

/**
 * The shortest source role and cluster ARNs (partition `aws`, one-character names): they stand in
 * for account-a's in a preview before account-a exists, so a target trust policy too large even then
 * is refused. The real ARNs are never shorter.
 */
export const SHORTEST_SOURCE_ROLE_ARN = "arn:aws:iam::000000000000:role/x";
export const SHORTEST_CLUSTER_ARN = "arn:aws:eks:us-east-1:000000000000:cluster/x";

/** What account-b reads from account-a: the issuer (IRSA) or the cluster and source role (Pod Identity). */
export interface AccountAFacts {
  issuerUrl?: string;
  clusterArn?: string;
  sourceRoleArn?: string;
}

/**
 * The ARN of the provider account-b will create for the issuer: its account is the stack's pinned
 * account when there is one, or a stand-in of the same length (only the document's size depends on
 * it before the provider exists).
 */
export function predictedProviderArn(config: AccountBConfig, issuerUrl: string): string {
  const account = config.aws.allowedAccountIds?.[0] ?? "000000000000";
  return `arn:${config.aws.partition}:iam::${account}:oidc-provider/${normalizeIssuer(issuerUrl)}`;
}

/** An error of a component function restated with the config key its field came from. */
function restated(error: unknown, from: string, to: string): unknown {
  if (!(error instanceof InputError) || error instanceof PolicySizeError) return error;
  if (error.field !== from && !error.field.startsWith(`${from}.`) && !error.field.startsWith(`${from}[`)) {
    return error;
  }
  return new InputError(`${to}${error.field.slice(from.length)}`, error.value, error.rule);
}

/** The documents account-b will send, as far as config and the issuer (when known) decide them. */
export interface AccountBDocuments {
  /** The trust policy, or undefined while the issuer is unknown. */
  trustPolicy?: PolicyDocument;
  /** The S3 permission policy (with the bucket stand-in when the bucket is auto-named). */
  accessPolicy: PolicyDocument;
}

/**
 * Builds account-b's trust and permission policies from config and checks them as IAM will: the
 * trust policy against `cross-account-irsa:maxTrustPolicySize`, the permission policy against the
 * role's 10,240-character inline quota, an adopted provider against the issuer. `issuerUrl` is
 * undefined in a preview before account-a has an issuer: the trust policy is then checked with
 * {@link SHORTEST_EKS_ISSUER}, a lower bound.
 *
 * @throws InputError naming the `cross-account-irsa:` key to change.
 */
export function checkAccountBDocuments(config: AccountBConfig, a: AccountAFacts): AccountBDocuments {
  const trustPolicy = checkTrust(config, a);
  return { ...(trustPolicy !== undefined ? { trustPolicy } : {}), accessPolicy: checkAccessPolicy(config) };
}

/** The mechanism's trust policy of the role in account B, checked (undefined: account-a's facts are not known yet). */
function checkTrust(config: AccountBConfig, a: AccountAFacts): PolicyDocument | undefined {
  const mechanism = config.mechanism;
  switch (mechanism) {
    case Mechanism.Irsa:
      return checkIrsaTrust(config, a.issuerUrl);
    case Mechanism.PodIdentity:
      return checkTargetTrust(config, a);
    case Mechanism.IrsaChained:
      return checkChainedTargetTrust(config, a);
    default:
      return assertNever(mechanism, "mechanism");
  }
}

/** How to get a trust policy under its size limit, in the words of the mechanism. */
function sizeWaysOut(mechanism: Mechanism): (raise: string) => string {
  switch (mechanism) {
    case Mechanism.Irsa:
      return trustPolicySizeWaysOut;
    case Mechanism.PodIdentity:
      return podIdentityTrustSizeWaysOut;
    case Mechanism.IrsaChained:
      return (raise) =>
        `Ways out: shorten the source role's path, or raise the IAM quota "Role trust policy length" and ${raise}.`;
    default:
      return assertNever(mechanism, "mechanism");
  }
}

/** The restated size error of a trust policy, naming the config keys. */
function trustSizeError(
  config: AccountBConfig,
  error: PolicySizeError,
  lowerBound: boolean,
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
      sizeWaysOut(config.mechanism)(`set ${key("maxTrustPolicySize")} to it`),
  );
}

/** Pod Identity: the target role's trust, with account-a's source role and cluster (or the shortest stand-ins). */
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
    if (error instanceof PolicySizeError) throw trustSizeError(config, error, false);
    throw restated(error, "sourceRoleArn", `${config.accountAStack} output sourceRoleArn`);
  }
}

function checkTargetTrust(config: AccountBConfig, a: AccountAFacts): PolicyDocument | undefined {
  const known = a.clusterArn !== undefined && a.sourceRoleArn !== undefined;
  const cluster = tryParseArn(a.clusterArn);
  if (cluster?.service === "eks" && cluster.region !== "") {
    const mismatch = partitionMismatch(
      {
        partition: cluster.partition,
        region: cluster.region,
        from: `cluster (${config.accountAStack} output clusterArn) is in`,
      },
      config.aws,
    );
    if (mismatch) throw mismatch;
  }
  try {
    const doc = buildPodIdentityTargetTrustPolicy({
      sourceRoleArn: a.sourceRoleArn ?? SHORTEST_SOURCE_ROLE_ARN,
      clusterArn: a.clusterArn ?? SHORTEST_CLUSTER_ARN,
      serviceAccounts: config.serviceAccounts,
      maxSize: config.maxTrustPolicySize,
    });
    return known ? doc : undefined;
  } catch (error) {
    if (error instanceof PolicySizeError) throw trustSizeError(config, error, !known);
    // The ARNs come from account-a's outputs, the service accounts from this stack's config.
    const renames: Array<[string, string]> = [
      ["serviceAccounts", key("serviceAccounts")],
      ["sourceRoleArn", `${config.accountAStack} output sourceRoleArn`],
      ["clusterArn", `${config.accountAStack} output clusterArn`],
    ];
    throw renames.reduce((e, [from, to]) => restated(e, from, to), error);
  }
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
    if (error instanceof PolicySizeError) throw trustSizeError(config, error, issuerUrl === undefined);
    throw restated(error, "clusters[0].serviceAccounts", key("serviceAccounts"));
  }
  return issuerUrl !== undefined ? trustPolicy : undefined;
}

/** The S3 permission policy, with the bucket's name or a stand-in of an auto-name's length. */
function checkAccessPolicy(config: AccountBConfig): PolicyDocument {
  let accessPolicy: PolicyDocument;
  const renames: Array<[string, string]> = [
    ["kmsKeyArn", key("bucket.kmsKeyArn")],
    ["prefixes", key("prefixes")],
    ["bucketName", key("bucket.name")],
  ];
  try {
    accessPolicy = buildS3AccessPolicy({
      bucketName: config.bucket.name ?? AUTONAMED_BUCKET_STAND_IN,
      access: config.access,
      prefixes: config.prefixes,
      kmsKeyArn: config.bucket.kmsKeyArn,
      partition: config.aws.partition,
    });
  } catch (error) {
    throw renames.reduce((e, [from, to]) => restated(e, from, to), error);
  }
  try {
    checkInlinePoliciesSize(key("prefixes"), { "s3-access": policyJson(accessPolicy) });
  } catch (error) {
    if (!(error instanceof PolicySizeError)) throw error;
    throw new PolicySizeError(
      key("prefixes"),
      `${config.prefixes.length} prefixes`,
      error.size,
      error.limit,
      `${key("prefixes")}: the S3 permission policy for ${config.prefixes.length} prefixes is ${error.size} ` +
        `characters as IAM counts them (whitespace excluded), over IAM's limit of ${error.limit} for a role's ` +
        `inline policies together, which cannot be raised. Ways out: grant fewer, shorter prefixes (a parent ` +
        `prefix covers its children: "reports/" covers "reports/2026/"); or split the prefixes across several ` +
        `roles (one account-b stack each).`,
    );
  }
  return accessPolicy;
}
