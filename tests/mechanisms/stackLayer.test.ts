/**
 * The mechanisms' stack layers (mechanisms/stackConfigRegistry.ts, stackRegistry.ts): one per
 * mechanism, the config layer loadable without the Pulumi SDK, each mechanism's own keys read under
 * it and refused by name under every other one, and the outputs each stack's layer exports for the
 * other stack's layer to read.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";
import { MECHANISMS, type Mechanism } from "../../components/mechanism";
import { STACK_CONFIG_LAYERS } from "../../mechanisms/stackConfigRegistry";
import { STACK_LAYERS } from "../../mechanisms/stackRegistry";
import { captureConsole, outputValues, runOffline } from "../../engine/offline";
import { accountA, OUTPUT_NAMES } from "../../stacks/accountA";
import { accountB, ACCOUNT_A_OUTPUTS } from "../../stacks/accountB";
import { SINGLE_GRANT_B } from "../../stacks/accountBSingleGrant";
import { configGetters, parseAccountAConfig, parseAccountBConfig } from "../../stacks/config";
import { ACCOUNT_A_KEYS, ACCOUNT_B_KEYS, refuseOtherMechanismKeys } from "../../stacks/configKeys";
import { ACCOUNT_A_SHARED_KEYS, ACCOUNT_B_SHARED_KEYS } from "../../stacks/configShared";
import { parseAccountBOutputs } from "../../stacks/crossStack";
import { loadStackConfig, parseStackConfig } from "../../stacks/stackFile";

const ROOT = path.resolve(__dirname, "../..");
const A_STACK = "organization/cross-account-irsa/account-a";
const B_STACK = "organization/cross-account-irsa/account-b";

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
    expect(Object.keys(SINGLE_GRANT_B)).to.have.members([...MECHANISMS]);
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

describe("mechanisms: each stack layer's own keys and outputs", () => {
  const parseB = (mechanism: Mechanism, lines: string) => {
    const { config, secretKeys } = parseStackConfig(
      `config:\n  aws:region: eu-west-1\n  cross-account-irsa:mechanism: ${mechanism}\n` +
        `  cross-account-irsa:serviceAccounts: [{namespace: apps, name: reader}]\n${lines}`,
      "t",
    );
    return parseAccountBConfig(configGetters(config, secretKeys), "acme");
  };
  const PROVIDER = "arn:aws:iam::444455556666:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";

  it("the programs know exactly the shared keys and every layer's own, and no other", () => {
    // Each layer's own keys, pinned: a key moved, added or dropped shows here.
    const own = (m: Mechanism) => ({
      a: [...STACK_CONFIG_LAYERS[m].accountA.keys],
      cluster: [...STACK_CONFIG_LAYERS[m].accountA.clusterKeys],
      b: [...STACK_CONFIG_LAYERS[m].accountB.keys],
    });
    expect(own("irsa")).to.deep.equal({ a: [], cluster: [], b: ["existingOidcProviderArn"] });
    expect(own("pod-identity")).to.deep.equal({ a: [], cluster: ["podIdentityAgent"], b: [] });
    expect(own("irsa-chained")).to.deep.equal({
      a: ["existingOidcProviderArn", "sourceRoleName"],
      cluster: [],
      b: [],
    });
    // The programs' lists: the shared keys and those, nothing else.
    expect([...ACCOUNT_A_KEYS].sort()).to.deep.equal(
      [...new Set([...ACCOUNT_A_SHARED_KEYS, "existingOidcProviderArn", "sourceRoleName"])].sort(),
    );
    expect([...ACCOUNT_B_KEYS].sort()).to.deep.equal(
      [...new Set([...ACCOUNT_B_SHARED_KEYS, "existingOidcProviderArn"])].sort(),
    );
    // A layer's cluster field is no top-level key, and a top-level key no cluster field.
    expect(() => parseA("pod-identity", "  cross-account-irsa:podIdentityAgent: true\n")).to.throw(
      /^cross-account-irsa:podIdentityAgent: .* is invalid: is not a setting of the account-a program/,
    );
    expect(() => parseA("irsa-chained", "  cross-account-irsa:cluster: {sourceRoleName: x}\n")).to.throw(
      /^cross-account-irsa:cluster\.sourceRoleName: .* is invalid: is not a known setting/,
    );
  });

  it("account-b: IRSA's existingOidcProviderArn is read under it and refused by name under every other mechanism", () => {
    const lines = `  aws:allowedAccountIds: ["444455556666"]\n  cross-account-irsa:existingOidcProviderArn: ${PROVIDER}\n`;
    expect(parseB("irsa", lines).existingOidcProviderArn).to.equal(PROVIDER);
    expect(parseB("irsa", "")).to.not.have.property("existingOidcProviderArn");
    for (const other of MECHANISMS.filter((m) => m !== "irsa")) {
      expect(() => parseB(other, lines), other).to.throw(
        new RegExp(
          `^cross-account-irsa:existingOidcProviderArn: .* is invalid: cannot be used with cross-account-irsa:mechanism "${other}"`,
        ),
      );
    }
    // The stack parser's own refusal of another mechanism's key (the layers refuse it first, with their reason).
    expect(() =>
      refuseOtherMechanismKeys("account-b", "pod-identity", (k) =>
        k === "existingOidcProviderArn" ? PROVIDER : undefined,
      ),
    ).to.throw(
      /^cross-account-irsa:existingOidcProviderArn: .* is invalid: is read on account-b only with cross-account-irsa:mechanism "irsa" \(this stack uses "pod-identity"\)/,
    );
  });

  it("account-a: cluster.podIdentityAgent is checked by Pod Identity's layer and reaches the config only under it", () => {
    expect(
      parseA("pod-identity", "  cross-account-irsa:cluster: {podIdentityAgent: true}\n").podIdentityAgent,
    ).to.be.true;
    expect(parseA("pod-identity", "")).to.not.have.property("podIdentityAgent");
    expect(() =>
      parseA("pod-identity", '  cross-account-irsa:cluster: {podIdentityAgent: "yes"}\n'),
    ).to.throw(/^cross-account-irsa:cluster\.podIdentityAgent: "yes" is invalid: must be true or false/);
  });

  /** Each mechanism's committed stack files. */
  const EXAMPLES: Record<Mechanism, string> = {
    irsa: "",
    "pod-identity": "examples/pod-identity/",
    "irsa-chained": "examples/irsa-chained/",
  };
  for (const mechanism of MECHANISMS) {
    it(`"${mechanism}": each stack exports the outputs the other's layer reads, and reads them`, async function () {
      this.timeout(60_000);
      const a = loadStackConfig(`${EXAMPLES[mechanism]}Pulumi.account-a.yaml`).config;
      const b = loadStackConfig(`${EXAMPLES[mechanism]}Pulumi.account-b.yaml`).config;
      const restore = captureConsole([]);
      try {
        const first = outputValues(
          (await runOffline(accountA, { stack: "account-a", config: a, stackOutputs: { [B_STACK]: {} } }))
            .outputs,
        );
        const bLayer = SINGLE_GRANT_B[mechanism];
        expect(first).to.include.keys(...bLayer.accountAOutputs);
        expect(ACCOUNT_A_OUTPUTS).to.include.members([
          ...bLayer.accountAOutputs,
          ...bLayer.optionalAccountAOutputs,
        ]);
        const bOut = outputValues(
          (await runOffline(accountB, { stack: "account-b", config: b, stackOutputs: { [A_STACK]: first } }))
            .outputs,
        );
        const own = STACK_CONFIG_LAYERS[mechanism].accountA.accountBOutputs;
        expect(bOut).to.include.keys(...own);
        expect(OUTPUT_NAMES).to.include.members([...own]);
        const parsed = parseAccountBOutputs(B_STACK, bOut);
        for (const name of own) expect(parsed, name).to.have.property(name, bOut[name]);
      } finally {
        restore();
      }
    });
  }
});
