import { expect } from "chai";
import { explainDecision, type IrsaSnapshot } from "../../chain";
import { checkChain } from "../../mechanisms";
import { evaluateTrust } from "../../components/evaluate";
import { buildTrustPolicy } from "../../components/trustPolicy";
import { B, HOST, ISSUER, KEY, PROVIDER, ROLE, SA, find, live, statusOf } from "./liveSnapshot";

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
      "the trust admits the provider's tokens only with an aud condition and for named service accounts of literal namespaces",
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

  it("reports each pod's credential path, and fails a pod whose SDKs would not use IRSA's token", () => {
    expect(find(checkChain(live()), /pods of/).detail).to.match(
      / uses IRSA's web identity \(AWS_ROLE_ARN\)$/,
    );
    const migrating = live((s) => {
      s.live!.pods![0].containers[0].env.AWS_CONTAINER_CREDENTIALS_FULL_URI =
        "http://169.254.170.23/v1/credentials";
    });
    expect(statusOf(migrating, /pods of/)).to.equal("pass");
    const keys = live((s) => {
      s.live!.pods![0].containers[0].env.AWS_ACCESS_KEY_ID = "AKIAEXAMPLE";
      s.live!.pods![0].containers[0].env.AWS_SECRET_ACCESS_KEY = "secret";
    });
    expect(find(checkChain(keys), /pods of/)).to.include({ status: "fail" });
    expect(find(checkChain(keys), /pods of/).detail).to.match(
      /every AWS SDK would use static keys \(AWS_ACCESS_KEY_ID\), not IRSA's web identity/,
    );
    const fromSecret = live((s) => (s.live!.pods![0].containers[0].envFrom = ["secretRef static-keys"]));
    expect(find(checkChain(fromSecret), /pods of/)).to.include({ status: "warn" });
    expect(find(checkChain(fromSecret), /pods of/).detail).to.match(
      /envFrom secretRef static-keys are not read/,
    );
    const profile = live((s) => (s.live!.pods![0].containers[0].env.AWS_PROFILE = "other"));
    expect(find(checkChain(profile), /pods of/).detail).to.match(
      /JavaScript v3, boto3 and the AWS CLI would use the config profile \(AWS_PROFILE\)/,
    );
  });

  it("the cluster not found fails link 1; a cluster it may not read leaves link 1 undecided (warn)", () => {
    const gone = live((x) => {
      delete x.issuerUrl;
      x.live!.cluster.error =
        "DescribeCluster demo: ResourceNotFoundException: No cluster found for name: demo.";
    });
    expect([checkChain(gone)[0].status, checkChain(gone)[0].detail]).to.deep.equal([
      "fail",
      gone.live!.cluster.error,
    ]);
    const denied = live((x) => {
      delete x.issuerUrl;
      x.live!.cluster.error = "DescribeCluster demo: AccessDeniedException: not authorized";
      x.live!.cluster.unreadable = true;
    });
    expect([checkChain(denied)[0].status, checkChain(denied)[0].detail]).to.deep.equal([
      "warn",
      denied.live!.cluster.error,
    ]);
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
    expect(r.detail).to.match(/statement Odd \(.*NotAction is not supported by this evaluator/);
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
