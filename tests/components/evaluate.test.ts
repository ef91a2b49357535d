import { expect } from "chai";
import { InputError } from "../../components/errors";
import { evaluateAccess, evaluateTrust, type EvaluationResult } from "../../components/evaluate";
import { type PolicyDocument, type PolicyStatement } from "../../components/policyDocument";
import { buildS3AccessPolicy } from "../../components/s3AccessPolicy";
import { buildTrustPolicy } from "../../components/trustPolicy";
import { expectInputError, HOST_A, HOST_B, ISSUER_A, PROVIDER_A, PROVIDER_B } from "./coreHelpers";

const BUCKET_ARN = "arn:aws:s3:::team-data";
const SUB = "system:serviceaccount:apps:reader";
const AUD = "sts.amazonaws.com";

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });

describe("evaluateTrust", () => {
  const trust = buildTrustPolicy([
    {
      oidcProviderArn: PROVIDER_A,
      issuerUrl: ISSUER_A,
      serviceAccounts: [{ namespace: "apps", name: "reader" }],
    },
  ]);

  it("allows the trusted service account with the STS audience, naming the statement", () => {
    expect(evaluateTrust(trust, { oidcProviderArn: PROVIDER_A, sub: SUB, aud: AUD })).to.deep.equal({
      decision: "Allow",
      statements: [0],
      reason: "sts:AssumeRoleWithWebIdentity is allowed by statement #0",
    });
  });

  it("implicitly denies another subject, another audience, another provider", () => {
    const denied: EvaluationResult = {
      decision: "ImplicitDeny",
      statements: [],
      reason: "no statement allows sts:AssumeRoleWithWebIdentity",
    };
    expect(evaluateTrust(trust, { oidcProviderArn: PROVIDER_A, sub: `${SUB}x`, aud: AUD })).to.deep.equal(
      denied,
    );
    expect(evaluateTrust(trust, { oidcProviderArn: PROVIDER_A, sub: SUB, aud: "other" })).to.deep.equal(
      denied,
    );
    expect(evaluateTrust(trust, { oidcProviderArn: PROVIDER_B, sub: SUB, aud: AUD })).to.deep.equal(denied);
    expect(
      evaluateTrust(trust, {
        oidcProviderArn: PROVIDER_A.replace("222233334444", "111122223333"),
        sub: SUB,
        aud: AUD,
      }).decision,
    ).to.equal("ImplicitDeny");
  });

  it("matches sub exactly under StringEquals (case-sensitive, no globbing)", () => {
    expect(
      evaluateTrust(trust, { oidcProviderArn: PROVIDER_A, sub: SUB.toUpperCase(), aud: AUD }).decision,
    ).to.equal("ImplicitDeny");
    const literal = doc({
      Effect: "Allow",
      Principal: { Federated: PROVIDER_A },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { [`${HOST_A}:sub`]: "system:serviceaccount:apps:*" } },
    });
    expect(evaluateTrust(literal, { oidcProviderArn: PROVIDER_A, sub: SUB, aud: AUD }).decision).to.equal(
      "ImplicitDeny",
    );
    expect(
      evaluateTrust(literal, { oidcProviderArn: PROVIDER_A, sub: "system:serviceaccount:apps:*", aud: AUD })
        .decision,
    ).to.equal("Allow");
  });

  it("globs under StringLike", () => {
    // Written by hand: buildTrustPolicy no longer takes a wildcard in a namespace.
    const like = doc({
      Effect: "Allow",
      Principal: { Federated: PROVIDER_A },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { [`${HOST_A}:aud`]: AUD },
        StringLike: { [`${HOST_A}:sub`]: "system:serviceaccount:team-*:r?" },
      },
    });
    const decide = (sub: string) =>
      evaluateTrust(like, { oidcProviderArn: PROVIDER_A, sub, aud: AUD }).decision;
    expect(decide("system:serviceaccount:team-a:r1")).to.equal("Allow");
    expect(decide("system:serviceaccount:team-:r1")).to.equal("Allow");
    expect(decide("system:serviceaccount:team-a:r")).to.equal("ImplicitDeny");
    expect(decide("system:serviceaccount:team-a:r12")).to.equal("ImplicitDeny");
    expect(decide("system:serviceaccount:teams:r1")).to.equal("ImplicitDeny");
    // aud is still exact under StringLike.
    expect(
      evaluateTrust(like, {
        oidcProviderArn: PROVIDER_A,
        sub: "system:serviceaccount:team-a:r1",
        aud: "sts.*",
      }).decision,
    ).to.equal("ImplicitDeny");
  });

  it("evaluates each provider's statement with that provider's keys only", () => {
    const two = buildTrustPolicy([
      { oidcProviderArn: PROVIDER_A, issuerUrl: ISSUER_A, serviceAccounts: [{ namespace: "a", name: "r" }] },
      { oidcProviderArn: PROVIDER_B, issuerUrl: HOST_B, serviceAccounts: [{ namespace: "b", name: "r" }] },
    ]);
    const decide = (arn: string, sub: string) => evaluateTrust(two, { oidcProviderArn: arn, sub, aud: AUD });
    expect(decide(PROVIDER_A, "system:serviceaccount:a:r")).to.deep.include({
      decision: "Allow",
      statements: [0],
    });
    expect(decide(PROVIDER_B, "system:serviceaccount:b:r")).to.deep.include({
      decision: "Allow",
      statements: [1],
    });
    expect(decide(PROVIDER_A, "system:serviceaccount:b:r").decision).to.equal("ImplicitDeny");
    expect(decide(PROVIDER_B, "system:serviceaccount:a:r").decision).to.equal("ImplicitDeny");
  });

  it("an explicit Deny beats the Allow, and names the Deny", () => {
    const withDeny = doc(...trust.Statement, {
      Sid: "DenyApps",
      Effect: "Deny",
      Principal: { Federated: PROVIDER_A },
      Action: "sts:*",
      Condition: { StringLike: { [`${HOST_A}:sub`]: "system:serviceaccount:apps:*" } },
    });
    expect(evaluateTrust(withDeny, { oidcProviderArn: PROVIDER_A, sub: SUB, aud: AUD })).to.deep.equal({
      decision: "ExplicitDeny",
      statements: [1],
      reason: "sts:AssumeRoleWithWebIdentity is denied by statement DenyApps",
    });
  });

  it("matches Principal '*' and Federated '*', but not an AWS or Service principal; a statement without one is refused", () => {
    const base: PolicyStatement = { Effect: "Allow", Action: "sts:AssumeRoleWithWebIdentity" };
    const req = { oidcProviderArn: PROVIDER_A, sub: SUB, aud: AUD };
    expect(evaluateTrust(doc({ ...base, Principal: "*" }), req).decision).to.equal("Allow");
    expect(evaluateTrust(doc({ ...base, Principal: { Federated: "*" } }), req).decision).to.equal("Allow");
    expect(
      evaluateTrust(doc({ ...base, Principal: { Federated: [PROVIDER_B, PROVIDER_A] } }), req).decision,
    ).to.equal("Allow");
    expect(evaluateTrust(doc({ ...base, Principal: { AWS: "*" } }), req).decision).to.equal("ImplicitDeny");
    expect(
      evaluateTrust(doc({ ...base, Principal: { Service: "eks.amazonaws.com" } }), req).decision,
    ).to.equal("ImplicitDeny");
    // Fail closed: IAM rejects a trust statement without Principal, and so does the evaluator.
    expect(() => evaluateTrust(doc(base), req)).to.throw(
      InputError,
      "policy.Statement[0].Principal: undefined is invalid: is required in a trust policy statement",
    );
  });

  it("rejects a malformed provider ARN in the request", () => {
    expectInputError(
      () => evaluateTrust(trust, { oidcProviderArn: HOST_A, sub: SUB, aud: AUD }),
      "request.oidcProviderArn",
      HOST_A,
      "must be an IAM OIDC provider ARN",
    );
  });
});

describe("evaluateAccess", () => {
  const read = buildS3AccessPolicy({ bucketName: "team-data", prefixes: ["reports/"] });

  it("allows GetObject under the prefix, naming the statement by Sid", () => {
    expect(
      evaluateAccess(read, {
        absent: ["*"],
        action: "s3:GetObject",
        resource: `${BUCKET_ARN}/reports/q1.csv`,
      }),
    ).to.deep.equal({
      decision: "Allow",
      statements: [1],
      reason: `s3:GetObject on ${BUCKET_ARN}/reports/q1.csv is allowed by statement ReadObjects`,
    });
  });

  it("implicitly denies outside the grant", () => {
    expect(
      evaluateAccess(read, { absent: ["*"], action: "s3:GetObject", resource: `${BUCKET_ARN}/other/q1.csv` }),
    ).to.deep.equal({
      decision: "ImplicitDeny",
      statements: [],
      reason: `no statement allows s3:GetObject on ${BUCKET_ARN}/other/q1.csv`,
    });
    expect(
      evaluateAccess(read, {
        absent: ["*"],
        action: "s3:PutObject",
        resource: `${BUCKET_ARN}/reports/q1.csv`,
      }).decision,
    ).to.equal("ImplicitDeny");
    expect(
      evaluateAccess(read, { absent: ["*"], action: "s3:GetObject", resource: BUCKET_ARN }).decision,
    ).to.equal("ImplicitDeny");
  });

  it("ListBucket: allowed with a prefix inside, denied without one or with one outside", () => {
    const list = (context?: Record<string, string>) =>
      evaluateAccess(read, { absent: ["*"], action: "s3:ListBucket", resource: BUCKET_ARN, context })
        .decision;
    expect(list({ "s3:prefix": "reports/" })).to.equal("Allow");
    expect(list({ "s3:prefix": "reports/2024/" })).to.equal("Allow");
    expect(list({ "S3:Prefix": "reports/" })).to.equal("Allow"); // condition keys are case-insensitive
    expect(list({ "s3:prefix": "report" })).to.equal("ImplicitDeny");
    expect(list({ "s3:prefix": "" })).to.equal("ImplicitDeny");
    expect(list({ "s3:prefix": "Reports/" })).to.equal("ImplicitDeny"); // values are case-sensitive
    expect(list()).to.equal("ImplicitDeny");
    expect(list({ "s3:delimiter": "/" })).to.equal("ImplicitDeny");
  });

  it("matches actions case-insensitively and with globs", () => {
    for (const action of ["s3:getobject", "S3:GETOBJECT", "s3:GetObject"]) {
      expect(
        evaluateAccess(read, { absent: ["*"], action, resource: `${BUCKET_ARN}/reports/a` }).decision,
      ).to.equal("Allow");
    }
    const globbed = doc({ Effect: "Allow", Action: "s3:Get*", Resource: "*" });
    expect(
      evaluateAccess(globbed, { absent: ["*"], action: "s3:getObjectAcl", resource: "x" }).decision,
    ).to.equal("Allow");
    expect(
      evaluateAccess(globbed, { absent: ["*"], action: "s3:PutObject", resource: "x" }).decision,
    ).to.equal("ImplicitDeny");
    const question = doc({ Effect: "Allow", Action: "s3:?etObject", Resource: "*" });
    expect(
      evaluateAccess(question, { absent: ["*"], action: "s3:GETOBJECT", resource: "x" }).decision,
    ).to.equal("Allow");
  });

  it("matches resources case-sensitively", () => {
    expect(
      evaluateAccess(read, { absent: ["*"], action: "s3:GetObject", resource: `${BUCKET_ARN}/Reports/a` })
        .decision,
    ).to.equal("ImplicitDeny");
    expect(
      evaluateAccess(read, {
        absent: ["*"],
        action: "s3:GetObject",
        resource: `${BUCKET_ARN.toUpperCase()}/reports/a`,
      }).decision,
    ).to.equal("ImplicitDeny");
  });

  it("an explicit Deny beats an Allow (hand-written document)", () => {
    const d = doc(
      { Sid: "AllowAll", Effect: "Allow", Action: "s3:*", Resource: `${BUCKET_ARN}/*` },
      { Sid: "DenySecrets", Effect: "Deny", Action: "s3:GetObject", Resource: `${BUCKET_ARN}/secret/*` },
      { Effect: "Deny", Action: ["s3:DeleteObject", "s3:GetObject"], Resource: [`${BUCKET_ARN}/secret/x`] },
    );
    expect(
      evaluateAccess(d, { absent: ["*"], action: "s3:GetObject", resource: `${BUCKET_ARN}/secret/x` }),
    ).to.deep.equal({
      decision: "ExplicitDeny",
      statements: [1, 2],
      reason: `s3:GetObject on ${BUCKET_ARN}/secret/x is denied by statement DenySecrets, #2`,
    });
    expect(
      evaluateAccess(d, { absent: ["*"], action: "s3:GetObject", resource: `${BUCKET_ARN}/public/x` }),
    ).to.deep.include({
      decision: "Allow",
      statements: [0],
    });
    expect(
      evaluateAccess(d, { absent: ["*"], action: "s3:PutObject", resource: `${BUCKET_ARN}/secret/x` })
        .decision,
    ).to.equal("Allow");
  });

  it("refuses (never allows) an identity statement without Resource, or with a Principal", () => {
    // Both are documents IAM rejects; an evaluator that read the first as "any resource" failed open.
    expect(() =>
      evaluateAccess(doc({ Effect: "Allow", Action: "s3:GetObject" }), {
        absent: ["*"],
        action: "s3:GetObject",
        resource: "x",
      }),
    ).to.throw(
      InputError,
      "policy.Statement[0].Resource: undefined is invalid: is required in an identity policy",
    );
    expect(() =>
      evaluateAccess(doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }), {
        absent: ["*"],
        action: "s3:GetObject",
        resource: "x",
      }),
    ).to.throw(InputError, "policy.Statement[0].Principal");
  });

  describe("conditions", () => {
    const allowIf = (Condition: PolicyStatement["Condition"]) =>
      doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition });
    const decide = (d: PolicyDocument, context?: Record<string, string>) =>
      evaluateAccess(d, { absent: ["*"], action: "s3:GetObject", resource: "arn:aws:s3:::b/k", context })
        .decision;

    it("StringEquals / StringEqualsIgnoreCase / StringLike: a missing key fails", () => {
      const eq = allowIf({ StringEquals: { "aws:PrincipalTag/team": ["a", "b"] } });
      expect(decide(eq, { "aws:PrincipalTag/team": "b" })).to.equal("Allow");
      expect(decide(eq, { "aws:PrincipalTag/team": "B" })).to.equal("ImplicitDeny");
      expect(decide(eq)).to.equal("ImplicitDeny");
      const ic = allowIf({ StringEqualsIgnoreCase: { "aws:PrincipalTag/team": "a" } });
      expect(decide(ic, { "aws:PrincipalTag/team": "A" })).to.equal("Allow");
      expect(decide(ic)).to.equal("ImplicitDeny");
      const like = allowIf({ StringLike: { "aws:PrincipalTag/team": "t-*" } });
      expect(decide(like, { "aws:PrincipalTag/team": "t-1" })).to.equal("Allow");
      expect(decide(like, { "aws:PrincipalTag/team": "T-1" })).to.equal("ImplicitDeny");
      expect(decide(like)).to.equal("ImplicitDeny");
    });

    it("IfExists: a missing key passes, a present one is tested", () => {
      const d = allowIf({ StringEqualsIfExists: { "aws:PrincipalTag/team": "a" } });
      expect(decide(d)).to.equal("Allow");
      expect(decide(d, { "aws:PrincipalTag/team": "a" })).to.equal("Allow");
      expect(decide(d, { "aws:PrincipalTag/team": "b" })).to.equal("ImplicitDeny");
      const b = allowIf({ BoolIfExists: { "aws:SecureTransport": "true" } });
      expect(decide(b)).to.equal("Allow");
      expect(decide(b, { "aws:SecureTransport": "false" })).to.equal("ImplicitDeny");
    });

    it("negated operators: a missing key passes", () => {
      const ne = allowIf({ StringNotEquals: { "aws:PrincipalTag/team": ["a", "b"] } });
      expect(decide(ne)).to.equal("Allow");
      expect(decide(ne, { "aws:PrincipalTag/team": "c" })).to.equal("Allow");
      expect(decide(ne, { "aws:PrincipalTag/team": "b" })).to.equal("ImplicitDeny");
      const nl = allowIf({ StringNotLike: { "aws:PrincipalTag/team": "t-*" } });
      expect(decide(nl)).to.equal("Allow");
      expect(decide(nl, { "aws:PrincipalTag/team": "x" })).to.equal("Allow");
      expect(decide(nl, { "aws:PrincipalTag/team": "t-1" })).to.equal("ImplicitDeny");
    });

    it("the TLS-only Deny: denies when SecureTransport is false, not when true or missing", () => {
      const d = doc(
        { Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
        {
          Sid: "TlsOnly",
          Effect: "Deny",
          Action: "s3:*",
          Resource: "*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      );
      expect(decide(d, { "aws:SecureTransport": "false" })).to.equal("ExplicitDeny");
      expect(decide(d, { "aws:SecureTransport": "FALSE" })).to.equal("ExplicitDeny");
      expect(decide(d, { "aws:SecureTransport": "true" })).to.equal("Allow");
      expect(decide(d)).to.equal("Allow");
    });

    it("fails closed on Numeric and Bool values it cannot compare: a Deny never lapses", () => {
      const denyIf = (Condition: PolicyStatement["Condition"]) =>
        doc(
          { Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
          { Effect: "Deny", Action: "s3:GetObject", Resource: "*", Condition },
        );
      // These Denies would never apply if "ten" compared as NaN or "False " as a string: Allow.
      expect(() =>
        decide(denyIf({ NumericLessThan: { "s3:max-keys": "ten" } }), { "s3:max-keys": "5" }),
      ).to.throw(InputError, "NumericLessThan compares numbers");
      expect(() =>
        decide(denyIf({ Bool: { "aws:SecureTransport": "False " } }), { "aws:SecureTransport": "false" }),
      ).to.throw(InputError, "Bool compares true or false");
      expect(() =>
        decide(denyIf({ NumericGreaterThanIfExists: { "s3:max-keys": "10" } }), { "s3:max-keys": "many" }),
      ).to.throw(InputError, "must be a number for the condition operator NumericGreaterThanIfExists");
      // What they can compare still decides: numbers with a sign or a fraction, Bool in any case.
      expect(
        decide(denyIf({ NumericLessThan: { "s3:max-keys": "-1.5" } }), { "s3:max-keys": "-2" }),
      ).to.equal("ExplicitDeny");
      expect(
        decide(denyIf({ Bool: { "aws:SecureTransport": "FALSE" } }), { "aws:SecureTransport": "false" }),
      ).to.equal("ExplicitDeny");
    });

    it("Numeric operators compare numbers, and a missing key fails the positive ones", () => {
      const key = "s3:max-keys";
      const lt = allowIf({ NumericLessThan: { [key]: "100" } });
      expect(decide(lt, { [key]: "99" })).to.equal("Allow");
      expect(decide(lt, { [key]: "100" })).to.equal("ImplicitDeny");
      // A request value that is not a plain number is refused, never compared as NaN.
      expect(() => decide(lt, { [key]: "1e3" })).to.throw(InputError, "context.s3:max-keys");
      expect(decide(lt)).to.equal("ImplicitDeny");
      expect(decide(allowIf({ NumericLessThanEquals: { [key]: "100" } }), { [key]: "100" })).to.equal(
        "Allow",
      );
      expect(decide(allowIf({ NumericGreaterThan: { [key]: "10" } }), { [key]: "9" })).to.equal(
        "ImplicitDeny",
      );
      expect(decide(allowIf({ NumericGreaterThanEquals: { [key]: "10" } }), { [key]: "10" })).to.equal(
        "Allow",
      );
      expect(decide(allowIf({ NumericEquals: { [key]: ["1", "2"] } }), { [key]: "2.0" })).to.equal("Allow");
      expect(() => decide(allowIf({ NumericEquals: { [key]: "1" } }), { [key]: "x" })).to.throw(InputError);
      const ne = allowIf({ NumericNotEquals: { [key]: "1" } });
      expect(decide(ne)).to.equal("Allow");
      expect(decide(ne, { [key]: "1" })).to.equal("ImplicitDeny");
      expect(decide(allowIf({ NumericLessThanIfExists: { [key]: "5" } }))).to.equal("Allow");
    });

    it("all operators and all keys must hold (AND)", () => {
      const d = allowIf({
        StringEquals: { "aws:PrincipalTag/a": "1", "aws:PrincipalTag/b": "2" },
        StringLike: { "aws:PrincipalTag/c": "x*" },
      });
      expect(
        decide(d, { "aws:PrincipalTag/a": "1", "aws:PrincipalTag/b": "2", "aws:PrincipalTag/c": "xy" }),
      ).to.equal("Allow");
      expect(
        decide(d, { "aws:PrincipalTag/a": "1", "aws:PrincipalTag/b": "2", "aws:PrincipalTag/c": "y" }),
      ).to.equal("ImplicitDeny");
      expect(decide(d, { "aws:PrincipalTag/a": "1", "aws:PrincipalTag/c": "xy" })).to.equal("ImplicitDeny");
    });
  });
});
