/**
 * scripts/build.js, `npm run build`'s content-hashed cache of the compiler's output: the same inputs
 * give the stored output without compiling, any input edited compiles again, and a failed compile is
 * never stored. Run on a temporary tree with a stand-in compiler (the real one takes seconds).
 */
import { expect } from "chai";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

// Plain JavaScript (it runs before anything is compiled): typed here for the test.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require("../../scripts/build.js") as {
  buildKey(root: string, typescriptVersion: string): string;
  buildDist(options: {
    root: string;
    cache: string;
    typescriptVersion: string;
    compile: () => number;
    useCache?: boolean;
  }): { status: number; how: string };
};

describe("scripts/build.js", () => {
  let root: string;
  let cache: string;
  /** How many times the stand-in compiler ran. */
  let compiles: number;
  /** What the stand-in compiler writes into dist/ (the content of index.js), and its exit status. */
  let output: string;
  let status: number;

  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  const compile = () => {
    compiles++;
    write("dist/index.js", output);
    write("dist/sub/a.d.ts", `export declare const a: "${output}";`);
    return status;
  };
  const run = (typescriptVersion = "5.9.3") => build.buildDist({ root, cache, typescriptVersion, compile });
  const dist = () => readFileSync(path.join(root, "dist", "index.js"), "utf8");

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "build-test-"));
    cache = path.join(root, "cache");
    compiles = 0;
    output = "first";
    status = 0;
    write("tsconfig.json", "{}");
    write("tsconfig.build.json", "{}");
    write("package-lock.json", '{"lockfileVersion":3}');
    write("components/index.ts", "export const a = 1;");
    write("components/deep/b.ts", "export const b = 2;");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("compiles once; the same inputs then give the stored output, every file of it, without compiling", () => {
    expect(run()).to.deep.include({ status: 0, how: "tsc -p tsconfig.build.json" });
    output = "second"; // a compile now would write this instead
    rmSync(path.join(root, "dist"), { recursive: true });
    write("dist/stale.js", "left from before");
    const again = run();
    expect(again.status).to.equal(0);
    expect(again.how).to.match(/^the cached build [0-9a-f]{12} \(the same inputs\)$/);
    expect(compiles).to.equal(1);
    expect(dist()).to.equal("first");
    expect(readFileSync(path.join(root, "dist", "sub", "a.d.ts"), "utf8")).to.equal(
      'export declare const a: "first";',
    );
    expect(readdirSync(path.join(root, "dist")).sort(), "dist/ emptied first").to.deep.equal([
      "index.js",
      "sub",
    ]);
  });

  for (const [what, edit] of [
    ["a component's source is edited", () => write("components/deep/b.ts", "export const b = 3;")],
    ["a file is added under components/", () => write("components/c.ts", "")],
    ["tsconfig.json is edited", () => write("tsconfig.json", '{"compilerOptions":{}}')],
    ["tsconfig.build.json is edited", () => write("tsconfig.build.json", '{"include":[]}')],
    [
      "package-lock.json is edited (a dependency's version)",
      () => write("package-lock.json", '{"lockfileVersion":3,"x":1}'),
    ],
  ] as const) {
    it(`compiles again when ${what}`, () => {
      run();
      edit();
      output = "second";
      expect(run().how).to.equal("tsc -p tsconfig.build.json");
      expect(compiles).to.equal(2);
      expect(dist()).to.equal("second");
    });
  }

  it("compiles again with another TypeScript version", () => {
    run("5.9.3");
    output = "second";
    expect(run("5.9.4").how).to.equal("tsc -p tsconfig.build.json");
    expect(dist()).to.equal("second");
  });

  it("never stores a failed compile: the next run compiles (and fails) again", () => {
    status = 2;
    expect(run().status).to.equal(2);
    expect(run().status).to.equal(2);
    expect(compiles).to.equal(2);
    status = 0;
    expect(run().how).to.equal("tsc -p tsconfig.build.json");
  });

  it("the key is the same for the same inputs and differs when a file moves", () => {
    const key = build.buildKey(root, "5.9.3");
    expect(key).to.match(/^[0-9a-f]{64}$/);
    expect(build.buildKey(root, "5.9.3")).to.equal(key);
    rmSync(path.join(root, "components", "deep"), { recursive: true });
    write("components/b.ts", "export const b = 2;");
    expect(build.buildKey(root, "5.9.3")).to.not.equal(key);
  });

  it("without the cache (what CROSS_ACCOUNT_IRSA_NO_BUILD_CACHE=1 asks) compiles every time and stores nothing", () => {
    build.buildDist({ root, cache, typescriptVersion: "5.9.3", compile, useCache: false });
    build.buildDist({ root, cache, typescriptVersion: "5.9.3", compile, useCache: false });
    expect(compiles).to.equal(2);
    expect(() => readdirSync(cache)).to.throw(/ENOENT/);
  });
});
