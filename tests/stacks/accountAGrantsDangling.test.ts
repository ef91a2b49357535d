/**
 * Dangling trusts (stacks/danglingTrusts.ts): what account-b's grants trust by name in account A that
 * no binding of account-a creates. The pure rule on handoffs from the real builder, and the real
 * account-a program logging each as a WARNING (never info, never silent).
 */
import { expect } from "chai";
import { type BucketAccessHandoff } from "../../components/bucketAccessHandoff";
import { Mechanism } from "../../components/mechanism";
import { danglingTrusts } from "../../stacks/danglingTrusts";
import { B_STACK, bOutputs, firstRun, grantOf, grantsConfig, runA } from "./accountAGrantsFixtures";

const FIRST = {
  clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/platform",
  oidcIssuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
};
const handoffOf = (key: string, mechanisms: string[]) => ({
  key,
  handoff: grantOf(FIRST, key, mechanisms, [{ namespace: "team-a", name: key }])
    .handoff as BucketAccessHandoff,
});
const role = (name: string) => `arn:aws:iam::111122223333:role/${name}`;

describe("danglingTrusts: source roles account-b trusts by name that no binding creates", () => {
  it("a bound grant whose binding sets up every mechanism it trusts: none", () => {
    const grants = [handoffOf("mig", ["irsa", "pod-identity"]), handoffOf("chain", ["irsa-chained"])];
    const bound = new Map<string, Mechanism[]>([
      ["mig", [Mechanism.Irsa, Mechanism.PodIdentity]],
      ["chain", [Mechanism.IrsaChained]],
    ]);
    expect(danglingTrusts(grants, bound, "cluster")).to.deep.equal([]);
  });

  it("a mechanism the binding does not set up: its source role, naming the role and what to change", () => {
    const [d, ...rest] = danglingTrusts(
      [handoffOf("mig", ["irsa", "pod-identity"])],
      new Map([["mig", [Mechanism.Irsa]]]),
      "cluster",
    );
    expect(rest).to.deep.equal([]);
    expect(d).to.deep.equal({
      key: "mig",
      mechanism: "pod-identity",
      roleArn: role("mig-pod-identity-source"),
      bound: true,
      detail:
        `account-b's grant "mig" trusts ${role("mig-pod-identity-source")} (pod-identity) by name, which account-a's ` +
        "binding does not create (it sets up irsa): any principal of account A allowed to create a role named " +
        "mig-pod-identity-source gets the grant's access",
      fix:
        `add "pod-identity" to the mechanism of account-a's cross-account-irsa:grants entry "mig" (its binding then ` +
        `creates the role), or remove "pod-identity" from the grant's mechanism on account-b`,
    });
  });

  it("an unbound grant: each source role it trusts; trusting none, the grant itself", () => {
    const found = danglingTrusts(
      [handoffOf("both", ["pod-identity", "irsa-chained"]), handoffOf("plain", ["irsa"])],
      new Map(),
      "cluster",
    );
    expect(found.map((d) => [d.key, d.mechanism, d.roleArn, d.bound])).to.deep.equal([
      ["both", "pod-identity", role("both-pod-identity-source"), false],
      ["both", "irsa-chained", role("both-chained-source"), false],
      ["plain", undefined, undefined, false],
    ]);
    expect(found[1].detail).to.contain("no binding of account-a creates (account-a does not bind the grant)");
    expect(found[2].detail).to.equal(
      `account-b's grant "plain" is not bound by account-a: its role still trusts team-a/plain (irsa), a ServiceAccount no binding sets up`,
    );
  });
});

describe("account-a grants mode: each dangling trust is a WARNING of the program", () => {
  it("a grant trusting [irsa, pod-identity] bound for irsa, and a grant not bound: warnings naming the roles", async () => {
    const config = grantsConfig([{ key: "mig", mechanism: "irsa" }]);
    const first = await firstRun(config);
    const log: string[] = [];
    await runA(
      config,
      bOutputs({
        mig: grantOf(first, "mig", ["irsa", "pod-identity"], [{ namespace: "team-a", name: "mig" }]),
        other: grantOf(first, "other", ["irsa-chained"], [{ namespace: "team-b", name: "other" }]),
      }),
      log,
    );
    const accountA = String(first.clusterArn).split(":")[4];
    const warnings = log.filter((l) => l.startsWith("warning: dangling trust"));
    expect(warnings).to.have.length(2);
    expect(warnings[0]).to.contain(
      `warning: dangling trust (${B_STACK}): account-b's grant "mig" trusts arn:aws:iam::${accountA}:role/mig-pod-identity-source ` +
        "(pod-identity) by name, which account-a's binding does not create (it sets up irsa)",
    );
    expect(warnings[1]).to.contain(`arn:aws:iam::${accountA}:role/other-chained-source (irsa-chained)`);
    expect(warnings[1]).to.contain("Fix: bind the grant on account-a");
    expect(log.filter((l) => l.startsWith("info:") && l.includes("dangling"))).to.deep.equal([]);
  });

  it("every trust set up: no warning", async () => {
    const config = grantsConfig([{ key: "mig", mechanism: ["irsa", "pod-identity"] }]);
    const first = await firstRun(config);
    const log: string[] = [];
    await runA(
      config,
      bOutputs({
        mig: grantOf(first, "mig", ["irsa", "pod-identity"], [{ namespace: "team-a", name: "mig" }]),
      }),
      log,
    );
    expect(log.filter((l) => l.startsWith("warning:"))).to.deep.equal([]);
  });
});
