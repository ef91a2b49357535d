/**
 * account-b's single-grant outputs as the one grant's handoff (stacks/singleGrantHandoff.ts), pure:
 * what each mechanism's cluster entry carries, IRSA's patterns, the bucket read back from the
 * exported permission policy, and the refusals naming account-b's output.
 */
import { expect } from "chai";
import { parseHandoff } from "../../components/bucketAccessHandoff";
import { policyJson } from "../../components/policyDocument";
import { buildS3AccessPolicy } from "../../components/s3AccessPolicy";
import { type AccountBOutputs } from "../../stacks/crossStack";
import { bucketFromAccessPolicy, singleGrantHandoff } from "../../stacks/singleGrantHandoff";

const B_STACK = "org/cross-account-irsa/account-b";
const HOST = "oidc.eks.eu-west-1.amazonaws.com/id/F4CF34C6FFA3E78BCED224CCDD183B4A";
const OWN = {
  issuerUrl: `https://${HOST}`,
  clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod",
};
const SA = { namespace: "irsa-demo", name: "s3-reader" };
const POLICY = policyJson(buildS3AccessPolicy({ bucketName: "reports-b", prefixes: ["reports/"] }));

const outputs = (over: Partial<AccountBOutputs>): AccountBOutputs => ({
  roleArn: "arn:aws:iam::444455556666:role/reader",
  bucketName: "reports-b",
  objectKey: "reports/check.txt",
  serviceAccounts: [SA],
  mechanism: "irsa",
  accessPolicy: POLICY,
  ...over,
});

describe("single-grant handoff (account-b's outputs as one grant)", () => {
  it("IRSA: the cluster's issuer and account-b's provider; a handoff the binding reads", () => {
    const provider = `arn:aws:iam::444455556666:oidc-provider/${HOST}`;
    const handoff = singleGrantHandoff(B_STACK, outputs({ oidcProviderArn: provider }), SA, OWN);
    expect(handoff).to.deep.equal({
      version: 1,
      mechanisms: ["irsa"],
      roleArn: "arn:aws:iam::444455556666:role/reader",
      serviceAccounts: [SA],
      clusters: [{ key: "cluster", issuerUrl: OWN.issuerUrl, oidcProviderArn: provider }],
      buckets: [{ name: "reports-b", access: "read", prefixes: ["reports/"] }],
    });
    expect(parseHandoff("handoff", handoff)).to.deep.equal(handoff);
  });

  it("IRSA without an exported provider: the provider IAM names for the issuer in the role's account", () => {
    const handoff = singleGrantHandoff(B_STACK, outputs({}), SA, OWN);
    expect(handoff.clusters[0].oidcProviderArn).to.equal(`arn:aws:iam::444455556666:oidc-provider/${HOST}`);
  });

  it("IRSA patterns: the exact service accounts, plus the one account-a creates (a pattern is not a service account)", () => {
    const b = outputs({
      serviceAccounts: [
        { namespace: "irsa-demo", name: "s3-*" },
        { namespace: "other", name: "writer" },
      ],
    });
    expect(singleGrantHandoff(B_STACK, b, SA, OWN).serviceAccounts).to.deep.equal([
      { namespace: "other", name: "writer" },
      SA,
    ]);
    // Listed exactly: not added twice.
    expect(singleGrantHandoff(B_STACK, outputs({}), SA, OWN).serviceAccounts).to.deep.equal([SA]);
  });

  it("Pod Identity: account-b's exported cluster and source role, else account-a's own", () => {
    const source = "arn:aws:iam::111122223333:role/pod-identity-source-1a2b3c4";
    const exported = singleGrantHandoff(
      B_STACK,
      outputs({ mechanism: "pod-identity", clusterArn: OWN.clusterArn, sourceRoleArn: source }),
      SA,
      { ...OWN, clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/mine", sourceRoleArn: "ignored" },
    );
    expect(exported.clusters).to.deep.equal([
      { key: "cluster", clusterArn: OWN.clusterArn, sourceRoleArn: source },
    ]);
    const own = singleGrantHandoff(B_STACK, outputs({ mechanism: "pod-identity" }), SA, {
      ...OWN,
      sourceRoleArn: source,
    });
    expect(own.clusters).to.deep.equal([
      { key: "cluster", clusterArn: OWN.clusterArn, sourceRoleArn: source },
    ]);
    expect(() => singleGrantHandoff(B_STACK, outputs({ mechanism: "pod-identity" }), SA, OWN)).to.throw(
      `${B_STACK} output sourceRoleArn: undefined is invalid: is required by mechanism "pod-identity"`,
    );
  });

  it("irsa-chained: the chained source role account-b trusts", () => {
    const source = "arn:aws:iam::111122223333:role/chained-source";
    const handoff = singleGrantHandoff(
      B_STACK,
      outputs({ mechanism: "irsa-chained", sourceRoleArn: source }),
      SA,
      OWN,
    );
    expect(handoff.clusters).to.deep.equal([{ key: "cluster", chainedSourceRoleArn: source }]);
  });
});

describe("the bucket read back from account-b's accessPolicy", () => {
  const field = `${B_STACK} output accessPolicy`;
  it("finds each access level, the prefixes and the KMS key whose policy is exactly the exported one", () => {
    const kms = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    for (const access of ["read", "read-write", "list"] as const) {
      for (const prefixes of [[], ["a/"], ["a/", "b/c/"]]) {
        const policy = policyJson(
          buildS3AccessPolicy({ bucketName: "bkt-1", access, prefixes, kmsKeyArn: kms }),
        );
        const bucket = bucketFromAccessPolicy(field, "bkt-1", policy);
        expect(bucket, `${access} ${prefixes.join(",")}`).to.deep.include({
          name: "bkt-1",
          access,
          prefixes,
        });
        // A list-only policy grants nothing of the key, so it does not name it.
        expect(bucket.kmsKeyArn).to.equal(access === "list" ? undefined : kms);
      }
    }
  });

  it("refuses a missing policy, one that is not JSON, and one no access level writes, naming the output", () => {
    expect(() => bucketFromAccessPolicy(field, "bkt-1", undefined)).to.throw(
      `${field}: undefined is invalid: is required`,
    );
    expect(() => bucketFromAccessPolicy(field, "bkt-1", "{")).to.throw(
      /must be the JSON policy account-b exports/,
    );
    const widened = POLICY.replace('"s3:GetObject"', '"s3:*"');
    expect(() => bucketFromAccessPolicy(field, "reports-b", widened)).to.throw(
      /must be a policy account-b writes for bucket "reports-b"/,
    );
    // Another bucket's policy.
    expect(() => bucketFromAccessPolicy(field, "other-bucket", POLICY)).to.throw(/for bucket "other-bucket"/);
  });
});
