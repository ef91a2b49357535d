/**
 * The package's binary (cli/main.ts, `npx cross-account-irsa`): its commands, the plan's defaults in
 * the current folder, and what `doctor --help` and `doctor --no-cluster` load. The binary as the npm
 * tarball ships it is tests/package/bin.test.ts.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { COMMANDS, USAGE, planDefaults, run } from "../../cli/main";

const ROOT = path.resolve(__dirname, "..", "..");

/** Runs the binary from the source (compiled by the cache) with a preload that reports the modules it loaded. */
function runBin(args: string[]): Promise<{ code: number; stdout: string; stderr: string; loaded: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-main-"));
  const report = path.join(dir, "modules.json");
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["-r", "./scripts/tsCache.js", "-r", "./tests/support/reportModules.js", "cli/main.ts", ...args],
      { cwd: ROOT, env: { ...process.env, REPORT_MODULES_TO: report, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        const loaded = JSON.parse(fs.readFileSync(report, "utf8")) as string[];
        fs.rmSync(dir, { recursive: true, force: true });
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr, loaded });
      },
    );
  });
}

const packages = (loaded: string[], name: string) =>
  loaded.filter((m) => m.includes(`node_modules/${name}/`));

describe("cross-account-irsa (cli/main.ts)", function () {
  this.timeout(20_000);

  it("names its two commands in its usage", () => {
    expect(COMMANDS).to.deep.equal(["doctor", "plan"]);
    for (const command of COMMANDS) expect(USAGE).to.match(new RegExp(`^  ${command} `, "m"));
  });

  it("plans the stack configs of the folder it runs in, into ./out/plan", () => {
    expect(planDefaults("/work/app")).to.deep.equal([
      "--config-a",
      "/work/app/Pulumi.account-a.yaml",
      "--config-b",
      "/work/app/Pulumi.account-b.yaml",
      "--out",
      "/work/app/out/plan",
    ]);
  });

  it("exits 2 on an unknown command, naming it, and 0 on --help", async () => {
    // In this process, its two streams captured: no child process needed for what loads nothing.
    const written = { stdout: "", stderr: "" };
    const saved = {
      stdout: process.stdout.write.bind(process.stdout),
      stderr: process.stderr.write.bind(process.stderr),
    };
    const capture = (stream: "stdout" | "stderr") =>
      ((chunk: string) => {
        written[stream] += chunk;
        return true;
      }) as typeof process.stdout.write;
    process.stdout.write = capture("stdout");
    process.stderr.write = capture("stderr");
    let unknown: number;
    let help: number;
    try {
      unknown = await run(["deploy"]);
      help = await run(["--help"]);
    } finally {
      process.stdout.write = saved.stdout;
      process.stderr.write = saved.stderr;
    }
    expect(unknown).to.equal(2);
    expect(written.stderr).to.match(/^cross-account-irsa: unknown command 'deploy'\n/);
    expect(help).to.equal(0);
    expect(written.stdout).to.equal(USAGE);
  });

  it("`doctor --help` loads neither the Pulumi SDK, nor the AWS SDK, nor the Kubernetes client", async () => {
    const r = await runBin(["doctor", "--help"]);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^Usage: /);
    for (const name of ["@pulumi/pulumi", "@aws-sdk/client-s3", "@kubernetes/client-node"]) {
      expect(packages(r.loaded, name), name).to.deep.equal([]);
    }
  });

  it("the doctor's Kubernetes module does not load @kubernetes/client-node until the cluster is read", async () => {
    // Loading it is seconds on a busy machine: the moto suite's runs that read the cluster load it.
    const script =
      'require("./doctor/kube");' + "process.stdout.write(JSON.stringify(Object.keys(require.cache)));";
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["-r", "./scripts/tsCache.js", "-e", script], { cwd: ROOT }, (e, out) =>
        e ? reject(new Error(e.message)) : resolve(out),
      ),
    );
    const loaded = JSON.parse(stdout) as string[];
    expect(loaded.some((m) => m.endsWith(path.join("doctor", "kube.ts")))).to.equal(true);
    expect(packages(loaded, "@kubernetes/client-node")).to.deep.equal([]);
  });
});
