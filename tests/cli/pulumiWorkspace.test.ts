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
} from "../../cli/shared/pulumiWorkspace";

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
 * A stand-in `pulumi` executable: enough of the CLI's behaviour for the commands the workspace runs
 * outside of up/preview/destroy, recording each call with its environment. A POSIX sh script, not a
 * Node one: the Automation API runs it a dozen times per test, and a shell starts in a fraction of
 * Node's time. State is files: `stacks/<name>` for a stack, `config/<stack>.<key>` for a value.
 * Each call is one line of `calls.log`: the arguments (each followed by US, 0x1f), then the working
 * directory, PULUMI_BACKEND_URL and PULUMI_AUTOMATION_API, each after an RS (0x1e). Only shell
 * built-ins run, but for `cat` on `stack export`.
 */
const FAKE_PULUMI = `#!/bin/sh
dir=\${0%/bin/pulumi}
{ for a in "$@"; do printf '%s\\037' "$a"; done
  printf '\\036%s\\036%s\\036%s\\n' "$PWD" "\${PULUMI_BACKEND_URL-<unset>}" "\${PULUMI_AUTOMATION_API-}"; } >> "$dir/calls.log"
fail() { printf '%s\\n' "$1" >&2; exit 255; }
stack=; previous=
for a in "$@"; do [ "$previous" = --stack ] && stack=$a; previous=$a; done
case "$1 $2" in
  "version "*) echo v3.248.0 ;;
  "stack select") [ -e "$dir/stacks/$stack" ] || fail "error: no stack named '$stack' found" ;;
  "stack init") : > "$dir/stacks/$3" ;;
  "config get")
    [ -e "$dir/config/$stack.$3" ] || fail "error: configuration key '$3' not found for stack '$stack'"
    IFS= read -r value < "$dir/config/$stack.$3"
    printf '{"value":"%s","secret":false}\\n' "$value" ;;
  "config set")
    for last in "$@"; do :; done
    printf '%s\\n' "$last" > "$dir/config/$stack.$3" ;;
  "stack output")
    case " $* " in
      *" --show-secrets "*) echo '{"clusterName":"c1","kubeconfig":"{}","nested":{"inner":[1,"token"]}}' ;;
      *) echo '{"clusterName":"c1","kubeconfig":"[secret]","nested":{"inner":[1,"[secret]"]}}' ;;
    esac ;;
  "stack export") cat "$dir/deployment.json" ;;
  "config --show-secrets") cat "$dir/config.json" ;;
  *) fail "error: unexpected command $*" ;;
esac
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
      for (const d of ["bin", "stacks", "config"]) fs.mkdirSync(path.join(root, d));
      fs.mkdirSync(workDir);
      fs.writeFileSync(path.join(root, "bin", "pulumi"), FAKE_PULUMI, { mode: 0o755 });
      fs.writeFileSync(path.join(root, "deployment.json"), JSON.stringify(DEPLOYMENT));
    });

    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    function calls(): Array<{ args: string[]; cwd: string; backend?: string; automation?: string }> {
      return fs
        .readFileSync(path.join(root, "calls.log"), "utf8")
        .trim()
        .split("\n")
        .map((line) => {
          const [args, cwd, backend, automation] = line.split("\u001e");
          return {
            args: args.split("\u001f").slice(0, -1),
            cwd,
            ...(backend === "<unset>" ? {} : { backend }),
            ...(automation === "" ? {} : { automation }),
          };
        });
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

    it("reads a stack's whole config as its program does: lists as JSON text, secrets decrypted and flagged", async () => {
      fs.writeFileSync(
        path.join(root, "config.json"),
        JSON.stringify({
          "aws:region": { value: "eu-west-1", secret: false },
          "cross-account-irsa:grants": {
            value: '[{"key":"reports","mechanism":["irsa"]}]',
            objectValue: [{ key: "reports", mechanism: ["irsa"] }],
            secret: false,
          },
          "cross-account-irsa:token": { value: "s3cr3t", secret: true },
        }),
      );
      const ws = await createPulumiWorkspace(
        { workDir, project: "cross-account-irsa", selfManaged: true },
        { pulumiRoot: root },
      );
      expect(await ws.getAllConfig("account-a")).to.deep.equal({
        config: {
          "aws:region": "eu-west-1",
          "cross-account-irsa:grants": '[{"key":"reports","mechanism":["irsa"]}]',
          "cross-account-irsa:token": "s3cr3t",
        },
        secretKeys: ["cross-account-irsa:token"],
      });
      const call = calls().find((c) => c.args[0] === "config");
      expect(call?.args).to.deep.equal([
        "config",
        "--show-secrets",
        "--json",
        "--stack",
        "account-a",
        "--non-interactive",
      ]);
      // A key without a value (secrets not shown) is refused, never read as unset.
      fs.writeFileSync(
        path.join(root, "config.json"),
        JSON.stringify({ "cross-account-irsa:grants": { secret: true } }),
      );
      let message = "";
      await ws.getAllConfig("account-a").catch((e: Error) => (message = e.message));
      expect(message).to.equal(
        "pulumi config --json gave no value for cross-account-irsa:grants on stack account-a",
      );
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
