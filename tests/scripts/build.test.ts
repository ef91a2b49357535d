/**
 * scripts/build.js, `npm run build`: its content-hashed cache of the compiler's output (the same inputs
 * give the stored output without compiling, any input edited compiles again, and a failed compile is
 * never stored; run on a temporary tree with a stand-in compiler), and its compiler, which writes each
 * file's JavaScript and declarations alone (isolatedDeclarations): the same output as tsc's, and a
 * failure, not a guess, for what it cannot write alone.
 */
import { expect } from "chai";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import ts from "typescript";

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
  compileIsolated(root: string, typescript: typeof ts, config?: string): readonly ts.Diagnostic[];
};

/** What buildDist reports when it compiled (not a cache hit). */
const COMPILED = "compiled file by file (isolated declarations)";

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
    expect(run()).to.deep.include({ status: 0, how: COMPILED });
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
      expect(run().how).to.equal(COMPILED);
      expect(compiles).to.equal(2);
      expect(dist()).to.equal("second");
    });
  }

  it("compiles again with another TypeScript version", () => {
    run("5.9.3");
    output = "second";
    expect(run("5.9.4").how).to.equal(COMPILED);
    expect(dist()).to.equal("second");
  });

  it("never stores a failed compile: the next run compiles (and fails) again", () => {
    status = 2;
    expect(run().status).to.equal(2);
    expect(run().status).to.equal(2);
    expect(compiles).to.equal(2);
    status = 0;
    expect(run().how).to.equal(COMPILED);
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

describe("scripts/build.js compileIsolated (the library, file by file)", () => {
  let root: string;
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  const config = (extra: Record<string, unknown> = {}) =>
    write(
      "tsconfig.build.json",
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "commonjs",
          strict: true,
          esModuleInterop: true,
          declaration: true,
          declarationMap: true,
          sourceMap: true,
          rootDir: "components",
          outDir: "dist",
          isolatedDeclarations: true,
          ...extra,
        },
        include: ["components/**/*.ts"],
      }),
    );
  const messages = (found: readonly ts.Diagnostic[]) =>
    found.map((d) => `${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  /** tsc's own emit of the same tree (a full program: its imports resolved, types checked). */
  const tscEmit = (outDir: string) => {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      path.join(root, "tsconfig.build.json"),
      { outDir },
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: () => undefined,
      },
    );
    if (parsed === undefined) throw new Error("no config");
    // ES5's library only: enough for this tree, and a fraction of the default's parsing.
    const options = { ...parsed.options, lib: ["lib.es5.d.ts"], types: [] };
    const program = ts.createProgram({ rootNames: parsed.fileNames, options });
    expect(messages(ts.getPreEmitDiagnostics(program)), "the tree type-checks").to.deep.equal([]);
    program.emit();
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "build-isolated-"));
    config();
    write(
      "components/index.ts",
      [
        'import { digest } from "extlib";',
        'import { type Shape, area } from "./shapes";',
        'export { area } from "./shapes";',
        'export * from "./shapes/more";',
        "/** The default side. */",
        "export const SIDE: number = 2;",
        'export function hashOf(shape: Shape, salt = "x"): string {',
        "  return digest(`${area(shape)}${salt}`);",
        "}",
        "export class Box {",
        "  readonly shape: Shape;",
        "  constructor(side: number = SIDE) {",
        '    this.shape = { kind: "square", side };',
        "  }",
        "}",
      ].join("\n"),
    );
    write(
      "components/shapes.ts",
      [
        'export interface Shape { kind: "square"; side: number }',
        "export function area(shape: Shape): number { return shape.side ** 2; }",
      ].join("\n"),
    );
    write("components/shapes/more/index.ts", 'export const MORE = "more" as const;');
    // A package the compiler resolves only with a full program (tsc does; the isolated build needs not).
    write("node_modules/extlib/package.json", '{"name":"extlib","version":"1.0.0","types":"index.d.ts"}');
    write("node_modules/extlib/index.d.ts", "export declare function digest(text: string): string;");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("writes the JavaScript, declarations and maps tsc writes, byte for byte", () => {
    expect(messages(build.compileIsolated(root, ts))).to.deep.equal([]);
    tscEmit(path.join(root, "tsc-out"));
    const files = (dir: string) =>
      readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => /\.(js|d\.ts|map)$/.test(f))
        .sort();
    const ours = files(path.join(root, "dist"));
    expect(ours).to.include.members(["index.js", "index.d.ts", "index.d.ts.map", "shapes.js.map"]);
    expect(ours).to.deep.equal(files(path.join(root, "tsc-out")));
    for (const f of ours) {
      expect(readFileSync(path.join(root, "dist", f), "utf8"), f).to.equal(
        readFileSync(path.join(root, "tsc-out", f), "utf8"),
      );
    }
  });

  it("fails on an export whose type it would have to infer, and writes no declaration for that file", () => {
    write(
      "components/shapes.ts",
      "export function area(side: number) { return side ** 2; }\nexport const ONE = area(1);",
    );
    expect(messages(build.compileIsolated(root, ts))).to.deep.equal([
      "9007 Function must have an explicit return type annotation with --isolatedDeclarations.",
      "9010 Variable must have an explicit type annotation with --isolatedDeclarations.",
    ]);
    expect(() => readFileSync(path.join(root, "dist", "shapes.d.ts"))).to.throw(/ENOENT/);
  });

  it("fails on a syntax error, before writing anything", () => {
    write("components/shapes.ts", "export const x: = 1;");
    expect(messages(build.compileIsolated(root, ts))).to.deep.equal(["1110 Type expected."]);
    expect(() => readdirSync(path.join(root, "dist"))).to.throw(/ENOENT/);
  });

  it("fails on a relative import that leaves the build's files (the package would not have it)", () => {
    write("helpers/x.ts", "export const X: number = 1;");
    write("components/shapes.ts", 'export { X } from "../helpers/x";');
    expect(messages(build.compileIsolated(root, ts))).to.deep.equal([
      "0 '../helpers/x' is not a file of this build (tsconfig.build.json includes 3 files): the package would not have it",
    ]);
  });

  it("refuses a config without isolatedDeclarations (it could not write each .d.ts alone)", () => {
    config({ isolatedDeclarations: false });
    expect(() => build.compileIsolated(root, ts)).to.throw(
      'tsconfig.build.json: the build needs "isolatedDeclarations": true (it writes each .d.ts alone)',
    );
  });
});
