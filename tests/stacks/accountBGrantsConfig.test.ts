/**
 * account-b's grants mode, parsed (parseAccountBGrantsConfig): the shapes it accepts with their
 * defaults, and each refusal naming `cross-account-irsa:grants[<i>].<field>` as written, the value
 * and the rule; single-grant keys beside `grants` refused by name; the single-grant parser refusing
 * `grants`. From stack files as Pulumi stores them (parseStackConfig), so a YAML number stays a number.
 */
import { expect } from "chai";
import { InputError } from "../../components/errors";
import { parseAccountBGrantsConfig } from "../../stacks/accountBGrantsConfig";
import { parseAccountBConfig } from "../../stacks/accountBConfig";
import { configGetters } from "../../stacks/configSource";
import { parseStackConfig } from "../../stacks/stackFile";
import { BASE, PROVIDER_ARN, SA, grant, parse, refusal, settings } from "./accountBGrantsFixtures";

describe("account-b grants mode: accepted shapes (parseAccountBGrantsConfig)", () => {
  it("one IRSA grant with every default: an existing bucket read whole, the role's defaults, no source role", () => {
    expect(parse([BASE])).to.deep.equal({
      aws: { region: "eu-west-1", partition: "aws", allowedAccountIds: ["444455556666"] },
      accountAStack: "acme/cross-account-irsa/account-a",
      grants: [
        {
          key: "reports",
          mechanisms: ["irsa"],
          serviceAccounts: [SA],
          buckets: [{ name: "team-a-reports", create: false, access: "read", prefixes: [] }],
          maxSessionDuration: 3600,
          maxTrustPolicySize: 2048,
        },
      ],
    });
  });

  it("every field: a migration's mechanisms in the registry's order, the source role names, the role options, each bucket field", () => {
    const [g] = parse(
      [
        {
          key: "reports-2",
          mechanism: ["pod-identity", "irsa", "irsa-chained"],
          serviceAccounts: [SA, { namespace: "team-a", name: "other" }],
          buckets: [
            {
              name: "team-a-reports",
              create: true,
              access: "read-write",
              prefixes: ["reports/", "reports/2026/"],
              kmsKeyArn: "arn:aws:kms:eu-west-1:444455556666:key/abc",
              objectKey: "reports/check.txt",
              forceDestroy: true,
            },
            { name: "shared-data", access: "list" },
          ],
          roleName: "team-a-reports",
          path: "/grants/",
          permissionsBoundary: "arn:aws:iam::444455556666:policy/boundary",
          maxSessionDuration: 7200,
          maxTrustPolicySize: 4096,
          sourceRoleName: "reports-source",
          chainedSourceRoleName: "reports-chained",
        },
      ],
      "  cross-account-irsa:accountAStack: other-org/account-a\n" +
        `  cross-account-irsa:existingOidcProviderArn: ${PROVIDER_ARN}\n`,
    ).grants;
    expect(g).to.deep.equal({
      key: "reports-2",
      mechanisms: ["irsa", "pod-identity", "irsa-chained"],
      serviceAccounts: [SA, { namespace: "team-a", name: "other" }],
      buckets: [
        {
          name: "team-a-reports",
          create: true,
          access: "read-write",
          prefixes: ["reports/"],
          kmsKeyArn: "arn:aws:kms:eu-west-1:444455556666:key/abc",
          objectKey: "reports/check.txt",
          forceDestroy: true,
        },
        { name: "shared-data", create: false, access: "list", prefixes: [] },
      ],
      roleName: "team-a-reports",
      path: "/grants/",
      permissionsBoundary: "arn:aws:iam::444455556666:policy/boundary",
      maxSessionDuration: 7200,
      maxTrustPolicySize: 4096,
      sourceRoleName: "reports-source",
      chainedSourceRoleName: "reports-chained",
    });
    const config = parse(
      [grant({ mechanism: ["irsa"] })],
      `  cross-account-irsa:accountAStack: other-org/account-a\n  cross-account-irsa:existingOidcProviderArn: ${PROVIDER_ARN}\n`,
    );
    expect(config.accountAStack).to.equal("other-org/cross-account-irsa/account-a");
    expect(config.existingOidcProviderArn).to.equal(PROVIDER_ARN);
  });

  it("source role names default to <key>-pod-identity-source and <key>-chained-source, each only with its mechanism", () => {
    const grants = parse([
      // One ServiceAccount per grant (a pod can use every role that trusts its ServiceAccount).
      grant({ key: "a", mechanism: "pod-identity" }),
      grant({ key: "b", mechanism: "irsa-chained", serviceAccounts: [{ namespace: "team-b", name: "b" }] }),
      grant({
        key: "c",
        mechanism: ["irsa", "pod-identity", "irsa-chained"],
        serviceAccounts: [{ namespace: "team-c", name: "c" }],
      }),
    ]).grants;
    expect(grants.map((g) => [g.sourceRoleName, g.chainedSourceRoleName])).to.deep.equal([
      ["a-pod-identity-source", undefined],
      [undefined, "b-chained-source"],
      ["c-pod-identity-source", "c-chained-source"],
    ]);
    expect(grants[0]).to.not.have.property("chainedSourceRoleName");
    expect(grants[1]).to.not.have.property("sourceRoleName");
  });

  it("several grants may name one existing bucket, and one may create a bucket another names", () => {
    const grants = parse([
      grant({ key: "a", buckets: [{ name: "shared-data" }, { name: "team-a-data", create: true }] }),
      grant({
        key: "b",
        serviceAccounts: [{ namespace: "team-b", name: "b" }],
        buckets: [{ name: "shared-data" }, { name: "team-a-data" }],
      }),
    ]).grants;
    expect(grants.map((g) => g.buckets.map((b) => `${b.name}:${b.create}`))).to.deep.equal([
      ["shared-data:false", "team-a-data:true"],
      ["shared-data:false", "team-a-data:false"],
    ]);
  });
});

describe("account-b grants mode: top-level refusals, naming the key, the value and the rule", () => {
  it("refuses a single-grant key beside grants, naming it and where it goes in each grant", () => {
    const moves: Array<[string, string, string]> = [
      ["mechanism", "irsa", "mechanism"],
      ["serviceAccounts", "[{namespace: a, name: b}]", "serviceAccounts"],
      ["bucket", "{name: x-data}", "buckets[]"],
      ["access", "read", "buckets[].access"],
      ["prefixes", "[a/]", "buckets[].prefixes"],
      ["roleName", "x", "roleName"],
      ["maxSessionDuration", "7200", "maxSessionDuration"],
      ["maxTrustPolicySize", "4096", "maxTrustPolicySize"],
    ];
    for (const [k, value, home] of moves) {
      expect(refusal([BASE], `  cross-account-irsa:${k}: ${value}\n`).message, k).to.match(
        new RegExp(
          `^cross-account-irsa:${k}: .* is invalid: is per grant with cross-account-irsa:grants: move it into each grant \\(cross-account-irsa:grants\\[<i>\\]\\.${home.replace(/[[\]]/g, "\\$&")}\\)$`,
        ),
      );
    }
    for (const [k, value] of [
      ["conditionTest", "StringLike"],
      ["trustWholeNamespaces", "true"],
    ]) {
      expect(refusal([BASE], `  cross-account-irsa:${k}: ${value}\n`).message, k).to.match(
        new RegExp(
          `^cross-account-irsa:${k}: .* is invalid: is a single-grant setting, not read with cross-account-irsa:grants: a grant trusts exact service accounts only; remove it$`,
        ),
      );
    }
  });

  it("refuses pod-identity in the China Regions, where EKS does not offer it", () => {
    const { config } = parseStackConfig(
      `config:\n  aws:region: cn-north-1\n  cross-account-irsa:grants: ${JSON.stringify([
        BASE,
        grant({ key: "b", mechanism: ["irsa", "pod-identity"] }),
      ])}\n`,
      "Pulumi.account-b.yaml",
    );
    expect(() => parseAccountBGrantsConfig(configGetters(config), "acme")).to.throw(
      InputError,
      /^cross-account-irsa:grants\[1\]\.mechanism: \["irsa","pod-identity"\] is invalid: cannot list "pod-identity" in aws:region cn-north-1: EKS Pod Identity is not available in the China Regions/,
    );
  });

  it("refuses unknown keys and account-a's keys as the single-grant parser does", () => {
    expect(refusal([BASE], "  cross-account-irsa:grant: x\n").message).to.match(
      /^cross-account-irsa:grant: "x" is invalid: is not a setting of the account-b program: did you mean cross-account-irsa:grants\?/,
    );
    expect(refusal([BASE], "  cross-account-irsa:deployProbe: true\n").message).to.match(
      /^cross-account-irsa:deployProbe: .* is a setting of the account-a program/,
    );
  });

  it("refuses an adopted provider no grant uses, or of another account", () => {
    expect(
      refusal(
        [grant({ mechanism: "pod-identity" })],
        `  cross-account-irsa:existingOidcProviderArn: ${PROVIDER_ARN}\n`,
      ).message,
    ).to.match(
      /^cross-account-irsa:existingOidcProviderArn: ".*" is invalid: is read only when a grant of cross-account-irsa:grants lists "irsa"/,
    );
    expect(
      refusal(
        [BASE],
        `  cross-account-irsa:existingOidcProviderArn: ${PROVIDER_ARN.replace("444455556666", "999988887777")}\n`,
      ).message,
    ).to.match(/^cross-account-irsa:existingOidcProviderArn: ".*" is invalid: must be in account B/);
  });

  it("refuses grants as a secret: errors quote the values they refuse", () => {
    const { config } = parseStackConfig(
      `config:\n  aws:region: eu-west-1\n  cross-account-irsa:grants: ${JSON.stringify([BASE])}\n`,
      "Pulumi.account-b.yaml",
    );
    expect(() =>
      parseAccountBGrantsConfig(configGetters(config, ["cross-account-irsa:grants"]), "acme"),
    ).to.throw(InputError, /^cross-account-irsa:grants: "\[secret\]" is invalid: must not be a secret/);
  });

  it("the single-grant parser refuses grants: it selects grants mode", () => {
    expect(() => parseAccountBConfig(settings([BASE]), "acme")).to.throw(
      InputError,
      /^cross-account-irsa:grants: .* is invalid: selects grants mode: the stack's config is read by parseAccountBGrantsConfig/,
    );
  });
});
