/**
 * account-b's grants-mode outputs as account-a reads them, and the links account-a checks before it
 * registers anything (stacks/grantsOutputs.ts, accountAGrantsLinks.ts): handoffs from the real builder, every refusal
 * naming the entry or the output, the ServiceAccount and namespace decisions.
 */
import { expect } from "chai";
import { checkMechanisms, type GrantCluster } from "../../components/bucketAccess";
import { buildHandoff } from "../../components/bucketAccessHandoff";
import { parseStackConfig } from "../../stacks/stackFile";
import { configGetters } from "../../stacks/config";
import { parseAccountAGrantsConfig } from "../../stacks/accountAGrantsConfig";
import { checkClusterFacts, planGrantBindings } from "../../stacks/accountAGrantsLinks";
import { checkOtherStackMode } from "../../stacks/grantsMode";
import { parseAccountBGrantsOutputs } from "../../stacks/grantsOutputs";

const A_ID = "111122223333";
const B_ID = "444455556666";
const HOST = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const ISSUER = `https://${HOST}`;
const CLUSTER_ARN = `arn:aws:eks:eu-west-1:${A_ID}:cluster/prod`;
const STACKS = { self: "acme/cross-account-irsa/account-a", accountB: "acme/cross-account-irsa/account-b" };
const B_STACK = STACKS.accountB;

/** A grant as account-b's grants mode exports it (see tests/stacks/accountAGrants.test.ts). */
function grantOf(
  key: string,
  mechanism: string[],
  serviceAccounts = [{ namespace: "team-a", name: key }],
  probe = true,
  over: Partial<GrantCluster> = {},
) {
  const mechanisms = checkMechanisms("m", mechanism);
  const cluster: GrantCluster = {};
  if (mechanisms.includes("irsa")) {
    cluster.issuerUrl = ISSUER;
    cluster.oidcProviderArn = `arn:aws:iam::${B_ID}:oidc-provider/${HOST}`;
  }
  if (mechanisms.includes("pod-identity")) {
    cluster.clusterArn = CLUSTER_ARN;
    cluster.sourceRoleArn = `arn:aws:iam::${A_ID}:role/${key}-pod-identity-source`;
  }
  if (mechanisms.includes("irsa-chained"))
    cluster.chainedSourceRoleArn = `arn:aws:iam::${A_ID}:role/${key}-chained-source`;
  const handoff = buildHandoff({
    mechanisms,
    roleArn: `arn:aws:iam::${B_ID}:role/${key}`,
    serviceAccounts,
    clusters: [["cluster", { ...cluster, ...over }]],
    buckets: [{ name: `${key}-bucket`, create: false, access: "read", prefixes: [] }],
  });
  return { handoff, ...(probe ? { probe: { bucketName: `${key}-bucket`, objectKey: "check.txt" } } : {}) };
}
const outputs = (grants: Record<string, unknown>) => ({ mode: "grants", region: "eu-west-1", grants });
const readB = (grants: Record<string, unknown>) => parseAccountBGrantsOutputs(STACKS, outputs(grants))!;

function configOf(grants: string, extra = "", cluster = '{version: "1.33"}') {
  const text =
    `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["${A_ID}"]\n  cross-account-irsa:cluster: ${cluster}\n` +
    `  cross-account-irsa:grants: ${grants}\n${extra}`;
  const { config, secretKeys } = parseStackConfig(text, "t");
  return parseAccountAGrantsConfig(configGetters(config, secretKeys), "acme");
}

describe("account-b's grants as account-a reads them", () => {
  it("no outputs yet: undefined (the cluster only)", () => {
    expect(parseAccountBGrantsOutputs(STACKS, {})).to.equal(undefined);
  });

  it("reads each grant's handoff strictly and its probe", () => {
    const b = readB({ reports: grantOf("reports", ["irsa"]) });
    expect([...b.grants.keys()]).to.deep.equal(["reports"]);
    expect(b.grants.get("reports")!.probe).to.deep.equal({
      bucketName: "reports-bucket",
      objectKey: "check.txt",
    });
    expect(b.region).to.equal("eu-west-1");
  });

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      "a single-grant account-b, naming both stacks",
      { roleArn: `arn:aws:iam::${B_ID}:role/r`, mechanism: "irsa" },
      /account-a \(acme\/cross-account-irsa\/account-a\) runs in grants mode .* but account-b \(acme\/cross-account-irsa\/account-b\) in single-grant mode/,
    ],
    [
      "a mode without grants",
      { mode: "grants", region: "eu-west-1" },
      /output grants: undefined is invalid: must be exported beside mode "grants"/,
    ],
    [
      "a mode other than grants",
      { ...outputs({}), mode: "single-grant" },
      /output mode: "single-grant" is invalid: must be "grants"/,
    ],
    [
      "grants as a list",
      { ...outputs({}), grants: [] },
      /output grants: \[\] is invalid: must be an object keyed by grant key/,
    ],
    [
      "an unknown field of a grant",
      outputs({ a: { ...grantOf("a", ["irsa"]), extra: 1 } }),
      /output grants\.a\.extra: 1 is invalid: is not a field this version reads/,
    ],
    [
      "a handoff of another version",
      outputs({ a: { handoff: { ...grantOf("a", ["irsa"]).handoff, version: 2 } } }),
      /output grants\.a\.handoff\.version: 2 is invalid: must be 1/,
    ],
    [
      "a probe bucket that is not the grant's",
      outputs({ a: { ...grantOf("a", ["irsa"]), probe: { bucketName: "other-bucket", objectKey: "k" } } }),
      /output grants\.a\.probe\.bucketName: "other-bucket" is invalid: must be one of the grant's buckets/,
    ],
    [
      // Stricter since the three readers became one: the doctor's rule (a non-empty object of statements).
      "kmsKeyPolicyStatements that are not statements by KMS key",
      outputs({ a: { ...grantOf("a", ["irsa"]), kmsKeyPolicyStatements: [] } }),
      /output grants\.a\.kmsKeyPolicyStatements: \[\] is invalid: must be a non-empty object/,
    ],
    [
      "no grant",
      { mode: "grants", region: "eu-west-1", grants: {} },
      /output grants: \{\} is invalid: must name at least one grant/,
    ],
    [
      "no region",
      { mode: "grants", grants: { a: grantOf("a", ["irsa"]) } },
      /output region: undefined is invalid/,
    ],
  ];
  for (const [label, raw, message] of refused) {
    it(`refuses ${label}`, () => {
      expect(() => parseAccountBGrantsOutputs(STACKS, raw)).to.throw(message);
    });
  }

  it("single-grant account-a refuses an account-b in grants mode, naming both stacks; a single-grant account-b passes", () => {
    const singleGrant = (raw: Record<string, unknown>) =>
      checkOtherStackMode("account-a", STACKS.self, "single-grant", B_STACK, raw, false);
    expect(() => singleGrant(outputs({}))).to.throw(
      /account-b \(acme\/cross-account-irsa\/account-b\) runs in grants mode .* but account-a \(acme\/cross-account-irsa\/account-a\) in single-grant mode/,
    );
    expect(() => singleGrant({ roleArn: "x" })).to.not.throw();
  });
});

describe("account-a's grants checked against account-b's, before anything registers", () => {
  it("chooses each ServiceAccount, decides the namespaces once, lists the unbound grants", () => {
    const config = configOf(
      "[{key: a, mechanism: irsa}, {key: b, mechanism: pod-identity, serviceAccount: {namespace: team-a, name: b2}}, " +
        "{key: c, mechanism: irsa-chained, deployProbe: false}]",
    );
    const planned = planGrantBindings(
      config,
      B_STACK,
      readB({
        a: grantOf("a", ["irsa"]),
        b: grantOf(
          "b",
          ["pod-identity"],
          [
            { namespace: "team-a", name: "b1" },
            { namespace: "team-a", name: "b2" },
          ],
        ),
        c: grantOf("c", ["irsa-chained"], [{ namespace: "kube-system", name: "c" }], false),
        d: grantOf("d", ["irsa"]),
      }),
    );
    expect(
      planned.bindings.map((p) => [p.key, `${p.serviceAccount.namespace}/${p.serviceAccount.name}`]),
    ).to.deep.equal([
      ["a", "team-a/a"],
      ["b", "team-a/b2"],
      ["c", "kube-system/c"],
    ]);
    expect(planned.bindings.map((p) => p.probe !== undefined)).to.deep.equal([true, true, false]);
    // team-a once; kube-system never (every cluster has it).
    expect(planned.namespaces).to.deep.equal(["team-a"]);
    expect(planned.unbound).to.deep.equal(["d"]);
  });

  it("createNamespace is the namespace's: one entry may set it for all; an adopted cluster creates none unless asked", () => {
    const grants = readB({ a: grantOf("a", ["irsa"]), b: grantOf("b", ["irsa"]) });
    const adopted = "{existingName: prod}";
    expect(
      planGrantBindings(
        configOf("[{key: a, mechanism: irsa}, {key: b, mechanism: irsa}]", "", adopted),
        B_STACK,
        grants,
      ).namespaces,
    ).to.deep.equal([]);
    expect(
      planGrantBindings(
        configOf(
          "[{key: a, mechanism: irsa}, {key: b, mechanism: irsa, createNamespace: true}]",
          "",
          adopted,
        ),
        B_STACK,
        grants,
      ).namespaces,
    ).to.deep.equal(["team-a"]);
    expect(
      planGrantBindings(
        configOf("[{key: a, mechanism: irsa, createNamespace: false}, {key: b, mechanism: irsa}]"),
        B_STACK,
        grants,
      ).namespaces,
    ).to.deep.equal([]);
  });

  const refused: Array<[string, string, Record<string, unknown>, RegExp, string?]> = [
    [
      "a key account-b does not export",
      "[{key: x, mechanism: irsa}]",
      { a: grantOf("a", ["irsa"]) },
      /^cross-account-irsa:grants\[0\]\.key: "x" is invalid: is not a grant of account-b \(acme\/cross-account-irsa\/account-b exports "a"\)/,
    ],
    [
      "a mechanism the grant does not trust",
      "[{key: a, mechanism: [irsa, pod-identity]}]",
      { a: grantOf("a", ["irsa"]) },
      /^cross-account-irsa:grants\[0\]\.mechanism: \["irsa","pod-identity"\] is invalid: lists "pod-identity", which account-b's grant "a" does not trust/,
    ],
    [
      "no ServiceAccount where the grant trusts several",
      "[{key: a, mechanism: irsa}]",
      {
        a: grantOf(
          "a",
          ["irsa"],
          [
            { namespace: "n", name: "x" },
            { namespace: "n", name: "y" },
          ],
        ),
      },
      /^cross-account-irsa:grants\[0\]\.serviceAccount: undefined is invalid: must be set: account-b's grant "a" trusts 2 service accounts \(n\/x, n\/y\)/,
    ],
    [
      "a ServiceAccount the grant does not trust",
      "[{key: a, mechanism: irsa, serviceAccount: {namespace: n, name: z}}]",
      { a: grantOf("a", ["irsa"], [{ namespace: "n", name: "x" }]) },
      /^cross-account-irsa:grants\[0\]\.serviceAccount: .* is invalid: is not among the service accounts account-b's grant "a" trusts \(n\/x\)/,
    ],
    [
      "two entries whose default ServiceAccount is one",
      "[{key: a, mechanism: irsa}, {key: b, mechanism: irsa}]",
      {
        a: grantOf("a", ["irsa"], [{ namespace: "n", name: "x" }]),
        b: grantOf("b", ["irsa"], [{ namespace: "n", name: "x" }]),
      },
      /^cross-account-irsa:grants\[1\]\.serviceAccount: .* is invalid: \(the default: the grant's only service account\) is the ServiceAccount of grants\[0\] \("a"\) too: a ServiceAccount is bound once \(its one eks.amazonaws.com\/role-arn annotation names one role\)/,
    ],
    [
      "two Pod Identity entries whose default ServiceAccount is one: one association per ServiceAccount",
      "[{key: a, mechanism: pod-identity}, {key: b, mechanism: pod-identity}]",
      {
        a: grantOf("a", ["pod-identity"], [{ namespace: "n", name: "x" }]),
        b: grantOf("b", ["pod-identity"], [{ namespace: "n", name: "x" }]),
      },
      /^cross-account-irsa:grants\[1\]\.serviceAccount: .* is invalid: \(the default: the grant's only service account\) is the ServiceAccount of grants\[0\] \("a"\) too: a ServiceAccount is bound once \(EKS Pod Identity associates one IAM role with each ServiceAccount of a cluster\)/,
    ],
    [
      "the default probe of a grant that exports none",
      "[{key: a, mechanism: irsa}]",
      { a: grantOf("a", ["irsa"], undefined, false) },
      /^cross-account-irsa:grants\[0\]\.deployProbe: true is invalid: \(the default\) needs an object to read, and account-b's grant "a" exports no probe/,
    ],
    [
      "contradicting createNamespace for one namespace",
      "[{key: a, mechanism: irsa, createNamespace: true}, {key: b, mechanism: irsa, createNamespace: false}]",
      { a: grantOf("a", ["irsa"]), b: grantOf("b", ["irsa"]) },
      /^cross-account-irsa:grants\[1\]\.createNamespace: false is invalid: contradicts grants\[0\]\.createNamespace \(true\) for namespace "team-a"/,
    ],
    [
      "creating a namespace every cluster has",
      "[{key: a, mechanism: irsa, createNamespace: true}]",
      { a: grantOf("a", ["irsa"], [{ namespace: "default", name: "a" }]) },
      /^cross-account-irsa:grants\[0\]\.createNamespace: true is invalid: cannot create namespace "default"/,
    ],
    [
      "a source role outside this stack's account",
      "[{key: a, mechanism: pod-identity}]",
      {
        a: grantOf("a", ["pod-identity"], undefined, true, {
          clusterArn: CLUSTER_ARN.replace(A_ID, "999988887777"),
          sourceRoleArn: "arn:aws:iam::999988887777:role/s",
        }),
      },
      /clusters "cluster"\.sourceRoleArn: "arn:aws:iam::999988887777:role\/s" is invalid: must be a role of this stack's account/,
    ],
    [
      "an adopted provider outside the chained source role's account",
      "[{key: a, mechanism: irsa-chained}]",
      {
        a: grantOf("a", ["irsa-chained"], undefined, true, {
          chainedSourceRoleArn: `arn:aws:iam::${A_ID}:role/c`,
        }),
      },
      /^cross-account-irsa:existingOidcProviderArn: .* is invalid: must be in the account of the chained source role of grants\[0\]/,
      "provider",
    ],
    [
      "a Pod Identity grant for another cluster than the adopted one",
      "[{key: a, mechanism: pod-identity}]",
      { a: grantOf("a", ["pod-identity"]) },
      /clusters "cluster"\.clusterArn: .*cluster\/prod" is invalid: is not this stack's cluster \(cross-account-irsa:cluster\.existingName "other"\)/,
      "adopted:other",
    ],
  ];
  for (const [label, grants, b, message, variant] of refused) {
    it(`refuses ${label}`, () => {
      const config =
        variant === "adopted:other"
          ? configOf(grants, "", "{existingName: other}")
          : variant === "provider"
            ? {
                ...configOf(grants),
                existingOidcProviderArn: `arn:aws:iam::999988887777:oidc-provider/${HOST}`,
              }
            : configOf(grants);
      expect(() => planGrantBindings(config, B_STACK, readB(b))).to.throw(message);
    });
  }

  it("refuses two bindings creating one source role (IAM role names are unique per account, whatever the path and case)", () => {
    const config = configOf("[{key: a, mechanism: pod-identity}, {key: b, mechanism: [irsa-chained]}]");
    const b = readB({
      a: grantOf("a", ["pod-identity"]),
      b: grantOf("b", ["irsa-chained"], [{ namespace: "team-b", name: "b" }], true, {
        chainedSourceRoleArn: `arn:aws:iam::${A_ID}:role/other-path/A-Pod-Identity-Source`,
      }),
    });
    expect(() => planGrantBindings(config, B_STACK, b)).to.throw(
      /output grants\.b\.handoff\.clusters "cluster"\.chainedSourceRoleArn: .* is invalid: names the role .*grants\.a\.handoff\.clusters "cluster"\.sourceRoleArn names too/,
    );
  });

  it("checks each binding's grant against the cluster once known: issuer (IRSA), ARN (Pod Identity), source roles' account", () => {
    const plan = (mechanism: string[], over: Partial<GrantCluster> = {}) =>
      planGrantBindings(
        configOf(`[{key: a, mechanism: [${mechanism.join(", ")}]}]`, "", "{existingName: prod}"),
        B_STACK,
        readB({ a: grantOf("a", mechanism, undefined, true, over) }),
      ).bindings;
    const facts = { issuerUrl: ISSUER, clusterArn: CLUSTER_ARN };
    expect(() => checkClusterFacts(B_STACK, plan(["irsa", "pod-identity"]), facts)).to.not.throw();
    expect(() =>
      checkClusterFacts(B_STACK, plan(["irsa"]), { ...facts, issuerUrl: ISSUER.replace("0123", "FFFF") }),
    ).to.throw(/clusters "cluster"\.issuerUrl: .* is invalid: is not this cluster's issuer/);
    expect(() =>
      checkClusterFacts(B_STACK, plan(["pod-identity"]), {
        ...facts,
        clusterArn: CLUSTER_ARN.replace(A_ID, "999988887777"),
      }),
    ).to.throw(/clusters "cluster"\.clusterArn: .* is invalid: is not this cluster/);
    expect(() =>
      checkClusterFacts(B_STACK, plan(["irsa-chained"]), {
        ...facts,
        clusterArn: CLUSTER_ARN.replace(A_ID, "999988887777"),
      }),
    ).to.throw(
      /clusters "cluster"\.chainedSourceRoleArn: .* is invalid: must be a role of the cluster's account 999988887777/,
    );
  });
});
