/**
 * The chained sts:AssumeRole of Pod Identity (link 4) is made by EKS with the source role's session:
 * whether AWS sets aws:ViaAWSService, aws:CalledVia* or aws:Source* on it is not documented, so a
 * condition on them is undecided (review of the evaluator merge). Before, the request was described as
 * the SDK's direct call (aws:ViaAWSService "false", aws:SourceAccount absent): a Deny on them lapsed.
 */
import { expect } from "chai";
import { type PodIdentitySnapshot } from "../../chain";
import { chainedAssumeVariants, liveRoleTrust } from "../../chain/liveContext";
import { type PolicyDocument } from "../../components/policyDocument";
import { A, CLUSTER, SA, SOURCE, TARGET, plannedPodIdentity } from "../mechanisms/pod-identity/snapshot";

const snapshot = (): PodIdentitySnapshot => ({
  ...plannedPodIdentity(),
  serviceAccount: { ...SA, annotations: {} },
  live: {
    cluster: { name: "prod", region: "eu-west-1", accountId: A },
    targetRoleArn: TARGET,
    pods: [{ name: "s3-reader-1", uid: "0b4c", containers: [] }],
  } as unknown as PodIdentitySnapshot["live"],
});

const trustWith = (condition: Record<string, unknown>): PolicyDocument =>
  ({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { AWS: SOURCE }, Action: ["sts:AssumeRole", "sts:TagSession"] },
      { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole", Condition: condition },
    ],
  }) as unknown as PolicyDocument;

describe("the chained AssumeRole's service-set keys are undecided", () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ["aws:ViaAWSService", { Bool: { "aws:ViaAWSService": "true" } }],
    ["aws:CalledViaFirst", { StringEquals: { "aws:CalledViaFirst": "eks.amazonaws.com" } }],
    ["aws:SourceAccount", { StringEquals: { "aws:SourceAccount": A } }],
    ["aws:SourceArn", { ArnLike: { "aws:SourceArn": CLUSTER } }],
  ];
  for (const [key, condition] of cases) {
    it(`a Deny on ${key}: not an Allow (was: Allow)`, () => {
      const outcome = liveRoleTrust(
        snapshot(),
        trustWith(condition),
        SOURCE,
        "sts:AssumeRole",
        {},
        undefined,
      );
      expect(outcome.decision, outcome.reason).to.not.equal("Allow");
      expect(outcome.unsupported).to.be.a("string");
    });
  }

  it("the keys that are documented stay known: the session's tags and principal", () => {
    const [v] = chainedAssumeVariants(snapshot());
    expect(v.context).to.include({
      "aws:PrincipalArn": SOURCE,
      "aws:RequestTag/kubernetes-namespace": SA.namespace,
      "aws:PrincipalTag/kubernetes-pod-name": "s3-reader-1",
    });
    expect(v.context).to.not.have.property("aws:ViaAWSService");
    expect(v.keys.absent ?? []).to.not.include("aws:SourceAccount");
    const allowed = liveRoleTrust(
      snapshot(),
      trustWith({ StringNotEquals: { "aws:RequestTag/kubernetes-namespace": SA.namespace } }),
      SOURCE,
      "sts:AssumeRole",
      {},
      undefined,
    );
    expect(allowed.decision).to.equal("Allow");
  });
});
