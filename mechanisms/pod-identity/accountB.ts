/**
 * Pod Identity's account-b wiring (`pod-identity`): the target role trusting account-a's source
 * role for the exact service accounts' session tags (and its cluster), with the grant's S3 policy.
 * Thin: the trust is `PodIdentityTargetRole`'s.
 */
import { PodIdentityTargetRole } from "../../components/podIdentityTargetRole";
import { type AccountBLayer } from "../stackLayer";

/** What account-b logs when it previews before account-a has the outputs it needs. */
export const PREVIEW_WITHOUT_SOURCE_ROLE =
  "account-a has no clusterArn and sourceRoleArn outputs yet: this preview shows what account-b will create once " +
  "account-a exists, with the target role's trust policy unknown until then";

/** Pod Identity's account-b layer. */
export const POD_IDENTITY_ACCOUNT_B: AccountBLayer = {
  accountAOutputs: ["clusterArn", "sourceRoleArn"],
  optionalAccountAOutputs: [],
  previewWithout: PREVIEW_WITHOUT_SOURCE_ROLE,
  facts: (known) => ({ clusterArn: known?.[0], sourceRoleArn: known?.[1] }),
  register: ({ config, values: [clusterArn, sourceRoleArn], role, aws }) => {
    const target = new PodIdentityTargetRole(
      "pod-identity-target",
      {
        ...role,
        sourceRoleArn,
        clusterArn,
        serviceAccounts: config.serviceAccounts,
        description: `EKS Pod Identity target role for ${config.serviceAccounts.length} service account(s) of ${config.accountAStack} (cross-account-irsa)`,
      },
      { providers: { aws } },
    );
    return {
      roleArn: target.roleArn,
      roleName: target.roleName,
      trustPolicy: target.trustPolicy,
      sourceRoleArn,
      clusterArn,
    };
  },
};
