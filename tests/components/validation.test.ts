import { expect } from "chai";
import fc from "fast-check";
import * as Index from "../../components";
import { InputError, IrsaInputError, PolicySizeError, describeValue } from "../../components/errors";
import {
  AWS_PARTITIONS,
  DNS1123_LABEL_RULE,
  DNS1123_SUBDOMAIN_RULE,
  parseOidcProviderArn,
  parseRoleArn,
  requireArray,
  requireString,
  validateAccountId,
  validateBucketName,
  validateIamPath,
  validateInteger,
  validateKmsKeyArn,
  validateLabelName,
  validateNamespace,
  validateObjectKey,
  validateObjectName,
  validatePartition,
  validateRegion,
  validateRoleName,
} from "../../components/validation";
import { dnsLabel, dnsSubdomain, expectInputError, HOST_A, PROVIDER_A } from "./coreHelpers";

const F = "some.field";

describe("InputError and describeValue", () => {
  it("carries field, value and rule, and formats '<field>: <value> is invalid: <rule>'", () => {
    const err = new InputError("a.b", "x", "must be y");
    expect(err).to.be.instanceOf(Error);
    expect(err.name).to.equal("InputError");
    expect(err.field).to.equal("a.b");
    expect(err.value).to.equal("x");
    expect(err.rule).to.equal("must be y");
    expect(err.message).to.equal('a.b: "x" is invalid: must be y');
  });

  it("IrsaInputError, its name up to 0.2.0, is the same class: instanceof holds both ways", () => {
    expect(IrsaInputError).to.equal(InputError);
    const old: IrsaInputError = new IrsaInputError("a", 1, "must be 2");
    expect(old).to.be.instanceOf(InputError);
    expect(new InputError("a", 1, "must be 2")).to.be.instanceOf(IrsaInputError);
    expect(new PolicySizeError("p", {}, 3, 2, "too big")).to.be.instanceOf(IrsaInputError);
    expect(old.name).to.equal("InputError");
    expect(Index.IrsaInputError).to.equal(Index.InputError);
  });

  it("uses a custom message when given one", () => {
    const err = new InputError("f", 1, "r", "f: 1 is too small (r)");
    expect(err.message).to.equal("f: 1 is too small (r)");
    expect(err.rule).to.equal("r");
  });

  it("renders values: strings quoted, undefined, objects as JSON, long values cut at 200", () => {
    expect(describeValue("a")).to.equal('"a"');
    expect(describeValue(undefined)).to.equal("undefined");
    expect(describeValue(null)).to.equal("null");
    expect(describeValue(12)).to.equal("12");
    expect(describeValue({ a: [1] })).to.equal('{"a":[1]}');
    const long = describeValue("x".repeat(500));
    expect(long).to.have.length(200);
    expect(long).to.equal(`"${"x".repeat(196)}...`);
    expect(describeValue("x".repeat(198))).to.equal(`"${"x".repeat(198)}"`);
  });

  it("renders values JSON cannot (bigints, cycles, functions) as their type, without throwing", () => {
    expect(describeValue(10n)).to.equal("[bigint]");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).to.equal("[object]");
    expect(describeValue(() => 1)).to.equal("[function]");
  });

  it("shows NaN and the infinities as they are, not as JSON's null; true stays true (issue 9)", () => {
    expect(describeValue(NaN)).to.equal("NaN");
    expect(describeValue([1, -Infinity])).to.equal("[1,-Infinity]");
    expect(describeValue({ n: Infinity })).to.equal('{"n":Infinity}');
    expect(describeValue("NaN")).to.equal('"NaN"');
    expect(describeValue(true)).to.equal("true");
    expect(new InputError("maxSize", NaN, "must be a whole number").message).to.equal(
      "maxSize: NaN is invalid: must be a whole number",
    );
  });
});

describe("requireString", () => {
  it("returns strings (also empty)", () => {
    expect(requireString(F, "")).to.equal("");
    expect(requireString(F, "a")).to.equal("a");
  });
  for (const value of [undefined, null, 1, true, ["a"], { a: 1 }]) {
    it(`rejects ${describeValue(value)}`, () => {
      expectInputError(() => requireString(F, value), F, value, "must be a string");
    });
  }
});

describe("DNS-1123 names", () => {
  const label63 = "a".repeat(63);
  const label64 = "a".repeat(64);

  for (const [name, fn] of [
    ["validateNamespace", validateNamespace],
    ["validateLabelName", validateLabelName],
  ] as const) {
    describe(name, () => {
      for (const ok of [
        "a",
        "0",
        "default",
        "kube-system",
        "a-b-c",
        "1a",
        "a1",
        label63,
        `a${"-".repeat(61)}b`,
      ]) {
        it(`accepts ${JSON.stringify(ok)}`, () => expect(fn(F, ok)).to.equal(ok));
      }
      for (const bad of [label64, "", "A", "Default", "-a", "a-", "a.b", "a_b", "a b", "ä", "a*", "a:b"]) {
        it(`rejects ${JSON.stringify(bad)}`, () =>
          expectInputError(() => fn(F, bad), F, bad, DNS1123_LABEL_RULE));
      }
      it("rejects a non-string", () => expectInputError(() => fn(F, 5), F, 5, "must be a string"));
      it("accepts every generated label", () => {
        fc.assert(
          fc.property(dnsLabel(61), (l) => {
            expect(fn(F, l)).to.equal(l);
          }),
          { numRuns: 100 },
        );
      });
    });
  }

  describe("validateObjectName (DNS-1123 subdomain)", () => {
    // 253 characters: four 63-character labels would be 255, so 63+63+63+61 with three dots.
    const sub253 = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)].join(".");
    const sub254 = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(62)].join(".");
    it("has the boundary values the test thinks it has", () => {
      expect(sub253).to.have.length(253);
      expect(sub254).to.have.length(254);
    });
    for (const ok of ["a", "reader", "s3-reader", "a.b", "a-1.b-2.c", sub253, "x".repeat(100), "0.0"]) {
      it(`accepts ${JSON.stringify(ok.length > 40 ? `${ok.slice(0, 20)}…(${ok.length})` : ok)}`, () =>
        expect(validateObjectName(F, ok)).to.equal(ok));
    }
    for (const bad of [
      sub254,
      "",
      ".a",
      "a.",
      "a..b",
      "A",
      "a_b",
      "-a",
      "a-",
      "a.-b",
      "a-.b",
      "a b",
      "a*",
      "a:b",
    ]) {
      it(`rejects ${JSON.stringify(bad.length > 40 ? `${bad.slice(0, 20)}…(${bad.length})` : bad)}`, () =>
        expectInputError(() => validateObjectName(F, bad), F, bad, DNS1123_SUBDOMAIN_RULE));
    }
    it("accepts every generated subdomain", () => {
      fc.assert(
        fc.property(dnsSubdomain(), (s) => {
          expect(validateObjectName(F, s)).to.equal(s);
        }),
        { numRuns: 100 },
      );
    });
  });
});

describe("validatePartition", () => {
  for (const p of AWS_PARTITIONS) {
    it(`accepts ${p}`, () => expect(validatePartition(F, p)).to.equal(p));
  }
  for (const bad of ["", "AWS", "aws-x", "amazon", " aws"]) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      expectInputError(
        () => validatePartition(F, bad),
        F,
        bad,
        `must be one of the AWS partitions ${AWS_PARTITIONS.join(", ")}`,
      ));
  }
});

describe("validateAccountId", () => {
  it("accepts 12 digits", () => expect(validateAccountId(F, "012345678901")).to.equal("012345678901"));
  for (const bad of ["12345678901", "1234567890123", "12345678901a", "", " 123456789012"]) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      expectInputError(() => validateAccountId(F, bad), F, bad, "must be a 12-digit AWS account id"));
  }
  it("rejects a number (config must quote account ids: leading zeros)", () =>
    expectInputError(() => validateAccountId(F, 123456789012), F, 123456789012, "must be a string"));
});

describe("parseOidcProviderArn", () => {
  it("parses an EKS provider ARN", () => {
    expect(parseOidcProviderArn(F, PROVIDER_A)).to.deep.equal({
      partition: "aws",
      accountId: "222233334444",
      hostPath: HOST_A,
    });
  });
  it("parses other partitions and host-only issuers", () => {
    expect(
      parseOidcProviderArn(F, "arn:aws-cn:iam::123456789012:oidc-provider/oidc.example.cn"),
    ).to.deep.equal({
      partition: "aws-cn",
      accountId: "123456789012",
      hostPath: "oidc.example.cn",
    });
    expect(
      parseOidcProviderArn(F, "arn:aws-us-gov:iam::123456789012:oidc-provider/a.b/c").partition,
    ).to.equal("aws-us-gov");
  });
  const rule =
    "must be an IAM OIDC provider ARN: arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host/path>";
  for (const bad of [
    "",
    HOST_A,
    `arn:aws:iam::22223333444:oidc-provider/${HOST_A}`,
    `arn:aws:iam::2222333344445:oidc-provider/${HOST_A}`,
    `arn:aws:iam:eu-west-1:222233334444:oidc-provider/${HOST_A}`,
    `arn:aws:iam::222233334444:saml-provider/${HOST_A}`,
    `arn:aws:sts::222233334444:oidc-provider/${HOST_A}`,
    "arn:aws:iam::222233334444:oidc-provider/",
    `arn:aws:iam::222233334444:oidc-provider/${HOST_A}/`,
    `arn:aws:iam::222233334444:oidc-provider/https://${HOST_A}`,
    `arn:aws:iam::222233334444:oidc-provider/${HOST_A} `,
    `arn:aws:iam::222233334444:oidc-provider/a b`,
    `arn:AWS:iam::222233334444:oidc-provider/${HOST_A}`,
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      expectInputError(() => parseOidcProviderArn(F, bad), F, bad, rule));
  }
  it("rejects an unknown partition, listing the partitions", () => {
    const bad = `arn:aws-mars:iam::222233334444:oidc-provider/${HOST_A}`;
    expectInputError(
      () => parseOidcProviderArn(F, bad),
      F,
      bad,
      `${rule}; partition must be one of aws, aws-cn`,
    );
  });
  it("rejects a non-string", () =>
    expectInputError(() => parseOidcProviderArn(F, null), F, null, "must be a string"));
});

describe("parseRoleArn", () => {
  const cases: Array<[string, { partition: string; accountId: string; path: string; roleName: string }]> = [
    [
      "arn:aws:iam::123456789012:role/reader",
      { partition: "aws", accountId: "123456789012", path: "/", roleName: "reader" },
    ],
    [
      "arn:aws:iam::123456789012:role/team/apps/s3-reader",
      { partition: "aws", accountId: "123456789012", path: "/team/apps/", roleName: "s3-reader" },
    ],
    [
      "arn:aws-us-gov:iam::123456789012:role/a+=,.@_-b",
      { partition: "aws-us-gov", accountId: "123456789012", path: "/", roleName: "a+=,.@_-b" },
    ],
    [
      `arn:aws:iam::123456789012:role/${"r".repeat(64)}`,
      { partition: "aws", accountId: "123456789012", path: "/", roleName: "r".repeat(64) },
    ],
  ];
  for (const [arn, parts] of cases) {
    it(`parses ${arn.length > 60 ? `${arn.slice(0, 50)}…` : arn}`, () =>
      expect(parseRoleArn(F, arn)).to.deep.equal(parts));
  }
  const rule = "must be an IAM role ARN: arn:<partition>:iam::<12-digit account>:role/[<path>/]<name>";
  for (const bad of [
    "",
    "reader",
    "arn:aws:iam::123456789012:rolereader",
    "arn:aws:iam::123456789012:role/",
    "arn:aws:iam::123456789012:role/team/",
    "arn:aws:iam::123456789012:role//reader",
    `arn:aws:iam::123456789012:role/${"r".repeat(65)}`,
    "arn:aws:iam::123456789012:role/a b",
    "arn:aws:iam::123456789012:user/reader",
    "arn:aws:iam::12345678901:role/reader",
    "arn:aws:sts::123456789012:assumed-role/reader/session",
    "arn:aws-mars:iam::123456789012:role/reader",
  ]) {
    it(`rejects ${JSON.stringify(bad.length > 60 ? `${bad.slice(0, 50)}…` : bad)}`, () =>
      expectInputError(() => parseRoleArn(F, bad), F, bad, rule));
  }
});

describe("validateRoleName", () => {
  for (const ok of ["r", "s3-reader", "A_b+=,.@-9", "x".repeat(64)]) {
    it(`accepts ${JSON.stringify(ok)}`, () => expect(validateRoleName(F, ok)).to.equal(ok));
  }
  for (const bad of ["", "x".repeat(65), "a b", "a/b", "a:b", "ä"]) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      expectInputError(() => validateRoleName(F, bad), F, bad, "must be an IAM role name: 1 to 64 letters"));
  }
});

describe("validateIamPath", () => {
  const path512 = `/${"p".repeat(510)}/`;
  for (const ok of ["/", "/a/", "/team/apps/", "/a-b_c.d!~/", path512]) {
    it(`accepts ${JSON.stringify(ok.length > 20 ? `…(${ok.length})` : ok)}`, () =>
      expect(validateIamPath(F, ok)).to.equal(ok));
  }
  for (const bad of ["", "a/", "/a", "//", "/a//b/", "/a b/", "/ä/", `/${"p".repeat(511)}/`]) {
    it(`rejects ${JSON.stringify(bad.length > 20 ? `…(${bad.length})` : bad)}`, () =>
      expectInputError(() => validateIamPath(F, bad), F, bad, "must be an IAM path: '/' or '/<segments>/'"));
  }
});

describe("validateBucketName (every S3 naming rule)", () => {
  for (const ok of [
    "abc",
    "my-bucket",
    "my.bucket.name",
    "123",
    "a-b.c-d",
    "1.2.3",
    "1234.1.1.1",
    "x".repeat(63),
    "xn-a",
    "a-s3alias-b",
  ]) {
    it(`accepts ${JSON.stringify(ok)}`, () => expect(validateBucketName(F, ok)).to.equal(ok));
  }
  const cases: Array<[string, string]> = [
    ["ab", "S3 bucket names must be 3 to 63 characters long"],
    ["x".repeat(64), "S3 bucket names must be 3 to 63 characters long"],
    ["", "S3 bucket names must be 3 to 63 characters long"],
    ["My-Bucket", "S3 bucket names may contain only lower-case letters, digits, '.' and '-'"],
    ["my_bucket", "may contain only lower-case letters, digits, '.' and '-'"],
    ["my bucket", "may contain only lower-case letters, digits, '.' and '-'"],
    ["arn:aws:s3:::b", "may contain only lower-case letters, digits, '.' and '-'"],
    ["-bucket", "S3 bucket names must begin and end with a lower-case letter or digit"],
    ["bucket-", "must begin and end with a lower-case letter or digit"],
    [".bucket", "must begin and end with a lower-case letter or digit"],
    ["bucket.", "must begin and end with a lower-case letter or digit"],
    ["my..bucket", "S3 bucket names must not contain two adjacent periods"],
    ["192.168.5.4", "S3 bucket names must not be formatted as an IP address"],
    ["1.1.1.1", "must not be formatted as an IP address"],
    [
      "xn--bucket",
      "S3 bucket names must not start with the reserved prefixes 'xn--', 'sthree-' or 'amzn-s3-demo-'",
    ],
    ["sthree-bucket", "must not start with the reserved prefixes"],
    ["sthree-configurator", "must not start with the reserved prefixes"],
    ["amzn-s3-demo-bucket", "must not start with the reserved prefixes"],
    [
      "bucket-s3alias",
      "S3 bucket names must not end with the reserved suffixes '-s3alias', '--ol-s3', '.mrap', '--x-s3' or '--table-s3'",
    ],
    ["bucket--ol-s3", "must not end with the reserved suffixes"],
    ["bucket.mrap", "must not end with the reserved suffixes"],
    ["bucket--x-s3", "must not end with the reserved suffixes"],
    ["bucket--table-s3", "must not end with the reserved suffixes"],
  ];
  for (const [bad, rule] of cases) {
    it(`rejects ${JSON.stringify(bad.length > 30 ? `…(${bad.length})` : bad)}: ${rule}`, () =>
      expectInputError(() => validateBucketName(F, bad), F, bad, rule));
  }
  it("rejects a non-string", () =>
    expectInputError(() => validateBucketName(F, 1), F, 1, "must be a string"));
});

describe("validateObjectKey", () => {
  for (const ok of ["a", "reports/2024/x.csv", "k".repeat(1024), "é".repeat(512), "a//b", " "]) {
    it(`accepts ${JSON.stringify(ok.length > 20 ? `…(${ok.length})` : ok)}`, () =>
      expect(validateObjectKey(F, ok)).to.equal(ok));
  }
  for (const bad of ["", "k".repeat(1025), "é".repeat(513)]) {
    it(`rejects ${JSON.stringify(bad.length > 20 ? `…(${bad.length})` : bad)} (byte length)`, () =>
      expectInputError(
        () => validateObjectKey(F, bad),
        F,
        bad,
        "S3 object keys must be 1 to 1024 bytes of UTF-8",
      ));
  }
  it("rejects a leading '/'", () =>
    expectInputError(
      () => validateObjectKey(F, "/a"),
      F,
      "/a",
      "must not start with '/': S3 keys are relative to the bucket",
    ));
});

describe("validateKmsKeyArn (key ARN, never an alias)", () => {
  for (const ok of [
    "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab",
    "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  ]) {
    it(`accepts ${ok}`, () => expect(validateKmsKeyArn(F, ok)).to.equal(ok));
  }
  const rule = "must be a KMS key ARN arn:<partition>:kms:<region>:<account>:key/<key id> (not an alias";
  for (const bad of [
    "arn:aws:kms:eu-west-1:123456789012:alias/my-key",
    "alias/my-key",
    "1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:kms::123456789012:key/1234abcd",
    "arn:aws:kms:eu-west-1:12345678901:key/1234abcd",
    "arn:aws:kms:eu-west-1:123456789012:key/",
    "arn:aws:kms:eu-west-1:123456789012:key/*",
    "arn:aws-mars:kms:eu-west-1:123456789012:key/1234abcd",
    "arn:aws:s3:::bucket",
  ]) {
    it(`rejects ${bad}`, () => expectInputError(() => validateKmsKeyArn(F, bad), F, bad, rule));
  }
});

describe("validateRegion", () => {
  for (const ok of [
    "eu-west-1",
    "us-east-1",
    "ap-southeast-2",
    "us-gov-west-1",
    "cn-north-1",
    "us-isob-east-1",
    "eusc-de-east-1",
  ]) {
    it(`accepts ${ok}`, () => expect(validateRegion(F, ok)).to.equal(ok));
  }
  for (const bad of [
    "",
    "EU-west-1",
    "euwest1",
    "eu-west",
    "eu-west-1a",
    "eu-west-",
    "e-west-1",
    " eu-west-1",
    "global",
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      expectInputError(() => validateRegion(F, bad), F, bad, "must be an AWS region name such as eu-west-1"));
  }
});

describe("requireArray", () => {
  it("returns the array", () => {
    const a = [1, 2];
    expect(requireArray(F, a)).to.equal(a);
    expect(requireArray(F, [], 0)).to.deep.equal([]);
    expect(requireArray(F, ["x"], 1)).to.deep.equal(["x"]);
  });
  it("rejects a non-list", () => {
    for (const bad of ["a", { 0: "a", length: 1 }, null, undefined]) {
      expectInputError(() => requireArray(F, bad), F, bad, "must be a list");
    }
  });
  it("rejects too short a list, in the right number", () => {
    expectInputError(() => requireArray(F, [], 1), F, [], "must list at least 1 item");
    const err = expectInputError(() => requireArray(F, ["a"], 2), F, ["a"], "must list at least 2 items");
    expect(err.rule).to.equal("must list at least 2 items");
  });
});

describe("validateInteger", () => {
  it("accepts whole numbers in range, boundaries included", () => {
    expect(validateInteger(F, 1, 1, 4096)).to.equal(1);
    expect(validateInteger(F, 4096, 1, 4096)).to.equal(4096);
    expect(validateInteger(F, 3600, 3600, 43200)).to.equal(3600);
  });
  for (const bad of [0, 4097, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "10", null, undefined]) {
    it(`rejects ${describeValue(bad)}`, () =>
      expectInputError(
        () => validateInteger(F, bad, 1, 4096),
        F,
        bad,
        "must be a whole number from 1 to 4096",
      ));
  }
});
