/**
 * ChainedSourceRole (account A): the IRSA role of the cluster's own account that pods of IRSA with
 * role chaining (`irsa-chained`) exchange their token for, trusted through account A's IAM OIDC
 * provider (a `ClusterOidcProvider` created or adopted in A) by exactly the configured service
 * accounts, and, once the target role exists, allowed `sts:AssumeRole` on it only.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { buildChainedSourcePermissionPolicy, buildChainedSourceTrustPolicy } from "./chainedPolicies";
import { InputError, inArgsTerms } from "./errors";
import { argChecks, checked, isPlain, requireArgs } from "./inputs";
import { type ServiceAccountInput } from "./irsaRole";
import { policyJson } from "./policyDocument";
import { checkRoleSettings, registerRole } from "./roleResources";
import { MAX_TRUST_POLICY_QUOTA, type ServiceAccountRef } from "./trustPolicy";
import { parseOidcProviderArn, parseRoleArn, validateInteger } from "./validation";

/** The description {@link ChainedSourceRole} gives its role unless `args.description` says otherwise. */
export const CHAINED_SOURCE_ROLE_DESCRIPTION =
  "IRSA source role, chained into another account's role (managed by cross-account-irsa)";

/** The inline policy that lets the source role chain into the target role. */
export const CHAINED_SOURCE_POLICY_NAME = "assume-target-role";

/** The trust builder's field names, as the component's arguments name them. */
const ARGS_FIELDS = {
  "clusters[0].oidcProviderArn": "args.oidcProviderArn",
  "clusters[0].issuerUrl": "args.issuerUrl",
  "clusters[0].serviceAccounts": "args.serviceAccounts",
  "options.audience": "args.audience",
  "options.maxSize": "args.maxTrustPolicySize",
  targetRoleArn: "args.targetRoleArn",
};

/** Arguments of {@link ChainedSourceRole}. */
export interface ChainedSourceRoleArgs {
  /**
   * The IAM OIDC provider for the cluster's issuer in the cluster's own account A
   * (`ClusterOidcProvider.arn`, created or adopted there). STS looks the provider up in the role's
   * account, so it must be the account this role is created in.
   * @default none (required)
   */
  oidcProviderArn: pulumi.Input<string>;
  /**
   * The cluster's OIDC issuer URL.
   * @default none (required)
   */
  issuerUrl: pulumi.Input<string>;
  /**
   * The service accounts that may assume the role: exact namespaces and names, at least one.
   * @default none (required)
   */
  serviceAccounts: pulumi.Input<pulumi.Input<ServiceAccountInput>[]>;
  /**
   * The target role in account B. When given, the role gets an inline policy allowing
   * `sts:AssumeRole` on it only (account A's second update, once account B exists).
   * @default none (the role can assume nothing yet)
   */
  targetRoleArn?: pulumi.Input<string>;
  /**
   * The token audience (`aud`), always compared exactly.
   * @default "sts.amazonaws.com"
   */
  audience?: pulumi.Input<string>;
  /**
   * The trust policy size limit in characters as IAM counts them (raise only with the quota). A plain
   * number: it is checked before anything registers.
   * @default 2048
   */
  maxTrustPolicySize?: number;
  /**
   * The role's name. A fixed name lets account B trust the role before it exists.
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
   * @default "IRSA source role, chained into another account's role (managed by cross-account-irsa)"
   */
  description?: pulumi.Input<string>;
  /**
   * ARN of a managed policy that bounds the role's permissions (it must allow `sts:AssumeRole` on
   * the target role).
   * @default none
   */
  permissionsBoundary?: pulumi.Input<string>;
  /**
   * Maximum session duration in seconds (3600 to 43200) of the source role's own sessions. The
   * target role's chained sessions are capped at one hour whatever this says.
   * @default 3600
   */
  maxSessionDuration?: pulumi.Input<number>;
  /**
   * Tags for the role.
   * @default {}
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** The trust JSON from plain values, in the component's terms. */
function trustJson(
  oidcProviderArn: unknown,
  issuerUrl: unknown,
  serviceAccounts: unknown,
  audience: unknown,
  maxSize: number | undefined,
): string {
  return inArgsTerms(
    () =>
      policyJson(
        buildChainedSourceTrustPolicy({
          oidcProviderArn: oidcProviderArn as string,
          issuerUrl: issuerUrl as string,
          serviceAccounts: serviceAccounts as ServiceAccountRef[],
          ...(audience !== undefined ? { audience: audience as string } : {}),
          ...(maxSize !== undefined ? { maxSize } : {}),
        }),
      ),
    ARGS_FIELDS,
  );
}

/** The provider must be in the role's own account: STS looks it up there. */
function checkSameAccount(roleArn: string, oidcProviderArn: string): string {
  const role = parseRoleArn("roleArn", roleArn);
  const provider = parseOidcProviderArn("args.oidcProviderArn", oidcProviderArn);
  if (role.accountId !== provider.accountId || role.partition !== provider.partition) {
    throw new InputError(
      "args.oidcProviderArn",
      oidcProviderArn,
      `must be in the source role's account (arn:${role.partition}:iam::${role.accountId}:oidc-provider/...): STS looks ` +
        "the provider up in the account of the role it assumes",
    );
  }
  return roleArn;
}

/**
 * The source role of IRSA with role chaining, in the cluster's account: `buildChainedSourceTrustPolicy`
 * (A's provider, exact `sub` and `aud`) and, with `targetRoleArn`, `buildChainedSourcePermissionPolicy`
 * as the inline policy `assume-target-role`. `roleArn` resolves only when the provider is in the
 * role's account.
 */
export class ChainedSourceRole extends pulumi.ComponentResource {
  /** The role's ARN: the ServiceAccount's annotation, the source profile's `role_arn`, what account B trusts. */
  public readonly roleArn: pulumi.Output<string>;
  /** The role's name. */
  public readonly roleName: pulumi.Output<string>;
  /** The trust policy JSON, exactly as sent to IAM. */
  public readonly trustPolicy: pulumi.Output<string>;
  /** The inline permission policy JSON, exactly as sent; undefined without `targetRoleArn`. */
  public readonly permissionPolicy: pulumi.Output<string | undefined>;

  constructor(name: string, args: ChainedSourceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    const { trust, role, permission } = argChecks(() => {
      requireArgs(args);
      if (args.maxTrustPolicySize !== undefined) {
        validateInteger("args.maxTrustPolicySize", args.maxTrustPolicySize, 1, MAX_TRUST_POLICY_QUOTA);
      }
      const inputs: [unknown, unknown, unknown, unknown] = [
        args.oidcProviderArn,
        args.issuerUrl,
        args.serviceAccounts,
        args.audience,
      ];
      const trust = isPlain(inputs)
        ? pulumi.output(trustJson(...inputs, args.maxTrustPolicySize))
        : checked(pulumi.all(inputs as pulumi.Input<unknown>[]), ([p, i, s, a]) =>
            trustJson(p, i, s, a, args.maxTrustPolicySize),
          );
      const permission =
        args.targetRoleArn === undefined
          ? undefined
          : checked(args.targetRoleArn, (targetRoleArn) =>
              inArgsTerms(
                () => policyJson(buildChainedSourcePermissionPolicy({ targetRoleArn })),
                ARGS_FIELDS,
              ),
            );
      const role = checkRoleSettings(args);
      return { trust, role, permission };
    });
    super("cross-account-irsa:index:ChainedSourceRole", name, {}, opts);

    const created = registerRole(
      name,
      this,
      role,
      trust,
      args.description ?? CHAINED_SOURCE_ROLE_DESCRIPTION,
      args.tags,
    );
    if (permission !== undefined) {
      new aws.iam.RolePolicy(
        `${name}-${CHAINED_SOURCE_POLICY_NAME}`,
        { role: created.role.name, name: CHAINED_SOURCE_POLICY_NAME, policy: permission },
        { parent: this },
      );
    }
    this.roleArn = checked(pulumi.all([created.roleArn, args.oidcProviderArn]), ([arn, provider]) =>
      checkSameAccount(arn, provider),
    );
    this.roleName = created.role.name;
    this.trustPolicy = trust;
    this.permissionPolicy = permission ?? pulumi.output(undefined);
    this.registerOutputs({
      roleArn: this.roleArn,
      roleName: this.roleName,
      trustPolicy: this.trustPolicy,
      permissionPolicy: this.permissionPolicy,
    });
  }
}
