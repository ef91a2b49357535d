/**
 * The pure core between the grant and its binding: the KMS key-policy statement, which path a pod
 * takes, the handoff read strictly and the binding's plan. The grant's arguments and trust:
 * bucketAccess.test.ts.
 */
import { expect } from "chai";
import { podCredentialPath } from "../../components/bucketAccess";
import {
  buildKmsKeyPolicyStatement,
  checkGrantBuckets,
  foreignKeyStatements,
} from "../../components/bucketAccessBuckets";
import { buildHandoff, HANDOFF_VERSION, parseHandoff } from "../../components/bucketAccessHandoff";
import { planBinding } from "../../components/bucketAccessBindingPlan";
import { evaluateResourcePolicy } from "../../components/evaluate";
import { expectInputError } from "./coreHelpers";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  ISSUER,
  PROVIDER,
  CLUSTER,
  ROLE,
  BOTH,
  SAS,
  SOURCE,
} from "./bucketAccessWorld";

describe("KMS keys of another account, and which path a pod takes", () => {
  const foreign = "arn:aws:kms:eu-west-1:999988887777:key/abc";
  const own = `arn:aws:kms:eu-west-1:${ACCOUNT_B}:key/def`;
  it("outputs one key-policy statement per foreign key, with the widest access, narrowed to S3 in the key's region", () => {
    const buckets = checkGrantBuckets("b", [
      { name: "a-data", kmsKeyArn: foreign },
      { name: "b-data", kmsKeyArn: foreign, access: "read-write" },
      { name: "c-data", kmsKeyArn: own },
      { name: "d-data", kmsKeyArn: "arn:aws:kms:eu-west-1:555566667777:key/x", access: "list" },
    ]);
    expect(foreignKeyStatements(ROLE, buckets)).to.deep.equal({
      [foreign]: {
        Sid: "CrossAccountIrsaS3Use",
        Effect: "Allow",
        Principal: { AWS: ROLE },
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } },
      },
    });
    expect(buildKmsKeyPolicyStatement({ roleArn: ROLE, kmsKeyArn: foreign, access: "read" }).Action).to.equal(
      "kms:Decrypt",
    );
    // The statement admits the role for kms:Decrypt through S3, and nothing else (the evaluator).
    const doc = { Version: "2012-10-17" as const, Statement: [foreignKeyStatements(ROLE, buckets)[foreign]] };
    const decide = (principalArn: string, via: string) =>
      evaluateResourcePolicy(doc, {
        absent: ["*"],
        principalArn,
        action: "kms:Decrypt",
        resource: foreign,
        context: { "kms:ViaService": via },
      }).decision;
    expect(decide(ROLE, "s3.eu-west-1.amazonaws.com")).to.equal("Allow");
    expect(decide(ROLE, "ec2.eu-west-1.amazonaws.com")).to.equal("ImplicitDeny");
    expect(decide(`arn:aws:iam::${ACCOUNT_B}:role/other`, "s3.eu-west-1.amazonaws.com")).to.equal(
      "ImplicitDeny",
    );
  });

  it("IRSA wins when both are set up (web identity comes before the container provider); alone, each its own", () => {
    expect(podCredentialPath(["irsa", "pod-identity"])).to.equal("irsa");
    expect(podCredentialPath(["pod-identity", "irsa"])).to.equal("irsa");
    expect(podCredentialPath(["pod-identity"])).to.equal("pod-identity");
    expect(podCredentialPath(["irsa"])).to.equal("irsa");
    expect(podCredentialPath(["irsa-chained"])).to.equal("irsa-chained");
  });

  it("the chained profile wins over Pod Identity (AWS_PROFILE is read before the container provider)", () => {
    expect(podCredentialPath(["pod-identity", "irsa-chained"])).to.equal("irsa-chained");
    expect(podCredentialPath(["irsa-chained", "pod-identity"])).to.equal("irsa-chained");
  });
});

describe("the handoff (version 1) and the binding's plan", () => {
  const buckets = checkGrantBuckets("b", [
    { name: "team-reports" },
    { name: "team-exports", access: "read-write" },
  ]);
  const handoff = buildHandoff({
    mechanisms: ["irsa", "pod-identity"],
    roleArn: ROLE,
    serviceAccounts: SAS,
    clusters: [["prod", BOTH]],
    buckets,
  });

  it("round-trips: what the grant writes, the binding reads unchanged", () => {
    expect(handoff.version).to.equal(HANDOFF_VERSION);
    expect(parseHandoff("args.handoff", JSON.parse(JSON.stringify(handoff)))).to.deep.equal(handoff);
    expect(handoff.clusters).to.deep.equal([{ key: "prod", ...BOTH }]);
  });

  it("carries only what the listed mechanisms read", () => {
    const irsaOnly = buildHandoff({
      mechanisms: ["irsa"],
      roleArn: ROLE,
      serviceAccounts: SAS,
      clusters: [["prod", BOTH]],
      buckets,
    });
    expect(irsaOnly.clusters).to.deep.equal([{ key: "prod", issuerUrl: ISSUER, oidcProviderArn: PROVIDER }]);
  });

  it("is read strictly: another version, an unknown field, a missing field a mechanism needs", () => {
    expectInputError(() => parseHandoff("h", { ...handoff, version: 2 }), "h.version", 2, "must be 1");
    expectInputError(
      () => parseHandoff("h", { ...handoff, roleArns: ROLE }),
      "h.roleArns",
      ROLE,
      "is not a field of it",
    );
    const noSource = {
      ...handoff,
      clusters: [{ key: "prod", issuerUrl: ISSUER, oidcProviderArn: PROVIDER, clusterArn: CLUSTER }],
    };
    expectInputError(
      () => parseHandoff("h", noSource),
      "h.clusters[0].sourceRoleArn",
      undefined,
      'is required by mechanism "pod-identity"',
    );
    expectInputError(
      () => parseHandoff("h", undefined),
      "h",
      undefined,
      "account B's update must have run first",
    );
  });

  it("refuses a cluster key, issuer, cluster or chained source role listed twice (the grant lists each once)", () => {
    const prod = handoff.clusters[0];
    const second = {
      key: "staging",
      issuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/FFFF",
      oidcProviderArn: `arn:aws:iam::${ACCOUNT_B}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/FFFF`,
      clusterArn: `arn:aws:eks:eu-west-1:${ACCOUNT_A}:cluster/staging`,
      sourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/staging-source`,
    };
    expect(parseHandoff("h", { ...handoff, clusters: [prod, second] }).clusters).to.have.length(2);
    expectInputError(
      () => parseHandoff("h", { ...handoff, clusters: [prod, { ...second, key: "prod" }] }),
      "h.clusters[1].key",
      "prod",
      "is the key of h.clusters[0] too",
    );
    expectInputError(
      () => parseHandoff("h", { ...handoff, clusters: [prod, { ...second, clusterArn: CLUSTER }] }),
      "h.clusters[1]",
      `cluster ${CLUSTER}`,
      "names the same cluster as h.clusters[0]: list each cluster once",
    );
    const chained = (key: string, issuerUrl: string) => ({
      key,
      chainedSourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/chained`,
      issuerUrl,
    });
    const twice = {
      ...handoff,
      mechanisms: ["irsa-chained"],
      clusters: [chained("prod", ISSUER), chained("staging", second.issuerUrl)],
    };
    expectInputError(
      () => parseHandoff("h", twice),
      "h.clusters[1]",
      `chained source role arn:aws:iam::${ACCOUNT_A}:role/chained`,
      "names the same chained source role as h.clusters[0]",
    );
  });

  it("refuses a role in the cluster's account A, or in another partition (the pods would assume it)", () => {
    const adminInA = `arn:aws:iam::${ACCOUNT_A}:role/ClusterAdmin`;
    expectInputError(
      () => parseHandoff("h", { ...handoff, roleArn: adminInA }),
      "h.roleArn",
      adminInA,
      `must be in account B, not in account ${ACCOUNT_A} of the handoff's clusters[0].clusterArn (the cluster's account A)`,
    );
    // The source role alone names account A when the cluster's ARN is another account's.
    const sourceOnly = {
      ...handoff,
      mechanisms: ["irsa-chained"],
      clusters: [{ key: "prod", chainedSourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/chained` }],
      roleArn: adminInA,
    };
    expectInputError(
      () => parseHandoff("h", sourceOnly),
      "h.roleArn",
      adminInA,
      `must be in account B, not in account ${ACCOUNT_A} of the handoff's clusters[0].chainedSourceRoleArn`,
    );
    const otherPartition = `arn:aws-cn:iam::${ACCOUNT_B}:role/reports`;
    expectInputError(
      () => parseHandoff("h", { ...handoff, roleArn: otherPartition }),
      "h.roleArn",
      otherPartition,
      `must be in the partition of the handoff's clusters[0].clusterArn ("aws")`,
    );
    expect(parseHandoff("h", { ...sourceOnly, roleArn: ROLE }).roleArn).to.equal(ROLE);
  });

  it("plans a binding the grant allows, and names both sides when it does not", () => {
    expect(
      planBinding({
        handoff,
        mechanisms: ["irsa", "pod-identity"],
        serviceAccount: SAS[0],
        clusterName: "prod",
      }),
    ).to.deep.equal({
      roleArn: ROLE,
      podPath: "irsa",
      podIdentity: { key: "prod", clusterArn: CLUSTER, sourceRoleArn: SOURCE },
      probeBucket: "team-reports",
    });
    const irsaHandoff = { ...handoff, mechanisms: ["irsa" as const] };
    expectInputError(
      () =>
        planBinding({
          handoff: irsaHandoff,
          mechanisms: ["pod-identity"],
          serviceAccount: SAS[0],
          clusterName: "prod",
        }),
      "args.mechanisms[0]",
      "pod-identity",
      `account B's grant does not trust it (args.handoff.mechanisms is ["irsa"])`,
    );
    expectInputError(
      () =>
        planBinding({ handoff, mechanisms: ["irsa"], serviceAccount: { namespace: "apps", name: "other" } }),
      "args.serviceAccount",
      { namespace: "apps", name: "other" },
      "is not among the service accounts account B's grant trusts (args.handoff.serviceAccounts: apps/reports, jobs/export)",
    );
    expectInputError(
      () =>
        planBinding({
          handoff,
          mechanisms: ["pod-identity"],
          serviceAccount: SAS[0],
          clusterName: "staging",
        }),
      "args.clusterName",
      "staging",
      `must name one of the clusters account B's grant trusts for Pod Identity (args.handoff.clusters: ${CLUSTER})`,
    );
    expectInputError(
      () =>
        planBinding({ handoff, mechanisms: ["irsa"], serviceAccount: SAS[0], probeBucket: "nope-bucket" }),
      "args.probe.bucketName",
      "nope-bucket",
      "is not among the grant's buckets",
    );
  });
});
