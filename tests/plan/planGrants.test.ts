/**
 * `npm run plan` on stacks in grants mode (examples/grants/: three grants, one per mechanism, one with
 * an existing and a created bucket): each grant judged on its own view of the recorded runs
 * (plan/grantScope.ts) by its mechanism's collector, matrix and checks; one section and one folder
 * per grant. The scoping is tested on the real programs' recorded runs, then on tampered copies.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, main, type PlanIo } from "../../plan/cli";
import { buildGrantsPlan, type GrantsPlan } from "../../plan/grantsBuild";
import { parsePlanGrantsConfigs } from "../../plan/grantsConfig";
import { planMode } from "../../plan/planMode";
import { renderGrantsPlan } from "../../plan/grantsRender";
import { GRANT_COMPONENTS, scopePasses, scopeResources, scopedOutputs } from "../../plan/grantScope";
import { runPasses, type StackPass } from "../../plan/passes";
import { type PlanGrantsConfigs } from "../../plan/planInput";
import { finalPass, resourcesOfType } from "../../plan/records";
import { loadStackConfig } from "../../stacks/stackFile";

const EXAMPLE = path.join(REPO_ROOT, "examples/grants");
const CONFIG_A = path.join(EXAMPLE, "Pulumi.account-a.yaml");
const CONFIG_B = path.join(EXAMPLE, "Pulumi.account-b.yaml");

function capture(): { io: PlanIo; text: () => string } {
  let out = "";
  return {
    io: { stdout: (s) => (out += s), stderr: (s) => (out += s), isTTY: false, env: {}, cwd: REPO_ROOT },
    text: () => out,
  };
}

/** A deep copy of the runs, to tamper with. */
const copy = (passes: StackPass[]): StackPass[] => structuredClone(passes);

describe("offline plan in grants mode: examples/grants", function () {
  this.timeout(60_000);
  let passes: StackPass[];
  let configs: PlanGrantsConfigs;
  let plan: GrantsPlan;

  before(async () => {
    const configA = loadStackConfig(CONFIG_A);
    const configB = loadStackConfig(CONFIG_B);
    expect(planMode(configA, configB)).to.equal("grants");
    configs = parsePlanGrantsConfigs(configA, configB);
    passes = await runPasses(configA, configB, configs);
    plan = buildGrantsPlan(passes, configs);
  });

  it("hands every manifest of every grant to the validation cache", () => {
    const seen: unknown[] = [];
    const recording = { isValid: () => false, recordValid: (o: unknown) => void seen.push(o) };
    const again = buildGrantsPlan(passes, configs, undefined, recording);
    expect(seen).to.deep.equal(again.manifests.map((m) => m.object));
    expect(seen.length).to.be.greaterThan(2);
  });

  it("plans every grant of account-b, in its config order, each as intended", () => {
    expect(plan.ok, plan.problems.join("\n")).to.be.true;
    expect(
      plan.grants.map((g) => [g.key, g.trusts, g.binding?.mechanisms, g.podCredentialPath]),
    ).to.deep.equal([
      ["reports", ["irsa"], ["irsa"], "irsa"],
      ["exports", ["pod-identity"], ["pod-identity"], "pod-identity"],
      ["audit", ["irsa-chained"], ["irsa-chained"], "irsa-chained"],
    ]);
    for (const grant of plan.grants) {
      expect(grant.paths, grant.key).to.have.length(1);
      const [only] = grant.paths;
      expect(only.bound).to.be.true;
      expect(only.matrix.length, grant.key).to.be.greaterThan(0);
      expect(only.links.filter((l) => l.status === "pass").length, grant.key).to.be.greaterThan(5);
      expect(
        only.links.filter((l) => l.status === "fail" || l.status === "warn"),
        grant.key,
      ).to.deep.equal([]);
    }
  });

  it("each grant's role is its own: three roles in account-b, each grant's documents its role's", () => {
    const b = finalPass(passes, "account-b")!;
    const roles = resourcesOfType(b, "aws:iam/role:Role");
    expect(roles).to.have.length(3);
    expect(new Set(plan.grants.map((g) => g.roleArn)).size).to.equal(3);
    for (const grant of plan.grants) {
      const role = roles.find((r) => r.state.arn === grant.roleArn)!;
      expect(role.inputs.assumeRolePolicy, grant.key).to.equal(grant.trustPolicy.json);
    }
  });

  it("a grant of two buckets: a permission policy and access rows per bucket, a bucket policy for the created one only", () => {
    const reports = plan.grants.find((g) => g.key === "reports")!;
    expect(reports.permissionPolicies.map((p) => p.name)).to.have.members([
      "s3-acme-team-a-reports",
      "s3-acme-shared-datasets",
    ]);
    expect(reports.bucketPolicies.map((p) => p.name)).to.deep.equal(["acme-team-a-reports"]);
    const resources = new Set(reports.access.map((r) => r.resource));
    expect(resources).to.include("arn:aws:s3:::acme-team-a-reports/reports/check.txt");
    expect(resources).to.include("arn:aws:s3:::acme-shared-datasets/datasets/team-a/example.txt");
    // Each bucket's rows judge it by its own prefixes: the other bucket's prefix is denied in it.
    const row = (resource: string, action: string) =>
      reports.access.find((r) => r.resource === resource && r.action === action);
    expect(
      row("arn:aws:s3:::acme-shared-datasets/datasets/team-a/example.txt", "s3:GetObject")?.actual,
    ).to.equal("Allow");
    expect(row("arn:aws:s3:::acme-shared-datasets/outside/example.txt", "s3:GetObject")?.actual).to.equal(
      "ImplicitDeny",
    );
    // "another bucket" is none of the grant's buckets.
    const others = reports.access.filter((r) => r.subject.startsWith("another bucket"));
    expect(others).to.not.be.empty;
    for (const r of others) expect(r.resource).to.not.match(/acme-(team-a-reports|shared-datasets)/);
  });

  it("without an object to read (access: list, no probe), the permission link says why it is skipped", () => {
    const audit = plan.grants.find((g) => g.key === "audit")!;
    const skipped = audit.paths[0].links.filter((l) => l.status === "skip").map((l) => l.detail);
    expect(skipped.join("\n")).to.include("no bucket of the grant names an objectKey");
    expect(audit.access.find((r) => r.action === "s3:ListBucket")?.expected).to.equal("allow");
  });

  it("scopes each pass to the grant's component and the shared stack-level resources", () => {
    const b = finalPass(passes, "account-b")!;
    const a = finalPass(passes, "account-a")!;
    const names = (pass: StackPass, key: string) =>
      scopeResources(pass, key).map((r) => `${r.type}::${r.name}`);
    const reportsB = names(b, "reports");
    expect(reportsB).to.include(`${GRANT_COMPONENTS["account-b"]}::reports`);
    expect(reportsB).to.include("cross-account-irsa:index:ClusterOidcProvider::cluster-oidc");
    expect(reportsB.filter((n) => n.startsWith(GRANT_COMPONENTS["account-b"]))).to.deep.equal([
      `${GRANT_COMPONENTS["account-b"]}::reports`,
    ]);
    const reportsA = names(a, "reports");
    expect(reportsA).to.include("kubernetes:core/v1:Namespace::namespace-team-a");
    expect(reportsA).to.include("cross-account-irsa:index:WorkloadCluster::cluster");
    expect(reportsA).to.include("cross-account-irsa:index:PodIdentityAgent::pod-identity-agent");
    expect(reportsA.join("\n")).to.not.match(/team-b|team-c|exports|audit/);
    // Every resource is the grant's own or shared; the grants' own parts are disjoint and cover the rest.
    for (const pass of [b, a]) {
      const scopes = plan.grants.map((g) => new Set(scopeResources(pass, g.key).map((r) => r.urn)));
      const inAll = pass.resources.filter((r) => scopes.every((s) => s.has(r.urn)));
      const inOne = pass.resources.filter((r) => scopes.filter((s) => s.has(r.urn)).length === 1);
      expect(inAll.length + inOne.length, pass.title).to.equal(pass.resources.length);
      // Registration order is kept.
      const order = new Map(pass.resources.map((r, i) => [r.urn, i]));
      const positions = scopeResources(pass, "exports").map((r) => order.get(r.urn)!);
      expect(positions).to.deep.equal([...positions].sort((x, y) => x - y));
    }
  });

  it("maps the grant's outputs to the names the collectors read", () => {
    const b = finalPass(passes, "account-b")!;
    const outputs = scopedOutputs(b, "reports");
    expect(outputs).to.not.have.property("grants");
    expect(outputs.region.value).to.equal("eu-west-1");
    expect(outputs.bucketName.value).to.equal("acme-team-a-reports");
    expect(outputs.objectKey.value).to.equal("reports/check.txt");
    expect(outputs.serviceAccounts.value).to.deep.equal([{ namespace: "team-a", name: "reports-reader" }]);
    const provider = resourcesOfType(b, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").find(
      (r) => r.name === "cluster-oidc",
    );
    expect(outputs.oidcProviderArn.value).to.equal(provider?.state.arn);
    // A grant without a probe: its first bucket, no object.
    const audit = scopedOutputs(b, "audit");
    expect(audit.bucketName.value).to.equal("acme-team-c-audit");
    expect(audit).to.not.have.property("objectKey");
    const a = scopedOutputs(finalPass(passes, "account-a")!, "exports");
    expect(a.podCredentialPath.value).to.equal("pod-identity");
    expect(a.clusterArn.value).to.be.a("string");
  });

  it("a grant's widened trust fails that grant only, naming it", () => {
    const tampered = copy(passes);
    const b = finalPass(tampered, "account-b")!;
    const exportsRole = scopeResources(b, "exports").find((r) => r.type === "aws:iam/role:Role")!;
    const doc = JSON.parse(exportsRole.inputs.assumeRolePolicy as string) as {
      Statement: Array<{ Condition: { StringEquals: Record<string, string> } }>;
    };
    delete doc.Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-namespace"];
    exportsRole.inputs.assumeRolePolicy = JSON.stringify(doc);
    const broken = buildGrantsPlan(tampered, configs);
    expect(broken.ok).to.be.false;
    expect(broken.problems.length).to.be.greaterThan(0);
    for (const p of broken.problems) expect(p).to.match(/^grant exports: pod-identity: /);
    expect(broken.grants.find((g) => g.key === "reports")!.problems).to.deep.equal([]);
    expect(renderGrantsPlan(broken, { color: false })).to.include("MISMATCH");
  });

  it("another grant's resources never reach a grant's checks (a second role under one grant fails it)", () => {
    const tampered = copy(passes);
    const b = finalPass(tampered, "account-b")!;
    const auditRole = scopeResources(b, "audit").find((r) => r.type === "aws:iam/role:Role")!;
    const reportsGrant = b.resources.find(
      (r) => r.type === GRANT_COMPONENTS["account-b"] && r.name === "reports",
    )!;
    // The audit role moved under the reports grant: reports now has two roles, audit none.
    auditRole.parent = reportsGrant.urn;
    expect(() => buildGrantsPlan(tampered, configs)).to.throw(/2 IAM roles for grant reports/);
    expect(
      scopePasses(tampered, "exports")[1].resources.filter((r) => r.type === "aws:iam/role:Role"),
    ).to.have.length(1);
  });

  it("a podCredentialPath output that is not the binding's fails the grant", () => {
    const tampered = copy(passes);
    const a = finalPass(tampered, "account-a")!;
    // The output's own mechanisms agree with it (the output reads as one binding's), the binding's do not.
    const reports = (a.outputs.grants.value as Record<string, Record<string, unknown>>).reports;
    reports.mechanisms = ["pod-identity"];
    reports.podCredentialPath = "pod-identity";
    const broken = buildGrantsPlan(tampered, configs);
    expect(broken.problems).to.deep.equal([
      "grant reports: account-a's output grants.reports.podCredentialPath is pod-identity, but the binding's mechanisms [\"irsa\"] make the pods take irsa",
    ]);
  });

  it("a grants output entry this version does not understand is refused naming the output (the stacks' parser)", () => {
    const tampered = copy(passes);
    const a = finalPass(tampered, "account-a")!;
    // podCredentialPath contradicting the entry's own mechanisms: stacks/grantsOutputs.ts refuses it.
    (a.outputs.grants.value as Record<string, Record<string, unknown>>).reports.podCredentialPath =
      "pod-identity";
    expect(() => buildGrantsPlan(tampered, configs)).to.throw(
      /^account-a output grants\.reports\.podCredentialPath: "pod-identity" is invalid: must be "irsa"/,
    );
    const b = finalPass(tampered, "account-b")!;
    (b.outputs.grants.value as Record<string, Record<string, unknown>>).audit.extra = 1;
    expect(() => scopedOutputs(b, "audit")).to.throw(
      /^account-b output grants\.audit\.extra: 1 is invalid: is not a field this version reads/,
    );
    // Another grant's entry is not read: it never fails this one.
    expect(scopedOutputs(b, "exports").roleArn.value).to.be.a("string");
  });

  it("npm run plan: one section per grant, its files in grants/<key>/, summary.json's grants", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-grants-"));
    try {
      const out = path.join(tmp, "out");
      const { io, text } = capture();
      const code = await main(["--config-a", CONFIG_A, "--config-b", CONFIG_B, "--out", out], io);
      expect(code, text()).to.equal(0);
      for (const key of ["reports", "exports", "audit"]) {
        expect(text()).to.include(`\nGrant ${key}: account-b trusts `);
        expect(fs.existsSync(path.join(out, "grants", key, "trust-policy.json")), key).to.be.true;
      }
      expect(text()).to.include("pods use pod-identity (podCredentialPath)");
      expect(text()).to.match(
        /Plan OK: 3 grant\(s\), \d+ access-matrix rows as intended, \d+ link checks passed/,
      );
      for (const file of [
        "grants/reports/permission-policy.s3-acme-team-a-reports.json",
        "grants/reports/bucket-policy.acme-team-a-reports.json",
        "grants/exports/source-trust-policy.pod-identity.json",
        "grants/audit/source-permission-policy.irsa-chained.json",
        "manifests/serviceaccount-team-b-exporter.yaml",
      ]) {
        expect(fs.existsSync(path.join(out, file)), file).to.be.true;
      }
      expect(fs.existsSync(path.join(out, "grants/reports/bucket-policy.acme-shared-datasets.json"))).to.be
        .false;
      const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")) as {
        mode: string;
        ok: boolean;
        grants: Record<
          string,
          { binds: string[]; podCredentialPath: string; paths: Array<{ mechanism: string }> }
        >;
        artifacts: Record<string, string>;
      };
      expect(summary.mode).to.equal("grants");
      expect(summary.ok).to.be.true;
      expect(Object.keys(summary.grants)).to.deep.equal(["reports", "exports", "audit"]);
      expect(summary.grants.audit.paths.map((p) => p.mechanism)).to.deep.equal(["irsa-chained"]);
      expect(summary.artifacts).to.have.property("grants/exports/trust-policy.json");
      expect(
        JSON.parse(fs.readFileSync(path.join(out, "grants/exports/trust-policy.json"), "utf8")),
      ).to.deep.equal(plan.grants[1].trustPolicy.doc);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("a grant account-a does not bind: its documents, matrix and access rows, no chain, not a problem", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-grants-unbound-"));
    try {
      const text = fs.readFileSync(CONFIG_A, "utf8");
      const withoutAudit = text.slice(0, text.indexOf("    - key: audit"));
      expect(withoutAudit).to.include("key: exports");
      const file = path.join(tmp, "a.yaml");
      fs.writeFileSync(file, withoutAudit);
      const configA = loadStackConfig(file);
      const configB = loadStackConfig(CONFIG_B);
      const unboundConfigs = parsePlanGrantsConfigs(configA, configB);
      const unbound = buildGrantsPlan(await runPasses(configA, configB, unboundConfigs), unboundConfigs);
      expect(unbound.ok, unbound.problems.join("\n")).to.be.true;
      const audit = unbound.grants.find((g) => g.key === "audit")!;
      expect(audit).to.not.have.property("binding");
      expect(audit).to.not.have.property("podCredentialPath");
      expect(audit.paths).to.have.length(1);
      expect(audit.paths[0]).to.deep.include({ mechanism: "irsa-chained", bound: false, links: [] });
      // Nothing in account A for it: no source role to evaluate the chained trust against.
      expect(audit.paths[0].missing).to.be.a("string");
      expect(audit.access.length).to.be.greaterThan(0);
      expect(audit.manifests).to.deep.equal([]);
      expect(renderGrantsPlan(unbound, { color: false })).to.include(
        "Grant audit: account-b trusts irsa-chained; account-a does not bind it",
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("refuses a pair of files in two modes before anything runs, naming both stacks", async () => {
    const { io, text } = capture();
    const code = await main(
      [
        "--config-a",
        path.join(REPO_ROOT, "Pulumi.account-a.yaml"),
        "--config-b",
        CONFIG_B,
        "--out",
        path.join(os.tmpdir(), "plan-grants-two-modes"),
      ],
      io,
    );
    expect(code).to.equal(1);
    expect(text()).to.include("Pulumi.account-a.yaml");
    expect(text()).to.include("runs in grants mode");
    expect(text()).to.include("nothing written");
  });
});
