/**
 * Pod Identity's account-a wiring (`pod-identity`). First update (also before account-b exists):
 * the eks-pod-identity-agent add-on (unless the cluster is adopted and `cluster.podIdentityAgent`
 * does not ask for it) and the source role trusted by the cluster's EKS Pod Identity. Once
 * account-b has outputs, the binding (stacks/accountA.ts) adopts that source role and registers its
 * permission to chain into account-b's target role, one association per trusted service account,
 * and a plain ServiceAccount, all waiting for the chain's check once the cluster's and the source
 * role's ARNs are known. Thin: the documents are components/podIdentity*.ts's.
 */
import * as pulumi from "@pulumi/pulumi";
import { PodIdentityAgent } from "../../components/podIdentityAgent";
import { PodIdentitySourceRole } from "../../components/podIdentitySourceRole";
import type { AccountAConfig } from "../../stacks/config";
import { serviceAccountComponent, topLevel } from "../../stacks/singleGrantAliases";
import { type AccountALayer } from "../stackLayer";
import { checkPlannedPodIdentityChain, type PodIdentitySide } from "./crossStack";

/**
 * What account-a's config says of the agent: this stack installs it when `cluster.podIdentityAgent`
 * says so, or (unset) when it creates the cluster; an adopted cluster must run it already.
 */
function podIdentitySide(config: AccountAConfig): PodIdentitySide {
  const adopted = config.cluster.existingName !== undefined;
  return { installsAgent: config.podIdentityAgent ?? !adopted, adoptedCluster: adopted };
}

/** Pod Identity's account-a layer. */
export const POD_IDENTITY_ACCOUNT_A: AccountALayer = {
  checkBeforeRegistering: (config, b, serviceAccount) =>
    checkPlannedPodIdentityChain(b, serviceAccount, config.deployProbe, podIdentitySide(config)),
  register: ({ config, cluster, aws }) => {
    const side = podIdentitySide(config);
    const agent = side.installsAgent
      ? new PodIdentityAgent(
          "pod-identity-agent",
          { clusterName: cluster.clusterName },
          { providers: { aws } },
        )
      : undefined;
    const sourceRole = new PodIdentitySourceRole(
      "pod-identity-source",
      { clusterArn: cluster.clusterArn },
      { providers: { aws } },
    );
    return {
      outputs: {
        sourceRoleArn: sourceRole.roleArn,
        podIdentityAgent: side.installsAgent
          ? "installed by this stack"
          : "not installed by this stack: the adopted cluster must run the eks-pod-identity-agent add-on",
      },
      sourceRoleArn: sourceRole.roleArn,
      /**
       * The cluster's and the source role's ARNs are known only once they exist: the chain is checked
       * again then (account-b's target trust names them), and the binding (the source role's
       * permission, the associations, every Kubernetes resource) waits for that check. The binding
       * adopts the source role registered above (on the first update, before account-b had outputs)
       * and associates every service account account-b trusts, as this layer always did: account-b's
       * target role trusts each of them, and an association is the cluster's, not the ServiceAccount's.
       */
      binding: ({ b, serviceAccount }) => ({
        roleArn: pulumi
          .all([cluster.clusterArn, cluster.clusterName, sourceRole.roleArn])
          .apply(([clusterArn, clusterName, sourceRoleArn]) => {
            checkPlannedPodIdentityChain(b, serviceAccount, config.deployProbe, {
              ...side,
              clusterArn,
              clusterName,
              sourceRoleArn,
            });
            return b.roleArn;
          }),
        args: {
          clusterName: cluster.clusterName,
          podIdentitySourceRoleArn: sourceRole.roleArn,
          podIdentityServiceAccounts: b.serviceAccounts.map((sa) => ({
            namespace: sa.namespace,
            name: sa.name,
          })),
        },
        dependsOn: agent ? [agent] : [],
        // Before the binding: top-level CrossAccountPodIdentity and PodIdentityServiceAccount components.
        childAliases: {
          ...serviceAccountComponent(
            "cross-account-irsa:index:PodIdentityServiceAccount",
            "pod-identity-service-account",
          ),
          podIdentity: topLevel("pod-identity", "cross-account-irsa:index:CrossAccountPodIdentity"),
        },
      }),
    };
  },
  issuerCheck: "account-b's target role trusts this cluster's source role",
};
