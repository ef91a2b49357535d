/**
 * The plan says which namespace account-a's final update creates, and which it expects to exist.
 */
import { expect } from "chai";
import * as path from "node:path";
import { buildPlan } from "../../plan/build";
import { parsePlanConfigs } from "../../plan/config";
import { runPasses } from "../../plan/passes";
import { namespaceLines, renderPlan } from "../../plan/render";
import { REPO_ROOT } from "../../plan/cli";
import { loadStackConfig } from "../../stacks/stackFile";

async function planIn(namespace: string, extraA: Record<string, string> = {}) {
  const a = loadStackConfig(path.join(REPO_ROOT, "Pulumi.account-a.yaml"));
  const b = loadStackConfig(path.join(REPO_ROOT, "Pulumi.account-b.yaml"));
  const sa = { namespace, name: "s3-reader" };
  const configA = {
    ...a,
    config: { ...a.config, "cross-account-irsa:serviceAccount": JSON.stringify(sa), ...extraA },
  };
  const configB = {
    ...b,
    config: { ...b.config, "cross-account-irsa:serviceAccounts": JSON.stringify([sa]) },
  };
  const configs = parsePlanConfigs(configA, configB);
  return buildPlan(await runPasses(configA, configB, configs), configs);
}

describe("the plan names the namespace account-a creates", () => {
  it("the committed example: creates irsa-demo, and says so under the manifests", async () => {
    const plan = await planIn("irsa-demo");
    expect(plan.ok, plan.problems.join("\n")).to.be.true;
    expect(renderPlan(plan, { color: false })).to.include(
      "  namespace irsa-demo: created by this stack (cross-account-irsa:createNamespace), and deleted with it\n",
    );
  });

  it('"default": no Namespace manifest, and the plan says it is expected to exist', async () => {
    const plan = await planIn("default");
    expect(plan.ok, plan.problems.join("\n")).to.be.true;
    expect(plan.manifests.map((m) => m.kind)).to.not.include("Namespace");
    expect(renderPlan(plan, { color: false })).to.include(
      "  namespace default: not created by this stack; it must exist before the update (every cluster has it)\n",
    );
  });

  it("createNamespace: false: the namespace must exist, and the plan says how to have it created", async () => {
    const plan = await planIn("irsa-demo", { "cross-account-irsa:createNamespace": "false" });
    expect(namespaceLines(plan.manifests)).to.deep.equal([
      "namespace irsa-demo: not created by this stack; it must exist before the update (cross-account-irsa:createNamespace: true creates it)",
    ]);
  });
});
