/**
 * The offline plan of configs in grants mode prints each dangling trust (stacks/danglingTrusts.ts):
 * account-a's program warns, in its pass's log, for a source role account-b trusts by name that no
 * binding creates. examples/grants with the `audit` grant left unbound on account-a.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, main } from "../../plan/cli";

const EXAMPLE = path.join(REPO_ROOT, "examples/grants");

describe("offline plan in grants mode: dangling trusts are printed", function () {
  this.timeout(60_000);

  it("an account-b grant account-a does not bind: the warning names the source role trusted by name", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-grants-dangling-"));
    try {
      const text = fs.readFileSync(path.join(EXAMPLE, "Pulumi.account-a.yaml"), "utf8");
      const withoutAudit = text.slice(0, text.indexOf("    - key: audit"));
      const file = path.join(tmp, "a.yaml");
      fs.writeFileSync(file, withoutAudit);
      let out = "";
      const code = await main(
        [
          "--config-a",
          file,
          "--config-b",
          path.join(EXAMPLE, "Pulumi.account-b.yaml"),
          "--out",
          path.join(tmp, "out"),
        ],
        { stdout: (s) => (out += s), stderr: (s) => (out += s), isTTY: false, env: {}, cwd: REPO_ROOT },
      );
      expect(code, out).to.equal(0);
      expect(out).to.include(
        'warning: dangling trust (organization/cross-account-irsa/account-b): account-b\'s grant "audit" trusts ' +
          "arn:aws:iam::111122223333:role/audit-chained-source (irsa-chained) by name, which no binding of account-a " +
          "creates (account-a does not bind the grant)",
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
