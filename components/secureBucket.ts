/**
 * SecureBucket (account B): the hardened bucket (public access blocked, owner-enforced, encrypted,
 * versioned, TLS 1.2+ only) and its TLS-only bucket policy.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { InputError } from "./errors";
import { argChecks, checked, isPlain } from "./inputs";
import { policyJson, type PolicyDocument } from "./policyDocument";
import { validateBoolean, validateBucketName, validateKmsKeyArn, validateObjectKey } from "./validation";

/** An object to put into the bucket when it is created (e.g. the object the access check reads). */
export interface SeedObject {
  /**
   * The object key.
   * @default none (required)
   */
  key: pulumi.Input<string>;
  /**
   * The object's content, as UTF-8 text.
   * @default none (required)
   */
  content: pulumi.Input<string>;
  /**
   * The object's Content-Type.
   * @default "text/plain; charset=utf-8"
   */
  contentType?: pulumi.Input<string>;
}

/** Arguments of {@link SecureBucket}. */
export interface SecureBucketArgs {
  /**
   * The bucket's name. S3 bucket names are global: choose one that is yours.
   * @default an auto-generated name (`<component name>-<random suffix>`)
   */
  bucketName?: pulumi.Input<string>;
  /**
   * A customer-managed KMS key for SSE-KMS (with an S3 Bucket Key). Readers then also need
   * `kms:Decrypt` on it: pass the same ARN to `buildS3AccessPolicy`'s `kmsKeyArn`.
   * @default none (SSE-S3, AES-256, which needs no KMS permission)
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Keep every version of every object, so an overwrite or delete can be undone. `false`
   * suspends versioning.
   * @default true
   */
  versioning?: pulumi.Input<boolean>;
  /**
   * Let `pulumi destroy` delete a bucket that still holds objects. Off, a non-empty bucket is kept
   * safe and the destroy stops with an error.
   * @default false
   */
  forceDestroy?: pulumi.Input<boolean>;
  /**
   * Objects to create in the bucket.
   * @default []
   */
  objects?: SeedObject[];
  /**
   * Tags for the bucket.
   * @default {}
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * The bucket policy that makes a bucket TLS-only: deny every S3 action on the bucket and its objects
 * to every principal when the request is not over TLS, or uses TLS older than 1.2.
 *
 * @internal exported for the tests only
 */
export function buildTlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
  if (!/^arn:[a-z-]+:s3:::[a-z0-9.-]{3,63}$/.test(bucketArn)) {
    throw new InputError("bucketArn", bucketArn, "must be an S3 bucket ARN arn:<partition>:s3:::<bucket>");
  }
  const resources = [bucketArn, `${bucketArn}/*`];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: resources,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyOutdatedTls",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: resources,
        Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
      },
    ],
  };
}

/**
 * A hardened S3 bucket in account B: all public access blocked, ACLs disabled (bucket owner
 * enforced), encrypted at rest (SSE-S3 or SSE-KMS with a Bucket Key), versioned, and TLS-only (1.2+)
 * through its bucket policy. Optionally seeded with objects.
 */
export class SecureBucket extends pulumi.ComponentResource {
  /** The bucket's name. */
  public readonly bucketName: pulumi.Output<string>;
  /** The bucket's ARN. */
  public readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: SecureBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const { bucketName, kmsKeyArn, objects, versioningStatus, forceDestroy } = argChecks(() => {
      const bucketName =
        args.bucketName === undefined
          ? undefined
          : checked(args.bucketName, (n) => validateBucketName("args.bucketName", n));
      const kmsKeyArn =
        args.kmsKeyArn === undefined
          ? undefined
          : checked(args.kmsKeyArn, (k) => validateKmsKeyArn("args.kmsKeyArn", k));
      const objects = (args.objects ?? []).map((o, i) => ({
        key: checked(o.key, (k) => validateObjectKey(`args.objects[${i}].key`, k)),
        content: o.content,
        contentType: o.contentType ?? "text/plain; charset=utf-8",
      }));
      // Plain values stay plain (checked now), so the registrations read as before; Outputs are checked once known.
      const status = (v: boolean) => (validateBoolean("args.versioning", v) ? "Enabled" : "Suspended");
      const versioning = args.versioning ?? true;
      const versioningStatus = isPlain(versioning)
        ? status(versioning as boolean)
        : checked(versioning, status);
      const destroy = args.forceDestroy ?? false;
      const forceDestroy = isPlain(destroy)
        ? validateBoolean("args.forceDestroy", destroy)
        : checked(destroy, (f) => validateBoolean("args.forceDestroy", f));
      return { bucketName, kmsKeyArn, objects, versioningStatus, forceDestroy };
    });
    super("cross-account-irsa:index:SecureBucket", name, {}, opts);

    const bucket = new aws.s3.Bucket(
      name,
      { bucket: bucketName, forceDestroy, tags: args.tags },
      { parent: this },
    );
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );
    const ownership = new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      { parent: this },
    );
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [
          kmsKeyArn
            ? {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn },
                bucketKeyEnabled: true,
              }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ],
      },
      { parent: this },
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      {
        bucket: bucket.id,
        versioningConfiguration: { status: versioningStatus },
      },
      { parent: this },
    );
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      { bucket: bucket.id, policy: bucket.arn.apply((arn) => policyJson(buildTlsOnlyBucketPolicy(arn))) },
      // S3 rejects policy writes that race the public access block; order them.
      { parent: this, dependsOn: [publicAccessBlock] },
    );
    objects.forEach((o, i) => {
      new aws.s3.BucketObjectv2(
        `${name}-object-${i}`,
        { bucket: bucket.id, key: o.key, content: o.content, contentType: o.contentType },
        // Written after encryption and versioning are in place, so the object is encrypted and versioned.
        { parent: this, dependsOn: [encryption, versioning, ownership] },
      );
    });

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}
