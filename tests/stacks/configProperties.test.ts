/**
 * Issue 9, items 2 and 12: generated stack configs, known keys with odd values and unknown keys
 * among them. Parsing either succeeds or raises an InputError naming a key the config sets (or
 * a required key it leaves out); it never crashes, and never accepts a key nobody reads.
 */
import { expect } from "chai";
import fc from "fast-check";
import { InputError } from "../../components/errors";
import {
  ACCOUNT_A_KEYS,
  ACCOUNT_B_KEYS,
  PROJECT,
  configGetters,
  parseAccountAConfig,
  parseAccountBConfig,
} from "../../stacks/config";
import { checkAccountBDocuments } from "../../stacks/accountBChecks";
import { AWS_KEYS } from "../../stacks/awsSettings";

/** Values as a stack file can hold them, stored as Pulumi stores them (JSON for non-strings). */
const leafArb = fc.oneof(
  fc.constantFrom(
    "eu-west-1",
    "us-iso-east-1",
    "apps",
    "reader",
    "*",
    "??*",
    "read",
    "StringLike",
    "reports/",
  ),
  fc.constantFrom("444455556666", "3600", "3.6e3", "true", "", "${aws:userid}/", "日本/", "x\u200b/"),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 50000 }),
  fc.boolean(),
  fc.constant(null),
);
const valueArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leafArb,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom(
        "namespace",
        "name",
        "create",
        "objectKey",
        "kmsKeyArn",
        "existingName",
        "nmae",
        "roleArn",
      ),
      tie("value"),
      { maxKeys: 3 },
    ),
  ),
})).value;
const serviceAccountsArb = fc.array(
  fc.record({
    namespace: fc.constantFrom("apps", "team-a", "apps", "*"),
    name: fc.constantFrom("reader", "writer", "reader", "writer", "r-*", "*", "??*"),
  }),
  { minLength: 1, maxLength: 3 },
);

const ISSUER_HOST = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
/** Values a user would plausibly write for each key: valid ones, and the near misses of each. */
const PLAUSIBLE: Record<string, fc.Arbitrary<unknown>> = {
  access: fc.constantFrom("read", "read-write", "list", "write"),
  conditionTest: fc.constantFrom("StringEquals", "StringLike", "stringlike"),
  prefixes: fc.oneof(
    fc.constantFrom(["reports/"], ["a/", "b/", "a/c/"], [], ["/x"], ["home/${aws:userid}/"], ["日本/"]),
    fc.integer({ min: 1, max: 500 }).map((n) => Array.from({ length: n }, (_, i) => `reports/${i}/`)),
  ),
  bucket: fc.constantFrom(
    { name: "team-bucket" },
    { name: "team-bucket", create: false },
    { create: false },
    { objectKey: "reports/x.txt" },
    { kmsKeyArn: "arn:aws:kms:eu-west-1:444455556666:key/abc" },
    { kmsKeyArn: "arn:aws-cn:kms:cn-north-1:444455556666:key/abc" },
    { nmae: "x" },
  ),
  maxSessionDuration: fc.constantFrom(3600, 7200, 43200, 43201, "3.6e3", [3600], true),
  maxTrustPolicySize: fc.constantFrom(2048, 4096, 8192, 1000),
  trustWholeNamespaces: fc.constantFrom(true, false, "yes"),
  roleName: fc.constantFrom("reader", "has space", "a".repeat(65)),
  existingOidcProviderArn: fc.constantFrom(
    `arn:aws:iam::444455556666:oidc-provider/${ISSUER_HOST}`,
    `arn:aws:iam::111122223333:oidc-provider/${ISSUER_HOST}`,
    `arn:aws:iam::444455556666:oidc-provider/${ISSUER_HOST.replace("0123", "FFFF")}`,
    "arn:aws:iam::444455556666:role/x",
  ),
  accountAStack: fc.constantFrom("account-a", "org/proj/account-a", "a/b/c/d"),
  accountBStack: fc.constantFrom("account-b", "a b"),
  program: fc.constantFrom("account-a", "account-b", "other"),
  mechanism: fc.constantFrom("irsa", "pod-identity", "pod-identity", "kiam"),
  serviceAccount: fc.constantFrom(
    { namespace: "apps", name: "reader" },
    { namespace: "Apps", name: "reader" },
    "apps/reader",
  ),
  cluster: fc.constantFrom(
    { existingName: "demo" },
    { version: "1.30" },
    { existingName: "demo", version: "1.30" },
    { desiredCapacity: -1 },
  ),
  deployProbe: fc.constantFrom(true, false, "true"),
  createNamespace: fc.constantFrom(true, false, 1),
  region: fc.constantFrom("eu-west-1", "us-iso-east-1", "mars-1"),
  allowedAccountIds: fc.constantFrom(["444455556666"], ["123"], "444455556666"),
  profile: fc.constantFrom("ops", ""),
  assumeRoles: fc.constantFrom([{ roleArn: "arn:aws:iam::444455556666:role/deploy" }], [{}]),
};

/** Keys a config may set: every known one, and misspellings and strangers. */
const UNKNOWN = ["prefix", "acess", "Prefixes", "serviceAcount", "bucketName", "role"];

function configArb(known: readonly string[]) {
  const name = (names: readonly string[], strangers: string[]) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...names) },
      { weight: 1, arbitrary: fc.constantFrom(...strangers) },
    );
  const value = (k: string) =>
    fc.oneof({ weight: 4, arbitrary: PLAUSIBLE[k] ?? valueArb }, { weight: 1, arbitrary: valueArb });
  const entries = (keys: fc.Arbitrary<string[]>) =>
    keys.chain((ks) => fc.tuple(...ks.map((k) => value(k).map((v) => [k, v] as const))));
  return fc
    .tuple(
      entries(fc.uniqueArray(name(known, UNKNOWN), { maxLength: 5 })),
      entries(fc.uniqueArray(name(AWS_KEYS, ["profil", "accessKey"]), { maxLength: 3 })),
      fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      serviceAccountsArb,
    )
    .map(([project, aws, withRegion, sas]) => {
      const config: Record<string, string> = {};
      const store = (k: string, v: unknown) => (config[k] = typeof v === "string" ? v : JSON.stringify(v));
      if (withRegion) store("aws:region", "eu-west-1");
      if (known.includes("serviceAccounts")) store(`${PROJECT}:serviceAccounts`, sas);
      for (const [k, v] of project) store(`${PROJECT}:${k}`, v);
      for (const [k, v] of aws) store(`aws:${k}`, v);
      return config;
    });
}

/** The key an error's field belongs to: `cross-account-irsa:bucket.name` → `cross-account-irsa:bucket`. */
const keyOf = (field: string) => field.replace(/[.[].*$/, "");

function checkParse(config: Record<string, string>, parse: () => unknown, required: string[]) {
  let error: unknown;
  try {
    parse();
  } catch (e) {
    error = e;
  }
  const unknown = Object.keys(config).filter((k) => {
    const [namespace, name] = [k.slice(0, k.indexOf(":")), k.slice(k.indexOf(":") + 1)];
    return UNKNOWN.includes(name) || (namespace === "aws" && !(AWS_KEYS as readonly string[]).includes(name));
  });
  if (error === undefined) {
    expect(unknown, "an unknown key was accepted").to.deep.equal([]);
    return;
  }
  expect(error, error instanceof Error ? error.message : "a non-Error").to.be.instanceOf(InputError);
  const field = keyOf((error as InputError).field);
  const named = field in config || required.includes(field);
  expect(named, `${(error as InputError).message} (config keys: ${Object.keys(config).join(", ")})`).to.be
    .true;
}

describe("generated stack configs (properties)", () => {
  it("account-b: accepted, or refused naming a key the config sets (or a required one); never an unknown key", () => {
    fc.assert(
      fc.property(configArb(ACCOUNT_B_KEYS), (config) => {
        checkParse(config, () => {
          const parsed = parseAccountBConfig(configGetters(config), "acme");
          // What the program checks next, before registering anything, names config keys too.
          checkAccountBDocuments(parsed, {
            issuerUrl: `https://${ISSUER_HOST}`,
            clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/demo",
            sourceRoleArn: "arn:aws:iam::111122223333:role/source",
          });
        }, ["aws:region", `${PROJECT}:serviceAccounts`]);
      }),
      { numRuns: 400 },
    );
  });

  it("account-a: accepted, or refused naming a key the config sets (or a required one); never an unknown key", () => {
    fc.assert(
      fc.property(configArb(ACCOUNT_A_KEYS), (config) => {
        checkParse(config, () => parseAccountAConfig(configGetters(config), "acme"), ["aws:region"]);
      }),
      { numRuns: 400 },
    );
  });
});
