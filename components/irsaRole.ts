/**
 * IrsaRole (account B): the role service accounts of account A's cluster assume through IRSA, with
 * the trust policy from `buildTrustPolicy` and its permission policies.
 */
import * as pulumi from "@pulumi/pulumi";
import { inArgsTerms } from "./errors";
import { argChecks, checked, isPending, isPlain } from "./inputs";
import { isRecord } from "./values";
import { policyJson } from "./policyDocument";
import { normalizeIssuer } from "./issuer";
import { checkRoleSettings, registerRole } from "./roleResources";
import {
  buildTrustPolicy,
  serviceAccountSubjects,
  type TrustPolicyOptions,
  type TrustedCluster,
} from "./trustPolicy";
import { requireArray } from "./validation";

/** A Kubernetes service account the role trusts. */
export interface ServiceAccountInput {
  /**
   * The namespace (a DNS-1123 label), always named literally: `*` and `?` are refused under either
   * `conditionTest` (under `StringLike` a wildcard namespace would trust namespaces nobody named).
   * @default none (required)
   */
  namespace: pulumi.Input<string>;
  /**
   * The service account's name (a DNS-1123 subdomain); `*` and `?` patterns only with
   * `conditionTest: "StringLike"`.
   * @default none (required)
   */
  name: pulumi.Input<string>;
}

/** A cluster whose service accounts the role trusts. */
export interface TrustedClusterInput {
  /**
   * The IAM OIDC provider for the cluster's issuer, in the role's account (`ClusterOidcProvider.arn`).
   * @default none (required)
   */
  oidcProviderArn: pulumi.Input<string>;
  /**
   * The cluster's OIDC issuer URL.
   * @default none (required)
   */
  issuerUrl: pulumi.Input<string>;
  /**
   * The service accounts of this cluster that may assume the role. At least one.
   * @default none (required)
   */
  serviceAccounts: pulumi.Input<pulumi.Input<ServiceAccountInput>[]>;
}

/** How the trust policy compares the `sub` claim. */
export const ConditionTest = {
  /** Exact service account names (the default). */
  StringEquals: "StringEquals",
  /** `*` and `?` patterns allowed in namespace and name. */
  StringLike: "StringLike",
} as const;
/** How the trust policy compares the `sub` claim. */
export type ConditionTest = (typeof ConditionTest)[keyof typeof ConditionTest];

/** The description {@link IrsaRole} gives its role unless `args.description` says otherwise. */
export const IRSA_ROLE_DESCRIPTION =
  "IRSA role for Kubernetes service accounts (managed by cross-account-irsa)";

/** Arguments of {@link IrsaRole}. */
export interface IrsaRoleArgs {
  /**
   * The clusters, with their OIDC providers and service accounts, that may assume the role.
   * @default none (required)
   */
  clusters: pulumi.Input<pulumi.Input<TrustedClusterInput>[]>;
  /**
   * How the `sub` claim is compared. `StringLike` allows `*`/`?` patterns in names and must be asked
   * for. A plain value (not an Input): it decides which checks run before anything registers.
   * @default "StringEquals"
   */
  conditionTest?: ConditionTest;
  /**
   * The token audience (`aud`), always compared exactly.
   * @default "sts.amazonaws.com"
   */
  audience?: pulumi.Input<string>;
  /**
   * The trust policy size limit in characters as IAM counts them (raise only with the quota). A plain
   * number: the trust policy is checked against it before anything registers.
   * @default 2048
   */
  maxTrustPolicySize?: number;
  /**
   * Allow `StringLike` name patterns that together match every service account of a namespace
   * (`{namespace: "apps", name: "*"}`). Without it such a set is refused before anything registers.
   * A plain boolean, for the same reason.
   * @default false
   */
  trustWholeNamespaces?: boolean;
  /**
   * The role's name. Fixed names make the role ARN predictable for account A's config.
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
   * @default "IRSA role for Kubernetes service accounts (managed by cross-account-irsa)"
   */
  description?: pulumi.Input<string>;
  /**
   * Inline permission policies, by policy name: each a JSON policy document (for example
   * `JSON.stringify(buildS3AccessPolicy({...}))`) or an `aws.iam.PolicyDocument` object, which is
   * serialised with sorted keys. Each becomes an `aws.iam.RolePolicy` named `<name>-<policy name>`;
   * together they must fit IAM's 10,240 characters. A policy may be an Output; the names must be
   * known when the program runs (they name the child resources).
   * @default {}
   */
  // `any`, not `InlinePolicyInput`: Pulumi's schema analyzer (`pulumi package add`) refuses unions and
  // maps `any` to the schema's Any, which other languages fill with a string or a dict alike.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inlinePolicies?: Record<string, pulumi.Input<any>>;
  /**
   * ARNs of managed policies to attach, each an `aws.iam.RolePolicyAttachment`. A plain ARN's
   * attachment is named by the policy (`<name>-managed-<policy name>-<hash of the ARN>`), so
   * reordering the list replaces nothing; an ARN that is an Output keeps its list index in the name
   * (`<name>-managed-<index>`): give such ARNs a stable key in `managedPolicies` instead. The list
   * itself must be known when the program runs (an `Output<string[]>` is refused: its length, hence
   * the attachments, would be unknown until deployment).
   * @default []
   */
  managedPolicyArns?: pulumi.Input<string>[];
  /**
   * Managed policies to attach by stable key (`<name>-managed-<key>`; keys 1 to 64 letters, digits,
   * `.`, `_` or `-`): for ARNs computed by the program, e.g. `{ reports: reportsPolicy.arn }`.
   * @default {}
   */
  managedPolicies?: Record<string, pulumi.Input<string>>;
  /**
   * ARN of a managed policy that bounds the role's permissions.
   * @default none
   */
  permissionsBoundary?: pulumi.Input<string>;
  /**
   * Maximum session duration in seconds (3600 to 43200). The pod identity webhook's SDKs refresh
   * credentials before they expire, so the default is enough for long-running pods.
   * @default 3600
   */
  maxSessionDuration?: pulumi.Input<number>;
  /**
   * Tags for the role.
   * @default {}
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export { checkPolicyJson } from "./roleResources";

/** Resolves the trust policy JSON from plain cluster values (the wiring calls it now or in apply). */
export function trustPolicyJson(clusters: TrustedCluster[], options: TrustPolicyOptions): string {
  return policyJson(buildTrustPolicy(clusters, options));
}

/**
 * The shortest ARN the IAM OIDC provider of `issuerUrl` can have (partition `aws`, any account):
 * it stands in for a provider ARN that is not known yet, so that a trust policy over its size
 * limit, or with a bad service account, is refused before anything registers. The real ARN can
 * only make the document longer.
 */
export function placeholderProviderArn(issuerUrl: string, field: string): string {
  return `arn:aws:iam::000000000000:oidc-provider/${normalizeIssuer(issuerUrl, field)}`;
}

/**
 * Checks the trust policy as far as plain values allow, before registration: clusters whose
 * provider ARN is still an Output get {@link placeholderProviderArn}; clusters whose issuer or
 * service accounts are Outputs are left to the check once they resolve.
 */
function checkTrustEarly(
  clustersArray: pulumi.Input<TrustedClusterInput>[],
  options: TrustPolicyOptions,
): void {
  const known: TrustedCluster[] = [];
  clustersArray.forEach((cluster, i) => {
    // An array, null or a primitive is refused by the trust builder, naming clusters[i].
    if (!isRecord(cluster) || isPending(cluster) || !isPlain(cluster.serviceAccounts)) return;
    // The service accounts come from config: check them now in any case.
    serviceAccountSubjects(
      `clusters[${i}].serviceAccounts`,
      cluster.serviceAccounts,
      options.conditionTest,
      options.trustWholeNamespaces,
    );
    if (!isPlain(cluster.issuerUrl)) return;
    const issuerUrl = cluster.issuerUrl as string;
    known.push({
      oidcProviderArn: isPlain(cluster.oidcProviderArn)
        ? (cluster.oidcProviderArn as string)
        : placeholderProviderArn(issuerUrl, `clusters[${i}].issuerUrl`),
      issuerUrl,
      serviceAccounts: cluster.serviceAccounts as TrustedCluster["serviceAccounts"],
    });
  });
  if (known.length > 0) buildTrustPolicy(known, options);
}

/** The trust builders' field names, as IrsaRole's arguments name them. */
const ARGS_FIELDS = {
  clusters: "args.clusters",
  "options.audience": "args.audience",
  "options.maxSize": "args.maxTrustPolicySize",
  "options.conditionTest": "args.conditionTest",
  "options.trustWholeNamespaces": "args.trustWholeNamespaces",
  options: "args",
};
/** The builders' stack config wording, as a library user writes it. */
const ARGS_PHRASES = {
  "(config cross-account-irsa:trustWholeNamespaces: true)": "(args.trustWholeNamespaces: true)",
};

/**
 * An IAM role in account B that service accounts of account A's cluster(s) assume through IRSA:
 * the trust policy comes from `buildTrustPolicy` (exact `sub` and `aud`), permissions from
 * inline policies and managed policy attachments.
 */
export class IrsaRole extends pulumi.ComponentResource {
  /** The role's ARN: what the ServiceAccount's `eks.amazonaws.com/role-arn` annotation must hold. */
  public readonly roleArn: pulumi.Output<string>;
  /** The role's name. */
  public readonly roleName: pulumi.Output<string>;
  /** The trust policy JSON, exactly as sent to IAM. */
  public readonly trustPolicy: pulumi.Output<string>;

  constructor(name: string, args: IrsaRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    const { trust, role } = argChecks(() => {
      // Everything that can be checked on plain values is checked before the component registers.
      const clustersArray: pulumi.Input<TrustedClusterInput>[] | undefined = Array.isArray(args.clusters)
        ? args.clusters
        : undefined;
      if (clustersArray) requireArray("args.clusters", clustersArray, 1);
      const trustOptions: TrustPolicyOptions = {
        conditionTest: args.conditionTest,
        maxSize: args.maxTrustPolicySize,
        trustWholeNamespaces: args.trustWholeNamespaces,
      };
      if (clustersArray && isPlain(args.audience)) {
        inArgsTerms(
          () =>
            checkTrustEarly(clustersArray, {
              ...trustOptions,
              audience: args.audience as string | undefined,
            }),
          ARGS_FIELDS,
          ARGS_PHRASES,
        );
      }
      const trust =
        isPlain(args.clusters) && isPlain(args.audience)
          ? pulumi.output(
              inArgsTerms(
                () =>
                  trustPolicyJson(args.clusters as TrustedCluster[], {
                    ...trustOptions,
                    audience: args.audience as string | undefined,
                  }),
                ARGS_FIELDS,
                ARGS_PHRASES,
              ),
            )
          : checked(pulumi.all([args.clusters, args.audience]), ([clusters, audience]) =>
              inArgsTerms(
                () => trustPolicyJson(clusters as TrustedCluster[], { ...trustOptions, audience }),
                ARGS_FIELDS,
                ARGS_PHRASES,
              ),
            );
      const role = checkRoleSettings(args);
      return { trust, role };
    });
    super("cross-account-irsa:index:IrsaRole", name, {}, opts);

    const created = registerRole(
      name,
      this,
      role,
      trust,
      args.description ?? IRSA_ROLE_DESCRIPTION,
      args.tags,
    );
    this.roleArn = created.roleArn;
    this.roleName = created.role.name;
    this.trustPolicy = trust;
    this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName, trustPolicy: this.trustPolicy });
  }
}
