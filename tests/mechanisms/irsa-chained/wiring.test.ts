/**
 * IRSA-chained's account-a and account-b wiring under the mock engine: what each side registers, in
 * which account, and that the pieces name each other (the provider in A, the source role trusting it,
 * its permission on B's role, the ServiceAccount annotated with the source role, the ConfigMap's
 * profile chaining into B's role; B's role trusting A's source role only).
 */
import { expect } from "chai";
import { MockEngine } from "../../../engine/mockEngine";
import {
  buildChainedProfileConfig,
  buildChainedSourcePermissionPolicy,
  buildChainedTargetTrustPolicy,
} from "../../../components/chainedPolicies";
import { policyJson } from "../../../components/policyDocument";
import { wireAccountA, wireAccountB } from "./programs";
import { ACCOUNT_A as A, ACCOUNT_B as B } from "./snapshot";
import { settled, valueOf } from "../../support/outputs";

async function engineFor(account: string): Promise<MockEngine> {
  const engine = new MockEngine({
    config: { "aws:region": "eu-west-1", "aws:allowedAccountIds": `["${account}"]` },
  });
  await engine.install();
  return engine;
}

describe("irsa-chained wiring", () => {
  it("account-b: one target role trusting account-a's source role, with the S3 policy, no OIDC provider", async () => {
    const engine = await engineFor(B);
    const source = `arn:aws:iam::${A}:role/chained-source`;
    const out = wireAccountB();
    expect(await valueOf(out.roleArn)).to.equal(`arn:aws:iam::${B}:role/chained-target`);
    expect(engine.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")).to.deep.equal([]);
    expect(engine.one("aws:iam/role:Role").inputs.assumeRolePolicy).to.equal(
      policyJson(buildChainedTargetTrustPolicy({ sourceRoleArn: source })),
    );
  });

  it("account-a: the provider in A, the source role chained into B's role, the annotated ServiceAccount and the profile", async () => {
    const engine = await engineFor(A);
    const target = `arn:aws:iam::${B}:role/chained-target`;
    const { provider, sourceRole, binding } = wireAccountA(target);
    await valueOf(binding.roleArn);
    await settled();
    const source = await valueOf(sourceRole.roleArn);
    expect(source).to.equal(`arn:aws:iam::${A}:role/chained-source`);
    expect(await valueOf(provider.arn)).to.match(new RegExp(`^arn:aws:iam::${A}:oidc-provider/`));
    const policy = engine.one("aws:iam/rolePolicy:RolePolicy");
    expect(policy.inputs.policy).to.equal(
      policyJson(buildChainedSourcePermissionPolicy({ targetRoleArn: target })),
    );
    const sa = engine.one("kubernetes:core/v1:ServiceAccount");
    expect((sa.inputs.metadata as { annotations: Record<string, string> }).annotations).to.include({
      "eks.amazonaws.com/role-arn": source,
    });
    const cm = engine.one("kubernetes:core/v1:ConfigMap");
    expect(cm.inputs.data).to.deep.equal({
      config: buildChainedProfileConfig({ sourceRoleArn: source, targetRoleArn: target }).text,
    });
    const trust = JSON.parse(engine.one("aws:iam/role:Role").inputs.assumeRolePolicy as string) as {
      Statement: Array<{ Principal: { Federated: string } }>;
    };
    expect(trust.Statement[0].Principal.Federated).to.equal(await valueOf(provider.arn));
  });
});
