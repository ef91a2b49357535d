import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  SECRET_SIGNATURE_KEY,
  SECRET_SIGNATURE_VALUE,
  createPulumiWorkspace,
  markSecretOutputs,
  qualifyStackName,
  secretOutputNames,
  workspaceEnv,
} from "../../deploy/pulumiWorkspace";

const secret = (plaintext: unknown) => ({
  [SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE_VALUE,
  plaintext: JSON.stringify(plaintext),
});

const DEPLOYMENT = {
  version: 3,
  deployment: {
    resources: [
      {
        type: "pulumi:pulumi:Stack",
        urn: "urn:pulumi:account-a::cross-account-irsa::pulumi:pulumi:Stack::cross-account-irsa-account-a",
        outputs: {
          clusterName: "c1",
          kubeconfig: secret("{}"),
          nested: { inner: [1, secret("token")] },
        },
      },
      { type: "aws:iam/role:Role", outputs: { arn: secret("x") } },
    ],
  },
};

/**
 * A stand-in `pulumi` executable (a Node script): enough of the CLI's behaviour for the commands the
 * workspace runs outside of up/preview/destroy, recording each call with its environment.
 */
const FAKE_PULUMI = `#!/usr/bin/env node
const fs = require("fs");
const path = require("path");
const dir = path.dirname(__dirname);
const state = path.join(dir, "state.json");
const s = fs.existsSync(state) ? JSON.parse(fs.readFileSync(state, "utf8")) : { stacks: [], config: {} };
const args = process.argv.slice(2);
fs.appendFileSync(path.join(dir, "calls.jsonl"), JSON.stringify({
  args, cwd: process.cwd(), backend: process.env.PULUMI_BACKEND_URL, automation: process.env.PULUMI_AUTOMATION_API,
}) + "\\n");
const flag = (name) => args[args.indexOf(name) + 1];
const save = () => fs.writeFileSync(state, JSON.stringify(s));
const fail = (msg) => { process.stderr.write(msg + "\\n"); process.exit(255); };
const cmd = args.filter((a) => !a.startsWith("-")).slice(0, 2).join(" ");
if (args[0] === "version") { console.log("v3.248.0"); process.exit(0); }
if (cmd.startsWith("stack select")) {
  if (!s.stacks.includes(flag("--stack"))) fail("error: no stack named '" + flag("--stack") + "' found");
  process.exit(0);
}
if (cmd.startsWith("stack init")) { s.stacks.push(args[2]); save(); process.exit(0); }
if (cmd.startsWith("config get")) {
  const v = s.config[flag("--stack") + " " + args[2]];
  if (v === undefined) fail("error: configuration key '" + args[2] + "' not found for stack '" + flag("--stack") + "'");
  console.log(JSON.stringify({ value: v, secret: false }));
  process.exit(0);
}
if (cmd.startsWith("config set")) { s.config[flag("--stack") + " " + args[2]] = args[args.length - 1]; save(); process.exit(0); }
if (cmd.startsWith("stack output")) {
  const plain = { clusterName: "c1", kubeconfig: "{}", nested: { inner: [1, "token"] } };
  const masked = { clusterName: "c1", kubeconfig: "[secret]", nested: { inner: [1, "[secret]"] } };
  console.log(JSON.stringify(args.includes("--show-secrets") ? plain : masked));
  process.exit(0);
}
if (cmd.startsWith("stack export")) { console.log(fs.readFileSync(path.join(dir, "deployment.json"), "utf8")); process.exit(0); }
fail("error: unexpected command " + args.join(" "));
`;

describe("automation Pulumi workspace", () => {
  describe("pure helpers", () => {
    it("finds outputs that are or contain secrets in an exported deployment", () => {
      expect([...secretOutputNames(DEPLOYMENT)].sort()).to.deep.equal(["kubeconfig", "nested"]);
      expect(secretOutputNames({ version: 3, deployment: {} }).size).to.equal(0);
      expect(secretOutputNames(undefined).size).to.equal(0);
    });

    it("masks nested secrets that `pulumi stack output` does not flag", () => {
      const outputs = markSecretOutputs(
        {
          clusterName: { value: "c1", secret: false },
          kubeconfig: { value: "{}", secret: true },
          nested: { value: { inner: [1, "token"] }, secret: false },
        },
        new Set(["nested"]),
      );
      expect(outputs).to.deep.equal({
        clusterName: { value: "c1", secret: false },
        kubeconfig: { value: "{}", secret: true },
        nested: { value: { inner: [1, "token"] }, secret: true },
      });
    });

    it("qualifies stack names", () => {
      expect(qualifyStackName("account-a", "cross-account-irsa", "organization")).to.equal(
        "organization/cross-account-irsa/account-a",
      );
      expect(qualifyStackName("acme/account-a", "p", "ignored")).to.equal("acme/p/account-a");
      expect(qualifyStackName("acme/other/account-a", "p", "ignored")).to.equal("acme/other/account-a");
    });

    it("passes the backend through PULUMI_BACKEND_URL only when one was chosen", () => {
      const base = { workDir: "/r", project: "p", selfManaged: true };
      expect(workspaceEnv({ ...base, backendUrl: "file:///s" })).to.deep.equal({
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_BACKEND_URL: "file:///s",
      });
      expect(workspaceEnv({ ...base, selfManaged: false })).to.deep.equal({
        PULUMI_SKIP_UPDATE_CHECK: "true",
      });
    });
  });

  describe("against a stand-in CLI", () => {
    let root: string;
    let workDir: string;

    beforeEach(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
      workDir = path.join(root, "repo");
      fs.mkdirSync(path.join(root, "bin"));
      fs.mkdirSync(workDir);
      fs.writeFileSync(path.join(root, "bin", "pulumi"), FAKE_PULUMI, { mode: 0o755 });
      fs.writeFileSync(path.join(root, "deployment.json"), JSON.stringify(DEPLOYMENT));
    });

    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    function calls(): Array<{ args: string[]; cwd: string; backend?: string; automation?: string }> {
      return fs
        .readFileSync(path.join(root, "calls.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { args: string[]; cwd: string; backend?: string; automation?: string });
    }

    it("creates a missing stack with the passphrase provider, in the repo, on the chosen backend", async () => {
      const ws = await createPulumiWorkspace(
        { workDir, project: "cross-account-irsa", backendUrl: "file:///state", selfManaged: true },
        { pulumiRoot: root },
      );
      await ws.createOrSelect("account-a");
      await ws.createOrSelect("account-a");
      const stackCalls = calls().filter((c) => c.args[0] === "stack");
      expect(stackCalls.map((c) => c.args.join(" "))).to.deep.equal([
        "stack select --stack account-a --non-interactive",
        "stack init account-a --secrets-provider passphrase --non-interactive",
        "stack select --stack account-a --non-interactive",
      ]);
      for (const c of stackCalls) {
        expect(c.cwd).to.equal(fs.realpathSync(workDir));
        expect(c.backend).to.equal("file:///state");
        expect(c.automation).to.equal("true");
      }
    });

    it("selects without creating, reads and writes config, and masks secret outputs", async () => {
      const ws = await createPulumiWorkspace(
        { workDir, project: "cross-account-irsa", selfManaged: true },
        { pulumiRoot: root },
      );
      expect(await ws.select("account-b")).to.be.false;
      expect(calls().some((c) => c.args[1] === "init")).to.be.false;
      await ws.createOrSelect("account-b");
      expect(await ws.getConfig("account-b", "cross-account-irsa:accountAStack")).to.equal(undefined);
      await ws.setConfig(
        "account-b",
        "cross-account-irsa:accountAStack",
        "organization/cross-account-irsa/dev-a",
      );
      expect(await ws.getConfig("account-b", "cross-account-irsa:accountAStack")).to.equal(
        "organization/cross-account-irsa/dev-a",
      );
      const setCall = calls().find((c) => c.args[0] === "config" && c.args[1] === "set");
      expect(setCall?.args).to.include("--plaintext");
      expect(await ws.qualifiedName("dev-a")).to.equal("organization/cross-account-irsa/dev-a");
      expect(await ws.outputs("account-b")).to.deep.equal({
        clusterName: { value: "c1", secret: false },
        kubeconfig: { value: "{}", secret: true },
        nested: { value: { inner: [1, "token"] }, secret: true },
      });
      expect(calls().every((c) => c.backend === undefined)).to.be.true;
    });

    it("refuses to run an operation on a stack it has not selected", async () => {
      const ws = await createPulumiWorkspace(
        { workDir, project: "p", selfManaged: true },
        { pulumiRoot: root },
      );
      let message = "";
      try {
        await ws.up("account-a", { onEvent: () => undefined });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).to.equal("stack account-a has not been created or selected");
    });
  });
});
