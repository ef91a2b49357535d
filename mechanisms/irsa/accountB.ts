/**
 * IRSA's account-b wiring (`irsa`): account B's IAM OIDC provider for account-a's issuer (created,
 * or adopted with `existingOidcProviderArn`) and the role trusting it for the exact service
 * accounts, with the grant's S3 policy. Thin: the trust is `IrsaRole`'s.
 */
import { ClusterOidcProvider } from "../../components/clusterOidcProvider";
import { IrsaRole } from "../../components/irsaRole";
import { type AccountBLayer } from "../stackLayer";

/** What account-b logs when it previews before account-a has the outputs it needs. */
export const PREVIEW_WITHOUT_ISSUER =
  "account-a has no oidcIssuerUrl output yet: this preview shows what account-b will create once account-a " +
  "exists, with the issuer (and what depends on it: the OIDC provider's URL, the trust policy) unknown until then";

/** IRSA's account-b layer. */
export const IRSA_ACCOUNT_B: AccountBLayer = {
  accountAOutputs: ["oidcIssuerUrl"],
  optionalAccountAOutputs: ["oidcThumbprint"],
  previewWithout: PREVIEW_WITHOUT_ISSUER,
  facts: (known) => ({ issuerUrl: known?.[0] }),
  register: ({ config, a, values: [issuerUrl], role, aws }) => {
    const thumbprint = a.oidcThumbprint;
    const provider = new ClusterOidcProvider(
      "cluster-oidc",
      {
        issuerUrl,
        thumbprints: typeof thumbprint === "string" && thumbprint.length > 0 ? [thumbprint] : [],
        existingProviderArn: config.existingOidcProviderArn,
      },
      { providers: { aws } },
    );
    const irsaRole = new IrsaRole(
      "irsa-role",
      {
        ...role,
        clusters: [{ oidcProviderArn: provider.arn, issuerUrl, serviceAccounts: config.serviceAccounts }],
        conditionTest: config.conditionTest,
        trustWholeNamespaces: config.trustWholeNamespaces,
        description: `IRSA role for ${config.serviceAccounts.length} service account(s) of ${config.accountAStack} (cross-account-irsa)`,
      },
      { providers: { aws } },
    );
    return {
      roleArn: irsaRole.roleArn,
      roleName: irsaRole.roleName,
      trustPolicy: irsaRole.trustPolicy,
      oidcProviderArn: provider.arn,
    };
  },
};
