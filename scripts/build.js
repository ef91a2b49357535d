/**
 * `npm run build` (and so `npm pack`'s prepack): the library (components/) compiled to dist/ as
 * tsconfig.build.json says (CommonJS, declarations, source maps), then its command line
 * (scripts/buildCli.js).
 *
 * The library is compiled file by file, as `isolatedDeclarations` allows
 * (https://www.typescriptlang.org/tsconfig/#isolatedDeclarations): every exported declaration carries
 * its type, so each file's `.d.ts` is written from that file alone, without resolving an import or
 * checking a type (TypeScript's `noResolve`, `noLib`, `noCheck`). `tsc -p tsconfig.build.json` did the
 * same emit but first parsed and bound the Pulumi SDKs' declarations (about 45 MB), about 11-15 s of
 * CPU on every build; this build parses the library's 54 files only, and its JavaScript and
 * declarations are byte for byte tsc's (compared when this was introduced). What it does not do is
 * check types: `npm run typecheck` and `npm run check` (CI) do, over the whole repository, and the
 * package suite type-checks the packed declarations in a consumer program. It fails, printing
 * TypeScript's messages, on a syntax error, on an export whose type it cannot write without a checker
 * (error TS9007-TS9039: annotate it), and on a relative import that leaves components/ (dist/ would
 * require a file the package does not have).
 *
 * The output is also kept in a content-hashed cache (node_modules/.cache/cross-account-irsa/build/<key>/)
 * and reused while every input is the same: the key is the SHA-256 of TypeScript's version,
 * tsconfig.json, tsconfig.build.json, package-lock.json and the path and content of every file under
 * components/ (the build's only source folder). An edited input has a new key, so stale output is never
 * used. Only a build that succeeded is kept. A cache hit copies the files.
 * CROSS_ACCOUNT_IRSA_NO_BUILD_CACHE=1 builds without it (neither reads nor writes).
 *
 *   node scripts/build.js          what `npm run build` runs
 */
"use strict";
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
  return { status, how: "compiled file by file (isolated declarations)" };
}

/** Where a relative import of `from` lands: the .ts file or folder index it names, or undefined. */
function relativeTarget(from, specifier, sources) {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, "index.ts"), base].find((f) => sources.has(f));
}

/**
 * Compiles the program of `<root>/<config>` into its outDir file by file (see the top of this file),
 * with `ts` the TypeScript module. Returns the diagnostics; nothing is written for a file that has one.
 */
function compileIsolated(root, ts, config = "tsconfig.build.json") {
  let unrecoverable;
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(root, config),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => (unrecoverable = d) },
  );
  if (parsed === undefined) return [unrecoverable];
  if (parsed.errors.length > 0) return parsed.errors;
  if (parsed.options.isolatedDeclarations !== true) {
    throw new Error(`${config}: the build needs "isolatedDeclarations": true (it writes each .d.ts alone)`);
  }
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: { ...parsed.options, noResolve: true, noLib: true, lib: undefined, types: [], noCheck: true },
  });
  const found = [...program.getOptionsDiagnostics()];
  const sources = new Set(parsed.fileNames.map((f) => path.resolve(f)));
  for (const file of program.getSourceFiles()) {
    found.push(...program.getSyntacticDiagnostics(file));
    for (const specifier of file.imports) {
      if (!specifier.text.startsWith(".") || relativeTarget(file.fileName, specifier.text, sources)) continue;
      found.push({
        category: ts.DiagnosticCategory.Error,
        code: 0,
        file,
        start: specifier.getStart(file),
        length: specifier.getWidth(file),
        messageText: `'${specifier.text}' is not a file of this build (${config} includes ${parsed.fileNames.length} files): the package would not have it`,
      });
    }
  }
  if (found.length > 0) return found;
  return program.emit().diagnostics;
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
    compile: () => {
      const ts = require(require.resolve("typescript", resolveFrom));
      const found = compileIsolated(ROOT, ts);
      if (found.length === 0) return 0;
      process.stderr.write(
        ts.formatDiagnosticsWithColorAndContext(found, {
          getCanonicalFileName: (f) => f,
          getCurrentDirectory: () => ROOT,
          getNewLine: () => "\n",
        }),
      );
      return 1;
    },
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

module.exports = { buildKey, buildDist, compileIsolated };

if (require.main === module) main();
