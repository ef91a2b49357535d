/**
 * IRSA-chained's planned collector on passes recorded from the mechanism's own wiring (account-b,
 * then account-a's second update, each on its own mock engine): the snapshot it reads passes every
 * link; a tampered registration breaks the link it belongs to.
 */
import { expect } from "chai";
import { MockEngine } from "../../../engine/mockEngine";
import { wireAccountA, wireAccountB } from "./programs";
import { ACCOUNT_A as A, ACCOUNT_B as B, ISSUER, SA, SOURCE } from "./snapshot";
import { checkIrsaChainedChain } from "../../../mechanisms/irsa-chained/chain";
import { collectIrsaChainedSnapshot } from "../../../mechanisms/irsa-chained/plan";
import { type StackPass } from "../../../plan/passes";
import { settled, valueOf } from "../../support/outputs";

async function engineFor(account: string): Promise<MockEngine> {
  const engine = new MockEngine({
    config: { "aws:region": "eu-west-1", "aws:allowedAccountIds": `["${account}"]` },
  });
  await engine.install();
  return engine;
}

/** Records account-b's run, then account-a's second update; returns the passes. */
async function recordPasses(): Promise<StackPass[]> {
  const bEngine = await engineFor(B);
  const b = wireAccountB(["reports/"]);
  const target = await valueOf(b.roleArn);
  await settled();
  const bPass: StackPass = {
    step: 2,
    stack: "account-b",
    title: "account-b",
    resources: [...bEngine.resources],
    outputs: {
      serviceAccounts: { value: [SA], secret: false },
      bucketName: { value: "reports-b", secret: false },
      objectKey: { value: "reports/check.txt", secret: false },
    },
    messages: [],
    stackReferences: [],
  };
  const aEngine = await engineFor(A);
  const { binding } = wireAccountA(target);
  await valueOf(binding.roleArn);
  await settled();
  const aPass: StackPass = {
    step: 3,
    stack: "account-a",
    title: "account-a, second update",
    resources: [...aEngine.resources],
    outputs: { oidcIssuerUrl: { value: ISSUER, secret: false } },
    messages: [],
    stackReferences: [],
  };
  return [bPass, aPass];
}

describe("irsa-chained planned collector", () => {
  it("reads the wiring's registrations into a snapshot whose links all pass (no probe deployed)", async () => {
    const passes = await recordPasses();
    const snapshot = collectIrsaChainedSnapshot(passes, false);
    expect(snapshot.sourceRole?.arn).to.equal(SOURCE);
    expect(snapshot.role?.arn).to.equal(`arn:aws:iam::${B}:role/chained-target`);
    expect(snapshot.provider?.arn).to.equal(`arn:aws:iam::${A}:oidc-provider/${ISSUER.slice(8)}`);
    expect(snapshot.profile?.configMap).to.equal("cross-account-irsa-aws-config");
    const results = checkIrsaChainedChain(snapshot);
    expect(
      results.filter((r) => r.status === "fail"),
      JSON.stringify(results, null, 1),
    ).to.deep.equal([]);
    // Without a probe, the workload checks are skipped, saying why.
    expect(results.filter((r) => r.status === "skip").map((r) => r.detail)).to.deep.equal([
      "not deployed (cross-account-irsa:deployProbe: false)",
      "not deployed (cross-account-irsa:deployProbe: false)",
    ]);
  });

  it("a target role trust sent for another role of A breaks link 6", async () => {
    const passes = await recordPasses();
    const role = passes[0].resources.find((r) => r.type === "aws:iam/role:Role")!;
    role.inputs.assumeRolePolicy = String(role.inputs.assumeRolePolicy).replace("chained-source", "other");
    const failed = checkIrsaChainedChain(collectIrsaChainedSnapshot(passes, false)).filter(
      (r) => r.status === "fail",
    );
    expect([...new Set(failed.map((r) => r.link))]).to.deep.equal(["target-trust"]);
  });
});
