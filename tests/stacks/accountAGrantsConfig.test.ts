/**
 * account-a's grants-mode config (stacks/accountAGrantsConfig.ts), from stack-file YAML as a user
 * writes it: every accepted shape, and every refusal naming `cross-account-irsa:grants[<i>].<field>`
 * (or the single-grant key) as written, the value and the rule.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { parseStackConfig } from "../../stacks/stackFile";
import { configGetters, parseAccountAConfig } from "../../stacks/config";
import { parseAccountAGrantsConfig } from "../../stacks/accountAGrantsConfig";
import { isGrantsMode, validateGrantKey } from "../../stacks/grantsMode";

const BASE =
  'config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["111122223333"]\n' +
  '  cross-account-irsa:cluster: {version: "1.33"}\n';

const settings = (text: string) => {
  const { config, secretKeys } = parseStackConfig(text, "t");
  return configGetters(config, secretKeys);
};
/** account-a's stack file with `grants` (YAML flow text) and the extra lines. */
const stack = (grants: string, extra = "") => `${BASE}  cross-account-irsa:grants: ${grants}\n${extra}`;
const parse = (grants: string, extra = "") =>
  parseAccountAGrantsConfig(settings(stack(grants, extra)), "acme");

describe("account-a's cross-account-irsa:grants (grants mode)", () => {
  it("selects grants mode only when grants is set; the single-grant parser refuses a grants-mode stack", () => {
    expect(isGrantsMode(settings(BASE))).to.equal(false);
    expect(isGrantsMode(settings(stack("[{key: a, mechanism: irsa}]")))).to.equal(true);
    expect(() => parseAccountAConfig(settings(stack("[{key: a, mechanism: irsa}]")), "acme")).to.throw(
      /^cross-account-irsa:grants: .* is invalid: selects grants mode: the stack's config is read by parseAccountAGrantsConfig/,
    );
  });

  it("accepts one mechanism or a list, the optional fields, and keeps the cluster and stack keys", () => {
    const config = parse(
      "[{key: reports, mechanism: irsa}, " +
        "{key: ledger-2, mechanism: [pod-identity, irsa], serviceAccount: {namespace: team-b, name: ledger}, " +
        "createNamespace: false, deployProbe: false}, {key: audit, mechanism: [irsa-chained]}]",
      "  cross-account-irsa:accountBStack: platform/account-b\n" +
        "  cross-account-irsa:existingOidcProviderArn: arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC\n",
    );
    expect(config.grants).to.deep.equal([
      { key: "reports", mechanisms: ["irsa"] },
      {
        key: "ledger-2",
        // In the registry's order, as the binding and the outputs list them.
        mechanisms: ["irsa", "pod-identity"],
        serviceAccount: { namespace: "team-b", name: "ledger" },
        createNamespace: false,
        deployProbe: false,
      },
      { key: "audit", mechanisms: ["irsa-chained"] },
    ]);
    expect(config.accountBStack).to.equal("platform/cross-account-irsa/account-b");
    expect(config.cluster).to.deep.equal({ version: "1.33" });
    expect(config.existingOidcProviderArn).to.match(/oidc-provider/);
    expect(config).to.not.have.property("podIdentityAgent");
    const adopted = parseAccountAGrantsConfig(
      settings(
        "config:\n  aws:region: eu-west-1\n  cross-account-irsa:cluster: {existingName: prod, podIdentityAgent: true}\n" +
          "  cross-account-irsa:grants: [{key: ledger, mechanism: pod-identity}]\n",
      ),
      "acme",
    );
    expect(adopted.cluster).to.deep.equal({ existingName: "prod" });
    expect(adopted.podIdentityAgent).to.equal(true);
  });

  it("parses README's grants-mode example as it is written", () => {
    const readme = readFileSync("README.md", "utf8");
    const section = readme.slice(readme.indexOf("### Grants mode on account-a"));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    const config = parseAccountAGrantsConfig(settings(yaml), "acme");
    expect(config.grants).to.deep.equal([{ key: "reports", mechanisms: ["irsa", "pod-identity"] }]);
    expect(config.cluster).to.deep.equal({ version: "1.33" });
  });

  it("grant keys: 1 to 32 lower-case letters, digits or '-', a letter or digit at each end", () => {
    for (const ok of ["a", "reports", "team-a-2", "x".repeat(32)])
      expect(validateGrantKey("k", ok)).to.equal(ok);
    for (const bad of ["", "Reports", "-a", "a-", "a_b", "x".repeat(33), 7, null]) {
      expect(() => validateGrantKey("k", bad), String(bad)).to.throw(/must be 1 to 32 lower-case letters/);
    }
  });

  const refused: Array<[string, string, string, RegExp]> = [
    [
      "an empty list",
      "[]",
      "",
      /^cross-account-irsa:grants: \[\] is invalid: must be a non-empty list of grants/,
    ],
    [
      "a non-list",
      "{key: a}",
      "",
      /^cross-account-irsa:grants: \{"key":"a"\} is invalid: must be a non-empty list/,
    ],
    [
      "a non-object entry",
      "[reports]",
      "",
      /^cross-account-irsa:grants\[0\]: "reports" is invalid: must be an object/,
    ],
    [
      "an unknown field, with the one meant",
      "[{key: a, mechanism: irsa, serviceAcount: {namespace: x, name: y}}]",
      "",
      /^cross-account-irsa:grants\[0\]\.serviceAcount: .* is invalid: is not a known setting: did you mean cross-account-irsa:grants\[0\]\.serviceAccount\?/,
    ],
    [
      "a missing key",
      "[{mechanism: irsa}]",
      "",
      /^cross-account-irsa:grants\[0\]\.key: undefined is invalid: is required/,
    ],
    [
      "a bad key",
      "[{key: Reports, mechanism: irsa}]",
      "",
      /^cross-account-irsa:grants\[0\]\.key: "Reports" is invalid: must be 1 to 32 lower-case letters/,
    ],
    [
      "a number as a key (never coerced)",
      "[{key: 7, mechanism: irsa}]",
      "",
      /^cross-account-irsa:grants\[0\]\.key: 7 is invalid: must be 1 to 32/,
    ],
    [
      "a duplicate key",
      "[{key: a, mechanism: irsa}, {key: a, mechanism: pod-identity}]",
      "",
      /^cross-account-irsa:grants\[1\]\.key: "a" is invalid: is grants\[0\]\.key too/,
    ],
    [
      "no mechanism",
      "[{key: a}]",
      "",
      /^cross-account-irsa:grants\[0\]\.mechanism: undefined is invalid: is required/,
    ],
    [
      "an unknown mechanism",
      "[{key: a, mechanism: irsa2}]",
      "",
      /^cross-account-irsa:grants\[0\]\.mechanism: "irsa2" is invalid: must be one of "irsa", "pod-identity", "irsa-chained"/,
    ],
    [
      "an unknown mechanism in a list",
      "[{key: a, mechanism: [irsa, 3]}]",
      "",
      /^cross-account-irsa:grants\[0\]\.mechanism\[1\]: 3 is invalid: must be one of/,
    ],
    [
      "an empty mechanism list",
      "[{key: a, mechanism: []}]",
      "",
      /^cross-account-irsa:grants\[0\]\.mechanism: \[\] is invalid: must name at least one/,
    ],
    [
      "a mechanism listed twice",
      "[{key: a, mechanism: [irsa, irsa]}]",
      "",
      /^cross-account-irsa:grants\[0\]\.mechanism\[1\]: "irsa" is invalid: is listed twice/,
    ],
    [
      "irsa with irsa-chained (one annotation names one role)",
      "[{key: a, mechanism: [irsa, irsa-chained]}]",
      "",
      /^cross-account-irsa:grants\[0\]\.mechanism: \["irsa","irsa-chained"\] is invalid: must not list both "irsa" and "irsa-chained"/,
    ],
    [
      "a service account with an unknown field",
      "[{key: a, mechanism: irsa, serviceAccount: {namespace: x, name: y, nme: z}}]",
      "",
      /^cross-account-irsa:grants\[0\]\.serviceAccount\.nme: "z" is invalid/,
    ],
    [
      "a service account name that is not a Kubernetes name",
      "[{key: a, mechanism: irsa, serviceAccount: {namespace: x, name: 'y*'}}]",
      "",
      /^cross-account-irsa:grants\[0\]\.serviceAccount\.name: "y\*" is invalid/,
    ],
    [
      "a string for createNamespace (never coerced)",
      "[{key: a, mechanism: irsa, createNamespace: 'true'}]",
      "",
      /^cross-account-irsa:grants\[0\]\.createNamespace: "true" is invalid: must be true or false/,
    ],
    [
      "a number for deployProbe",
      "[{key: a, mechanism: irsa, deployProbe: 1}]",
      "",
      /^cross-account-irsa:grants\[0\]\.deployProbe: 1 is invalid: must be true or false/,
    ],
    [
      "two entries naming one ServiceAccount",
      "[{key: a, mechanism: irsa, serviceAccount: {namespace: x, name: y}}, {key: b, mechanism: irsa, serviceAccount: {namespace: x, name: y}}]",
      "",
      /^cross-account-irsa:grants\[1\]\.serviceAccount: .* is invalid: is grants\[0\]\.serviceAccount too: a ServiceAccount is bound once \(its one eks.amazonaws.com\/role-arn annotation names one role\); give each grant/,
    ],
    [
      "two Pod Identity entries naming one ServiceAccount (EKS maps one role to each ServiceAccount of a cluster)",
      "[{key: a, mechanism: pod-identity, serviceAccount: {namespace: x, name: y}}, {key: b, mechanism: pod-identity, serviceAccount: {namespace: x, name: y}}]",
      "",
      /^cross-account-irsa:grants\[1\]\.serviceAccount: .* is invalid: is grants\[0\]\.serviceAccount too: a ServiceAccount is bound once \(EKS Pod Identity associates one IAM role with each ServiceAccount of a cluster\); give each grant/,
    ],
    [
      "an IRSA and a Pod Identity entry naming one ServiceAccount: both reasons",
      "[{key: a, mechanism: irsa, serviceAccount: {namespace: x, name: y}}, {key: b, mechanism: pod-identity, serviceAccount: {namespace: x, name: y}}]",
      "",
      /is grants\[0\]\.serviceAccount too: a ServiceAccount is bound once \(its one eks.amazonaws.com\/role-arn annotation names one role; EKS Pod Identity associates one IAM role with each ServiceAccount of a cluster\)/,
    ],
    ...[
      "mechanism: irsa",
      "serviceAccount: {namespace: x, name: y}",
      "createNamespace: true",
      "deployProbe: false",
    ].map((line): [string, string, string, RegExp] => [
      `the single-grant per-grant key ${line.split(":")[0]}`,
      "[{key: a, mechanism: irsa}]",
      `  cross-account-irsa:${line}\n`,
      new RegExp(
        `^cross-account-irsa:${line.split(":")[0]}: .* is invalid: is per grant with cross-account-irsa:grants .*move it into each grant \\(cross-account-irsa:grants\\[<i>\\]\\.${line.split(":")[0]}\\)`,
      ),
    ]),
    [
      "irsa-chained's sourceRoleName (account-b's chainedSourceRoleName in grants mode)",
      "[{key: a, mechanism: irsa-chained}]",
      "  cross-account-irsa:sourceRoleName: chained\n",
      /^cross-account-irsa:sourceRoleName: "chained" is invalid: is per grant .*chainedSourceRoleName on account-b/,
    ],
    [
      "existingOidcProviderArn with no irsa-chained grant",
      "[{key: a, mechanism: irsa}]",
      "  cross-account-irsa:existingOidcProviderArn: arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC\n",
      /^cross-account-irsa:existingOidcProviderArn: .* is invalid: is read in grants mode only when a grant lists mechanism "irsa-chained"/,
    ],
    [
      "existingOidcProviderArn of another account",
      "[{key: a, mechanism: irsa-chained}]",
      "  cross-account-irsa:existingOidcProviderArn: arn:aws:iam::999988887777:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC\n",
      /^cross-account-irsa:existingOidcProviderArn: .* is invalid: must be a provider of account A \(111122223333/,
    ],
    [
      "cluster.podIdentityAgent with no pod-identity grant",
      "[{key: a, mechanism: irsa}]",
      "  cross-account-irsa:program: account-a\n",
      /^cross-account-irsa:cluster\.podIdentityAgent: true is invalid: is read in grants mode only when a grant lists mechanism "pod-identity"/,
    ],
    [
      "an account-b key",
      "[{key: a, mechanism: irsa}]",
      "  cross-account-irsa:bucket: b\n",
      /^cross-account-irsa:bucket: "b" is invalid: is a setting of the account-b program/,
    ],
  ];
  for (const [label, grants, extra, message] of refused) {
    it(`refuses ${label}`, () => {
      const text = label.startsWith("cluster.podIdentityAgent")
        ? stack(grants, extra).replace('{version: "1.33"}', '{version: "1.33", podIdentityAgent: true}')
        : stack(grants, extra);
      expect(() => parseAccountAGrantsConfig(settings(text), "acme")).to.throw(message);
    });
  }

  it("refuses grants as a secret (errors quote the values they refuse)", () => {
    const { config } = parseStackConfig(stack("[{key: a, mechanism: irsa}]"), "t");
    expect(() =>
      parseAccountAGrantsConfig(configGetters(config, ["cross-account-irsa:grants"]), "acme"),
    ).to.throw(/^cross-account-irsa:grants: "\[secret\]" is invalid: must not be a secret/);
  });

  it("refuses pod-identity in the China Regions, naming the grant", () => {
    const text = stack("[{key: a, mechanism: irsa}, {key: b, mechanism: [irsa, pod-identity]}]")
      .replace("eu-west-1", "cn-north-1")
      .replace('aws:allowedAccountIds: ["111122223333"]', "aws:allowedAccountIds: []");
    expect(() =>
      parseAccountAGrantsConfig(settings(text.replace("  aws:allowedAccountIds: []\n", "")), "acme"),
    ).to.throw(
      /^cross-account-irsa:grants\[1\]\.mechanism: \["irsa","pod-identity"\] is invalid: cannot list "pod-identity" in aws:region cn-north-1/,
    );
  });
});
