/**
 * `npm run build` (and so `npm pack`'s prepack): the library compiled to dist/ by `tsc -p
 * tsconfig.build.json`, then its command line (scripts/buildCli.js). The compiler's output is kept in
 * a content-hashed cache (node_modules/.cache/cross-account-irsa/build/<key>/) and reused while every
 * input is the same: the key is the SHA-256 of TypeScript's version, tsconfig.json, tsconfig.build.json,
 * package-lock.json (the exact version of every dependency whose declarations the compiler reads) and
 * the path and content of every file under components/ (the build's only source folder: nothing there
 * imports from outside it). An edited input has a new key, so stale output is never used. Only a build
 * that succeeded is kept: a failing one fails every time, with tsc's own messages.
 *
 * Why: tsc parses and binds the Pulumi SDKs' declarations (about 45 MB) on every build; it was about 15 s
 * of CPU of each `npm test`, whose package suite packs the library. A cache hit copies the files (under
 * a second). CROSS_ACCOUNT_IRSA_NO_BUILD_CACHE=1 builds without it (neither reads nor writes).
 *
 *   node scripts/build.js          what `npm run build` runs
 */
"use strict";
const { spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
/** Builds kept besides the newest: enough to switch branches back and forth. */
const KEEP = 4;

/** Every file under `dir`, as paths relative to `root` with `/`, sorted. */
function filesUnder(root, dir) {
  const found = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) found.push(path.relative(root, full).split(path.sep).join("/"));
    }
  };
  walk(dir);
  return found.sort();
}

/** The key of a build of `root`: the hash of everything the compiler's output depends on. */
function buildKey(root, typescriptVersion) {
  const hash = crypto.createHash("sha256");
  hash.update(`typescript ${typescriptVersion}\0`);
  for (const file of [
    "tsconfig.json",
    "tsconfig.build.json",
    "package-lock.json",
    ...filesUnder(root, path.join(root, "components")),
  ]) {
    hash
      .update(file)
      .update("\0")
      .update(fs.readFileSync(path.join(root, file)))
      .update("\0");
  }
  return hash.digest("hex");
}

/** Copies `dist` under `key`: aside first, then renamed into place; drops the least recently used. */
function store(cache, dist, key) {
  fs.mkdirSync(cache, { recursive: true });
  const tmp = path.join(cache, `${key}.${process.pid}.tmp`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.cpSync(dist, tmp, { recursive: true });
  try {
    fs.renameSync(tmp, path.join(cache, key));
  } catch {
    // Another build stored the same key first: its files are the same.
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const builds = fs
    .readdirSync(cache)
    .filter((name) => /^[0-9a-f]{64}$/.test(name))
    .map((name) => ({ name, used: fs.statSync(path.join(cache, name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const old of builds.slice(KEEP + 1))
    fs.rmSync(path.join(cache, old.name), { recursive: true, force: true });
}

/**
 * Empties `<root>/dist` and fills it with the compiler's output: the cached one for this key, or what
 * `compile()` writes (it returns its exit status; only 0 is stored). Returns the status and how.
 */
function buildDist({ root, cache, typescriptVersion, compile, useCache = true }) {
  const dist = path.join(root, "dist");
  fs.rmSync(dist, { recursive: true, force: true });
  const key = useCache ? buildKey(root, typescriptVersion) : undefined;
  const cached = key === undefined ? undefined : path.join(cache, key);
  if (cached !== undefined && fs.existsSync(cached)) {
    fs.cpSync(cached, dist, { recursive: true });
    const now = new Date();
    fs.utimesSync(cached, now, now);
    return { status: 0, how: `the cached build ${key.slice(0, 12)} (the same inputs)` };
  }
  const status = compile();
  if (status === 0 && key !== undefined) store(cache, dist, key);
  return { status, how: "tsc -p tsconfig.build.json" };
}

function main() {
  const started = process.hrtime.bigint();
  const resolveFrom = { paths: [ROOT] };
  const { status, how } = buildDist({
    root: ROOT,
    cache: path.join(ROOT, "node_modules", ".cache", "cross-account-irsa", "build"),
    typescriptVersion: JSON.parse(
      fs.readFileSync(require.resolve("typescript/package.json", resolveFrom), "utf8"),
    ).version,
    compile: () =>
      spawnSync(
        process.execPath,
        [require.resolve("typescript/bin/tsc", resolveFrom), "-p", "tsconfig.build.json"],
        {
          cwd: ROOT,
          stdio: "inherit",
        },
      ).status ?? 1,
    useCache: process.env.CROSS_ACCOUNT_IRSA_NO_BUILD_CACHE !== "1",
  });
  if (status !== 0) {
    process.exitCode = status;
    return;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`dist: ${how} (${seconds.toFixed(1)} s)\n`);
  require("./buildCli");
}

module.exports = { buildKey, buildDist };

if (require.main === module) main();
