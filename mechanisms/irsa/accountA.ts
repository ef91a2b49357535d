/**
 * IRSA's account-a wiring (`irsa`): nothing of its own before account-b has outputs (the provider
 * and the role are account B's); then the ServiceAccount annotated with account-b's role, once the
 * cluster's issuer is known and the links that need it pass. Thin: the annotation is
 * `IrsaServiceAccount`'s.
 */
import { IrsaServiceAccount } from "../../components/irsaServiceAccount";
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
     * account-b's provider for it) are checked then, and every Kubernetes resource takes the role ARN
     * from that check, so none is registered, created or updated while a link is broken.
     */
    workload: ({ b, serviceAccount, createNamespace }) => {
      const roleArn = cluster.oidcIssuerUrl.apply((issuer) => {
        if (b.oidcProviderArn) checkProviderMatchesIssuer(config.accountBStack, b.oidcProviderArn, issuer);
        checkPlannedChain(b, serviceAccount, config.deployProbe, issuer);
        return b.roleArn;
      });
      const sa = new IrsaServiceAccount(
        "irsa-service-account",
        {
          // Through the check too, so that not even the Namespace is created while a link is broken.
          namespace: roleArn.apply(() => serviceAccount.namespace),
          name: serviceAccount.name,
          roleArn,
          createNamespace,
        },
        { providers: { kubernetes: cluster.kubernetesProvider }, dependsOn: [cluster] },
      );
      return { roleArn, ready: [sa] };
    },
  }),
  issuerCheck: "account-b's OIDC provider matches this cluster's issuer",
};
