/**
 * IRSA-chained's plan layer (see ../planLayer.ts): its planned collector, its access matrix and its
 * tables.
 */
import { Mechanism } from "../../components/mechanism";
import { noStandbyChecks, twoRoleMatrix, type PlanLayer } from "../planLayer";
import { buildIrsaChainedMatrix } from "./matrix";
import { collectIrsaChainedSnapshot } from "./plan";
import { irsaChainedMatrixTables } from "./render";

export const IRSA_CHAINED_PLAN: PlanLayer<typeof Mechanism.IrsaChained> = {
  name: Mechanism.IrsaChained,
  collect: (passes, configs) => collectIrsaChainedSnapshot(passes, configs.a.deployProbe),
  matrix: (chain, planned) =>
    twoRoleMatrix(
      chain.sourceRole,
      chain.role?.arn,
      planned,
      chain.provider !== undefined && chain.bucketName !== undefined,
      "the runs plan no OIDC provider in account A, source role, target role or bucket name to evaluate against",
      (documents) =>
        buildIrsaChainedMatrix({
          configs: planned.configs,
          providerArn: chain.provider!.arn,
          accountBId: planned.configs.b.aws.allowedAccountIds?.[0],
          bucketName: chain.bucketName!,
          ...(planned.boundServiceAccount ? { sourceTrusted: [planned.boundServiceAccount] } : {}),
          ...documents,
        }),
    ),
  matrixTables: irsaChainedMatrixTables,
  words: {
    accountBDocuments: "IAM documents (account-b: the target role)",
    links: "IRSA with role chaining chain links (offline)",
    sourceRole: "IAM documents (account-a: the IRSA source role)",
  },
  // The source role's session (account A, from the pod's web identity) assumes the target role (B).
  checksPartitions: true,
  // Every check of this path holds whichever path the pods take: it comes first (CREDENTIAL_PRECEDENCE).
  standby: noStandbyChecks,
};
