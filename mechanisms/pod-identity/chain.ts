/**
 * The EKS Pod Identity link set: the five links of design.md's "Mechanism 2", checked on a
 * {@link PodIdentitySnapshot}. Words and fixes come from the catalogue; the permission link is the
 * IRSA chain's (the same policy and bucket, on the target role). Facts read from the live chain
 * (`snapshot.live`, the doctor's) select the live words and add podIdentityLive.ts's and
 * permission.ts's live checks; without them the results are the plan's, unchanged.
 */
import { describeValue } from "../../components/errors";
import {
  POD_IDENTITY_ACTIONS,
  POD_IDENTITY_SERVICE,
  podIdentitySessionTags,
} from "../../components/podIdentityPolicies";
import { ROLE_ARN_ANNOTATION } from "../../components/serviceAccountAnnotations";
import { type ServiceAccountRef } from "../../components/trustPolicy";
import { POD_IDENTITY_CHECKS as C } from "./catalogue";
import {
  detailOf,
  parsePolicy,
  statusOf,
  tryAccess,
  tryRoleTrust,
  tryServiceTrust,
  type Outcome,
} from "../../chain/evaluation";
import { liveRoleTrust, liveServiceTrust, liveSourcePermission } from "../../chain/liveContext";
import { livePermissionLink } from "../../chain/permission";
import { plannedPermissionLink } from "../../chain/plannedPermission";
import {
  associationOf,
  liveAssociationLink,
  liveSourceRoleStop,
  liveTargetTrustStop,
  liveTrustResult,
} from "./live";
import { runCheck, undecidedRead, type CheckResult } from "../../chain/result";
import { reviewSourceTrust, reviewTargetTrust } from "../../chain/trustReview";
import { liveAgentChecks } from "./agent";
import { workloadChecks } from "../../chain/workloads";
import { type PodIdentitySnapshot } from "../../chain/snapshot";

/** Link 1: the cluster runs the eks-pod-identity-agent add-on (live: or a self-managed DaemonSet). */
function agentLink(s: PodIdentitySnapshot): CheckResult[] {
  if (s.live) return liveAgentChecks(s);
  const words = { cluster: s.cluster?.name, adopted: s.agent.adopted };
  if (s.agent.installed === undefined) {
    // An adopted cluster's add-ons are not known offline: say it must be there, never assume it.
    return [
      runCheck(
        C.agentInstalled,
        words,
        "warn",
        "the cluster is adopted and this stack does not install the add-on: it must already run there",
      ),
    ];
  }
  return [
    runCheck(
      C.agentInstalled,
      words,
      s.agent.installed,
      s.agent.installed ? "the add-on is installed" : "the cluster has no eks-pod-identity-agent add-on",
    ),
  ];
}

/** Link 2: an association per ServiceAccount names both roles, with session tags; the ServiceAccount is plain. */
function associationLink(s: PodIdentitySnapshot): CheckResult[] {
  if (s.live) return liveAssociationLink(s);
  const sa = s.serviceAccount;
  if (!sa)
    return [
      runCheck(C.serviceAccountPresent, {}, false, "the final account-a run registers no ServiceAccount"),
    ];
  const results: CheckResult[] = [];
  const words = {
    ...sa,
    cluster: s.cluster?.name,
    sourceRoleArn: s.sourceRole?.arn,
    targetRoleArn: s.role?.arn,
  };
  if (s.unavailable?.associations !== undefined) {
    results.push(runCheck(C.associationPresent, words, "skip", s.unavailable.associations));
  } else {
    const association = s.associations.find(
      (a) => a.namespace === sa.namespace && a.serviceAccount === sa.name,
    );
    results.push(
      runCheck(
        C.associationPresent,
        words,
        association !== undefined,
        association
          ? `association ${sa.namespace}/${sa.name}: roleArn ${association.roleArn ?? "?"}, targetRoleArn ${association.targetRoleArn ?? "none"}`
          : `associations: ${s.associations.map((a) => `${a.namespace}/${a.serviceAccount}`).join(", ") || "none"}`,
      ),
    );
    if (association) {
      const detail =
        `targetRoleArn ${describeValue(association.targetRoleArn)} (account-b's role ${s.role?.arn ?? "?"}); roleArn ` +
        `${describeValue(association.roleArn)} (the source role ${s.sourceRole?.arn ?? "?"})`;
      const target = association.targetRoleArn !== undefined && association.targetRoleArn === s.role?.arn;
      // A source role not known yet, for a stated reason, leaves the roleArn unchecked (skip); an
      // unknown one without a reason never matches (two missing ARNs are not the same role).
      const sourceUnknown = s.sourceRole === undefined ? s.unavailable?.issuer : undefined;
      results.push(
        runCheck(
          C.associationTarget,
          words,
          !target
            ? false
            : sourceUnknown !== undefined
              ? "skip"
              : association.roleArn !== undefined && association.roleArn === s.sourceRole?.arn,
          target && sourceUnknown !== undefined ? `${detail}: ${sourceUnknown}` : detail,
        ),
        runCheck(
          C.associationSessionTags,
          sa,
          association.disableSessionTags !== true,
          association.disableSessionTags === true ? "disableSessionTags is true" : "session tags on",
        ),
      );
    }
  }
  const annotation = sa.annotations[ROLE_ARN_ANNOTATION];
  results.push(
    runCheck(
      C.serviceAccountPlain,
      sa,
      annotation === undefined,
      annotation === undefined ? "no role-arn annotation" : `annotated ${annotation}`,
    ),
  );
  if (s.unavailable?.workloads !== undefined) return results;
  results.push(...workloadChecks(s, sa, C));
  return results;
}

/** The words of a check on a ServiceAccount when there is none to check. */
const NO_SUBJECT = { namespace: "?", name: "?" };
const NO_SUBJECT_WHY = "no ServiceAccount to check: account-a runs none and account-b trusts none (link 2)";

/** The subjects the chain is checked for: the ServiceAccount the workloads run as, or every trusted one. */
function subjects(s: PodIdentitySnapshot): ServiceAccountRef[] {
  return s.serviceAccount ? [s.serviceAccount] : s.trusted;
}

/**
 * The session tags EKS passes for a ServiceAccount of the cluster, or why there are none: no
 * ServiceAccount to check (`skip`, link 2 says why), or a cluster ARN or name that no tag can carry.
 */
function sessionTags(
  cluster: string,
  sa: ServiceAccountRef | undefined,
): { tags: Record<string, string> } | { status: "skip" | "fail"; why: string } {
  if (sa === undefined) return { status: "skip", why: NO_SUBJECT_WHY };
  try {
    return { tags: podIdentitySessionTags(cluster, sa) };
  } catch (e) {
    return { status: "fail", why: e instanceof Error ? e.message : String(e) };
  }
}

/** Link 3's trust half: EKS (pods.eks.amazonaws.com) may assume the source role with the cluster's session tags. */
function sourceTrustChecks(
  s: PodIdentitySnapshot,
  cluster: string,
  trustJson: string | undefined,
  live: { live?: boolean; sourceRoleArn?: string },
): CheckResult[] {
  const tags = sessionTags(cluster, subjects(s)[0]);
  if ("why" in tags) {
    return [runCheck(C.sourceTrust, { ...live, cluster, action: "sts:AssumeRole" }, tags.status, tags.why)];
  }
  const trust = parsePolicy(trustJson);
  const review = s.live && trust ? reviewSourceTrust(trust, POD_IDENTITY_SERVICE, cluster) : undefined;
  const reviewed = review
    ? [
        runCheck(
          C.sourceTrustNarrow,
          { fixes: review.fixes, sourceRoleArn: live.sourceRoleArn },
          review.status,
          review.detail,
        ),
      ]
    : [];
  return [
    ...reviewed,
    ...POD_IDENTITY_ACTIONS.map((action) => {
      const decision = trust
        ? s.live
          ? liveServiceTrust(s, trust, action, tags.tags)
          : tryServiceTrust(trust, POD_IDENTITY_SERVICE, action, tags.tags)
        : {
            decision: "ImplicitDeny" as const,
            reason: "the source role's trust policy is unknown, not JSON or has a key twice",
          };
      const { status, detail } =
        s.live && trust
          ? liveTrustResult(decision, trust, { action, context: tags.tags })
          : { status: decision.decision === "Allow", detail: decision.reason };
      return runCheck(C.sourceTrust, { ...live, cluster, action }, status, detail);
    }),
  ];
}

/** Link 3: EKS may assume the source role for this cluster, and the source role may chain into the target. */
function sourceRoleLink(s: PodIdentitySnapshot): CheckResult[] {
  const stop = s.live ? liveSourceRoleStop(s) : undefined;
  if (stop) return stop;
  const cluster = s.cluster?.arn;
  const live = s.live ? { live: true, sourceRoleArn: s.sourceRole?.arn } : {};
  if (s.unavailable?.issuer !== undefined) {
    return [runCheck(C.sourceTrust, { cluster, action: "sts:AssumeRole" }, "skip", s.unavailable.issuer)];
  }
  if (cluster === undefined || s.sourceRole === undefined) {
    // Not marked unavailable: missing, so the chain is broken here (fail closed).
    const missing = [
      cluster === undefined ? "clusterArn" : "",
      s.sourceRole === undefined ? "sourceRoleArn" : "",
    ];
    const why = `account-a exports no ${missing.filter((m) => m !== "").join(" and no ")}`;
    return [runCheck(C.sourceTrust, { cluster, action: "sts:AssumeRole" }, false, why)];
  }
  const results = sourceTrustChecks(s, cluster, s.sourceRole.trustPolicy, live);
  if (s.unavailable?.sourcePermission !== undefined) {
    results.push(
      runCheck(C.sourcePermission, { action: "sts:AssumeRole" }, "skip", s.unavailable.sourcePermission),
    );
    return results;
  }
  const docs = Object.values(s.sourceRole.permissionPolicies).map((json) => parsePolicy(json));
  for (const action of POD_IDENTITY_ACTIONS) {
    const target = s.live?.targetRoleArn ?? s.role?.arn;
    const readable = docs.filter((d) => d !== undefined);
    const allowed: Outcome =
      target !== undefined && readable.length > 0 && readable.length === docs.length
        ? s.live
          ? liveSourcePermission(s, readable, action, target)
          : tryAccess(readable, action, target)
        : {
            decision: "ImplicitDeny" as const,
            reason: "the source role has no permission policy to chain with",
          };
    results.push(
      runCheck(
        C.sourcePermission,
        { ...live, action, targetRoleArn: target },
        statusOf(allowed, allowed.decision === "Allow"),
        detailOf(allowed),
      ),
    );
  }
  return results;
}

/** Link 4: the target role trusts the source role for the ServiceAccount's session tags of this cluster. */
function targetTrustLink(s: PodIdentitySnapshot): CheckResult[] {
  const stop = s.live ? liveTargetTrustStop(s) : undefined;
  if (stop) return stop;
  const cluster = s.cluster?.arn;
  const live = s.live
    ? { live: true, sourceRoleArn: s.sourceRole?.arn, cluster, targetRoleArn: s.live.targetRoleArn }
    : {};
  // Live: the external id EKS passes with the target role (a trust may require it as sts:ExternalId).
  const externalId = s.live ? associationOf(s)?.externalId : undefined;
  const unavailable = s.unavailable?.trust ?? s.unavailable?.issuer;
  if (unavailable !== undefined) {
    const params = { ...(subjects(s)[0] ?? NO_SUBJECT), action: "sts:AssumeRole" };
    // Live, the trust is missing only because AWS refused to give it: undecided, with how to let the doctor read.
    return [
      s.live && s.unavailable?.trust !== undefined
        ? undecidedRead(C.targetTrust, params, unavailable)
        : runCheck(C.targetTrust, params, "skip", unavailable),
    ];
  }
  const trust = parsePolicy(s.role?.trustPolicy);
  const results: CheckResult[] = [];
  if (subjects(s).length === 0) {
    results.push(
      runCheck(C.targetTrust, { ...live, ...NO_SUBJECT, action: "sts:AssumeRole" }, "skip", NO_SUBJECT_WHY),
    );
  }
  const reviewFor = subjects(s)[0];
  const review =
    s.live && trust && s.sourceRole && reviewFor
      ? reviewTargetTrust(trust, s.sourceRole.arn, reviewFor)
      : undefined;
  if (review) {
    results.push(
      runCheck(
        C.targetTrustNarrow,
        { fixes: review.fixes, targetRoleArn: s.live?.targetRoleArn },
        review.status,
        review.detail,
      ),
    );
  }
  for (const sa of subjects(s)) {
    const tags = cluster !== undefined ? sessionTags(cluster, sa) : { tags: {} };
    if ("why" in tags) {
      results.push(
        runCheck(C.targetTrust, { ...live, ...sa, action: "sts:AssumeRole" }, tags.status, tags.why),
      );
      continue;
    }
    for (const action of POD_IDENTITY_ACTIONS) {
      const context = {
        ...tags.tags,
        ...(cluster !== undefined && externalId !== undefined ? { "sts:ExternalId": externalId } : {}),
      };
      const decision =
        trust && cluster !== undefined && s.sourceRole !== undefined
          ? s.live
            ? liveRoleTrust(s, trust, s.sourceRole.arn, action, context, externalId)
            : tryRoleTrust(trust, s.sourceRole.arn, action, context)
          : {
              decision: "ImplicitDeny" as const,
              reason: "the target role's trust policy, the cluster or the source role is unknown",
            };
      const { status, detail } =
        s.live && trust && s.sourceRole
          ? liveTrustResult(decision, trust, { action, context, sourceRoleArn: s.sourceRole.arn })
          : { status: decision.decision === "Allow", detail: decision.reason };
      results.push(runCheck(C.targetTrust, { ...live, ...sa, action }, status, detail));
    }
  }
  // Live, the trusted subjects are the one ServiceAccount asked about: nothing to compare.
  if (s.serviceAccount && !s.live) {
    const sa = s.serviceAccount;
    const listed = s.trusted.some((t) => t.namespace === sa.namespace && t.name === sa.name);
    results.push(
      runCheck(
        C.serviceAccountTrusted,
        sa,
        listed,
        `account-b trusts ${s.trusted.map((t) => `${t.namespace}/${t.name}`).join(", ") || "none"}`,
      ),
    );
  }
  return results;
}

/**
 * Checks the five links of the EKS Pod Identity chain on a snapshot. Every failing check names its
 * link and carries the catalogue's fix; facts the snapshot marks unavailable give skipped checks.
 */
export function checkPodIdentityChain(s: PodIdentitySnapshot): CheckResult[] {
  return [
    ...agentLink(s),
    ...associationLink(s),
    ...sourceRoleLink(s),
    ...targetTrustLink(s),
    ...(s.live ? livePermissionLink(s, 4) : plannedPermissionLink(s)),
  ];
}
