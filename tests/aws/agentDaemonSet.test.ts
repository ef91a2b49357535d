/**
 * The Pod Identity agent run as a self-managed DaemonSet (kube-system/eks-pod-identity-agent, as the
 * agent's Helm chart installs it) instead of the EKS add-on: read through the Kubernetes API stand-in
 * when DescribeAddon says there is no add-on. Link 1 fails only when neither is there.
 */
import { expect } from "chai";
import { type V1DaemonSet } from "@kubernetes/client-node";
import { world } from "./support/hooks";
import { PI_EXPLICIT, doctor, failing } from "./support/run";

const DS_PATH = "/apis/apps/v1/namespaces/kube-system/daemonsets/eks-pod-identity-agent";

/** The agent's DaemonSet as the API server returns it, with `ready` of `desired` pods ready. */
function agentDaemonSet(desired: number, ready: number): V1DaemonSet {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "eks-pod-identity-agent", namespace: "kube-system" },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/name": "eks-pod-identity-agent" } },
      template: {
        metadata: { labels: { "app.kubernetes.io/name": "eks-pod-identity-agent" } },
        spec: {
          containers: [
            {
              name: "eks-pod-identity-agent",
              image: "602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/eks-pod-identity-agent:0.1.29",
            },
          ],
        },
      },
    },
    status: {
      currentNumberScheduled: desired,
      desiredNumberScheduled: desired,
      numberMisscheduled: 0,
      numberReady: ready,
    },
  };
}

const run = (base = [...PI_EXPLICIT, "--kubeconfig", world().kubeconfigFile]) => doctor([], { base });
const agent = (r: Awaited<ReturnType<typeof run>>) => r.links.filter((l) => l.link === "agent");

describe("npm run doctor --mechanism pod-identity: the agent as a self-managed DaemonSet", function () {
  this.timeout(60000);

  it("no add-on, a ready DaemonSet: link 1 passes (exit 0), read with one GET", async () => {
    await world().buildPodIdentity({ agent: "none" });
    world().kube.state.daemonSets = [agentDaemonSet(2, 2)];
    const r = await run();
    expect(r.code, JSON.stringify(failing(r), null, 2)).to.equal(0);
    const check = agent(r)[1];
    expect(check.status).to.equal("pass");
    expect(check.check).to.equal(
      "cluster demo runs the eks-pod-identity-agent as a self-managed DaemonSet (kube-system/eks-pod-identity-agent)",
    );
    expect(check.detail).to.equal(
      "no add-on; DaemonSet kube-system/eks-pod-identity-agent: 2 of 2 pod(s) ready " +
        "(602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/eks-pod-identity-agent:0.1.29)",
    );
    expect(r.calls).to.include(`k8s GET ${DS_PATH}`);
    expect(world().kube.requests).to.include(`GET ${DS_PATH}`);
  });

  it("no add-on, a DaemonSet without a ready pod: link 1 fails with how to see why", async () => {
    await world().buildPodIdentity({ agent: "none" });
    world().kube.state.daemonSets = [agentDaemonSet(2, 0)];
    const r = await run();
    expect(r.code).to.equal(1);
    const [hit] = failing(r);
    expect(hit.link).to.equal("agent");
    expect(hit.detail).to.match(/: 0 of 2 pod\(s\) ready/);
    expect(hit.fix).to.match(
      /^see why its pods are not ready \(kubectl describe daemonset eks-pod-identity-agent/,
    );
  });

  it("no add-on and no DaemonSet: link 1 fails, saying both were looked for", async () => {
    await world().buildPodIdentity({ agent: "none" });
    const r = await run();
    expect(r.code).to.equal(1);
    const [hit] = failing(r);
    expect(hit.link).to.equal("agent");
    expect(hit.detail).to.match(
      /^DescribeAddon eks-pod-identity-agent: ResourceNotFoundException: .*; and no DaemonSet kube-system\/eks-pod-identity-agent$/,
    );
  });

  it("no add-on and the DaemonSet unreadable (403): undecided, a warning naming the read (exit 1: not a pass)", async () => {
    await world().buildPodIdentity({ agent: "none" });
    world().kube.state.forbidden = [DS_PATH];
    const r = await run();
    // An undecided check (warn) is not a pass: the doctor exits 1 (docs/doctor.md, "Exit codes").
    expect(r.code).to.equal(1);
    const check = agent(r)[1];
    expect(check.status).to.equal("warn");
    expect(check.detail).to.match(
      /; the DaemonSet kube-system\/eks-pod-identity-agent could not be read: GET daemonset kube-system\/eks-pod-identity-agent: HTTP 403/,
    );
    expect(check.fix).to.match(/^let the doctor read it \(kubectl auth can-i get daemonsets -n kube-system/);
  });

  it("no add-on with --no-cluster: undecided (the DaemonSet was not looked for), never a pass", async () => {
    await world().buildPodIdentity({ agent: "none" });
    const r = await run([...PI_EXPLICIT, "--no-cluster"]);
    const check = agent(r)[1];
    expect(check.status).to.equal("warn");
    expect(check.detail).to.match(
      /the cluster was not read .*: a self-managed DaemonSet kube-system\/eks-pod-identity-agent was not looked for$/,
    );
    expect(r.calls.filter((c) => c.startsWith("k8s "))).to.deep.equal([]);
  });
});
