/**
 * What the plan knows and what it does not: an adopted resource's facts are not invented by the
 * offline engine, and the plan's chain says so (a warning) instead of passing on them.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { POD_IDENTITY_LINKS } from "../../mechanisms";
import { buildPlan } from "../../plan/build";
import { REPO_ROOT } from "../../plan/cli";
import { collectSnapshot } from "../../mechanisms/planRegistry";
import { parsePlanConfigs } from "../../plan/config";
import { runPasses, type StackPass } from "../../plan/passes";
import { renderPlan } from "../../plan/render";
import { type PlanConfigs } from "../../plan/config";
import { loadStackConfig } from "../../stacks/stackFile";

const ISSUER_HOST = "oidc.eks.eu-west-1.amazonaws.com/id/F4CF34C6FFA3E78BCED224CCDD183B4A";

describe("offline plan: facts of adopted resources", function () {
  this.timeout(30_000);

  it("an adopted OIDC provider's client ids are not invented: link 2's client id check warns, with the fix", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-facts-"));
    try {
      const file = path.join(tmp, "adopt.yaml");
      fs.writeFileSync(
        file,
        `${fs.readFileSync(path.join(REPO_ROOT, "Pulumi.account-b.yaml"), "utf8")}\n  cross-account-irsa:existingOidcProviderArn: ` +
          `arn:aws:iam::444455556666:oidc-provider/${ISSUER_HOST}\n`,
      );
      const configA = loadStackConfig(path.join(REPO_ROOT, "Pulumi.account-a.yaml"));
      const configB = loadStackConfig(file);
      const configs = parsePlanConfigs(configA, configB);
      const passes = await runPasses(configA, configB, configs);
      const chain = collectSnapshot(passes, configs);
      expect(chain.mechanism === "irsa" && chain.provider).to.deep.include({ adopted: true });
      expect(chain.mechanism === "irsa" && chain.provider).to.not.have.property("clientIds");
      const plan = buildPlan(passes, configs);
      const clientId = plan.links.find((l) => l.check.includes("accepts client id"));
      expect(clientId?.status).to.equal("warn");
      expect(clientId?.detail).to.include("not known offline");
      expect(clientId?.fix).to.include("add-client-id-to-open-id-connect-provider");
      expect(plan.ok, plan.problems.join("\n")).to.be.true;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("offline plan: the Pod Identity source role's own policies", function () {
  this.timeout(30_000);
  let passes: StackPass[];
  let configs: PlanConfigs;

  before(async () => {
    const configA = loadStackConfig(path.join(REPO_ROOT, "examples/pod-identity/Pulumi.account-a.yaml"));
    const configB = loadStackConfig(path.join(REPO_ROOT, "examples/pod-identity/Pulumi.account-b.yaml"));
    configs = parsePlanConfigs(configA, configB);
    passes = await runPasses(configA, configB, configs);
  });

  it("a policy on another role of account A grants the source role nothing: link 3 fails, the plan shows none", () => {
    const copy = structuredClone(passes);
    const a = copy[2];
    const own = a.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy")!;
    // The same permission, on another role: the source role itself no longer has it.
    own.inputs = { ...own.inputs, role: "some-other-role" };
    own.state = { ...own.state, role: "some-other-role" };
    const plan = buildPlan(copy, configs);
    const permission = plan.links.filter((l) => l.check.startsWith("the source role may sts:"));
    expect(permission.map((l) => l.status)).to.deep.equal(["fail", "fail"]);
    expect(plan.sourceRole?.permissionPolicies).to.deep.equal([]);
    expect(plan.ok).to.be.false;
    // Untampered, the source role's own policy is the one the plan shows and checks.
    const healthy = buildPlan(passes, configs);
    expect(healthy.sourceRole?.permissionPolicies.map((p) => p.name)).to.deep.equal(["assume-target-role"]);
    expect(healthy.ok, healthy.problems.join("\n")).to.be.true;
  });

  it("numbers its links by the Pod Identity chain, also the permission link both chains have", () => {
    const permission = POD_IDENTITY_LINKS.find((l) => l.id === "permission")!;
    const saved = permission.number;
    permission.number = 9;
    try {
      const text = renderPlan(buildPlan(passes, configs), { color: false });
      const rows = text.split("\n").filter((l) => l.includes("the role may s3:GetObject what"));
      expect(rows).to.have.length.greaterThan(0);
      for (const row of rows) expect(row).to.match(/^\s*9\s/);
    } finally {
      permission.number = saved;
    }
  });
});
