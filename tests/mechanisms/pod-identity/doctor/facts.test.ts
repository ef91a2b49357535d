import { expect } from "chai";
import {
  addonFacts,
  associationFacts,
  isAutoMode,
  sourceRoleAccountProblem,
} from "../../../../mechanisms/pod-identity/doctor/facts";

describe("doctor: EKS's Pod Identity answers as the chain's facts", () => {
  it("an add-on: status, version and each health issue in words", () => {
    expect(
      addonFacts({
        addonName: "eks-pod-identity-agent",
        addonVersion: "v1.3.4-eksbuild.1",
        status: "DEGRADED",
        health: {
          issues: [{ code: "InsufficientNumberOfReplicas", message: "0/2 ready", resourceIds: ["ds"] }],
        },
      }),
    ).to.deep.equal({
      status: "DEGRADED",
      version: "v1.3.4-eksbuild.1",
      issues: ["InsufficientNumberOfReplicas: 0/2 ready (ds)"],
    });
    expect(addonFacts(undefined)).to.deep.equal({ issues: [] });
  });

  it("an association: the roles, session tags, id and external id, nothing invented", () => {
    expect(
      associationFacts({
        namespace: "apps",
        serviceAccount: "reader",
        roleArn: "arn:aws:iam::111122223333:role/s",
        targetRoleArn: "arn:aws:iam::444455556666:role/t",
        disableSessionTags: false,
        associationId: "a-1",
        externalId: "e-1",
        tags: {},
      }),
    ).to.deep.equal({
      namespace: "apps",
      serviceAccount: "reader",
      roleArn: "arn:aws:iam::111122223333:role/s",
      targetRoleArn: "arn:aws:iam::444455556666:role/t",
      disableSessionTags: false,
      associationId: "a-1",
      externalId: "e-1",
    });
    expect(associationFacts({ namespace: "apps", serviceAccount: "reader" })).to.deep.equal({
      namespace: "apps",
      serviceAccount: "reader",
    });
  });

  it("EKS Auto Mode from DescribeCluster's computeConfig", () => {
    expect(isAutoMode({ computeConfig: { enabled: true } })).to.equal(true);
    expect(isAutoMode({ computeConfig: { enabled: false } })).to.equal(false);
    expect(isAutoMode({})).to.equal(false);
  });

  it("a source role outside the cluster's account is not read with its credentials", () => {
    expect(sourceRoleAccountProblem("arn:aws:iam::111122223333:role/s", "111122223333")).to.equal(undefined);
    expect(sourceRoleAccountProblem("arn:aws:iam::999999999999:role/s", "111122223333")).to.match(
      /is in account 999999999999, not the cluster's account 111122223333: EKS Pod Identity assumes/,
    );
  });
});
