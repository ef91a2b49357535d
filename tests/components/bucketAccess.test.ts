/**
 * The pure core of the grant and its binding (components/bucketAccess*.ts): argument checks, the one
 * trust of a mechanism list (cross-checked with the evaluators), the KMS key-policy statement, which
 * path a pod takes, and the handoff read strictly. The components: bucketAccessComponents.test.ts.
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
  podCredentialPath,
  type GrantCluster,
} from "../../components/bucketAccess";
import {
  bucketAccessPolicy,
  buildKmsKeyPolicyStatement,
  checkGrantBuckets,
  foreignKeyStatements,
} from "../../components/bucketAccessBuckets";
import { buildHandoff, HANDOFF_VERSION, parseHandoff } from "../../components/bucketAccessHandoff";
import { planBinding } from "../../components/bucketAccessBindingPlan";
import { evaluateResourcePolicy, evaluateTrust } from "../../components/evaluate";
import { PolicySizeError } from "../../components/errors";
import { buildPodIdentityTargetTrustPolicy } from "../../components/podIdentityPolicies";
import { buildS3AccessPolicy } from "../../components/s3AccessPolicy";
import { buildTrustPolicy } from "../../components/trustPolicy";
import { expectInputError } from "./coreHelpers";
import { ACCOUNT_A, ACCOUNT_B, HOST, ISSUER, PROVIDER, CLUSTER, ROLE } from "./bucketAccessWorld";

const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/reports-source`;
const SAS = [
  { namespace: "apps", name: "reports" },
  { namespace: "jobs", name: "export" },
];
const BOTH: GrantCluster = {
  issuerUrl: ISSUER,
  oidcProviderArn: PROVIDER,
  clusterArn: CLUSTER,
  sourceRoleArn: SOURCE,
};

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
