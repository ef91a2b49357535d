/**
 * The repository's TypeScript, run as JavaScript compiled ahead of time and kept in a content-hashed
 * cache (node_modules/.cache/cross-account-irsa/js/), so that `npm run plan`, `npm run doctor`, the
 * deploy commands and the tests never transpile at run time.
 *
 *   node -r ./scripts/tsCache.js plan/cli.ts     run a .ts entry point from the cache
 *   node scripts/tsCache.js                      compile every .ts file of the repository into the cache
 *                                                (npm's `prepare`, run by `npm ci`), drop stale entries
 *
 * Each `.ts` file Node requires is looked up by the SHA-256 of its path, its content and the compiler's
 * version and options: an edited file has a new key, so stale JavaScript can never run; a miss (an edit
 * since the last `npm ci`) compiles that one file with sucrase, loaded only then, and stores it. sucrase
 * keeps every line where it was (https://github.com/alangpierce/sucrase#readme), so stack traces point
 * at the TypeScript source lines without source maps. Plain JavaScript on purpose: it must run before
 * anything is compiled.
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "cross-account-irsa", "js");
/** sucrase's options; the same as its `sucrase/register/ts` hook. */
const OPTIONS = { transforms: ["imports", "typescript"] };
/** Folders of the repository whose TypeScript runs in Node (not the npm consumer fixture). */
const SKIP = new Set(["node_modules", "dist", "out", "bin", ".git", "consumer"]);

let salt;
/** What besides the file decides the output: the compiler's version and options (read once). */
function compilerSalt() {
  if (salt === undefined) {
    const { version } = JSON.parse(fs.readFileSync(require.resolve("sucrase/package.json"), "utf8"));
    salt = `sucrase ${version} ${JSON.stringify(OPTIONS)}\n`;
  }
  return salt;
}

function keyOf(filename, source) {
  return crypto
    .createHash("sha256")
    .update(compilerSalt())
    .update(filename)
    .update("\0")
    .update(source)
    .digest("hex");
}

let transform;
/** Compiles one file (sucrase is loaded on the first miss only) and stores it under its key. */
function compile(filename, source, key) {
  transform ??= require("sucrase").transform;
  const { code } = transform(source, { ...OPTIONS, filePath: filename });
  fs.mkdirSync(CACHE, { recursive: true });
  // Written aside and renamed: parallel test workers may compile the same file at once.
  const tmp = path.join(CACHE, `${key}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, path.join(CACHE, `${key}.js`));
  return code;
}

/** The compiled JavaScript of a .ts file, from the cache or compiled now. */
function compiled(filename) {
  const source = fs.readFileSync(filename, "utf8");
  const key = keyOf(filename, source);
  try {
    return { key, code: fs.readFileSync(path.join(CACHE, `${key}.js`), "utf8") };
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
    return { key, code: compile(filename, source, key) };
  }
}

/** Every .ts source file of the repository that Node may run (declaration files excluded). */
function sources(dir = ROOT, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sources(full, found);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) found.push(full);
  }
  return found;
}

/** Compiles every source into the cache and removes the entries no source has any more. */
function warm() {
  const started = process.hrtime.bigint();
  const keep = new Set();
  let misses = 0;
  for (const file of sources()) {
    const source = fs.readFileSync(file, "utf8");
    const key = keyOf(file, source);
    keep.add(`${key}.js`);
    if (!fs.existsSync(path.join(CACHE, `${key}.js`))) {
      compile(file, source, key);
      misses++;
    }
  }
  let removed = 0;
  for (const name of fs.existsSync(CACHE) ? fs.readdirSync(CACHE) : []) {
    if (keep.has(name)) continue;
    fs.rmSync(path.join(CACHE, name), { force: true });
    removed++;
  }
  // The V8 code cache of Node < 22.1 (scripts/v8Cache.js): after an install the modules changed. Not
  // when npm runs this before `npm pack` (npm names its command in npm_command,
  // https://github.com/npm/cli/issues/2015): nothing was installed, and `npm test` packs while its
  // other suites run from the cache.
  if (process.env.npm_command !== "pack") require("./v8Cache").clear();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(
    `tsCache: ${keep.size} TypeScript files, ${misses} compiled, ${removed} stale removed (${ms.toFixed(0)} ms)\n`,
  );
}

/**
 * Node 22.1 and later: V8's compiled code of every module loaded after this one (the Pulumi SDKs' and
 * this repository's) is kept on disk and reused while a module's content is unchanged; compiling them
 * is about a third of the plan's CPU time. Node's own cache, enabled through its public API, off with
 * NODE_DISABLE_COMPILE_CACHE=1, in NODE_COMPILE_CACHE when set
 * (https://nodejs.org/api/module.html#moduleenablecompilecachecachedir). Node 20 has no such API:
 * there the same is done through vm.Script's cached data (scripts/v8Cache.js).
 */
function enableCompileCache() {
  const { enableCompileCache: enable } = require("node:module");
  if (typeof enable !== "function") {
    require("./v8Cache").install();
    return;
  }
  enable(
    process.env.NODE_COMPILE_CACHE
      ? undefined
      : path.join(ROOT, "node_modules", ".cache", "cross-account-irsa", "v8"),
  );
}

if (require.main === module) {
  warm();
} else {
  enableCompileCache();
  require.extensions[".ts"] = function loadCompiledTypeScript(module, filename) {
    module._compile(compiled(filename).code, filename);
  };
}

module.exports = { compiled, sources, warm, CACHE };
