import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { PLAN_GENERATOR } from "../../plan/files";
import { REPO_ROOT, main } from "../../plan/cli";
import { capture, listFiles, suiteTempDir } from "./planHarness";

describe("offline plan (npm run plan): bad config and usage", function () {
  this.timeout(30_000);
  const tmpDir = suiteTempDir("plan-test-");
  let tmp: string;
  before(() => {
    tmp = tmpDir();
  });

  let earlier: string;
  let earlierSummary: string;

  before(() => {
    earlier = path.join(tmp, "earlier");
    fs.mkdirSync(earlier);
    earlierSummary = JSON.stringify({ generator: PLAN_GENERATOR, ok: true });
    fs.writeFileSync(path.join(earlier, "summary.json"), earlierSummary);
  });

  function writeConfig(name: string, text: string): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  }

  /**
   * Runs the plan into a directory that does not exist (it must stay missing) or, for failures that
   * take program runs, into one holding an earlier plan (it must stay as it was).
   */
  async function expectNothingWritten(
    argv: string[],
    expected: { code: number; stderr: RegExp },
    into: "missing" | "earlier",
  ) {
    const out = into === "missing" ? path.join(tmp, `never-${Math.random().toString(36).slice(2)}`) : earlier;
    const run = capture(tmp);
    expect(await main([...argv, "--out", out], run.io)).to.equal(expected.code);
    expect(run.stderr()).to.match(expected.stderr);
    expect(run.stderr()).to.include("nothing written");
    if (into === "missing") {
      expect(fs.existsSync(out)).to.be.false;
    } else {
      expect(listFiles(earlier)).to.deep.equal(["summary.json"]);
      expect(fs.readFileSync(path.join(earlier, "summary.json"), "utf8")).to.equal(earlierSummary);
    }
    expect(fs.readdirSync(tmp).filter((f) => f.includes(".new-") || f.includes(".old-"))).to.deep.equal([]);
  }

  it("an invalid value exits 1 naming the file, the field, the value and the rule", async () => {
    const file = writeConfig(
      "bad-access.yaml",
      fs
        .readFileSync(path.join(REPO_ROOT, "Pulumi.account-b.yaml"), "utf8")
        .replace("cross-account-irsa:access: read", "cross-account-irsa:access: admin"),
    );
    const expected = {
      code: 1,
      stderr:
        /bad-access\.yaml: cross-account-irsa:access: "admin" is invalid: must be one of "read", "read-write", "list"/,
    };
    await expectNothingWritten(["--config-b", file], expected, "missing");
    await expectNothingWritten(["--config-b", file], expected, "earlier");
  });

  it("an account-a service account account-b does not trust exits 1 naming both", async () => {
    const file = writeConfig(
      "mismatch.yaml",
      fs
        .readFileSync(path.join(REPO_ROOT, "Pulumi.account-a.yaml"), "utf8")
        .replace("    name: s3-reader", "    name: other-reader"),
    );
    await expectNothingWritten(
      ["--config-a", file],
      {
        code: 1,
        stderr: /account-a \(step 3 of 3\) failed: .*other-reader.*trusts only irsa-demo\/s3-reader/,
      },
      "earlier",
    );
  });

  it("an adopted OIDC provider for another issuer exits 1 (link 2, caught by the program)", async () => {
    const file = writeConfig(
      "adopt-wrong.yaml",
      `${fs.readFileSync(path.join(REPO_ROOT, "Pulumi.account-b.yaml"), "utf8")}\n  cross-account-irsa:existingOidcProviderArn: ` +
        "arn:aws:iam::444455556666:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/00000000000000000000000000000000\n",
    );
    await expectNothingWritten(
      ["--config-b", file],
      {
        code: 1,
        stderr:
          /account-b \(step 2 of 3\) failed: .*adopt-wrong\.yaml: cross-account-irsa:existingOidcProviderArn: .* must be the IAM OIDC provider of issuerUrl/,
      },
      "missing",
    );
  });

  it("configs that would break link 5 (object outside the prefixes) or link 3 (trust everyone) exit 1", async () => {
    const committed = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.account-b.yaml"), "utf8");
    const outside = writeConfig(
      "outside-prefix.yaml",
      committed
        .replace("    objectKey: irsa-check.txt", "    objectKey: other/irsa-check.txt")
        .replace("  # cross-account-irsa:prefixes: [reports/]", "  cross-account-irsa:prefixes: [reports/]"),
    );
    await expectNothingWritten(
      ["--config-b", outside],
      {
        code: 1,
        stderr:
          /outside-prefix\.yaml: cross-account-irsa:bucket\.objectKey: "other\/irsa-check\.txt" is invalid: must be under one of the granted prefixes \["reports\/"\]/,
      },
      "missing",
    );
    const everyone = writeConfig(
      "everyone.yaml",
      `${committed.replace("    - namespace: irsa-demo\n      name: s3-reader", '    - namespace: "*"\n      name: "*"')}` +
        "\n  cross-account-irsa:conditionTest: StringLike\n",
    );
    await expectNothingWritten(
      ["--config-b", everyone],
      {
        code: 1,
        stderr:
          /everyone\.yaml: cross-account-irsa:serviceAccounts\[0\]\.namespace: "\*" is invalid: must be named literally/,
      },
      "missing",
    );
  });

  it("YAML that does not parse and a missing file exit 1", async () => {
    const file = writeConfig("broken.yaml", "config:\n  aws:region: [unclosed\n");
    await expectNothingWritten(
      ["--config-a", file],
      { code: 1, stderr: /broken\.yaml: not valid YAML/ },
      "missing",
    );
    await expectNothingWritten(
      ["--config-a", path.join(tmp, "missing.yaml")],
      {
        code: 1,
        stderr: /missing\.yaml: cannot read the stack config file \(ENOENT\)/,
      },
      "earlier",
    );
  });

  it("usage errors exit 2; --help exits 0", async () => {
    const unknown = capture(tmp);
    expect(await main(["--bogus"], unknown.io)).to.equal(2);
    expect(unknown.stderr()).to.match(/^plan: unknown option --bogus\n\nUsage:/);
    const missing = capture(tmp);
    expect(await main(["--out"], missing.io)).to.equal(2);
    expect(missing.stderr()).to.include("--out needs a value");
    const help = capture(tmp);
    expect(await main(["--help"], help.io)).to.equal(0);
    expect(help.stdout()).to.match(
      /^Usage: npm run plan -- \[--config-a FILE\] \[--config-b FILE\] \[--out DIR\]/,
    );
  });

  it("refuses to replace a directory that is not a plan's output (exit 2)", async () => {
    const foreign = path.join(tmp, "foreign");
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, "notes.txt"), "mine");
    const run = capture(tmp);
    expect(await main(["--out", foreign], run.io)).to.equal(2);
    expect(run.stderr()).to.include("is not an earlier plan's output: refusing to replace it");
    expect(listFiles(foreign)).to.deep.equal(["notes.txt"]);
  });
});
