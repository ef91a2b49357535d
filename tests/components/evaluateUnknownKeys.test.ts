/**
 * Fail closed on the request context: a condition key the request does not settle is undecided,
 * never read as absent (issue 17); what AWS sets per hop (components/requestContext.ts); permissions
 * boundaries; and every valid shape of a statement through the chain's helpers, never a crash.
 */
import { expect } from "chai";
import { UndecidedError, evaluateAccess, evaluateTrust } from "../../components/evaluate";
import { type PolicyDocument } from "../../components/policyDocument";
import { podIdentityTags, roleSessionKeys, webIdentityKeys } from "../../components/requestContext";
import { DESCRIBED, throughBoundary, tryAccess, tryAccessWithin, tryTrust } from "../../chain/evaluation";
import { explainDecision, explainIdentityPolicies } from "../../chain/explain";
import { federatedPrincipals } from "../../mechanisms/irsa/facts";
import { organizationPolicyNote } from "../../mechanisms/irsa/live";

const ROLE = "arn:aws:iam::210987654321:role/irsa-reader";
const OBJECT = "arn:aws:s3:::team-data/reports/q3.csv";
const PROVIDER = "arn:aws:iam::210987654321:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
const HOST = "oidc.eks.us-east-1.amazonaws.com/id/ABC";
const SESSION = roleSessionKeys({ roleArn: ROLE, roleId: "AROAEXAMPLEID", federatedProvider: PROVIDER });
const READ = { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::team-data/*" };

/** A CLI-style document: as parsed JSON, whatever its shape. */
const doc = (statement: unknown): PolicyDocument =>
  ({ Version: "2012-10-17", Statement: statement }) as unknown as PolicyDocument;

const access = (d: PolicyDocument, keys = SESSION) =>
  evaluateAccess(d, { ...keys, action: "s3:GetObject", resource: OBJECT });

describe("unknown condition keys are undecided, never absent", () => {
  const KEYS = [
    "aws:PrincipalType",
    "aws:userid",
    "aws:EpochTime",
    "aws:RequestedRegion",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalIsAWSService",
    "aws:ResourceAccount",
    "aws:FederatedProvider",
    "aws:ViaAWSService",
    "aws:RequestTag/kubernetes-pod-name",
  ];
  for (const key of KEYS) {
    it(`a Deny on ${key} with no context: undecided, naming the key (was: never applies, Allow)`, () => {
      const d = doc([READ, { ...READ, Effect: "Deny", Condition: { StringEquals: { [key]: "x" } } }]);
      expect(() => evaluateAccess(d, { action: "s3:GetObject", resource: OBJECT })).to.throw(
        UndecidedError,
        key,
      );
      const outcome = tryAccess([d], "s3:GetObject", OBJECT);
      expect(outcome.decision).to.not.equal("Allow");
      expect(outcome.unsupported).to.contain(key);
    });
    it(`an Allow with StringNotEquals on ${key} with no context: undecided (was: always matches)`, () => {
      const d = doc({ ...READ, Condition: { StringNotEquals: { [key]: "x" } } });
      expect(() => evaluateAccess(d, { action: "s3:GetObject", resource: OBJECT })).to.throw(UndecidedError);
    });
  }

  it("a key known absent keeps IAM's rule: a negated operator passes, a positive one fails", () => {
    const negated = doc({ ...READ, Condition: { StringNotEquals: { "aws:SourceArn": "x" } } });
    const positive = doc({ ...READ, Condition: { StringEquals: { "aws:SourceArn": "x" } } });
    expect(access(negated).decision).to.equal("Allow");
    expect(access(positive).decision).to.equal("ImplicitDeny");
  });

  it("the role session's keys decide what AWS always sets: aws:PrincipalType AssumedRole", () => {
    const deny = doc([
      READ,
      { ...READ, Effect: "Deny", Condition: { StringEquals: { "aws:PrincipalType": "AssumedRole" } } },
    ]);
    expect(access(deny).decision).to.equal("ExplicitDeny");
    const federated = doc([
      READ,
      { ...READ, Effect: "Deny", Condition: { StringNotEquals: { "aws:FederatedProvider": PROVIDER } } },
    ]);
    expect(access(federated).decision).to.equal("Allow");
  });

  it("aws:userid is known by its role id: a pattern on it decides, an exact session name does not", () => {
    const like = (pattern: string, effect = "Deny") =>
      doc([READ, { ...READ, Effect: effect, Condition: { StringLike: { "aws:userid": pattern } } }]);
    expect(access(like("AROAEXAMPLEID:*")).decision).to.equal("ExplicitDeny");
    expect(access(like("AROAOTHER:*")).decision).to.equal("Allow");
    expect(() => access(like("*:botocore-session-*"))).to.throw(UndecidedError, "aws:userid");
    const exact = doc([
      READ,
      { ...READ, Effect: "Deny", Condition: { StringEquals: { "aws:userid": "AROAEXAMPLEID:s" } } },
    ]);
    expect(() => access(exact)).to.throw(UndecidedError);
  });

  it("a definite Deny decides over an undecided statement; an Allow over an undecided Allow", () => {
    const d = doc([
      { ...READ, Effect: "Deny" },
      { ...READ, Effect: "Deny", Condition: { StringEquals: { "aws:EpochTime": "1" } } },
    ]);
    expect(access(d).decision).to.equal("ExplicitDeny");
    const two = doc([READ, { ...READ, Condition: { NumericLessThan: { "aws:EpochTime": "1" } } }]);
    expect(access(two).decision).to.equal("Allow");
  });

  it("a condition that fails on a known key decides the statement whatever the unknown one", () => {
    const d = doc([
      READ,
      {
        ...READ,
        Effect: "Deny",
        Condition: {
          StringEquals: { "aws:PrincipalType": "User", "aws:EpochTime": "1" },
        },
      },
    ]);
    expect(access(d).decision).to.equal("Allow");
  });

  it("DESCRIBED (the plan's requests) reads every key not given as absent", () => {
    const d = doc({ ...READ, Condition: { StringNotEquals: { "aws:PrincipalType": "User" } } });
    expect(tryAccess([d], "s3:GetObject", OBJECT, {}, DESCRIBED).decision).to.equal("Allow");
    expect(tryAccess([d], "s3:GetObject", OBJECT).unsupported).to.contain("aws:PrincipalType");
  });

  it("IRSA's AssumeRoleWithWebIdentity: no session tags, the role's account; anything else undecided", () => {
    const trust = (condition: Record<string, unknown>) =>
      doc({
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${HOST}:sub`]: "system:serviceaccount:apps:reader" }, ...condition },
      });
    const request = {
      oidcProviderArn: PROVIDER,
      sub: "system:serviceaccount:apps:reader",
      aud: "sts.amazonaws.com",
    };
    expect(evaluateTrust(trust({}), request).decision).to.equal("Allow");
    expect(
      evaluateTrust(trust({ StringEqualsIfExists: { "aws:RequestTag/team": "x" } }), request).decision,
    ).to.equal("Allow");
    expect(
      evaluateTrust(trust({ StringLike: { "aws:ResourceAccount": "2109*" } }), request).decision,
    ).to.equal("Allow");
    expect(() => evaluateTrust(trust({ Bool: { "aws:SecureTransport": "true" } }), request)).to.throw(
      UndecidedError,
    );
    expect(
      tryTrust(trust({ Bool: { "aws:MultiFactorAuthPresent": "true" } }), PROVIDER, request.sub, request.aud)
        .unsupported,
    ).to.contain("aws:MultiFactorAuthPresent");
    expect(webIdentityKeys(PROVIDER).context["aws:ResourceAccount"]).to.equal("210987654321");
  });

  it("Pod Identity's six session tags (pod-id-abac), the pod's two only when the pod is known", () => {
    const cluster = "arn:aws:eks:us-east-1:123456789012:cluster/demo";
    const sa = { namespace: "apps", name: "reader" };
    expect(Object.keys(podIdentityTags(cluster, sa, { name: "reader-1", uid: "u-1" })).sort()).to.deep.equal([
      "eks-cluster-arn",
      "eks-cluster-name",
      "kubernetes-namespace",
      "kubernetes-pod-name",
      "kubernetes-pod-uid",
      "kubernetes-service-account",
    ]);
    expect(podIdentityTags(cluster, sa)["eks-cluster-name"]).to.equal("demo");
    expect(podIdentityTags(cluster, sa)).to.not.have.property("kubernetes-pod-name");
  });
});

describe("permissions boundaries", () => {
  const v = { context: SESSION.context, keys: SESSION };
  const s3Only = JSON.stringify(doc({ Effect: "Allow", Action: "s3:*", Resource: "*" }));
  const ec2Only = JSON.stringify(doc({ Effect: "Allow", Action: "ec2:*", Resource: "*" }));
  const ARN = "arn:aws:iam::210987654321:policy/boundary";

  it("allowed only when the identity policy and the boundary both allow", () => {
    expect(
      tryAccessWithin([doc(READ)], { arn: ARN, policy: s3Only }, "s3:GetObject", OBJECT, v).decision,
    ).to.equal("Allow");
    const denied = tryAccessWithin([doc(READ)], { arn: ARN, policy: ec2Only }, "s3:GetObject", OBJECT, v);
    expect(denied.decision).to.equal("ImplicitDeny");
    expect(denied.unsupported).to.equal(undefined);
    expect(denied.reason).to.contain(`permissions boundary ${ARN} does not allow it`);
  });

  it("a boundary that could not be read leaves an allow undecided, never an allow", () => {
    const o = tryAccessWithin(
      [doc(READ)],
      { arn: ARN, error: "GetPolicy: AccessDenied" },
      "s3:GetObject",
      OBJECT,
      v,
    );
    expect(o.decision).to.not.equal("Allow");
    expect(o.unsupported).to.contain("AccessDenied");
    expect(
      throughBoundary({ decision: "ImplicitDeny", reason: "no" }, { arn: ARN, unreadable: "x" }).unsupported,
    ).to.equal(undefined);
  });
});

describe("every valid shape of a statement through the chain's helpers", () => {
  const single = doc({
    Sid: "One",
    Effect: "Allow",
    Principal: { Federated: PROVIDER },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: { StringEquals: { [`${HOST}:sub`]: "system:serviceaccount:other:reader" } },
  });

  it("Statement as one object: the trust's Federated principals (was: doc.Statement is not iterable)", () => {
    expect(federatedPrincipals(single)).to.deep.equal([PROVIDER]);
    expect(federatedPrincipals(doc("nonsense"))).to.deep.equal([]);
    expect(federatedPrincipals(doc([{ Principal: { Federated: [PROVIDER, 7] } }, null]))).to.deep.equal([
      PROVIDER,
    ]);
  });

  it("Statement as one object: explained statement by statement (was: forEach is not a function)", () => {
    const why = explainDecision(single, {
      evaluate: (d) =>
        evaluateTrust(d, {
          oidcProviderArn: PROVIDER,
          sub: "system:serviceaccount:apps:reader",
          aud: "sts.amazonaws.com",
        }),
      principal: { Federated: PROVIDER },
      context: { [`${HOST}:sub`]: "system:serviceaccount:apps:reader" },
    });
    expect(why).to.contain("statement One: condition StringEquals");
    const identity = explainIdentityPolicies(
      [["inline", doc({ ...READ, Resource: "arn:aws:s3:::other/*" })]],
      "s3:GetObject",
      OBJECT,
    );
    expect(identity).to.contain('it covers "arn:aws:s3:::other/*" only');
  });

  it("NotAction, NotResource, NotPrincipal and a condition block that is not an object: undecided, no crash", () => {
    for (const statement of [
      { Effect: "Deny", NotAction: "s3:PutObject", Resource: "*" },
      { Effect: "Allow", Action: "s3:*", NotResource: "arn:aws:s3:::x/*" },
      { Effect: "Allow", Action: "*", Resource: "*", Condition: "nonsense" },
    ]) {
      const o = tryAccess([doc([READ, statement])], "s3:GetObject", OBJECT, SESSION.context, SESSION);
      expect(o.decision, JSON.stringify(statement)).to.not.equal("Allow");
      expect(
        explainIdentityPolicies([["p", doc(statement)]], "s3:GetObject", OBJECT),
        JSON.stringify(statement),
      ).to.be.a("string");
    }
  });
});

describe("the SCP/RCP warning (--assume denied, everything else passing)", () => {
  const pass = { link: "permission" as const, check: "c", status: "pass" as const, detail: "d" };
  const denied = {
    link: "permission" as const,
    check: "those credentials read s3://b/k",
    status: "fail" as const,
    detail: "AccessDenied: Access Denied",
  };

  it("once, on the denied step's link, only when every other check passed", () => {
    const note = organizationPolicyNote([pass], [denied]);
    expect(note.map((n) => [n.link, n.status])).to.deep.equal([["permission", "warn"]]);
    expect(note[0].detail).to.contain("SCP or RCP");
    expect(organizationPolicyNote([{ ...pass, status: "warn" }], [denied])).to.deep.equal([]);
    expect(organizationPolicyNote([pass], [{ ...denied, detail: "NoSuchKey: gone" }])).to.deep.equal([]);
    expect(organizationPolicyNote([pass], [{ ...denied, status: "pass" }])).to.deep.equal([]);
  });
});
