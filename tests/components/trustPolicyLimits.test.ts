import { expect } from "chai";
import { InputError, PolicySizeError } from "../../components/errors";
import { evaluateTrust } from "../../components/evaluate";
import { policySize } from "../../components/policyDocument";
import {
  buildTrustPolicy,
  DEFAULT_TRUST_POLICY_MAX_SIZE,
  MAX_TRUST_POLICY_QUOTA,
  STS_AUDIENCE,
  type ServiceAccountRef,
  type TrustedCluster,
} from "../../components/trustPolicy";
import { DNS1123_LABEL_RULE, DNS1123_SUBDOMAIN_RULE } from "../../components/validation";
import { expectInputError, HOST_A, ISSUER_A, ISSUER_B, PROVIDER_A, clusterA } from "./coreHelpers";

const WILDCARD_RULE =
  "wildcards '*' and '?' are only allowed with conditionTest \"StringLike\"; under \"StringEquals\" they match only a literal '*' or '?'";

/** Service accounts `ns-<i>:sa-<i>`, for size tests. */
function manyServiceAccounts(count: number, prefix = "team"): ServiceAccountRef[] {
  return Array.from({ length: count }, (_, i) => ({ namespace: `${prefix}-${i}`, name: `reader-${i}` }));
}

describe("buildTrustPolicy", () => {
  describe("size limit", () => {
    it("accepts a document of exactly maxSize and rejects one character more", () => {
      const sas = manyServiceAccounts(10);
      const size = policySize(buildTrustPolicy([clusterA(sas)]));
      expect(policySize(buildTrustPolicy([clusterA(sas)], { maxSize: size }))).to.equal(size);
      expect(() => buildTrustPolicy([clusterA(sas)], { maxSize: size - 1 })).to.throw(
        InputError,
        `over the limit of ${size - 1}`,
      );
    });

    it("rejects a document over the default 2048, naming the size, the limit and the ways out", () => {
      const sas = manyServiceAccounts(60);
      const size = policySize(buildTrustPolicy([clusterA(sas)], { maxSize: MAX_TRUST_POLICY_QUOTA }));
      expect(size).to.be.greaterThan(DEFAULT_TRUST_POLICY_MAX_SIZE);
      expect(size).to.be.at.most(MAX_TRUST_POLICY_QUOTA);
      let err: InputError | undefined;
      try {
        buildTrustPolicy([clusterA(sas)]);
      } catch (e) {
        err = e as InputError;
      }
      expect(err).to.be.instanceOf(PolicySizeError);
      expect(err!.field).to.equal("clusters[].serviceAccounts");
      expect(err!.value).to.equal("60 service accounts");
      expect(err!.rule).to.equal(`policy size ${size} exceeds the limit of 2048`);
      expect(err).to.include({ size, limit: 2048 });
      const m = err!.message;
      expect(m).to.include("clusters[].serviceAccounts");
      expect(m).to.include("60 service accounts");
      expect(m).to.include(`is ${size} characters`);
      expect(m).to.include("whitespace excluded");
      expect(m).to.include("over the limit of 2048 (options.maxSize)");
      expect(m).to.include('conditionTest "StringLike"');
      expect(m).to.include("split the service accounts across several roles");
      expect(m).to.include("Service Quotas (up to 4096)");
      expect(m).to.include("pass that as options.maxSize");
      // Namespaces are never patterns (issue 9): the advice must not suggest one.
      expect(m).to.include('name "report-*"');
    });

    it("counts distinct service accounts in the message and honours a raised maxSize", () => {
      const sas = manyServiceAccounts(60);
      const err = (() => {
        try {
          buildTrustPolicy([clusterA([...sas, ...sas])]);
        } catch (e) {
          return e as InputError;
        }
        return undefined;
      })();
      expect(err?.value).to.equal("60 service accounts");
      const doc = buildTrustPolicy([clusterA(sas)], { maxSize: 4096 });
      expect(doc.Statement[0].Condition!.StringEquals[`${HOST_A}:sub`]).to.have.length(60);
    });

    it("rejects even at 4096 when the service accounts do not fit", () => {
      expect(() => buildTrustPolicy([clusterA(manyServiceAccounts(200))], { maxSize: 4096 })).to.throw(
        InputError,
        "over the limit of 4096",
      );
    });
  });

  describe("errors name the field, the value and the rule", () => {
    const sa = { namespace: "apps", name: "reader" };

    it("a provider ARN that is not an OIDC provider ARN", () => {
      for (const bad of [
        "",
        HOST_A,
        `arn:aws:iam::2222333344:oidc-provider/${HOST_A}`,
        `arn:aws:iam::222233334444:role/${HOST_A}`,
        `arn:aws:iam::222233334444:oidc-provider/${HOST_A}/`,
        `arn:aws:iam::222233334444:oidc-provider/https://${HOST_A}`,
      ]) {
        expectInputError(
          () => buildTrustPolicy([{ oidcProviderArn: bad, issuerUrl: ISSUER_A, serviceAccounts: [sa] }]),
          "clusters[0].oidcProviderArn",
          bad,
          "must be an IAM OIDC provider ARN: arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host/path>",
        );
      }
    });

    it("a provider whose host/path is not the normalised issuer", () => {
      for (const issuerUrl of [ISSUER_B, `${ISSUER_A}X`, ISSUER_A.replace("/id/EXAMPLE", "/id/example")]) {
        expectInputError(
          () =>
            buildTrustPolicy([
              clusterA([sa]),
              { oidcProviderArn: PROVIDER_A, issuerUrl, serviceAccounts: [sa] },
            ]),
          "clusters[1].oidcProviderArn",
          PROVIDER_A,
          `must be the IAM OIDC provider of clusters[1].issuerUrl, i.e. end in ":oidc-provider/`,
        );
      }
    });

    it("a provider ARN with an upper-case host does not match the (lower-cased) issuer", () => {
      const upper = PROVIDER_A.replace("oidc.eks", "OIDC.EKS");
      expectInputError(
        () => buildTrustPolicy([{ oidcProviderArn: upper, issuerUrl: ISSUER_A, serviceAccounts: [sa] }]),
        "clusters[0].oidcProviderArn",
        upper,
        `end in ":oidc-provider/${HOST_A}"`,
      );
    });

    it("a bad issuer URL", () => {
      expectInputError(
        () =>
          buildTrustPolicy([
            { oidcProviderArn: PROVIDER_A, issuerUrl: `http://${HOST_A}`, serviceAccounts: [sa] },
          ]),
        "clusters[0].issuerUrl",
        `http://${HOST_A}`,
        "must use https://",
      );
    });

    it("a namespace that is not a DNS-1123 label", () => {
      for (const namespace of ["Apps", "a.b", "", "-a", "x".repeat(64)]) {
        expectInputError(
          () => buildTrustPolicy([clusterA([sa, { namespace, name: "reader" }])]),
          "clusters[0].serviceAccounts[1].namespace",
          namespace,
          DNS1123_LABEL_RULE,
        );
      }
    });

    it("a name that is not a DNS-1123 subdomain", () => {
      for (const name of ["Reader", "r_1", "", ".r", "r.", "x".repeat(254)]) {
        expectInputError(
          () => buildTrustPolicy([clusterA([{ namespace: "apps", name }])]),
          "clusters[0].serviceAccounts[0].name",
          name,
          DNS1123_SUBDOMAIN_RULE,
        );
      }
    });

    it("'*' or '?' under StringEquals (the default and explicit)", () => {
      for (const options of [{}, { conditionTest: "StringEquals" as const }]) {
        expectInputError(
          () => buildTrustPolicy([clusterA([{ namespace: "team-*", name: "reader" }])], options),
          "clusters[0].serviceAccounts[0].namespace",
          "team-*",
          WILDCARD_RULE,
        );
        expectInputError(
          () => buildTrustPolicy([clusterA([sa, { namespace: "apps", name: "reader-?" }])], options),
          "clusters[0].serviceAccounts[1].name",
          "reader-?",
          WILDCARD_RULE,
        );
      }
    });

    it("a wildcard in a StringLike namespace, which would trust namespaces nobody named", () => {
      for (const namespace of ["*", "team-*", "?", "??", "*?*"]) {
        expectInputError(
          () =>
            buildTrustPolicy([clusterA([sa, { namespace, name: "reader" }])], {
              conditionTest: "StringLike",
            }),
          "clusters[0].serviceAccounts[1].namespace",
          namespace,
          "must be named literally: under StringLike a wildcard in the namespace would trust service accounts of namespaces nobody named",
        );
      }
    });

    it("StringLike name patterns that together trust a whole namespace, unless trustWholeNamespaces says so", () => {
      const letters = [..."abcdefghijklmnopqrstuvwxyz0123456789"];
      const sets: Array<[string, Array<{ namespace: string; name: string }>, RegExp]> = [
        ["*", [{ namespace: "apps", name: "*" }], /together match every service account of namespace apps;/],
        ["??*", [{ namespace: "apps", name: "??*" }], /but a few short names \(e, r\)/],
        ["*?", [{ namespace: "apps", name: "*?" }], /match every service account of namespace apps;/],
        [
          "one pattern per first character",
          letters.map((c) => ({ namespace: "apps", name: `${c}*` })),
          /match every service account of namespace apps;/,
        ],
        [
          "one pattern per last character",
          letters.map((c) => ({ namespace: "apps", name: `*${c}` })),
          /match every service account of namespace apps;/,
        ],
      ];
      for (const [label, patterns, message] of sets) {
        let caught: unknown;
        try {
          buildTrustPolicy([clusterA([sa, ...patterns])], { conditionTest: "StringLike", maxSize: 4096 });
        } catch (e) {
          caught = e;
        }
        expect(caught, label).to.be.instanceOf(InputError);
        const error = caught as InputError;
        expect(error.field, label).to.equal("clusters[0].serviceAccounts");
        expect(error.message, label).to.match(message);
        expect(error.message, label).to.include("cross-account-irsa:trustWholeNamespaces: true");
        // Asked for by name, the same set is a valid grant.
        const doc = buildTrustPolicy([clusterA([sa, ...patterns])], {
          conditionTest: "StringLike",
          maxSize: 4096,
          trustWholeNamespaces: true,
        });
        expect(doc.Statement).to.have.length(1);
      }
      // Only the namespace named: another namespace is never reached, with or without the flag.
      const wide = buildTrustPolicy([clusterA([{ namespace: "apps", name: "*" }])], {
        conditionTest: "StringLike",
        trustWholeNamespaces: true,
      });
      const ask = (sub: string) =>
        evaluateTrust(wide, { oidcProviderArn: PROVIDER_A, sub, aud: STS_AUDIENCE }).decision;
      expect(ask("system:serviceaccount:apps:anything")).to.equal("Allow");
      expect(ask("system:serviceaccount:kube-system:aws-node")).to.equal("ImplicitDeny");
      expect(ask("system:serviceaccount:apps-2:x")).to.equal("ImplicitDeny");
    });

    it("StringLike patterns with characters no name can have", () => {
      expectInputError(
        () =>
          buildTrustPolicy([clusterA([{ namespace: "Team", name: "r*" }])], { conditionTest: "StringLike" }),
        "clusters[0].serviceAccounts[0].namespace",
        "Team",
        DNS1123_LABEL_RULE,
      );
      expectInputError(
        () =>
          buildTrustPolicy([clusterA([{ namespace: "a.b", name: "r*" }])], { conditionTest: "StringLike" }),
        "clusters[0].serviceAccounts[0].namespace",
        "a.b",
        DNS1123_LABEL_RULE,
      );
      expectInputError(
        () =>
          buildTrustPolicy([clusterA([{ namespace: "apps", name: "r:*" }])], { conditionTest: "StringLike" }),
        "clusters[0].serviceAccounts[0].name",
        "r:*",
        `${DNS1123_SUBDOMAIN_RULE} ('*' and '?' allowed with StringLike)`,
      );
    });

    it("no service accounts", () => {
      for (const serviceAccounts of [[], undefined, "apps:reader"]) {
        expectInputError(
          () =>
            buildTrustPolicy([
              {
                oidcProviderArn: PROVIDER_A,
                issuerUrl: ISSUER_A,
                serviceAccounts,
              } as unknown as TrustedCluster,
            ]),
          "clusters[0].serviceAccounts",
          serviceAccounts,
          "must list at least one service account: a role that trusts none can never be assumed",
        );
      }
    });

    it("a service account that is not an object", () => {
      expectInputError(
        () => buildTrustPolicy([clusterA([sa, null as unknown as ServiceAccountRef])]),
        "clusters[0].serviceAccounts[1]",
        null,
        "must be an object { namespace, name }",
      );
      expectInputError(
        () => buildTrustPolicy([clusterA([{ namespace: "apps" } as ServiceAccountRef])]),
        "clusters[0].serviceAccounts[0].name",
        undefined,
        "must be a string",
      );
    });

    it("no clusters, or a cluster that is not an object", () => {
      expectInputError(() => buildTrustPolicy([]), "clusters", [], "must list at least 1 item");
      expectInputError(
        () => buildTrustPolicy(undefined as unknown as TrustedCluster[]),
        "clusters",
        undefined,
        "must be a list",
      );
      expectInputError(
        () => buildTrustPolicy([clusterA([sa]), "x" as unknown as TrustedCluster]),
        "clusters[1]",
        "x",
        "must be an object { oidcProviderArn, issuerUrl, serviceAccounts }",
      );
    });

    it("a bad audience", () => {
      for (const audience of ["", "sts.*", "sts.amazonaws.co?", "sts amazonaws", " sts.amazonaws.com"]) {
        expectInputError(
          () => buildTrustPolicy([clusterA([sa])], { audience }),
          "options.audience",
          audience,
          "must be a non-empty audience without whitespace or wildcards; it is always matched exactly",
        );
      }
      expectInputError(
        () => buildTrustPolicy([clusterA([sa])], { audience: 1 as unknown as string }),
        "options.audience",
        1,
        "must be a string",
      );
    });

    it("a bad conditionTest", () => {
      expectInputError(
        () =>
          buildTrustPolicy([clusterA([sa])], {
            conditionTest: "StringNotEquals" as unknown as "StringLike",
          }),
        "options.conditionTest",
        "StringNotEquals",
        'must be "StringEquals" or "StringLike"',
      );
    });

    it("a bad maxSize", () => {
      for (const maxSize of [5000, 4097, 0, -1, 2048.5, Number.NaN, "2048"]) {
        expectInputError(
          () => buildTrustPolicy([clusterA([sa])], { maxSize: maxSize as number }),
          "options.maxSize",
          maxSize,
          "must be a whole number from 1 to 4096",
        );
      }
    });

    it("validates the options before the clusters", () => {
      expectInputError(
        () => buildTrustPolicy([], { maxSize: 5000 }),
        "options.maxSize",
        5000,
        "must be a whole number from 1 to 4096",
      );
    });
  });
});
