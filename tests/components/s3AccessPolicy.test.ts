import { expect } from "chai";
import fc from "fast-check";
import { policyJson } from "../../components/policyDocument";
import {
  buildS3AccessPolicy,
  KMS_ACTIONS,
  normalizePrefixes,
  OBJECT_ACTIONS,
  type S3AccessLevel,
  type S3AccessOptions,
} from "../../components/s3AccessPolicy";
import { AWS_PARTITIONS } from "../../components/validation";
import { expectInputError } from "./coreHelpers";

const BUCKET = "team-data-bucket";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const KMS_KEY = "arn:aws:kms:eu-west-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

describe("buildS3AccessPolicy", () => {
  describe("documents", () => {
    it("read (the default): ListBucket on the bucket, GetObject on bucket/*", () => {
      const expected = {
        Version: "2012-10-17",
        Statement: [
          { Sid: "ListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET_ARN },
          { Sid: "ReadObjects", Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET_ARN}/*` },
        ],
      };
      expect(buildS3AccessPolicy({ bucketName: BUCKET })).to.deep.equal(expected);
      expect(buildS3AccessPolicy({ bucketName: BUCKET, access: "read" })).to.deep.equal(expected);
      expect(policyJson(buildS3AccessPolicy({ bucketName: BUCKET }))).to.equal(
        `{"Version":"2012-10-17","Statement":[{"Sid":"ListBucket","Effect":"Allow","Action":"s3:ListBucket","Resource":"${BUCKET_ARN}"},` +
          `{"Sid":"ReadObjects","Effect":"Allow","Action":"s3:GetObject","Resource":"${BUCKET_ARN}/*"}]}`,
      );
    });

    it("read-write: adds PutObject, DeleteObject, AbortMultipartUpload on objects only", () => {
      expect(buildS3AccessPolicy({ bucketName: BUCKET, access: "read-write" })).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          { Sid: "ListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET_ARN },
          {
            Sid: "ReadWriteObjects",
            Effect: "Allow",
            Action: ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            Resource: `${BUCKET_ARN}/*`,
          },
        ],
      });
    });

    it("list: ListBucket only", () => {
      expect(buildS3AccessPolicy({ bucketName: BUCKET, access: "list" })).to.deep.equal({
        Version: "2012-10-17",
        Statement: [{ Sid: "ListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET_ARN }],
      });
    });

    it("the exported action sets are exactly the contract's", () => {
      expect(OBJECT_ACTIONS).to.deep.equal({
        list: [],
        read: ["s3:GetObject"],
        "read-write": ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
      });
      expect(KMS_ACTIONS).to.deep.equal({
        list: [],
        read: ["kms:Decrypt"],
        "read-write": ["kms:Decrypt", "kms:GenerateDataKey"],
      });
    });

    it("one prefix: an s3:prefix condition on ListBucket and bucket/<prefix>* objects", () => {
      expect(buildS3AccessPolicy({ bucketName: BUCKET, prefixes: ["reports/"] })).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ListBucket",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: BUCKET_ARN,
            Condition: { StringLike: { "s3:prefix": "reports/*" } },
          },
          {
            Sid: "ReadObjects",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: `${BUCKET_ARN}/reports/*`,
          },
        ],
      });
    });

    it("several prefixes: sorted, de-duplicated, covered ones dropped", () => {
      const doc = buildS3AccessPolicy({
        bucketName: BUCKET,
        access: "read-write",
        prefixes: ["z/", "a/b/", "a/", "m/n", "z/", "m/nested/deeper/"],
      });
      expect(doc.Statement[0].Condition).to.deep.equal({
        StringLike: { "s3:prefix": ["a/*", "m/n*", "z/*"] },
      });
      expect(doc.Statement[1].Resource).to.deep.equal([
        `${BUCKET_ARN}/a/*`,
        `${BUCKET_ARN}/m/n*`,
        `${BUCKET_ARN}/z/*`,
      ]);
    });

    it("list with prefixes: only the conditioned ListBucket", () => {
      expect(
        buildS3AccessPolicy({ bucketName: BUCKET, access: "list", prefixes: ["logs/"] }).Statement,
      ).to.deep.equal([
        {
          Sid: "ListBucket",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: BUCKET_ARN,
          Condition: { StringLike: { "s3:prefix": "logs/*" } },
        },
      ]);
    });

    it("an empty prefix list is the whole bucket", () => {
      expect(buildS3AccessPolicy({ bucketName: BUCKET, prefixes: [] })).to.deep.equal(
        buildS3AccessPolicy({ bucketName: BUCKET }),
      );
    });

    it("KMS: Decrypt for read, on that key only", () => {
      const doc = buildS3AccessPolicy({ bucketName: BUCKET, kmsKeyArn: KMS_KEY });
      expect(doc.Statement).to.have.length(3);
      expect(doc.Statement[2]).to.deep.equal({
        Sid: "UseBucketKey",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: KMS_KEY,
      });
    });

    it("KMS: Decrypt and GenerateDataKey for read-write", () => {
      const doc = buildS3AccessPolicy({ bucketName: BUCKET, access: "read-write", kmsKeyArn: KMS_KEY });
      expect(doc.Statement[2]).to.deep.equal({
        Sid: "UseBucketKey",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: KMS_KEY,
      });
    });

    it("KMS: nothing for list", () => {
      expect(buildS3AccessPolicy({ bucketName: BUCKET, access: "list", kmsKeyArn: KMS_KEY })).to.deep.equal(
        buildS3AccessPolicy({ bucketName: BUCKET, access: "list" }),
      );
    });

    it("uses the partition in every ARN", () => {
      const key = "arn:aws-cn:kms:cn-north-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab";
      const doc = buildS3AccessPolicy({
        bucketName: BUCKET,
        partition: "aws-cn",
        kmsKeyArn: key,
        prefixes: ["p/"],
      });
      expect(doc.Statement.map((s) => s.Resource)).to.deep.equal([
        `arn:aws-cn:s3:::${BUCKET}`,
        `arn:aws-cn:s3:::${BUCKET}/p/*`,
        key,
      ]);
      for (const partition of AWS_PARTITIONS) {
        const d = buildS3AccessPolicy({ bucketName: BUCKET, partition });
        expect(d.Statement[0].Resource).to.equal(`arn:${partition}:s3:::${BUCKET}`);
        expect(d.Statement[1].Resource).to.equal(`arn:${partition}:s3:::${BUCKET}/*`);
      }
    });

    it("never grants ListBucket on objects nor object actions on the bucket (property)", () => {
      const prefixArb = fc.stringMatching(/^[a-z0-9][a-z0-9/._-]{0,8}$/);
      fc.assert(
        fc.property(
          fc.constantFrom<S3AccessLevel>("read", "read-write", "list"),
          fc.array(prefixArb, { maxLength: 4 }),
          fc.boolean(),
          (access, prefixes, withKey) => {
            const options: S3AccessOptions = { bucketName: BUCKET, access, prefixes };
            if (withKey) options.kmsKeyArn = KMS_KEY;
            const doc = buildS3AccessPolicy(options);
            const normalized = normalizePrefixes(prefixes);
            const byAction = new Map<string, string[]>();
            for (const st of doc.Statement) {
              expect(st.Effect).to.equal("Allow");
              for (const action of list(st.Action)) {
                expect(byAction.has(action), `${action} granted twice`).to.equal(false);
                byAction.set(action, list(st.Resource));
              }
            }
            expect(byAction.get("s3:ListBucket")).to.deep.equal([BUCKET_ARN]);
            const objectArns =
              normalized.length > 0 ? normalized.map((p) => `${BUCKET_ARN}/${p}*`) : [`${BUCKET_ARN}/*`];
            for (const action of OBJECT_ACTIONS[access]) {
              expect(byAction.get(action)).to.deep.equal(objectArns);
            }
            for (const action of withKey ? KMS_ACTIONS[access] : []) {
              expect(byAction.get(action)).to.deep.equal([KMS_KEY]);
            }
            const expectedActions = [
              "s3:ListBucket",
              ...OBJECT_ACTIONS[access],
              ...(withKey ? KMS_ACTIONS[access] : []),
            ].sort();
            expect([...byAction.keys()].sort()).to.deep.equal(expectedActions);
            const listCondition = doc.Statement[0].Condition;
            if (normalized.length === 0) expect(listCondition).to.equal(undefined);
            else
              expect(list(listCondition!.StringLike["s3:prefix"])).to.deep.equal(
                normalized.map((p) => `${p}*`),
              );
          },
        ),
        { numRuns: 150 },
      );
    });
  });

  describe("errors name the field, the value and the rule", () => {
    it("bucket names S3 rejects", () => {
      const cases: Array<[string, string]> = [
        ["ab", "S3 bucket names must be 3 to 63 characters long"],
        ["Team-Data", "S3 bucket names may contain only lower-case letters, digits, '.' and '-'"],
        [BUCKET_ARN, "may contain only lower-case letters"],
        ["-bucket", "must begin and end with a lower-case letter or digit"],
        ["a..b", "must not contain two adjacent periods"],
        ["10.0.0.1", "must not be formatted as an IP address"],
        ["xn--bucket", "reserved prefixes"],
        ["bucket-s3alias", "reserved suffixes"],
      ];
      for (const [bucketName, rule] of cases) {
        expectInputError(() => buildS3AccessPolicy({ bucketName }), "bucketName", bucketName, rule);
      }
      expectInputError(
        () => buildS3AccessPolicy({} as S3AccessOptions),
        "bucketName",
        undefined,
        "must be a string",
      );
    });

    it("prefixes with '*', '?' or a leading '/', or empty", () => {
      const cases: Array<[string[], number, string]> = [
        [["reports/*"], 0, "must not contain '*' or '?': a prefix is matched literally"],
        [["ok/", "a?b/"], 1, "must not contain '*' or '?': a prefix is matched literally"],
        [["/reports/"], 0, "must not start with '/': S3 keys are relative to the bucket"],
        [["ok/", ""], 1, "must not be empty: leave prefixes out to grant the whole bucket"],
      ];
      for (const [prefixes, index, rule] of cases) {
        expectInputError(
          () => buildS3AccessPolicy({ bucketName: BUCKET, prefixes }),
          `prefixes[${index}]`,
          prefixes[index],
          rule,
        );
      }
      expectInputError(
        () => buildS3AccessPolicy({ bucketName: BUCKET, prefixes: [1 as unknown as string] }),
        "prefixes[0]",
        1,
        "must be a string",
      );
      expectInputError(
        () => buildS3AccessPolicy({ bucketName: BUCKET, prefixes: "reports/" as unknown as string[] }),
        "prefixes",
        "reports/",
        "must be a list",
      );
    });

    it("a bad access level", () => {
      for (const access of ["write", "READ", "toString", "", 1]) {
        expectInputError(
          () => buildS3AccessPolicy({ bucketName: BUCKET, access: access as S3AccessLevel }),
          "access",
          access,
          'must be one of "read", "read-write", "list"',
        );
      }
    });

    it("a bad partition", () => {
      for (const partition of ["aws-mars", "AWS", ""]) {
        expectInputError(
          () => buildS3AccessPolicy({ bucketName: BUCKET, partition }),
          "partition",
          partition,
          "must be one of the AWS partitions aws, aws-cn, aws-us-gov",
        );
      }
    });

    it("a KMS alias (ARN or name) instead of a key ARN", () => {
      for (const kmsKeyArn of [
        "arn:aws:kms:eu-west-1:222233334444:alias/bucket-key",
        "alias/bucket-key",
        "",
      ]) {
        expectInputError(
          () => buildS3AccessPolicy({ bucketName: BUCKET, kmsKeyArn }),
          "kmsKeyArn",
          kmsKeyArn,
          "must be a KMS key ARN arn:<partition>:kms:<region>:<account>:key/<key id> (not an alias: IAM matches the key ARN in Resource)",
        );
      }
    });

    it("a KMS key in another partition", () => {
      expectInputError(
        () => buildS3AccessPolicy({ bucketName: BUCKET, partition: "aws-cn", kmsKeyArn: KMS_KEY }),
        "kmsKeyArn",
        KMS_KEY,
        'must be in the bucket\'s partition "aws-cn"',
      );
    });

    it("options that are not an object", () => {
      expectInputError(
        () => buildS3AccessPolicy(null as unknown as S3AccessOptions),
        "options",
        null,
        "must be an object { bucketName, access?, prefixes?, kmsKeyArn?, partition? }",
      );
    });
  });
});

describe("normalizePrefixes", () => {
  it("undefined and [] are the whole bucket", () => {
    expect(normalizePrefixes(undefined)).to.deep.equal([]);
    expect(normalizePrefixes([])).to.deep.equal([]);
  });

  it("de-duplicates, sorts in code-point order and drops prefixes another one covers", () => {
    expect(normalizePrefixes(["b/", "a/", "b/"])).to.deep.equal(["a/", "b/"]);
    expect(normalizePrefixes(["a/b/", "a/"])).to.deep.equal(["a/"]);
    expect(normalizePrefixes(["data", "database/", "dat/"])).to.deep.equal(["dat/", "data"]);
    expect(normalizePrefixes(["Z/", "a/", "_/"])).to.deep.equal(["Z/", "_/", "a/"]);
    expect(normalizePrefixes(["a", "ab", "abc", "b"])).to.deep.equal(["a", "b"]);
  });

  it("result is sorted, unique, prefix-free, and covers exactly the same keys (property)", () => {
    const prefixArb = fc.stringMatching(/^[ab][ab/]{0,4}$/);
    const keyArb = fc.stringMatching(/^[ab/]{0,7}$/);
    fc.assert(
      fc.property(
        fc.array(prefixArb, { maxLength: 6 }),
        fc.array(keyArb, { maxLength: 10 }),
        (prefixes, keys) => {
          const out = normalizePrefixes(prefixes);
          expect(out).to.deep.equal([...new Set(out)].sort());
          for (const p of out) {
            expect(out.some((q) => q !== p && p.startsWith(q))).to.equal(false);
          }
          for (const key of keys) {
            expect(out.some((p) => key.startsWith(p))).to.equal(prefixes.some((p) => key.startsWith(p)));
          }
          expect(normalizePrefixes(out)).to.deep.equal(out);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("names the caller's field", () => {
    expectInputError(
      () => normalizePrefixes(["*"], "bucket.prefixes"),
      "bucket.prefixes[0]",
      "*",
      "must not contain",
    );
  });
});
