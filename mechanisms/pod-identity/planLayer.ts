/**
 * Pod Identity's plan layer (see ../planLayer.ts): its planned collector, its access matrix and its
 * tables.
 */
import { Mechanism } from "../../components/mechanism";
import { plannedSourceRole } from "../../plan/collect";
import { type PlanLayer } from "../planLayer";
import { buildPodIdentityMatrix } from "./matrix";
import { collectPodIdentitySnapshot } from "./plan";
import { podIdentityMatrixTables } from "./render";

export const POD_IDENTITY_PLAN: PlanLayer<typeof Mechanism.PodIdentity> = {
  name: Mechanism.PodIdentity,
  collect: collectPodIdentitySnapshot,
  matrix: (chain, { configs, trustPolicy, permissionPolicies }) => {
    const sourceRole = plannedSourceRole(chain.sourceRole);
    if (!sourceRole || !chain.cluster || !chain.role || !chain.bucketName) {
      return {
        ...(sourceRole ? { sourceRole } : {}),
        matrix: {
          missing:
            "the runs plan no cluster ARN, source role, target role or bucket name to evaluate against",
        },
      };
    }
    return {
      sourceRole,
      matrix: buildPodIdentityMatrix({
        configs,
        clusterArn: chain.cluster.arn,
        sourceRoleArn: sourceRole.arn,
        sourceTrust: sourceRole.trustPolicy.doc,
        sourcePermissions: sourceRole.permissionPolicies.map((p) => p.doc),
        targetRoleArn: chain.role.arn,
        targetTrust: trustPolicy.doc,
        permissionPolicies: permissionPolicies.map((p) => p.doc),
        bucketName: chain.bucketName,
      }),
    };
  },
  matrixTables: podIdentityMatrixTables,
  words: {
    accountBDocuments: "IAM documents (account-b: the target role)",
    links: "EKS Pod Identity chain links (offline)",
    sourceRole: "IAM documents (account-a: the Pod Identity source role)",
  },
  // EKS's session of the source role (account A) assumes the target role (account B).
  checksPartitions: true,
};
