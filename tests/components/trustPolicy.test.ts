import { expect } from "chai";
import fc from "fast-check";
import {
  oneOrMany,
  policyJson,
  policySize,
  sortedUnique,
  type PolicyDocument,
} from "../../components/policyDocument";
import {
  buildTrustPolicy,
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
  clusterA,
} from "./coreHelpers";

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
});
