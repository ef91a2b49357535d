/**
 * BucketAccessBinding refusing a handoff under the mock engine: a grant's role in the cluster's own
 * account (the pods would assume it), a handoff of another version or for another service account.
 * Each refusal names `args.handoff`, and what the engine saw of the binding is checked.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { type MockEngine } from "../../engine/mockEngine";
import { BucketAccessBinding, type BucketAccessBindingArgs } from "../../components/bucketAccessBinding";
import { type BucketAccessHandoff } from "../../components/bucketAccessHandoff";
import { settledRun } from "../support/outputs";
import { engineIn } from "../support/componentEngine";
import { ACCOUNT_A, ACCOUNT_B, HOST, ISSUER, CLUSTER, ROLE, SA } from "./bucketAccessWorld";

const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/team/reports-source`;
const CHAINED = `arn:aws:iam::${ACCOUNT_A}:role/team/reports-chained`;
const ADMIN_IN_A = `arn:aws:iam::${ACCOUNT_A}:role/ClusterAdmin`;

const HANDOFF: BucketAccessHandoff = {
  version: 1,
  mechanisms: ["pod-identity", "irsa-chained"],
  roleArn: ROLE,
  serviceAccounts: [SA],
  clusters: [{ key: "prod", clusterArn: CLUSTER, sourceRoleArn: SOURCE, chainedSourceRoleArn: CHAINED }],
  buckets: [{ name: "team-reports", access: "read", prefixes: [] }],
};

/** Every binding argument for both account-A mechanisms, the agent and the probe. */
const ARGS: BucketAccessBindingArgs = {
  handoff: pulumi.output(HANDOFF),
  mechanisms: ["irsa-chained", "pod-identity"],
  clusterName: "prod",
  issuerUrl: ISSUER,
  installPodIdentityAgent: true,
  serviceAccount: SA,
  probe: { objectKey: "probe.txt" },
};

/** Runs a binding in account A; what the engine registered and the rejections the runtime reported. */
async function run(over: Partial<BucketAccessBindingArgs>): Promise<{ engine: MockEngine; errors: string }> {
  const engine = await engineIn(ACCOUNT_A);
  const { thrown, unhandled } = await settledRun(
    () => new BucketAccessBinding("reports", { ...ARGS, ...over }),
  );
  expect(thrown).to.equal(undefined);
  return { engine, errors: unhandled.map(String).join("\n") };
}

describe("BucketAccessBinding refuses a handoff naming a role it must not assume", () => {
  it("accepts the grant's role of account B: the source roles may assume it (the control)", async () => {
    const { engine, errors } = await run({});
    expect(errors).to.equal("");
    const policies = engine.ofType("aws:iam/rolePolicy:RolePolicy").map((r) => String(r.inputs.policy));
    expect(policies).to.have.length(2);
    for (const policy of policies) expect(policy).to.include(ROLE);
    expect(engine.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")).to.have.length(1);
  });

  it("a role in the cluster's account A (its ClusterAdmin): no source role allowed into it, no association", async () => {
    const { engine, errors } = await run({
      handoff: pulumi.output({ ...HANDOFF, roleArn: ADMIN_IN_A }),
    });
    expect(errors).to.include(
      `args.handoff.roleArn: "${ADMIN_IN_A}" is invalid: must be in account B, not in account ${ACCOUNT_A}`,
    );
    for (const type of [
      "aws:iam/role:Role",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:eks/podIdentityAssociation:PodIdentityAssociation",
      "kubernetes:core/v1:ConfigMap",
    ]) {
      expect(engine.ofType(type), type).to.have.length(0);
    }
    expect(JSON.stringify(engine.resources.map((r) => r.inputs))).not.to.include("ClusterAdmin");
  });

  it("a role other than expectedRoleArn: refused, naming both", async () => {
    const other = `arn:aws:iam::${ACCOUNT_B}:role/other`;
    const { engine, errors } = await run({
      expectedRoleArn: ROLE,
      handoff: pulumi.output({ ...HANDOFF, roleArn: other }),
    });
    expect(errors).to.include(
      `args.handoff.roleArn: "${other}" is invalid: must be args.expectedRoleArn (${ROLE})`,
    );
    expect(engine.ofType("aws:iam/rolePolicy:RolePolicy")).to.have.length(0);
    const { errors: none } = await run({ expectedRoleArn: pulumi.output(ROLE) });
    expect(none).to.equal("");
  });
});

describe("BucketAccessBinding registers no AWS or Kubernetes resource before the handoff is checked", () => {
  /** What the engine registered besides the components themselves. */
  const registered = (engine: MockEngine) =>
    engine.resources
      .filter((r) => !r.type.startsWith("pulumi:") && !r.type.startsWith("cross-account-irsa:"))
      .map((r) => r.type);

  const refused: Array<[string, Partial<BucketAccessBindingArgs>, string]> = [
    [
      "a handoff of version 2",
      { handoff: pulumi.output({ ...HANDOFF, version: 2 }) },
      "args.handoff.version: 2 is invalid: must be 1",
    ],
    [
      "a service account the grant does not name",
      { serviceAccount: { namespace: "apps", name: "other" } },
      "args.serviceAccount: ",
    ],
    [
      "a role in the cluster's account, with an adopted provider given as an Output",
      {
        handoff: pulumi.output({ ...HANDOFF, roleArn: ADMIN_IN_A }),
        existingOidcProviderArn: pulumi.output(`arn:aws:iam::${ACCOUNT_A}:oidc-provider/${HOST}`),
      },
      `args.handoff.roleArn: "${ADMIN_IN_A}" is invalid`,
    ],
  ];
  for (const [label, over, message] of refused) {
    it(`${label}: no OIDC provider, no add-on, nothing else`, async () => {
      const { engine, errors } = await run(over);
      expect(errors).to.include(message);
      expect(registered(engine)).to.deep.equal([]);
      // The components are there (registered at construction, with no inputs to wait for).
      expect(engine.ofType("cross-account-irsa:index:ClusterOidcProvider")).to.have.length(1);
    });
  }
});
