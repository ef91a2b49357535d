import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { execRunner, isCommandNotFound, nodeFileSystem } from "../../cli/shared/system";
import { askYesNo } from "../../deploy/prompt";

describe("automation system adapters", () => {
  it("runs a command and resolves with its exit code and output, whatever the code", async () => {
    const ok = await execRunner("/bin/sh", ["-c", "printf out; printf err >&2"]);
    expect(ok).to.deep.equal({ code: 0, stdout: "out", stderr: "err" });
    const failed = await execRunner("/bin/sh", ["-c", "exit 3"]);
    expect(failed.code).to.equal(3);
  });

  it("adds the given variables to the inherited environment", async () => {
    const r = await execRunner("/bin/sh", ["-c", 'printf "%s:%s" "$IRSA_TEST_VAR" "${PATH:+inherited}"'], {
      env: { IRSA_TEST_VAR: "set" },
    });
    expect(r.stdout).to.equal("set:inherited");
  });

  it("rejects with ENOENT when the command is not installed", async () => {
    let error: unknown;
    try {
      await execRunner("definitely-not-a-command-irsa", []);
    } catch (e) {
      error = e;
    }
    expect(isCommandNotFound(error)).to.be.true;
    expect((error as Error).message).to.equal("definitely-not-a-command-irsa: command not found");
  });

  it("writes private files in a temp dir and removes the tree", () => {
    const dir = nodeFileSystem.makeTempDir(path.join(os.tmpdir(), "irsa-fs-test-"));
    const file = path.join(dir, "kubeconfig");
    nodeFileSystem.writeFile(file, "secret", 0o600);
    expect(nodeFileSystem.readFile(file)).to.equal("secret");
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(nodeFileSystem.exists(file)).to.be.true;
    nodeFileSystem.remove(dir);
    expect(nodeFileSystem.exists(dir)).to.be.false;
    expect(() => nodeFileSystem.remove(dir)).not.to.throw();
  });

  it("makes a private state directory with its parents, and leaves an existing one alone", () => {
    const dir = nodeFileSystem.makeTempDir(path.join(os.tmpdir(), "irsa-fs-test-"));
    try {
      const state = path.join(dir, "repo", ".pulumi-state");
      nodeFileSystem.makeDirectory(state, 0o700);
      expect(fs.statSync(state).isDirectory()).to.be.true;
      expect(fs.statSync(state).mode & 0o077, "no access for group or others").to.equal(0);
      expect(() => nodeFileSystem.makeDirectory(state, 0o700)).not.to.throw();
    } finally {
      nodeFileSystem.remove(dir);
    }
  });

  describe("askYesNo", () => {
    async function answer(typed: string | null): Promise<{ result: boolean; prompt: string }> {
      const input = new PassThrough();
      const output = new PassThrough();
      let prompt = "";
      output.on("data", (chunk: Buffer) => (prompt += chunk.toString()));
      const pending = askYesNo("Deploy?", input, output);
      if (typed === null) input.end();
      else input.write(typed);
      return { result: await pending, prompt };
    }

    it("accepts y and yes in any case", async () => {
      expect((await answer("y\n")).result).to.be.true;
      expect((await answer(" YES \n")).result).to.be.true;
    });

    it("treats anything else, and end of input, as no", async () => {
      expect((await answer("n\n")).result).to.be.false;
      expect((await answer("\n")).result).to.be.false;
      expect((await answer("yep\n")).result).to.be.false;
      expect((await answer(null)).result).to.be.false;
    });

    it("shows the question with the default", async () => {
      expect((await answer("n\n")).prompt).to.equal("Deploy? [y/N] ");
    });
  });
});
