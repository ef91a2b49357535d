/**
 * IRSA's plan layer (see ../planLayer.ts): its planned collector, its access matrix and its table.
 */
import { Mechanism } from "../../components/mechanism";
import { PLACEHOLDER_ACCOUNT_ID } from "../../engine/placeholders";
import { str } from "../../plan/records";
import { noStandbyChecks, type PlanLayer } from "../planLayer";
import { buildIrsaMatrix } from "./matrix";
import { collectIrsaSnapshot } from "./plan";
import { irsaMatrixTables } from "./render";

export const IRSA_PLAN: PlanLayer<typeof Mechanism.Irsa> = {
  name: Mechanism.Irsa,
  collect: collectIrsaSnapshot,
  matrix: (chain, { configs, b, trustPolicy, permissionPolicies }) => {
    const providerArn = chain.provider?.arn ?? str(b.outputs.oidcProviderArn?.value);
    if (!providerArn || !chain.bucketName) {
      return {
        matrix: { missing: "account-b plans no OIDC provider ARN or bucket name to evaluate against" },
      };
    }
    return {
      matrix: buildIrsaMatrix({
        configs,
        providerArn,
        trustPolicy: trustPolicy.doc,
        permissionPolicies: permissionPolicies.map((p) => p.doc),
        bucketName: chain.bucketName,
        accountAId: configs.a.aws.allowedAccountIds?.[0] ?? PLACEHOLDER_ACCOUNT_ID,
      }),
    };
  },
  matrixTables: irsaMatrixTables,
  words: {
    accountBDocuments: "IAM documents (account-b)",
    links: "IRSA chain links (offline)",
    sourceRole: "IAM documents (account-a: the source role)",
  },
  // Account-b's role trusts an OIDC provider in B: no role session crosses from A to B.
  checksPartitions: false,
  // Every check of this path holds whichever path the pods take: it comes first (CREDENTIAL_PRECEDENCE).
  standby: noStandbyChecks,
};
