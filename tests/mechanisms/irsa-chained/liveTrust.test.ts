/**
 * The IRSA-chained trusts on live state are reviewed statement by statement: a good trust plus one
 * over-broad Allow statement fails its link, with a fix naming what to remove or add (security review
 * findings F1 and F2: sampling two near-miss roles let these pass).
 */
import { expect } from "chai";
import { checkIrsaChainedChain } from "../../../mechanisms/irsa-chained/chain";
import {
  reviewChainedSourceTrust,
  reviewChainedTargetTrust,
} from "../../../mechanisms/irsa-chained/trustReview";
import { type IrsaChainedSnapshot } from "../../../mechanisms/irsa-chained/snapshot";
import { type CheckResult } from "../../../chain/result";
import { ACCOUNT_A, ISSUER, PROVIDER_A, SOURCE, goodSnapshot } from "./snapshot";

const HOST_PATH = ISSUER.slice("https://".length);
const doc = (statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const GOOD_TARGET = {
  Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:root` },
  Action: "sts:AssumeRole",
  Condition: { ArnEquals: { "aws:PrincipalArn": SOURCE } },
};

/** The live chain's checks of one link with the snapshot patched. */
function live(patch: (s: IrsaChainedSnapshot) => void, link: string): CheckResult[] {
  const s = goodSnapshot();
  s.live = { cluster: { name: "c", region: "eu-west-1", accountId: ACCOUNT_A } };
  patch(s);
  return checkIrsaChainedChain(s).filter((r) => r.link === link);
}
const failures = (results: CheckResult[]) => results.filter((r) => r.status === "fail");

describe("irsa-chained live target trust review (F1)", () => {
  const extra: Array<[string, unknown, RegExp]> = [
    [
      "a third account's root",
      { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" },
      /remove arn:aws:iam::123456789012:root/,
    ],
    [
      'Principal.AWS "*" with aws:PrincipalOrgID',
      {
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
      },
      /remove \*/,
    ],
    [
      "account A's root with aws:PrincipalTag only",
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:root` },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:PrincipalTag/team": "data" } },
      },
      /add the condition ArnEquals aws:PrincipalArn = arn:aws:iam::111122223333:role\/chained-source/,
    ],
    [
      "a GitHub OIDC Federated principal",
      {
        Effect: "Allow",
        Principal: {
          Federated: "arn:aws:iam::444455556666:oidc-provider/token.actions.githubusercontent.com",
        },
        Action: "sts:AssumeRoleWithWebIdentity",
      },
      /remove the Federated principal/,
    ],
    [
      "a Service principal",
      { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
      /remove the Service principal/,
    ],
    [
      "NotPrincipal",
      { Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" },
      /NotPrincipal/,
    ],
    [
      "account A's root with a wildcard aws:PrincipalArn",
      {
        Effect: "Allow",
        Principal: { AWS: ACCOUNT_A },
        Action: "sts:AssumeRole",
        Condition: { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT_A}:role/*` } },
      },
      /add the condition ArnEquals aws:PrincipalArn/,
    ],
    ["a statement of no known shape", "not a statement", /remove statement #1/],
  ];
  for (const [what, statement, fix] of extra) {
    it(`the good statement plus ${what} fails target-trust, with a fix`, () => {
      const results = live((s) => (s.role!.trustPolicy = doc([GOOD_TARGET, statement])), "target-trust");
      const failed = failures(results).filter((r) => r.check.startsWith("every Allow statement"));
      expect(failed, JSON.stringify(results)).to.have.length(1);
      expect(failed[0].fix).to.match(fix);
    });
  }

  it("passes the trust buildChainedTargetTrustPolicy writes, and the source role named exactly", () => {
    expect(reviewChainedTargetTrust(JSON.parse(doc([GOOD_TARGET])), SOURCE).status).to.equal("pass");
    const named = { Effect: "Allow", Principal: { AWS: SOURCE }, Action: "sts:AssumeRole" };
    expect(reviewChainedTargetTrust(JSON.parse(doc([named])), SOURCE).status).to.equal("pass");
    expect(failures(live(() => undefined, "target-trust"))).to.deep.equal([]);
  });

  it("fails a Statement object admitting account A's id with no condition, and a trust with no Allow", () => {
    const bare = { Effect: "Allow", Principal: { AWS: ACCOUNT_A }, Action: "sts:AssumeRole" };
    expect(reviewChainedTargetTrust({ Statement: bare }, SOURCE).status).to.equal("fail");
    expect(reviewChainedTargetTrust({ Statement: [] }, SOURCE).status).to.equal("fail");
  });

  it("aws:PrincipalArn under IfExists, or naming another role too, is not credited", () => {
    const ifExists = { ...GOOD_TARGET, Condition: { ArnEqualsIfExists: { "aws:PrincipalArn": SOURCE } } };
    const two = {
      ...GOOD_TARGET,
      Condition: { ArnEquals: { "aws:PrincipalArn": [SOURCE, `arn:aws:iam::${ACCOUNT_A}:role/x`] } },
    };
    expect(reviewChainedTargetTrust({ Statement: [ifExists] }, SOURCE).status).to.equal("fail");
    expect(reviewChainedTargetTrust({ Statement: [two] }, SOURCE).status).to.equal("fail");
  });
});

describe("irsa-chained live source trust review (F2)", () => {
  const appended = (statement: unknown) => (s: IrsaChainedSnapshot) => {
    const d = JSON.parse(s.sourceRole!.trustPolicy!) as { Statement: unknown[] };
    d.Statement.push(statement);
    s.sourceRole!.trustPolicy = JSON.stringify(d);
  };
  const cases: Array<[string, (s: IrsaChainedSnapshot) => void, RegExp]> = [
    [
      "StringLike sub system:serviceaccount:*:*",
      (s) =>
        (s.sourceRole!.trustPolicy = doc([
          {
            Effect: "Allow",
            Principal: { Federated: PROVIDER_A },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringLike: { [`${HOST_PATH}:sub`]: "system:serviceaccount:*:*" },
              StringEquals: { [`${HOST_PATH}:aud`]: "sts.amazonaws.com" },
            },
          },
        ])),
      /exact subjects with a literal namespace/,
    ],
    [
      "no aud condition",
      (s) =>
        (s.sourceRole!.trustPolicy = doc([
          {
            Effect: "Allow",
            Principal: { Federated: PROVIDER_A },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { [`${HOST_PATH}:sub`]: "system:serviceaccount:team-a:s3-reader" } },
          },
        ])),
      /:aud = sts\.amazonaws\.com/,
    ],
    [
      'an extra Principal "*" sts:AssumeRole',
      appended({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }),
      /Principal "\*"/,
    ],
    [
      "an extra AWS principal of another account",
      appended({
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: "sts:AssumeRole",
      }),
      /remove the AWS principal/,
    ],
    [
      "an extra Service principal",
      appended({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }),
      /remove the Service principal/,
    ],
    [
      "an extra NotPrincipal",
      appended({
        Effect: "Allow",
        NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: "sts:AssumeRole",
      }),
      /NotPrincipal/,
    ],
  ];
  for (const [what, patch, fix] of cases) {
    it(`${what} fails the source trust's review, with a fix`, () => {
      const failed = failures(live(patch, "trust-policy")).filter((r) =>
        r.check.startsWith("the source role's trust admits only"),
      );
      expect(failed, what).to.have.length(1);
      expect(failed[0].fix).to.match(fix);
    });
  }

  it("passes the source trust buildChainedSourceTrustPolicy writes", () => {
    const results = live(() => undefined, "trust-policy");
    expect(results.map((r) => r.status)).to.not.include("fail");
    expect(results.some((r) => r.check.startsWith("the source role's trust admits only"))).to.equal(true);
    expect(reviewChainedSourceTrust({ Statement: [] }, PROVIDER_A).status).to.equal("pass");
  });

  it("is not run on a planned snapshot (the plan's output stays as it was)", () => {
    const results = checkIrsaChainedChain(goodSnapshot());
    expect(results.some((r) => r.check.startsWith("the source role's trust admits only"))).to.equal(false);
    expect(results.some((r) => r.check.startsWith("every Allow statement"))).to.equal(false);
  });
});

describe("irsa-chained live request context (F3)", () => {
  const deny = (key: string) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Action: "sts:AssumeRole",
          Resource: "*",
          Condition: { StringEquals: { [key]: "yes" } },
        },
      ],
    });
  it("a target trust condition on a key the doctor does not know is undecided (warn), not read as absent", () => {
    const trust = doc([
      {
        ...GOOD_TARGET,
        Condition: {
          ArnEquals: { "aws:PrincipalArn": SOURCE },
          StringNotEquals: { "aws:PrincipalTag/blocked": "true" },
        },
      },
    ]);
    const check = live((s) => (s.role!.trustPolicy = trust), "target-trust").find(
      (r) => r.check === "the target role trusts the source role to sts:AssumeRole",
    );
    expect(check?.status).to.equal("warn");
  });
  it("a source permission Deny on a principal tag is undecided (warn) live, not a pass", () => {
    const check = live(
      (s) => (s.sourceRole!.permissionPolicies.deny = deny("aws:PrincipalTag/frozen")),
      "source-role",
    ).find((r) => r.check === "the source role may sts:AssumeRole on the target role");
    expect(check?.status).to.equal("warn");
  });
  it("a Deny on a key AWS does not set for the call (aws:SourceArn) still passes live", () => {
    const check = live(
      (s) => (s.sourceRole!.permissionPolicies.deny = deny("aws:SourceArn")),
      "source-role",
    ).find((r) => r.check === "the source role may sts:AssumeRole on the target role");
    expect(check?.status).to.equal("pass");
  });
});

describe("irsa-chained live permission links (F4)", () => {
  const policy = (statement: unknown) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
  it("the source role's permissions boundary bounds the chained sts:AssumeRole", () => {
    const check = live((s) => {
      s.sourceRole!.boundary = {
        arn: `arn:aws:iam::${ACCOUNT_A}:policy/boundary`,
        policy: policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }),
      };
    }, "source-role").find((r) => r.check === "the source role may sts:AssumeRole on the target role");
    expect(check?.status).to.equal("fail");
  });
  it("a bucket policy denying the target role fails the live permission link", () => {
    const results = live((s) => {
      s.live!.bucketPolicy = policy({
        Effect: "Deny",
        Principal: { AWS: s.role!.arn },
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::*",
      });
    }, "permission");
    expect(failures(results).length, JSON.stringify(results, null, 1)).to.be.greaterThan(0);
  });
  it("the target role's permissions boundary bounds its S3 access", () => {
    const results = live((s) => {
      s.role!.boundary = {
        arn: "arn:aws:iam::444455556666:policy/boundary",
        policy: policy({ Effect: "Allow", Action: "sts:GetCallerIdentity", Resource: "*" }),
      };
    }, "permission");
    expect(failures(results).length, JSON.stringify(results, null, 1)).to.be.greaterThan(0);
  });
});

describe("irsa-chained live source permission review (F5)", () => {
  const narrow = (statement: unknown) =>
    live(
      (s) =>
        (s.sourceRole!.permissionPolicies.extra = JSON.stringify({
          Version: "2012-10-17",
          Statement: [statement],
        })),
      "source-role",
    ).filter((r) => r.check === "the source role's policies allow assuming only the target role");
  it("the policy buildChainedSourcePermissionPolicy writes passes", () => {
    const results = live(() => undefined, "source-role");
    expect(results.map((r) => r.status)).to.deep.equal(["pass", "pass"]);
  });
  const broad: Array<[string, unknown]> = [
    ["sts:* on *", { Effect: "Allow", Action: "sts:*", Resource: "*" }],
    [
      "sts:AssumeRole on every role of account B",
      { Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::444455556666:role/*" },
    ],
    ["NotAction s3:* on *", { Effect: "Allow", NotAction: "s3:*", Resource: "*" }],
    [
      "sts:AssumeRole with NotResource",
      { Effect: "Allow", Action: "sts:AssumeRole", NotResource: "arn:aws:iam::1:role/x" },
    ],
  ];
  for (const [what, statement] of broad) {
    it(`an extra Allow of ${what} fails, with a fix naming the target role`, () => {
      const [check] = narrow(statement);
      expect(check?.status).to.equal("fail");
      expect(check?.fix).to.match(/narrow .* Resource to arn:aws:iam::444455556666:role\/chained-target/);
    });
  }
  it("an extra Allow of s3:GetObject on * is not this review's", () => {
    expect(narrow({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" })[0]?.status).to.equal("pass");
  });
});

describe("irsa-chained workloads use the selected profile and the mounted file exactly (F7)", () => {
  const uses = (patch: (s: IrsaChainedSnapshot) => void) => {
    const s = goodSnapshot();
    patch(s);
    return checkIrsaChainedChain(s).filter((r) => / selects profile /.test(r.check));
  };
  it("a good snapshot's workloads pass", () => {
    expect(uses(() => undefined).map((r) => r.status)).to.not.include("fail");
  });
  it("a second workload selecting another profile fails", () => {
    const results = uses((s) => (s.workloads[1].env.AWS_PROFILE = "default"));
    expect(results.map((r) => r.status)).to.deep.equal(["pass", "fail"]);
  });
  it("AWS_CONFIG_FILE naming another file under the mount fails", () => {
    const results = uses((s) => {
      const f = s.workloads[0].env.AWS_CONFIG_FILE;
      s.workloads[0].env.AWS_CONFIG_FILE = f.replace(/config$/, "other");
    });
    expect(results[0].status).to.equal("fail");
  });
});

describe("irsa-chained live pods: what else in their environment an SDK takes before the profile", () => {
  const usesProfile = (patch: (s: IrsaChainedSnapshot) => void) =>
    live(patch, "service-account").filter((r) => /mounts the SDK config file/.test(r.check));
  const webhook = {
    AWS_ROLE_ARN: SOURCE,
    AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/eks.amazonaws.com/t",
  };

  it("a healthy chained pod (the webhook's variables beside the profile) passes: Java v2 and Go v2 are the documented limit", () => {
    const results = usesProfile((s) => s.workloads.forEach((w) => Object.assign(w.env, webhook)));
    expect(results.length).to.be.greaterThan(0);
    expect(results.map((r) => r.status)).to.deep.equal(results.map(() => "pass"));
  });

  it("static keys fail the pod (every SDK reads them before the profile, except JavaScript v3)", () => {
    const results = usesProfile((s) =>
      Object.assign(s.workloads[0].env, { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "x" }),
    );
    expect(results[0].status).to.equal("fail");
    expect(results[0].detail).to.match(/boto3 and the AWS CLI, Java v2, Go v2 would use static keys/);
  });

  it("envFrom sources leave the pod undecided (warn), not passed", () => {
    const results = usesProfile((s) => (s.workloads[0].envFrom = ["secretRef app-secrets"]));
    expect(results[0].status).to.equal("warn");
    expect(results[0].detail).to.match(/envFrom secretRef app-secrets are not read/);
  });
});
