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

interface Interface {
  fields: Field[];
  /** Every name its members' types and its `extends` clause mention. */
  mentions: Set<string>;
}

/** The identifiers inside a type node. */
function typeNames(node: ts.Node, into: Set<string>): void {
  if (ts.isIdentifier(node)) into.add(node.text);
  node.forEachChild((child) => typeNames(child, into));
}

function interfaces(): Map<string, Interface> {
  const found = new Map<string, Interface>();
  for (const file of readdirSync(COMPONENTS).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(path.join(COMPONENTS, file), "utf8");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    source.forEachChild((node) => {
      if (!ts.isInterfaceDeclaration(node)) return;
      const mentions = new Set<string>();
      // What every member's types name (properties, methods, index signatures), and what it extends.
      for (const m of node.members) {
        m.forEachChild((part) => {
          if (part !== m.name) typeNames(part, mentions);
        });
      }
      for (const clause of node.heritageClauses ?? []) typeNames(clause, mentions);
      const fields = node.members.filter(ts.isPropertySignature).map((m) => {
        const docs = ts.getJSDocCommentsAndTags(m).filter(ts.isJSDoc);
        const description = docs
          .map((d) => ts.getTextOfJSDocComment(d.comment) ?? "")
          .join(" ")
          .trim();
        const hasDefault = docs.some((d) => (d.tags ?? []).some((t) => t.tagName.text === "default"));
        return { iface: node.name.text, field: m.name.getText(source), description, hasDefault };
      });
      found.set(node.name.text, { fields, mentions });
    });
  }
  return found;
}

/** The interfaces reachable from the component args: `*Args` and every interface named in their field types. */
function argsInterfaces(all: Map<string, Interface>): string[] {
  const reach = new Set([...all.keys()].filter((n) => n.endsWith("Args") && !n.startsWith("Plain")));
  const queue = [...reach];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    for (const mentioned of all.get(name)?.mentions ?? []) {
      if (all.has(mentioned) && !reach.has(mentioned)) {
        reach.add(mentioned);
        queue.push(mentioned);
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
      (all.get(n)?.fields ?? [])
        .filter((f) => f.description.length === 0 || !f.hasDefault)
        .map(
          (f) =>
            `${f.iface}.${f.field}${f.description ? "" : " (no description)"}${f.hasDefault ? "" : " (no @default)"}`,
        ),
    );
    expect(missing).to.deep.equal([]);
  });
});
