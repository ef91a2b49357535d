/**
 * The mechanisms' stack layers (mechanisms/stackConfigRegistry.ts, stackRegistry.ts): one per
 * mechanism, the config layer loadable without the Pulumi SDK, and each mechanism's own account-a
 * keys read under it and refused by name under every other one.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";
import { MECHANISMS, type Mechanism } from "../../components/mechanism";
import { STACK_CONFIG_LAYERS } from "../../mechanisms/stackConfigRegistry";
import { STACK_LAYERS } from "../../mechanisms/stackRegistry";
import { configGetters, parseAccountAConfig } from "../../stacks/config";
import { parseStackConfig } from "../../stacks/stackFile";

const ROOT = path.resolve(__dirname, "../..");

const parseA = (mechanism: Mechanism, lines: string) => {
  const { config, secretKeys } = parseStackConfig(
    `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["111122223333"]\n` +
      `  cross-account-irsa:mechanism: ${mechanism}\n${lines}`,
    "t",
  );
  return parseAccountAConfig(configGetters(config, secretKeys), "acme");
};

/** The account-a keys only one mechanism reads: its owner, the stack file's lines, the key errors name. */
const OWN_KEYS: Array<{ owner: Mechanism; lines: string; field: string }> = [
  {
    owner: "pod-identity",
    lines: "  cross-account-irsa:cluster: {podIdentityAgent: true}\n",
    field: "cross-account-irsa:cluster.podIdentityAgent",
  },
  {
    owner: "irsa-chained",
    lines: "  cross-account-irsa:sourceRoleName: chained-source\n",
    field: "cross-account-irsa:sourceRoleName",
  },
  {
    owner: "irsa-chained",
    lines:
      "  cross-account-irsa:existingOidcProviderArn: " +
      "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC\n",
    field: "cross-account-irsa:existingOidcProviderArn",
  },
];

describe("mechanisms: the stack layers", () => {
  it("has exactly one config layer and one stack layer per member of MECHANISMS", () => {
    expect(Object.keys(STACK_CONFIG_LAYERS)).to.have.members([...MECHANISMS]);
    expect(Object.keys(STACK_LAYERS)).to.have.members([...MECHANISMS]);
    expect(Object.keys(STACK_CONFIG_LAYERS)).to.have.length(MECHANISMS.length);
    expect(Object.keys(STACK_LAYERS)).to.have.length(MECHANISMS.length);
  });

  it("loads the config layers without the Pulumi SDK (the plan's pure part and the config parsers load them)", function () {
    this.timeout(20_000);
    const script =
      'require("./mechanisms/stackConfigRegistry");' +
      'process.stdout.write(Object.keys(require.cache).filter((k) => k.includes("@pulumi/")).join("\\n"));';
    const loaded = execFileSync(process.execPath, ["-r", "./scripts/tsCache.js", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(loaded).to.equal("");
  });

  for (const { owner, lines, field } of OWN_KEYS) {
    it(`account-a: ${field} is read under "${owner}" and refused by name under every other mechanism`, () => {
      expect(() => parseA(owner, lines)).to.not.throw();
      for (const other of MECHANISMS.filter((m) => m !== owner)) {
        expect(() => parseA(other, lines), other).to.throw(
          new RegExp(
            `^${field}: .* is invalid: is read .*only with cross-account-irsa:mechanism "${owner}" \\(this stack uses "${other}"\\)`,
          ),
        );
      }
    });
  }

  it("account-a: each mechanism's own settings reach the config only under it", () => {
    const lines = OWN_KEYS[1].lines;
    expect(parseA("irsa-chained", lines).irsaChained).to.deep.equal({ sourceRoleName: "chained-source" });
    expect(parseA("irsa-chained", "").irsaChained).to.deep.equal({});
    expect(parseA("irsa", "")).to.not.have.property("irsaChained");
    expect(parseA("pod-identity", "")).to.not.have.property("irsaChained");
  });
});
