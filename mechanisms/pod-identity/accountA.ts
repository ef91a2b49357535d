/**
 * Pod Identity's account-a wiring (`pod-identity`). First update (also before account-b exists):
 * the eks-pod-identity-agent add-on (unless the cluster is adopted and `cluster.podIdentityAgent`
 * does not ask for it) and the source role trusted by the cluster's EKS Pod Identity. Once
 * account-b has outputs: the source role's permission to chain into account-b's target role, one
 * association per trusted service account, and a plain ServiceAccount, all waiting for the chain's
 * check once the cluster's and the source role's ARNs are known. Thin: the documents are
 * components/podIdentity*.ts's.
 */
import * as pulumi from "@pulumi/pulumi";
import { CrossAccountPodIdentity } from "../../components/crossAccountPodIdentity";
import { PodIdentityAgent } from "../../components/podIdentityAgent";
import { PodIdentityServiceAccount } from "../../components/podIdentityServiceAccount";
import { PodIdentitySourceRole } from "../../components/podIdentitySourceRole";
import type { AccountAConfig } from "../../stacks/config";
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
      /**
       * The cluster's and the source role's ARNs are known only once they exist: the chain is checked
       * again then (account-b's target trust names them), and the source role's permission, the
       * associations and every Kubernetes resource wait for that check.
       */
      workload: ({ b, serviceAccount, createNamespace }) => {
        const roleArn = pulumi
          .all([cluster.clusterArn, cluster.clusterName, sourceRole.roleArn])
          .apply(([clusterArn, clusterName, sourceRoleArn]) => {
            checkPlannedPodIdentityChain(b, serviceAccount, config.deployProbe, {
              ...side,
              clusterArn,
              clusterName,
              sourceRoleArn,
            });
            return b.roleArn;
          });
        const identity = new CrossAccountPodIdentity(
          "pod-identity",
          {
            clusterName: cluster.clusterName,
            sourceRoleArn: sourceRole.roleArn,
            targetRoleArn: roleArn,
            serviceAccounts: b.serviceAccounts,
          },
          { providers: { aws }, dependsOn: agent ? [agent] : [] },
        );
        const sa = new PodIdentityServiceAccount(
          "pod-identity-service-account",
          {
            namespace: roleArn.apply(() => serviceAccount.namespace),
            name: serviceAccount.name,
            createNamespace,
          },
          { providers: { kubernetes: cluster.kubernetesProvider }, dependsOn: [cluster] },
        );
        // The pods' template carries the association's ARN: a new association gives new pods.
        const associationArn = identity.associationArns.apply((arns) => {
          const arn = arns[`${serviceAccount.namespace}/${serviceAccount.name}`];
          if (arn === undefined) {
            throw new Error(
              `no Pod Identity association for ${serviceAccount.namespace}/${serviceAccount.name} among account-b's serviceAccounts`,
            );
          }
          return arn;
        });
        return { roleArn, ready: [sa, identity], associationArn };
      },
    };
  },
  issuerCheck: "account-b's target role trusts this cluster's source role",
};
