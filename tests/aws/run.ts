/**
 * `npm run test:aws`: the doctor's tests against moto's server (.mocharc.aws.json). Runs them when
 * `moto_server` and `openssl` are on PATH; otherwise says clearly that they were skipped and why, and
 * exits 0, unless REQUIRE_MOTO=1 (CI sets it), where a missing tool is a failure.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { motoMissing } from "./support/moto";

const missing = [
  motoMissing(),
  spawnSync("sh", ["-c", "command -v openssl"]).status === 0
    ? undefined
    : "openssl is not on PATH (the tests make their loopback TLS certificates with it)",
].filter((m): m is string => m !== undefined);

if (missing.length > 0) {
  const why = missing.join("; ");
  if (process.env.REQUIRE_MOTO === "1") {
    process.stderr.write(`test:aws: FAILED: REQUIRE_MOTO=1 but ${why}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `\ntest:aws: SKIPPED: the doctor's live-AWS tests did not run because ${why}.\n` +
      "Set REQUIRE_MOTO=1 to make this a failure (CI does).\n",
  );
  process.exit(0);
}

const root = path.resolve(__dirname, "..", "..");
const result = spawnSync(
  process.execPath,
  [path.join(root, "node_modules/mocha/bin/mocha.js"), "--config", ".mocharc.aws.json"],
  {
    cwd: root,
    stdio: "inherit",
  },
);
process.exit(result.status ?? 1);
