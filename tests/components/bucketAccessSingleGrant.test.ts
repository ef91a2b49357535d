/**
 * What BucketAccessGrant learned so the stacks' single-grant mode runs through it: IRSA's
 * `StringLike` name patterns and whole namespaces (only when asked for), the chained statement's Sid
 * (one cluster), and an existing bucket whose name is an Output (an auto-named bucket the program
 * creates itself) with its policy named by `policyName`. Refused arguments throw once, naming the
 * argument, before anything registers.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { runOnEngine } from "../../engine/offline";
import { BucketAccessGrant, type BucketAccessGrantArgs } from "../../components/bucketAccessGrant";
import { buildChainedTargetTrustPolicy } from "../../components/chainedPolicies";
import { type PolicyDocument, policyJson } from "../../components/policyDocument";
import { buildTrustPolicy } from "../../components/trustPolicy";
import { checkGrantBuckets } from "../../components/bucketAccessBuckets";
import { settled, valueOf } from "../support/outputs";
import { expectInputError } from "./coreHelpers";

const ACCOUNT_A = "111122223333";
const ACCOUNT_B = "222233334444";
const HOST = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER = `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${HOST}`;
const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/chained-source`;

async function engineIn(account: string): Promise<MockEngine> {
  const engine = new MockEngine({
    config: { "aws:region": "eu-west-1", "aws:allowedAccountIds": `["${account}"]` },
  });
  await engine.install();
  return engine;
}

const irsa = (extra: Partial<BucketAccessGrantArgs> = {}): BucketAccessGrantArgs => ({
  mechanisms: ["irsa"],
  clusters: { prod: { issuerUrl: `https://${HOST}`, oidcProviderArn: PROVIDER } },
  serviceAccounts: [{ namespace: "apps", name: "reports" }],
  buckets: [{ name: "team-reports" }],
  roleName: "reports",
  ...extra,
});

const chained = (extra: Partial<BucketAccessGrantArgs> = {}): BucketAccessGrantArgs => ({
  mechanisms: ["irsa-chained"],
  clusters: { prod: { chainedSourceRoleArn: SOURCE } },
  serviceAccounts: [{ namespace: "apps", name: "reports" }],
  buckets: [{ name: "team-reports" }],
  roleName: "reports",
  ...extra,
});

/** The trust policy the grant sent to IAM. */
function trustOf(engine: MockEngine): PolicyDocument {
  return JSON.parse(engine.one("aws:iam/role:Role").inputs.assumeRolePolicy as string) as PolicyDocument;
}

/** Constructs the grant; returns what it threw, after checking nothing registered or rejected later. */
async function refusal(args: BucketAccessGrantArgs): Promise<string> {
  const engine = await engineIn(ACCOUNT_B);
  const unhandled: unknown[] = [];
  const listener = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", listener);
  let thrown: unknown;
  try {
    new BucketAccessGrant("g", args);
  } catch (e) {
    thrown = e;
  } finally {
    await settled();
    process.off("unhandledRejection", listener);
  }
  expect(unhandled.map(String)).to.deep.equal([]);
  expect(engine.resources).to.have.length(0);
  return String(thrown);
}

describe("BucketAccessGrant: IRSA's StringLike patterns, only when asked for", () => {
  it("trusts name patterns with conditionTest StringLike, as IrsaRole's trust builder writes them", async () => {
    const engine = await engineIn(ACCOUNT_B);
    const sas = [
      { namespace: "apps", name: "report-*" },
      { namespace: "jobs", name: "export-?" },
    ];
    const grant = new BucketAccessGrant("g", irsa({ serviceAccounts: sas, conditionTest: "StringLike" }));
    await valueOf(grant.roleArn);
    await settled();
    expect(trustOf(engine)).to.deep.equal(
      buildTrustPolicy([{ oidcProviderArn: PROVIDER, issuerUrl: `https://${HOST}`, serviceAccounts: sas }], {
        conditionTest: "StringLike",
      }),
    );
    expect(trustOf(engine).Statement[0].Condition).to.have.property("StringLike");
  });

  it("refuses a pattern without StringLike, and StringLike with another mechanism, naming the argument", async () => {
    expect(await refusal(irsa({ serviceAccounts: [{ namespace: "apps", name: "report-*" }] }))).to.match(
      /^InputError: args\.serviceAccounts\[0\]\.name: "report-\*" is invalid: must be exact/,
    );
    const pod: BucketAccessGrantArgs = {
      ...irsa(),
      mechanisms: ["pod-identity"],
      clusters: {
        prod: {
          clusterArn: `arn:aws:eks:eu-west-1:${ACCOUNT_A}:cluster/prod`,
          sourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/source`,
        },
      },
      conditionTest: "StringLike",
    };
    expect(await refusal(pod)).to.match(
      /^InputError: args\.conditionTest: "StringLike" is invalid: is for args\.mechanisms \["irsa"\] alone/,
    );
    expect(await refusal(irsa({ conditionTest: "Like" as never }))).to.match(
      /^InputError: args\.conditionTest: "Like" is invalid: must be "StringEquals" or "StringLike"/,
    );
  });

  it("refuses patterns matching a whole namespace unless trustWholeNamespaces, and a pattern namespace always", async () => {
    const whole = {
      serviceAccounts: [{ namespace: "apps", name: "*" }],
      conditionTest: "StringLike" as const,
    };
    expect(await refusal(irsa(whole))).to.match(
      /^InputError: args\.serviceAccounts: .*args\.trustWholeNamespaces: true/,
    );
    const engine = await engineIn(ACCOUNT_B);
    const grant = new BucketAccessGrant("g", irsa({ ...whole, trustWholeNamespaces: true }));
    await valueOf(grant.roleArn);
    await settled();
    expect(JSON.stringify(trustOf(engine))).to.include("system:serviceaccount:apps:*");
    expect(
      await refusal(
        irsa({ serviceAccounts: [{ namespace: "app*", name: "x" }], conditionTest: "StringLike" }),
      ),
    ).to.match(/^InputError: args\.serviceAccounts\[0\]\.namespace/);
    expect(await refusal(irsa({ trustWholeNamespaces: "yes" as never }))).to.match(
      /^InputError: args\.trustWholeNamespaces: "yes" is invalid: must be true or false/,
    );
  });
});

describe("BucketAccessGrant: chainedStatementSid", () => {
  it("keeps ChainedTargetRole's statement, Sid included, when asked for; drops the Sid by default", async () => {
    let engine = await engineIn(ACCOUNT_B);
    let grant = new BucketAccessGrant("g", chained({ chainedStatementSid: true }));
    await valueOf(grant.roleArn);
    await settled();
    expect(engine.one("aws:iam/role:Role").inputs.assumeRolePolicy).to.equal(
      policyJson(buildChainedTargetTrustPolicy({ sourceRoleArn: SOURCE })),
    );
    engine = await engineIn(ACCOUNT_B);
    grant = new BucketAccessGrant("g", chained());
    await valueOf(grant.roleArn);
    await settled();
    expect(trustOf(engine).Statement[0]).to.not.have.property("Sid");
  });

  it("refuses it with two clusters or without irsa-chained (IAM: a Sid is unique within a policy)", async () => {
    const two = chained({
      chainedStatementSid: true,
      clusters: {
        prod: { chainedSourceRoleArn: SOURCE },
        stage: { chainedSourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/stage-source` },
      },
    });
    expect(await refusal(two)).to.match(
      /^InputError: args\.chainedStatementSid: true is invalid: needs mechanism "irsa-chained" and exactly one cluster \(here 2\)/,
    );
    expect(await refusal(irsa({ chainedStatementSid: true }))).to.match(
      /^InputError: args\.chainedStatementSid/,
    );
  });
});

describe("BucketAccessGrant: an existing bucket named by an Output, its policy by policyName", () => {
  it("names the policy by policyName and builds it from the name once known", async () => {
    const engine = await engineIn(ACCOUNT_B);
    const name = pulumi.output("bucket-76dc309");
    const grant = new BucketAccessGrant(
      "g",
      irsa({ buckets: [{ name, policyName: "s3-access", prefixes: ["reports/"] }] }),
    );
    expect(await valueOf(grant.bucketNames)).to.deep.equal(["bucket-76dc309"]);
    await settled();
    const policy = engine.one("aws:iam/rolePolicy:RolePolicy", "g-s3-access");
    expect(policy.inputs.name).to.equal("s3-access");
    expect(policy.inputs.policy).to.include("arn:aws:s3:::bucket-76dc309/reports/*");
    expect((await valueOf(grant.handoff)).buckets[0].name).to.equal("bucket-76dc309");
  });

  it("checks the name once known, naming the field, and registers no role", async () => {
    const later = new MockEngine({ config: { "aws:allowedAccountIds": `["${ACCOUNT_B}"]` } });
    const error = await runOnEngine(later, () =>
      Promise.resolve({
        out: new BucketAccessGrant(
          "g",
          irsa({ buckets: [{ name: pulumi.output("Not_A_Bucket"), policyName: "s3-access" }] }),
        ).roleArn,
      }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).to.match(/args\.buckets\[0\]\.name: "Not_A_Bucket" is invalid/);
    expect(later.resources.map((r) => r.type)).to.not.include("aws:iam/role:Role");
  });

  it("refuses an Output name without policyName, on a created bucket, and a policy name twice", async () => {
    expect(await refusal(irsa({ buckets: [{ name: pulumi.output("b-one") }] }))).to.match(
      /^InputError: args\.buckets\[0\]\.policyName: undefined is invalid: is required when args\.buckets\[0\]\.name is an Output/,
    );
    expect(
      await refusal(irsa({ buckets: [{ name: pulumi.output("b-one"), create: true, policyName: "p" }] })),
    ).to.match(
      /^InputError: args\.buckets\[0\]\.name: "\[an Output\]" is invalid: must be a plain string for a bucket the grant creates/,
    );
    expectInputError(
      () => checkGrantBuckets("b", [{ name: "b-one", policyName: "s3-b-two" }, { name: "b-two" }]),
      "b[1].policyName",
      "s3-b-two",
      /is b\[0\]'s inline policy name too/,
    );
    expectInputError(
      () => checkGrantBuckets("b", [{ name: "b-one", policyName: "bad name" }]),
      "b[0].policyName",
      "bad name",
      /must be an IAM policy name/,
    );
  });
});
