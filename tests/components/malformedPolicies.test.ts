/**
 * Issue 9, item 4: the evaluators fail closed. Generated policies are broken in the ways a careless
 * edit or an attacker would break them, then evaluated by this package and by the independent
 * simulator (@cloud-copilot/iam-simulate, a devDependency). A document IAM would refuse must be an
 * error here, never a decision; a document IAM accepts but this package does not model must be an
 * error too, or a decision that never allows what the simulator denies.
 */
import { expect } from "chai";
import fc from "fast-check";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { InputError } from "../../components/errors";
import { evaluateAccess, evaluateTrust, type Decision } from "../../components/evaluate";
import { type PolicyDocument } from "../../components/policyDocument";
import { buildS3AccessPolicy, type S3AccessLevel } from "../../components/s3AccessPolicy";
import { buildTrustPolicy } from "../../components/trustPolicy";
import { ACCOUNT_B, HOST_A, PROVIDER_A } from "./coreHelpers";

const BUCKET = "team-data";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const PRINCIPAL = `arn:aws:sts::${ACCOUNT_B}:assumed-role/irsa-s3-reader/session`;

type Json = Record<string, unknown>;
type Mutation = { name: string; malformed: boolean; apply: (doc: Json, statement: Json) => void };

/** Ways to break a statement or a document: `malformed` ones IAM refuses outright. */
const MUTATIONS: Mutation[] = [
  ...["Deny ", "allow", "ALLOW", " Allow", 1, null].map((effect) => ({
    name: `Effect ${JSON.stringify(effect)}`,
    malformed: true,
    apply: (_: Json, s: Json) => (s.Effect = effect),
  })),
  { name: "no Effect", malformed: true, apply: (_, s) => delete s.Effect },
  { name: "no Resource", malformed: true, apply: (_, s) => delete s.Resource },
  ...["", 5, [], null, ["arn:aws:s3:::x", 3], "team-data/*", "arn:aws:s3"].map((resource) => ({
    name: `Resource ${JSON.stringify(resource)}`,
    malformed: true,
    apply: (_: Json, s: Json) => (s.Resource = resource),
  })),
  { name: "no Action", malformed: true, apply: (_, s) => delete s.Action },
  ...[[], 7, "", "s3", "s3:Get Object", "s3:Get/Object"].map((action) => ({
    name: `Action ${JSON.stringify(action)}`,
    malformed: true,
    apply: (_: Json, s: Json) => (s.Action = action),
  })),
  ...[
    { StringEqualz: { "s3:prefix": "a" } },
    "x",
    { StringLike: { "s3:prefix": { a: 1 } } },
    { StringLike: 3 },
  ].map((condition) => ({
    name: `Condition ${JSON.stringify(condition)}`,
    malformed: true,
    apply: (_: Json, s: Json) => (s.Condition = condition),
  })),
  { name: "an unknown statement key", malformed: true, apply: (_, s) => (s.Foo = 1) },
  {
    name: "a lower-case effect key",
    malformed: true,
    apply: (_, s) => ((s.effect = s.Effect), delete s.Effect),
  },
  { name: "a Principal in an identity policy", malformed: true, apply: (_, s) => (s.Principal = "*") },
  { name: "Sid a number", malformed: true, apply: (_, s) => (s.Sid = 5) },
  { name: "no Version", malformed: false, apply: (d) => delete d.Version },
  { name: "Version 2008-10-17", malformed: false, apply: (d) => (d.Version = "2008-10-17") },
  { name: "Version 2020", malformed: true, apply: (d) => (d.Version = "2020-01-01") },
  { name: "an unknown document key", malformed: true, apply: (d) => (d.Extra = true) },
  { name: "Statement []", malformed: true, apply: (d) => (d.Statement = []) },
  { name: "Statement a string", malformed: true, apply: (d) => (d.Statement = "x") },
  // Valid IAM that this package does not generate: it must not over-grant if it answers at all.
  { name: "Statement a single object", malformed: false, apply: (d, s) => (d.Statement = s) },
  {
    name: "NotResource instead of Resource",
    malformed: false,
    apply: (_, s) => ((s.NotResource = `${BUCKET_ARN}/secret/*`), delete s.Resource),
  },
  {
    name: "NotAction instead of Action",
    malformed: false,
    apply: (_, s) => ((s.NotAction = "s3:DeleteBucket"), delete s.Action),
  },
];

const KEYS = ["reports/q1.csv", "secret/x", "other/y"];
const REQUESTS = [
  ...KEYS.flatMap((k) =>
    ["s3:GetObject", "s3:PutObject"].map((action) => ({ action, resource: `${BUCKET_ARN}/${k}` })),
  ),
  { action: "s3:ListBucket", resource: BUCKET_ARN },
  { action: "s3:DeleteBucket", resource: BUCKET_ARN },
  { action: "s3:GetObject", resource: "arn:aws:s3:::other-bucket/x" },
];

type Outcome = Decision | "Error";

function ours(evaluate: () => { decision: Decision }): Outcome {
  try {
    return evaluate().decision;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(InputError);
    return "Error";
  }
}

/** The simulator's decision, or "Error" when it refuses the document. */
async function theirs(policy: unknown, action: string, resource: string): Promise<Outcome> {
  const simulation: Simulation = {
    request: {
      principal: PRINCIPAL,
      action,
      resource: { resource, accountId: ACCOUNT_B },
      contextVariables: {},
    },
    identityPolicies: [{ name: "irsa-s3-access", policy: policy as PolicyDocument }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === "error") return "Error";
  return result.overallResult === "Allowed"
    ? "Allow"
    : result.overallResult === "ExplicitlyDenied"
      ? "ExplicitDeny"
      : "ImplicitDeny";
}

describe("malformed and unmodelled policy documents (fail closed)", function () {
  this.timeout(20000);

  it("evaluateAccess: an error for every document IAM refuses, and never an Allow the simulator denies (property)", async () => {
    const refusedByIam: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<S3AccessLevel>("read", "read-write", "list"),
        fc.subarray(["reports/", "logs/"]),
        fc.constantFrom(...MUTATIONS),
        fc.nat(),
        async (access, prefixes, mutation, pick) => {
          const doc = JSON.parse(
            JSON.stringify(buildS3AccessPolicy({ bucketName: BUCKET, access, prefixes })),
          ) as Json;
          const statements = doc.Statement as Json[];
          mutation.apply(doc, statements[pick % statements.length]);
          for (const { action, resource } of REQUESTS) {
            const mine = ours(() => evaluateAccess(doc as unknown as PolicyDocument, { action, resource }));
            if (mutation.malformed) {
              expect(mine, `${mutation.name}: ${action} ${resource}`).to.equal("Error");
              // The simulator is asked only until it has refused a few (it is the slow part).
              if (refusedByIam.length < 20 && (await theirs(doc, action, resource)) === "Error") {
                refusedByIam.push(mutation.name);
              }
            } else if (mine === "Allow") {
              expect(await theirs(doc, action, resource), `${mutation.name}: ${action} ${resource}`).to.equal(
                "Allow",
              );
            }
          }
        },
      ),
      { numRuns: 250 },
    );
    // Not vacuous: the simulator refuses some of the malformed documents too.
    expect(refusedByIam.length).to.be.greaterThan(0);
  });

  it("evaluateTrust: every broken trust policy is an error, never an Allow", () => {
    const trust = buildTrustPolicy([
      {
        oidcProviderArn: PROVIDER_A,
        issuerUrl: HOST_A,
        serviceAccounts: [{ namespace: "apps", name: "reader" }],
      },
    ]);
    const request = {
      oidcProviderArn: PROVIDER_A,
      sub: "system:serviceaccount:apps:reader",
      aud: "sts.amazonaws.com",
    };
    expect(evaluateTrust(trust, request).decision).to.equal("Allow");
    const trustMutations: Mutation[] = [
      ...MUTATIONS.filter((m) => m.malformed && !/Resource|Principal/.test(m.name)),
      { name: "a Resource in a trust policy", malformed: true, apply: (_, s) => (s.Resource = "*") },
      { name: "no Principal", malformed: true, apply: (_, s) => delete s.Principal },
      {
        name: "Principal Federated a number",
        malformed: true,
        apply: (_, s) => (s.Principal = { Federated: 3 }),
      },
      {
        name: "Principal with an unknown kind",
        malformed: true,
        apply: (_, s) => (s.Principal = { Federatd: PROVIDER_A }),
      },
    ];
    for (const mutation of trustMutations) {
      const doc = JSON.parse(JSON.stringify(trust)) as Json;
      mutation.apply(doc, (doc.Statement as Json[])[0]);
      expect(
        ours(() => evaluateTrust(doc as unknown as PolicyDocument, request)),
        mutation.name,
      ).to.equal("Error");
    }
  });
});
