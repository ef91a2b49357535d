/**
 * PodIdentitySourceRole (account A): the role EKS Pod Identity assumes first (the association's
 * `roleArn`), trusted by `pods.eks.amazonaws.com` for one cluster only. Its permission to chain into
 * the target role comes later, from `CrossAccountPodIdentity`, once the target role exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { inArgsTerms } from "./errors";
import { argChecks, checked, requireArgs } from "./inputs";
import { policyJson } from "./policyDocument";
import { buildPodIdentitySourceTrustPolicy } from "./podIdentityPolicies";
import { checkRoleSettings, registerRole } from "./roleResources";

/** The description {@link PodIdentitySourceRole} gives its role unless `args.description` says otherwise. */
export const POD_IDENTITY_SOURCE_ROLE_DESCRIPTION =
  "EKS Pod Identity source role (managed by cross-account-irsa)";

/** Arguments of {@link PodIdentitySourceRole}. */
export interface PodIdentitySourceRoleArgs {
  /**
   * The cluster whose Pod Identity associations may use the role: the `eks-cluster-arn` session tag
   * EKS passes must equal it.
   * @default none (required)
   */
  clusterArn: pulumi.Input<string>;
  /**
   * The role's name.
   * @default an auto-generated name (`<component name>-<random suffix>`)
   */
  roleName?: pulumi.Input<string>;
  /**
   * The role's IAM path.
   * @default "/"
   */
  path?: pulumi.Input<string>;
  /**
   * Description of the role.
   * @default "EKS Pod Identity source role (managed by cross-account-irsa)"
   */
  description?: pulumi.Input<string>;
  /**
   * ARN of a managed policy that bounds the role's permissions.
   * @default none
   */
  permissionsBoundary?: pulumi.Input<string>;
  /**
   * Tags for the role.
   * @default {}
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * The source role of EKS Pod Identity cross-account, in the cluster's account: the service
 * `pods.eks.amazonaws.com` may `sts:AssumeRole` and `sts:TagSession` only with this cluster's
 * `eks-cluster-arn` session tag. It holds no permission of its own until `CrossAccountPodIdentity`
 * lets it chain into the target role.
 */
export class PodIdentitySourceRole extends pulumi.ComponentResource {
  /** The role's ARN: the association's `roleArn`, and the principal the target role trusts. */
  public readonly roleArn: pulumi.Output<string>;
  /** The role's name. */
  public readonly roleName: pulumi.Output<string>;
  /** The trust policy JSON, exactly as sent to IAM. */
  public readonly trustPolicy: pulumi.Output<string>;

  constructor(name: string, args: PodIdentitySourceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    const { trust, role } = argChecks(() => {
      requireArgs(args);
      const trust = checked(args.clusterArn, (clusterArn) =>
        inArgsTerms(() => policyJson(buildPodIdentitySourceTrustPolicy({ clusterArn })), {
          clusterArn: "args.clusterArn",
        }),
      );
      const role = checkRoleSettings({
        roleName: args.roleName,
        path: args.path,
        permissionsBoundary: args.permissionsBoundary,
      });
      return { trust, role };
    });
    super("cross-account-irsa:index:PodIdentitySourceRole", name, {}, opts);

    const created = registerRole(
      name,
      this,
      role,
      trust,
      args.description ?? POD_IDENTITY_SOURCE_ROLE_DESCRIPTION,
      args.tags,
    );
    this.roleArn = created.roleArn;
    this.roleName = created.role.name;
    this.trustPolicy = trust;
    this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName, trustPolicy: this.trustPolicy });
  }
}
