/**
 * Generated grants-mode configs (plausible values, their near misses, and junk): parsing and the
 * document checks either accept the config or raise an InputError naming a field the config sets
 * (`cross-account-irsa:grants[<i>]...` as written, found at that path) or one it must set and leaves
 * out ("is not set"); they never crash with another error.
 */
import { expect } from "chai";
import fc from "fast-check";
import { InputError } from "../../components/errors";
import { parseAccountBGrantsConfig } from "../../stacks/accountBGrantsConfig";
import { checkGrantsDocuments } from "../../stacks/accountBGrantsChecks";
import { configGetters } from "../../stacks/configSource";
import { parseStackConfig } from "../../stacks/stackFile";
import { CLUSTER_ARN, ISSUER } from "./accountBGrantsFixtures";

const junk = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -5, max: 50000 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
);
/** A required field: mostly a plausible value (valid ones and near misses), sometimes junk or left out. */
const req = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 30, arbitrary: arb },
    { weight: 1, arbitrary: junk },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
/** An optional field: mostly left out, else a plausible value, sometimes junk. */
const opt = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 30, arbitrary: fc.constant(undefined) },
    { weight: 10, arbitrary: arb },
    { weight: 1, arbitrary: junk },
  );
const bucketArb = fc.record({
  name: req(fc.constantFrom("team-a-reports", "shared-data", "team-b-data", "company-archive", "ab")),
  create: opt(fc.boolean()),
  access: opt(fc.constantFrom("read", "read-write", "list", "write")),
  prefixes: opt(fc.constantFrom(["reports/"], ["a/", "a/b/"], [], ["/x"], ["a\nb/"])),
  kmsKeyArn: opt(
    fc.constantFrom(
      "arn:aws:kms:eu-west-1:444455556666:key/abc",
      "arn:aws:kms:eu-west-1:999988887777:key/abc",
      "arn:aws:kms:us-east-1:444455556666:key/abc",
      "alias/x",
    ),
  ),
  objectKey: opt(fc.constantFrom("reports/check.txt", "check.txt", "a/b.txt", "/x", "a\rb")),
  forceDestroy: opt(fc.boolean()),
  nmae: opt(fc.constant("x")),
});
const grantArb = fc.record({
  key: req(fc.constantFrom("reports", "exports", "archive", "team-a", "team-b", "c1", "Reports", "x-")),
  mechanism: req(
    fc.constantFrom(
      "irsa",
      "pod-identity",
      "irsa-chained",
      ["irsa", "pod-identity"],
      ["pod-identity", "irsa-chained"],
      ["irsa", "irsa"],
      "kiam",
    ),
  ),
  serviceAccounts: req(
    fc.oneof(
      {
        weight: 10,
        arbitrary: fc.array(
          fc.record({
            namespace: fc.constantFrom("apps", "team-a", "team-b", "apps", "team-a", "*", "Bad_NS"),
            name: fc.constantFrom("reader", "writer", "exporter", "reader", "writer", "r-*"),
          }),
          { minLength: 1, maxLength: 2 },
        ),
      },
      // Many distinct pairs: a trust over its size limit.
      {
        weight: 1,
        arbitrary: fc
          .integer({ min: 10, max: 60 })
          .map((n) =>
            Array.from({ length: n }, (_, k) => ({ namespace: "apps", name: `service-account-${k}` })),
          ),
      },
    ),
  ),
  buckets: req(fc.array(bucketArb, { minLength: 1, maxLength: 3 })),
  roleName: opt(fc.constantFrom("reader", "READER", "writer", "has space")),
  path: opt(fc.constantFrom("/", "/team/", "team")),
  permissionsBoundary: opt(fc.constantFrom("arn:aws:iam::444455556666:policy/b", "b")),
  maxSessionDuration: opt(fc.constantFrom(3600, 7200, 100, "3600")),
  maxTrustPolicySize: opt(fc.constantFrom(2048, 4096, 1000)),
  sourceRoleName: opt(fc.constantFrom("src", "SRC", "a/b", "reports-pod-identity-source")),
  chainedSourceRoleName: opt(fc.constantFrom("chained", "src", "exports-pod-identity-source")),
});

/** A grant of valid values only (several such may still clash: a key, a role name, a created bucket). */
const validGrantArb = fc.record(
  {
    key: fc.constantFrom("reports", "exports", "archive", "team-a", "team-b", "c1"),
    mechanism: fc.constantFrom("irsa", "pod-identity", "irsa-chained", ["irsa", "pod-identity"]),
    serviceAccounts: fc.constantFrom(
      [{ namespace: "apps", name: "reader" }],
      [{ namespace: "team-a", name: "w" }],
    ),
    buckets: fc.array(
      fc.record(
        {
          name: fc.constantFrom("team-a-reports", "shared-data", "team-b-data"),
          create: fc.boolean(),
          access: fc.constantFrom("read", "read-write"),
          prefixes: fc.constantFrom(["reports/"], ["a/", "a/b/"]),
          kmsKeyArn: fc.constantFrom(
            "arn:aws:kms:eu-west-1:444455556666:key/abc",
            "arn:aws:kms:eu-west-1:999988887777:key/abc",
          ),
          objectKey: fc.constantFrom("reports/check.txt", "a/b.txt"),
        },
        { requiredKeys: ["name"] },
      ),
      { minLength: 1, maxLength: 2 },
    ),
    roleName: fc.constantFrom("reader", "READER", "writer"),
    maxSessionDuration: fc.constantFrom(3600, 7200),
  },
  { requiredKeys: ["key", "mechanism", "serviceAccounts", "buckets"] },
);

/** The value at a field path `cross-account-irsa:grants[0].buckets[1].name` of the generated list. */
function at(grants: unknown, field: string): { found: boolean; value?: unknown } {
  const path = field.slice("cross-account-irsa:grants".length);
  let value: unknown = grants;
  for (const [, index, name] of path.matchAll(/\[(\d+)\]|\.([A-Za-z]+)/g)) {
    if (value === null || typeof value !== "object") return { found: false };
    const k = index ?? name;
    if (!(k in value)) return { found: false };
    value = (value as Record<string, unknown>)[k];
  }
  return { found: true, value };
}

describe("generated grants-mode configs (properties)", () => {
  it("accepted, or refused naming a field the config sets (at that path) or one it must set; never a crash", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          {
            weight: 20,
            arbitrary: fc.array(fc.oneof({ weight: 3, arbitrary: validGrantArb }, grantArb), {
              minLength: 1,
              maxLength: 3,
            }),
          },
          junk,
        ),
        fc.boolean(),
        (grants, known) => {
          const { config } = parseStackConfig(
            `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["444455556666"]\n` +
              `  cross-account-irsa:grants: ${JSON.stringify(grants)}\n`,
            "Pulumi.account-b.yaml",
          );
          try {
            const parsed = parseAccountBGrantsConfig(configGetters(config), "acme");
            checkGrantsDocuments(parsed, known ? { issuerUrl: ISSUER, clusterArn: CLUSTER_ARN } : {});
          } catch (error) {
            expect(error, (error as Error).message).to.be.instanceOf(InputError);
            const { field, message } = error as InputError;
            if (field === "cross-account-irsa:grants") return; // the list as a whole
            expect(field, message).to.match(/^cross-account-irsa:grants\[\d+\]/);
            const { found } = at(grants, field);
            expect(
              found || / is not set: /.test(message),
              `${message} (grants: ${JSON.stringify(grants)})`,
            ).to.equal(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
