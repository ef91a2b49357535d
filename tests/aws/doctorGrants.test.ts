/**
 * The doctor on stacks in grants mode, against moto: two grants written as the AWS CLI and boto3
 * write them (./support/grantsChain.ts), read from the stacks' `grants` outputs through the injected
 * workspace: `reports` healthy mid-migration (IRSA and Pod Identity), `archive` (IRSA) whose trust
 * names the other grant's ServiceAccount.
 */
import { expect } from "chai";
import { type DoctorGrantsReport } from "../../doctor/report";
import { stacksWorkspace } from "../support/stacksWorkspace";
import { grantsOutputs } from "./support/grantsChain";
import { world } from "./support/hooks";
import Ajv from "ajv";
import { READ_ONLY, REPORT_SCHEMA, doctor } from "./support/run";

/** The `--json` document of stacks in grants mode, strictly: no other property anywhere. */
const GRANTS_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["ok", "mode", "grants", "unbound", "noProbe", "danglingTrusts"],
  properties: {
    ok: { type: "boolean" },
    mode: { const: "grants" },
    unbound: { type: "array", items: { type: "string" } },
    noProbe: { type: "array", items: { type: "string" } },
    danglingTrusts: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["grant", "check", "status", "detail", "fix"],
        properties: {
          grant: { type: "string" },
          mechanism: { enum: ["irsa", "pod-identity", "irsa-chained"] },
          roleArn: { type: "string" },
          check: { const: "dangling trust" },
          status: { const: "fail" },
          detail: { type: "string" },
          fix: { type: "string" },
        },
      },
    },
    grants: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["key", "ok", "mechanisms", "podCredentialPath", "chains"],
        properties: {
          key: { type: "string" },
          ok: { type: "boolean" },
          mechanisms: { type: "array", items: { enum: ["irsa", "pod-identity", "irsa-chained"] } },
          podCredentialPath: { enum: ["irsa", "pod-identity", "irsa-chained"] },
          pods: { type: "array", items: { type: "string" } },
          chains: {
            type: "array",
            items: {
              type: "object",
              additionalProperties: false,
              required: ["mechanism", "ok", "links"],
              properties: {
                mechanism: { enum: ["irsa", "pod-identity", "irsa-chained"] },
                ok: { type: "boolean" },
                links: REPORT_SCHEMA.properties.links,
              },
            },
          },
        },
      },
    },
  },
};
const validateGrants = new Ajv({ strict: true, allErrors: true }).compile(GRANTS_SCHEMA);

/** Runs the doctor on the stacks (no chain flag), both accounts' profiles, and `extra`. */
async function doctorOnStacks(extra: string[], json = true) {
  const issuerUrl = await world().buildGrants();
  const ws = stacksWorkspace(grantsOutputs(issuerUrl, world().kube, world().tls), "us-east-1");
  const r = await doctor(extra, {
    base: ["--profile-a", "cluster-account", "--profile-b", "role-account"],
    json,
    deps: {
      run: () => Promise.resolve({ code: 0, stdout: "v3.248.0\n", stderr: "" }),
      createWorkspace: () => Promise.resolve(ws),
    },
  });
  const report =
    json && r.stdout.trim().startsWith("{") ? (JSON.parse(r.stdout) as DoctorGrantsReport) : undefined;
  return { ...r, report };
}

const failed = (report: DoctorGrantsReport | undefined, key: string) =>
  report?.grants
    .find((g) => g.key === key)
    ?.chains.flatMap((c) =>
      c.links.filter((l) => l.status === "fail").map((l) => [c.mechanism, l.link, l.check]),
    );

describe("npm run doctor on stacks in grants mode, against moto (two grants written by the CLI and boto3)", function () {
  this.timeout(60000);

  it("judges every grant: the healthy one passes, the broken one fails its trust link, and the run exits 1", async () => {
    const r = await doctorOnStacks([]);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.report?.ok).to.equal(false);
    expect(validateGrants(r.report), JSON.stringify(validateGrants.errors)).to.equal(true);
    expect(
      r.report?.grants.map((g) => [g.key, g.ok, g.podCredentialPath, g.chains.map((c) => c.mechanism)]),
    ).to.deep.equal([
      ["reports", true, "irsa", ["irsa", "pod-identity"]],
      ["archive", false, "irsa", ["irsa"]],
    ]);
    expect(failed(r.report, "reports")).to.deep.equal([]);
    expect(failed(r.report, "archive")).to.deep.equal([
      ["irsa", "trust-policy", "the role trusts team-a/archive-reader with audience sts.amazonaws.com"],
    ]);
    // Every link of the healthy grant was judged, live: none skipped or undecided.
    const reports = r.report!.grants[0].chains[0].links;
    expect(reports.filter((l) => l.status !== "pass")).to.deep.equal([]);
    expect(reports).to.have.length(14);
    // The Pod Identity chain of the migrating grant: every AWS-side link judged and passing; its
    // Kubernetes side skipped, naming why (the pods take IRSA first, and the IRSA chain judged them).
    const standby = r.report!.grants[0].chains[1].links;
    expect(standby.filter((l) => l.status === "pass").map((l) => l.link)).to.include.members([
      "agent",
      "association",
      "source-role",
      "target-trust",
      "permission",
    ]);
    expect(standby.filter((l) => l.status !== "pass").map((l) => [l.status, l.detail])).to.deep.equal([
      [
        "skip",
        "standby path: the pods take irsa first (account-a's podCredentialPath), and the irsa chain judges their " +
          "ServiceAccount and pods: would have checked that it exists without an eks.amazonaws.com/role-arn annotation",
      ],
      [
        "skip",
        "standby path: the pods take irsa first (account-a's podCredentialPath), and the irsa chain judges their " +
          "ServiceAccount and pods: would have checked that its pods have AWS_CONTAINER_CREDENTIALS_FULL_URI and " +
          "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
      ],
    ]);
    expect(r.calls).to.include.members(["aws EKS:ListPodIdentityAssociations", "aws EKS:DescribeAddon"]);
    expect(r.report?.grants[0].pods).to.deep.equal([
      "reports-reader-5c7d-abcde uses IRSA's web identity (AWS_ROLE_ARN)",
    ]);
    // Read-only, both grants' ServiceAccounts read through account-a's kubeconfig output.
    expect(r.calls.filter((c) => !READ_ONLY.test(c))).to.deep.equal([]);
    expect(world().kube.requests).to.include.members([
      "GET /api/v1/namespaces/team-a/serviceaccounts/reports-reader",
      "GET /api/v1/namespaces/team-a/serviceaccounts/archive-reader",
    ]);
  });

  it("--grant selects one: the healthy grant exits 0, the broken one 1", async () => {
    const healthy = await doctorOnStacks(["--grant", "reports"]);
    expect(healthy.code, healthy.stderr).to.equal(0);
    expect(healthy.report?.grants.map((g) => g.key)).to.deep.equal(["reports"]);
    // Only that grant's chain is read.
    expect(world().kube.requests.filter((q) => q.includes("/serviceaccounts/"))).to.deep.equal([
      "GET /api/v1/namespaces/team-a/serviceaccounts/reports-reader",
    ]);
    const broken = await doctorOnStacks(["--grant", "archive"]);
    expect(broken.code).to.equal(1);
    expect(broken.report?.grants.map((g) => [g.key, g.ok])).to.deep.equal([["archive", false]]);
  });

  it("prints one section per grant on a terminal, and names the broken grant last", async () => {
    const r = await doctorOnStacks([], false);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(
      /^Grant reports: irsa \+ pod-identity; pods use irsa \(account-a's podCredentialPath\)\n/,
    );
    expect(r.stdout).to.include(
      "Grant reports (pod-identity): no broken link (17 passed, 0 failed, 0 warned, 2 skipped)",
    );
    expect(r.stdout).to.include("\nGrant archive: irsa; pods use irsa (account-a's podCredentialPath)\n");
    expect(r.stdout).to.include(
      "Grant reports (irsa): no broken link (14 passed, 0 failed, 0 warned, 0 skipped)",
    );
    expect(r.stdout).to.include("Grant archive (irsa): 1 broken link(s)");
    expect(r.stdout.trimEnd().split("\n").at(-1)).to.equal(
      "Doctor: 1 of 2 grant(s) with a broken link: archive",
    );
  });
});
