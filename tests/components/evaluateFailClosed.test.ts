import { expect } from "chai";
import { InputError } from "../../components/errors";
import { evaluateAccess, evaluateResourcePolicy, evaluateTrust } from "../../components/evaluate";
import { type PolicyDocument, type PolicyStatement } from "../../components/policyDocument";
import { expectInputError, PROVIDER_A } from "./coreHelpers";

const AUD = "sts.amazonaws.com";

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });

describe("evaluateAccess", () => {
  describe("unsupported elements throw instead of guessing", () => {
    const req = { action: "s3:GetObject", resource: "arn:aws:s3:::b/k" };
    for (const element of ["NotAction", "NotResource", "NotPrincipal"]) {
      it(element, () => {
        const st = { Effect: "Allow", Action: "s3:GetObject", [element]: "x" } as unknown as PolicyStatement;
        expect(() => evaluateAccess(doc(st), req)).to.throw(
          InputError,
          `policy.Statement[0].${element}: "x" is invalid: ${element} is not supported by this evaluator`,
        );
      });
    }
    for (const operator of ["ForAnyValue:StringEquals", "IpAddress", "Null", "DateGreaterThan"]) {
      it(`condition operator ${operator}`, () => {
        const st: PolicyStatement = {
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: "*",
          Condition: { [operator]: { "aws:SourceArn": "x" } },
        };
        expect(() => evaluateAccess(doc(st), req)).to.throw(
          InputError,
          `condition operator ${operator} is not supported by this evaluator`,
        );
      });
    }
    it("anywhere in the document, even in a statement that would not match the request", () => {
      // The whole document is checked before anything is evaluated: it is understood, or refused.
      const st: PolicyStatement = {
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: "*",
        Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
      };
      expect(() => evaluateAccess(doc(st), req)).to.throw(InputError, "IpAddress");
    });
  });

  describe("fails closed on documents IAM would reject or this evaluator cannot read", () => {
    const req = { action: "s3:GetObject", resource: "arn:aws:s3:::b/k" };
    const allow: PolicyStatement = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
    const cases: Array<[string, unknown, string]> = [
      [
        "an Effect with a trailing space",
        doc({ ...allow, Effect: "Deny " as "Deny" }),
        'must be "Allow" or "Deny"',
      ],
      ["a lower-case Effect", doc({ ...allow, Effect: "allow" as "Allow" }), 'must be "Allow" or "Deny"'],
      ["no Version", { Statement: [allow] }, 'must be "2012-10-17"'],
      [
        "an unknown statement element",
        doc({ ...allow, Resources: "*" } as unknown as PolicyStatement),
        "is not an element",
      ],
      ["an empty Statement", doc(), "must hold at least one statement"],
      [
        "an Action that is not a string",
        doc({ ...allow, Action: 1 as unknown as string }),
        "must be a non-empty string",
      ],
      ["an empty Action list", doc({ ...allow, Action: [] }), "must be a non-empty string"],
      [
        "a policy variable in Resource",
        doc({ ...allow, Resource: "arn:aws:s3:::b/${aws:userid}/*" }),
        "policy variable",
      ],
      [
        "a condition value that is an object",
        doc({ ...allow, Condition: { StringEquals: { k: { x: 1 } as unknown as string } } }),
        "must be a string, number or boolean",
      ],
      ["null", null, "must be { Version, Statement }"],
    ];
    for (const [title, document, rule] of cases) {
      it(`refuses ${title}`, () => {
        expect(() => evaluateAccess(document as PolicyDocument, req)).to.throw(InputError, rule);
      });
    }

    it("takes a lone statement object and JSON booleans and numbers in conditions, as IAM does", () => {
      const single = {
        Version: "2012-10-17",
        Statement: { ...allow, Condition: { Bool: { "aws:SecureTransport": true } } },
      };
      const decide = (ctx: Record<string, string>) =>
        evaluateAccess(single as unknown as PolicyDocument, { absent: ["*"], ...req, context: ctx }).decision;
      expect(decide({ "aws:SecureTransport": "true" })).to.equal("Allow");
      expect(decide({ "aws:SecureTransport": "false" })).to.equal("ImplicitDeny");
    });

    it("refuses bad requests with an InputError, not a TypeError", () => {
      const d = doc(allow);
      expectInputError(
        () => evaluateAccess(d, { absent: ["*"], resource: "x" } as never),
        "request.action",
        undefined,
        "must be a string",
      );
      expectInputError(() => evaluateAccess(d, null as never), "request", null, "must be");
      expectInputError(
        () => evaluateTrust(d, { oidcProviderArn: PROVIDER_A, sub: undefined, aud: AUD } as never),
        "request.sub",
        undefined,
        "must be a string",
      );
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(() => evaluateAccess(cyclic as never, req)).to.throw(InputError, "policy.Version");
    });
  });

  describe("AWS principals and ARN conditions (resource policies)", () => {
    const ROLE = "arn:aws:iam::111122223333:role/source";
    const trust = (principal: string, extra: Partial<PolicyStatement> = {}) =>
      doc({ Effect: "Allow", Principal: { AWS: principal }, Action: "sts:AssumeRole", ...extra });
    const decide = (d: PolicyDocument, principalArn = ROLE, context: Record<string, string> = {}) =>
      evaluateResourcePolicy(d, { absent: ["*"], principalArn, action: "sts:AssumeRole", context }, "trust")
        .decision;

    it("an account (root ARN or id) stands for all of its principals, a role ARN for that role only", () => {
      expect(decide(trust("arn:aws:iam::111122223333:root"))).to.equal("Allow");
      expect(decide(trust("111122223333"))).to.equal("Allow");
      expect(
        decide(trust("arn:aws:iam::111122223333:root"), "arn:aws:iam::999988887777:role/source"),
      ).to.equal("ImplicitDeny");
      expect(decide(trust("arn:aws-cn:iam::111122223333:root"))).to.equal("ImplicitDeny");
      expect(decide(trust(ROLE))).to.equal("Allow");
      expect(decide(trust(ROLE), "arn:aws:iam::111122223333:role/other")).to.equal("ImplicitDeny");
    });

    it("asked whether the policy names the caller itself, an account principal does not count", () => {
      const byAccount = trust("arn:aws:iam::111122223333:root");
      const ask = (d: PolicyDocument) =>
        evaluateResourcePolicy(
          d,
          { absent: ["*"], principalArn: ROLE, action: "sts:AssumeRole", matchAccountPrincipals: false },
          "trust",
        ).decision;
      expect(ask(byAccount)).to.equal("ImplicitDeny");
      expect(ask(trust("111122223333"))).to.equal("ImplicitDeny");
      expect(ask(trust(ROLE))).to.equal("Allow");
    });

    it("puts aws:PrincipalArn in the context: ArnEquals pins the role, part by part", () => {
      const d = trust("arn:aws:iam::111122223333:root", {
        Condition: { ArnEquals: { "aws:PrincipalArn": ROLE } },
      });
      expect(decide(d)).to.equal("Allow");
      expect(decide(d, "arn:aws:iam::111122223333:role/other")).to.equal("ImplicitDeny");
      const like = trust("arn:aws:iam::111122223333:root", {
        Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/team-*" } },
      });
      expect(decide(like, "arn:aws:iam::111122223333:role/team-a")).to.equal("Allow");
      expect(decide(like, "arn:aws:iam::111122223333:role/other")).to.equal("ImplicitDeny");
      // A wildcard does not reach across the ARN's colons into another account.
      const cross = trust("*", {
        Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*3333:role/x" } },
      });
      expect(decide(cross, "arn:aws:iam::111122223333:role/x")).to.equal("Allow");
      expect(decide(cross, "arn:aws:iam::111122224444:role/x")).to.equal("ImplicitDeny");
    });

    it("a bucket policy's Deny applies to the role; a resource policy without Resource is refused", () => {
      const bucket = doc({
        Sid: "DenyInsecure",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      });
      const ask = (secure: string) =>
        evaluateResourcePolicy(bucket, {
          absent: ["*"],
          principalArn: ROLE,
          action: "s3:GetObject",
          resource: "arn:aws:s3:::b/k",
          context: { "aws:SecureTransport": secure },
        }).decision;
      expect(ask("false")).to.equal("ExplicitDeny");
      expect(ask("true")).to.equal("ImplicitDeny");
      expect(() =>
        evaluateResourcePolicy(doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject" }), {
          absent: ["*"],
          principalArn: ROLE,
          action: "s3:GetObject",
          resource: "arn:aws:s3:::b/k",
        }),
      ).to.throw(InputError, "is required in a resource policy statement");
    });
  });
});
