/**
 * The Pod Identity links as the doctor checks them on live facts (`snapshot.live`): the cluster and
 * its add-on as EKS describes them, the association as EKS lists it, the ServiceAccount and the
 * environment EKS injected into its pods, and what stops the source-role and target-trust links
 * before they evaluate anything (a role that could not be read, a cluster not found). Each runs only
 * with live facts; words and fixes come from the catalogue, the shared checks are podIdentity.ts's.
 */
import { describeValue } from "../../components/errors";
import { evaluateResourcePolicy, evaluateServiceTrust } from "../../components/evaluate";
import { type PolicyDocument } from "../../components/policyDocument";
import { POD_IDENTITY_SERVICE } from "../../components/podIdentityPolicies";
import { ROLE_ARN_ANNOTATION } from "../../components/serviceAccountAnnotations";
import { POD_IDENTITY_CHECKS as C } from "./catalogue";
import { detailOf, statusOf, type Outcome } from "../../chain/evaluation";
import { explainDecision } from "../../chain/explain";
import { IRSA_ENV, checkPods } from "../../chain/livePods";
import { credentialPathOf, credentialPathProblems } from "../../components/credentialPath";
import { runCheck, undecidedRead, type CheckResult, type CheckStatus } from "../../chain/result";
import { type PodIdentityAssociationFacts, type PodIdentitySnapshot } from "../../chain/snapshot";

/** The credentials endpoint EKS injects (AWS_CONTAINER_CREDENTIALS_FULL_URI): the agent, IPv4 or IPv6. */
export const POD_IDENTITY_CREDENTIALS_URIS = [
  "http://169.254.170.23/v1/credentials",
  "http://[fd00:ec2::23]/v1/credentials",
];
/**
 * The two variables EKS injects into the containers of an associated ServiceAccount's pods.
 *
 * @internal exported for the tests only
 */
export const POD_IDENTITY_ENV = [
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];
/** Add-on states that are on their way to ACTIVE: undecided, not broken. */
const TRANSITIONAL = ["CREATING", "UPDATING"];

/** The ServiceAccount the chain names (the one read from the cluster, else the one asked for). */
function subject(s: PodIdentitySnapshot): { namespace: string; name: string } {
  const sa = s.serviceAccount ?? s.trusted[0];
  return { namespace: sa?.namespace ?? "?", name: sa?.name ?? "?" };
}

/** The association of the chain's ServiceAccount, if EKS has one. */
export function associationOf(s: PodIdentitySnapshot): PodIdentityAssociationFacts | undefined {
  const sa = subject(s);
  return s.associations.find((a) => a.namespace === sa.namespace && a.serviceAccount === sa.name);
}

/** Why what needs the cluster is skipped: it does not exist, or it could not be read (link 1 says which). */
function clusterUnknown(live: NonNullable<PodIdentitySnapshot["live"]>): string {
  return live.cluster.unreadable
    ? "the cluster could not be read (link 1)"
    : "the cluster was not found (link 1)";
}

/** Link 1, live: the cluster is found, and runs the agent (its add-on, or EKS Auto Mode's built-in one). */
export function liveAgentLink(s: PodIdentitySnapshot): CheckResult[] {
  const live = s.live!;
  const cluster = `${live.cluster.name} (${live.cluster.region})`;
  if (live.cluster.error !== undefined)
    return [
      live.cluster.unreadable
        ? undecidedRead(C.clusterFound, { cluster }, live.cluster.error)
        : runCheck(C.clusterFound, { cluster }, false, live.cluster.error),
    ];
  const results = [
    runCheck(
      C.clusterFound,
      { cluster },
      true,
      `${s.cluster?.arn ?? "?"}${live.cluster.accountId !== undefined ? `, account ${live.cluster.accountId}` : ""}`,
    ),
  ];
  const words = { live: true, cluster: live.cluster.name };
  const addon = live.addon;
  if (live.addonError !== undefined) {
    results.push(runCheck(C.agentInstalled, { ...words, unreadable: true }, "warn", live.addonError));
  } else if (addon !== undefined) {
    const described =
      `add-on eks-pod-identity-agent ${addon.version ?? "(version unknown)"}, status ${addon.status ?? "unknown"}` +
      (addon.issues.length > 0 ? `; health issues: ${addon.issues.join("; ")}` : "");
    const status = addon.status ?? "unknown";
    results.push(
      runCheck(
        C.agentInstalled,
        { ...words, ...(status !== "ACTIVE" ? { status } : {}) },
        status === "ACTIVE" ? true : TRANSITIONAL.includes(status) ? "warn" : false,
        described,
      ),
    );
  } else if (live.cluster.autoMode === true) {
    results.push(
      runCheck(
        C.agentInstalled,
        words,
        true,
        "EKS Auto Mode: the cluster runs the agent itself (no add-on needed)",
      ),
    );
  } else {
    results.push(
      runCheck(
        C.agentInstalled,
        words,
        false,
        live.addonMissing ?? "the cluster has no eks-pod-identity-agent add-on",
      ),
    );
  }
  return results;
}

/** Link 2, live: the pods that run as the ServiceAccount got Pod Identity's environment, and not IRSA's. */
export function podsCheck(s: PodIdentitySnapshot): CheckResult[] {
  return checkPods(C.podsInjected, s.serviceAccount, s.live?.pods, (where, env) => {
    const problems: string[] = [];
    const missing = POD_IDENTITY_ENV.filter((k) => env[k] === undefined);
    const uri = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
    if (missing.length > 0) {
      problems.push(
        `${where}: no ${missing.join(", ")} (created before the association, or EKS did not inject it)`,
      );
    } else if (!POD_IDENTITY_CREDENTIALS_URIS.includes(uri)) {
      problems.push(
        `${where}: AWS_CONTAINER_CREDENTIALS_FULL_URI is ${describeValue(uri)}, not the agent's ${POD_IDENTITY_CREDENTIALS_URIS[0]}`,
      );
    }
    const irsa = IRSA_ENV.filter((k) => env[k] !== undefined);
    if (irsa.length > 0) {
      problems.push(
        `${where}: also has ${irsa.join(", ")} (IRSA), which the AWS SDKs use before Pod Identity`,
      );
    }
    // Static keys or a profile an SDK reads before the container endpoint (IRSA's is reported above).
    if (missing.length === 0) {
      const path = credentialPathOf(env);
      const others = credentialPathProblems(path, "container", ["web-identity"]);
      problems.push(...others.map((p) => `${where}: ${p}`));
    }
    return problems;
  });
}

/** Link 2, live: EKS has the association, into the right roles, with session tags; the ServiceAccount and its pods. */
export function liveAssociationLink(s: PodIdentitySnapshot): CheckResult[] {
  const live = s.live!;
  const sa = subject(s);
  const association = associationOf(s);
  const expectedSource = live.expectedSourceRoleArn;
  const words = {
    live: true,
    ...sa,
    cluster: live.cluster.name,
    targetRoleArn: live.targetRoleArn,
    ...(association?.roleArn !== undefined || expectedSource !== undefined
      ? { sourceRoleArn: expectedSource ?? association!.roleArn }
      : {}),
    ...(association?.associationId !== undefined ? { associationId: association.associationId } : {}),
  };
  const results: CheckResult[] = [];
  if (live.cluster.error !== undefined) {
    results.push(runCheck(C.associationPresent, words, "skip", clusterUnknown(live)));
  } else if (live.associationsError !== undefined) {
    results.push(
      runCheck(C.associationPresent, { ...words, unreadable: true }, "warn", live.associationsError),
    );
  } else {
    results.push(
      runCheck(
        C.associationPresent,
        words,
        association !== undefined,
        association
          ? `association ${association.associationId ?? "?"}: roleArn ${association.roleArn ?? "?"}, targetRoleArn ${association.targetRoleArn ?? "none"}`
          : `ListPodIdentityAssociations for namespace ${sa.namespace}, service account ${sa.name}: none`,
      ),
    );
    if (association) {
      const sourceOk = expectedSource === undefined || association.roleArn === expectedSource;
      results.push(
        runCheck(
          C.associationTarget,
          words,
          association.targetRoleArn === live.targetRoleArn && sourceOk,
          `targetRoleArn ${describeValue(association.targetRoleArn)} (the target role ${live.targetRoleArn}); roleArn ` +
            `${describeValue(association.roleArn)}` +
            (expectedSource !== undefined
              ? ` (the source role ${expectedSource})`
              : " (the source role, link 3)"),
        ),
        runCheck(
          C.associationSessionTags,
          words,
          association.disableSessionTags !== true,
          association.disableSessionTags === true ? "disableSessionTags is true" : "session tags on",
        ),
      );
    }
  }
  if (s.unavailable?.cluster !== undefined) {
    const reason = s.unavailable.cluster;
    return [
      ...results,
      runCheck(
        C.serviceAccountPlain,
        sa,
        "skip",
        `${reason}: would have checked that it exists without an ${ROLE_ARN_ANNOTATION} annotation`,
      ),
      runCheck(
        C.podsInjected,
        sa,
        "skip",
        `${reason}: would have checked that its pods have ${POD_IDENTITY_ENV.join(" and ")}`,
      ),
    ];
  }
  if (s.serviceAccount === undefined) {
    return [
      ...results,
      runCheck(
        C.serviceAccountPresent,
        { live: true, ...sa },
        false,
        `no ServiceAccount ${sa.name} in namespace ${sa.namespace}`,
      ),
    ];
  }
  const annotation = s.serviceAccount.annotations[ROLE_ARN_ANNOTATION];
  results.push(
    runCheck(
      C.serviceAccountPlain,
      sa,
      annotation === undefined,
      annotation === undefined ? "no role-arn annotation" : `annotated ${annotation}`,
    ),
    ...podsCheck(s),
  );
  return results;
}

/**
 * Link 3, live: why the source role cannot be evaluated, when it cannot (the cluster not found, no
 * association naming it, the role not readable); undefined when it can.
 */
export function liveSourceRoleStop(s: PodIdentitySnapshot): CheckResult[] | undefined {
  const live = s.live!;
  const words = { live: true, action: "sts:AssumeRole", ...(s.cluster ? { cluster: s.cluster.arn } : {}) };
  if (live.cluster.error !== undefined || s.cluster === undefined) {
    return [runCheck(C.sourceTrust, words, "skip", clusterUnknown(live))];
  }
  if (s.sourceRole === undefined) {
    return [
      runCheck(
        C.sourceTrust,
        words,
        "skip",
        "no association names a source role (link 2), and none was given (--source-role-arn)",
      ),
    ];
  }
  if (live.sourceRoleError !== undefined) {
    return [
      runCheck(
        C.sourceTrust,
        { ...words, sourceRoleArn: s.sourceRole.arn },
        false,
        `the source role could not be read: ${live.sourceRoleError}`,
      ),
    ];
  }
  if (s.unavailable?.sourceRole !== undefined) {
    return [
      undecidedRead(C.sourceTrust, { ...words, sourceRoleArn: s.sourceRole.arn }, s.unavailable.sourceRole),
    ];
  }
  return undefined;
}

/** Link 4, live: why the target trust cannot be evaluated, when it cannot; undefined when it can. */
export function liveTargetTrustStop(s: PodIdentitySnapshot): CheckResult[] | undefined {
  const live = s.live!;
  const words = {
    live: true,
    ...subject(s),
    action: "sts:AssumeRole",
    targetRoleArn: live.targetRoleArn,
    ...(s.sourceRole ? { sourceRoleArn: s.sourceRole.arn } : {}),
    ...(s.cluster ? { cluster: s.cluster.arn } : {}),
  };
  if (live.roleError !== undefined) {
    return [runCheck(C.targetTrust, words, false, `the target role could not be read: ${live.roleError}`)];
  }
  if (live.cluster.error !== undefined || s.cluster === undefined) {
    return [runCheck(C.targetTrust, words, "skip", clusterUnknown(live))];
  }
  if (s.sourceRole === undefined) {
    return [runCheck(C.targetTrust, words, "skip", "no association names a source role (link 2)")];
  }
  return undefined;
}

/**
 * A live trust decision as a check's status and detail: an explicit deny fails, a statement the
 * evaluator cannot read is undecided (warn), and a deny says for each statement which part does not
 * match (the principal, or which condition, what it expects and what EKS sends).
 */
export function liveTrustResult(
  outcome: Outcome,
  doc: PolicyDocument,
  request: { action: string; context: Record<string, string>; sourceRoleArn?: string },
): { status: CheckStatus; detail: string } {
  const status = statusOf(outcome, outcome.decision === "Allow");
  if (outcome.decision === "ExplicitDeny") return { status, detail: outcome.reason };
  if (status !== "fail") return { status, detail: detailOf(outcome) };
  const { action, context, sourceRoleArn } = request;
  const detail =
    sourceRoleArn === undefined
      ? explainDecision(doc, {
          evaluate: (d) => evaluateServiceTrust(d, { service: POD_IDENTITY_SERVICE, action, context }),
          principal: { Service: POD_IDENTITY_SERVICE },
          context,
        })
      : explainDecision(doc, {
          evaluate: (d) =>
            evaluateResourcePolicy(d, { principalArn: sourceRoleArn, action, context }, "trust"),
          principal: { AWS: sourceRoleArn },
          // What STS sees of the caller, for the words of a condition on it.
          context: { "aws:PrincipalArn": sourceRoleArn, ...context },
        });
  return { status: "fail", detail };
}
