/**
 * BucketAccessGrant (account B): one role that workloads of account A's clusters reach by one or more
 * mechanisms, with least-privilege access to one or more buckets (existing, or created hardened), and
 * the handoff account A's `BucketAccessBinding` needs. The checks and documents are the pure functions
 * of `bucketAccess.ts` and `bucketAccessHandoff.ts`; this file wires them.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import {
  bucketAccessPolicy,
  bucketPolicyName,
  checkGrantBuckets,
  foreignKeyStatements,
} from "./bucketAccessBuckets";
import { inlineLowerBound, plainBucketArgs, resolvedBuckets } from "./bucketAccessGrantBuckets";
import { checkGrantTrustSettings } from "./bucketAccessTrust";
import { type ConditionTest } from "./irsaRole";
import {
  buildGrantTrustPolicy,
  checkClusterShapes,
  checkClusterValues,
  checkDistinctClusters,
  checkGrantServiceAccounts,
  checkMechanisms,
  unhandledMechanism,
  type GrantCluster,
} from "./bucketAccess";
import { buildHandoff, type BucketAccessHandoff } from "./bucketAccessHandoff";
import { ClusterOidcProvider } from "./clusterOidcProvider";
import { InputError, inArgsTerms } from "./errors";
import { placeholderProviderArn } from "./irsaRole";
import { argChecks, checked, isPlain, requireArgs, requirePlainArg } from "./inputs";
import { Mechanism } from "./mechanism";
import { checkInlinePoliciesSize, policyJson } from "./policyDocument";
import { checkRoleSettings, registerRole } from "./roleResources";
import { SecureBucket } from "./secureBucket";
import {
  BucketAccess,
  type GrantBucketInput,
  type GrantBucketObjectInput,
  type GrantClusterInput,
  type GrantServiceAccountInput,
} from "./bucketAccessGrantInputs";
import { MAX_TRUST_POLICY_QUOTA } from "./trustPolicy";

export {
  BucketAccess,
  type GrantBucketInput,
  type GrantBucketObjectInput,
  type GrantClusterInput,
  type GrantServiceAccountInput,
};
import {
  requireString,
  validateIamPath,
  validateInteger,
  validateManagedPolicyArn,
  validateRoleName,
} from "./validation";

/** The description {@link BucketAccessGrant} gives its role unless `args.description` says otherwise. */
export const BUCKET_ACCESS_GRANT_ROLE_DESCRIPTION =
  "Cross-account S3 access for Kubernetes service accounts (managed by cross-account-irsa)";

/** Arguments of {@link BucketAccessGrant}. */
export interface BucketAccessGrantArgs {
  /**
   * The paths by which workloads reach the role: `["irsa"]`, `["pod-identity"]`, `["irsa-chained"]`,
   * or several during a migration (the role trusts each; docs/migration.md). A plain list: it decides
   * which resources exist.
   * @default none (required)
   */
  mechanisms: Mechanism[];
  /**
   * The trusted clusters by stable key (`{ prod: { issuerUrl } }`; the key names child resources, 1 to
   * 32 lower-case letters, digits or `-`), each with the fields its mechanisms need.
   * @default none (required)
   */
  clusters: Record<string, GrantClusterInput>;
  /**
   * The service accounts that may use the role, exact namespace/name pairs, on every trusted cluster.
   * @default none (required)
   */
  serviceAccounts: pulumi.Input<GrantServiceAccountInput[]>;
  /**
   * The buckets, each existing or created, with its own access level, prefixes and key. A plain list.
   * @default none (required)
   */
  buckets: GrantBucketInput[];
  /**
   * The role's name. A fixed name makes the role ARN predictable.
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
   * @default "Cross-account S3 access for Kubernetes service accounts (managed by cross-account-irsa)"
   */
  description?: pulumi.Input<string>;
  /**
   * ARN of a managed policy that bounds the role's permissions.
   * @default none
   */
  permissionsBoundary?: pulumi.Input<string>;
  /**
   * Maximum session duration in seconds (3600 to 43200). A session reached by role chaining
   * (`irsa-chained`) lasts one hour at most whatever this says (IAM, "Role chaining").
   * @default 3600
   */
  maxSessionDuration?: pulumi.Input<number>;
  /**
   * The trust policy size limit in characters as IAM counts them (raise only with the quota). A plain number.
   * @default 2048
   */
  maxTrustPolicySize?: number;
  /**
   * Tags for the role, the OIDC providers and the buckets the grant creates.
   * @default {}
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * How IRSA's trust compares the `sub` claim: `StringEquals` (exact service accounts) or
   * `StringLike` (`*`/`?` patterns allowed in a service account's name, never in its namespace). A
   * plain value, for `args.mechanisms` `["irsa"]` alone (Pod Identity compares session tags exactly).
   * Patterns must be asked for; a set of them matching every service account of a namespace also
   * needs `trustWholeNamespaces`. The handoff then lists the patterns, which a `BucketAccessBinding`
   * refuses (it binds exact service accounts).
   * @default "StringEquals"
   */
  conditionTest?: ConditionTest;
  /**
   * Allow `StringLike` name patterns that together match every service account of a namespace
   * (`{ namespace: "apps", name: "*" }`). Without it such a set is refused before anything registers.
   * A plain boolean.
   * @default false
   */
  trustWholeNamespaces?: boolean;
  /**
   * Keep the Sid `ChainFromSourceRole` on IRSA with role chaining's trust statement, as
   * `ChainedTargetRole` writes it, so a role first created by `ChainedTargetRole` keeps its trust policy
   * unchanged. A plain boolean; only with `irsa-chained` and exactly one cluster (IAM requires a Sid
   * to be unique within a policy).
   * @default false (the statement has no Sid)
   */
  chainedStatementSid?: boolean;
}

/** The builders' field names, as the grant's arguments name them. */
const ARGS_FIELDS = {
  clusters: "args.clusters",
  serviceAccounts: "args.serviceAccounts",
  maxTrustPolicySize: "args.maxTrustPolicySize",
  sourceRoleArn: "args.clusters[].sourceRoleArn",
  clusterArn: "args.clusters[].clusterArn",
};

/**
 * One grant of S3 access across accounts: a role in account B that the listed service accounts of
 * account A's clusters reach by the listed mechanisms (IRSA: an IAM OIDC provider per cluster issuer,
 * created or adopted; Pod Identity: the source role of each cluster by `aws:PrincipalArn` and the
 * session tags; IRSA with role chaining: account A's IRSA source role of each cluster by
 * `aws:PrincipalArn`), one least-privilege inline policy per bucket, the buckets to create, and one
 * `handoff` output with everything account A's `BucketAccessBinding` needs.
 */
export class BucketAccessGrant extends pulumi.ComponentResource {
  /** The grant's role: IRSA's annotation, Pod Identity's `targetRoleArn`, the chained profile's `role_arn`. */
  public readonly roleArn: pulumi.Output<string>;
  /** The role's name. */
  public readonly roleName: pulumi.Output<string>;
  /** The trust policy JSON, exactly as sent to IAM. */
  public readonly trustPolicy: pulumi.Output<string>;
  /** The buckets' names, in the order of `args.buckets` (created ones once they exist). */
  public readonly bucketNames: pulumi.Output<string[]>;
  /** Everything account A needs, one object (version 1): export it and pass it to `BucketAccessBinding`. */
  public readonly handoff: pulumi.Output<BucketAccessHandoff>;
  /**
   * For each KMS key of another account than the role's, by key ARN: the key-policy statement (JSON)
   * its owner must add; this program cannot write another account's key policy. Empty when none.
   */
  public readonly kmsKeyPolicyStatements: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: BucketAccessGrantArgs, opts?: pulumi.ComponentResourceOptions) {
    const checks = argChecks(() => {
      requireArgs(args);
      requirePlainArg("args.mechanisms", args.mechanisms, "it decides which resources exist");
      const mechanisms = checkMechanisms("args.mechanisms", args.mechanisms);
      requirePlainArg(
        "args.clusters",
        args.clusters,
        "its keys name child resources (its values may be Outputs)",
      );
      const keys = checkClusterShapes("args.clusters", args.clusters, mechanisms);
      const settings = checkGrantTrustSettings(args, mechanisms, keys.length);
      const clusterInputs = keys.map((key) => [key, args.clusters[key]] as const);
      for (const [key, c] of clusterInputs) {
        if (isPlain(c)) checkClusterValues(`args.clusters.${key}`, c as GrantCluster);
      }
      if (isPlain(clusterInputs))
        checkDistinctClusters("args.clusters", clusterInputs as [string, GrantCluster][]);
      const serviceAccounts = checked(args.serviceAccounts, (sas) =>
        checkGrantServiceAccounts("args.serviceAccounts", sas, settings),
      );
      if (!Array.isArray(args.buckets)) {
        throw new InputError(
          "args.buckets",
          pulumi.Output.isInstance(args.buckets) ? "[an Output]" : args.buckets,
          "must be a plain list of buckets (each names child resources; a KMS key ARN may be an Output)",
        );
      }
      const plainBuckets = checkGrantBuckets("args.buckets", plainBucketArgs(args.buckets));
      checkInlinePoliciesSize("args.buckets", inlineLowerBound(plainBuckets));
      const buckets = resolvedBuckets(args.buckets, plainBuckets);
      if (args.maxTrustPolicySize !== undefined) {
        validateInteger("args.maxTrustPolicySize", args.maxTrustPolicySize, 1, MAX_TRUST_POLICY_QUOTA);
      }
      // The trust, as far as plain values allow (a provider the grant creates: its shortest ARN).
      if (isPlain(clusterInputs) && isPlain(args.serviceAccounts)) {
        const early = (clusterInputs as [string, GrantCluster][]).map(
          ([key, c]) =>
            [
              key,
              mechanisms.includes(Mechanism.Irsa) && c.oidcProviderArn === undefined
                ? {
                    ...c,
                    oidcProviderArn: placeholderProviderArn(
                      c.issuerUrl as string,
                      `args.clusters.${key}.issuerUrl`,
                    ),
                  }
                : c,
            ] as const,
        );
        inArgsTerms(
          () =>
            buildGrantTrustPolicy({
              mechanisms,
              clusters: early,
              serviceAccounts: checkGrantServiceAccounts(
                "args.serviceAccounts",
                args.serviceAccounts,
                settings,
              ),
              maxSize: args.maxTrustPolicySize,
              maxSizeField: "maxTrustPolicySize",
              settings,
            }),
          ARGS_FIELDS,
        );
      }
      // The role's own settings, plain values now (checkRoleSettings checks Outputs once they resolve).
      if (args.roleName !== undefined && isPlain(args.roleName))
        validateRoleName("args.roleName", args.roleName);
      if (args.path !== undefined && isPlain(args.path)) validateIamPath("args.path", args.path);
      if (args.permissionsBoundary !== undefined && isPlain(args.permissionsBoundary)) {
        validateManagedPolicyArn("args.permissionsBoundary", args.permissionsBoundary);
      }
      if (args.maxSessionDuration !== undefined && isPlain(args.maxSessionDuration)) {
        validateInteger("args.maxSessionDuration", args.maxSessionDuration, 3600, 43200);
      }
      // The objects' contents: text, checked once known (their keys are checked with the buckets).
      const objectContents = args.buckets.map((b, i) =>
        (b.objects ?? []).map((o, j) => ({
          key: o.key,
          content: checked(o.content, (c) => requireString(`args.buckets[${i}].objects[${j}].content`, c)),
        })),
      );
      return { mechanisms, settings, clusterInputs, serviceAccounts, plainBuckets, buckets, objectContents };
    });
    super("cross-account-irsa:index:BucketAccessGrant", name, {}, opts);
    const { mechanisms, settings, clusterInputs, serviceAccounts, plainBuckets, buckets, objectContents } =
      checks;

    // Each cluster's values once known, IRSA's provider created or adopted per cluster.
    const clusters = pulumi.all(
      clusterInputs.map(([key, input]) => {
        const values = checked(pulumi.all(input as Record<string, pulumi.Input<string>>), (c) =>
          checkClusterValues(`args.clusters.${key}`, c as GrantCluster),
        );
        let providerArn: pulumi.Output<string | undefined> = pulumi.output(undefined);
        for (const m of mechanisms) {
          switch (m) {
            case Mechanism.Irsa: {
              const provider = new ClusterOidcProvider(
                `${name}-oidc-${key}`,
                {
                  issuerUrl: input.issuerUrl as pulumi.Input<string>,
                  ...(input.oidcProviderArn !== undefined
                    ? { existingProviderArn: input.oidcProviderArn }
                    : {}),
                  tags: args.tags,
                },
                { parent: this },
              );
              providerArn = provider.arn;
              break;
            }
            case Mechanism.PodIdentity:
              break; // nothing in account B but the trust: the source role is account A's
            case Mechanism.IrsaChained:
              break; // likewise: the source role and its OIDC provider are account A's
            default:
              return unhandledMechanism(m);
          }
        }
        return pulumi
          .all([values, providerArn])
          .apply(([c, arn]) => [key, arn === undefined ? c : { ...c, oidcProviderArn: arn }] as const);
      }),
    );
    const checkedClusters = checked(clusters, (list) => {
      checkDistinctClusters("args.clusters", list);
      return list;
    });

    // Buckets to create, hardened; an existing bucket is only named.
    const names = plainBuckets.map((b, i) => {
      if (!b.create) return pulumi.output(args.buckets[i].name);
      const { kmsKeyArn: kms, objects, forceDestroy } = args.buckets[i];
      const bucket = new SecureBucket(
        `${name}-${b.name}`,
        {
          bucketName: b.name,
          ...(kms !== undefined ? { kmsKeyArn: kms } : {}),
          ...(forceDestroy !== undefined ? { forceDestroy } : {}),
          ...(objects !== undefined ? { objects: objectContents[i] } : {}),
          tags: args.tags,
        },
        { parent: this },
      );
      return bucket.bucketName;
    });
    this.bucketNames = pulumi.all(names);

    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const inlinePolicies = Object.fromEntries(
      plainBuckets.map((b, i) => [
        bucketPolicyName(b),
        pulumi
          .all([buckets, partition])
          .apply(([bs, p]) => policyJson(bucketAccessPolicy(`args.buckets[${i}]`, bs[i], p))),
      ]),
    );
    const role = checkRoleSettings({
      roleName: args.roleName,
      path: args.path,
      permissionsBoundary: args.permissionsBoundary,
      maxSessionDuration: args.maxSessionDuration,
      inlinePolicies,
    });
    const trust = checked(pulumi.all([checkedClusters, serviceAccounts]), ([list, sas]) =>
      inArgsTerms(
        () =>
          policyJson(
            buildGrantTrustPolicy({
              mechanisms,
              clusters: list,
              serviceAccounts: sas,
              maxSize: args.maxTrustPolicySize,
              maxSizeField: "maxTrustPolicySize",
              settings,
            }),
          ),
        ARGS_FIELDS,
      ),
    );
    const created = registerRole(
      name,
      this,
      role,
      trust,
      args.description ?? BUCKET_ACCESS_GRANT_ROLE_DESCRIPTION,
      args.tags,
    );
    this.roleArn = created.roleArn;
    this.roleName = created.role.name;
    this.trustPolicy = trust;
    this.handoff = pulumi
      .all([created.roleArn, checkedClusters, serviceAccounts, buckets, this.bucketNames])
      .apply(([roleArn, list, sas, bs]) =>
        buildHandoff({ mechanisms, roleArn, serviceAccounts: sas, clusters: list, buckets: bs }),
      );
    this.kmsKeyPolicyStatements = pulumi
      .all([created.roleArn, buckets])
      .apply(([roleArn, bs]) =>
        Object.fromEntries(
          Object.entries(foreignKeyStatements(roleArn, bs)).map(([k, s]) => [k, JSON.stringify(s)]),
        ),
      );
    this.registerOutputs({
      roleArn: this.roleArn,
      roleName: this.roleName,
      trustPolicy: this.trustPolicy,
      bucketNames: this.bucketNames,
      handoff: this.handoff,
      kmsKeyPolicyStatements: this.kmsKeyPolicyStatements,
    });
  }
}
