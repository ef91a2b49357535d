/**
 * scripts/v8Cache.js, Node < 22.1's V8 code cache: a module runs as without it (its CommonJS scope,
 * a real import(), a shebang), the second process compiles it from the cache, and an edited module
 * is never given the old module's code. main.js calls import(), so Node's own loader compiles it
 * (the counters count the two others: dep.js and tool.js). Each run is a fresh Node process with the cache in a
 * temporary folder (forced on where Node has its own cache).
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const V8_CACHE = path.join(ROOT, "scripts", "v8Cache.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the script under test is plain CommonJS
const { MAY_IMPORT } = require(V8_CACHE) as { MAY_IMPORT: RegExp };

interface Run {
  result: Record<string, unknown>;
  stats: { hits: number; misses: number; rejected: number };
}

describe("scripts/v8Cache.js", function () {
  this.timeout(20_000);
  let dir: string;
  let cache: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "v8cache-test-"));
    cache = path.join(dir, "cache");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Loads main.js in a fresh process with the cache installed; its exports (awaited) and the counters. */
  function run(): Run {
    const script = `
      const stats = require(${JSON.stringify(V8_CACHE)}).install({ dir: ${JSON.stringify(cache)}, force: true });
      Promise.resolve(require(${JSON.stringify(path.join(dir, "main.js"))}).result).then((result) => {
        process.stdout.write(JSON.stringify({ result, stats }));
      });`;
    const out = execFileSync(process.execPath, ["-e", script], {
      encoding: "utf8",
      env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "" },
    });
    return JSON.parse(out) as Run;
  }

  function writeModules(answer: number): void {
    writeFileSync(
      path.join(dir, "main.js"),
      [
        "const dep = require('./dep');",
        "exports.result = import('./esm.mjs').then((esm) => ({",
        "  answer: dep.answer, filename: __filename, dirname: __dirname, esm: esm.value,",
        "  shebang: require('./tool').tool, resolved: require.resolve('./dep'), isModule: module.exports === exports,",
        "}));",
      ].join("\n"),
    );
    // The word import without a call (as every @pulumi/aws resource module's docs have it): cached.
    writeFileSync(
      path.join(dir, "dep.js"),
      `/** ## Import\n * pulumi import aws:s3/bucket:Bucket b b\n */\nexports.answer = ${answer};\n`,
    );
    writeFileSync(path.join(dir, "esm.mjs"), "export const value = 'esm';\n");
    writeFileSync(path.join(dir, "tool.js"), "#!/usr/bin/env node\nexports.tool = 'tool';\n");
  }

  it("sends a module to Node's loader when it may call import(), only then", () => {
    for (const call of [
      "import('./esm.mjs')",
      "import ('./esm.mjs')",
      "import\n  ('./esm.mjs')",
      "import /* a comment */ ('./esm.mjs')",
      "import // a comment\n('./esm.mjs')",
      "x = await import(spec)",
      "import // a comment ending at a carriage return\r('./esm.mjs')",
      "import // ending at a line separator\u2028('./esm.mjs')",
      "import <!-- an HTML-like comment\n('./esm.mjs')",
      "import\n--> an HTML-like closing comment\n('./esm.mjs')",
      "import",
    ])
      expect(MAY_IMPORT.test(call), call).to.equal(true);
    for (const text of [
      "/** ## Import\n * pulumi import aws:iam/role:Role r r\n */",
      "const x = __importStar(require('y'));",
      "exports.imports = ['a'];",
      "reimport(x); importer(y); $import(z);",
      "// import * as pulumi from '@pulumi/pulumi';",
      "import ".repeat(10_000) + "x",
    ])
      expect(MAY_IMPORT.test(text), text).to.equal(false);
  });

  it("runs modules as Node does, then compiles them from the cache", () => {
    writeModules(42);
    const first = run();
    expect(first.result).to.deep.equal({
      answer: 42,
      filename: path.join(dir, "main.js"),
      dirname: dir,
      esm: "esm",
      shebang: "tool",
      resolved: path.join(dir, "dep.js"),
      isModule: true,
    });
    expect(first.stats).to.deep.equal({ hits: 0, misses: 2, rejected: 0 });
    expect(readdirSync(cache).filter((f) => f.endsWith(".bin"))).to.have.length(2);

    const second = run();
    expect(second.result).to.deep.equal(first.result);
    expect(second.stats).to.deep.equal({ hits: 2, misses: 0, rejected: 0 });
  });

  it("never runs an edited module's old code", () => {
    writeModules(42);
    run();
    writeModules(43);
    const edited = run();
    expect(edited.result).to.have.property("answer", 43);
    expect(edited.stats).to.deep.equal({ hits: 1, misses: 1, rejected: 0 });
  });

  it("compiles as without it when an entry is not V8's data", () => {
    writeModules(42);
    run();
    for (const f of readdirSync(cache)) writeFileSync(path.join(cache, f), "not a code cache");
    const damaged = run();
    expect(damaged.result).to.have.property("answer", 42);
    expect(damaged.stats).to.deep.equal({ hits: 0, misses: 0, rejected: 2 });
    expect(run().stats).to.deep.equal({ hits: 2, misses: 0, rejected: 0 });
  });
});
