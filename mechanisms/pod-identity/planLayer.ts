/**
 * Pod Identity's plan layer (see ../planLayer.ts): its planned collector, its access matrix and its
 * tables.
 */
import { Mechanism } from "../../components/mechanism";
import { twoRoleMatrix, type PlanLayer } from "../planLayer";
import { POD_IDENTITY_CHECKS } from "./catalogue";
import { buildPodIdentityMatrix } from "./matrix";
import { collectPodIdentitySnapshot } from "./plan";
import { podIdentityMatrixTables } from "./render";

export const POD_IDENTITY_PLAN: PlanLayer<typeof Mechanism.PodIdentity> = {
  name: Mechanism.PodIdentity,
  collect: collectPodIdentitySnapshot,
  matrix: (chain, planned) =>
    twoRoleMatrix(
      chain.sourceRole,
      chain.role?.arn,
      planned,
      chain.cluster !== undefined && chain.bucketName !== undefined,
      "the runs plan no cluster ARN, source role, target role or bucket name to evaluate against",
      (documents) =>
        buildPodIdentityMatrix({
          configs: planned.configs,
          clusterArn: chain.cluster!.arn,
          bucketName: chain.bucketName!,
          ...documents,
        }),
    ),
  matrixTables: podIdentityMatrixTables,
  words: {
    accountBDocuments: "IAM documents (account-b: the target role)",
    links: "EKS Pod Identity chain links (offline)",
    sourceRole: "IAM documents (account-a: the Pod Identity source role)",
  },
  // EKS's session of the source role (account A) assumes the target role (account B).
  checksPartitions: true,
  // With IRSA's (or the chain's) annotation on the ServiceAccount, pods take that path first; the
  // annotation is the other path's, checked by its chain, and goes in the migration's step 2.
  standby: (results, chain, podPath) => {
    const sa = chain.serviceAccount;
    if (!sa) return [...results];
    const plain = POD_IDENTITY_CHECKS.serviceAccountPlain.title(sa);
    return results.map((r) => {
      if (r.check !== plain || r.status !== "fail") return r;
      const { fix: _fix, ...rest } = r;
      return {
        ...rest,
        status: "skip",
        detail:
          `${r.detail}: standby path: the pods take ${podPath} first (podCredentialPath); this path is set up and unused ` +
          `until the binding drops ${podPath} (docs/migration.md)`,
      };
    });
  },
};
