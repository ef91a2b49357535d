/**
 * The package schema that `pulumi package add` generates SDKs from, produced here exactly as the Node.js
 * plugin host produces it (no Pulumi CLI): load the package directory (Node resolves package.json `main`),
 * collect the ComponentResource classes it exports, and ask `ComponentProvider.getSchema()`, which runs
 * Pulumi's TypeScript analyzer over the package's source. The schema is then checked against the source
 * itself: every component, every args field (required or optional), every output and every description,
 * plus references that resolve.
 *
 * The package is the npm tarball, unpacked (see packed.ts): what `pulumi package add <path>` reads from an
 * unpacked `npm pack`, and the same package.json, PulumiPlugin.yaml and components/ as a clone of this
 * repository. The analyzer must find the TypeScript source from what the tarball holds.
 *
 * Creating the TypeScript program parses the whole of @pulumi/aws and @pulumi/kubernetes: it is done once.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import * as yaml from "js-yaml";
import ts from "typescript";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { packed } from "./packed";

/**
 * The components of the design (seven for IRSA, five for Pod Identity, the grant and its binding) (docs: design.md, "Public contract"), with the inputs it names
 * (`true` = required) and the outputs it names. Beyond these, the schema must match the source exactly.
 */
const EXPECTED: Record<string, { inputs: Record<string, boolean>; outputs: readonly string[] }> = {
  ClusterOidcProvider: {
    inputs: { issuerUrl: true, thumbprints: false, existingProviderArn: false },
    outputs: ["arn", "issuerHostPath"],
  },
  IrsaRole: {
    inputs: {
      clusters: true,
      inlinePolicies: false,
      managedPolicyArns: false,
      path: false,
      permissionsBoundary: false,
      maxSessionDuration: false,
      tags: false,
    },
    outputs: ["roleArn", "roleName", "trustPolicy"],
  },
  SecureBucket: { inputs: { objects: false }, outputs: ["bucketName", "bucketArn"] },
  WorkloadCluster: {
    inputs: { existingClusterName: false },
    outputs: ["clusterName", "oidcIssuerUrl", "oidcThumbprint", "kubeconfig"],
  },
  IrsaServiceAccount: {
    inputs: { roleArn: true, stsRegionalEndpoints: false, tokenExpiration: false, audience: false },
    outputs: ["name", "namespace"],
  },
  S3ReaderDeployment: {
    inputs: { serviceAccountName: true, roleArn: true, fsGroup: false },
    outputs: ["name"],
  },
  AccessCheckJob: { inputs: { bucketName: true, objectKey: true }, outputs: ["name"] },
  // EKS Pod Identity cross-account (design.md: "plus the Pod Identity components the mechanism needs").
  PodIdentitySourceRole: {
    inputs: { clusterArn: true, roleName: false },
    outputs: ["roleArn", "roleName", "trustPolicy"],
  },
  PodIdentityTargetRole: {
    inputs: { sourceRoleArn: true, clusterArn: true, serviceAccounts: true, inlinePolicies: false },
    outputs: ["roleArn", "roleName", "trustPolicy"],
  },
  PodIdentityAgent: {
    inputs: { clusterName: true, addonVersion: false },
    outputs: ["addonName", "addonVersion"],
  },
  PodIdentityServiceAccount: {
    inputs: { namespace: true, name: true, createNamespace: false },
    outputs: ["name", "namespace"],
  },
  CrossAccountPodIdentity: {
    inputs: { clusterName: true, sourceRoleArn: true, targetRoleArn: true, serviceAccounts: true },
    outputs: ["associationArns", "sourcePermissionPolicy"],
  },
  // One grant, any mechanism (design.md: "A user's program needs only these two").
  BucketAccessGrant: {
    inputs: {
      mechanisms: true,
      clusters: true,
      serviceAccounts: true,
      buckets: true,
      roleName: false,
      tags: false,
    },
    outputs: ["roleArn", "bucketNames", "handoff", "kmsKeyPolicyStatements"],
  },
  BucketAccessBinding: {
    inputs: {
      handoff: true,
      mechanisms: true,
      clusterName: false,
      issuerUrl: false,
      existingOidcProviderArn: false,
      clusterKey: false,
      serviceAccount: true,
      probe: false,
    },
    outputs: ["roleArn", "namespace", "serviceAccountName", "podCredentialPath"],
  },
};

interface SchemaProperty {
  type?: string;
  $ref?: string;
  description?: string;
  items?: SchemaProperty;
  additionalProperties?: SchemaProperty;
}
interface SchemaResource {
  isComponent?: boolean;
  description?: string;
  inputProperties?: Record<string, SchemaProperty>;
  requiredInputs?: string[];
  properties?: Record<string, SchemaProperty>;
  required?: string[];
}
interface SchemaType {
  type: string;
  properties?: Record<string, SchemaProperty>;
  required?: string[];
  enum?: { name: string; value: string | number; description?: string }[];
}
interface Schema {
  name: string;
  version?: string;
  resources: Record<string, SchemaResource>;
  types: Record<string, SchemaType>;
  dependencies?: { name: string; version?: string }[];
}

interface PackageJson {
  name: string;
  version?: string;
  main?: string;
}

/** A documented member as the source declares it. */
interface SourceMember {
  optional: boolean;
  description: string;
}

// ---------------------------------------------------------------------------------------------------------
// The source, read syntactically (fast: no type checking), as the reference the schema must match.

/** The package's components/ sources (read in the suite's `before`, once the tarball is unpacked). */
let sourceFiles: ts.SourceFile[] = [];

function readSources(componentsDir: string): ts.SourceFile[] {
  return fs
    .readdirSync(componentsDir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => {
      const file = path.join(componentsDir, f);
      return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    });
}

/** A node's JSDoc text the way the analyzer joins it: the comment part of each JSDoc block, tags excluded. */
function jsDocText(node: ts.Node): string {
  return ts
    .getJSDocCommentsAndTags(node)
    .filter(ts.isJSDoc)
    .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? "")
    .join("\n");
}

function memberName(name: ts.PropertyName): string {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : name.getText();
}

function findDeclaration<T extends ts.Node>(name: string, is: (n: ts.Node) => n is T): T | undefined {
  for (const sf of sourceFiles) {
    for (const stmt of sf.statements) {
      if (is(stmt) && (stmt as { name?: ts.Identifier }).name?.text === name) return stmt;
    }
  }
  return undefined;
}

/** The properties of an interface declared in components/, with those of the interfaces it extends. */
function interfaceMembers(name: string): Map<string, SourceMember> {
  const decl = findDeclaration(name, ts.isInterfaceDeclaration);
  if (!decl) throw new Error(`interface ${name} is not declared in components/`);
  const members = new Map<string, SourceMember>();
  for (const clause of decl.heritageClauses ?? []) {
    for (const t of clause.types) {
      for (const [k, v] of interfaceMembers(t.expression.getText())) members.set(k, v);
    }
  }
  for (const m of decl.members) {
    if (!ts.isPropertySignature(m)) continue;
    members.set(memberName(m.name), { optional: m.questionToken !== undefined, description: jsDocText(m) });
  }
  return members;
}

interface SourceComponent {
  description: string;
  argsInterface: string;
  /** Public instance fields: exactly the schema's outputs (getters are not outputs). */
  fields: Map<string, SourceMember>;
  /** The type token passed to `super(...)`. */
  typeToken: string | undefined;
}

function sourceComponent(className: string): SourceComponent {
  const cls = findDeclaration(className, ts.isClassDeclaration);
  if (!cls) throw new Error(`class ${className} is not declared in components/`);
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  const argsType = ctor?.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === "args")?.type;
  if (!argsType || !ts.isTypeReferenceNode(argsType)) {
    throw new Error(`${className}'s constructor has no 'args' parameter typed by an interface`);
  }
  const fields = new Map<string, SourceMember>();
  for (const m of cls.members) {
    if (!ts.isPropertyDeclaration(m)) continue;
    // Static fields are not outputs; private, protected and `#` fields are (wrongly) outputs to the analyzer,
    // so they are left out here and show up as unexpected outputs.
    const hidden = [
      ts.SyntaxKind.StaticKeyword,
      ts.SyntaxKind.PrivateKeyword,
      ts.SyntaxKind.ProtectedKeyword,
    ];
    if (m.modifiers?.some((mod) => hidden.includes(mod.kind)) || ts.isPrivateIdentifier(m.name)) continue;
    fields.set(memberName(m.name), { optional: m.questionToken !== undefined, description: jsDocText(m) });
  }
  let typeToken: string | undefined;
  const visit = (n: ts.Node): void => {
    if (
      typeToken === undefined &&
      ts.isCallExpression(n) &&
      n.expression.kind === ts.SyntaxKind.SuperKeyword &&
      n.arguments[0] !== undefined &&
      ts.isStringLiteral(n.arguments[0])
    ) {
      typeToken = n.arguments[0].text;
    }
    ts.forEachChild(n, visit);
  };
  if (ctor) visit(ctor);
  return { description: jsDocText(cls), argsInterface: argsType.typeName.getText(), fields, typeToken };
}

/** The values of an `as const` object that the analyzer turns into an enum type. */
function constObjectValues(name: string): (string | number)[] | undefined {
  for (const sf of sourceFiles) {
    for (const stmt of sf.statements) {
      if (!ts.isVariableStatement(stmt)) continue;
      for (const d of stmt.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || d.name.text !== name || !d.initializer) continue;
        const init = ts.isAsExpression(d.initializer) ? d.initializer.expression : d.initializer;
        if (!ts.isObjectLiteralExpression(init)) return undefined;
        return init.properties.filter(ts.isPropertyAssignment).map((p) => {
          const v = p.initializer;
          return ts.isNumericLiteral(v) ? Number(v.text) : ts.isStringLiteral(v) ? v.text : v.getText();
        });
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------

/** Every `$ref` under a schema value, with the path where it was found. */
function collectRefs(value: unknown, at: string, out: [string, string][]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => collectRefs(v, `${at}[${i}]`, out));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push([at, v]);
      else collectRefs(v, `${at}.${k}`, out);
    }
  }
}

/** Checks a schema property against the source member it comes from. */
function expectMatches(where: string, prop: SchemaProperty | undefined, member: SourceMember): void {
  expect(prop, `${where} is missing from the schema`).to.not.equal(undefined);
  expect(member.description.trim(), `${where} has no JSDoc description in the source`).to.not.equal("");
  expect(
    prop?.description,
    `${where}: description (a {@link} in a JSDoc comment comes out as [object Object])`,
  ).to.equal(member.description);
}

describe("package schema (what `pulumi package add` generates SDKs from)", function () {
  let root: string;
  let pkg: PackageJson;
  let exportedComponents: string[] = [];
  let schema: Schema;

  before(async function () {
    // Packing builds dist/, then one TypeScript program over the package and its dependencies' declarations.
    this.timeout(240_000);
    root = (await packed()).packageDir;
    pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as PackageJson;
    sourceFiles = readSources(path.join(root, "components"));
    // As the Node.js plugin host does (@pulumi/pulumi/cmd/run-plugin/run.js): require the package directory,
    // which Node resolves through package.json `main`, keep the ComponentResource classes it exports, and
    // name the provider after the package.
    expect(pkg.main, "package.json main").to.be.a("string");
    const main: unknown = await import(require.resolve(root));
    const components = getPulumiComponents(main);
    exportedComponents = components.map((c) => c.name);
    expect(exportedComponents, `ComponentResource classes exported by package.json main (${pkg.main})`).to.not
      .be.empty;
    const provider = new ComponentProvider({
      name: pkg.name.replace(/^@[^/]*\//, "").replace(/[^-a-zA-Z0-9_]/g, "-"),
      dirname: root,
      components,
    });
    schema = JSON.parse(await provider.getSchema()) as Schema;
  });

  it("is declared a Node.js source plugin by PulumiPlugin.yaml", () => {
    const manifest = yaml.load(fs.readFileSync(path.join(root, "PulumiPlugin.yaml"), "utf8")) as {
      runtime?: unknown;
    };
    const runtime =
      typeof manifest.runtime === "object" && manifest.runtime !== null
        ? (manifest.runtime as { name?: unknown }).name
        : manifest.runtime;
    expect(runtime).to.equal("nodejs");
  });

  it("is served from the TypeScript source: the package directory resolves to components/index.ts", () => {
    // exports/types point npm consumers at dist/; the plugin host and the analyzer need the source.
    expect(require.resolve(root)).to.equal(path.join(root, "components", "index.ts"));
  });

  it("exports exactly the fourteen components from package.json main, under the package's name", () => {
    expect(exportedComponents).to.have.members(Object.keys(EXPECTED));
    expect(schema.name).to.equal("cross-account-irsa");
    expect(schema.version).to.equal(pkg.version);
    expect(Object.keys(schema.resources)).to.have.members(
      Object.keys(EXPECTED).map((c) => `cross-account-irsa:index:${c}`),
    );
  });

  for (const [className, { inputs: keyInputs, outputs: keyOutputs }] of Object.entries(EXPECTED)) {
    describe(className, () => {
      const token = `cross-account-irsa:index:${className}`;
      let source: SourceComponent;
      before(() => {
        source = sourceComponent(className);
      });
      const resource = (): SchemaResource => {
        const r: SchemaResource | undefined = schema.resources[token];
        if (r === undefined) throw new Error(`${token} is missing from the schema`);
        return r;
      };

      it("is a component registered under its schema token, with the class's description", () => {
        expect(source.typeToken, `the type token ${className} passes to super()`).to.equal(token);
        expect(resource().isComponent).to.equal(true);
        expect(source.description.trim(), `${className} has no JSDoc in the source`).to.not.equal("");
        expect(resource().description, `${className} description`).to.equal(source.description);
      });

      it(`has every field of its args interface as an input, required exactly when not optional`, () => {
        const args = interfaceMembers(source.argsInterface);
        const inputs = resource().inputProperties ?? {};
        for (const [name, required] of Object.entries(keyInputs)) {
          expect(inputs, `${className} input ${name} (named by the design)`).to.have.property(name);
          expect(resource().requiredInputs ?? [], `${className} input ${name} required`).to.satisfy(
            (r: string[]) => r.includes(name) === required,
          );
        }
        expect(Object.keys(inputs), `inputs of ${className}`).to.have.members([...args.keys()]);
        for (const [name, member] of args) expectMatches(`${className} input ${name}`, inputs[name], member);
        const required = [...args].filter(([, m]) => !m.optional).map(([n]) => n);
        expect(resource().requiredInputs ?? [], `required inputs of ${className}`).to.have.members(required);
      });

      it(`has its fields as outputs, including ${keyOutputs.join(", ")}`, () => {
        const outputs = resource().properties ?? {};
        expect(Object.keys(outputs), `outputs of ${className}`).to.include.members([...keyOutputs]);
        // The analyzer makes every instance field an output, private ones included: keep other state in locals.
        expect(Object.keys(outputs), `outputs of ${className} (public fields)`).to.have.members([
          ...source.fields.keys(),
        ]);
        for (const [name, member] of source.fields) {
          expectMatches(`${className} output ${name}`, outputs[name], member);
        }
        const required = [...source.fields].filter(([, m]) => !m.optional).map(([n]) => n);
        expect(resource().required ?? [], `required outputs of ${className}`).to.have.members(required);
      });
    });
  }

  it("describes every object type as its source interface, and every enum as its `as const` object", () => {
    const prefix = "cross-account-irsa:index:";
    for (const [token, type] of Object.entries(schema.types)) {
      expect(token.startsWith(prefix), token).to.equal(true);
      const name = token.slice(prefix.length);
      if (type.enum) {
        const values = constObjectValues(name);
        expect(values, `no 'const ${name} = {...} as const' in components/`).to.not.equal(undefined);
        expect(
          type.enum.map((e) => e.value),
          `enum ${name}`,
        ).to.have.members(values ?? []);
        continue;
      }
      const members = interfaceMembers(name);
      const properties = type.properties ?? {};
      expect(Object.keys(properties), `properties of ${name}`).to.have.members([...members.keys()]);
      for (const [prop, member] of members) expectMatches(`${name}.${prop}`, properties[prop], member);
      const required = [...members].filter(([, m]) => !m.optional).map(([n]) => n);
      expect(type.required ?? [], `required properties of ${name}`).to.have.members(required);
    }
  });

  it("has only references that resolve: local types, pulumi.json, or resources of a declared dependency", () => {
    const refs: [string, string][] = [];
    collectRefs(schema.resources, "resources", refs);
    collectRefs(schema.types, "types", refs);
    for (const [at, ref] of refs) {
      if (ref.startsWith("#/types/")) {
        expect(schema.types, `${at}: ${ref}`).to.have.property(ref.slice("#/types/".length));
      } else if (ref.startsWith("pulumi.json#/")) {
        expect(["pulumi.json#/Any", "pulumi.json#/Asset", "pulumi.json#/Archive"], `${at}`).to.include(ref);
      } else {
        // `/<package>/v<version>/schema.json#/resources/<package>:<module>:<Type>`. A provider class (for
        // example k8s.Provider) comes out as `#/resources/kubernetes`, which no SDK generator can bind.
        const m = /^\/([^/]+)\/v([^/]+)\/schema\.json#\/resources\/([^:]+):([^:]*):(.+)$/.exec(ref);
        expect(m, `${at}: ${ref} is not a reference to a resource of another package`).to.not.equal(null);
        const [, pkgName, version] = m ?? [];
        const declared = (schema.dependencies ?? []).some((d) => d.name === pkgName && d.version === version);
        expect(
          declared,
          `${at}: ${ref} names a package that is not among the schema's dependencies`,
        ).to.equal(true);
      }
    }
  });
});
