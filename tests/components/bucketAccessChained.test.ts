/**
 * irsa-chained in the grant's pure core: the cluster field `chainedSourceRoleArn` (shape, values),
 * its trust statements (ChainedTargetRole's own, per cluster, without the Sid), cross-checked with
 * @cloud-copilot/iam-simulate and our evaluator (the source role allowed; another role of A, the same
 * name in a third account, A's root alone: denied), alone and beside the other paths, the handoff
 * round trip, and the binding's plan (which cluster, the adopted provider's account).
 */
import { expect } from "chai";
import { type Simulation } from "@cloud-copilot/iam-simulate";
import {
  buildGrantTrustPolicy,
  checkClusterShapes,
  checkClusterValues,
  checkDistinctClusters,
  type GrantCluster,
} from "../../components/bucketAccess";
import { checkGrantBuckets } from "../../components/bucketAccessBuckets";
import { buildHandoff, parseHandoff } from "../../components/bucketAccessHandoff";
import { planBinding } from "../../components/bucketAccessBindingPlan";
import {
  buildChainedSourcePermissionPolicy,
  buildChainedTargetTrustPolicy,
} from "../../components/chainedPolicies";
import { type Decision } from "../../components/evaluate";
import { type PolicyDocument } from "../../components/policyDocument";
import { buildPodIdentityTargetTrustPolicy } from "../../components/podIdentityPolicies";
import { oursAssume, simulateValidated } from "../support/simulator";
import { expectInputError } from "./coreHelpers";
import { ACCOUNT_A, ACCOUNT_B, HOST, ISSUER, PROVIDER, CLUSTER, ROLE } from "./bucketAccessWorld";

const ACCOUNT_C = "333344445555";
const POD_SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/reports-source`;
const CHAINED = `arn:aws:iam::${ACCOUNT_A}:role/team/reports-chained`;
const CHAINED_DEV = `arn:aws:iam::${ACCOUNT_A}:role/reports-chained-dev`;
const SAS = [{ namespace: "apps", name: "reports" }];

/** The chained target trust's one statement, as ChainedTargetRole writes it, without its Sid. */
function chainedStatement(sourceRoleArn: string) {
  const { Sid: _sid, ...rest } = buildChainedTargetTrustPolicy({ sourceRoleArn }).Statement[0];
  return rest;
}

describe("irsa-chained in the grant: the cluster field chainedSourceRoleArn", () => {
  it("is required with irsa-chained and refused without it; nothing else is needed of a cluster", () => {
    expect(
      checkClusterShapes("c", { prod: { chainedSourceRoleArn: CHAINED } }, ["irsa-chained"]),
    ).to.deep.equal(["prod"]);
    expectInputError(
      () => checkClusterShapes("c", { prod: { issuerUrl: ISSUER } }, ["irsa-chained"]),
      "c.prod.issuerUrl",
      ISSUER,
      'is read only by mechanism "irsa", which args.mechanisms does not list',
    );
    expectInputError(
      () => checkClusterShapes("c", { prod: {} }, ["irsa-chained"]),
      "c.prod.chainedSourceRoleArn",
      undefined,
      'is required by mechanism "irsa-chained"',
    );
    expectInputError(
      () => checkClusterShapes("c", { prod: { issuerUrl: ISSUER, chainedSourceRoleArn: CHAINED } }, ["irsa"]),
      "c.prod.chainedSourceRoleArn",
      CHAINED,
      'is read only by mechanism "irsa-chained", which args.mechanisms does not list',
    );
  });

  it("is an IAM role ARN without wildcards, in the cluster's account when clusterArn is given, not Pod Identity's role", () => {
    expect(checkClusterValues("c.prod", { chainedSourceRoleArn: CHAINED })).to.deep.equal({
      chainedSourceRoleArn: CHAINED,
    });
    for (const bad of [
      `arn:aws:iam::${ACCOUNT_A}:role/reports-*`,
      `arn:aws:iam::${ACCOUNT_A}:user/reports`,
      "reports-chained",
    ]) {
      expectInputError(
        () => checkClusterValues("c.prod", { chainedSourceRoleArn: bad }),
        "c.prod.chainedSourceRoleArn",
        bad,
        /must be an IAM role ARN|must not contain/,
      );
    }
    const inC = `arn:aws:iam::${ACCOUNT_C}:role/reports-chained`;
    expectInputError(
      () =>
        checkClusterValues("c.prod", {
          clusterArn: CLUSTER,
          sourceRoleArn: POD_SOURCE,
          chainedSourceRoleArn: inC,
        }),
      "c.prod.chainedSourceRoleArn",
      inC,
      `must be in the cluster's account and partition (arn:aws:iam::${ACCOUNT_A}:role/...)`,
    );
    expectInputError(
      () =>
        checkClusterValues("c.prod", {
          clusterArn: CLUSTER,
          sourceRoleArn: POD_SOURCE,
          chainedSourceRoleArn: POD_SOURCE,
        }),
      "c.prod.chainedSourceRoleArn",
      POD_SOURCE,
      "must differ from c.prod.sourceRoleArn",
    );
  });

  it("refuses a source role on a path AWS manages (/aws-service-role/, /aws-reserved/): a binding never creates it", () => {
    for (const path of ["aws-service-role/eks.amazonaws.com", "aws-reserved/sso.amazonaws.com"]) {
      const reserved = `arn:aws:iam::${ACCOUNT_A}:role/${path}/reports`;
      expectInputError(
        () => checkClusterValues("c.prod", { chainedSourceRoleArn: reserved }),
        "c.prod.chainedSourceRoleArn",
        reserved,
        `must not be on the path /${path.split("/")[0]}/: AWS creates and manages the roles there`,
      );
      expectInputError(
        () => checkClusterValues("c.prod", { clusterArn: CLUSTER, sourceRoleArn: reserved }),
        "c.prod.sourceRoleArn",
        reserved,
        `must not be on the path /${path.split("/")[0]}/`,
      );
    }
    // Only a path that starts with them: a customer's path may contain the words.
    const own = `arn:aws:iam::${ACCOUNT_A}:role/team/aws-reserved/reports`;
    expect(checkClusterValues("c.prod", { chainedSourceRoleArn: own })).to.deep.equal({
      chainedSourceRoleArn: own,
    });
  });

  it("compares role names as IAM does: case-insensitively, whatever the path", () => {
    const shouted = `arn:aws:iam::${ACCOUNT_A}:role/other/REPORTS-CHAINED`;
    expectInputError(
      () =>
        checkDistinctClusters("c", [
          ["dev", { chainedSourceRoleArn: CHAINED }],
          ["prod", { chainedSourceRoleArn: shouted }],
        ]),
      "c.prod",
      `chained source role ${shouted}`,
      "names the same chained source role as c.dev",
    );
    const podShouted = `arn:aws:iam::${ACCOUNT_A}:role/team/REPORTS-SOURCE`; // POD_SOURCE, another path
    expectInputError(
      () =>
        checkClusterValues("c.prod", {
          clusterArn: CLUSTER,
          sourceRoleArn: POD_SOURCE,
          chainedSourceRoleArn: podShouted,
        }),
      "c.prod.chainedSourceRoleArn",
      podShouted,
      "must differ from c.prod.sourceRoleArn, also in the role name's case",
    );
    // Another account's role of the same name is another role.
    expect(() =>
      checkDistinctClusters("c", [
        ["dev", { chainedSourceRoleArn: CHAINED }],
        ["prod", { chainedSourceRoleArn: `arn:aws:iam::${ACCOUNT_C}:role/team/reports-chained` }],
      ]),
    ).not.to.throw();
  });

  it("names each chained source role once across the grant's clusters", () => {
    expectInputError(
      () =>
        checkDistinctClusters("c", [
          ["dev", { chainedSourceRoleArn: CHAINED }],
          ["prod", { chainedSourceRoleArn: CHAINED }],
        ]),
      "c.prod",
      `chained source role ${CHAINED}`,
      "names the same chained source role as c.dev",
    );
  });
});

describe("irsa-chained in the grant: the trust", () => {
  const both: GrantCluster = { chainedSourceRoleArn: CHAINED };
  it("is ChainedTargetRole's statement per cluster, without its Sid (IAM wants Sids unique per policy)", () => {
    const doc = buildGrantTrustPolicy({
      mechanisms: ["irsa-chained"],
      clusters: [
        ["dev", { chainedSourceRoleArn: CHAINED_DEV }],
        ["prod", both],
      ],
      serviceAccounts: SAS,
    });
    expect(doc.Statement).to.deep.equal([chainedStatement(CHAINED_DEV), chainedStatement(CHAINED)]);
    expect(doc.Statement[1]).to.deep.equal({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:root` },
      Action: "sts:AssumeRole",
      Condition: { ArnEquals: { "aws:PrincipalArn": CHAINED } },
    });
  });

  it("stands beside IRSA's and Pod Identity's statements, in the registry's order", () => {
    const doc = buildGrantTrustPolicy({
      mechanisms: ["irsa", "pod-identity", "irsa-chained"],
      clusters: [
        [
          "prod",
          {
            issuerUrl: ISSUER,
            oidcProviderArn: PROVIDER,
            clusterArn: CLUSTER,
            sourceRoleArn: POD_SOURCE,
            chainedSourceRoleArn: CHAINED,
          },
        ],
      ],
      serviceAccounts: SAS,
      maxSize: 4096,
    });
    const pod = buildPodIdentityTargetTrustPolicy({
      sourceRoleArn: POD_SOURCE,
      clusterArn: CLUSTER,
      serviceAccounts: SAS,
    });
    expect(doc.Statement.map((st) => Object.keys(st.Principal as object)[0])).to.deep.equal([
      "Federated",
      "AWS",
      "AWS",
    ]);
    expect(doc.Statement.slice(1)).to.deep.equal([...pod.Statement, chainedStatement(CHAINED)]);
  });
});

describe("irsa-chained trust cross-checked with @cloud-copilot/iam-simulate (grant documents)", function () {
  this.timeout(20000);
  const permission = buildChainedSourcePermissionPolicy({ targetRoleArn: ROLE });
  const alone = buildGrantTrustPolicy({
    mechanisms: ["irsa-chained"],
    clusters: [["prod", { chainedSourceRoleArn: CHAINED }]],
    serviceAccounts: SAS,
  });
  const migration = buildGrantTrustPolicy({
    mechanisms: ["pod-identity", "irsa-chained"],
    clusters: [["prod", { clusterArn: CLUSTER, sourceRoleArn: POD_SOURCE, chainedSourceRoleArn: CHAINED }]],
    serviceAccounts: SAS,
    maxSize: 4096,
  });

  /** The simulator's verdict on `principalArn`'s session calling AssumeRole on the grant's role. */
  async function simulate(trust: PolicyDocument, principalArn: string, account: string): Promise<Decision> {
    const root = principalArn.endsWith(":root");
    const name = /([^/]+)$/.exec(principalArn)![1];
    const simulation: Simulation = {
      request: {
        principal: root ? principalArn : `arn:aws:sts::${account}:assumed-role/${name}/botocore-session-1`,
        action: "sts:AssumeRole",
        resource: { resource: ROLE, accountId: ACCOUNT_B },
        // The simulator does not derive aws:PrincipalArn from the principal (podIdentitySimulate.test.ts).
        contextVariables: { "aws:PrincipalArn": principalArn, "aws:PrincipalAccount": account },
      },
      identityPolicies: [{ name: "chain", policy: permission }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trust,
    };
    return simulateValidated(simulation);
  }

  /** Ours: the trust and the caller's permission (a delegation to the account needs both). */
  const ours = (trust: PolicyDocument, principalArn: string): Decision =>
    oursAssume(trust, permission, { principalArn, action: "sts:AssumeRole", resource: ROLE });

  const cases: Array<[string, string, string, Decision]> = [
    ["the chained source role", CHAINED, ACCOUNT_A, "Allow"],
    ["another role of account A", `arn:aws:iam::${ACCOUNT_A}:role/another-role`, ACCOUNT_A, "ImplicitDeny"],
    [
      "the same role name and path in a third account",
      `arn:aws:iam::${ACCOUNT_C}:role/team/reports-chained`,
      ACCOUNT_C,
      "ImplicitDeny",
    ],
    ["account A's root alone", `arn:aws:iam::${ACCOUNT_A}:root`, ACCOUNT_A, "ImplicitDeny"],
  ];
  for (const [what, principal, account, expected] of cases) {
    it(`${what}: ${expected} in both, alone and beside Pod Identity's statement`, async () => {
      for (const [label, trust] of [
        ["alone", alone],
        ["migration", migration],
      ] as const) {
        expect(await simulate(trust, principal, account), `simulator, ${label}`).to.equal(expected);
        expect(ours(trust, principal), `ours, ${label}`).to.equal(expected);
      }
    });
  }

  it("Pod Identity's source role without its session tags does not pass through the chained statement", async () => {
    expect(await simulate(migration, POD_SOURCE, ACCOUNT_A)).to.equal("ImplicitDeny");
    expect(ours(migration, POD_SOURCE)).to.equal("ImplicitDeny");
  });
});

describe("irsa-chained in the handoff and the binding's plan", () => {
  const buckets = checkGrantBuckets("b", [{ name: "team-reports" }]);
  const handoff = buildHandoff({
    mechanisms: ["pod-identity", "irsa-chained"],
    roleArn: ROLE,
    serviceAccounts: SAS,
    clusters: [
      [
        "dev",
        {
          clusterArn: CLUSTER.replace("prod", "dev"),
          sourceRoleArn: POD_SOURCE,
          chainedSourceRoleArn: CHAINED_DEV,
        },
      ],
      ["prod", { clusterArn: CLUSTER, sourceRoleArn: POD_SOURCE, chainedSourceRoleArn: CHAINED }],
    ],
    buckets,
  });
  const chainedOnly = buildHandoff({
    mechanisms: ["irsa-chained"],
    roleArn: ROLE,
    serviceAccounts: SAS,
    clusters: [["prod", { chainedSourceRoleArn: CHAINED }]],
    buckets,
  });

  it("round-trips with chainedSourceRoleArn, carried only when the grant trusts irsa-chained", () => {
    expect(parseHandoff("h", JSON.parse(JSON.stringify(handoff)))).to.deep.equal(handoff);
    expect(chainedOnly.clusters).to.deep.equal([{ key: "prod", chainedSourceRoleArn: CHAINED }]);
    const podOnly = buildHandoff({
      mechanisms: ["pod-identity"],
      roleArn: ROLE,
      serviceAccounts: SAS,
      clusters: [["prod", { clusterArn: CLUSTER, sourceRoleArn: POD_SOURCE, chainedSourceRoleArn: CHAINED }]],
      buckets,
    });
    expect(podOnly.clusters[0]).to.not.have.property("chainedSourceRoleArn");
    expectInputError(
      () => parseHandoff("h", { ...chainedOnly, clusters: [{ key: "prod" }] }),
      "h.clusters[0].chainedSourceRoleArn",
      undefined,
      'is required by mechanism "irsa-chained"',
    );
    const wildcard = `arn:aws:iam::${ACCOUNT_A}:role/*`;
    expectInputError(
      () =>
        parseHandoff("h", { ...chainedOnly, clusters: [{ key: "prod", chainedSourceRoleArn: wildcard }] }),
      "h.clusters[0].chainedSourceRoleArn",
      wildcard,
      /must be an IAM role ARN|must not contain/,
    );
  });

  it("plans the only chained cluster, or the one clusterKey or clusterName names", () => {
    expect(
      planBinding({ handoff: chainedOnly, mechanisms: ["irsa-chained"], serviceAccount: SAS[0] }),
    ).to.deep.equal({
      roleArn: ROLE,
      podPath: "irsa-chained",
      chained: { key: "prod", sourceRoleArn: CHAINED },
      probeBucket: "team-reports",
    });
    expect(
      planBinding({ handoff, mechanisms: ["irsa-chained"], serviceAccount: SAS[0], clusterKey: "dev" })
        .chained,
    ).to.deep.equal({ key: "dev", sourceRoleArn: CHAINED_DEV });
    const both = planBinding({
      handoff,
      mechanisms: ["pod-identity", "irsa-chained"],
      serviceAccount: SAS[0],
      clusterName: "prod",
    });
    expect(both.chained).to.deep.equal({ key: "prod", sourceRoleArn: CHAINED });
    expect(both.podPath).to.equal("irsa-chained");
  });

  it("refuses an ambiguous or unknown cluster, a clusterKey another mechanism ignores, a provider of another account", () => {
    expectInputError(
      () => planBinding({ handoff, mechanisms: ["irsa-chained"], serviceAccount: SAS[0] }),
      "args.clusterKey",
      undefined,
      'is required: account B\'s grant trusts 2 clusters for "irsa-chained" (args.handoff.clusters with chainedSourceRoleArn: dev, prod)',
    );
    expectInputError(
      () => planBinding({ handoff, mechanisms: ["irsa-chained"], serviceAccount: SAS[0], clusterKey: "qa" }),
      "args.clusterKey",
      "qa",
      "must be the key of a cluster account B's grant trusts",
    );
    expectInputError(
      () =>
        planBinding({
          handoff,
          mechanisms: ["pod-identity", "irsa-chained"],
          serviceAccount: SAS[0],
          clusterName: "prod",
          clusterKey: "dev",
        }),
      "args.clusterKey",
      "dev",
      'must be the cluster args.clusterName names in the grant (key "prod")',
    );
    expectInputError(
      () =>
        planBinding({
          handoff,
          mechanisms: ["pod-identity"],
          serviceAccount: SAS[0],
          clusterName: "prod",
          clusterKey: "prod",
        }),
      "args.clusterKey",
      "prod",
      'is read only by mechanism "irsa-chained"',
    );
    const providerInB = `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${HOST}`;
    expectInputError(
      () =>
        planBinding({
          handoff: chainedOnly,
          mechanisms: ["irsa-chained"],
          serviceAccount: SAS[0],
          existingOidcProviderArn: providerInB,
        }),
      "args.existingOidcProviderArn",
      providerInB,
      "must be in the account of the chained source role account B's grant trusts",
    );
    expectInputError(
      () =>
        planBinding({
          handoff: { ...chainedOnly, mechanisms: ["irsa"] },
          mechanisms: ["irsa-chained"],
          serviceAccount: SAS[0],
        }),
      "args.mechanisms[0]",
      "irsa-chained",
      "account B's grant does not trust it",
    );
  });
});
