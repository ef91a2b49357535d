import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const DOCTOR_LIBRARIES = /^(@aws-sdk\/|@kubernetes\/client-node|jose$)/;

/** Every package a file imports, following relative imports (import, export-from, import(), require). */
function packagesImported(entry: string): Map<string, string> {
  return importGraph(entry).packages;
}

/**
 * The import graph from a file, following relative imports of every kind (type-only ones and
 * `import()` too: a lazy load is still a dependency): the packages it reaches (each with the first
 * file importing it) and the repository files, relative to the root.
 */
function importGraph(entry: string): { packages: Map<string, string>; files: Set<string> } {
  const found = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(file, "utf8");
    for (const m of source.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*|import\s+)["']([^"']+)["']/g)) {
      const spec = m[1];
      if (spec.startsWith(".")) {
        const base = path.resolve(path.dirname(file), spec);
        const target = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
        if (target) visit(target);
      } else if (!found.has(spec)) {
        found.set(spec, path.relative(ROOT, file));
      }
    }
  };
  visit(entry);
  return { packages: found, files: new Set([...seen].map((f) => path.relative(ROOT, f))) };
}

/** The doctor's own files: doctor/ and each mechanism's doctor/ folder. */
function doctorFiles(): string[] {
  const tsIn = (dir: string) =>
    fs
      .readdirSync(path.join(ROOT, dir))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => path.join(dir, f));
  const mechanisms = fs
    .readdirSync(path.join(ROOT, "mechanisms"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(ROOT, "mechanisms", d.name, "doctor")))
    .map((d) => path.join("mechanisms", d.name, "doctor"));
  return ["doctor", ...mechanisms].flatMap(tsIn);
}

describe("doctor: its libraries stay out of the component library's and chain/'s import graph", () => {
  for (const entry of ["components/index.ts", "chain/index.ts"]) {
    it(`${entry} never reaches the AWS SDK, @kubernetes/client-node or jose`, () => {
      const packages = packagesImported(path.join(ROOT, entry));
      const leaked = [...packages]
        .filter(([p]) => DOCTOR_LIBRARIES.test(p))
        .map(([p, f]) => `${p} (from ${f})`);
      expect(leaked).to.deep.equal([]);
      if (entry === "components/index.ts") expect(packages.has("@pulumi/pulumi")).to.equal(true);
    });
  }

  it("the doctor itself does use them (the walk finds imports)", () => {
    const packages = packagesImported(path.join(ROOT, "mechanisms/irsa/doctor/collect.ts"));
    expect([...packages.keys()].filter((p) => DOCTOR_LIBRARIES.test(p))).to.include.members([
      "@aws-sdk/client-eks",
      "@kubernetes/client-node",
      "jose",
    ]);
    const podIdentity = packagesImported(path.join(ROOT, "mechanisms/pod-identity/doctor/collect.ts"));
    expect([...podIdentity.keys()].filter((p) => DOCTOR_LIBRARIES.test(p))).to.include.members([
      "@aws-sdk/client-eks",
      "@aws-sdk/client-iam",
      "@aws-sdk/client-s3",
      "@kubernetes/client-node",
    ]);
  });
});

describe("doctor: imports nothing from the front ends deploy/ and plan/ (what it shares with them is in cli/shared/)", () => {
  const FRONT_ENDS = /^(deploy|plan)\//;

  for (const file of doctorFiles()) {
    it(`${file} reaches no file of deploy/ or plan/, directly or through what it imports`, () => {
      const reached = [...importGraph(path.join(ROOT, file)).files].filter((f) => FRONT_ENDS.test(f));
      expect(reached).to.deep.equal([]);
    });
  }

  it("the walk sees what the doctor shares and what a front end imports (it can fail)", () => {
    expect(doctorFiles()).to.include.members(["doctor/cli.ts", "mechanisms/irsa/doctor/collect.ts"]);
    const doctor = importGraph(path.join(ROOT, "doctor/cli.ts")).files;
    // Lazily loaded (import()) and type-only imports are followed too.
    expect([...doctor]).to.include.members([
      "cli/shared/pulumiWorkspace.ts",
      "cli/shared/pulumiCli.ts",
      "cli/shared/stacks.ts",
      "cli/shared/workspace.ts",
      "cli/shared/system.ts",
      "mechanisms/irsa/doctor/collect.ts",
    ]);
    const binary = importGraph(path.join(ROOT, "cli/main.ts")).files;
    expect([...binary].filter((f) => FRONT_ENDS.test(f))).to.include("plan/cli.ts");
  });
});
