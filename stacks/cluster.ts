/**
 * account-a's cluster as both of its programs (single-grant and grants mode) register it: the
 * `WorkloadCluster` named `cluster` from the parsed `cross-account-irsa:cluster` object, its kubeconfig
 * authenticating exactly as the stack's AWS provider does, and the cluster outputs account-b reads.
 */
import type * as pulumi from "@pulumi/pulumi";
import { WorkloadCluster } from "../components/workloadCluster";
import { type AccountAConfig } from "./config";

/** The cluster and its stack outputs (`clusterName`, `clusterArn`, `oidcIssuerUrl`, `oidcThumbprint`, `kubeconfig`). */
export function registerCluster(
  config: Pick<AccountAConfig, "cluster" | "kubeconfig">,
  aws: pulumi.ProviderResource,
): { cluster: WorkloadCluster; outputs: Record<string, unknown> } {
  const cluster = new WorkloadCluster(
    "cluster",
    {
      existingClusterName: config.cluster.existingName,
      version: config.cluster.version,
      instanceType: config.cluster.instanceType,
      desiredCapacity: config.cluster.desiredCapacity,
      minSize: config.cluster.minSize,
      maxSize: config.cluster.maxSize,
      vpcId: config.cluster.vpcId,
      publicSubnetIds: config.cluster.publicSubnetIds,
      privateSubnetIds: config.cluster.privateSubnetIds,
      // The kubeconfig authenticates exactly as the stack's AWS provider does.
      kubeconfigProfile: config.kubeconfig.profile,
      kubeconfigRoleArn: config.kubeconfig.roleArn,
    },
    { providers: { aws } },
  );
  return {
    cluster,
    outputs: {
      clusterName: cluster.clusterName,
      clusterArn: cluster.clusterArn,
      oidcIssuerUrl: cluster.oidcIssuerUrl,
      oidcThumbprint: cluster.oidcThumbprint,
      kubeconfig: cluster.kubeconfig,
    },
  };
}
