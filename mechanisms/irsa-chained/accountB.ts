/**
 * IRSA-chained's account-b wiring (`irsa-chained`): no OIDC provider; a target role trusting exactly
 * account-a's source role, with the grant's S3 policy. Thin: the trust is `ChainedTargetRole`'s.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ChainedTargetRole } from "../../components/chainedTargetRole";
import { type AccountBLayer } from "../stackLayer";

/** What account-b logs when it previews before account-a has the outputs it needs. */
export const PREVIEW_WITHOUT_CHAINED_SOURCE_ROLE =
  "account-a has no sourceRoleArn output yet: this preview shows what account-b will create once account-a " +
  "exists, with the target role's trust policy unknown until then";

/** What account-b's program hands the mechanism. */
export interface IrsaChainedAccountBInput {
  /** account-a's `sourceRoleArn` output (unknown in a preview before account-a exists). */
  sourceRoleArn: pulumi.Input<string>;
  /** account-a's stack, for the role's description. */
  accountAStack: string;
  /** The number of service accounts the grant names, for the role's description. */
  serviceAccountCount: number;
  /** The role's settings from account-b's config, and the S3 policy by name. */
  role: {
    roleName?: string;
    maxSessionDuration?: number;
    maxTrustPolicySize?: number;
    inlinePolicies: Record<string, pulumi.Input<string>>;
  };
  aws: pulumi.ProviderResource;
}

/** account-b's outputs of this mechanism. */
export interface IrsaChainedAccountBOutputs {
  roleArn: pulumi.Output<string>;
  roleName: pulumi.Output<string>;
  trustPolicy: pulumi.Output<string>;
  /** The source role the target role trusts (account-a reads it back to check it is its own). */
  sourceRoleArn: pulumi.Input<string>;
}

/** Registers the target role; its outputs for account-b's stack outputs. */
export function irsaChainedAccountB(input: IrsaChainedAccountBInput): IrsaChainedAccountBOutputs {
  const target = new ChainedTargetRole(
    "irsa-chained-target",
    {
      ...input.role,
      sourceRoleArn: input.sourceRoleArn,
      description:
        `IRSA chained target role for ${input.serviceAccountCount} service account(s) of ${input.accountAStack}, ` +
        "trusting its source role (cross-account-irsa)",
    },
    { providers: { aws: input.aws } },
  );
  return {
    roleArn: target.roleArn,
    roleName: target.roleName,
    trustPolicy: target.trustPolicy,
    sourceRoleArn: input.sourceRoleArn,
  };
}

/** IRSA-chained's account-b layer. */
export const IRSA_CHAINED_ACCOUNT_B: AccountBLayer = {
  accountAOutputs: ["sourceRoleArn"],
  optionalAccountAOutputs: [],
  previewWithout: PREVIEW_WITHOUT_CHAINED_SOURCE_ROLE,
  facts: (known) => ({ sourceRoleArn: known?.[0] }),
  register: ({ config, values: [sourceRoleArn], role, aws }) => {
    const target = irsaChainedAccountB({
      sourceRoleArn,
      accountAStack: config.accountAStack,
      serviceAccountCount: config.serviceAccounts.length,
      role,
      aws,
    });
    return {
      roleArn: target.roleArn,
      roleName: target.roleName,
      trustPolicy: target.trustPolicy,
      sourceRoleArn: target.sourceRoleArn,
    };
  },
};
