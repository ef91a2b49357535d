/**
 * The Pod Identity chain as account-a is about to build it (its second update): account-b's target
 * role, trust and permission as exported, the source role and its planned permission, the planned
 * associations and the plain ServiceAccount; checked with the chain's own checks before anything
 * is registered, and again once the cluster's ARN is known. Pure.
 */
import { policyJson } from "../../components/policyDocument";
import {
  buildPodIdentitySourcePermissionPolicy,
  buildPodIdentitySourceTrustPolicy,
} from "../../components/podIdentityPolicies";
import { type ServiceAccountRef } from "../../components/trustPolicy";
import { type PodIdentitySnapshot } from "../../chain/snapshot";
import { accountBSnapshotFacts, type AccountBOutputs } from "../../stacks/crossStack";
import { checkChain } from "../registry";
import { assertChain } from "../results";

/** What account-a knows of its own side when it checks. */
export interface PodIdentitySide {
  /** The cluster's ARN, once the cluster exists (an Output before). */
  clusterArn?: string;
  clusterName?: string;
  /** The source role's ARN, once it exists. */
  sourceRoleArn?: string;
  /** Whether this stack installs the agent add-on (false: an adopted cluster must have it). */
  installsAgent: boolean;
  adoptedCluster: boolean;
}

/** The snapshot of the chain account-a is about to build. */
export function plannedPodIdentityChain(
  b: AccountBOutputs,
  serviceAccount: ServiceAccountRef,
  deployProbe: boolean,
  side: PodIdentitySide,
): PodIdentitySnapshot {
  const known = side.clusterArn !== undefined && side.sourceRoleArn !== undefined;
  return {
    mechanism: "pod-identity",
    ...(side.clusterArn !== undefined
      ? { cluster: { arn: side.clusterArn, ...(side.clusterName ? { name: side.clusterName } : {}) } }
      : {}),
    agent: side.installsAgent ? { installed: true, adopted: side.adoptedCluster } : { adopted: true },
    ...(known
      ? {
          sourceRole: {
            arn: side.sourceRoleArn!,
            trustPolicy: policyJson(buildPodIdentitySourceTrustPolicy({ clusterArn: side.clusterArn! })),
            permissionPolicies: {
              "assume-target-role": policyJson(
                buildPodIdentitySourcePermissionPolicy({ targetRoleArn: b.roleArn }),
              ),
            },
          },
        }
      : {}),
    ...accountBSnapshotFacts(b),
    // The associations CrossAccountPodIdentity registers: one per trusted service account.
    associations: b.serviceAccounts.map((sa) => ({
      namespace: sa.namespace,
      serviceAccount: sa.name,
      ...(side.sourceRoleArn !== undefined ? { roleArn: side.sourceRoleArn } : {}),
      targetRoleArn: b.roleArn,
    })),
    serviceAccount: { ...serviceAccount, annotations: {} },
    workloads: [],
    deployProbe,
    unavailable: {
      ...(!known ? { issuer: "known once the cluster and the source role exist (checked again then)" } : {}),
      workloads: "registered after this check",
      ...(b.trustPolicy === undefined ? { trust: "account-b exports no trustPolicy" } : {}),
      ...(b.accessPolicy === undefined ? { permission: "account-b exports no accessPolicy" } : {}),
    },
  };
}

/** Checks the Pod Identity chain account-a is about to build; throws a `ChainError` naming broken links. */
export function checkPlannedPodIdentityChain(
  b: AccountBOutputs,
  serviceAccount: ServiceAccountRef,
  deployProbe: boolean,
  side: PodIdentitySide,
): void {
  assertChain(
    "account-a, before registering",
    checkChain(plannedPodIdentityChain(b, serviceAccount, deployProbe, side)),
  );
}
