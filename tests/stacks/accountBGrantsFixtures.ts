/**
 * What the grants-mode account-b tests share: account-a's outputs as its StackReference supplies them,
 * and a stack file in grants mode.
 */
import { parseStackConfig } from "../../stacks/stackFile";

export const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
export const ACCOUNT_A = "111122223333";
export const ACCOUNT_B = "444455556666";
export const CLUSTER_ARN = `arn:aws:eks:eu-west-1:${ACCOUNT_A}:cluster/platform`;
export const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${ISSUER.slice("https://".length)}`;
export const A_STACK = "organization/cross-account-irsa/account-a";
export const B_STACK = "organization/cross-account-irsa/account-b";
/** account-a's outputs in grants mode, before its bindings (its first update). */
export const A_OUTPUTS = {
  oidcIssuerUrl: ISSUER,
  oidcThumbprint: "",
  clusterArn: CLUSTER_ARN,
  mode: "grants",
};

/** A stack file in grants mode: account B pinned, `grants` as given, then `extra` lines. */
export function grantsConfig(grants: unknown[], extra = ""): Record<string, string> {
  return parseStackConfig(
    `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["${ACCOUNT_B}"]\n` +
      `  cross-account-irsa:grants: ${JSON.stringify(grants)}\n${extra}`,
    "Pulumi.account-b.yaml",
  ).config;
}
