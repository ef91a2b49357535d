/**
 * account-b's grants mode, parsed: each refusal of a grant's field, naming
 * `cross-account-irsa:grants[<i>].<field>` as written, the value and the rule (and of what must be
 * unique across grants).
 */
import { expect } from "chai";
import { SA, grant, refusal } from "./accountBGrantsFixtures";

describe("account-b grants mode: refusals, naming cross-account-irsa:grants[<i>].<field>, the value and the rule", () => {
  const cases: Array<[string, unknown, RegExp, string?]> = [
    ["an empty list", [], /^cross-account-irsa:grants: \[\] is invalid: must be a non-empty list of grants/],
    ["a string", "reports", /^cross-account-irsa:grants: "reports" is invalid: must be a non-empty list/],
    [
      "an object",
      { key: "reports" },
      /^cross-account-irsa:grants: \{"key":"reports"\} is invalid: must be a non-empty list/,
    ],
    [
      "a non-object entry",
      ["reports"],
      /^cross-account-irsa:grants\[0\]: "reports" is invalid: must be an object \{ key,/,
    ],
    [
      "an unknown field",
      [grant({ serviceAcounts: [SA] })],
      /^cross-account-irsa:grants\[0\]\.serviceAcounts: .* is invalid: is not a known setting: did you mean cross-account-irsa:grants\[0\]\.serviceAccounts\?/,
    ],
    [
      "no key",
      [grant({ key: undefined })],
      /^cross-account-irsa:grants\[0\]\.key is not set: it names the grant's resources and never changes$/,
    ],
    [
      "a number as key",
      [grant({ key: 12 })],
      /^cross-account-irsa:grants\[0\]\.key: 12 is invalid: must be 1 to 32 lower-case letters/,
    ],
    [
      "an upper-case key",
      [grant({ key: "Reports" })],
      /^cross-account-irsa:grants\[0\]\.key: "Reports" is invalid: must be 1 to 32 lower-case/,
    ],
    [
      "a key ending in -",
      [grant({ key: "reports-" })],
      /^cross-account-irsa:grants\[0\]\.key: "reports-" is invalid/,
    ],
    [
      "a 33-character key",
      [grant({ key: "a".repeat(33) })],
      /^cross-account-irsa:grants\[0\]\.key: "a{33}" is invalid/,
    ],
    [
      "a key twice",
      [grant(), grant({ roleName: undefined })],
      /^cross-account-irsa:grants\[1\]\.key: "reports" is invalid: is cross-account-irsa:grants\[0\]\.key too: each grant has its own key/,
    ],
    [
      "no mechanism",
      [grant({ mechanism: undefined })],
      /^cross-account-irsa:grants\[0\]\.mechanism is not set: it names the mechanism\(s\)/,
    ],
    [
      "an unknown mechanism",
      [grant({ mechanism: "irsa2" })],
      /^cross-account-irsa:grants\[0\]\.mechanism: "irsa2" is invalid: must be one of "irsa", "pod-identity", "irsa-chained"/,
    ],
    [
      "an unknown mechanism in a list",
      [grant({ mechanism: ["irsa", 5] })],
      /^cross-account-irsa:grants\[0\]\.mechanism\[1\]: 5 is invalid: must be one of/,
    ],
    [
      "a mechanism twice",
      [grant({ mechanism: ["irsa", "irsa"] })],
      /^cross-account-irsa:grants\[0\]\.mechanism\[1\]: "irsa" is invalid: is listed twice/,
    ],
    [
      "an empty mechanism list",
      [grant({ mechanism: [] })],
      /^cross-account-irsa:grants\[0\]\.mechanism: \[\] is invalid: must name at least one mechanism/,
    ],
    [
      "no service accounts",
      [grant({ serviceAccounts: undefined })],
      /^cross-account-irsa:grants\[0\]\.serviceAccounts is not set/,
    ],
    [
      "an empty service account list",
      [grant({ serviceAccounts: [] })],
      /^cross-account-irsa:grants\[0\]\.serviceAccounts: \[\] is invalid/,
    ],
    [
      "a service account pattern",
      [grant({ serviceAccounts: [{ namespace: "team-a", name: "*" }] })],
      /^cross-account-irsa:grants\[0\]\.serviceAccounts\[0\]\.name: "\*" is invalid: must be exact/,
    ],
    [
      "a bad namespace",
      [grant({ serviceAccounts: [{ namespace: "Team_A", name: "x" }] })],
      /^cross-account-irsa:grants\[0\]\.serviceAccounts\[0\]\.namespace: "Team_A" is invalid: must be a DNS-1123 label/,
    ],
    [
      "a service account field",
      [grant({ serviceAccounts: [{ ...SA, create: true }] })],
      /^cross-account-irsa:grants\[0\]\.serviceAccounts\[0\]\.create: true is invalid: is not a service account field/,
    ],
    [
      "no buckets",
      [grant({ buckets: undefined })],
      /^cross-account-irsa:grants\[0\]\.buckets is not set: it lists the buckets/,
    ],
    [
      "an empty bucket list",
      [grant({ buckets: [] })],
      /^cross-account-irsa:grants\[0\]\.buckets: \[\] is invalid: must be a non-empty list of buckets/,
    ],
    [
      "a bucket that is a string",
      [grant({ buckets: ["team-a-reports"] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]: "team-a-reports" is invalid: must be an object \{ name, create,/,
    ],
    [
      "an unknown bucket field",
      [grant({ buckets: [{ name: "x-data", prefix: ["a/"] }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.prefix: \["a\/"\] is invalid: is not a known setting: did you mean cross-account-irsa:grants\[0\]\.buckets\[0\]\.prefixes\?/,
    ],
    [
      "a bucket without a name",
      [grant({ buckets: [{ create: true }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.name is not set: it names the bucket/,
    ],
    [
      "a number as bucket name",
      [grant({ buckets: [{ name: 12345 }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.name: 12345 is invalid/,
    ],
    [
      "a bad bucket name",
      [grant({ buckets: [{ name: "x" }, { name: "Team_Data" }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.name: "x" is invalid/,
    ],
    [
      "a bucket twice in a grant",
      [grant({ buckets: [{ name: "x-data" }, { name: "x-data", create: true }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[1\]\.name: "x-data" is invalid: is cross-account-irsa:grants\[0\]\.buckets\[0\]\.name too/,
    ],
    [
      "an unknown access",
      [grant({ buckets: [{ name: "x-data", access: "write" }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.access: "write" is invalid: must be one of "read", "read-write", "list"/,
    ],
    [
      "create as a string",
      [grant({ buckets: [{ name: "x-data", create: "true" }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.create: "true" is invalid/,
    ],
    [
      "an empty prefix list",
      [grant({ buckets: [{ name: "x-data", prefixes: [] }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.prefixes: \[\] is invalid: must not be empty/,
    ],
    [
      "a prefix with a line feed",
      [grant({ buckets: [{ name: "x-data", prefixes: ["a/\nb"] }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.prefixes\[0\]: "a\/\\nb" is invalid: must not contain a control character \(U\+000A at position 2\)/,
    ],
    [
      "a KMS alias",
      [grant({ buckets: [{ name: "x-data", kmsKeyArn: "alias/x" }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.kmsKeyArn: "alias\/x" is invalid/,
    ],
    [
      "a KMS key of another region",
      [grant({ buckets: [{ name: "x-data", kmsKeyArn: "arn:aws:kms:us-east-1:444455556666:key/abc" }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.kmsKeyArn: .* is invalid: must be a key of the bucket's region, aws:region eu-west-1/,
    ],
    [
      "forceDestroy on an existing bucket",
      [grant({ buckets: [{ name: "x-data", forceDestroy: false }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.forceDestroy: false is invalid: is for a bucket the stack creates \(cross-account-irsa:grants\[0\]\.buckets\[0\]\.create: true\)/,
    ],
    [
      "forceDestroy as a string",
      [grant({ buckets: [{ name: "x-data", create: true, forceDestroy: "yes" }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.forceDestroy: "yes" is invalid/,
    ],
    [
      "an objectKey outside the prefixes",
      [grant({ buckets: [{ name: "x-data", prefixes: ["reports/"], objectKey: "check.txt" }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.objectKey: "check.txt" is invalid: must be under one of the granted prefixes \["reports\/"\]/,
    ],
    [
      "an objectKey with list access",
      [grant({ buckets: [{ name: "x-data", access: "list", objectKey: "check.txt" }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.objectKey: "check.txt" is invalid: cannot be read with cross-account-irsa:grants\[0\]\.buckets\[0\]\.access "list"/,
    ],
    [
      "an objectKey with a control character",
      [grant({ buckets: [{ name: "x-data", objectKey: "a\rb" }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.objectKey: "a\\rb" is invalid: must not contain a control character/,
    ],
    [
      "an objectKey starting with /",
      [grant({ buckets: [{ name: "x-data", objectKey: "/check.txt" }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.objectKey: "\/check.txt" is invalid: must not start with '\/'/,
    ],
    [
      "an objectKey that is a number",
      [grant({ buckets: [{ name: "x-data", objectKey: 7 }] })],
      /^cross-account-irsa:grants\[0\]\.buckets\[0\]\.objectKey: 7 is invalid/,
    ],
    [
      "a number as role name",
      [grant({ roleName: 12345 })],
      /^cross-account-irsa:grants\[0\]\.roleName: 12345 is invalid/,
    ],
    [
      "a bad role name",
      [grant({ roleName: "a/b" })],
      /^cross-account-irsa:grants\[0\]\.roleName: "a\/b" is invalid: must be an IAM role name/,
    ],
    ["a bad path", [grant({ path: "grants" })], /^cross-account-irsa:grants\[0\]\.path: "grants" is invalid/],
    [
      "a bad permissions boundary",
      [grant({ permissionsBoundary: "boundary" })],
      /^cross-account-irsa:grants\[0\]\.permissionsBoundary: "boundary" is invalid/,
    ],
    [
      "a session duration as a string",
      [grant({ maxSessionDuration: "7200" })],
      /^cross-account-irsa:grants\[0\]\.maxSessionDuration: "7200" is invalid: must be a whole number from 3600 to 43200/,
    ],
    [
      "a session duration too short",
      [grant({ maxSessionDuration: 900 })],
      /^cross-account-irsa:grants\[0\]\.maxSessionDuration: 900 is invalid: must be a whole number from 3600 to 43200/,
    ],
    [
      "a trust size over the quota",
      [grant({ maxTrustPolicySize: 5000 })],
      /^cross-account-irsa:grants\[0\]\.maxTrustPolicySize: 5000 is invalid: must be a whole number from 2048 to 4096/,
    ],
    [
      "sourceRoleName without pod-identity",
      [grant({ sourceRoleName: "x" })],
      /^cross-account-irsa:grants\[0\]\.sourceRoleName: "x" is invalid: is read only when the grant's mechanism lists "pod-identity"/,
    ],
    [
      "chainedSourceRoleName without irsa-chained",
      [grant({ mechanism: "pod-identity", chainedSourceRoleName: "x" })],
      /^cross-account-irsa:grants\[0\]\.chainedSourceRoleName: "x" is invalid: is read only when the grant's mechanism lists "irsa-chained"/,
    ],
    [
      "a bad source role name",
      [grant({ mechanism: "pod-identity", sourceRoleName: "team/source" })],
      /^cross-account-irsa:grants\[0\]\.sourceRoleName: "team\/source" is invalid: must be an IAM role name/,
    ],
    [
      "one role name for two grants (IAM ignores case)",
      [grant({ roleName: "Reports" }), grant({ key: "b", roleName: "reports" })],
      /^cross-account-irsa:grants\[1\]\.roleName: "reports" is invalid: is cross-account-irsa:grants\[0\]\.roleName too \(IAM role names are unique in an account, whatever their case\)/,
    ],
    [
      "one bucket created by two grants",
      [
        grant({ buckets: [{ name: "x-data", create: true }] }),
        grant({ key: "b", buckets: [{ name: "x-data", create: true }] }),
      ],
      /^cross-account-irsa:grants\[1\]\.buckets\[0\]\.name: "x-data" is invalid: is created by cross-account-irsa:grants\[0\]\.buckets\[0\]\.name too: create a bucket once/,
    ],
    [
      "one source role for two grants",
      [
        grant({ mechanism: "pod-identity", sourceRoleName: "src" }),
        grant({ key: "b", mechanism: "pod-identity", sourceRoleName: "SRC" }),
      ],
      /^cross-account-irsa:grants\[1\]\.sourceRoleName: "SRC" is invalid: is cross-account-irsa:grants\[0\]\.sourceRoleName too: account A's source roles are unique in account A/,
    ],
    [
      "a source role name another grant's default takes",
      [
        grant({ mechanism: "irsa-chained", chainedSourceRoleName: "b-pod-identity-source" }),
        grant({ key: "b", mechanism: "pod-identity" }),
      ],
      /^cross-account-irsa:grants\[1\]\.key: "b" is invalid: gives sourceRoleName the default "b-pod-identity-source", which is cross-account-irsa:grants\[0\]\.chainedSourceRoleName too/,
    ],
    [
      "two grants whose keys and buckets give one resource name",
      [
        grant({ key: "team", buckets: [{ name: "a-data", create: true }] }),
        grant({ key: "team-a", buckets: [{ name: "data", create: true }] }),
      ],
      /^cross-account-irsa:grants\[1\]\.key: "team-a" is invalid: with bucket data names its SecureBucket "team-a-data", as cross-account-irsa:grants\[0\]\.key "team" with bucket a-data does \(one URN: type cross-account-irsa:index:BucketAccessGrant\$cross-account-irsa:index:SecureBucket, name "team-a-data"\): Pulumi registers a URN once, and the update would fail half-done; change one of the keys/,
    ],
    [
      "two grants whose keys and buckets give one policy name",
      [
        grant({ key: "team", buckets: [{ name: "x-s3-data" }] }),
        grant({ key: "team-s3-x", buckets: [{ name: "data" }] }),
      ],
      /^cross-account-irsa:grants\[1\]\.key: "team-s3-x" is invalid: with bucket data names its RolePolicy "team-s3-x-s3-data", as cross-account-irsa:grants\[0\]\.key "team" with bucket x-s3-data does \(one URN: type cross-account-irsa:index:BucketAccessGrant\$aws:iam\/rolePolicy:RolePolicy,/,
    ],
  ];
  for (const [label, grants, message] of cases) {
    it(`refuses ${label}`, () => {
      expect(refusal(grants).message).to.match(message);
    });
  }
});
