/**
 * Node < 22.1 (no module.enableCompileCache): V8's compiled code of every CommonJS module loaded after
 * this one (the Pulumi SDKs' JavaScript and this repository's compiled TypeScript) kept on disk and
 * handed back to V8, through Node's documented `vm.Script` options `cachedData` and
 * `script.createCachedData()` (https://nodejs.org/api/vm.html#new-vmscriptcode-options,
 * https://nodejs.org/api/vm.html#scriptcreatecacheddata).
 *
 * One file per module in node_modules/.cache/cross-account-irsa/v8-vm/, named by the SHA-1 of V8's
 * version, the module's path and its content: an edited module has a new key, so stale code is never
 * offered; V8 itself rejects data made by another version or other flags (`cachedDataRejected`), and
 * a rejected, missing or unreadable entry only means the module is compiled as without the cache. New
 * entries are written when the process exits, after the code ran, so that they hold the functions that
 * were compiled lazily, not only the top level (written aside and renamed: parallel processes may write
 * the same entry). Off with NODE_DISABLE_COMPILE_CACHE=1, like Node's own cache.
 *
 * Why not the v8-compile-cache library (it does the same through one blob per entry point): its
 * vm.Script has no `importModuleDynamically`, so a real `import()` in a CommonJS module (the Pulumi
 * SDK's program runner has one) fails. Node's own answer to that, vm.constants.
 * USE_MAIN_CONTEXT_DEFAULT_LOADER, is experimental in Node 20 and warns on every run; so a module
 * whose text has `import` followed by `(` (see MAY_IMPORT) is handed to Node's own loader unchanged,
 * as is one V8 cannot compile as a script (ES module syntax Node would detect).
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");

/**
 * Where a module may call import(), which needs Node's loader: the keyword `import` (not
 * `__importStar`, not `imports`) followed, after white space, by `(` or by what may start a comment
 * (`/`, `<` of `<!--`, `-` of `-->`: JavaScript allows comments between `import` and its `(`,
 * https://tc39.es/ecma262/#sec-import-calls, and HTML-like ones in scripts,
 * https://tc39.es/ecma262/#sec-html-like-comments), or the end of the text. Conservative and linear: a
 * comment or string that matches only sends its module to Node's loader, uncached. The word alone
 * (the @pulumi/aws resource modules document "## Import ... pulumi import") sent many more there.
 */
const MAY_IMPORT = /(?<![\w$])import\s*(?:[(/<-]|$)/;
const DIR = path.join(__dirname, "..", "node_modules", ".cache", "cross-account-irsa", "v8-vm");

/**
 * Installs the cache unless Node has its own, it is disabled, or this Node lacks what it needs.
 * Returns its counters (modules compiled with the cache's data, without any, with data V8 rejected),
 * or undefined when not installed. `dir` and `force` (install even where Node has its own) are for
 * the tests.
 */
function install({ dir = DIR, force = false } = {}) {
  if (!force && typeof Module.enableCompileCache === "function") return undefined;
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const stats = { hits: 0, misses: 0, rejected: 0 };

  const original = Module.prototype._compile;
  /** Scripts compiled without usable cached data, written at exit: [file, script]. */
  const pending = [];

  function compileWrapper(content, filename) {
    const key = crypto
      .createHash("sha1")
      .update(process.versions.v8)
      .update("\0")
      .update(filename)
      .update("\0")
      .update(content)
      .digest("hex");
    const file = path.join(dir, `${key}.bin`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (cachedData === undefined) stats.misses++;
    else if (script.cachedDataRejected) stats.rejected++;
    else stats.hits++;
    if (cachedData === undefined || script.cachedDataRejected) pending.push([file, script]);
    return script.runInThisContext({ displayErrors: true });
  }

  Module.prototype._compile = function compileWithCache(content, filename) {
    // A shebang line is a comment to Node's loader, not to a script.
    const source = content.startsWith("#!") ? `//${content}` : content;
    if (MAY_IMPORT.test(source)) return original.call(this, content, filename);
    let wrapper;
    try {
      wrapper = compileWrapper(source, filename);
    } catch (error) {
      if (error instanceof SyntaxError) return original.call(this, content, filename);
      throw error;
    }
    const mod = this;
    const require = (id) => mod.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    return wrapper.call(mod.exports, mod.exports, require, mod, filename, path.dirname(filename));
  };

  process.once("exit", () => {
    if (pending.length === 0) return;
    try {
      fs.mkdirSync(dir, { recursive: true });
      for (const [file, script] of pending) {
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, file);
      }
    } catch {
      // A cache that cannot be written costs the next run its compile time, nothing else.
    }
  });
  return stats;
}

/**
 * Removes every entry (npm's `prepare`: after an install, the modules they were made from changed).
 * Another process may be writing an entry meanwhile (rmdir then fails with ENOTEMPTY: seen when
 * `npm pack` ran it beside the unit suite): an entry left behind is only disk space, never stale code
 * (entries are keyed by content), so that is not an error.
 */
function clear() {
  try {
    fs.rmSync(DIR, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // See above: what is left is keyed by content and harmless.
  }
}

module.exports = { install, clear, DIR, MAY_IMPORT };
