import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const DOCTOR_LIBRARIES = /^(@aws-sdk\/|@kubernetes\/client-node|jose$)/;

/** Every package a file imports, following relative imports (import, export-from, import(), require). */
function packagesImported(entry: string): Map<string, string> {
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
  return found;
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
