import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXIT, USAGE, main } from "../../deploy/cli";
import { PULUMI_INSTALL_URL } from "../../cli/shared/pulumiCli";
import { MemoryWorkspace } from "./memoryWorkspace";
import { CALLER, REPO, ROLE_ARN, harness, podList } from "./cliFixtures";

describe("automation CLI", () => {
  describe("main", () => {
    it("prints the usage for --help and exits 0", async () => {
      const h = harness();
      expect(await main(["--help"], h.deps)).to.equal(EXIT.ok);
      expect(h.out).to.deep.equal([USAGE]);
      for (const word of [
        "deploy",
        "preview",
        "destroy",
        "verify",
        "--stack-a",
        "--stack-b",
        "--backend",
        "--yes",
        "--help",
      ]) {
        expect(USAGE).to.include(word);
      }
      expect(h.run.runs).to.deep.equal([]);
    });

    it("rejects an unknown flag with the usage and exit code 2", async () => {
      const h = harness();
      expect(await main(["deploy", "--nope"], h.deps)).to.equal(EXIT.usage);
      expect(h.err[0]).to.match(/^error: Unknown option '--nope'/);
      expect(h.err[1]).to.equal(USAGE);
      expect(h.run.runs).to.deep.equal([]);
    });

    for (const command of ["deploy", "destroy"]) {
      it(`refuses ${command} without --yes when there is no terminal`, async () => {
        const h = harness({ isTTY: false });
        expect(await main([command], h.deps)).to.equal(EXIT.usage);
        expect(h.err[0]).to.include("there is no terminal to confirm on: pass --yes");
        expect(h.err[0]).to.include(`npm run ${command} -- --yes`);
        expect(h.run.runs).to.deep.equal([]);
        expect(h.settings).to.deep.equal([]);
      });
    }

    it("asks before deploying on a terminal, and does nothing when the answer is no", async () => {
      const h = harness({ isTTY: true, answer: false });
      expect(await main(["deploy"], h.deps)).to.equal(EXIT.failure);
      expect(h.questions).to.deep.equal([
        "Deploy (create or update) stacks account-a and account-b on file:///home/me/state?",
      ]);
      expect(h.err).to.deep.equal(["deploy cancelled: nothing was changed."]);
      expect(h.settings).to.deep.equal([]);
    });

    it("deploys after a yes on a terminal", async () => {
      const h = harness({ isTTY: true, answer: true });
      expect(await main(["deploy"], h.deps)).to.equal(EXIT.ok);
      expect(h.questions).to.have.length(1);
      expect(h.ws.callLog(["up"])).to.deep.equal(["up account-a", "up account-b", "up account-a"]);
    });

    it("previews two new stacks without asking, even without a terminal, and shows account-b's first-run plan", async () => {
      const h = harness({ isTTY: false });
      expect(await main(["preview"], h.deps), h.err.join("\n")).to.equal(EXIT.ok);
      expect(h.questions).to.deep.equal([]);
      expect(h.ws.callLog(["preview"])).to.deep.equal(["preview account-a", "preview account-b"]);
      // The real account-b program, previewed before account-a exists: everything it will create.
      expect(h.out).to.include("[2/2 account-b]   +14.0s create  aws:iam/role:Role irsa-role");
      expect(h.out).to.include(
        "[2/2 account-b] preview done in 16.0s: 16 to create, 0 to update, 0 to delete, 0 unchanged",
      );
      expect(h.err).to.deep.equal([]);
    });

    it("says to install the AWS CLI v2 when it is missing or older than @pulumi/eks accepts, before any stack operation", async () => {
      for (const [answer, message] of [
        ["not-found", /The AWS CLI \(`aws`\) was not found on PATH.*install the AWS CLI v2/],
        [
          { stdout: "aws-cli/2.6.3 Python/3.9.11 Linux/5.15 exe/x86_64\n" },
          /The AWS CLI is 2\.6\.3; @pulumi\/eks needs at least 2\.7\.0/,
        ],
        [{ stdout: "aws-cli/1.22.1 Python/3.8 Linux/5.15 botocore/1.23.1\n" }, /needs at least 1\.24\.0/],
      ] as const) {
        const h = harness({ script: { "aws --version": answer } });
        expect(await main(["deploy", "--yes"], h.deps)).to.equal(EXIT.failure);
        expect(h.err[0]).to.match(message);
        expect(h.settings, "no workspace was created").to.deep.equal([]);
      }
    });

    it("creates a self-managed state directory (mode 0700) before the first Automation API call", async () => {
      const h = harness();
      expect(await main(["preview", "--backend", "file://./.pulumi-state"], h.deps)).to.equal(EXIT.ok);
      expect(h.fs.directories.get("/cwd/.pulumi-state")).to.equal(0o700);
      expect(h.settings[0].backendUrl).to.equal("file:///cwd/.pulumi-state");
      const home = harness();
      await main(["preview", "--backend", "file://~/.pulumi-irsa"], home.deps);
      expect([...home.fs.directories.keys()]).to.deep.equal(["/home/me/.pulumi-irsa"]);
      const cloud = harness();
      await main(["preview", "--backend", "https://api.pulumi.com"], cloud.deps);
      expect(cloud.fs.directories.size).to.equal(0);
    });

    it("says to install the Pulumi CLI when it is missing, before anything else", async () => {
      const h = harness({ script: { "pulumi version": "not-found" } });
      expect(await main(["deploy", "--yes"], h.deps)).to.equal(EXIT.failure);
      expect(h.err).to.have.length(1);
      expect(h.err[0]).to.include("The Pulumi CLI (`pulumi`) was not found on PATH");
      expect(h.err[0]).to.include(PULUMI_INSTALL_URL);
      expect(h.settings).to.deep.equal([]);
    });

    it("fails clearly on a file:// backend without a passphrase, without running Pulumi", async () => {
      const h = harness({ env: { AWS_PROFILE: "dev" } });
      expect(await main(["deploy", "--yes", "--backend", "file://./state"], h.deps)).to.equal(EXIT.failure);
      expect(h.err[0]).to.match(
        /^error: Stacks account-a and account-b on file:\/\/\/cwd\/state encrypt secrets/,
      );
      expect(h.err[0]).to.include("PULUMI_CONFIG_PASSPHRASE");
      expect(h.run.runs.map((r) => r.args[0])).to.deep.equal(["version"]);
      expect(h.settings).to.deep.equal([]);
      expect(h.ws.calls).to.deep.equal([]);
    });

    it("also checks the passphrase for a self-managed current login", async () => {
      const h = harness({ env: { AWS_PROFILE: "dev" } });
      expect(await main(["preview"], h.deps)).to.equal(EXIT.failure);
      expect(h.err[0]).to.include("on file:///home/me/state encrypt secrets with a passphrase");
    });

    it("uses PULUMI_BACKEND_URL when --backend is not given, and passes it to the workspace", async () => {
      const h = harness({
        env: { PULUMI_BACKEND_URL: "s3://state", PULUMI_CONFIG_PASSPHRASE: "p", AWS_PROFILE: "x" },
      });
      expect(await main(["preview"], h.deps)).to.equal(EXIT.ok);
      expect(h.settings).to.deep.equal([
        { workDir: REPO, project: "cross-account-irsa", backendUrl: "s3://state", selfManaged: true },
      ]);
      expect(h.run.runs.map((r) => `${r.command} ${r.args[0]}`)).to.deep.equal([
        "pulumi version",
        "aws --version",
      ]);
    });

    it("needs no passphrase on Pulumi Cloud (current login)", async () => {
      const h = harness({
        env: { AWS_PROFILE: "dev" },
        script: {
          "pulumi whoami": { stdout: JSON.stringify({ user: "me", url: "https://api.pulumi.com" }) },
        },
      });
      expect(await main(["preview"], h.deps)).to.equal(EXIT.ok);
      expect(h.settings).to.deep.equal([
        { workDir: REPO, project: "cross-account-irsa", backendUrl: undefined, selfManaged: false },
      ]);
      expect(h.out[0]).to.equal("pulumi v3.248.0, backend https://api.pulumi.com (current login)");
    });

    it("fails with what to set when there are no AWS credentials, unless told to skip the check", async () => {
      const h = harness({ env: { PULUMI_CONFIG_PASSPHRASE: "p" } });
      expect(await main(["deploy", "--yes"], h.deps)).to.equal(EXIT.failure);
      expect(h.err[0]).to.match(/^error: No AWS credentials found for account-a and account-b\. Set one of/);
      expect(h.settings).to.deep.equal([]);
      const skipped = harness({ env: { PULUMI_CONFIG_PASSPHRASE: "p" } });
      expect(await main(["deploy", "--yes", "--skip-aws-check"], skipped.deps)).to.equal(EXIT.ok);
    });

    it("refuses a stack with no Pulumi.<stack>.yaml up front, naming the file and the stack files there", async () => {
      for (const command of ["deploy", "preview"]) {
        const h = harness();
        expect(await main([command, "--yes", "--stack-a", "acount-a"], h.deps)).to.equal(EXIT.failure);
        expect(h.err.join("\n")).to.match(
          /^error: --stack-a acount-a: no stack config file \/repo\/Pulumi\.acount-a\.yaml; .* Stack files there: Pulumi\.account-a\.yaml, Pulumi\.account-b\.yaml\. Is the stack name misspelt/,
        );
        expect(h.err.join("\n")).to.not.include("undefined is invalid");
        expect(h.ws.callLog()).to.deep.equal([]);
      }
    });

    it("refuses a stack file that would run the other program (or none), before anything runs", async () => {
      const swapped = harness();
      expect(
        await main(["preview", "--stack-a", "account-b", "--stack-b", "account-a"], swapped.deps),
      ).to.equal(EXIT.failure);
      expect(swapped.err.join("\n")).to.match(
        /^error: --stack-a account-b: Pulumi\.account-b\.yaml makes the stack run the account-b program \(its name ends in account-b\), but --stack-a is account A's stack/,
      );
      const unnamed = harness({
        files: { [`${REPO}/Pulumi.dev.yaml`]: "config:\n  aws:region: eu-west-1\n" },
      });
      expect(await main(["deploy", "--yes", "--stack-a", "dev"], unnamed.deps)).to.equal(EXIT.failure);
      expect(unnamed.err.join("\n")).to.match(
        /^error: --stack-a dev: Pulumi\.dev\.yaml: cross-account-irsa:program is not set: set it to "account-a" or "account-b"/,
      );
      expect([...swapped.ws.callLog(), ...unnamed.ws.callLog()]).to.deep.equal([]);
    });

    it("reads the custom stacks' config files for the checks", async () => {
      const h = harness({
        env: { PULUMI_CONFIG_PASSPHRASE: "p" },
        files: {
          [`${REPO}/Pulumi.dev-a.yaml`]:
            "config:\n  aws:profile: a-admin\n  cross-account-irsa:program: account-a\n",
          [`${REPO}/Pulumi.dev-b.yaml`]:
            "config:\n  aws:profile: b-admin\n  cross-account-irsa:program: account-b\n",
        },
      });
      expect(await main(["deploy", "--yes", "--stack-a", "dev-a", "--stack-b", "dev-b"], h.deps)).to.equal(
        EXIT.ok,
      );
      expect(h.out).to.include("dev-a: AWS credentials from aws:profile in Pulumi.dev-a.yaml");
      expect(h.ws.callLog(["up"])).to.deep.equal(["up dev-a", "up dev-b", "up dev-a"]);
    });

    it("deploys with --yes, prints masked outputs and exits 0", async () => {
      const h = harness();
      expect(await main(["deploy", "--yes"], h.deps)).to.equal(EXIT.ok);
      expect(h.out).to.include("  kubeconfig: [secret]");
      const kubeconfig = String(h.ws.stacks.get("account-a")?.outputs.kubeconfig.value);
      expect([...h.out, ...h.err].join("\n")).not.to.include(kubeconfig);
      expect(h.out).to.include("account-b: AWS credentials from AWS_PROFILE=dev");
    });

    it("exits 1 on a failed deploy, with a resume hint carrying the flags and the backend", async () => {
      const ws = new MemoryWorkspace().failNext({ op: "up", stack: "account-b", afterSteps: 1 });
      const h = harness({ ws });
      expect(await main(["deploy", "--yes", "--backend", "file:///state"], h.deps)).to.equal(EXIT.failure);
      const report = h.err.join("\n");
      expect(report).to.include("deploy failed in phase 2/3 (up account-b)");
      expect(report).to.include("run `npm run deploy -- --backend file:///state --yes` again");
      expect(h.ws.callLog(["up"])).to.deep.equal(["up account-a", "up account-b"]);
    });

    it("puts the repository and backend in pulumi hints", async () => {
      const ws = new MemoryWorkspace().failNext({
        op: "up",
        stack: "account-a",
        afterSteps: 0,
        mode: "locked",
      });
      const h = harness({ ws });
      await main(["deploy", "--yes", "--backend", "file:///state"], h.deps);
      expect(h.err.join("\n")).to.include(
        "`cd /repo && PULUMI_BACKEND_URL=file:///state pulumi cancel --stack account-a --yes`",
      );
    });

    describe("verify", () => {
      it("reports a successful access check and exits 0", async () => {
        const ok = JSON.stringify({
          ok: true,
          stage: "done",
          reason: `read 42 bytes of s3://b/k as ${CALLER}`,
          expectedRoleArn: ROLE_ARN,
          callerArn: CALLER,
          bucket: "b",
          key: "k",
          bytes: 42,
        });
        const h = harness({ script: { kubectl: { stdout: podList(ok) } } });
        await main(["deploy", "--yes"], h.deps);
        h.out.length = 0;
        expect(await main(["verify"], h.deps)).to.equal(EXIT.ok);
        expect(h.out).to.include(`  assumed role:  ${CALLER}`);
        expect(h.out.at(-1)).to.match(/^verify: OK/);
        const kubectl = h.run.runs.find((r) => r.command === "kubectl" && r.args[0] === "--kubeconfig");
        const jobName = (h.ws.stacks.get("account-a")?.outputs.accessCheck.value as { jobName: string })
          .jobName;
        expect(jobName).to.match(/^access-check-[0-9a-f]{10}$/);
        expect(kubectl?.args).to.include(`job-name=${jobName}`);
        expect(h.fs.files.has(kubectl?.args[1] ?? "")).to.be.false;
      });

      it("reports a failed access check with the IRSA link and exits 1", async () => {
        const failed = JSON.stringify({
          ok: false,
          stage: "s3",
          reason: `reading s3://b/k as ${CALLER} failed: AccessDenied: Access Denied`,
          expectedRoleArn: ROLE_ARN,
          callerArn: CALLER,
          bucket: "b",
          key: "k",
          bytes: null,
        });
        const h = harness({ script: { kubectl: { stdout: podList(failed) } } });
        await main(["deploy", "--yes"], h.deps);
        expect(await main(["verify"], h.deps)).to.equal(EXIT.failure);
        expect(h.err.join("\n")).to.include("FAILED at stage s3: reading s3://b/k");
        expect(h.err.join("\n")).to.include("IRSA link 5");
      });

      it("says to install kubectl when it is missing", async () => {
        const h = harness();
        await main(["deploy", "--yes"], h.deps);
        expect(await main(["verify"], h.deps)).to.equal(EXIT.failure);
        expect(h.err.at(-1)).to.include("kubectl was not found on PATH");
      });

      it("explains a stack that does not exist or has no access check yet", async () => {
        const h = harness({ script: { kubectl: { stdout: "{}" } } });
        expect(await main(["verify"], h.deps)).to.equal(EXIT.failure);
        expect(h.err).to.deep.equal(["error: stack account-a does not exist: run `npm run deploy` first."]);
        await h.ws.createOrSelect("account-a");
        expect(await main(["verify"], h.deps)).to.equal(EXIT.failure);
        expect(h.err.at(-1)).to.include("account-a has no outputs: it was never deployed");
      });
    });
  });

  describe("entry point", () => {
    const repo = path.resolve(__dirname, "..", "..");

    it("runs main when executed (--help exits 0) without loading the Pulumi SDK", async () => {
      // One process for both: it prints the help, and a preload reports the modules it loaded.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-entry-"));
      const report = path.join(dir, "modules.json");
      try {
        const help = await new Promise<{ code: number; stdout: string }>((resolve) => {
          execFile(
            process.execPath,
            [
              "-r",
              "./scripts/tsCache.js",
              "-r",
              "./tests/support/reportModules.js",
              "deploy/cli.ts",
              "--help",
            ],
            { cwd: repo, env: { ...process.env, PULUMI_BACKEND_URL: "", REPORT_MODULES_TO: report } },
            (error, stdout) => resolve({ code: error ? Number(error.code) : 0, stdout }),
          );
        });
        expect(help.code).to.equal(0);
        expect(help.stdout).to.match(/^Usage: npm run <command>/);
        const loaded = JSON.parse(fs.readFileSync(report, "utf8")) as string[];
        expect(loaded.some((m) => m.endsWith(path.join("deploy", "cli.ts")))).to.be.true;
        expect(loaded.filter((m) => m.includes("@pulumi"))).to.deep.equal([]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
