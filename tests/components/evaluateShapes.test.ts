/**
 * Every valid shape of an IAM document, generated (fast-check): `Statement` as one object or a list,
 * Action/Resource/Principal as a string, `"*"` or a list, NotAction/NotResource/NotPrincipal,
 * condition values as one value or a list, on keys AWS sets and keys it may set. Two properties:
 *
 * - the chain's helpers (evaluation, explanation, the trust's facts) never throw on any of them;
 * - differential against @cloud-copilot/iam-simulate: over the live request contexts the doctor
 *   builds (an IRSA role session, a Pod Identity one with its session tags), whenever the project's
 *   evaluator says Allow for an identity policy or a bucket policy, the simulator allows too. (The
 *   simulator reads a missing key as absent; ours reads a key it does not know as undecided, so it
 *   may say less, never more.)
 */
import { expect } from "chai";
import fc from "fast-check";
import { runSimulation, type RunSimulationResults } from "@cloud-copilot/iam-simulate";
import { type PolicyDocument } from "../../components/policyDocument";
import { roleSessionKeys, type RequestContext } from "../../components/requestContext";
import { statementsOf, tryAccess, tryResourcePolicy, type Outcome } from "../../chain/evaluation";
import { explainIdentityPolicies } from "../../chain/explain";
import { federatedPrincipals } from "../../mechanisms/irsa/facts";
import { SIMULATOR_DECISION } from "../support/simulator";

const ACCOUNT = "210987654321";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/irsa-reader`;
const ROLE_ID = "AROAEXAMPLEROLEID";
const SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/irsa-reader/botocore-session-1700000000`;
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC`;
const OBJECT = "arn:aws:s3:::team-data/reports/q3.csv";

/** The live request contexts the doctor builds, and the full values AWS would have (for the simulator). */
const CONTEXTS: Array<{ name: string; ours: RequestContext; aws: Record<string, string> }> = [
  {
    name: "IRSA role session",
    ours: roleSessionKeys({ roleArn: ROLE, roleId: ROLE_ID, federatedProvider: PROVIDER }),
    aws: { "aws:userid": `${ROLE_ID}:botocore-session-1700000000` },
  },
  {
    name: "Pod Identity role session",
    ours: roleSessionKeys({
      roleArn: ROLE,
      roleId: ROLE_ID,
      sessionTags: { "kubernetes-namespace": "apps", "kubernetes-service-account": "reader" },
    }),
    aws: { "aws:userid": `${ROLE_ID}:eks-demo-reader-0` },
  },
];

const KEY_VALUES: Record<string, string[]> = {
  "aws:PrincipalType": ["AssumedRole", "User"],
  "aws:userid": [`${ROLE_ID}:*`, "AIDAOTHER:*", `${ROLE_ID}:botocore-session-1700000000`, "*"],
  "aws:PrincipalArn": [ROLE, `arn:aws:iam::${ACCOUNT}:role/*`, "arn:aws:iam::111122223333:role/x"],
  "aws:PrincipalAccount": [ACCOUNT, "111122223333"],
  "aws:FederatedProvider": [PROVIDER, "arn:aws:iam::111122223333:oidc-provider/x"],
  "aws:PrincipalTag/kubernetes-namespace": ["apps", "other"],
  "aws:RequestTag/team": ["a"],
  "aws:SourceVpc": ["vpc-1"],
  "aws:SourceArn": ["arn:aws:eks:us-east-1:111122223333:cluster/demo"],
  "aws:RequestedRegion": ["us-east-1"],
  "aws:SecureTransport": ["true", "false"],
  "aws:ViaAWSService": ["true", "false"],
  "s3:prefix": ["reports/"],
};
const BOOL_KEYS = ["aws:SecureTransport", "aws:ViaAWSService"];

/**
 * What AWS knows and the doctor does not: the rest of the real request's context (the session name
 * in aws:userid, the region, the transport, the VPC, the role's own tags), generated, so that a key the evaluator
 * reads as absent where AWS has it shows up as a disagreement.
 */
const truth = fc.record(
  {
    "aws:RequestedRegion": fc.constantFrom("us-east-1", "eu-west-1"),
    "aws:SecureTransport": fc.constantFrom("true", "false"),
    "aws:SourceVpc": fc.constantFrom("vpc-1", "vpc-2"),
    "aws:PrincipalTag/kubernetes-namespace": fc.constantFrom("apps", "other"),
  },
  { requiredKeys: [] },
);

const listOrOne = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 }));

const condition = fc
  .constantFrom(...Object.keys(KEY_VALUES))
  .chain((key) => {
    const operators = BOOL_KEYS.includes(key)
      ? ["Bool", "BoolIfExists"]
      : key === "aws:PrincipalArn" || key === "aws:FederatedProvider"
        ? ["ArnEquals", "ArnLike", "ArnNotLike", "StringEquals", "StringNotEquals"]
        : [
            "StringEquals",
            "StringNotEquals",
            "StringLike",
            "StringNotLike",
            "StringEqualsIfExists",
            "StringNotLikeIfExists",
          ];
    return fc.record({
      operator: fc.constantFrom(...operators),
      key: fc.constant(key),
      value: listOrOne(fc.constantFrom(...KEY_VALUES[key])),
    });
  })
  .map(({ operator, key, value }) => ({ [operator]: { [key]: value } }));

const actions = listOrOne(
  fc.constantFrom("*", "s3:GetObject", "s3:Get*", "s3:*", "s3:PutObject", "sts:AssumeRole"),
);
const resources = listOrOne(
  fc.constantFrom(
    "*",
    "arn:aws:s3:::team-data/*",
    "arn:aws:s3:::team-data/reports/*",
    "arn:aws:s3:::other/*",
  ),
);
const principals = fc.oneof(
  fc.constant("*"),
  fc.record({
    AWS: listOrOne(
      fc.constantFrom("*", ROLE, `arn:aws:iam::${ACCOUNT}:root`, ACCOUNT, "arn:aws:iam::111122223333:root"),
    ),
  }),
);

/** One statement, with `withPrincipal` for a bucket policy. */
const statement = (withPrincipal: boolean) =>
  fc
    .record(
      {
        Sid: fc.constantFrom("A", "B", "C"),
        Effect: fc.constantFrom("Allow", "Deny"),
        action: actions,
        notAction: fc.boolean(),
        resource: resources,
        notResource: fc.boolean(),
        principal: principals,
        notPrincipal: fc.boolean(),
        conditions: fc.array(condition, { maxLength: 2 }),
      },
      { requiredKeys: ["Effect", "action", "resource", "principal", "conditions"] },
    )
    .map((s) => {
      const out: Record<string, unknown> = { Effect: s.Effect };
      if (s.Sid !== undefined) out.Sid = s.Sid;
      out[s.notAction ? "NotAction" : "Action"] = s.action;
      out[s.notResource ? "NotResource" : "Resource"] = s.resource;
      if (withPrincipal)
        out[s.notPrincipal && s.Effect === "Deny" ? "NotPrincipal" : "Principal"] = s.principal;
      if (s.conditions.length > 0) out.Condition = Object.assign({}, ...s.conditions) as unknown;
      return out;
    });

const document = (withPrincipal: boolean) =>
  fc
    .oneof(statement(withPrincipal), fc.array(statement(withPrincipal), { minLength: 1, maxLength: 3 }))
    .map((Statement) => ({ Version: "2012-10-17", Statement }) as unknown as PolicyDocument);

function verdict(result: RunSimulationResults): string {
  if (result.resultType === "error") return `error ${JSON.stringify(result.errors)}`;
  return SIMULATOR_DECISION[result.overallResult] ?? result.overallResult;
}

async function simulate(
  policy: PolicyDocument,
  kind: "identity" | "resource",
  context: Record<string, string>,
): Promise<string> {
  return verdict(
    await runSimulation(
      {
        request: {
          principal: SESSION_ARN,
          action: "s3:GetObject",
          resource: { resource: OBJECT, accountId: ACCOUNT },
          contextVariables: context,
        },
        identityPolicies:
          kind === "identity"
            ? [{ name: "p", policy }]
            : [
                {
                  name: "all",
                  policy: {
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
                  },
                },
              ],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(kind === "resource" ? { resourcePolicy: policy } : {}),
      },
      {},
    ),
  );
}

describe("every valid IAM document shape (property tests)", function () {
  this.timeout(120000);

  it("the chain's helpers never throw, whatever the document's shape", () => {
    fc.assert(
      fc.property(fc.oneof(document(false), document(true), fc.jsonValue()), (doc) => {
        const d = doc as PolicyDocument;
        statementsOf(d);
        federatedPrincipals(d);
        for (const { ours } of CONTEXTS) {
          tryAccess([d], "s3:GetObject", OBJECT, ours.context, ours);
          tryResourcePolicy(d, ROLE, "s3:GetObject", OBJECT, ours.context, true, ours);
        }
        explainIdentityPolicies([["p", d]], "s3:GetObject", OBJECT);
      }),
      { numRuns: 300 },
    );
  });

  for (const kind of ["identity", "resource"] as const) {
    it(`differential with iam-simulate (${kind} policy): never Allow where the simulator denies`, async () => {
      let allowed = 0;
      let undecided = 0;
      await fc.assert(
        fc.asyncProperty(
          document(kind === "resource"),
          fc.constantFrom(...CONTEXTS),
          truth,
          async (doc, c, rest) => {
            const ours: Outcome =
              kind === "identity"
                ? tryAccess([doc], "s3:GetObject", OBJECT, c.ours.context, c.ours)
                : tryResourcePolicy(doc, ROLE, "s3:GetObject", OBJECT, c.ours.context, true, c.ours);
            if (ours.unsupported !== undefined) undecided += 1;
            if (ours.decision !== "Allow" || ours.unsupported !== undefined) return;
            allowed += 1;
            // AWS's request: what the doctor supplies wins (it is what AWS sets), the rest as generated.
            const theirs = await simulate(doc, kind, { ...rest, ...c.aws, ...c.ours.context });
            expect(theirs, `${c.name}: ${JSON.stringify(doc)}: ours ${ours.reason}`).to.equal("Allow");
          },
        ),
        { numRuns: 400 },
      );
      // The generator must reach both answers, or the property says nothing.
      expect(allowed, "cases the evaluator allowed").to.be.greaterThan(2);
      expect(undecided, "cases left undecided").to.be.greaterThan(50);
    });
  }
});
