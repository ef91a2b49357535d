/**
 * Refusals a security review of grants mode asked for, through the real programs under the mock engine
 * (nothing registered before the error) and the parsers: an empty `grants:` (Pulumi stores "") is
 * refused by name on both stacks instead of quietly running single-grant mode; one ServiceAccount in
 * two grants of account-b is refused (a pod can use every role that trusts its ServiceAccount); a
 * non-text `oidcThumbprint` output of account-a is refused by name in both modes, never dropped.
 */
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { captureConsole, runOnEngine } from "../../engine/offline";
import { accountA } from "../../stacks/accountA";
import { accountB } from "../../stacks/accountB";
import { parseAccountAConfig, parseAccountBConfig } from "../../stacks/config";
import { configGetters } from "../../stacks/configSource";
import { loadStackConfig, parseStackConfig } from "../../stacks/stackFile";
import {
  A_OUTPUTS,
  A_STACK,
  failed,
  grant,
  grantsConfig,
  parse,
  refusal,
  sa,
} from "./accountBGrantsFixtures";

/** Runs a program that must fail: its error and the resources (other than the stack) it registered. */
async function refused(
  program: () => Promise<Record<string, unknown>>,
  stack: string,
  config: Record<string, string>,
) {
  const engine = new MockEngine({ stack, config, stackOutputs: {}, preview: true });
  const restore = captureConsole([]);
  const error = await runOnEngine(engine, program)
    .then(
      () => undefined,
      (e: Error) => e,
    )
    .finally(restore);
  expect(error, "the run must fail").to.be.instanceOf(Error);
  return { error: error!, registered: engine.resources.filter((r) => !r.type.startsWith("pulumi:")) };
}

const EMPTY =
  /^cross-account-irsa:grants: "" is invalid: is empty \(Pulumi stores `grants:` with no value as ""\): grants mode needs a non-empty list of grants; list the grants, or remove the key to run the stack in single-grant mode$/;

describe('an empty cross-account-irsa:grants (Pulumi stores it as "") is refused by name, never single-grant mode', () => {
  for (const [name, program, file] of [
    ["account-a", accountA, "Pulumi.account-a.yaml"],
    ["account-b", accountB, "Pulumi.account-b.yaml"],
  ] as const) {
    it(`${name}: the program refuses \`grants:\` beside a valid single-grant config, registering nothing`, async () => {
      // The committed single-grant config runs as is: with `grants:` added empty it must not.
      const { config } = loadStackConfig(file);
      const text = `config:\n${Object.entries(config)
        .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
        .join("\n")}\n  cross-account-irsa:grants:\n`;
      const stored = parseStackConfig(text, file).config;
      expect(stored["cross-account-irsa:grants"]).to.equal("");
      const { error, registered } = await refused(program, name, stored);
      expect(error.message).to.match(EMPTY);
      expect(registered).to.deep.equal([]);
    });
  }

  it("the single-grant parsers refuse it too (it selects grants mode)", () => {
    const a = configGetters({
      ...loadStackConfig("Pulumi.account-a.yaml").config,
      "cross-account-irsa:grants": "",
    });
    expect(() => parseAccountAConfig(a, "acme")).to.throw(
      /^cross-account-irsa:grants: .* selects grants mode/,
    );
    const b = configGetters({
      ...loadStackConfig("Pulumi.account-b.yaml").config,
      "cross-account-irsa:grants": "",
    });
    expect(() => parseAccountBConfig(b, "acme")).to.throw(
      /^cross-account-irsa:grants: .* selects grants mode/,
    );
  });
});

describe("account-b: one ServiceAccount, one grant (a pod can assume every role that trusts its ServiceAccount)", () => {
  const rule =
    "one ServiceAccount, one grant. A pod can assume every role that trusts its ServiceAccount (with IRSA it " +
    "names the role itself, whatever the annotation says), so its grant's access must be all it can reach: " +
    "list both grants' buckets in one grant";

  it("refuses the pair in a later grant, naming both fields, whatever the mechanisms", () => {
    const e = refusal([
      grant({ serviceAccounts: [sa("team-a", "other"), sa("team-a", "reader")] }),
      grant({
        key: "archive",
        mechanism: "pod-identity",
        serviceAccounts: [sa("team-a", "reader")],
        buckets: [{ name: "company-archive" }],
      }),
    ]);
    expect(e.message).to.equal(
      'cross-account-irsa:grants[1].serviceAccounts[0]: {"namespace":"team-a","name":"reader"} is invalid: ' +
        `is cross-account-irsa:grants[0].serviceAccounts[1] too: ${rule}`,
    );
  });

  it("accepts the same name in another namespace, and another name in the same namespace", () => {
    const grants = parse([
      grant({ serviceAccounts: [sa("team-a", "reader")] }),
      grant({ key: "archive", serviceAccounts: [sa("team-b", "reader"), sa("team-a", "writer")] }),
    ]).grants;
    expect(grants.map((g) => g.serviceAccounts)).to.deep.equal([
      [sa("team-a", "reader")],
      [sa("team-b", "reader"), sa("team-a", "writer")],
    ]);
  });

  it("the program refuses it before registering anything", async () => {
    const { error, cloud } = await failed(
      grantsConfig([
        grant({ serviceAccounts: [sa("team-a", "reader")] }),
        grant({ key: "archive", serviceAccounts: [sa("team-a", "reader")] }),
      ]),
      A_OUTPUTS,
    );
    expect(error.message).to.contain(
      "cross-account-irsa:grants[1].serviceAccounts[0]: " +
        '{"namespace":"team-a","name":"reader"} is invalid: is cross-account-irsa:grants[0].serviceAccounts[0] too',
    );
    expect(cloud).to.deep.equal([]);
  });
});

describe("account-b: a non-text oidcThumbprint output of account-a is refused by name, never dropped", () => {
  const rule =
    /^organization\/cross-account-irsa\/account-a output oidcThumbprint: 42 is invalid: must be text when set \(account-a exports it as a string\)/;

  it("grants mode, before anything registers", async () => {
    const { error, cloud } = await failed(grantsConfig([grant()]), { ...A_OUTPUTS, oidcThumbprint: 42 });
    expect(error.message).to.match(rule);
    expect(cloud).to.deep.equal([]);
  });

  it("single-grant mode (the committed IRSA config), before anything registers", async () => {
    const engine = new MockEngine({
      stack: "account-b",
      config: loadStackConfig("Pulumi.account-b.yaml").config,
      stackOutputs: { [A_STACK]: { oidcIssuerUrl: A_OUTPUTS.oidcIssuerUrl, oidcThumbprint: 42 } },
    });
    const restore = captureConsole([]);
    const error = await runOnEngine(engine, accountB)
      .then(
        () => undefined,
        (e: Error) => e,
      )
      .finally(restore);
    expect(error?.message).to.match(rule);
    expect(engine.resources.filter((r) => !r.type.startsWith("pulumi:"))).to.deep.equal([]);
  });
});
