/**
 * The IRSA -> EKS Pod Identity runbook of docs/migration.md as committed stack configs
 * (examples/migration/step-1..3/): each step is one config change from the one before, and the plan
 * of each shows the chain of every path the grant's role trusts, which of them account A sets up,
 * and which the pods take.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { REPO_ROOT } from "../../plan/cli";
import { buildGrantsPlan, type GrantsPlan } from "../../plan/grantsBuild";
import { parsePlanGrantsConfigs } from "../../plan/grantsConfig";
import { runPasses, type StackPass } from "../../plan/passes";
import { finalPass, resourcesOfType } from "../../plan/records";
import { loadStackConfig } from "../../stacks/stackFile";

const STEPS = [1, 2, 3] as const;
const file = (step: number, stack: "a" | "b") =>
  path.join(REPO_ROOT, "examples/migration", `step-${step}`, `Pulumi.account-${stack}.yaml`);

/** The paths (dotted, with list indexes) where two parsed YAML values differ. */
function differences(x: unknown, y: unknown, at = ""): string[] {
  if (typeof x === "object" && x !== null && typeof y === "object" && y !== null) {
    if (Array.isArray(x) !== Array.isArray(y)) return [at];
    if (
      Array.isArray(x) &&
      Array.isArray(y) &&
      x.every((v) => typeof v !== "object") &&
      x.length !== y.length
    ) {
      return [at];
    }
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    return [...keys].flatMap((k) =>
      differences(
        (x as Record<string, unknown>)[k],
        (y as Record<string, unknown>)[k],
        at ? `${at}.${k}` : k,
      ),
    );
  }
  return JSON.stringify(x) === JSON.stringify(y) ? [] : [at];
}

const config = (step: number, stack: "a" | "b") => yaml.load(fs.readFileSync(file(step, stack), "utf8"));

/** The example folders holding a stack pair's configs, relative to examples/. */
function exampleStackPairs(dir = path.join(REPO_ROOT, "examples"), prefix = ""): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (!e.isDirectory()) return [];
    const rel = `${prefix}${e.name}`;
    const full = path.join(dir, e.name);
    const pair = fs.existsSync(path.join(full, "Pulumi.account-a.yaml")) ? [rel] : [];
    return [...pair, ...exampleStackPairs(full, `${rel}/`)];
  });
}

describe("CI plans every committed example stack pair (.ci/run)", () => {
  it("lists each folder of examples/ that holds Pulumi.account-a.yaml in its plan loop", () => {
    const ci = fs.readFileSync(path.join(REPO_ROOT, ".ci/run"), "utf8");
    const loop = /for example in ([^;]+); do\n\s+npm run plan/.exec(ci);
    expect(loop, "the plan loop of .ci/run").to.not.be.null;
    expect(loop![1].trim().split(/\s+/).sort()).to.deep.equal(exampleStackPairs().sort());
    expect(exampleStackPairs()).to.include.members(["grants", "migration/step-1", "migration/step-3"]);
  });
});

describe("the IRSA -> Pod Identity runbook as committed configs (examples/migration/)", function () {
  this.timeout(60_000);

  it("each step is one config change from the one before: account-a's binding, then account-b's trust", () => {
    expect({
      a: differences(config(1, "a"), config(2, "a")),
      b: differences(config(1, "b"), config(2, "b")),
    }).to.deep.equal({ a: ["config.cross-account-irsa:grants.0.mechanism"], b: [] });
    expect({
      a: differences(config(2, "a"), config(3, "a")),
      b: differences(config(2, "b"), config(3, "b")),
    }).to.deep.equal({ a: [], b: ["config.cross-account-irsa:grants.0.mechanism"] });
    const mechanisms = STEPS.map((s) => [
      (config(s, "b") as { config: Record<string, Array<{ mechanism: unknown }>> }).config[
        "cross-account-irsa:grants"
      ][0].mechanism,
      (config(s, "a") as { config: Record<string, Array<{ mechanism: unknown }>> }).config[
        "cross-account-irsa:grants"
      ][0].mechanism,
    ]);
    expect(mechanisms).to.deep.equal([
      [
        ["irsa", "pod-identity"],
        ["irsa", "pod-identity"],
      ],
      [["irsa", "pod-identity"], ["pod-identity"]],
      [["pod-identity"], ["pod-identity"]],
    ]);
  });

  describe("the plan of each step", () => {
    const plans = new Map<number, { plan: GrantsPlan; passes: StackPass[] }>();
    before(async () => {
      for (const step of STEPS) {
        const configA = loadStackConfig(file(step, "a"));
        const configB = loadStackConfig(file(step, "b"));
        const configs = parsePlanGrantsConfigs(configA, configB);
        const passes = await runPasses(configA, configB, configs);
        plans.set(step, { plan: buildGrantsPlan(passes, configs), passes });
      }
    });
    const grant = (step: number) => plans.get(step)!.plan.grants[0];
    const path = (step: number, mechanism: string) =>
      grant(step).paths.find((p) => p.mechanism === mechanism);

    it("every step is as intended", () => {
      for (const step of STEPS) {
        const { plan } = plans.get(step)!;
        expect(plan.ok, `step ${step}: ${plan.problems.join("\n")}`).to.be.true;
      }
    });

    it("step 1: both paths set up and checked, the pods take IRSA, Pod Identity's plain-ServiceAccount check says why it waits", () => {
      expect(grant(1).podCredentialPath).to.equal("irsa");
      for (const m of ["irsa", "pod-identity"]) {
        expect(path(1, m)?.bound, m).to.be.true;
        expect(path(1, m)?.links.filter((l) => l.status === "pass").length, m).to.be.greaterThan(5);
      }
      const waiting = path(1, "pod-identity")!.links.filter((l) => l.status === "skip");
      expect(waiting.map((l) => l.check)).to.deep.equal([
        "ServiceAccount team-a/reports-reader has no eks.amazonaws.com/role-arn annotation",
      ]);
      expect(waiting[0].detail).to.include("the pods take irsa first (podCredentialPath)");
      // The IRSA trust and the Pod Identity trust are both in the one role's policy, both evaluated.
      expect(path(1, "irsa")!.matrix.some((r) => r.kind === "trust" && r.expected === "allow" && r.ok)).to.be
        .true;
      expect(
        path(1, "pod-identity")!.matrix.some(
          (r) => r.kind === "target-trust" && r.expected === "allow" && r.ok,
        ),
      ).to.be.true;
    });

    it("step 1's standby path is still judged: without its association, Pod Identity's chain fails", () => {
      const { passes } = plans.get(1)!;
      const tampered = structuredClone(passes);
      const a = finalPass(tampered, "account-a")!;
      a.resources = a.resources.filter(
        (r) => r.type !== "aws:eks/podIdentityAssociation:PodIdentityAssociation",
      );
      const configs = parsePlanGrantsConfigs(loadStackConfig(file(1, "a")), loadStackConfig(file(1, "b")));
      const broken = buildGrantsPlan(tampered, configs);
      expect(broken.ok).to.be.false;
      expect(broken.problems.length).to.be.greaterThan(0);
      for (const p of broken.problems) expect(p).to.match(/^grant reports: pod-identity: link 2 broken/);
    });

    it("step 2: the pods take Pod Identity; IRSA is still trusted (its matrix), no longer set up (no chain)", () => {
      expect(grant(2).podCredentialPath).to.equal("pod-identity");
      expect(path(2, "irsa")).to.deep.include({ bound: false, links: [] });
      expect(path(2, "irsa")!.matrix.filter((r) => r.kind === "trust").length).to.be.greaterThan(0);
      expect(
        path(2, "pod-identity")!.links.filter((l) => l.status === "skip" || l.status === "fail"),
      ).to.deep.equal([]);
      const sa = resourcesOfType(
        finalPass(plans.get(2)!.passes, "account-a")!,
        "kubernetes:core/v1:ServiceAccount",
      );
      expect(JSON.stringify(sa[0].inputs.metadata)).to.not.include("role-arn");
    });

    it("step 3: Pod Identity only; account-b registers no OIDC provider any more", () => {
      expect(grant(3).paths.map((p) => p.mechanism)).to.deep.equal(["pod-identity"]);
      const b = finalPass(plans.get(3)!.passes, "account-b")!;
      expect(resourcesOfType(b, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).to.deep.equal([]);
      expect(grant(3).trustPolicy.json).to.not.include("Federated");
      // Step 2's: the stack's cluster-oidc, created (the grant reads it back by ARN).
      const before = resourcesOfType(
        finalPass(plans.get(2)!.passes, "account-b")!,
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      ).filter((r) => !r.read);
      expect(before.map((r) => r.name)).to.deep.equal(["cluster-oidc"]);
    });

    it("the ServiceAccount and the grant's role keep their names (URNs) through the three steps: nothing replaced", () => {
      const urns = (step: number, type: string, stack: "account-a" | "account-b") =>
        resourcesOfType(finalPass(plans.get(step)!.passes, stack)!, type).map((r) => r.urn);
      for (const [type, stack] of [
        ["kubernetes:core/v1:ServiceAccount", "account-a"],
        ["aws:iam/role:Role", "account-b"],
      ] as const) {
        expect(urns(2, type, stack), type).to.deep.equal(urns(1, type, stack));
        expect(urns(3, type, stack), type).to.deep.equal(urns(2, type, stack));
      }
    });
  });
});
