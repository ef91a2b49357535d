/**
 * PodIdentityAgent (account A): the `eks-pod-identity-agent` EKS add-on, the DaemonSet that hands
 * pods the credentials of their Pod Identity association.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { InputError } from "./errors";
import { checked, requireArgs } from "./inputs";
import { validateEksClusterName } from "./validation";

import { POD_IDENTITY_AGENT_ADDON } from "./podIdentityPolicies";

export { POD_IDENTITY_AGENT_ADDON };

/** Arguments of {@link PodIdentityAgent}. */
export interface PodIdentityAgentArgs {
  /**
   * The cluster to install the add-on on.
   * @default none (required)
   */
  clusterName: pulumi.Input<string>;
  /**
   * The add-on version (`aws eks describe-addon-versions --addon-name eks-pod-identity-agent`).
   * @default the default version EKS picks for the cluster's Kubernetes version
   */
  addonVersion?: pulumi.Input<string>;
  /**
   * Tags for the add-on.
   * @default {}
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * Installs the `eks-pod-identity-agent` add-on. The agent runs on EC2 Linux nodes only (not on
 * Fargate or Windows nodes, where pods need IRSA). On a cluster that already has the add-on,
 * creating it again fails: import it (`pulumi import aws:eks/addon:Addon ...`) or leave it out.
 */
export class PodIdentityAgent extends pulumi.ComponentResource {
  /** The add-on's name, `eks-pod-identity-agent`. */
  public readonly addonName: pulumi.Output<string>;
  /** The installed version. */
  public readonly addonVersion: pulumi.Output<string>;

  constructor(name: string, args: PodIdentityAgentArgs, opts?: pulumi.ComponentResourceOptions) {
    requireArgs(args);
    const clusterName = checked(args.clusterName, (n) => validateEksClusterName("args.clusterName", n));
    const version = checked(args.addonVersion ?? "", (v) => {
      if (typeof v !== "string" || (v !== "" && !/^v\d+\.\d+\.\d+-eksbuild\.\d+$/.test(v))) {
        throw new InputError("args.addonVersion", v, "must be an add-on version like v1.3.8-eksbuild.2");
      }
      return v;
    });
    super("cross-account-irsa:index:PodIdentityAgent", name, {}, opts);

    const addon = new aws.eks.Addon(
      name,
      {
        clusterName,
        addonName: POD_IDENTITY_AGENT_ADDON,
        addonVersion: version.apply((v) => (v === "" ? undefined : v)),
        tags: args.tags,
      },
      { parent: this },
    );
    this.addonName = addon.addonName;
    this.addonVersion = addon.addonVersion;
    this.registerOutputs({ addonName: this.addonName, addonVersion: this.addonVersion });
  }
}
