/**
 * `npm run plan` on the committed IRSA with role chaining example (examples/irsa-chained/): the three
 * runs, the provider and source role in account A, no provider in account B, the profile ConfigMap
 * mounted read-only by both probes, an access matrix whose every near miss is denied, and an all-pass
 * chain of seven links; and the config refusals that are this mechanism's.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { type CheckResult } from "../../../chain";
import { type AccessRow } from "../../../plan/matrix";
import { REPO_ROOT, main, type PlanIo } from "../../../plan/cli";

const CONFIG_A = path.join(REPO_ROOT, "examples/irsa-chained/Pulumi.account-a.yaml");
const CONFIG_B = path.join(REPO_ROOT, "examples/irsa-chained/Pulumi.account-b.yaml");

interface Summary {
  ok: boolean;
  runs: Array<{ stack: string; resources: Array<{ type: string }> }>;
  policies: { mechanism: string };
  accessMatrix: AccessRow[];
  links: CheckResult[];
}

async function plan(
  configA: string,
  configB: string,
  out: string,
): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const io: PlanIo = {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stdout += s),
    isTTY: false,
    env: {},
    cwd: REPO_ROOT,
  };
  const code = await main(["--config-a", configA, "--config-b", configB, "--out", out], io);
  return { code, stdout };
}

describe("offline plan of the irsa-chained example", function () {
  this.timeout(30000);
  let tmp: string;
  let out: string;
  let result: { code: number; stdout: string };
  let summary: Summary;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-irsa-chained-"));
    out = path.join(tmp, "out");
    result = await plan(CONFIG_A, CONFIG_B, out);
    summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")) as Summary;
  });

  it("plans OK: the provider and source role in A, none in B, the profile mounted by both probes", () => {
    expect(result.code, result.stdout).to.equal(0);
    expect(summary.ok).to.equal(true);
    expect(summary.policies.mechanism).to.equal("irsa-chained");
    const types = (stack: string, i: number) =>
      summary.runs.filter((r) => r.stack === stack)[i].resources.map((r) => r.type);
    expect(types("account-a", 0)).to.include("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    expect(types("account-a", 0)).to.include("cross-account-irsa:index:ChainedSourceRole");
    expect(types("account-b", 0)).to.not.include("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    expect(types("account-a", 1)).to.include("kubernetes:core/v1:ConfigMap");
    for (const file of ["job-team-a-access-check", "deployment-team-a-s3-reader"]) {
      const name = fs.readdirSync(path.join(out, "manifests")).find((f) => f.startsWith(file))!;
      const manifest = yaml.load(fs.readFileSync(path.join(out, "manifests", name), "utf8")) as {
        spec: {
          template: {
            spec: {
              containers: Array<{ env: Array<{ name: string; value: string }>; volumeMounts: unknown[] }>;
            };
          };
        };
      };
      const container = manifest.spec.template.spec.containers[0];
      expect(container.env).to.deep.include({ name: "AWS_PROFILE", value: "cross-account-irsa" });
      expect(container.env).to.deep.include({
        name: "AWS_CONFIG_FILE",
        value: "/etc/cross-account-irsa/aws/config",
      });
      expect(container.volumeMounts).to.deep.include({
        name: "aws-chained-config",
        mountPath: "/etc/cross-account-irsa/aws",
        readOnly: true,
      });
    }
  });

  it("every matrix row as intended, near misses denied; seven links, all pass", () => {
    expect(summary.accessMatrix.filter((r) => !r.ok)).to.deep.equal([]);
    const denied = summary.accessMatrix.filter((r) => r.kind === "target-trust" && r.expected === "deny");
    expect(denied.map((r) => r.subject)).to.deep.equal([
      "another role of account A",
      "the source role's name in account 999988887777",
      "account A's root user",
    ]);
    expect(summary.links.filter((l) => l.status !== "pass")).to.deep.equal([]);
    expect(new Set(summary.links.map((l) => l.link)).size).to.equal(7);
    expect(result.stdout).to.include("IRSA with role chaining chain links (offline)");
  });

  it("account-b refuses an OIDC provider and sessions over an hour, naming the key", async () => {
    const b = yaml.load(fs.readFileSync(CONFIG_B, "utf8")) as { config: Record<string, unknown> };
    for (const [k, v, rule] of [
      [
        "cross-account-irsa:existingOidcProviderArn",
        "arn:aws:iam::444455556666:oidc-provider/x",
        /no OIDC provider/,
      ],
      ["cross-account-irsa:maxSessionDuration", 7200, /caps the target role's sessions at 3600 seconds/],
    ] as const) {
      const file = path.join(tmp, `b-${k.split(":")[1]}.yaml`);
      fs.writeFileSync(file, yaml.dump({ config: { ...b.config, [k]: v } }));
      const r = await plan(CONFIG_A, file, path.join(tmp, "refused"));
      expect(r.code, r.stdout).to.not.equal(0);
      expect(r.stdout).to.include(k).and.match(rule);
    }
  });
});
