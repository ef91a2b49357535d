/**
 * PodIdentityTargetRole (account B): the role EKS Pod Identity chains into from account A's source
 * role (the association's `targetRoleArn`), trusting exactly the configured service accounts of one
 * cluster, with its permission policies.
 */
import * as pulumi from "@pulumi/pulumi";
import { inArgsTerms } from "./errors";
import { argChecks, checked, isPlain, requireArgs } from "./inputs";
import { policyJson } from "./policyDocument";
import { buildPodIdentityTargetTrustPolicy, type PodIdentityTargetTrustOptions } from "./podIdentityPolicies";
import { checkRoleSettings, registerRole } from "./roleResources";
import { type ServiceAccountInput } from "./irsaRole";
import { MAX_TRUST_POLICY_QUOTA } from "./trustPolicy";
import { validateInteger } from "./validation";

/** The description {@link PodIdentityTargetRole} gives its role unless `args.description` says otherwise. */
export const POD_IDENTITY_TARGET_ROLE_DESCRIPTION =
  "EKS Pod Identity target role (managed by cross-account-irsa)";

/** The trust builder's field names, as the component's arguments name them. */
const ARGS_FIELDS = {
  sourceRoleArn: "args.sourceRoleArn",
  clusterArn: "args.clusterArn",
  serviceAccounts: "args.serviceAccounts",
  maxTrustPolicySize: "args.maxTrustPolicySize",
};

/** Arguments of {@link PodIdentityTargetRole}. */
export interface PodIdentityTargetRoleArgs {
  /**
   * The source role in the cluster's account (account A's `sourceRoleArn`): the only principal
   * trusted, by `aws:PrincipalArn`.
   * @default none (required)
   */
  sourceRoleArn: pulumi.Input<string>;
  /**
   * The cluster whose service accounts may reach the role (account A's `clusterArn`): the
   * `eks-cluster-arn` session tag must equal it.
   * @default none (required)
   */
  clusterArn: pulumi.Input<string>;
  /**
   * The service accounts (exact namespace and name; no patterns) that may reach the role, each
   * namespace paired with its own names.
   * @default none (required)
   */
  serviceAccounts: pulumi.Input<pulumi.Input<ServiceAccountInput>[]>;
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
   * @default "EKS Pod Identity target role (managed by cross-account-irsa)"
   */
  description?: pulumi.Input<string>;
  /**
   * Inline permission policies, by policy name: each a JSON policy document or an
   * `aws.iam.PolicyDocument` object (serialised with sorted keys). Each becomes an
   * `aws.iam.RolePolicy`; together they must fit IAM's 10,240 characters. A policy may be an
   * Output; the names must be known when the program runs (they name the child resources).
   * @default {}
   */
  // `any`, not `InlinePolicyInput`: Pulumi's schema analyzer (`pulumi package add`) refuses unions and
  // maps `any` to the schema's Any, which other languages fill with a string or a dict alike.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inlinePolicies?: Record<string, pulumi.Input<any>>;
  /**
   * ARNs of managed policies to attach, named by the policy (`<name>-managed-<policy name>-<hash>`)
   * when the ARN is plain, by list index when it is an Output (use `managedPolicies` for those).
   * The list itself must be known when the program runs.
   * @default []
   */
  managedPolicyArns?: pulumi.Input<string>[];
  /**
   * Managed policies to attach by stable key (`<name>-managed-<key>`): for ARNs the program computes.
   * @default {}
   */
  managedPolicies?: Record<string, pulumi.Input<string>>;
  /**
   * ARN of a managed policy that bounds the role's permissions.
   * @default none
   */
  permissionsBoundary?: pulumi.Input<string>;
  /**
   * Maximum session duration in seconds (3600 to 43200).
   * @default 3600
   */
  maxSessionDuration?: pulumi.Input<number>;
  /**
   * Tags for the role.
   * @default {}
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

function trustJson(options: PodIdentityTargetTrustOptions): string {
  return policyJson(buildPodIdentityTargetTrustPolicy(options));
}

/**
 * The target role of EKS Pod Identity cross-account: account A's root as principal, narrowed to the
 * source role (`aws:PrincipalArn`) and to the session tags of the configured service accounts of
 * one cluster (`buildPodIdentityTargetTrustPolicy`), with `sts:AssumeRole` and `sts:TagSession`.
 */
export class PodIdentityTargetRole extends pulumi.ComponentResource {
  /** The role's ARN: what the Pod Identity association's `targetRoleArn` must hold. */
  public readonly roleArn: pulumi.Output<string>;
  /** The role's name. */
  public readonly roleName: pulumi.Output<string>;
  /** The trust policy JSON, exactly as sent to IAM. */
  public readonly trustPolicy: pulumi.Output<string>;

  constructor(name: string, args: PodIdentityTargetRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    const { trust, role } = argChecks(() => {
      requireArgs(args);
      // Checked at once even while the ARNs are Outputs (the builder checks it again with them).
      if (args.maxTrustPolicySize !== undefined) {
        validateInteger("args.maxTrustPolicySize", args.maxTrustPolicySize, 1, MAX_TRUST_POLICY_QUOTA);
      }
      const inputs: [unknown, unknown, unknown] = [args.sourceRoleArn, args.clusterArn, args.serviceAccounts];
      const options = (sourceRoleArn: unknown, clusterArn: unknown, serviceAccounts: unknown) =>
        ({
          sourceRoleArn,
          clusterArn,
          serviceAccounts,
          maxSize: args.maxTrustPolicySize,
          maxSizeField: "maxTrustPolicySize",
        }) as PodIdentityTargetTrustOptions;
      // Plain inputs are checked (and the document built) before anything registers.
      const build = (s: unknown, c: unknown, sas: unknown) =>
        inArgsTerms(() => trustJson(options(s, c, sas)), ARGS_FIELDS);
      const trust = isPlain(inputs)
        ? pulumi.output(build(...inputs))
        : checked(pulumi.all(inputs as pulumi.Input<unknown>[]), ([s, c, sas]) => build(s, c, sas));
      const role = checkRoleSettings(args);
      return { trust, role };
    });
    super("cross-account-irsa:index:PodIdentityTargetRole", name, {}, opts);

    const created = registerRole(
      name,
      this,
      role,
      trust,
      args.description ?? POD_IDENTITY_TARGET_ROLE_DESCRIPTION,
      args.tags,
    );
    this.roleArn = created.roleArn;
    this.roleName = created.role.name;
    this.trustPolicy = trust;
    this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName, trustPolicy: this.trustPolicy });
  }
}
