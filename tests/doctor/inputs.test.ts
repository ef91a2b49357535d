import { expect } from "chai";
import { InputError } from "../../components/errors";
import { StackInputError, chainFromStacks, readStackInputs } from "../../doctor/inputs";
import { type StackOutputs } from "../../cli/shared/workspace";
import { plain, stacksWorkspace } from "../support/stacksWorkspace";

const STACKS = { a: "account-a", b: "account-b" };
const A: StackOutputs = {
  clusterName: plain("demo"),
  kubeconfig: { value: { apiVersion: "v1", kind: "Config" }, secret: true },
  serviceAccount: plain({ namespace: "apps", name: "reader" }),
};
const B: StackOutputs = {
  roleArn: plain("arn:aws:iam::444455556666:role/reader"),
  bucketName: plain("team-data"),
  objectKey: plain("irsa-check.txt"),
  region: plain("eu-west-1"),
  serviceAccount: plain({ namespace: "other", name: "b-side" }),
};

describe("doctor: the chain from the stacks' outputs", () => {
  it("takes the cluster, kubeconfig and ServiceAccount from account-a, the role, bucket, key and region from account-b", () => {
    expect(chainFromStacks(STACKS, A, B, "eu-central-1")).to.deep.equal({
      roleArn: "arn:aws:iam::444455556666:role/reader",
      clusterName: "demo",
      clusterRegion: "eu-central-1",
      namespace: "apps",
      serviceAccount: "reader",
      bucket: "team-data",
      key: "irsa-check.txt",
      bucketRegion: "eu-west-1",
      kubeconfig: '{"apiVersion":"v1","kind":"Config"}',
    });
  });

  it("takes Pod Identity's source role and the mechanism from account-a (else the source role account-b trusts)", () => {
    const source = "arn:aws:iam::111122223333:role/pod-source";
    const a = { ...A, sourceRoleArn: plain(source), mechanism: plain("pod-identity") };
    expect(chainFromStacks(STACKS, a, B, undefined)).to.include({
      sourceRoleArn: source,
      mechanism: "pod-identity",
    });
    const fromB = chainFromStacks(STACKS, A, { ...B, sourceRoleArn: plain(source) }, undefined);
    expect(fromB).to.include({ sourceRoleArn: source });
    expect(fromB).to.not.have.property("mechanism");
  });

  // Was: an unknown value was dropped (the chain had no mechanism, so --mechanism decided, else IRSA).
  it("refuses a mechanism output this version does not know, naming the output, the value and the rule", () => {
    for (const value of ["kiam", "IRSA", "", null, 3]) {
      expect(() => chainFromStacks(STACKS, { ...A, mechanism: plain(value) }, B, undefined))
        .to.throw(InputError)
        .with.property(
          "message",
          `account-a output mechanism: ${JSON.stringify(value)} is invalid: must be "irsa", "pod-identity" or "irsa-chained"`,
        );
    }
  });

  it("falls back to account-b's trusted ServiceAccount before account-a's second run", () => {
    const { serviceAccount: _sa, ...a } = A;
    expect(chainFromStacks(STACKS, a, B, undefined)).to.include({
      namespace: "other",
      serviceAccount: "b-side",
    });
  });

  it("names the missing output and the way out", () => {
    const { roleArn: _r, ...b } = B;
    expect(() => chainFromStacks(STACKS, A, b, undefined)).to.throw(
      StackInputError,
      /^stack account-b has no roleArn output: deploy the stacks \(npm run deploy\), or name the chain with --role-arn/,
    );
  });

  it("reads both stacks and account-a's aws:region through the workspace", async () => {
    const chain = await readStackInputs(
      stacksWorkspace({ "account-a": A, "account-b": B }, "us-west-2"),
      STACKS,
      undefined,
    );
    expect(chain.clusterRegion).to.equal("us-west-2");
    const overridden = await readStackInputs(
      stacksWorkspace({ "account-a": A, "account-b": B }, "us-west-2"),
      STACKS,
      "ap-south-1",
    );
    expect(overridden.clusterRegion).to.equal("ap-south-1");
  });

  it("says which stack does not exist", async () => {
    let caught: unknown;
    try {
      await readStackInputs(stacksWorkspace({ "account-a": A }), STACKS, undefined);
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(StackInputError);
    expect((caught as Error).message).to.match(/^stack account-b does not exist/);
  });
});
