/**
 * IRSA-chained's plan layer (see ../planLayer.ts): its planned collector, its access matrix and its
 * tables.
 */
import { Mechanism } from "../../components/mechanism";
import { plannedSourceRole } from "../../plan/collect";
import { type PlanLayer } from "../planLayer";
import { buildIrsaChainedMatrix } from "./matrix";
import { collectIrsaChainedSnapshot } from "./plan";
import { irsaChainedMatrixTables } from "./render";

export const IRSA_CHAINED_PLAN: PlanLayer<typeof Mechanism.IrsaChained> = {
  name: Mechanism.IrsaChained,
  collect: (passes, configs) => collectIrsaChainedSnapshot(passes, configs.a.deployProbe),
  matrix: (chain, { configs, trustPolicy, permissionPolicies }) => {
    const sourceRole = plannedSourceRole(chain.sourceRole);
    if (!sourceRole || !chain.provider || !chain.role || !chain.bucketName) {
      return {
        ...(sourceRole ? { sourceRole } : {}),
        matrix: {
          missing:
            "the runs plan no OIDC provider in account A, source role, target role or bucket name to evaluate against",
        },
      };
    }
    return {
      sourceRole,
      matrix: buildIrsaChainedMatrix({
        configs,
        providerArn: chain.provider.arn,
        accountBId: configs.b.aws.allowedAccountIds?.[0],
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
  matrixTables: irsaChainedMatrixTables,
  words: {
    accountBDocuments: "IAM documents (account-b: the target role)",
    links: "IRSA with role chaining chain links (offline)",
    sourceRole: "IAM documents (account-a: the IRSA source role)",
  },
  // The source role's session (account A, from the pod's web identity) assumes the target role (B).
  checksPartitions: true,
};
