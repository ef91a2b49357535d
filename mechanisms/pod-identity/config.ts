/**
 * Pod Identity's config keys and their checks (`cross-account-irsa:mechanism: pod-identity`). Pure.
 *
 * account-a reads one key only this mechanism has (`cluster.podIdentityAgent`, refused by name under
 * another mechanism by the stack parser, from `accountA.clusterKeys`). account-b refuses
 * what means nothing, or less safety than asked, with it: patterns (`conditionTest: StringLike`,
 * `trustWholeNamespaces`, wildcards in `serviceAccounts`: EKS associates exact service accounts and
 * the target role trusts exactly their session tags), an OIDC provider in B, a service account
 * listed twice (EKS allows one association per service account: "You can associate one IAM role to
 * each Kubernetes service account in each cluster",
 * https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html#pod-id-considerations).
 * Neither stack may be in the China Regions, where EKS Pod Identity is not offered.
 */
import { tryParseArn } from "../../components/arn";
import { InputError, PolicySizeError } from "../../components/errors";
import { type PolicyDocument } from "../../components/policyDocument";
import {
  buildPodIdentityTargetTrustPolicy,
  podIdentityTrustSizeWaysOut,
} from "../../components/podIdentityPolicies";
import type { AccountBConfig, AwsSettings } from "../../stacks/config";
import { partitionMismatch } from "../../stacks/configShared";
import { key, optionalBoolean, type StackSettings } from "../../stacks/configSource";
import { restated, trustSizeError, type AccountAFacts } from "../../stacks/trustCheck";
import { type StackConfigLayer } from "../stackLayer";

/**
 * The shortest source role and cluster ARNs (partition `aws`, one-character names): they stand in
 * for account-a's in a preview before account-a exists, so a target trust policy too large even then
 * is refused. The real ARNs are never shorter.
 */
const SHORTEST_SOURCE_ROLE_ARN = "arn:aws:iam::000000000000:role/x";
const SHORTEST_CLUSTER_ARN = "arn:aws:eks:us-east-1:000000000000:cluster/x";

/**
 * EKS Pod Identity is not offered in the China Regions ("Pod Identity is not available in China
 * Regions. Use IAM roles for service accounts.",
 * https://docs.amazonaws.cn/en_us/eks/latest/userguide/pod-identities.html): refused there.
 */
function refusePodIdentityRegion(aws: AwsSettings): void {
  if (aws.partition === "aws-cn") {
    throw new InputError(
      key("mechanism"),
      "pod-identity",
      `cannot be used in aws:region ${aws.region}: EKS Pod Identity is not available in the China Regions ` +
        '(docs.amazonaws.cn, EKS User Guide, "EKS Pod Identities"); use cross-account-irsa:mechanism "irsa"',
    );
  }
}

/** account-a's settings of this mechanism. */
export interface PodIdentityAccountASettings {
  /**
   * `cluster.podIdentityAgent`: whether this stack installs the eks-pod-identity-agent add-on
   * (undefined: when it creates the cluster; an adopted cluster must have it already, unless this
   * says so).
   */
  podIdentityAgent?: boolean;
}

/** account-a's facts account-b's target trust names (its outputs; undefined: not known yet). */
export interface PodIdentityAccountAFacts {
  clusterArn?: string;
  sourceRoleArn?: string;
}

/** account-b's outputs of this mechanism account-a reads: what account-b's target role trusts. */
export interface PodIdentityAccountBOutputs {
  /** The cluster account-b's target role trusts. */
  clusterArn?: string;
  /** The source role account-b's target role trusts. */
  sourceRoleArn?: string;
}

/** account-b's `clusterArn` and `sourceRoleArn` outputs, when they are there. */
function parseAccountBOutputs(raw: Record<string, unknown>): PodIdentityAccountBOutputs {
  return {
    ...(typeof raw.clusterArn === "string" ? { clusterArn: raw.clusterArn } : {}),
    ...(typeof raw.sourceRoleArn === "string" ? { sourceRoleArn: raw.sourceRoleArn } : {}),
  };
}

/** account-a's `cluster.podIdentityAgent`, checked; the region, checked. */
function parseAccountA(aws: AwsSettings, cluster: Record<string, unknown>): PodIdentityAccountASettings {
  const agent = cluster.podIdentityAgent;
  if (agent !== undefined && typeof agent !== "boolean") {
    throw new InputError(key("cluster.podIdentityAgent"), agent, "must be true or false");
  }
  refusePodIdentityRegion(aws);
  return agent !== undefined ? { podIdentityAgent: agent } : {};
}

/**
 * Settings that mean nothing with Pod Identity, or would make it less safe than asked: refused by
 * name, with why, instead of being ignored.
 */
function refuseOnAccountB(settings: StackSettings): void {
  const { get } = settings;
  const keys: Record<string, (value: unknown) => string | undefined> = {
    conditionTest: (v) =>
      v === "StringLike"
        ? "the target role's trust compares the session tags EKS sets exactly; patterns (StringLike) would trust " +
          "service accounts nobody named"
        : undefined,
    trustWholeNamespaces: () =>
      optionalBoolean(get, "trustWholeNamespaces", false)
        ? "Pod Identity trusts exact service accounts only (one association each)"
        : undefined,
    existingOidcProviderArn: () => "Pod Identity uses no OIDC provider in account B",
  };
  for (const [k, why] of Object.entries(keys)) {
    const value = get(k);
    const reason = value === undefined ? undefined : why(value);
    if (reason !== undefined) {
      throw new InputError(
        key(k),
        value,
        `cannot be used with cross-account-irsa:mechanism "pod-identity": ${reason}`,
      );
    }
  }
}

/** A `serviceAccounts` entry with a wildcard: refused (EKS associates exact service accounts). */
function refuseWildcards(field: string, entry: Record<string, unknown>): void {
  for (const part of ["namespace", "name"] as const) {
    const v = entry[part];
    if (typeof v === "string" && /[*?]/.test(v)) {
      throw new InputError(
        `${field}.${part}`,
        v,
        'cannot hold a wildcard with cross-account-irsa:mechanism "pod-identity": EKS associates exact ' +
          "service accounts, and the target role trusts exactly those",
      );
    }
  }
}

/**
 * Pod Identity registers one association per service account, and EKS maps one IAM role to each
 * service account of a cluster ("You can associate one IAM role to each Kubernetes service account in
 * each cluster. You can change which role is mapped to the service account by editing the EKS Pod
 * Identity association", https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html#pod-id-considerations):
 * a second association for it would fail when account-a creates it, so a repeated entry is refused
 * here, naming it. (The User Guide does not name the error EKS returns; the rule is what is relied on.)
 */
function refuseDuplicateServiceAccounts(entries: unknown[]): void {
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    if (entry === null || typeof entry !== "object") return;
    const { namespace, name } = entry as Record<string, unknown>;
    if (typeof namespace !== "string" || typeof name !== "string") return;
    const id = `${namespace}/${name}`;
    const first = seen.get(id);
    if (first !== undefined) {
      throw new InputError(
        `${key("serviceAccounts")}[${i}]`,
        entry,
        `repeats ${key("serviceAccounts")}[${first}]: with cross-account-irsa:mechanism "pod-identity" each ` +
          "service account gets one association, and EKS allows one per service account",
      );
    }
    seen.set(id, i);
  });
}

/** Pod Identity: the target role's trust, with account-a's source role and cluster (or the shortest stand-ins). */
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
    if (error instanceof PolicySizeError) {
      throw trustSizeError(config, error, !known, podIdentityTrustSizeWaysOut);
    }
    // The ARNs come from account-a's outputs, the service accounts from this stack's config.
    const renames: Array<[string, string]> = [
      ["serviceAccounts", key("serviceAccounts")],
      ["sourceRoleArn", `${config.accountAStack} output sourceRoleArn`],
      ["clusterArn", `${config.accountAStack} output clusterArn`],
    ];
    throw renames.reduce((e, [from, to]) => restated(e, from, to), error);
  }
}

/** Pod Identity's stack config layer. */
export const POD_IDENTITY_STACK_CONFIG: StackConfigLayer<
  PodIdentityAccountASettings,
  Record<never, never>
> = {
  accountA: {
    keys: [],
    clusterKeys: ["podIdentityAgent"],
    parse: (_get, aws, cluster) => parseAccountA(aws, cluster),
    accountBOutputs: ["clusterArn", "sourceRoleArn"],
    parseAccountBOutputs,
    // Exact service accounts only: account-b's list is the whole trust.
    trustsUnlisted: () => false,
  },
  accountB: {
    keys: [],
    refuseKeys: refuseOnAccountB,
    checkServiceAccount: refuseWildcards,
    checkServiceAccounts: refuseDuplicateServiceAccounts,
    checkSettings: (_settings, aws) => refusePodIdentityRegion(aws),
    parse: () => ({}),
    trust: checkTargetTrust,
  },
};
