/**
 * The input types of `BucketAccessGrant`'s arguments (a cluster, a service account, a bucket), each
 * field documented with its default: what `pulumi package add` describes, and what programs name.
 */
import type * as pulumi from "@pulumi/pulumi";

/** What the grant's role may do with a bucket. */
export const BucketAccess = {
  /** List and get objects. */
  Read: "read",
  /** Also put, delete and abort multipart uploads. */
  ReadWrite: "read-write",
  /** List object keys only. */
  List: "list",
} as const;
/** What the grant's role may do with a bucket. */
export type BucketAccess = (typeof BucketAccess)[keyof typeof BucketAccess];

/** A cluster the grant trusts: the fields each listed mechanism needs, and no other. */
export interface GrantClusterInput {
  /**
   * IRSA: the cluster's OIDC issuer URL (account A's `oidcIssuerUrl`). Required with `irsa`, refused without it.
   * @default none
   */
  issuerUrl?: pulumi.Input<string>;
  /**
   * IRSA: an existing IAM OIDC provider for the issuer in account B, adopted (read and checked, never
   * modified); IAM allows one provider per issuer per account. Refused without `irsa`.
   * @default none (the grant creates the provider)
   */
  oidcProviderArn?: pulumi.Input<string>;
  /**
   * Pod Identity: the cluster's ARN (its `eks-cluster-arn` session tag). Required with `pod-identity`, refused without it.
   * @default none
   */
  clusterArn?: pulumi.Input<string>;
  /**
   * Pod Identity: the source role in the cluster's account that EKS assumes first. The role need not
   * exist yet: the trust names it by `aws:PrincipalArn` (see docs/migration.md, "Deploy order").
   * Required with `pod-identity`, refused without it.
   * @default none
   */
  sourceRoleArn?: pulumi.Input<string>;
  /**
   * IRSA with role chaining: account A's IRSA source role (an IAM role ARN, no wildcards), the only
   * principal the chained trust admits: account A's root narrowed by `ArnEquals aws:PrincipalArn`,
   * so the role need not exist yet (docs/migration.md, "Deploy order"); account A's
   * `BucketAccessBinding` creates it under exactly this name and path. With `clusterArn`, in the
   * cluster's account; never the same role as `sourceRoleArn`; one per cluster. Required with
   * `irsa-chained`, refused without it.
   * @default none
   */
  chainedSourceRoleArn?: pulumi.Input<string>;
}

/** A bucket of the grant. */
export interface GrantBucketInput {
  /**
   * The bucket's name: an existing bucket of account B, or the one to create. A plain string for a
   * bucket the grant creates (it names its child resources). For an existing bucket it may be an
   * Output (e.g. the `bucketName` of a `SecureBucket` the program creates itself, auto-named); then
   * give `policyName`, since the name cannot name the inline policy before it is known.
   * @default none (required)
   */
  name: pulumi.Input<string>;
  /**
   * The name of the bucket's inline policy on the role (an `aws.iam.RolePolicy` named
   * `<grant name>-<policyName>`): 1 to 128 letters, digits or any of `+=,.@_-`, each bucket its own.
   * A plain string. Required when `name` is an Output.
   * @default "s3-<name>"
   */
  policyName?: string;
  /**
   * Create the bucket, hardened as `SecureBucket` does (public access blocked, owner-enforced,
   * encrypted, versioned, TLS-only). Without it the bucket must exist; it is not read or modified.
   * @default false
   */
  create?: boolean;
  /**
   * What the role may do: `read`, `read-write` or `list`.
   * @default "read"
   */
  access?: BucketAccess;
  /**
   * Key prefixes the role is confined to (a plain string prefix each; end it with `/` for a folder).
   * @default the whole bucket
   */
  prefixes?: string[];
  /**
   * The customer-managed KMS key of the bucket's objects: the role gets `kms:Decrypt` (and
   * `kms:GenerateDataKey` for `read-write`) on it; a created bucket is encrypted with it. A key of
   * another account also needs the statement `kmsKeyPolicyStatements` outputs in its key policy.
   * @default none (SSE-S3, or an AWS-managed key)
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Objects to write into a created bucket (e.g. the object an access check reads), after its
   * encryption and versioning are in place. Created buckets only (`create: true`): an existing
   * bucket is never modified, so the field is refused on one. None given: no object is written.
   * @default []
   */
  objects?: GrantBucketObjectInput[];
  /**
   * Let `pulumi destroy` delete the created bucket while it still holds objects (every version).
   * Off, a non-empty bucket is kept and the destroy stops with an error. Created buckets only
   * (`create: true`): refused on an existing bucket, which is never deleted.
   * @default false
   */
  forceDestroy?: boolean;
}

/** An object a grant writes into one of the buckets it creates. */
export interface GrantBucketObjectInput {
  /**
   * The object key (a plain string: it is checked before anything registers; each key once per bucket).
   * @default none (required)
   */
  key: string;
  /**
   * The object's content, as UTF-8 text (written as `text/plain; charset=utf-8`).
   * @default none (required)
   */
  content: pulumi.Input<string>;
}

/** A service account the grant trusts. */
export interface GrantServiceAccountInput {
  /**
   * The namespace (a DNS-1123 label), exact: no `*` or `?`.
   * @default none (required)
   */
  namespace: string;
  /**
   * The service account's name (a DNS-1123 subdomain), exact: no `*` or `?` (Pod Identity compares
   * the session tags as written, and one list serves every mechanism).
   * @default none (required)
   */
  name: string;
}
