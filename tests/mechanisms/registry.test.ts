import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { MECHANISMS, Mechanism } from "../../components/mechanism";
import { REGISTRY, checkChain, linkOf, mechanismModule, type MechanismModule } from "../../mechanisms";
import { exportedMechanism } from "../../mechanisms/compat";
import { plannedPodIdentity } from "./pod-identity/snapshot";

const ROOT = path.resolve(__dirname, "../..");

/** Packages reached from `entry` through static value imports (import/export-from), not `import()` or type-only imports. */
function staticPackages(entry: string): Set<string> {
  const found = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(file, "utf8");
    for (const m of source.matchAll(/(?:^|\n)\s*(import|export)\s([^;]*?)from\s+["']([^"']+)["']/g)) {
      const [, , what, spec] = m;
      // Type-only imports are erased: they load nothing.
      const names = /^\s*\{([^}]*)\}\s*$/
        .exec(what)?.[1]
        .split(",")
        .filter((n) => n.trim() !== "");
      if (/^\s*type\s/.test(what) || (names !== undefined && names.every((n) => /^\s*type\s/.test(n))))
        continue;
      if (spec.startsWith(".")) {
        const base = path.resolve(path.dirname(file), spec);
        const target = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
        if (target) visit(target);
      } else found.add(spec);
    }
  };
  visit(entry);
  return found;
}

describe("mechanisms: the registry", () => {
  it("has exactly one module per member of MECHANISMS, each under its own name", () => {
    expect(Object.keys(REGISTRY)).to.have.members([...MECHANISMS]);
    expect(Object.keys(REGISTRY)).to.have.length(MECHANISMS.length);
    for (const m of MECHANISMS) expect(mechanismModule(m).name).to.equal(m);
  });

  it("makes a missing mechanism a compile error (type-level)", () => {
    type Table = { readonly [M in Mechanism]: MechanismModule<M> };
    const { irsa, "pod-identity": podIdentity } = REGISTRY;
    // @ts-expect-error the registry's type lists every Mechanism: a table without pod-identity does not compile
    const partial: Table = { irsa };
    // @ts-expect-error a module filed under another mechanism's name does not compile either
    const swapped: Table = { irsa: podIdentity, "pod-identity": podIdentity };
    expect(partial).to.not.equal(undefined);
    expect(swapped).to.not.equal(undefined);
  });

  for (const m of MECHANISMS) {
    it(`${m}: links numbered 1..n in order, the shared permission link last`, () => {
      const links = mechanismModule(m).links;
      expect(links.map((l) => l.number)).to.deep.equal(links.map((_, i) => i + 1));
      expect(links[links.length - 1].id).to.equal("permission");
      for (const l of links) expect(linkOf(l.id, m)).to.equal(l);
    });
  }

  it("linkOf refuses a link of another mechanism's chain instead of guessing", () => {
    expect(() => linkOf("oidc-provider", Mechanism.PodIdentity)).to.throw(
      "no link oidc-provider in the pod-identity chain",
    );
    expect(() => linkOf("association", Mechanism.Irsa)).to.throw("no link association in the irsa chain");
  });

  it("checkChain stamps every result with the snapshot's mechanism", () => {
    const results = checkChain(plannedPodIdentity());
    expect(results.length).to.be.greaterThan(0);
    expect(new Set(results.map((r) => r.mechanism))).to.deep.equal(new Set([Mechanism.PodIdentity]));
  });

  it("loads the chain layer only: no AWS SDK, Kubernetes client, jose or Pulumi through static imports", () => {
    const leaked = [...staticPackages(path.join(ROOT, "mechanisms/index.ts"))].filter((p) =>
      /^(@aws-sdk\/|@kubernetes\/client-node|jose$|@pulumi\/)/.test(p),
    );
    expect(leaked).to.deep.equal([]);
  });

  it("loads each doctor collector on demand", async () => {
    for (const m of MECHANISMS) expect(await mechanismModule(m).doctorCollector()).to.be.a("function");
  });
});

describe("mechanisms: stacks from before the mechanism output (compat)", () => {
  it("reads no output as IRSA, a known name as itself, anything else as an error naming the field", () => {
    expect(exportedMechanism("account-a output mechanism", undefined)).to.equal("irsa");
    for (const m of MECHANISMS) expect(exportedMechanism("f", m)).to.equal(m);
    expect(() => exportedMechanism("account-a output mechanism", "IRSA")).to.throw(
      'account-a output mechanism: "IRSA" is invalid: must be "irsa", "pod-identity" or "irsa-chained"',
    );
  });
});
