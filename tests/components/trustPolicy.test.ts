import { expect } from "chai";
import fc from "fast-check";
import { InputError, PolicySizeError } from "../../components/errors";
import { evaluateTrust } from "../../components/evaluate";
import {
  oneOrMany,
  policyJson,
  policySize,
  sortedUnique,
  type PolicyDocument,
} from "../../components/policyDocument";
import {
  buildTrustPolicy,
  DEFAULT_TRUST_POLICY_MAX_SIZE,
  MAX_TRUST_POLICY_QUOTA,
  serviceAccountSubject,
  STS_AUDIENCE,
  type ServiceAccountRef,
  type TrustedCluster,
} from "../../components/trustPolicy";
import { DNS1123_LABEL_RULE, DNS1123_SUBDOMAIN_RULE } from "../../components/validation";
import {
  dnsLabel,
  dnsSubdomain,
  expectInputError,
  HOST_A,
  HOST_B,
  ISSUER_A,
  ISSUER_B,
  PROVIDER_A,
  PROVIDER_B,
} from "./coreHelpers";

const WILDCARD_RULE =
  "wildcards '*' and '?' are only allowed with conditionTest \"StringLike\"; under \"StringEquals\" they match only a literal '*' or '?'";

function clusterA(serviceAccounts: ServiceAccountRef[]): TrustedCluster {
  return { oidcProviderArn: PROVIDER_A, issuerUrl: ISSUER_A, serviceAccounts };
}

/** Service accounts `ns-<i>:sa-<i>`, for size tests. */
function manyServiceAccounts(count: number, prefix = "team"): ServiceAccountRef[] {
  return Array.from({ length: count }, (_, i) => ({ namespace: `${prefix}-${i}`, name: `reader-${i}` }));
}

describe("policyDocument helpers", () => {
  it("policySize counts the characters of the JSON without whitespace; policyJson is compact", () => {
    const doc: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [{ Sid: "A", Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" }],
    };
    const json =
      '{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}]}';
    expect(policyJson(doc)).to.equal(json);
    expect(policySize(doc)).to.equal(json.length);
    expect(policySize(doc)).to.equal(JSON.stringify(doc, null, 4).replace(/\s/g, "").length);
  });

  it("oneOrMany gives a lone string for one value and the list otherwise", () => {
    expect(oneOrMany(["a"])).to.equal("a");
    expect(oneOrMany(["a", "b"])).to.deep.equal(["a", "b"]);
    expect(oneOrMany([])).to.deep.equal([]);
  });

  it("sortedUnique sorts in code-point order (not locale order) and de-duplicates", () => {
    expect(sortedUnique(["b", "a", "B", "_", "a", "é", "e"])).to.deep.equal(["B", "_", "a", "b", "e", "é"]);
    expect(sortedUnique(new Set(["x"]))).to.deep.equal(["x"]);
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 4 }), { maxLength: 10 }), (values) => {
        const out = sortedUnique(values);
        expect(out).to.deep.equal([...new Set(values)].sort());
        expect(sortedUnique([...values].reverse())).to.deep.equal(out);
      }),
      { numRuns: 100 },
    );
  });
});

describe("serviceAccountSubject", () => {
  it("gives system:serviceaccount:<namespace>:<name>", () => {
    expect(serviceAccountSubject({ namespace: "apps", name: "s3-reader" })).to.equal(
      "system:serviceaccount:apps:s3-reader",
    );
    expect(serviceAccountSubject({ namespace: "a", name: "b.c" })).to.equal("system:serviceaccount:a:b.c");
  });

  it("rejects a namespace that is not a DNS-1123 label", () => {
    expectInputError(
      () => serviceAccountSubject({ namespace: "Apps", name: "r" }),
      "serviceAccount.namespace",
      "Apps",
      DNS1123_LABEL_RULE,
    );
    expectInputError(
      () => serviceAccountSubject({ namespace: "a.b", name: "r" }),
      "serviceAccount.namespace",
      "a.b",
      DNS1123_LABEL_RULE,
    );
  });

  it("rejects a name that is not a DNS-1123 subdomain", () => {
    expectInputError(
      () => serviceAccountSubject({ namespace: "apps", name: "r_1" }),
      "serviceAccount.name",
      "r_1",
      DNS1123_SUBDOMAIN_RULE,
    );
    expectInputError(
      () => serviceAccountSubject({ namespace: "apps", name: "*" }),
      "serviceAccount.name",
      "*",
      DNS1123_SUBDOMAIN_RULE,
    );
  });

  it("rejects a missing reference", () => {
    expectInputError(
      () => serviceAccountSubject(undefined as unknown as ServiceAccountRef),
      "serviceAccount.namespace",
      undefined,
      "must be a string",
    );
  });
});

describe("buildTrustPolicy", () => {
  describe("documents", () => {
    it("one service account: sub and aud under StringEquals, keys without https:// or trailing slash", () => {
      const doc = buildTrustPolicy([
        {
          oidcProviderArn: PROVIDER_A,
          issuerUrl: `${ISSUER_A}/`,
          serviceAccounts: [{ namespace: "apps", name: "reader" }],
        },
      ]);
      expect(doc).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: PROVIDER_A },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                [`${HOST_A}:aud`]: "sts.amazonaws.com",
                [`${HOST_A}:sub`]: "system:serviceaccount:apps:reader",
              },
            },
          },
        ],
      });
      const json = policyJson(doc);
      expect(json).to.not.include("https://");
      expect(json).to.not.include("/:");
      expect(json).to.equal(
        `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PROVIDER_A}"},` +
          `"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"${HOST_A}:aud":"sts.amazonaws.com",` +
          `"${HOST_A}:sub":"system:serviceaccount:apps:reader"}}}]}`,
      );
    });

    it("accepts the issuer without https:// and with an upper-case host", () => {
      const expected = buildTrustPolicy([clusterA([{ namespace: "apps", name: "reader" }])]);
      for (const issuerUrl of [
        HOST_A,
        `${HOST_A}/`,
        ISSUER_A.replace("oidc.eks.eu-west-1", "OIDC.EKS.EU-WEST-1"),
      ]) {
        expect(
          policyJson(
            buildTrustPolicy([
              {
                oidcProviderArn: PROVIDER_A,
                issuerUrl,
                serviceAccounts: [{ namespace: "apps", name: "reader" }],
              },
            ]),
          ),
        ).to.equal(policyJson(expected));
      }
    });

    it("several service accounts: sub values sorted and de-duplicated, in one statement", () => {
      const doc = buildTrustPolicy([
        clusterA([
          { namespace: "zeta", name: "reader" },
          { namespace: "apps", name: "writer" },
          { namespace: "apps", name: "reader" },
          { namespace: "zeta", name: "reader" },
        ]),
      ]);
      expect(doc.Statement).to.have.length(1);
      expect(doc.Statement[0].Condition).to.deep.equal({
        StringEquals: {
          [`${HOST_A}:aud`]: "sts.amazonaws.com",
          [`${HOST_A}:sub`]: [
            "system:serviceaccount:apps:reader",
            "system:serviceaccount:apps:writer",
            "system:serviceaccount:zeta:reader",
          ],
        },
      });
    });

    it("several clusters: one statement per provider, each with its own keys, sorted by provider ARN", () => {
      const doc = buildTrustPolicy([
        {
          oidcProviderArn: PROVIDER_B,
          issuerUrl: ISSUER_B,
          serviceAccounts: [{ namespace: "b", name: "reader" }],
        },
        clusterA([{ namespace: "a", name: "reader" }]),
      ]);
      // PROVIDER_A (eu-west-1) sorts before PROVIDER_B (us-east-1).
      expect(PROVIDER_A < PROVIDER_B).to.equal(true);
      expect(doc).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: PROVIDER_A },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                [`${HOST_A}:aud`]: "sts.amazonaws.com",
                [`${HOST_A}:sub`]: "system:serviceaccount:a:reader",
              },
            },
          },
          {
            Effect: "Allow",
            Principal: { Federated: PROVIDER_B },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                [`${HOST_B}:aud`]: "sts.amazonaws.com",
                [`${HOST_B}:sub`]: "system:serviceaccount:b:reader",
              },
            },
          },
        ],
      });
      // Never two providers in one statement, never one provider's keys in another's statement.
      for (const st of doc.Statement) {
        const federated = (st.Principal as { Federated: string }).Federated;
        expect(federated).to.be.a("string");
        const host = federated.split(":oidc-provider/")[1];
        expect(Object.keys(st.Condition!.StringEquals).every((k) => k.startsWith(`${host}:`))).to.equal(true);
      }
    });

    it("merges entries that name the same provider into one statement", () => {
      const doc = buildTrustPolicy([
        clusterA([{ namespace: "apps", name: "writer" }]),
        {
          oidcProviderArn: PROVIDER_B,
          issuerUrl: ISSUER_B,
          serviceAccounts: [{ namespace: "b", name: "r" }],
        },
        {
          oidcProviderArn: PROVIDER_A,
          issuerUrl: HOST_A,
          serviceAccounts: [{ namespace: "apps", name: "reader" }],
        },
        clusterA([{ namespace: "apps", name: "writer" }]),
      ]);
      expect(doc.Statement).to.have.length(2);
      expect(doc.Statement[0].Principal).to.deep.equal({ Federated: PROVIDER_A });
      expect(doc.Statement[0].Condition!.StringEquals[`${HOST_A}:sub`]).to.deep.equal([
        "system:serviceaccount:apps:reader",
        "system:serviceaccount:apps:writer",
      ]);
      expect(doc.Statement[1].Principal).to.deep.equal({ Federated: PROVIDER_B });
    });

    it("two providers for the same issuer in two accounts stay two statements", () => {
      const other = PROVIDER_A.replace("222233334444", "555566667777");
      const doc = buildTrustPolicy([
        clusterA([{ namespace: "apps", name: "reader" }]),
        {
          oidcProviderArn: other,
          issuerUrl: ISSUER_A,
          serviceAccounts: [{ namespace: "apps", name: "reader" }],
        },
      ]);
      expect(doc.Statement.map((s) => s.Principal)).to.deep.equal([
        { Federated: PROVIDER_A },
        { Federated: other },
      ]);
    });

    it("StringLike: aud stays StringEquals, sub patterns go under StringLike", () => {
      const doc = buildTrustPolicy(
        [
          clusterA([
            { namespace: "team-a", name: "reader-*" },
            { namespace: "apps", name: "reader-?" },
            { namespace: "apps", name: "plain" },
          ]),
        ],
        { conditionTest: "StringLike" },
      );
      expect(doc.Statement[0].Condition).to.deep.equal({
        StringEquals: { [`${HOST_A}:aud`]: "sts.amazonaws.com" },
        StringLike: {
          [`${HOST_A}:sub`]: [
            "system:serviceaccount:apps:plain",
            "system:serviceaccount:apps:reader-?",
            "system:serviceaccount:team-a:reader-*",
          ],
        },
      });
    });

    it("StringLike accepts name patterns that leave infinitely many names of the namespace out", () => {
      for (const sa of [
        { namespace: "apps", name: "reader-*" },
        { namespace: "apps", name: "r*" },
        { namespace: "apps", name: "*-reader" },
        { namespace: "apps", name: "?" },
        { namespace: "apps", name: "*a*" },
      ]) {
        const doc = buildTrustPolicy([clusterA([sa])], { conditionTest: "StringLike" });
        expect(doc.Statement[0].Condition!.StringLike[`${HOST_A}:sub`]).to.equal(
          `system:serviceaccount:${sa.namespace}:${sa.name}`,
        );
      }
    });

    it("a custom audience goes in aud, still under StringEquals", () => {
      const doc = buildTrustPolicy([clusterA([{ namespace: "apps", name: "reader" }])], {
        audience: "my-audience",
      });
      expect(doc.Statement[0].Condition!.StringEquals[`${HOST_A}:aud`]).to.equal("my-audience");
      expect(STS_AUDIENCE).to.equal("sts.amazonaws.com");
    });

    it("is byte-for-byte identical whatever the order, duplication or split of the input (property)", () => {
      const saArb = fc.record({ namespace: dnsLabel(8), name: dnsSubdomain() });
      const clusterArb = fc.tuple(
        fc.constantFrom(
          { arn: PROVIDER_A, issuers: [ISSUER_A, HOST_A, `${ISSUER_A}/`] },
          { arn: PROVIDER_B, issuers: [ISSUER_B, HOST_B, `${HOST_B}//`] },
        ),
        fc.array(saArb, { minLength: 1, maxLength: 6 }),
      );
      fc.assert(
        fc.property(
          fc.array(clusterArb, { minLength: 1, maxLength: 3 }),
          fc.infiniteStream(fc.nat()),
          (clusters, randoms) => {
            const next = (() => {
              const it = randoms[Symbol.iterator]();
              return (n: number) => (it.next().value as number) % n;
            })();
            const input: TrustedCluster[] = clusters.map(([p, sas]) => ({
              oidcProviderArn: p.arn,
              issuerUrl: p.issuers[0],
              serviceAccounts: sas,
            }));
            // Same grants: every service account split into its own entry, duplicated, shuffled, with
            // the issuer written another way.
            const exploded: TrustedCluster[] = [];
            for (const [p, sas] of clusters) {
              for (const sa of sas) {
                const copies = 1 + next(2);
                for (let c = 0; c < copies; c++) {
                  exploded.push({
                    oidcProviderArn: p.arn,
                    issuerUrl: p.issuers[next(p.issuers.length)],
                    serviceAccounts: [{ ...sa }],
                  });
                }
              }
            }
            for (let i = exploded.length - 1; i > 0; i--) {
              const j = next(i + 1);
              [exploded[i], exploded[j]] = [exploded[j], exploded[i]];
            }
            const a = policyJson(buildTrustPolicy(input, { maxSize: MAX_TRUST_POLICY_QUOTA }));
            const b = policyJson(buildTrustPolicy(exploded, { maxSize: MAX_TRUST_POLICY_QUOTA }));
            expect(b).to.equal(a);
            // And the document is in canonical form: subjects sorted and unique per statement.
            const doc = JSON.parse(a) as PolicyDocument;
            for (const st of doc.Statement) {
              const subs = Object.entries(st.Condition!.StringEquals)
                .filter(([k]) => k.endsWith(":sub"))
                .map(([, v]) => v)
                .flat();
              expect(subs).to.deep.equal([...new Set(subs)].sort());
            }
          },
        ),
        { numRuns: 150 },
      );
    });

    it("counts its size without whitespace, as IAM does", () => {
      const doc = buildTrustPolicy([
        clusterA([
          { namespace: "apps", name: "reader" },
          { namespace: "apps", name: "writer" },
        ]),
        {
          oidcProviderArn: PROVIDER_B,
          issuerUrl: ISSUER_B,
          serviceAccounts: [{ namespace: "b", name: "r" }],
        },
      ]);
      const pretty = JSON.stringify(doc, null, 2);
      expect(pretty.length).to.be.greaterThan(policySize(doc));
      expect(policySize(doc)).to.equal(pretty.replace(/\s/g, "").length);
      expect(policySize(doc)).to.equal(policyJson(doc).length);
    });
  });

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
