/**
 * The account-b program in grants mode (`cross-account-irsa:grants`), run for real through the mock
 * engine with account-a's outputs supplied through its StackReference: one grant per mechanism, a
 * migration grant, several grants sharing one OIDC provider, existing and created buckets, the
 * outputs account-a reads (each handoff parsed as BucketAccessBinding parses it), a preview before
 * account-a exists, refusals before anything registers, and both stacks' modes.
 */
import { expect } from "chai";
import { outputValues } from "../../engine/offline";
import { buildGrantTrustPolicy } from "../../components/bucketAccess";
import { parseHandoff, type BucketAccessHandoff } from "../../components/bucketAccessHandoff";
import { evaluateResourcePolicy, evaluateTrust } from "../../components/evaluate";
import { policyJson } from "../../components/policyDocument";
import { podIdentitySessionTags } from "../../components/podIdentityPolicies";
import { buildS3AccessPolicy } from "../../components/s3AccessPolicy";
import { DEFAULT_OBJECT_CONTENT } from "../../stacks/accountBConfig";
import { parseAccountBGrants } from "../../stacks/grantsOutputs";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  A_OUTPUTS,
  A_STACK,
  B_STACK,
  CLUSTER_ARN,
  ISSUER,
  MIXED,
  OIDC,
  PROVIDER_ARN,
  grantsConfig,
  runB,
  sa,
  trustOf,
} from "./accountBGrantsFixtures";

describe("account-b program, grants mode (account-a's outputs through its StackReference)", () => {
  let run: Awaited<ReturnType<typeof runB>>;
  let outputs: Record<string, unknown>;
  before(async () => {
    run = await runB(grantsConfig(MIXED));
    outputs = outputValues(run.outputs);
  });

  it("registers one BucketAccessGrant per grant, named by its key, on the stack's aws provider", () => {
    const { engine } = run;
    expect(engine.stackReferences).to.deep.equal([A_STACK]);
    expect(engine.ofType("cross-account-irsa:index:BucketAccessGrant").map((r) => r.name)).to.deep.equal(
      MIXED.map((g) => g.key),
    );
    // The stack's resources: the provider, the shared OIDC provider, the grants; nothing of a mechanism layer.
    const top = engine.resources.filter((r) => r.parent === undefined || r.parent.endsWith("::account-b"));
    expect(
      top.map((r) => `${r.type}::${r.name}`).filter((n) => !n.startsWith("pulumi:pulumi:")),
    ).to.have.members([
      "pulumi:providers:aws::account-b",
      "cross-account-irsa:index:ClusterOidcProvider::cluster-oidc",
      ...MIXED.map((g) => `cross-account-irsa:index:BucketAccessGrant::${g.key}`),
    ]);
    const provider = engine.one("pulumi:providers:aws", "account-b");
    expect(JSON.parse(provider.inputs.allowedAccountIds as string)).to.deep.equal([ACCOUNT_B]);
    const cloud = engine.resources.filter((r) => r.type.startsWith("aws:"));
    for (const r of cloud) expect(r.provider?.startsWith(provider.urn), `${r.type} ${r.name}`).to.equal(true);
  });

  it("creates one OIDC provider for account-a's issuer, which every IRSA grant trusts (each reads it, none creates one)", () => {
    const { engine } = run;
    const created = engine.ofType(OIDC).filter((r) => !r.read);
    expect(created.map((r) => r.name)).to.deep.equal(["cluster-oidc"]);
    expect(created[0].inputs.url).to.equal(ISSUER);
    expect(created[0].inputs.clientIdLists).to.deep.equal(["sts.amazonaws.com"]);
    expect(created[0].inputs).to.not.have.property("thumbprintLists");
    expect(
      engine
        .ofType(OIDC)
        .filter((r) => r.read)
        .map((r) => r.name),
    ).to.have.members(["reports-oidc-cluster-existing", "migrating-oidc-cluster-existing"]);
    for (const role of ["reports", "migrating"]) {
      const irsa = trustOf(engine, role).Statement.filter(
        (s) => s.Action === "sts:AssumeRoleWithWebIdentity",
      );
      expect(irsa.map((s) => s.Principal)).to.deep.equal([{ Federated: PROVIDER_ARN }]);
    }
  });

  it("IRSA: the grant's role trusts exactly its service account's sub and aud through the shared provider", () => {
    const trust = trustOf(run.engine, "reports");
    expect(policyJson(trust)).to.equal(
      policyJson(
        buildGrantTrustPolicy({
          mechanisms: ["irsa"],
          clusters: [["cluster", { issuerUrl: ISSUER, oidcProviderArn: PROVIDER_ARN }]],
          serviceAccounts: [sa("team-a", "reports-reader")],
        }),
      ),
    );
    const ask = (sub: string) =>
      evaluateTrust(trust, { oidcProviderArn: PROVIDER_ARN, sub, aud: "sts.amazonaws.com" }).decision;
    expect(ask("system:serviceaccount:team-a:reports-reader")).to.equal("Allow");
    expect(ask("system:serviceaccount:team-b:exporter")).to.equal("ImplicitDeny");
  });

  it("Pod Identity: the target role trusts account A's source role of the default name for the exact session tags", () => {
    const trust = trustOf(run.engine, "exports");
    const source = `arn:aws:iam::${ACCOUNT_A}:role/exports-pod-identity-source`;
    expect(policyJson(trust)).to.equal(
      policyJson(
        buildGrantTrustPolicy({
          mechanisms: ["pod-identity"],
          clusters: [["cluster", { clusterArn: CLUSTER_ARN, sourceRoleArn: source }]],
          serviceAccounts: [sa("team-b", "exporter")],
        }),
      ),
    );
    const ask = (principalArn: string, namespace: string, name: string) =>
      evaluateResourcePolicy(
        trust,
        {
          absent: ["*"],
          principalArn,
          action: "sts:AssumeRole",
          context: podIdentitySessionTags(CLUSTER_ARN, { namespace, name }),
        },
        "trust",
      ).decision;
    expect(ask(source, "team-b", "exporter")).to.equal("Allow");
    expect(ask(source, "team-a", "reports-reader")).to.equal("ImplicitDeny");
    expect(ask(`arn:aws:iam::${ACCOUNT_A}:role/other`, "team-b", "exporter")).to.equal("ImplicitDeny");
  });

  it("irsa-chained: the target role trusts account A's chained source role of the default name, and nothing else", () => {
    const trust = trustOf(run.engine, "archive");
    expect(policyJson(trust)).to.equal(
      policyJson(
        buildGrantTrustPolicy({
          mechanisms: ["irsa-chained"],
          clusters: [
            ["cluster", { chainedSourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/archive-chained-source` }],
          ],
          serviceAccounts: [sa("team-c", "archiver")],
        }),
      ),
    );
  });

  it("a migration grant's one role trusts both paths: IRSA's provider and the named source role", () => {
    const trust = trustOf(run.engine, "migrating");
    expect(policyJson(trust)).to.equal(
      policyJson(
        buildGrantTrustPolicy({
          mechanisms: ["irsa", "pod-identity"],
          clusters: [
            [
              "cluster",
              {
                issuerUrl: ISSUER,
                oidcProviderArn: PROVIDER_ARN,
                clusterArn: CLUSTER_ARN,
                sourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/team-d-source`,
              },
            ],
          ],
          serviceAccounts: [sa("team-d", "reader"), sa("team-d", "writer")],
        }),
      ),
    );
  });

  it("creates and hardens the created buckets only, writes each objectKey there with the single-grant content, passes forceDestroy", () => {
    const { engine } = run;
    expect(
      engine.ofType("aws:s3/bucket:Bucket").map((r) => [r.name, r.inputs.bucket, r.inputs.forceDestroy]),
    ).to.deep.equal([
      ["reports-team-a-reports", "team-a-reports", false],
      ["exports-team-b-exports", "team-b-exports", true],
      ["migrating-team-d-data", "team-d-data", false],
    ]);
    // An existing bucket (company-archive, company-shared) is named in a policy, never created or written.
    expect(
      engine
        .ofType("aws:s3/bucketObjectv2:BucketObjectv2")
        .map((r) => [r.name, r.inputs.key, r.inputs.content]),
    ).to.deep.equal([
      ["reports-team-a-reports-object-0", "reports/check.txt", DEFAULT_OBJECT_CONTENT],
      ["migrating-team-d-data-object-0", "check.txt", DEFAULT_OBJECT_CONTENT],
    ]);
    expect(engine.ofType("aws:s3/bucketPolicy:BucketPolicy")).to.have.length(3);
  });

  it("gives each role one least-privilege policy per bucket", () => {
    const policy = (name: string) =>
      engine().one("aws:iam/rolePolicy:RolePolicy", name).inputs.policy as string;
    const engine = () => run.engine;
    expect(policy("migrating-s3-company-shared")).to.equal(
      policyJson(buildS3AccessPolicy({ bucketName: "company-shared", prefixes: ["shared/"] })),
    );
    expect(policy("migrating-s3-team-d-data")).to.equal(
      policyJson(buildS3AccessPolicy({ bucketName: "team-d-data" })),
    );
    expect(policy("archive-s3-company-archive")).to.equal(
      policyJson(buildS3AccessPolicy({ bucketName: "company-archive", access: "list" })),
    );
    expect(policy("exports-s3-team-b-exports")).to.equal(
      policyJson(buildS3AccessPolicy({ bucketName: "team-b-exports", access: "read-write" })),
    );
  });

  it("exports mode, region and the grants in config order, each handoff one BucketAccessBinding reads", () => {
    expect(Object.keys(outputs).sort()).to.deep.equal(["grants", "mode", "region"]);
    expect(outputs.mode).to.equal("grants");
    expect(outputs.region).to.equal("eu-west-1");
    const grants = outputs.grants as Record<string, { handoff: unknown; probe?: unknown }>;
    expect(Object.keys(grants)).to.deep.equal(MIXED.map((g) => g.key));
    // Read back as account-a and the tools read it: the same value.
    expect(parseAccountBGrants(B_STACK, grants)).to.deep.equal(
      Object.entries(grants).map(([key, g]) => ({ key, ...g })),
    );
    const handoffs: Record<string, BucketAccessHandoff> = {};
    for (const [k, g] of Object.entries(grants)) {
      expect(
        Object.keys(g).filter((f) => f !== "probe"),
        k,
      ).to.deep.equal(["handoff"]);
      handoffs[k] = parseHandoff(`grants.${k}.handoff`, g.handoff);
    }
    expect(handoffs.reports).to.deep.equal({
      version: 1,
      mechanisms: ["irsa"],
      roleArn: `arn:aws:iam::${ACCOUNT_B}:role/team-a-reports`,
      serviceAccounts: [sa("team-a", "reports-reader")],
      clusters: [{ key: "cluster", issuerUrl: ISSUER, oidcProviderArn: PROVIDER_ARN }],
      buckets: [{ name: "team-a-reports", access: "read", prefixes: ["reports/"] }],
    });
    expect(handoffs.exports.clusters).to.deep.equal([
      {
        key: "cluster",
        clusterArn: CLUSTER_ARN,
        sourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/exports-pod-identity-source`,
      },
    ]);
    expect(handoffs.archive.clusters).to.deep.equal([
      { key: "cluster", chainedSourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/archive-chained-source` },
    ]);
    expect(handoffs.migrating.mechanisms).to.deep.equal(["irsa", "pod-identity"]);
    // The probe: the first bucket with an objectKey; none, no probe.
    expect(grants.reports.probe).to.deep.equal({
      bucketName: "team-a-reports",
      objectKey: "reports/check.txt",
    });
    expect(grants.migrating.probe).to.deep.equal({
      bucketName: "company-shared",
      objectKey: "shared/check.txt",
    });
    expect(grants.exports).to.not.have.property("probe");
    expect(grants.archive).to.not.have.property("probe");
  });

  it("exports a grant's KMS key-policy statements only when a key of another account needs them", async () => {
    const foreign = "arn:aws:kms:eu-west-1:999988887777:key/abc";
    const own = `arn:aws:kms:eu-west-1:${ACCOUNT_B}:key/own`;
    const config = grantsConfig([
      { ...MIXED[0], buckets: [{ name: "team-a-reports", kmsKeyArn: foreign }] },
      { ...MIXED[1], buckets: [{ name: "team-b-exports", create: true, kmsKeyArn: own }] },
    ]);
    const grants = outputValues((await runB(config)).outputs).grants as Record<
      string,
      Record<string, unknown>
    >;
    const statements = grants.reports.kmsKeyPolicyStatements as Record<string, string>;
    expect(Object.keys(statements)).to.deep.equal([foreign]);
    expect(JSON.parse(statements[foreign])).to.deep.include({
      Principal: { AWS: `arn:aws:iam::${ACCOUNT_B}:role/team-a-reports` },
    });
    expect(grants.exports).to.not.have.property("kmsKeyPolicyStatements");
  });

  it("adopts existingOidcProviderArn once for every IRSA grant (read, never created), and passes account-a's thumbprint", async () => {
    const thumbprint = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";
    const { engine } = await runB(
      grantsConfig(MIXED, `  cross-account-irsa:existingOidcProviderArn: ${PROVIDER_ARN}\n`),
      { ...A_OUTPUTS, oidcThumbprint: thumbprint },
    );
    expect(engine.ofType(OIDC).every((r) => r.read)).to.equal(true);
    expect(engine.ofType(OIDC).map((r) => r.name)).to.include("cluster-oidc-existing");
    const { engine: created } = await runB(grantsConfig(MIXED), { ...A_OUTPUTS, oidcThumbprint: thumbprint });
    expect(created.one(OIDC, "cluster-oidc").inputs.thumbprintLists).to.deep.equal([thumbprint]);
  });

  it("registers no OIDC provider when no grant lists irsa, and reads no issuer", async () => {
    const { engine } = await runB(grantsConfig([MIXED[1], MIXED[2]]), {
      clusterArn: CLUSTER_ARN,
      mode: "grants",
    });
    expect(engine.ofType(OIDC)).to.have.length(0);
    expect(engine.ofType("cross-account-irsa:index:ClusterOidcProvider")).to.have.length(0);
  });
});
