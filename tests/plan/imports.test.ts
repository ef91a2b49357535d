/**
 * The plan's derivation (plan/build.ts) is pure: loading it must not load the Pulumi SDK (only the
 * impure step, running the programs in passes.ts, needs it).
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

describe("plan/build.ts loads no Pulumi SDK", function () {
  this.timeout(20_000);

  it("requiring it in a fresh process leaves @pulumi/pulumi unloaded", () => {
    const script =
      'require("./plan/build");' +
      'process.stdout.write(Object.keys(require.cache).filter((k) => k.includes("@pulumi/pulumi")).join("\\n"));';
    const loaded = execFileSync(process.execPath, ["-r", "./scripts/tsCache.js", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(loaded).to.equal("");
  });
});
