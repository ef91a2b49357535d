/**
 * A live document with a key twice in one object (IAM stores it as written; which one AWS reads is
 * not documented, `JSON.parse` keeps the last) is undecided, never evaluated (review of the
 * evaluator merge). Before, the last `"Effect"` or `"Condition"` silently won: a Deny could lapse.
 */
import { expect } from "chai";
import { hasDuplicateKeys, parsePolicy, tryAccess } from "../../chain/evaluation";
import { UndecidedError, evaluateAccess } from "../../components/evaluate";
import { IrsaInputError } from "../../components/errors";
import { type PolicyDocument } from "../../components/policyDocument";
import { checkChain } from "../../mechanisms";
import { find, live } from "./liveSnapshot";

const OBJECT = "arn:aws:s3:::team-data/reports/q3.csv";
const READ = '{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}';

describe("duplicate keys in a live policy document are undecided", () => {
  it("finds a key twice at any depth, decoded (\\u0045ffect is Effect), and only in the same object", () => {
    expect(hasDuplicateKeys('{"a":1,"a":2}')).to.equal(true);
    expect(hasDuplicateKeys('{"Statement":[{"Effect":"Deny","\\u0045ffect":"Allow"}]}')).to.equal(true);
    expect(hasDuplicateKeys('{"C":{"StringEquals":{"k":"x"},"StringEquals" :{"k":"y"}}}')).to.equal(true);
    expect(hasDuplicateKeys('{"a":{"b":1},"c":{"b":1},"d":["a","a"],"e":"a\\"a"}')).to.equal(false);
    expect(hasDuplicateKeys('{"a":"{\\"a\\":1,\\"a\\":2}"}')).to.equal(false);
  });

  it("a Deny statement with a second Effect: not parsed, so the permission check warns (was: Allow, pass)", () => {
    const json = `{"Version":"2012-10-17","Statement":[${READ},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Effect":"Allow"}]}`;
    // What the evaluator saw before: JSON.parse keeps the last Effect, and the Deny became an Allow.
    const lastWins = JSON.parse(json) as PolicyDocument;
    expect(tryAccess([lastWins], "s3:GetObject", OBJECT, {}, { absent: ["*"] }).decision).to.equal("Allow");
    expect(parsePolicy(json)).to.equal(undefined);
    const r = find(
      checkChain(
        live((s) => {
          s.permissionPolicies = { inline: json };
        }),
      ),
      /s3:GetObject|reads s3/,
    );
    expect(r.status).to.equal("warn");
  });

  it("a Condition operator twice: not parsed (the Deny's first, matching condition was dropped)", () => {
    const json = `{"Version":"2012-10-17","Statement":[${READ},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"a"},"StringEquals":{"aws:PrincipalTag/team":"zzz"}}}]}`;
    const lastWins = JSON.parse(json) as PolicyDocument;
    const context = { "aws:PrincipalTag/team": "a" };
    expect(evaluateAccess(lastWins, { action: "s3:GetObject", resource: OBJECT, context }).decision).to.equal(
      "Allow",
    );
    expect(parsePolicy(json)).to.equal(undefined);
  });

  it("one condition key twice in an operator, in two cases (key names are case-insensitive): refused", () => {
    const doc = {
      Version: "2012-10-17",
      Statement: [
        JSON.parse(READ) as object,
        {
          Effect: "Deny",
          Action: "s3:GetObject",
          Resource: "*",
          Condition: { StringEquals: { "aws:PrincipalTag/team": "zzz", "AWS:principaltag/TEAM": "a" } },
        },
      ],
    } as unknown as PolicyDocument;
    const run = () =>
      evaluateAccess(doc, {
        action: "s3:GetObject",
        resource: OBJECT,
        context: { "aws:PrincipalTag/team": "a" },
      });
    expect(run).to.throw(IrsaInputError, /already in this operator/);
    expect(run).to.not.throw(UndecidedError);
    expect(tryAccess([doc], "s3:GetObject", OBJECT).unsupported).to.contain("already in this operator");
  });
});
