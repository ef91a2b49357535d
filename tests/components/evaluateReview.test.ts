/**
 * Adversarial review of the evaluator (fail closed): Principal matching (a Deny whose Principal may
 * name the caller must never be skipped), upper-case action prefixes, negated ARN operators on values
 * that are not ARNs. Each case is cross-checked with @cloud-copilot/iam-simulate
 * (runUnsafeSimulation: the resource policy as a validated-policy envelope, as in
 * podIdentitySimulate.test.ts): where the simulator denies, ours denies or is undecided, never Allow.
 */
import { expect } from "chai";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import {
  UndecidedError,
  evaluateAccess,
  evaluateResourcePolicy,
  evaluateServiceTrust,
  evaluateTrust,
  type Decision,
} from "../../components/evaluate";
import { type PolicyDocument } from "../../components/policyDocument";
import { tryRoleTrust } from "../../chain/evaluation";
import { SIMULATOR_DECISION } from "../support/simulator";

const ACCOUNT_B = "210987654321";
const ACCOUNT_A = "111111111111";
const TARGET = `arn:aws:iam::${ACCOUNT_B}:role/target`;
const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/source`;
const SOURCE_SESSION = `arn:aws:sts::${ACCOUNT_A}:assumed-role/source/eks-cluster-pod-1234`;
const PROVIDER = `arn:aws:iam::${ACCOUNT_B}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC`;
const HOST = "oidc.eks.us-east-1.amazonaws.com/id/ABC";
const SUB = "system:serviceaccount:apps:reader";
const AUD = "sts.amazonaws.com";

const doc = (...Statement: unknown[]): PolicyDocument =>
  ({ Version: "2012-10-17", Statement }) as unknown as PolicyDocument;

/** The simulator's decision for a principal's request against a role's trust policy. */
function simulate(
  trust: PolicyDocument,
  principal: string,
  action: string,
  context: Record<string, string> = {},
  identity?: PolicyDocument,
): Decision {
  return SIMULATOR_DECISION[
    runUnsafeSimulation(
      {
        request: {
          principal,
          action,
          resource: { resource: TARGET, accountId: ACCOUNT_B },
          contextVariables: context,
        },
        identityPolicies: identity ? [{ name: "identity", policy: identity }] : [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: { __validated: true, policyDocument: trust, metadata: { name: "trust" }, errors: [] },
      },
      {},
    )
  ];
}

/** Ours: the decision, or "Undecided" when the evaluator cannot tell. */
function ours(run: () => { decision: Decision }): Decision | "Undecided" {
  try {
    return run().decision;
  } catch (e) {
    if (e instanceof UndecidedError) return "Undecided";
    throw e;
  }
}

describe('a Deny with Principal {"AWS": "*"} applies to every caller (was: skipped for web identities and services)', () => {
  const webIdentity = {
    Effect: "Allow",
    Principal: { Federated: PROVIDER },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: { StringEquals: { [`${HOST}:sub`]: SUB, [`${HOST}:aud`]: AUD } },
  };
  for (const principal of [{ AWS: "*" }, { AWS: [`arn:aws:iam::${ACCOUNT_A}:root`, "*"] }]) {
    it(`IRSA trust, Deny ${JSON.stringify(principal)}: ExplicitDeny, as iam-simulate`, () => {
      const trust = doc(webIdentity, {
        Effect: "Deny",
        Principal: principal,
        Action: "sts:AssumeRoleWithWebIdentity",
      });
      const theirs = simulate(trust, PROVIDER, "sts:AssumeRoleWithWebIdentity", {
        [`${HOST}:sub`]: SUB,
        [`${HOST}:aud`]: AUD,
      });
      expect(theirs).to.equal("ExplicitDeny");
      const mine = evaluateTrust(trust, { oidcProviderArn: PROVIDER, sub: SUB, aud: AUD, absent: ["*"] });
      expect(mine.decision).to.equal("ExplicitDeny");
    });
  }

  it('Pod Identity source trust, Deny {"AWS": "*"} on sts:AssumeRole: ExplicitDeny, as iam-simulate', () => {
    const trust = doc(
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
      },
      { Effect: "Deny", Principal: { AWS: "*" }, Action: "sts:AssumeRole" },
    );
    expect(simulate(trust, "pods.eks.amazonaws.com", "sts:AssumeRole")).to.equal("ExplicitDeny");
    const mine = evaluateServiceTrust(trust, {
      service: "pods.eks.amazonaws.com",
      action: "sts:AssumeRole",
      absent: ["*"],
    });
    expect(mine.decision).to.equal("ExplicitDeny");
  });

  it('an Allow with {"AWS": "*"} still grants only AWS principals (no new Allow for a web identity)', () => {
    const trust = doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRoleWithWebIdentity" });
    const mine = evaluateTrust(trust, { oidcProviderArn: PROVIDER, sub: SUB, aud: AUD, absent: ["*"] });
    expect(mine.decision).to.equal("ImplicitDeny");
  });
});

describe("a Deny naming a session of the caller's role, or the caller in another case, is undecided (was: skipped)", () => {
  const allow = { Effect: "Allow", Principal: { AWS: SOURCE }, Action: ["sts:AssumeRole", "sts:TagSession"] };
  const chained = doc({ Effect: "Allow", Action: "sts:AssumeRole", Resource: TARGET });
  const cases: Array<[string, string]> = [
    ["the assumed-role session ARN of the caller's role", SOURCE_SESSION],
    ["another session name of the caller's role", `arn:aws:sts::${ACCOUNT_A}:assumed-role/source/other`],
    ["the caller's role ARN in upper case", SOURCE.toUpperCase().replace("ARN:AWS:IAM", "arn:aws:iam")],
  ];
  for (const [name, element] of cases) {
    it(`${name}: never Allow`, () => {
      const trust = doc(allow, { Effect: "Deny", Principal: { AWS: element }, Action: "sts:AssumeRole" });
      const mine = ours(() =>
        evaluateResourcePolicy(
          trust,
          { principalArn: SOURCE, action: "sts:AssumeRole", absent: ["*"] },
          "trust",
        ),
      );
      expect(mine).to.equal("Undecided");
      // Through the chain's helper: a warn naming the principal element, never a pass.
      const outcome = tryRoleTrust(trust, SOURCE, "sts:AssumeRole", {}, { absent: ["*"] });
      expect(outcome.decision).to.not.equal("Allow");
      expect(outcome.unsupported).to.contain(`Principal ${element}`);
    });
  }

  it("iam-simulate denies the session the first case names", () => {
    const trust = doc(allow, {
      Effect: "Deny",
      Principal: { AWS: SOURCE_SESSION },
      Action: "sts:AssumeRole",
    });
    expect(simulate(trust, SOURCE_SESSION, "sts:AssumeRole", {}, chained)).to.equal("ExplicitDeny");
  });

  it("a session of another role, or another account's role of the same name, is not the caller", () => {
    for (const element of [
      `arn:aws:sts::${ACCOUNT_A}:assumed-role/other/x`,
      `arn:aws:sts::${ACCOUNT_B}:assumed-role/source/x`,
    ]) {
      const trust = doc(allow, { Effect: "Deny", Principal: { AWS: element }, Action: "sts:AssumeRole" });
      const mine = evaluateResourcePolicy(
        trust,
        { principalArn: SOURCE, action: "sts:AssumeRole", absent: ["*"] },
        "trust",
      );
      expect(mine.decision, element).to.equal("Allow");
    }
  });

  it("an Allow naming only a session of the role is undecided, not an Allow", () => {
    const trust = doc({ ...allow, Principal: { AWS: SOURCE_SESSION } });
    expect(
      ours(() =>
        evaluateResourcePolicy(
          trust,
          { principalArn: SOURCE, action: "sts:AssumeRole", absent: ["*"] },
          "trust",
        ),
      ),
    ).to.equal("Undecided");
  });
});

describe("an Action's service prefix in upper case is read (IAM: prefix and name are case-insensitive)", () => {
  const OBJECT = `arn:aws:s3:::team-data/x`;
  it('"S3:getobject" allows s3:GetObject, and a Deny "S3:GETOBJECT" denies it (was: refused, undecided)', () => {
    const allow = { Effect: "Allow", Action: "S3:getobject", Resource: "*" };
    const request = { action: "s3:GetObject", resource: OBJECT, absent: ["*"] };
    expect(evaluateAccess(doc(allow), request).decision).to.equal("Allow");
    expect(
      evaluateAccess(doc(allow, { ...allow, Effect: "Deny", Action: ["S3:GETOBJECT"] }), request).decision,
    ).to.equal("ExplicitDeny");
  });
});

describe("an ARN operator on a value that is not an ARN is undecided (negated: was matched, Allow)", () => {
  const OBJECT = `arn:aws:s3:::team-data/x`;
  const PRINCIPAL = `arn:aws:sts::${ACCOUNT_B}:assumed-role/reader/session`;
  const cases: Array<[string, string, string]> = [
    ["ArnNotEquals", "arn:aws:iam::111111111111:role/x", "not-an-arn"],
    ["ArnNotLike", "team-*", "arn:aws:iam::111111111111:role/x"],
    ["ArnNotLikeIfExists", "abc", "abc"],
  ];
  for (const [operator, value, actual] of cases) {
    it(`Allow ${operator} ${JSON.stringify(value)} with the key ${JSON.stringify(actual)}: iam-simulate denies, ours undecided`, () => {
      const d = doc({
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "*",
        Condition: { [operator]: { "aws:PrincipalTag/k": value } },
      });
      const context = { "aws:PrincipalTag/k": actual };
      const theirs = runUnsafeSimulation(
        {
          request: {
            principal: PRINCIPAL,
            action: "s3:GetObject",
            resource: { resource: OBJECT, accountId: ACCOUNT_B },
            contextVariables: context,
          },
          identityPolicies: [{ name: "identity", policy: d }],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        {},
      );
      expect(theirs).to.equal("ImplicitlyDenied");
      expect(
        ours(() => evaluateAccess(d, { action: "s3:GetObject", resource: OBJECT, context, absent: ["*"] })),
      ).to.equal("Undecided");
    });
  }

  it("a Deny with ArnLike or ArnEquals on a pattern that is not an ARN is undecided too (was: lapsed, Allow)", () => {
    const allowAll = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
    for (const operator of ["ArnLike", "ArnEquals"]) {
      const d = doc(allowAll, {
        Effect: "Deny",
        Action: "s3:GetObject",
        Resource: "*",
        // Fewer than six parts: not an ARN, so not compared part by part.
        Condition: { [operator]: { "aws:PrincipalArn": "arn:aws:iam::*" } },
      });
      const context = { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT_B}:role/reader` };
      expect(
        ours(() => evaluateAccess(d, { action: "s3:GetObject", resource: OBJECT, context, absent: ["*"] })),
        operator,
      ).to.equal("Undecided");
    }
  });

  it("both sides ARNs: decided as before", () => {
    const d = doc({
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "*",
      Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/admin-*" } },
    });
    const context = { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT_B}:role/reader` };
    expect(evaluateAccess(d, { action: "s3:GetObject", resource: OBJECT, context }).decision).to.equal(
      "Allow",
    );
  });
});
