/**
 * The pure core of the grant (components/bucketAccess*.ts): argument checks and the one trust of a
 * mechanism list (cross-checked with the evaluators). The KMS key-policy statement, which path a pod
 * takes and the handoff: bucketAccessHandoff.test.ts; the components: bucketAccessComponents.test.ts.
 */
import { expect } from "chai";
import {
  buildGrantTrustPolicy,
  checkClusterShapes,
  checkClusterValues,
  checkDistinctClusters,
  checkGrantServiceAccounts,
  checkBindingMechanisms,
  checkMechanisms,
} from "../../components/bucketAccess";
import { bucketAccessPolicy, checkGrantBuckets } from "../../components/bucketAccessBuckets";
import { evaluateResourcePolicy, evaluateTrust } from "../../components/evaluate";
import { PolicySizeError } from "../../components/errors";
import { buildPodIdentityTargetTrustPolicy } from "../../components/podIdentityPolicies";
import { buildS3AccessPolicy } from "../../components/s3AccessPolicy";
import { buildTrustPolicy } from "../../components/trustPolicy";
import { expectInputError } from "./coreHelpers";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  HOST,
  ISSUER,
  PROVIDER,
  CLUSTER,
  BOTH,
  SAS,
  SOURCE,
} from "./bucketAccessWorld";

describe("BucketAccessGrant's arguments (pure checks)", () => {
  it("takes one mechanism or a list of distinct ones, in the registry's order", () => {
    expect(checkMechanisms("m", "irsa")).to.deep.equal(["irsa"]);
    expect(checkMechanisms("m", ["pod-identity", "irsa"])).to.deep.equal(["irsa", "pod-identity"]);
    expectInputError(() => checkMechanisms("m", []), "m", [], "at least one mechanism");
    expectInputError(() => checkMechanisms("m", ["irsa", "IRSA"]), "m[1]", "IRSA", 'must be one of "irsa"');
    expectInputError(() => checkMechanisms("m", ["irsa", "irsa"]), "m[1]", "irsa", "listed twice");
  });

  it("takes irsa-chained alone or with another mechanism (the grant may trust every path)", () => {
    expect(checkMechanisms("m", "irsa-chained")).to.deep.equal(["irsa-chained"]);
    expect(checkMechanisms("m", ["pod-identity", "irsa-chained", "irsa"])).to.deep.equal([
      "irsa",
      "pod-identity",
      "irsa-chained",
    ]);
  });

  it("a binding refuses irsa with irsa-chained by name (one annotation, two roles); other pairs pass", () => {
    expectInputError(
      () => checkBindingMechanisms("args.mechanisms", ["irsa", "irsa-chained"]),
      "args.mechanisms",
      ["irsa", "irsa-chained"],
      'must not list both "irsa" and "irsa-chained": the ServiceAccount has one eks.amazonaws.com/role-arn annotation',
    );
    expect(checkBindingMechanisms("m", ["pod-identity", "irsa-chained"])).to.deep.equal([
      "pod-identity",
      "irsa-chained",
    ]);
    expect(checkBindingMechanisms("m", ["irsa", "pod-identity"])).to.deep.equal(["irsa", "pod-identity"]);
  });

  it("needs of each cluster what each listed mechanism reads, and refuses what none reads", () => {
    expect(
      checkClusterShapes(
        "c",
        { prod: BOTH, dev: { issuerUrl: ISSUER, clusterArn: CLUSTER, sourceRoleArn: SOURCE } },
        ["irsa", "pod-identity"],
      ),
    ).to.deep.equal(["dev", "prod"]);
    expectInputError(
      () => checkClusterShapes("c", { prod: { issuerUrl: ISSUER } }, ["irsa", "pod-identity"]),
      "c.prod.clusterArn",
      undefined,
      'is required by mechanism "pod-identity"',
    );
    expectInputError(
      () => checkClusterShapes("c", { prod: { issuerUrl: ISSUER, clusterArn: CLUSTER } }, ["irsa"]),
      "c.prod.clusterArn",
      CLUSTER,
      'is read only by mechanism "pod-identity", which args.mechanisms does not list',
    );
    expectInputError(
      () => checkClusterShapes("c", { Prod: { issuerUrl: ISSUER } }, ["irsa"]),
      "c.Prod",
      "Prod",
      "names child resources",
    );
    expectInputError(
      () => checkClusterShapes("c", { prod: { issuer: ISSUER } }, ["irsa"]),
      "c.prod.issuer",
      ISSUER,
      "is not a cluster field",
    );
    expectInputError(() => checkClusterShapes("c", {}, ["irsa"]), "c", {}, "at least one cluster");
    expectInputError(() => checkClusterShapes("c", [BOTH], ["irsa"]), "c", [BOTH], "by stable key");
  });

  it("checks cluster values: the provider is the issuer's, the source role in the cluster's account", () => {
    expect(checkClusterValues("c.prod", BOTH)).to.deep.equal(BOTH);
    const other = `arn:aws:iam::${ACCOUNT_B}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAAA`;
    expectInputError(
      () => checkClusterValues("c.prod", { ...BOTH, oidcProviderArn: other }),
      "c.prod.oidcProviderArn",
      other,
      `must be the IAM OIDC provider of c.prod.issuerUrl`,
    );
    const wrongAccount = `arn:aws:iam::${ACCOUNT_B}:role/reports-source`;
    expectInputError(
      () => checkClusterValues("c.prod", { ...BOTH, sourceRoleArn: wrongAccount }),
      "c.prod.sourceRoleArn",
      wrongAccount,
      "must be in the cluster's account",
    );
    expectInputError(
      () => checkClusterValues("c.prod", { ...BOTH, sourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/src*` }),
      "c.prod.sourceRoleArn",
      `arn:aws:iam::${ACCOUNT_A}:role/src*`,
      /must be an IAM role ARN|must not contain/,
    );
    expectInputError(
      () =>
        checkDistinctClusters("c", [
          ["a", BOTH],
          ["b", { issuerUrl: `${ISSUER}/` }],
        ]),
      "c.b",
      `issuer ${HOST}`,
      "names the same issuer as c.a",
    );
  });

  it("takes exact, valid, distinct service accounts only", () => {
    expect(checkGrantServiceAccounts("s", SAS)).to.deep.equal(SAS);
    expectInputError(
      () => checkGrantServiceAccounts("s", [{ namespace: "apps", name: "r*" }]),
      "s[0].name",
      "r*",
      "must be exact",
    );
    expectInputError(
      () => checkGrantServiceAccounts("s", [SAS[0], { ...SAS[0] }]),
      "s[1]",
      SAS[0],
      "listed twice",
    );
    expectInputError(
      () => checkGrantServiceAccounts("s", [{ ...SAS[0], nmae: "x" }]),
      "s[0].nmae",
      "x",
      "is not a service account field",
    );
    expectInputError(() => checkGrantServiceAccounts("s", []), "s", [], /at least 1/);
  });

  it("checks buckets with their documented defaults, and refuses what would widen or drop a grant", () => {
    expect(checkGrantBuckets("b", [{ name: "team-reports" }])).to.deep.equal([
      { name: "team-reports", create: false, access: "read", prefixes: [] },
    ]);
    const key = "arn:aws:kms:eu-west-1:999988887777:key/abc";
    expect(
      checkGrantBuckets("b", [
        { name: "x-data", create: true, access: "read-write", prefixes: ["a/", "a/b/"], kmsKeyArn: key },
      ]),
    ).to.deep.equal([
      { name: "x-data", create: true, access: "read-write", prefixes: ["a/"], kmsKeyArn: key },
    ]);
    expectInputError(
      () => checkGrantBuckets("b", [{ name: "x-data", prefixes: [] }]),
      "b[0].prefixes",
      [],
      "must not be empty",
    );
    expectInputError(
      () => checkGrantBuckets("b", [{ name: "x-data" }, { name: "x-data" }]),
      "b[1].name",
      "x-data",
      "is b[0].name too",
    );
    expectInputError(
      () => checkGrantBuckets("b", [{ name: "x-data", acess: "read" }]),
      "b[0].acess",
      "read",
      "is not a bucket field",
    );
    expectInputError(
      () => checkGrantBuckets("b", [{ name: "x-data", access: "write" }]),
      "b[0].access",
      "write",
      'must be one of "read"',
    );
    expectInputError(() => checkGrantBuckets("b", [{ name: "X_data" }]), "b[0].name", "X_data", /bucket/);
    expectInputError(
      () => checkGrantBuckets("b", [{ name: "x-data", create: "yes" }]),
      "b[0].create",
      "yes",
      /true or false|boolean/,
    );
  });

  it("gives each bucket exactly buildS3AccessPolicy's document, in the partition", () => {
    const [bucket] = checkGrantBuckets("b", [{ name: "x-data", prefixes: ["r/"] }]);
    expect(bucketAccessPolicy("b[0]", bucket, "aws-us-gov")).to.deep.equal(
      buildS3AccessPolicy({ bucketName: "x-data", prefixes: ["r/"], partition: "aws-us-gov" }),
    );
  });
});

describe("buildGrantTrustPolicy: one role, every listed path", () => {
  const clusters = [["prod", BOTH]] as const;
  it("is each mechanism's own builder's statements, in the registry's order", () => {
    const irsa = buildTrustPolicy([{ oidcProviderArn: PROVIDER, issuerUrl: ISSUER, serviceAccounts: SAS }]);
    const pod = buildPodIdentityTargetTrustPolicy({
      sourceRoleArn: SOURCE,
      clusterArn: CLUSTER,
      serviceAccounts: SAS,
      maxSize: 4096,
    });
    expect(buildGrantTrustPolicy({ mechanisms: ["irsa"], clusters, serviceAccounts: SAS })).to.deep.equal(
      irsa,
    );
    expect(
      buildGrantTrustPolicy({ mechanisms: ["pod-identity"], clusters, serviceAccounts: SAS }),
    ).to.deep.equal(pod);
    expect(
      buildGrantTrustPolicy({
        mechanisms: ["irsa", "pod-identity"],
        clusters,
        serviceAccounts: SAS,
        maxSize: 4096,
      }).Statement,
    ).to.deep.equal([...irsa.Statement, ...pod.Statement]);
  });

  it("admits exactly the named service accounts by both paths during a migration (the evaluators)", () => {
    const doc = buildGrantTrustPolicy({
      mechanisms: ["irsa", "pod-identity"],
      clusters,
      serviceAccounts: SAS,
      maxSize: 4096,
    });
    const web = (sub: string) =>
      evaluateTrust(doc, { oidcProviderArn: PROVIDER, sub, aud: "sts.amazonaws.com" }).decision;
    expect(web("system:serviceaccount:apps:reports")).to.equal("Allow");
    expect(web("system:serviceaccount:jobs:export")).to.equal("Allow");
    expect(web("system:serviceaccount:apps:export")).to.equal("ImplicitDeny");
    const chained = (principalArn: string, namespace: string, name: string) =>
      evaluateResourcePolicy(
        doc,
        {
          absent: ["*"],
          principalArn,
          action: "sts:AssumeRole",
          context: {
            "aws:RequestTag/eks-cluster-arn": CLUSTER,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": name,
          },
        },
        "trust",
      ).decision;
    expect(chained(SOURCE, "apps", "reports")).to.equal("Allow");
    expect(chained(SOURCE, "apps", "export"), "a swapped namespace/name pair").to.equal("ImplicitDeny");
    expect(chained(`arn:aws:iam::${ACCOUNT_A}:role/other`, "apps", "reports"), "another role of A").to.equal(
      "ImplicitDeny",
    );
  });

  it("refuses a document over the limit, naming the limit's argument and the ways out", () => {
    const many = Array.from({ length: 4 }, (_, i) => ({
      namespace: `ns-${i}`,
      name: `service-account-${i}`,
    }));
    let caught: unknown;
    try {
      buildGrantTrustPolicy({
        mechanisms: ["irsa", "pod-identity"],
        clusters,
        serviceAccounts: many,
        maxSizeField: "maxTrustPolicySize",
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(PolicySizeError);
    expect((caught as PolicySizeError).limit).to.equal(2048);
    expect(String(caught)).to.match(
      /over the limit of 2048 \(maxTrustPolicySize\), for mechanisms irsa, pod-identity and 1 cluster/,
    );
  });
});
