import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { IrsaRole, managedPolicyKey } from "../../components";
import { settled } from "../support/outputs";

/**
 * Managed policy attachments are named by the policy, not by list position, and carry their 0.2.0
 * name as an alias: upgrading replaces nothing, and reordering the list afterwards renames nothing.
 */
const HOST = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const CLUSTERS = [
  {
    oidcProviderArn: `arn:aws:iam::444455556666:oidc-provider/${HOST}`,
    issuerUrl: `https://${HOST}`,
    serviceAccounts: [{ namespace: "apps", name: "reader" }],
  },
];
const READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const REPORTS = "arn:aws:iam::444455556666:policy/team/reports-read";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

interface Sent {
  name: string;
  urn: string;
  policyArn: string;
  aliases: string[];
}

/** Installs an engine; its records carry each resource's alias URNs (engine/aliases.ts). */
async function recording(): Promise<{ engine: MockEngine }> {
  const engine = new MockEngine({ config: { "aws:allowedAccountIds": '["444455556666"]' } });
  await engine.install();
  return { engine };
}

/** 0.2.0's registration, reproduced: the component with `<name>-managed-<index>` attachments. */
class IrsaRole020 extends pulumi.ComponentResource {
  constructor(name: string, arns: string[]) {
    super("cross-account-irsa:index:IrsaRole", name, {}, {});
    const role = new aws.iam.Role(name, { assumeRolePolicy: "{}" }, { parent: this });
    arns.forEach((arn, i) => {
      new aws.iam.RolePolicyAttachment(
        `${name}-managed-${i}`,
        { role: role.name, policyArn: arn },
        { parent: this },
      );
    });
  }
}

/** Each attachment the engine recorded: its name, URN, policy and alias URNs, in registration order. */
function withPolicies(engine: MockEngine): Sent[] {
  return engine.ofType(ATTACHMENT).map((r) => ({
    name: r.name,
    urn: r.urn,
    policyArn: String(r.inputs.policyArn),
    aliases: r.aliases,
  }));
}

describe("IrsaRole's managed policy attachments: stable names, 0.2.0 names as aliases", () => {
  it("names each attachment by its policy, so reordering the list renames nothing", async () => {
    const first = await recording();
    new IrsaRole("reader", { clusters: CLUSTERS, managedPolicyArns: [READ_ONLY, REPORTS] });
    await settled();
    const before = withPolicies(first.engine);

    const second = await recording();
    new IrsaRole("reader", { clusters: CLUSTERS, managedPolicyArns: [REPORTS, READ_ONLY] });
    await settled();
    const after = withPolicies(second.engine);

    const byPolicy = (list: Sent[]) => Object.fromEntries(list.map((s) => [s.policyArn, s.urn]));
    expect(byPolicy(after)).to.deep.equal(byPolicy(before));
    expect(before.map((s) => s.name).sort()).to.deep.equal(
      [`reader-managed-${managedPolicyKey(READ_ONLY)}`, `reader-managed-${managedPolicyKey(REPORTS)}`].sort(),
    );
    expect(managedPolicyKey(REPORTS)).to.match(/^reports-read-[0-9a-f]{8}$/);
  });

  it("aliases each attachment to the URN 0.2.0 gave the same policy, so upgrading replaces nothing", async () => {
    const old = await recording();
    new IrsaRole020("reader", [READ_ONLY, REPORTS]);
    await settled();
    const oldSent = withPolicies(old.engine);
    expect(oldSent.map((s) => s.name)).to.deep.equal(["reader-managed-0", "reader-managed-1"]);

    const now = await recording();
    new IrsaRole("reader", { clusters: CLUSTERS, managedPolicyArns: [READ_ONLY, REPORTS] });
    await settled();
    const newSent = withPolicies(now.engine);

    for (const previous of oldSent) {
      const current = newSent.find((s) => s.policyArn === previous.policyArn);
      expect(current, previous.policyArn).to.not.equal(undefined);
      expect(current?.urn).to.not.equal(previous.urn);
      expect(current?.aliases, `${current?.name} aliases`).to.include(previous.urn);
    }
  });

  it("keys managedPolicies by the caller's key, and keeps an Output ARN in the list at its index", async () => {
    const { engine } = await recording();
    new IrsaRole("reader", {
      clusters: CLUSTERS,
      managedPolicyArns: [pulumi.output(READ_ONLY)],
      managedPolicies: { reports: pulumi.output(REPORTS) },
    });
    await settled();
    expect(withPolicies(engine).map((s) => [s.name, s.policyArn, s.aliases.length])).to.deep.equal([
      ["reader-managed-0", READ_ONLY, 0],
      ["reader-managed-reports", REPORTS, 0],
    ]);
  });

  it("refuses the same policy twice, and a key that cannot name a resource, before registering anything", async () => {
    const { engine } = await recording();
    expect(
      () => new IrsaRole("r", { clusters: CLUSTERS, managedPolicyArns: [READ_ONLY, READ_ONLY] }),
    ).to.throw(
      /args\.managedPolicyArns\[1\]: .* attaches the same policy \(or key\) as args\.managedPolicyArns\[0\]/,
    );
    expect(() => new IrsaRole("r", { clusters: CLUSTERS, managedPolicies: { "a b": READ_ONLY } })).to.throw(
      /args\.managedPolicies\.a b: "a b" is invalid: the key names a child resource/,
    );
    await settled();
    expect(engine.resources).to.have.length(0);
  });
});
