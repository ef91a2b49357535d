/**
 * `npm test`: the three suites at once, not one after the other.
 *
 *   node scripts/test.js                 unit, package and aws, side by side
 *   node scripts/test.js unit aws        only those (CI's other Node versions run these two)
 *
 * The suites are `npm run test:unit` (mocha, two workers: all CPU), `npm run test:package` (npm pack
 * builds dist/, then the TypeScript consumer check, the binary against its own moto) and
 * `npm run test:aws` (the doctor against moto: much of it waits on moto's answers). Run one after the
 * other they left one of the two cores idle for much of the time (`npm test` 100-104 s on an idle
 * 2-core machine, its suites' CPU time about 136 s); side by side the waits of one are filled by
 * another's work. Each suite is started with this Node (process.execPath), so `<node> scripts/test.js`
 * runs all of them on that version.
 *
 * Each suite's output is kept and printed whole, in one block, when it ends (the blocks in the order
 * the suites end), then one line per suite: its status and wall time. Exits 1 when any suite fails
 * (or was killed), after all have ended. Plain JavaScript: it starts before anything is compiled.
 */
"use strict";
const { spawn } = require("node:child_process");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const MOCHA = path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js");

/**
 * The suites, the longest first: the package suite's chain (pack, then the consumer's type check, then
 * its programs) is the longest, so it starts first; the unit suite is all parallel work and fills in.
 * Beside another suite the unit suite runs in one process (`--no-parallel`): the cores are busy anyway,
 * and its two workers each load the whole module graph. Measured on 2 cores (5 pairs, under load): one
 * process took x0.79 the CPU time of two workers; alone, `npm run test:unit` keeps its two workers.
 */
// The same commands as package.json's `test:package`, `test:aws` and `test:unit`: change them together.
const SUITES = {
  package: [MOCHA, "--config", ".mocharc.package.json"],
  aws: ["-r", "./scripts/tsCache.js", "tests/aws/run.ts"],
  unit: [MOCHA],
};
const UNIT_BESIDE_OTHERS = [MOCHA, "--no-parallel"];

/** Runs one suite; resolves with its status, wall seconds and interleaved output (never rejects). */
function runSuite(name, args) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const chunks = [];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (d) => chunks.push(d));
    child.stderr.on("data", (d) => chunks.push(d));
    const done = (status, why) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ name, status, why, seconds, output: Buffer.concat(chunks).toString() });
    };
    child.on("error", (error) => done(null, String(error)));
    child.on("close", (status, signal) => done(status, signal ? `killed by ${signal}` : undefined));
  });
}

async function main(argv) {
  const unknown = argv.filter((a) => !(a in SUITES));
  if (unknown.length > 0) {
    process.stderr.write(
      `test: unknown suite ${unknown.join(", ")}; the suites are ${Object.keys(SUITES).join(", ")}\n`,
    );
    return 2;
  }
  const names = Object.keys(SUITES).filter((n) => argv.length === 0 || argv.includes(n));
  process.stdout.write(`test: ${names.join(", ")} side by side (node ${process.version})\n`);
  const results = await Promise.all(
    names.map((name) =>
      runSuite(name, name === "unit" && names.length > 1 ? UNIT_BESIDE_OTHERS : SUITES[name]).then((r) => {
        process.stdout.write(`\n=== ${name} (${r.seconds.toFixed(1)} s) ===\n${r.output}`);
        return r;
      }),
    ),
  );
  process.stdout.write("\n");
  for (const r of results) {
    const ok = r.status === 0;
    process.stdout.write(
      `test:${r.name}: ${ok ? "passed" : `FAILED (${r.why ?? `exit ${r.status}`})`}, ${r.seconds.toFixed(1)} s\n`,
    );
  }
  return results.every((r) => r.status === 0) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    process.stderr.write(`test: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
