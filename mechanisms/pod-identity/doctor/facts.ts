/**
 * Pure helpers of the Pod Identity collector: EKS's answers (DescribeAddon, DescribeCluster,
 * DescribePodIdentityAssociation) turned into the chain's facts. Unit-tested without AWS.
 */
import { roleArnParts } from "../../../components/arn";
import { type Addon, type Cluster, type PodIdentityAssociation } from "@aws-sdk/client-eks";
import { type PodIdentityAssociationFacts, type PodIdentityLiveFacts } from "../../../chain";

/** The add-on as the agent check needs it: its status, version and health issues in words. */
export function addonFacts(addon: Addon | undefined): NonNullable<PodIdentityLiveFacts["addon"]> {
  return {
    ...(addon?.status !== undefined ? { status: addon.status } : {}),
    ...(addon?.addonVersion !== undefined ? { version: addon.addonVersion } : {}),
    issues: (addon?.health?.issues ?? []).map(
      (i) =>
        `${i.code ?? "?"}: ${i.message ?? ""}`.trim() +
        (i.resourceIds && i.resourceIds.length > 0 ? ` (${i.resourceIds.join(", ")})` : ""),
    ),
  };
}

/** Whether DescribeCluster says the cluster runs EKS Auto Mode (whose nodes run the agent themselves). */
export function isAutoMode(cluster: Cluster | undefined): boolean {
  return cluster?.computeConfig?.enabled === true;
}

/** An association as DescribePodIdentityAssociation gives it. */
export function associationFacts(a: PodIdentityAssociation): PodIdentityAssociationFacts {
  return {
    namespace: a.namespace ?? "",
    serviceAccount: a.serviceAccount ?? "",
    ...(a.roleArn !== undefined ? { roleArn: a.roleArn } : {}),
    ...(a.targetRoleArn !== undefined ? { targetRoleArn: a.targetRoleArn } : {}),
    ...(a.disableSessionTags !== undefined ? { disableSessionTags: a.disableSessionTags } : {}),
    ...(a.associationId !== undefined ? { associationId: a.associationId } : {}),
    ...(a.externalId !== undefined ? { externalId: a.externalId } : {}),
  };
}

/**
 * Why the doctor cannot read a source role: it reads it with the cluster's account's credentials
 * (--profile-a), and IAM's GetRole takes a name and answers for the caller's account, so a role of
 * another account would be confused with A's role of the same name. Undefined when it can.
 */
export function sourceRoleAccountProblem(sourceRoleArn: string, clusterAccount: string): string | undefined {
  const account = roleArnParts(sourceRoleArn)?.account;
  if (account === clusterAccount) return undefined;
  return (
    `${sourceRoleArn} is ${account === undefined ? "not a role ARN" : `in account ${account}`}, not the cluster's ` +
    `account ${clusterAccount}: EKS Pod Identity assumes the association's roleArn in the cluster's account`
  );
}
