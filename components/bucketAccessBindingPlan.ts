/**
 * The pure core of `BucketAccessBinding`: its own arguments checked against a grant's handoff (read
 * by `parseHandoff`), and what it sets up for each mechanism. No Pulumi or AWS package is imported.
 */
import { podCredentialPath } from "./credentialPath";
import { type BucketAccessHandoff, type HandoffCluster } from "./bucketAccessHandoff";
import { InputError } from "./errors";
import { Mechanism } from "./mechanism";
import { parseEksClusterArn } from "./podIdentityPolicies";
import { type ServiceAccountRef } from "./trustPolicy";
import { parseOidcProviderArn, parseRoleArn, validateEksClusterName } from "./validation";

/** What a binding sets up in account A, once checked against the handoff. */
export interface BindingPlan {
  /** The grant's role (annotation, `targetRoleArn`, the probe's expected role). */
  roleArn: string;
  /** Pod Identity: the handoff's cluster entry for the binding's cluster. */
  podIdentity?: { key: string; clusterArn: string; sourceRoleArn: string };
  /** IRSA with role chaining: the handoff's cluster entry for the binding's cluster, and its source role. */
  chained?: { key: string; sourceRoleArn: string };
  /** The path the pods' SDK takes with everything the binding sets up ({@link podCredentialPath}). */
  podPath: Mechanism;
  /** The bucket the probe reads. */
  probeBucket?: string;
}

/**
 * Checks a binding's own (plain) arguments against the handoff: every mechanism it sets up is one the
 * grant trusts, its service account is one the grant names, with Pod Identity its cluster is one of
 * the grant's (by name), and with IRSA with role chaining its cluster is one the grant trusts a
 * chained source role for (by `clusterKey`, else Pod Identity's entry, else the only one), an
 * adopted OIDC provider is in that role's account, and the grant's role is `expectedRoleArn` when
 * given. Errors name both sides.
 */
export function planBinding(options: {
  handoff: BucketAccessHandoff;
  mechanisms: readonly Mechanism[];
  serviceAccount: ServiceAccountRef;
  clusterName?: string;
  /** irsa-chained: the binding's `clusterKey`. */
  clusterKey?: string;
  /** irsa-chained: the binding's `existingOidcProviderArn`, once known. */
  existingOidcProviderArn?: string;
  /** The binding's `expectedRoleArn`, once known: the handoff's `roleArn` must be it. */
  expectedRoleArn?: string;
  probeBucket?: string;
  /** Pod Identity: the binding's `podIdentityServiceAccounts`, each one the grant must trust. */
  podIdentityServiceAccounts?: readonly ServiceAccountRef[];
}): BindingPlan {
  const { handoff, mechanisms, serviceAccount } = options;
  if (options.expectedRoleArn !== undefined) {
    parseRoleArn("args.expectedRoleArn", options.expectedRoleArn);
    if (handoff.roleArn !== options.expectedRoleArn) {
      throw new InputError(
        "args.handoff.roleArn",
        handoff.roleArn,
        `must be args.expectedRoleArn (${options.expectedRoleArn}): the pods assume the role the handoff names, ` +
          "and this binding pins which one",
      );
    }
  }
  mechanisms.forEach((m, i) => {
    if (!handoff.mechanisms.includes(m)) {
      throw new InputError(
        `args.mechanisms[${i}]`,
        m,
        `account B's grant does not trust it (args.handoff.mechanisms is ${JSON.stringify(handoff.mechanisms)}): ` +
          `add "${m}" to the grant's mechanism and update account B first`,
      );
    }
  });
  if (
    !handoff.serviceAccounts.some(
      (sa) => sa.namespace === serviceAccount.namespace && sa.name === serviceAccount.name,
    )
  ) {
    throw new InputError(
      "args.serviceAccount",
      { namespace: serviceAccount.namespace, name: serviceAccount.name },
      `is not among the service accounts account B's grant trusts (args.handoff.serviceAccounts: ${handoff.serviceAccounts
        .map((sa) => `${sa.namespace}/${sa.name}`)
        .join(", ")})`,
    );
  }
  const trusted = (sa: ServiceAccountRef) =>
    handoff.serviceAccounts.some((t) => t.namespace === sa.namespace && t.name === sa.name);
  (options.podIdentityServiceAccounts ?? []).forEach((sa, i) => {
    if (!trusted(sa)) {
      throw new InputError(
        `args.podIdentityServiceAccounts[${i}]`,
        { namespace: sa.namespace, name: sa.name },
        `is not among the service accounts account B's grant trusts (args.handoff.serviceAccounts: ${handoff.serviceAccounts
          .map((t) => `${t.namespace}/${t.name}`)
          .join(", ")}): its association would name a role that refuses its sessions`,
      );
    }
  });
  const plan: BindingPlan = { roleArn: handoff.roleArn, podPath: podCredentialPath(mechanisms) };
  if (mechanisms.includes(Mechanism.PodIdentity)) {
    const clusterName = validateEksClusterName("args.clusterName", options.clusterName);
    const matches = handoff.clusters.filter(
      (c) =>
        c.clusterArn !== undefined &&
        parseEksClusterArn("clusterArn", c.clusterArn).clusterName === clusterName,
    );
    if (matches.length !== 1) {
      throw new InputError(
        "args.clusterName",
        clusterName,
        `must name ${matches.length === 0 ? "one" : "exactly one"} of the clusters account B's grant trusts for Pod Identity ` +
          `(args.handoff.clusters: ${handoff.clusters.map((c) => c.clusterArn ?? `${c.key} (no clusterArn)`).join(", ")})`,
      );
    }
    plan.podIdentity = {
      key: matches[0].key,
      clusterArn: matches[0].clusterArn!,
      sourceRoleArn: matches[0].sourceRoleArn!,
    };
  }
  if (mechanisms.includes(Mechanism.IrsaChained)) {
    plan.chained = planChained(handoff, options.clusterKey, plan.podIdentity?.key);
    if (options.existingOidcProviderArn !== undefined) {
      const provider = parseOidcProviderArn("args.existingOidcProviderArn", options.existingOidcProviderArn);
      const role = parseRoleArn("args.handoff.clusters[].chainedSourceRoleArn", plan.chained.sourceRoleArn);
      if (provider.accountId !== role.accountId || provider.partition !== role.partition) {
        throw new InputError(
          "args.existingOidcProviderArn",
          options.existingOidcProviderArn,
          `must be in the account of the chained source role account B's grant trusts (${plan.chained.sourceRoleArn}): ` +
            "STS looks the provider up in the account of the role it assumes",
        );
      }
    }
  } else if (options.clusterKey !== undefined) {
    throw new InputError(
      "args.clusterKey",
      options.clusterKey,
      'is read only by mechanism "irsa-chained", which args.mechanisms does not list: remove it, or add the mechanism',
    );
  }
  if (options.probeBucket !== undefined) {
    if (!handoff.buckets.some((b) => b.name === options.probeBucket)) {
      throw new InputError(
        "args.probe.bucketName",
        options.probeBucket,
        `is not among the grant's buckets (args.handoff.buckets: ${handoff.buckets.map((b) => b.name).join(", ")})`,
      );
    }
    plan.probeBucket = options.probeBucket;
  } else {
    plan.probeBucket = handoff.buckets[0].name;
  }
  return plan;
}

/**
 * The handoff's cluster an irsa-chained binding sets up: the one `clusterKey` names; without it, Pod
 * Identity's entry when the binding sets up both; else the grant's only cluster with a chained
 * source role.
 */
function planChained(
  handoff: BucketAccessHandoff,
  clusterKey: string | undefined,
  podIdentityKey: string | undefined,
): { key: string; sourceRoleArn: string } {
  const candidates = handoff.clusters.filter((c) => c.chainedSourceRoleArn !== undefined);
  const listed = `args.handoff.clusters with chainedSourceRoleArn: ${candidates.map((c) => c.key).join(", ") || "none"}`;
  let entry: HandoffCluster | undefined;
  if (clusterKey !== undefined) {
    entry = candidates.find((c) => c.key === clusterKey);
    if (entry === undefined) {
      throw new InputError(
        "args.clusterKey",
        clusterKey,
        `must be the key of a cluster account B's grant trusts for "irsa-chained" (${listed})`,
      );
    }
    if (podIdentityKey !== undefined && podIdentityKey !== clusterKey) {
      throw new InputError(
        "args.clusterKey",
        clusterKey,
        `must be the cluster args.clusterName names in the grant (key "${podIdentityKey}"): one binding sets up one cluster`,
      );
    }
  } else if (podIdentityKey !== undefined) {
    entry = candidates.find((c) => c.key === podIdentityKey);
    if (entry === undefined) {
      throw new InputError(
        "args.clusterName",
        podIdentityKey,
        `names a cluster the grant trusts for Pod Identity but not for "irsa-chained" (${listed})`,
      );
    }
  } else if (candidates.length === 1) {
    entry = candidates[0];
  } else {
    throw new InputError(
      "args.clusterKey",
      undefined,
      `is required: account B's grant trusts ${candidates.length} clusters for "irsa-chained" (${listed}); name this binding's`,
    );
  }
  return { key: entry.key, sourceRoleArn: entry.chainedSourceRoleArn! };
}
