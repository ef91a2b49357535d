import { expect } from "chai";
import {
  checkChain,
  explainDecision,
  tryResourcePolicy,
  type CheckResult,
  type IrsaSnapshot,
} from "../../chain";
import { evaluateTrust } from "../../components/evaluate";
import { buildS3AccessPolicy } from "../../components/s3AccessPolicy";
import { buildTrustPolicy } from "../../components/trustPolicy";

const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const HOST = ISSUER.slice("https://".length);
const B = "444455556666";
const PROVIDER = `arn:aws:iam::${B}:oidc-provider/${HOST}`;
const ROLE = `arn:aws:iam::${B}:role/reader`;
const SA = { namespace: "apps", name: "reader" };
const KEY = `arn:aws:kms:eu-west-1:${B}:key/1234`;

/** A healthy live snapshot, as the doctor's collector fills it; `change` breaks one fact. */
function live(change: (s: IrsaSnapshot) => void = () => undefined): IrsaSnapshot {
  const s: IrsaSnapshot = {
    mechanism: "irsa",
    issuerUrl: ISSUER,
    provider: {
      arn: PROVIDER,
      url: ISSUER,
      clientIds: ["sts.amazonaws.com"],
      thumbprints: [],
      adopted: true,
    },
    role: {
      arn: ROLE,
      trustPolicy: JSON.stringify(
        buildTrustPolicy([{ oidcProviderArn: PROVIDER, issuerUrl: ISSUER, serviceAccounts: [SA] }]),
      ),
    },
    permissionPolicies: {
      "s3-access": JSON.stringify(buildS3AccessPolicy({ bucketName: "team-data", kmsKeyArn: KEY })),
    },
    trusted: [SA],
    bucketName: "team-data",
    objectKey: "reports/q3.csv",
    serviceAccount: { ...SA, annotations: { "eks.amazonaws.com/role-arn": ROLE } },
    workloads: [],
    deployProbe: false,
    unavailable: { workloads: "the doctor reads pods" },
    live: {
      cluster: { name: "demo", region: "eu-west-1", accountId: "111122223333" },
      roleAccountId: B,
      discovery: {
        url: `${ISSUER}/.well-known/openid-configuration`,
        document: { issuer: ISSUER, jwksUri: `${ISSUER}/keys` },
        jwksKeyIds: ["k1"],
      },
      pods: [
        {
          name: "reader-1",
          containers: [
            { name: "c", env: { AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token" } },
          ],
        },
      ],
      attachedPolicies: {},
      bucketPolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "TlsOnly",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: ["arn:aws:s3:::team-data", "arn:aws:s3:::team-data/*"],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
      object: { exists: true, detail: "22 bytes", kmsKeyArn: KEY },
      kmsKey: {
        arn: KEY,
        awsManaged: false,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "Root",
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${B}:root` },
              Action: "kms:*",
              Resource: "*",
            },
          ],
        }),
      },
    },
  };
  change(s);
  return s;
}

const find = (results: CheckResult[], check: RegExp) => {
  const r = results.find((x) => check.test(x.check));
  if (!r) throw new Error(`no check ${check} in ${results.map((x) => x.check).join(" | ")}`);
  return r;
};
const statusOf = (s: IrsaSnapshot, check: RegExp) => find(checkChain(s), check).status;

describe("the IRSA chain on live facts (the doctor's checks)", () => {
  it("passes a healthy live chain, check by check, with the live words", () => {
    const results = checkChain(live());
    expect(results.filter((r) => r.status !== "pass")).to.deep.equal([]);
    expect(results.map((r) => r.check)).to.deep.equal([
      "cluster demo (eu-west-1) has an OIDC issuer",
      "the issuer's discovery document and JWKS are reachable and consistent",
      "the role's account 444455556666 has an IAM OIDC provider for the cluster's issuer",
      "the OIDC provider accepts client id sts.amazonaws.com (the ServiceAccount's audience)",
      "STS accepts the issuer's certificate",
      "the role's Federated principal is that provider",
      "the role trusts apps/reader with audience sts.amazonaws.com",
      "ServiceAccount apps/reader is annotated eks.amazonaws.com/role-arn = the role ARN",
      "pods of ServiceAccount apps/reader have the webhook's AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE",
      "the role may s3:GetObject s3://team-data/reports/q3.csv",
      "the role may s3:ListBucket on bucket team-data",
      "the bucket policy of team-data denies the role neither s3:GetObject nor s3:ListBucket",
      "object s3://team-data/reports/q3.csv exists",
      `the role may kms:Decrypt with the object's KMS key ${KEY}`,
    ]);
  });

  describe("the issuer's discovery document and JWKS", () => {
    const discovery = /discovery document/;
    it("warns when there is no route, fails when the issuer answers wrongly", () => {
      const noRoute = live(
        (s) => (s.live!.discovery = { url: "u", error: { message: "ENOTFOUND", noRoute: true } }),
      );
      expect(statusOf(noRoute, discovery)).to.equal("warn");
      const http404 = live(
        (s) => (s.live!.discovery = { url: "u", error: { message: "HTTP 404", noRoute: false } }),
      );
      expect(statusOf(http404, discovery)).to.equal("fail");
      const jwksNoRoute = live(
        (s) => (s.live!.discovery!.jwksError = { message: "ETIMEDOUT", noRoute: true }),
      );
      expect(statusOf(jwksNoRoute, discovery)).to.equal("warn");
      expect(
        statusOf(
          live((s) => (s.live!.discovery!.jwksKeyIds = [])),
          discovery,
        ),
      ).to.equal("fail");
      expect(
        statusOf(
          live((s) => delete s.live!.discovery!.document!.jwksUri),
          discovery,
        ),
      ).to.equal("fail");
    });

    it("fails a TokenRequest token whose key is not in the JWKS or whose signature does not verify", () => {
      const token = {
        issuer: ISSUER,
        audiences: ["sts.amazonaws.com"],
        keyId: "k1",
        signatureVerified: true,
      };
      expect(
        statusOf(
          live((s) => (s.live!.token = token)),
          discovery,
        ),
      ).to.equal("pass");
      const otherKey = live((s) => (s.live!.token = { ...token, keyId: "k2" }));
      expect(find(checkChain(otherKey), discovery).detail).to.equal(
        'the token\'s kid "k2" is not in the JWKS',
      );
      const forged = live(
        (s) => (s.live!.token = { ...token, signatureVerified: false, verifyError: "bad sig" }),
      );
      expect(find(checkChain(forged), discovery).detail).to.match(/signature does not verify: bad sig/);
    });
  });

  describe("the provider's thumbprints", () => {
    const thumb = /STS accepts the issuer's certificate/;
    const other = (change: (s: IrsaSnapshot) => void) =>
      live((s) => {
        const url = "https://issuer.example.com/cluster";
        s.issuerUrl = url;
        s.provider = {
          ...s.provider!,
          url,
          arn: `arn:aws:iam::${B}:oidc-provider/issuer.example.com/cluster`,
        };
        s.role!.trustPolicy = s
          .role!.trustPolicy!.split(PROVIDER)
          .join(s.provider.arn)
          .split(HOST)
          .join("issuer.example.com/cluster");
        s.live!.discovery!.document = { issuer: url, jwksUri: `${url}/keys` };
        change(s);
      });
    it("passes an EKS issuer: IAM checks its certificate with its own trusted CAs", () => {
      expect(find(checkChain(live()), thumb).detail).to.match(/is an EKS issuer/);
    });
    it("for another issuer signed by a private CA, needs a thumbprint from its chain", () => {
      const chain = { thumbprints: ["aa", "bb"], publicRoot: false };
      expect(
        statusOf(
          other((s) => ((s.live!.discovery!.certificates = chain), (s.provider!.thumbprints = ["BB"]))),
          thumb,
        ),
      ).to.equal("pass");
      expect(
        statusOf(
          other((s) => ((s.live!.discovery!.certificates = chain), (s.provider!.thumbprints = ["cc"]))),
          thumb,
        ),
      ).to.equal("fail");
      const publicChain = { thumbprints: ["aa"], publicRoot: true };
      expect(
        statusOf(
          other((s) => (s.live!.discovery!.certificates = publicChain)),
          thumb,
        ),
      ).to.equal("pass");
      expect(
        statusOf(
          other(() => undefined),
          thumb,
        ),
      ).to.equal("skip");
    });
  });

  it("fails pods that run with another role's environment, and skips when no pod runs as the ServiceAccount", () => {
    const stale = live(
      (s) => (s.live!.pods![0].containers[0].env.AWS_ROLE_ARN = `arn:aws:iam::${B}:role/old`),
    );
    expect(find(checkChain(stale), /pods of/).detail).to.match(
      /AWS_ROLE_ARN arn:aws:iam::444455556666:role\/old is not the role/,
    );
    expect(
      statusOf(
        live((s) => (s.live!.pods = [])),
        /pods of/,
      ),
    ).to.equal("skip");
  });

  it("skips the Kubernetes side with --no-cluster, saying what it would have checked", () => {
    const results = checkChain(
      live((s) => {
        delete s.serviceAccount;
        delete s.live!.pods;
        s.unavailable = { ...s.unavailable, cluster: "--no-cluster" };
      }),
    );
    const skipped = results.filter((r) => r.status === "skip");
    expect(skipped.map((r) => r.detail)).to.deep.equal([
      `--no-cluster: would have checked that it exists and is annotated eks.amazonaws.com/role-arn=${ROLE}`,
      `--no-cluster: would have checked that its pods have AWS_ROLE_ARN=${ROLE} and AWS_WEB_IDENTITY_TOKEN_FILE`,
    ]);
  });

  it("uses the ServiceAccount's own audience for the provider's client ids and the trust policy", () => {
    const custom = live((s) => (s.serviceAccount!.annotations["eks.amazonaws.com/audience"] = "my-aud"));
    const results = checkChain(custom);
    expect(find(results, /accepts client id my-aud/).status).to.equal("fail");
    expect(find(results, /trusts apps\/reader with audience my-aud/).detail).to.match(
      /condition StringEquals .*:aud expects "sts.amazonaws.com", the request has "my-aud"/,
    );
  });

  it("warns, naming the statement, on a trust policy construct the evaluator cannot read; never allows", () => {
    const s = live((x) => {
      const doc = JSON.parse(x.role!.trustPolicy!) as { Statement: Record<string, unknown>[] };
      doc.Statement.push({
        Sid: "Odd",
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        NotAction: "sts:TagSession",
      });
      x.role!.trustPolicy = JSON.stringify(doc);
    });
    const r = find(checkChain(s), /the role trusts/);
    expect(r.status).to.equal("warn");
    expect(r.detail).to.match(/statement Odd \(evaluate: NotAction is not supported/);
  });

  describe("the bucket and its key", () => {
    it("fails an explicit deny in the bucket policy even beside a statement it cannot read", () => {
      const doc = {
        Version: "2012-10-17" as const,
        Statement: [
          {
            Sid: "Odd",
            Effect: "Deny" as const,
            NotPrincipal: { AWS: "x" },
            Action: "s3:DeleteObject",
            Resource: "*",
          },
          {
            Sid: "NoReader",
            Effect: "Deny" as const,
            Principal: { AWS: ROLE },
            Action: "s3:GetObject",
            Resource: "*",
          },
        ],
      };
      const outcome = tryResourcePolicy(doc, [ROLE], "s3:GetObject", "arn:aws:s3:::team-data/k");
      expect(outcome.decision).to.equal("ExplicitDeny");
      expect(outcome.reason).to.match(
        /^denied by statement NoReader \(the evaluator cannot read statement Odd/,
      );
    });

    it("applies a deny to the role's account root to the role", () => {
      const s = live((x) => {
        x.live!.bucketPolicy = JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "NoB",
              Effect: "Deny",
              Principal: { AWS: `arn:aws:iam::${B}:root` },
              Action: "s3:ListBucket",
              Resource: "*",
            },
          ],
        });
      });
      expect(find(checkChain(s), /bucket policy/).detail).to.match(/denied by statement NoB/);
      expect(
        statusOf(
          live((x) => (x.live!.bucketPolicy = null)),
          /bucket policy/,
        ),
      ).to.equal("pass");
    });

    it("needs kms:Decrypt in the role's policy when the key policy only delegates to the account", () => {
      const noGrant = live(
        (x) =>
          (x.permissionPolicies = { p: JSON.stringify(buildS3AccessPolicy({ bucketName: "team-data" })) }),
      );
      expect(statusOf(noGrant, /kms:Decrypt/)).to.equal("fail");
      const direct = live((x) => {
        x.permissionPolicies = { p: JSON.stringify(buildS3AccessPolicy({ bucketName: "team-data" })) };
        x.live!.kmsKey!.policy = JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "Reader",
              Effect: "Allow",
              Principal: { AWS: ROLE },
              Action: "kms:Decrypt",
              Resource: "*",
            },
          ],
        });
      });
      expect(statusOf(direct, /kms:Decrypt/)).to.equal("pass");
      const awsManagedElsewhere = live(
        (x) => (x.live!.kmsKey = { arn: KEY.replace(B, "999999999999"), awsManaged: true }),
      );
      expect(statusOf(awsManagedElsewhere, /kms:Decrypt/)).to.equal("fail");
    });

    it("skips what could not be read, with AWS's error", () => {
      const s = live((x) => {
        delete x.live!.object;
        delete x.live!.kmsKey;
        x.unavailable = { ...x.unavailable, object: "HeadObject: AccessDenied" };
      });
      expect(find(checkChain(s), /exists/)).to.deep.include({
        status: "skip",
        detail: "HeadObject: AccessDenied",
      });
    });
  });

  it("moves a failed end-to-end step to the link its error points to, with the diagnosis as the fix", () => {
    const s = live((x) => {
      x.live!.assume = [
        { step: "token", ok: true, detail: "sub system:serviceaccount:apps:reader" },
        {
          step: "sts",
          ok: false,
          detail: "InvalidIdentityToken: No OpenIDConnect provider found",
          pointsTo: "oidc-provider",
          advice: "create the provider",
        },
      ];
    });
    const results = checkChain(s).slice(-2);
    expect(results.map((r) => [r.link, r.status])).to.deep.equal([
      ["service-account", "pass"],
      ["oidc-provider", "fail"],
    ]);
    expect(results[1].fix).to.equal("create the provider");
  });

  it("explains which part of a trust statement fails, by asking the evaluator", () => {
    const doc = buildTrustPolicy([{ oidcProviderArn: PROVIDER, issuerUrl: ISSUER, serviceAccounts: [SA] }]);
    const ask = (sub: string, aud: string, provider = PROVIDER) =>
      explainDecision(doc, {
        evaluate: (d) => evaluateTrust(d, { oidcProviderArn: provider, sub, aud }),
        principal: { Federated: provider },
        context: { [`${HOST}:sub`]: sub, [`${HOST}:aud`]: aud },
      });
    expect(ask("system:serviceaccount:apps:reader", "sts.amazonaws.com")).to.match(/is allowed by statement/);
    expect(ask("system:serviceaccount:apps:other", "sts.amazonaws.com")).to.match(
      /condition StringEquals .*:sub expects "system:serviceaccount:apps:reader", the request has "system:serviceaccount:apps:other"$/,
    );
    const inA = PROVIDER.replace(B, "111122223333");
    expect(ask("system:serviceaccount:apps:reader", "sts.amazonaws.com", inA)).to.match(
      /its principal ".*444455556666.*" is not the requester/,
    );
  });
});
