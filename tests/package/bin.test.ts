/**
 * The package's `cross-account-irsa` binary as a user runs it: `npx cross-account-irsa ...` in the
 * scratch program the packed tarball is installed into (see packed.ts), the compiled JavaScript of
 * dist/cli/ and the dependencies the packed package.json declares, never this repository's source.
 * Against moto and the loopback stand-ins of the doctor's live tests (tests/aws/support), started
 * here: the healthy Pod Identity chain (every link passes: unlike IRSA's, it has no issuer link, which
 * a separate process cannot be routed to the stand-in issuer for) and broken chains of both mechanisms.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { motoMissing } from "../aws/support/moto";
import { EXPLICIT, PI_EXPLICIT, validate } from "../aws/support/run";
import { startWorld, type World } from "../aws/support/world";
import { CHAIN } from "../aws/support/chain";
import { type Packed, packed, run, type RunResult } from "./packed";

interface Report {
  ok: boolean;
  links: Array<{ link: string; check: string; status: string }>;
}

/** Links `node_modules/.bin/<name>` to the package's bin, as `npm install` does (packed.ts installs by unpacking). */
function linkBins(pkg: Packed): void {
  const bins = (pkg.manifest as { bin?: Record<string, string> }).bin ?? {};
  const binDir = path.join(pkg.consumerDir, "node_modules", ".bin");
  fs.mkdirSync(binDir, { recursive: true });
  for (const [name, file] of Object.entries(bins)) {
    const link = path.join(binDir, name);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.relative(binDir, path.join(pkg.installedDir, file)), link);
  }
}

describe("npx cross-account-irsa (the packed tarball's binary)", function () {
  this.timeout(120_000);
  let pkg: Packed;
  const npx = (args: string[]): Promise<RunResult> =>
    run("npx", ["--offline", "--no-install", "cross-account-irsa", ...args], pkg.consumerDir);
  /** The installed binary itself, as npx found it above (npx's own start-up is seconds on a busy machine). */
  const bin = (args: string[]): Promise<RunResult> =>
    run(path.join(pkg.consumerDir, "node_modules", ".bin", "cross-account-irsa"), args, pkg.consumerDir);

  before(async () => {
    pkg = await packed();
    linkBins(pkg);
  });

  it("is declared in package.json and is compiled JavaScript with a node shebang", () => {
    const bin = (pkg.manifest as { bin?: Record<string, string> }).bin;
    expect(bin).to.deep.equal({ "cross-account-irsa": "dist/cli/cli/main.js" });
    const file = path.join(pkg.installedDir, bin!["cross-account-irsa"]);
    expect(fs.readFileSync(file, "utf8").split("\n")[0]).to.equal("#!/usr/bin/env node");
    expect(pkg.files.filter((f) => f.startsWith("dist/cli/") && !f.endsWith(".js"))).to.deep.equal([]);
  });

  it("`doctor --help` prints the doctor's usage and exits 0", async () => {
    const r = await npx(["doctor", "--help"]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^Usage: .*doctor/);
    expect(r.stdout).to.include("--role-arn");
  });

  it("names its commands, and an unknown one is exit 2", async () => {
    const help = await bin(["--help"]);
    expect(help.status).to.equal(0);
    expect(help.stdout).to.match(/^Usage: cross-account-irsa <command>/);
    const unknown = await bin(["deploy"]);
    expect(unknown.status).to.equal(2);
    expect(unknown.stderr).to.include("unknown command 'deploy'");
  });

  describe("the doctor against moto", function () {
    let world: World | undefined;
    const doctor = async (
      args: string[],
    ): Promise<{ status: number | null; report: Report; stderr: string }> => {
      const r = await bin(["doctor", ...args, "--json"]);
      return { status: r.status, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
    };

    before(async function () {
      const missing = motoMissing();
      if (missing !== undefined) {
        if (process.env.REQUIRE_MOTO === "1") throw new Error(`REQUIRE_MOTO=1 but ${missing}`);
        this.skip();
      }
      this.timeout(90_000);
      // The world points process.env at moto (AWS_ENDPOINT_URL, the profiles' files), and `run`
      // passes process.env on to npx and the binary.
      world = await startWorld();
    });
    after(async () => {
      await world?.stop();
    });

    it("a healthy Pod Identity chain: exit 0, every link passes", async () => {
      await world!.buildPodIdentity();
      const r = await doctor([...PI_EXPLICIT, "--kubeconfig", world!.kubeconfigFile]);
      expect(r.status, r.stderr).to.equal(0);
      expect(validate(r.report)).to.equal(true);
      expect(r.report.ok).to.equal(true);
      expect(r.report.links.filter((l) => l.status !== "pass")).to.deep.equal([]);
      expect(r.report.links.map((l) => l.link)).to.include.members([
        "agent",
        "association",
        "source-role",
        "target-trust",
        "permission",
      ]);
    });

    it("a Pod Identity chain without the association: exit 1, the association link fails", async () => {
      await world!.buildPodIdentity({ association: "none" });
      const r = await doctor([...PI_EXPLICIT, "--kubeconfig", world!.kubeconfigFile]);
      expect(r.status, r.stderr).to.equal(1);
      expect(r.report.ok).to.equal(false);
      expect([
        ...new Set(r.report.links.filter((l) => l.status === "fail").map((l) => l.link)),
      ]).to.deep.equal(["association"]);
    });

    it("an IRSA chain whose object is missing: exit 1, the permission link fails", async () => {
      await world!.build({ putObject: false });
      const r = await doctor([...EXPLICIT, "--kubeconfig", world!.kubeconfigFile]);
      expect(r.status, r.stderr).to.equal(1);
      // The issuer's link is left out: this process cannot route the EKS issuer's host to the stand-in
      // (see tests/aws/doctor.test.ts, "in its own process").
      const failed = r.report.links.filter((l) => l.status === "fail" && l.link !== "issuer");
      expect(failed.map((l) => [l.link, l.check])).to.deep.equal([
        ["permission", `object s3://${CHAIN.bucket}/${CHAIN.key} exists`],
      ]);
    });
  });
});
