/**
 * Link 1 of the Pod Identity chain on live facts: podIdentityLive.ts's cluster and add-on checks, and,
 * when the cluster has no add-on (and is not Auto Mode), the agent run as a self-managed DaemonSet.
 */
import { POD_IDENTITY_CHECKS as C } from "./catalogue";
import { liveAgentLink } from "./live";
import { runCheck, type CheckResult } from "../../chain/result";
import { type PodIdentitySnapshot } from "../../chain/snapshot";

/** The DaemonSet a self-managed agent runs as (the agent's Helm chart; AWS: pod-id-agent-setup). */
const AGENT_DAEMONSET = "kube-system/eks-pod-identity-agent";

/**
 * Link 1, live, when the cluster has no add-on (and is not Auto Mode): the agent may run as a
 * self-managed DaemonSet (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html:
 * "an agent pod that runs on each node"), read through the Kubernetes API. Fails only when neither is
 * there; undecided when the cluster could not be read. Replaces liveAgentLink's failed add-on check.
 */
function selfManagedAgent(s: PodIdentitySnapshot, missing: CheckResult): CheckResult[] {
  const live = s.live!;
  const ds = live.agentDaemonSet;
  const cluster = live.cluster.name;
  const noAddon = missing.detail;
  if (ds === undefined) {
    const reason = s.unavailable?.cluster;
    if (reason === undefined) return [missing];
    return [
      runCheck(
        C.agentSelfManaged,
        { cluster, unreadable: true },
        "warn",
        `${noAddon}; the cluster was not read (${reason}): a self-managed DaemonSet ${AGENT_DAEMONSET} was not looked for`,
      ),
    ];
  }
  if ("error" in ds) {
    return [
      runCheck(
        C.agentSelfManaged,
        { cluster, unreadable: true },
        "warn",
        `${noAddon}; the DaemonSet ${AGENT_DAEMONSET} could not be read: ${ds.error}`,
      ),
    ];
  }
  if (!ds.found) return [{ ...missing, detail: `${noAddon}; and no DaemonSet ${AGENT_DAEMONSET}` }];
  const ready = ds.ready ?? 0;
  const desired = ds.desired ?? 0;
  return [
    runCheck(
      C.agentSelfManaged,
      { cluster },
      ready === 0 ? false : ready < desired ? "warn" : true,
      `no add-on; DaemonSet ${AGENT_DAEMONSET}: ${ready} of ${desired} pod(s) ready` +
        (ds.image !== undefined ? ` (${ds.image})` : ""),
    ),
  ];
}

/** Link 1, live: the cluster, its add-on, or else its self-managed DaemonSet. */
export function liveAgentChecks(s: PodIdentitySnapshot): CheckResult[] {
  const results = liveAgentLink(s);
  const live = s.live!;
  const addonMissing =
    live.cluster.error === undefined &&
    live.addon === undefined &&
    live.addonError === undefined &&
    live.cluster.autoMode !== true;
  const i = results.findIndex((r) => r.link === "agent" && r.status === "fail");
  if (!addonMissing || i < 0) return results;
  return [...results.slice(0, i), ...selfManagedAgent(s, results[i]), ...results.slice(i + 1)];
}
