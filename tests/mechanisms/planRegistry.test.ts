/**
 * The plan layers (mechanisms/planRegistry.ts): one per mechanism, under its name; and the import
 * direction between plan/ and the mechanisms' plan parts (plan/ dispatches through the registry, the
 * mechanisms import plan/'s shared helpers only, so no file reaches itself again).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { MECHANISMS, Mechanism } from "../../components/mechanism";
import { PLAN_LAYERS, planLayer } from "../../mechanisms/planRegistry";
import { type PlanLayer } from "../../mechanisms/planLayer";

const ROOT = path.resolve(__dirname, "../..");

/** The project files `file` imports (value and type imports alike), resolved. */
function imports(file: string): string[] {
  const source = fs.readFileSync(file, "utf8");
  const found: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["'](\.[^"']*)["']/g)) {
    const base = path.resolve(path.dirname(file), m[1]);
    const target = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
    if (target) found.push(target);
  }
  return found;
}

/** Every file reached from `entry`, and the import cycles met on the way (each as a path). */
function walk(entry: string): { reached: Set<string>; cycles: string[][] } {
  const reached = new Set<string>();
  const onPath: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string) => {
    const at = onPath.indexOf(file);
    if (at >= 0) {
      cycles.push([...onPath.slice(at), file].map((f) => path.relative(ROOT, f)));
      return;
    }
    if (reached.has(file)) return;
    reached.add(file);
    onPath.push(file);
    for (const next of imports(file)) visit(next);
    onPath.pop();
  };
  visit(entry);
  return { reached, cycles };
}

describe("mechanisms: the plan layers", () => {
  it("has exactly one plan layer per member of MECHANISMS, each under its own name", () => {
    expect(Object.keys(PLAN_LAYERS)).to.have.members([...MECHANISMS]);
    expect(Object.keys(PLAN_LAYERS)).to.have.length(MECHANISMS.length);
    for (const m of MECHANISMS) expect(planLayer(m).name).to.equal(m);
  });

  it("makes a missing plan layer a compile error (type-level)", () => {
    type Table = { readonly [M in Mechanism]: PlanLayer<M> };
    const { irsa, "pod-identity": podIdentity } = PLAN_LAYERS;
    // @ts-expect-error the table's type lists every Mechanism: one without pod-identity does not compile
    const partial: Table = { irsa };
    // @ts-expect-error a layer filed under another mechanism's name does not compile either
    const swapped: Table = { irsa: podIdentity, "pod-identity": podIdentity };
    expect(partial).to.not.equal(undefined);
    expect(swapped).to.not.equal(undefined);
  });

  it("refuses two partitions exactly for the mechanisms whose account-a role session assumes account-b's role", () => {
    expect(MECHANISMS.filter((m) => planLayer(m).checksPartitions)).to.deep.equal([
      Mechanism.PodIdentity,
      Mechanism.IrsaChained,
    ]);
  });

  for (const entry of ["plan/build.ts", "plan/render.ts", "plan/config.ts", "plan/cli.ts"]) {
    it(`${entry}: no import cycle through plan/ and the mechanisms' plan parts (type imports included)`, () => {
      const { reached, cycles } = walk(path.join(ROOT, entry));
      const planCycles = cycles.filter((c) =>
        c.some((f) => f.startsWith("plan/") || /\/plan|planLayer|planRegistry|\/matrix|\/render/.test(f)),
      );
      expect(planCycles).to.deep.equal([]);
      expect([...reached].map((f) => path.relative(ROOT, f))).to.include("mechanisms/planRegistry.ts");
    });
  }

  it("the chain-layer registry (what the doctor loads) reaches no plan layer and nothing of plan/", () => {
    const reached = [...walk(path.join(ROOT, "mechanisms/registry.ts")).reached].map((f) =>
      path.relative(ROOT, f),
    );
    expect(reached.filter((f) => f.startsWith("plan/") || /planLayer|planRegistry/.test(f))).to.deep.equal(
      [],
    );
  });
});
