import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { SecureBucket, buildTlsOnlyBucketPolicy } from "../../components/secureBucket";
import { evaluateAccess } from "../../components/evaluate";
import { type PolicyDocument } from "../../components/policyDocument";
import { settled, valueOf } from "../support/outputs";

const KMS = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("SecureBucket", () => {
  let engine: MockEngine;
  beforeEach(async () => {
    engine = new MockEngine({ config: { "aws:region": "eu-west-1" } });
    await engine.install();
  });

  it("blocks public access, enforces the owner, encrypts (SSE-S3), versions, and denies non-TLS", async () => {
    const b = new SecureBucket("data", { bucketName: "team-irsa-data" });
    expect(await valueOf(b.bucketArn)).to.equal("arn:aws:s3:::team-irsa-data");
    await settled();
    expect(engine.one("aws:s3/bucket:Bucket").inputs).to.include({
      bucket: "team-irsa-data",
      forceDestroy: false,
    });
    expect(engine.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).to.include({
      bucket: "team-irsa-data",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(engine.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).to.deep.equal({
      objectOwnership: "BucketOwnerEnforced",
    });
    expect(
      engine.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        .inputs.rules,
    ).to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
    expect(
      engine.one("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration,
    ).to.deep.equal({ status: "Enabled" });
    const policy = engine.one("aws:s3/bucketPolicy:BucketPolicy");
    expect(JSON.parse(policy.inputs.policy as string)).to.deep.equal(
      buildTlsOnlyBucketPolicy("arn:aws:s3:::team-irsa-data"),
    );
    // The policy waits for the public access block.
    expect(policy.dependsOn).to.include(
      engine.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").urn,
    );
    for (const r of engine.resources.filter((x) => x.type.startsWith("aws:"))) {
      expect(engine.byUrn(r.parent)?.type, r.name).to.equal("cross-account-irsa:index:SecureBucket");
    }
  });

  it("uses SSE-KMS with a bucket key when given a key, and seeds objects after encryption", async () => {
    const b = new SecureBucket("data", {
      kmsKeyArn: KMS,
      objects: [{ key: "irsa-check.txt", content: "hello" }],
    });
    await valueOf(b.bucketName);
    await settled();
    expect(
      engine.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        .inputs.rules,
    ).to.deep.equal([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KMS },
        bucketKeyEnabled: true,
      },
    ]);
    const object = engine.one("aws:s3/bucketObjectv2:BucketObjectv2");
    expect(object.inputs).to.include({
      key: "irsa-check.txt",
      content: "hello",
      contentType: "text/plain; charset=utf-8",
    });
    const encryption = engine.one(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    );
    expect(object.dependsOn).to.include(encryption.urn);
  });

  it("accepts a bucket name Output", async () => {
    const b = new SecureBucket("data", { bucketName: pulumi.output("from-config-bucket") });
    expect(await valueOf(b.bucketName)).to.equal("from-config-bucket");
  });

  describe("rejects bad input before registering anything", () => {
    const cases: Array<[string, () => unknown, RegExp]> = [
      [
        "upper-case bucket name",
        () => new SecureBucket("x", { bucketName: "Team" }),
        /bucketName: "Team" is invalid: S3 bucket names may contain only lower-case/,
      ],
      [
        "alias instead of key",
        () => new SecureBucket("x", { kmsKeyArn: "arn:aws:kms:eu-west-1:444455556666:alias/x" }),
        /kmsKeyArn: .* is invalid: must be a KMS key ARN/,
      ],
      [
        "object key with a leading slash",
        () => new SecureBucket("x", { objects: [{ key: "/a", content: "" }] }),
        /objects\[0\]\.key: "\/a" is invalid: must not start with '\/'/,
      ],
    ];
    for (const [label, make, message] of cases) {
      it(label, async () => {
        expect(make).to.throw(message);
        await settled();
        expect(engine.resources).to.have.length(0);
      });
    }
  });
});

describe("buildTlsOnlyBucketPolicy", () => {
  const doc: PolicyDocument = buildTlsOnlyBucketPolicy("arn:aws:s3:::b-1");
  it("denies plain HTTP and TLS < 1.2 on the bucket and its objects, and allows nothing", () => {
    const get = { action: "s3:GetObject", resource: "arn:aws:s3:::b-1/k" };
    const list = { action: "s3:ListBucket", resource: "arn:aws:s3:::b-1" };
    const cases: Array<[typeof get, Record<string, string>, string]> = [
      [get, { "aws:SecureTransport": "false", "s3:TlsVersion": "1.3" }, "ExplicitDeny"],
      [get, { "aws:SecureTransport": "true", "s3:TlsVersion": "1.1" }, "ExplicitDeny"],
      [get, { "aws:SecureTransport": "true", "s3:TlsVersion": "1.2" }, "ImplicitDeny"],
      [list, { "aws:SecureTransport": "false" }, "ExplicitDeny"],
    ];
    for (const [request, context, decision] of cases) {
      expect(
        evaluateAccess(toIdentity(doc), { absent: ["*"], ...request, context }).decision,
        `${request.action} ${JSON.stringify(context)}`,
      ).to.equal(decision);
    }
  });
  it("rejects a value that is not a bucket ARN", () => {
    expect(() => buildTlsOnlyBucketPolicy("b-1")).to.throw(
      /bucketArn: "b-1" is invalid: must be an S3 bucket ARN/,
    );
  });
});

/** The bucket policy's statements without Principal, so the identity-policy evaluator reads them. */
function toIdentity(doc: PolicyDocument): PolicyDocument {
  return { ...doc, Statement: doc.Statement.map(({ Principal: _p, ...s }) => s) };
}
