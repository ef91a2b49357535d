/**
 * BucketAccessGrant's created-bucket fields, `objects` and `forceDestroy`: checked as plain values
 * (checkGrantBuckets), refused on an existing bucket, and passed to the bucket's SecureBucket (under
 * the mock engine: the objects it writes, after encryption and versioning; the bucket's
 * forceDestroy). Refused arguments reject once, before anything registers.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { BucketAccessGrant, type BucketAccessGrantArgs } from "../../components/bucketAccessGrant";
import { checkGrantBuckets } from "../../components/bucketAccessBuckets";
import { settled, settledRun, valueOf } from "../support/outputs";
import { engineIn } from "../support/componentEngine";
import { expectInputError } from "./coreHelpers";
import { ACCOUNT_B, HOST, SA } from "./bucketAccessWorld";

const grantArgs = (buckets: BucketAccessGrantArgs["buckets"]): BucketAccessGrantArgs => ({
  mechanisms: ["irsa"],
  clusters: { prod: { issuerUrl: `https://${HOST}` } },
  serviceAccounts: [SA],
  buckets,
  roleName: "reports",
});

describe("checkGrantBuckets: a created bucket's objects and forceDestroy", () => {
  it("accepts them on a created bucket, and leaves the checked bucket as before", () => {
    expect(
      checkGrantBuckets("b", [
        {
          name: "x-data",
          create: true,
          forceDestroy: true,
          objects: [
            { key: "r/check.txt", content: "hello" },
            { key: "other.txt", content: "" },
          ],
        },
      ]),
    ).to.deep.equal([{ name: "x-data", create: true, access: "read", prefixes: [] }]);
  });

  it("refuses them on an existing bucket, naming the field", () => {
    for (const [field, value] of [
      ["objects", [{ key: "a", content: "b" }]],
      ["forceDestroy", false],
    ] as const) {
      for (const create of [undefined, false]) {
        expectInputError(
          () =>
            checkGrantBuckets("b", [
              { name: "x-data", ...(create === false ? { create } : {}), [field]: value },
            ]),
          `b[0].${field}`,
          value,
          "is for a bucket the grant creates (b[0].create: true): an existing bucket is named, never modified",
        );
      }
    }
  });

  it("refuses a bad value, naming the object's field", () => {
    const created = (extra: Record<string, unknown>) => [{ name: "x-data", create: true, ...extra }];
    expectInputError(
      () => checkGrantBuckets("b", created({ forceDestroy: "yes" })),
      "b[0].forceDestroy",
      "yes",
      /true or false|boolean/,
    );
    expectInputError(() => checkGrantBuckets("b", created({ objects: "a" })), "b[0].objects", "a", /list/);
    expectInputError(
      () => checkGrantBuckets("b", created({ objects: ["a"] })),
      "b[0].objects[0]",
      "a",
      "must be an object { key, content }",
    );
    expectInputError(
      () => checkGrantBuckets("b", created({ objects: [{ key: "a", content: "b", type: "x" }] })),
      "b[0].objects[0].type",
      "x",
      "is not an object field (key, content)",
    );
    expectInputError(
      () => checkGrantBuckets("b", created({ objects: [{ key: "/a", content: "b" }] })),
      "b[0].objects[0].key",
      "/a",
      "must not start with '/'",
    );
    expectInputError(
      () => checkGrantBuckets("b", created({ objects: [{ key: 12, content: "b" }] })),
      "b[0].objects[0].key",
      12,
      /string/,
    );
    expectInputError(
      () => checkGrantBuckets("b", created({ objects: [{ key: "a" }] })),
      "b[0].objects[0].content",
      undefined,
      "is required",
    );
    expectInputError(
      () =>
        checkGrantBuckets(
          "b",
          created({
            objects: [
              { key: "a", content: "1" },
              { key: "a", content: "2" },
            ],
          }),
        ),
      "b[0].objects[1].key",
      "a",
      "is b[0].objects[0].key too: write each object once",
    );
  });
});

describe("BucketAccessGrant: a created bucket's objects and forceDestroy reach its SecureBucket", () => {
  it("writes each object into the created bucket after its encryption and versioning, with forceDestroy", async () => {
    const engine = await engineIn(ACCOUNT_B);
    const grant = new BucketAccessGrant(
      "reports",
      grantArgs([
        { name: "team-reports" },
        {
          name: "team-exports",
          create: true,
          forceDestroy: true,
          objects: [
            { key: "exports/check.txt", content: "checked" },
            { key: "b.txt", content: pulumi.output("computed") },
          ],
        },
      ]),
    );
    await valueOf(grant.handoff);
    await settled();
    expect(engine.one("aws:s3/bucket:Bucket", "reports-team-exports").inputs).to.include({
      bucket: "team-exports",
      forceDestroy: true,
    });
    const objects = engine.ofType("aws:s3/bucketObjectv2:BucketObjectv2");
    expect(objects.map((o) => [o.name, o.inputs.key, o.inputs.content])).to.deep.equal([
      ["reports-team-exports-object-0", "exports/check.txt", "checked"],
      ["reports-team-exports-object-1", "b.txt", "computed"],
    ]);
    const encryption = engine.one(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    );
    const versioning = engine.one("aws:s3/bucketVersioning:BucketVersioning");
    for (const o of objects) expect(o.dependsOn).to.include.members([encryption.urn, versioning.urn]);
    const bucket = engine.one("cross-account-irsa:index:SecureBucket");
    expect(bucket.parent).to.equal(engine.one("cross-account-irsa:index:BucketAccessGrant").urn);
  });

  it("keeps a created bucket's defaults without them: no object, forceDestroy false", async () => {
    const engine = await engineIn(ACCOUNT_B);
    const grant = new BucketAccessGrant("reports", grantArgs([{ name: "team-exports", create: true }]));
    await valueOf(grant.handoff);
    await settled();
    expect(engine.one("aws:s3/bucket:Bucket").inputs.forceDestroy).to.equal(false);
    expect(engine.ofType("aws:s3/bucketObjectv2:BucketObjectv2")).to.have.length(0);
  });

  const refused: Array<[string, BucketAccessGrantArgs["buckets"], RegExp]> = [
    [
      "objects on an existing bucket",
      [{ name: "team-reports", objects: [{ key: "a", content: "b" }] }],
      /^InputError: args\.buckets\[0\]\.objects: \[\{"key":"a","content":"b"\}\] is invalid: is for a bucket the grant creates \(args\.buckets\[0\]\.create: true\)/,
    ],
    [
      "forceDestroy on an existing bucket",
      [{ name: "team-reports", create: false, forceDestroy: true }],
      /^InputError: args\.buckets\[0\]\.forceDestroy: true is invalid: is for a bucket the grant creates/,
    ],
    [
      "a plain content that is not text",
      [{ name: "team-reports", create: true, objects: [{ key: "a", content: 5 as never }] }],
      /^InputError: args\.buckets\[0\]\.objects\[0\]\.content: 5 is invalid/,
    ],
  ];
  for (const [label, buckets, message] of refused) {
    it(`refuses ${label}: once, before anything registers`, async () => {
      const engine = await engineIn(ACCOUNT_B);
      const { thrown, unhandled } = await settledRun(() => new BucketAccessGrant("g", grantArgs(buckets)));
      expect(String(thrown)).to.match(message);
      expect(unhandled.map(String)).to.deep.equal([]);
      expect(engine.resources).to.have.length(0);
    });
  }
});
