/**
 * IRSA-chained's account-a wiring (`irsa-chained`). First update (also before account-b exists):
 * account A's IAM OIDC provider for the cluster's issuer (created, or adopted) and the source role
 * trusting the service accounts exactly. Once account-b has outputs: the source role's permission to
 * assume the target role (the same component, given `targetRoleArn`); the binding
 * (stacks/accountA.ts) adopts the source role for the ServiceAccount's annotation and the SDK config
 * file's ConfigMap, whose pod wiring the probe takes. Thin: the documents are components/chained*.ts's.
 */
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_CHAINED_CONFIG_MAP } from "../../components/chainedProfileConfigMap";
import { ChainedSourceRole } from "../../components/chainedSourceRole";
import { ClusterOidcProvider } from "../../components/clusterOidcProvider";
import { InputError } from "../../components/errors";
import { type ServiceAccountRef } from "../../components/trustPolicy";
import { key } from "../../stacks/configSource";
import { serviceAccountComponent, topLevel } from "../../stacks/singleGrantAliases";
import { type AccountALayer } from "../stackLayer";
import { type IrsaChainedAccountAConfig } from "./config";
import { plannedIrsaChainedProblems } from "./crossStack";

/** What the mechanism needs of account-a's cluster. */
export interface ChainedCluster {
  oidcIssuerUrl: pulumi.Output<string>;
  oidcThumbprint: pulumi.Output<string>;
}

/** The first part's input. */
export interface IrsaChainedSourceInput {
  cluster: ChainedCluster;
  config: IrsaChainedAccountAConfig;
  /** The service accounts the source role trusts: account-b's when it has outputs, else account-a's own. */
  serviceAccounts: ServiceAccountRef[];
  /** account-b's target role, once account-b has outputs. */
  targetRoleArn?: pulumi.Input<string>;
  aws: pulumi.ProviderResource;
}

/** The first part: the provider in A and the source role (with its chain permission once B exists). */
export function irsaChainedSource(input: IrsaChainedSourceInput): {
  provider: ClusterOidcProvider;
  sourceRole: ChainedSourceRole;
  outputs: Record<string, unknown>;
} {
  const { cluster, config, aws } = input;
  const thumbprint = cluster.oidcThumbprint.apply((t) => (t ? [t] : []));
  const provider = new ClusterOidcProvider(
    "irsa-chained-oidc",
    {
      issuerUrl: cluster.oidcIssuerUrl,
      thumbprints: thumbprint,
      ...(config.existingOidcProviderArn !== undefined
        ? { existingProviderArn: config.existingOidcProviderArn }
        : {}),
    },
    { providers: { aws } },
  );
  const sourceRole = new ChainedSourceRole(
    "irsa-chained-source",
    {
      oidcProviderArn: provider.arn,
      issuerUrl: cluster.oidcIssuerUrl,
      serviceAccounts: input.serviceAccounts,
      ...(input.targetRoleArn !== undefined ? { targetRoleArn: input.targetRoleArn } : {}),
      ...(config.sourceRoleName !== undefined ? { roleName: config.sourceRoleName } : {}),
    },
    { providers: { aws } },
  );
  return {
    provider,
    sourceRole,
    outputs: { sourceRoleArn: sourceRole.roleArn, oidcProviderArn: provider.arn },
  };
}

/** Throws a chain problem found before registering (the message names each broken link and its fix). */
function throwProblem(problem: string | undefined): void {
  if (problem !== undefined) throw new Error(problem);
}

/** IRSA-chained's account-a layer. */
export const IRSA_CHAINED_ACCOUNT_A: AccountALayer = {
  checkBeforeRegistering: (config, b, serviceAccount) =>
    throwProblem(plannedIrsaChainedProblems(b, serviceAccount, config.deployProbe, {})),
  register: ({ config, cluster, b, aws }) => {
    // The source role trusts account-b's service accounts; before account-b exists, account-a's own.
    const trusted = b?.serviceAccounts ?? (config.serviceAccount ? [config.serviceAccount] : undefined);
    if (trusted === undefined) {
      throw new InputError(
        key("serviceAccount"),
        undefined,
        'is required with mechanism "irsa-chained" until account-b has outputs: the source role this update ' +
          "creates trusts that service account (then exactly account-b's serviceAccounts)",
      );
    }
    const source = irsaChainedSource({
      cluster,
      config: config.irsaChained ?? {},
      serviceAccounts: trusted,
      ...(b ? { targetRoleArn: b.roleArn } : {}),
      aws,
    });
    return {
      outputs: source.outputs,
      sourceRoleArn: source.sourceRole.roleArn,
      /**
       * The issuer, account A's provider and the source role are known only once they exist: the
       * chain is checked again then, and the binding (the annotated ServiceAccount, the config file's
       * ConfigMap, the probe) waits for that check. The binding adopts the source role registered
       * above (on the first update, before account-b had outputs, under a generated name unless
       * `sourceRoleName` fixes it), which also holds its permission on account-b's role.
       */
      binding: ({ b: outputs, serviceAccount }) => ({
        roleArn: pulumi
          .all([cluster.oidcIssuerUrl, source.provider.arn, source.sourceRole.roleArn])
          .apply(([issuerUrl, providerArn, sourceRoleArn]) => {
            throwProblem(
              plannedIrsaChainedProblems(outputs, serviceAccount, config.deployProbe, {
                issuerUrl,
                providerArn,
                sourceRoleArn,
              }),
            );
            return outputs.roleArn;
          }),
        args: {
          chainedSourceRoleArn: source.sourceRole.roleArn,
          // The name this layer's ConfigMap always had (the component's default).
          chainedConfigMapName: DEFAULT_CHAINED_CONFIG_MAP,
        },
        dependsOn: [source.sourceRole],
        // Before the binding: top-level IrsaServiceAccount and ChainedProfileConfigMap components.
        childAliases: {
          ...serviceAccountComponent(
            "cross-account-irsa:index:IrsaServiceAccount",
            "irsa-chained-service-account",
          ),
          profile: topLevel("irsa-chained-profile", "cross-account-irsa:index:ChainedProfileConfigMap"),
        },
      }),
    };
  },
  issuerCheck: "account-b's target role trusts this cluster's IRSA source role",
};
