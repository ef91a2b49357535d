/**
 * What the plan knows and what it does not: an adopted resource's facts are not invented by the
 * offline engine, and the plan's chain says so (a warning) instead of passing on them.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildPlan } from "../../plan/build";
import { REPO_ROOT } from "../../plan/cli";
import { collectSnapshot } from "../../plan/collect";
import { parsePlanConfigs } from "../../plan/config";
import { runPasses } from "../../plan/passes";
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
