/**
 * `aws:assumeRoles`: every field of the AWS provider's `assumeRoles` (`ProviderAssumeRole` in
 * @pulumi/aws's types/input.d.ts) reaches the provider exactly as written, or is refused by name.
 * Before, `policy` and `policyArns` (which narrow the deploy session) were dropped without a word, a
 * number for `externalId` slipped past account-a's refusal of external ids, and misspelt fields
 * were ignored.
 */
import * as fs from "node:fs";
import { expect } from "chai";
import { OFFLINE_SECRET, parseStackConfig } from "../../stacks/stackFile";
import { configGetters, parseAccountAConfig, parseAccountBConfig } from "../../stacks/config";
import { ASSUME_ROLE_KEYS } from "../../stacks/awsSettings";

const ROLE = "arn:aws:iam::444455556666:role/PulumiDeploy";
const POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}';

function parseB(roles: string) {
  const { config, secretKeys } = parseStackConfig(
    "config:\n  aws:region: eu-west-1\n" +
      "  cross-account-irsa:serviceAccounts: [{namespace: apps, name: reader}]\n" +
      `  aws:assumeRoles:\n${roles}`,
    "Pulumi.account-b.yaml",
  );
  return parseAccountBConfig(configGetters(config, secretKeys), "acme");
}
function parseA(roles: string) {
  const { config, secretKeys } = parseStackConfig(
    `config:\n  aws:region: eu-west-1\n  aws:assumeRoles:\n${roles}`,
    "Pulumi.account-a.yaml",
  );
  return parseAccountAConfig(configGetters(config, secretKeys), "acme");
}

describe("aws:assumeRoles: every field the provider takes, exactly, or refused by name", () => {
  it("the field list is the provider's ProviderAssumeRole, no more, no less", () => {
    // The declaration the provider is built from, read at test time.
    const decl = fs.readFileSync(require.resolve("@pulumi/aws/types/input.d.ts"), "utf8");
    const body = /export interface ProviderAssumeRole \{([\s\S]*?)\n\}/.exec(decl)![1];
    const fields = [...body.matchAll(/^ {4}(\w+)\?:/gm)].map((m) => m[1]).sort();
    expect([...ASSUME_ROLE_KEYS].sort()).to.deep.equal(fields);
  });

  it("passes every field through on account-b, a session policy and policy ARNs included", () => {
    const b = parseB(
      `    - roleArn: ${ROLE}\n` +
        `      sessionName: deploy-b\n      externalId: ext-1234\n      duration: 1h30m\n` +
        `      policy: '${POLICY}'\n      policyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n` +
        `      sourceIdentity: alice\n      tags: {team: data}\n      transitiveTagKeys: [team]\n`,
    );
    expect(b.aws.assumeRoles).to.deep.equal([
      {
        roleArn: ROLE,
        sessionName: "deploy-b",
        externalId: "ext-1234",
        duration: "1h30m",
        policy: POLICY,
        policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        sourceIdentity: "alice",
        tags: { team: "data" },
        transitiveTagKeys: ["team"],
      },
    ]);
  });

  const refused: Array<[string, string, RegExp]> = [
    [
      "a number for externalId",
      "externalId: 12345",
      /aws:assumeRoles\[0\]\.externalId: 12345 is invalid: must be a string/,
    ],
    [
      "a number for sessionName",
      "sessionName: 5",
      /aws:assumeRoles\[0\]\.sessionName: 5 is invalid: must be a string/,
    ],
    [
      "a misspelt field",
      "externalID: x",
      /aws:assumeRoles\[0\]\.externalID: .*did you mean aws:assumeRoles\[0\]\.externalId\?/,
    ],
    [
      "a policy that is not JSON",
      "policy: allow-all",
      /aws:assumeRoles\[0\]\.policy: "allow-all" is invalid: must be an IAM policy document/,
    ],
    [
      "a policy ARN that is not one",
      "policyArns: [ReadOnlyAccess]",
      /aws:assumeRoles\[0\]\.policyArns\[0\]: "ReadOnlyAccess" is invalid/,
    ],
    [
      "a duration that is not one",
      "duration: 3600",
      /aws:assumeRoles\[0\]\.duration: 3600 is invalid: must be a duration/,
    ],
    [
      "a tag value that is not a string",
      "tags: {n: 1}",
      /aws:assumeRoles\[0\]\.tags\.n: 1 is invalid: must be a string/,
    ],
  ];
  for (const [label, field, message] of refused) {
    it(`refuses ${label}, naming the field`, () => {
      expect(() => parseB(`    - roleArn: ${ROLE}\n      ${field}\n`)).to.throw(message);
    });
  }

  it("refuses on account-a every field the kubeconfig (get-token --role-arn) cannot reproduce", () => {
    for (const field of [
      "externalId: ext-1234",
      `policy: '${POLICY}'`,
      "policyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]",
      "duration: 1h",
      "sourceIdentity: alice",
      "tags: {team: data}",
      "transitiveTagKeys: [team]",
    ]) {
      const name = field.split(":")[0];
      expect(() => parseA(`    - roleArn: ${ROLE}\n      ${field}\n`), name).to.throw(
        new RegExp(`aws:assumeRoles\\[0\\]\\.${name}: .* is invalid: cannot be used on account-a`),
      );
    }
    expect(parseA(`    - roleArn: ${ROLE}\n      sessionName: deploy-a\n`).kubeconfig).to.deep.equal({
      roleArn: ROLE,
    });
  });

  it("a secure field passes through the plan undecrypted, and a secret is never shown in an error", () => {
    const b = parseB(`    - roleArn: ${ROLE}\n      externalId:\n        secure: AAABAOpaqueCiphertext==\n`);
    expect(b.aws.assumeRoles?.[0].externalId).to.equal(OFFLINE_SECRET);
    // In the program the value is decrypted; a bad one is named, never echoed.
    const settings = configGetters(
      {
        "aws:region": "eu-west-1",
        "cross-account-irsa:serviceAccounts": '[{"namespace":"apps","name":"reader"}]',
        "aws:assumeRoles": JSON.stringify([{ roleArn: ROLE, externalId: "x" }]),
      },
      ["aws:assumeRoles"],
    );
    expect(() => parseAccountBConfig(settings, "acme")).to.throw(
      /^aws:assumeRoles\[0\]\.externalId: "\[secret\]" is invalid: must be a string of 2 to 1224/,
    );
  });
});
