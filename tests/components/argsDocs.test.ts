import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import ts from "typescript";

/**
 * The standard says every args field has JSDoc with its `@default`. The schema keeps descriptions
 * but drops tags, so this reads the source itself: every field of every interface a component's args
 * reach (the `*Args` interfaces and the input types they use, like `SeedObject`) has a description
 * and a `@default` tag.
 */
const COMPONENTS = path.resolve(__dirname, "..", "..", "components");

interface Field {
  iface: string;
  field: string;
  description: string;
  hasDefault: boolean;
}

function interfaces(): Map<string, Field[]> {
  const found = new Map<string, Field[]>();
  for (const file of readdirSync(COMPONENTS).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(path.join(COMPONENTS, file), "utf8");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    source.forEachChild((node) => {
      if (!ts.isInterfaceDeclaration(node)) return;
      const fields = node.members.filter(ts.isPropertySignature).map((m) => {
        const docs = ts.getJSDocCommentsAndTags(m).filter(ts.isJSDoc);
        const description = docs
          .map((d) => ts.getTextOfJSDocComment(d.comment) ?? "")
          .join(" ")
          .trim();
        const hasDefault = docs.some((d) => (d.tags ?? []).some((t) => t.tagName.text === "default"));
        return { iface: node.name.text, field: m.name.getText(source), description, hasDefault };
      });
      found.set(node.name.text, fields);
    });
  }
  return found;
}

/** The interfaces reachable from the component args: `*Args` and every interface named in their field types. */
function argsInterfaces(all: Map<string, Field[]>): string[] {
  const sources = new Map<string, string>();
  for (const file of readdirSync(COMPONENTS).filter((f) => f.endsWith(".ts"))) {
    sources.set(file, readFileSync(path.join(COMPONENTS, file), "utf8"));
  }
  const reach = new Set([...all.keys()].filter((n) => n.endsWith("Args") && !n.startsWith("Plain")));
  let grew = true;
  while (grew) {
    grew = false;
    for (const text of sources.values()) {
      for (const name of [...reach]) {
        const body = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1] ?? "";
        for (const candidate of all.keys()) {
          if (
            !reach.has(candidate) &&
            new RegExp(`\\b${candidate}\\b`).test(body.replace(/\/\*\*[\s\S]*?\*\//g, ""))
          ) {
            reach.add(candidate);
            grew = true;
          }
        }
      }
    }
  }
  return [...reach].sort();
}

describe("component args documentation", () => {
  const all = interfaces();
  const names = argsInterfaces(all);

  it("covers the seven components' args and the input types they use", () => {
    for (const c of [
      "ClusterOidcProvider",
      "IrsaRole",
      "SecureBucket",
      "WorkloadCluster",
      "IrsaServiceAccount",
      "S3ReaderDeployment",
      "AccessCheckJob",
    ]) {
      expect(names).to.include(`${c}Args`);
    }
    expect(names).to.include.members(["SeedObject", "TrustedClusterInput", "ServiceAccountInput"]);
  });

  it("gives every args field a description and a @default", () => {
    const missing = names.flatMap((n) =>
      (all.get(n) ?? [])
        .filter((f) => f.description.length === 0 || !f.hasDefault)
        .map(
          (f) =>
            `${f.iface}.${f.field}${f.description ? "" : " (no description)"}${f.hasDefault ? "" : " (no @default)"}`,
        ),
    );
    expect(missing).to.deep.equal([]);
  });
});
