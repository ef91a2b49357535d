import { expect } from "chai";
import fc from "fast-check";
import { subjectScope } from "../../components/nameCoverage";
import { buildTrustPolicy } from "../../components/trustPolicy";
import { reviewIrsaTrust, reviewSourceTrust, reviewTargetTrust } from "../../chain/trustReview";
import { evaluateResourcePolicy } from "../../components/evaluate";
import { type PolicyDocument } from "../../components/policyDocument";

const HOST = "oidc.eks.us-east-1.amazonaws.com/id/ABC";
const PROVIDER = `arn:aws:iam::210987654321:oidc-provider/${HOST}`;
const SA = { namespace: "apps", name: "reader" };
const CLUSTER = "arn:aws:eks:us-east-1:123456789012:cluster/demo";
const SOURCE = "arn:aws:iam::123456789012:role/pod-identity-source";

const irsa = (condition: unknown, extra: Record<string, unknown> = {}) => ({
  Version: "2012-10-17",
  Statement: {
    Effect: "Allow",
    Principal: { Federated: PROVIDER },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: condition,
    ...extra,
  },
});

describe("the live trust review (chain/trustReview.ts)", () => {
  it("passes what buildTrustPolicy writes, and warns on its trustWholeNamespaces grant", () => {
    const exact = buildTrustPolicy([{ oidcProviderArn: PROVIDER, issuerUrl: HOST, serviceAccounts: [SA] }]);
    expect(reviewIrsaTrust(exact, PROVIDER, SA, "sts.amazonaws.com")?.status).to.equal("pass");
    const whole = buildTrustPolicy(
      [{ oidcProviderArn: PROVIDER, issuerUrl: HOST, serviceAccounts: [{ namespace: "apps", name: "*" }] }],
      { conditionTest: "StringLike", trustWholeNamespaces: true },
    );
    const review = reviewIrsaTrust(whole, PROVIDER, SA, "sts.amazonaws.com")!;
    expect(review.status).to.equal("warn");
    expect(review.detail).to.include("match every service account of namespace apps");
  });

  it("does not count a condition that holds when the key is absent (IfExists, ForAllValues:)", () => {
    for (const op of ["StringEqualsIfExists", "ForAllValues:StringEquals"]) {
      const doc = irsa({
        StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" },
        [op]: { [`${HOST}:sub`]: "system:serviceaccount:apps:reader" },
      });
      const review = reviewIrsaTrust(doc, PROVIDER, SA, "sts.amazonaws.com")!;
      expect(review.status, op).to.equal("fail");
      expect(review.detail).to.include(`no ${HOST}:sub condition`);
    }
  });

  it('reviews NotPrincipal, Principal "*" and NotAction statements as admitting the principal', () => {
    const cond = { StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" } };
    for (const extra of [
      { Principal: undefined, NotPrincipal: { AWS: "arn:aws:iam::1:root" } },
      { Principal: "*" },
      { Action: undefined, NotAction: "s3:*" },
    ]) {
      expect(reviewIrsaTrust(irsa(cond, extra), PROVIDER, SA, "sts.amazonaws.com")?.status).to.equal("fail");
    }
  });

  it("a sub pattern not of the service-account form fails, saying why it cannot be shown narrow", () => {
    const doc = irsa({
      StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" },
      StringLike: { [`${HOST}:sub`]: ["system:serviceaccount:apps:reader", "system:*"] },
    });
    const review = reviewIrsaTrust(doc, PROVIDER, SA, "sts.amazonaws.com")!;
    expect(review.status).to.equal("fail");
    expect(review.detail).to.include(
      "pattern system:* can match service accounts of more than one namespace",
    );
    expect(review.detail).to.include("is not shown to stay within one");
  });

  it("leaves a trust that does not admit the provider to the principal check", () => {
    const doc = { Statement: [{ Effect: "Deny", Principal: "*", Action: "*" }] };
    expect(reviewIrsaTrust(doc, PROVIDER, SA, "sts.amazonaws.com")).to.equal(undefined);
    expect(reviewIrsaTrust("not a policy", PROVIDER, SA, "sts.amazonaws.com")).to.equal(undefined);
  });

  it("Pod Identity: a cluster pattern fails, the exact cluster ARN passes", () => {
    const source = (op: string, value: string) => ({
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Condition: { [op]: { "aws:RequestTag/eks-cluster-arn": value } },
        },
      ],
    });
    expect(
      reviewSourceTrust(source("StringEquals", CLUSTER), "pods.eks.amazonaws.com", CLUSTER)?.status,
    ).to.equal("pass");
    const wide = reviewSourceTrust(
      source("StringLike", "arn:aws:eks:*:123456789012:cluster/*"),
      "pods.eks.amazonaws.com",
      CLUSTER,
    )!;
    expect(wide.status).to.equal("fail");
    expect(wide.detail).to.include("can match other clusters");
    const other = "arn:aws:eks:us-east-1:123456789012:cluster/staging";
    const two = reviewSourceTrust(
      {
        Statement: {
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Condition: { StringEquals: { "aws:RequestTag/eks-cluster-arn": [CLUSTER, other] } },
        },
      },
      "pods.eks.amazonaws.com",
      CLUSTER,
    )!;
    expect(two.status).to.equal("warn");
    expect(two.detail).to.include(`also admits cluster ${other}`);
  });

  it("Pod Identity target: the source role as Principal needs no aws:PrincipalArn; sts:ExternalId names the ServiceAccount", () => {
    const doc = {
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: SOURCE },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": "us-east-1/123456789012/demo/apps/reader" } },
        },
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:TagSession" },
      ],
    };
    expect(reviewTargetTrust(doc, SOURCE, SA)?.status).to.equal("pass");
  });

  it("Pod Identity target: a namespace tag pattern fails, a service-account pattern over a namespace warns", () => {
    const target = (ns: string, sa: string) => ({
      Statement: {
        Effect: "Allow",
        Principal: { AWS: "123456789012" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          ArnEquals: { "aws:PrincipalArn": SOURCE },
          StringLike: {
            "aws:RequestTag/kubernetes-namespace": ns,
            "aws:RequestTag/kubernetes-service-account": sa,
          },
        },
      },
    });
    expect(reviewTargetTrust(target("app*", "reader"), SOURCE, SA)?.status).to.equal("fail");
    expect(reviewTargetTrust(target("apps", "*"), SOURCE, SA)?.status).to.equal("warn");
    expect(reviewTargetTrust(target("apps", "reader"), SOURCE, SA)?.status).to.equal("pass");
  });

  it("ArnEquals takes patterns as ArnLike does: a cluster or role pattern under it fails (it passed)", () => {
    const source = {
      Statement: {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          ArnEquals: { "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:*:123456789012:cluster/*" },
        },
      },
    };
    const wide = reviewSourceTrust(source, "pods.eks.amazonaws.com", CLUSTER)!;
    expect(wide.status).to.equal("fail");
    expect(wide.detail).to.include("ArnEquals aws:RequestTag/eks-cluster-arn pattern");
    const anyRole = {
      Statement: {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/*" },
          StringEquals: {
            "aws:RequestTag/kubernetes-namespace": "apps",
            "aws:RequestTag/kubernetes-service-account": "reader",
          },
        },
      },
    };
    // What the pattern lets in: another role of the account (our evaluator, as iam-simulate does).
    const other = "arn:aws:iam::123456789012:role/some-other-role";
    const context = {
      "aws:RequestTag/kubernetes-namespace": "apps",
      "aws:RequestTag/kubernetes-service-account": "reader",
    };
    expect(
      evaluateResourcePolicy(
        { Version: "2012-10-17", ...anyRole } as unknown as PolicyDocument,
        { principalArn: other, action: "sts:AssumeRole", context },
        "trust",
      ).decision,
    ).to.equal("Allow");
    const review = reviewTargetTrust(anyRole, SOURCE, SA)!;
    expect(review.status).to.equal("fail");
    expect(review.detail).to.include("can match roles other than the source role");
  });

  it("Pod Identity target: another role named beside the source role warns; a statement of its own does not", () => {
    const other = "arn:aws:iam::123456789012:role/some-other-role";
    const tags = {
      StringEquals: {
        "aws:RequestTag/kubernetes-namespace": "apps",
        "aws:RequestTag/kubernetes-service-account": "reader",
      },
    };
    const both = {
      Statement: {
        Effect: "Allow",
        Principal: { AWS: [SOURCE, other] },
        Action: "sts:AssumeRole",
        Condition: tags,
      },
    };
    const listed = reviewTargetTrust(both, SOURCE, SA)!;
    expect(listed.status).to.equal("warn");
    expect(listed.detail).to.include(`also admits ${other} beside the source role`);
    const byArn = {
      Statement: {
        Effect: "Allow",
        Principal: { AWS: "123456789012" },
        Action: "sts:AssumeRole",
        Condition: { ...tags, ArnEquals: { "aws:PrincipalArn": [SOURCE, other] } },
      },
    };
    expect(reviewTargetTrust(byArn, SOURCE, SA)!.detail).to.include(`also admits ${other}`);
    // The layout AWS asks for: one statement per role (the other role's for its own ServiceAccount).
    const separate = {
      Statement: [
        { Effect: "Allow", Principal: { AWS: SOURCE }, Action: "sts:AssumeRole", Condition: tags },
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::123456789012:root" },
          Action: "sts:AssumeRole",
          Condition: {
            ArnEquals: { "aws:PrincipalArn": other },
            StringEquals: {
              "aws:RequestTag/kubernetes-namespace": "jobs",
              "aws:RequestTag/kubernetes-service-account": "export",
            },
          },
        },
      ],
    };
    expect(reviewTargetTrust(separate, SOURCE, SA)?.status).to.equal("pass");
    // Its own statement without this chain's session tags is still not this chain's (it failed).
    const untagged = structuredClone(separate);
    delete (untagged.Statement[1].Condition as Record<string, unknown>).StringEquals;
    expect(reviewTargetTrust(untagged, SOURCE, SA)?.status).to.equal("pass");
  });

  it("a policy variable in a value is not a name: AWS fills it in from the request (the review skipped or passed it)", () => {
    const tags = {
      "aws:RequestTag/kubernetes-namespace": "apps",
      "aws:RequestTag/kubernetes-service-account": "reader",
    };
    // aws:PrincipalArn equal to itself: every role of account A.
    const itself = {
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: { StringEquals: { ...tags, "aws:PrincipalArn": "${aws:PrincipalArn}" } },
      },
    };
    const review = reviewTargetTrust(itself, SOURCE, SA)!;
    expect(review.status).to.equal("fail");
    expect(review.detail).to.include("${aws:PrincipalArn} can match roles other than the source role");
    // Beside the source role, a variable lets the other listed principal in.
    const other = "arn:aws:iam::123456789012:role/some-other-role";
    const listed = {
      Statement: {
        Effect: "Allow",
        Principal: { AWS: [SOURCE, other] },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: tags, ArnEquals: { "aws:PrincipalArn": [SOURCE, "${aws:PrincipalArn}"] } },
      },
    };
    expect(reviewTargetTrust(listed, SOURCE, SA)!.detail).to.include(`also admits ${other}`);
    // Session tags and the cluster, and IRSA's sub: the same.
    const tagVariable = {
      Statement: {
        Effect: "Allow",
        Principal: { AWS: SOURCE },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: {
            ...tags,
            "aws:RequestTag/kubernetes-namespace": "${aws:RequestTag/kubernetes-namespace}",
          },
        },
      },
    };
    expect(reviewTargetTrust(tagVariable, SOURCE, SA)!.status).to.equal("fail");
    const clusterVariable = {
      Statement: {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: { "aws:RequestTag/eks-cluster-arn": "${aws:RequestTag/eks-cluster-arn}" },
        },
      },
    };
    expect(reviewSourceTrust(clusterVariable, "pods.eks.amazonaws.com", CLUSTER)!.status).to.equal("fail");
    const subVariable = irsa({
      StringEquals: {
        [`${HOST}:aud`]: "sts.amazonaws.com",
        [`${HOST}:sub`]: "system:serviceaccount:apps:${aws:username}",
      },
    });
    const sub = reviewIrsaTrust(subVariable, PROVIDER, SA, "sts.amazonaws.com")!;
    expect(sub.status).to.equal("fail");
    expect(sub.detail).to.include("holds a policy variable");
  });

  it("Pod Identity target: roles compared without case; a principal the condition excludes is not admitted", () => {
    const other = "arn:aws:iam::123456789012:role/some-other-role";
    const tags = {
      "aws:RequestTag/kubernetes-namespace": "apps",
      "aws:RequestTag/kubernetes-service-account": "reader",
    };
    // StringEqualsIgnoreCase: the source role spelt in upper case, and another role.
    const ignoreCase = {
      Statement: {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: tags,
          StringEqualsIgnoreCase: { "aws:PrincipalArn": [SOURCE.toUpperCase(), other] },
        },
      },
    };
    expect(reviewTargetTrust(ignoreCase, SOURCE, SA)!.detail).to.include(`also admits ${other}`);
    // Two principals, the condition keeps only the source role: nothing else is admitted.
    const narrowed = {
      Statement: {
        Effect: "Allow",
        Principal: { AWS: [SOURCE, other] },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: tags, ArnEquals: { "aws:PrincipalArn": SOURCE } },
      },
    };
    expect(reviewTargetTrust(narrowed, SOURCE, SA)?.status).to.equal("pass");
    // The source role listed twice, once in another case: one role.
    const twice = {
      Statement: {
        Effect: "Allow",
        Principal: { AWS: [SOURCE, SOURCE.replace("pod-identity-source", "Pod-Identity-Source")] },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: tags },
      },
    };
    expect(reviewTargetTrust(twice, SOURCE, SA)?.status).to.equal("pass");
  });
});

describe("subjectScope is the rule buildTrustPolicy refuses by", () => {
  it("buildTrustPolicy refuses a StringLike subject set exactly when subjectScope finds it spanning or whole", () => {
    const part = fc.stringMatching(/^[a-c*?]{1,4}$/);
    fc.assert(
      fc.property(
        fc.array(fc.record({ namespace: part, name: part }), { minLength: 1, maxLength: 3 }),
        (sas) => {
          const scope = subjectScope(sas, true);
          let refused = false;
          try {
            buildTrustPolicy([{ oidcProviderArn: PROVIDER, issuerUrl: HOST, serviceAccounts: sas }], {
              conditionTest: "StringLike",
            });
          } catch {
            refused = true;
          }
          expect(refused).to.equal(scope.spanning.length > 0 || scope.whole.length > 0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
