/**
 * IRSA's account-a wiring (`irsa`): nothing of its own before account-b has outputs (the provider
 * and the role are account B's); then the binding's ServiceAccount annotated with account-b's role,
 * once the cluster's issuer is known and the links that need it pass. Thin: the binding
 * (`BucketAccessBinding`, registered by stacks/accountA.ts) annotates it.
 */
import { serviceAccountComponent } from "../../stacks/singleGrantAliases";
import { type AccountALayer } from "../stackLayer";
import { checkPlannedChain, checkProviderMatchesIssuer } from "./crossStack";

/** IRSA's account-a layer. */
export const IRSA_ACCOUNT_A: AccountALayer = {
  checkBeforeRegistering: (config, b, serviceAccount) =>
    checkPlannedChain(b, serviceAccount, config.deployProbe),
  register: ({ config, cluster }) => ({
    outputs: {},
    /**
     * The issuer is known only once the cluster exists: the links that need it (the issuer,
     * account-b's provider for it) are checked then, and the binding's handoff takes the role ARN
     * from that check, so no resource of it is registered, created or updated while a link is broken.
     */
    binding: ({ b, serviceAccount }) => ({
      roleArn: cluster.oidcIssuerUrl.apply((issuer) => {
        if (b.oidcProviderArn) checkProviderMatchesIssuer(config.accountBStack, b.oidcProviderArn, issuer);
        checkPlannedChain(b, serviceAccount, config.deployProbe, issuer);
        return b.roleArn;
      }),
      args: {},
      dependsOn: [],
      // Before the binding: an IrsaServiceAccount component named "irsa-service-account".
      childAliases: serviceAccountComponent(
        "cross-account-irsa:index:IrsaServiceAccount",
        "irsa-service-account",
      ),
    }),
  }),
  issuerCheck: "account-b's OIDC provider matches this cluster's issuer",
};
