/**
 * ChainedTargetRole (account B): the role pods of IRSA with role chaining (`irsa-chained`) end up as,
 * trusting exactly account A's source role (`buildChainedTargetTrustPolicy`), with its permission
 * policies (the same S3 policy as the other mechanisms). Account B needs no OIDC provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { buildChainedTargetTrustPolicy } from "./chainedPolicies";
import { inArgsTerms } from "./errors";
import { argChecks, checked, requireArgs } from "./inputs";
import { policyJson } from "./policyDocument";
import { checkRoleSettings, registerRole } from "./roleResources";
import { MAX_TRUST_POLICY_QUOTA } from "./trustPolicy";
import { validateInteger } from "./validation";

/** The description {@link ChainedTargetRole} gives its role unless `args.description` says otherwise. */
export const CHAINED_TARGET_ROLE_DESCRIPTION =
  "IRSA chained target role, trusting another account's source role (managed by cross-account-irsa)";

/** Arguments of {@link ChainedTargetRole}. */
export interface ChainedTargetRoleArgs {
  /**
   * The source role in the cluster's account (account A's `sourceRoleArn`): the only principal
   * trusted, by `aws:PrincipalArn` under account A's root, so the role may not exist yet.
   * @default none (required)
   */
  sourceRoleArn: pulumi.Input<string>;
  /**
   * The trust policy size limit in characters as IAM counts them (raise only with the quota). A plain
   * number: it is checked before anything registers.
   * @default 2048
   */
  maxTrustPolicySize?: number;
  /**
   * The role's name. Fixed names make the role ARN predictable.
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
   * @default "IRSA chained target role, trusting another account's source role (managed by cross-account-irsa)"
   */
  description?: pulumi.Input<string>;
  /**
   * Inline permission policies, by policy name: each a JSON policy document or an
   * `aws.iam.PolicyDocument` object (serialised with sorted keys). Together they must fit IAM's
   * 10,240 characters. The names must be known when the program runs (they name the child resources).
   * @default {}
   */
  // `any`, not `InlinePolicyInput`: Pulumi's schema analyzer refuses unions (see IrsaRole).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inlinePolicies?: Record<string, pulumi.Input<any>>;
  /**
   * ARNs of managed policies to attach, named by the policy when the ARN is plain.
   * @default []
   */
  managedPolicyArns?: pulumi.Input<string>[];
  /**
   * Managed policies to attach by stable key (`<name>-managed-<key>`).
   * @default {}
   */
  managedPolicies?: Record<string, pulumi.Input<string>>;
  /**
   * ARN of a managed policy that bounds the role's permissions.
   * @default none
   */
  permissionsBoundary?: pulumi.Input<string>;
  /**
   * Maximum session duration in seconds (3600 to 43200). Chained sessions are capped at one hour
   * whatever this says (IAM, "Role chaining"), so more has no effect for this mechanism.
   * @default 3600
   */
  maxSessionDuration?: pulumi.Input<number>;
  /**
   * Tags for the role.
   * @default {}
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * The target role of IRSA with role chaining: account A's root as principal, narrowed to the source
 * role by `ArnEquals aws:PrincipalArn`, `sts:AssumeRole` only.
 */
export class ChainedTargetRole extends pulumi.ComponentResource {
  /** The role's ARN: the chained profile's `role_arn`, what the probes expect to run as. */
  public readonly roleArn: pulumi.Output<string>;
  /** The role's name. */
  public readonly roleName: pulumi.Output<string>;
  /** The trust policy JSON, exactly as sent to IAM. */
  public readonly trustPolicy: pulumi.Output<string>;

  constructor(name: string, args: ChainedTargetRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    const { trust, role } = argChecks(() => {
      requireArgs(args);
      if (args.maxTrustPolicySize !== undefined) {
        validateInteger("args.maxTrustPolicySize", args.maxTrustPolicySize, 1, MAX_TRUST_POLICY_QUOTA);
      }
      const trust = checked(args.sourceRoleArn, (sourceRoleArn) =>
        inArgsTerms(
          () =>
            policyJson(
              buildChainedTargetTrustPolicy({
                sourceRoleArn,
                ...(args.maxTrustPolicySize !== undefined ? { maxSize: args.maxTrustPolicySize } : {}),
              }),
            ),
          { sourceRoleArn: "args.sourceRoleArn", maxSize: "args.maxTrustPolicySize" },
        ),
      );
      return { trust, role: checkRoleSettings(args) };
    });
    super("cross-account-irsa:index:ChainedTargetRole", name, {}, opts);

    const created = registerRole(
      name,
      this,
      role,
      trust,
      args.description ?? CHAINED_TARGET_ROLE_DESCRIPTION,
      args.tags,
    );
    this.roleArn = created.roleArn;
    this.roleName = created.role.name;
    this.trustPolicy = trust;
    this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName, trustPolicy: this.trustPolicy });
  }
}
