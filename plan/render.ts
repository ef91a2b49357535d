/**
 * The plan as the terminal shows it: resource trees, documents, the access matrix, the chain's checks
 * and the manifests, in aligned tables; colour only on a terminal.
 */
import { shorten, styles, table, linksTable, type Cell, type Styles } from "../cli/shared/terminal";
import { type Decision } from "../components/evaluate";
import { PROJECT } from "../stacks/config";
import { type RecordedResource } from "../engine/mockEngine";
import { type Plan } from "./build";
import { SYSTEM_NAMESPACES } from "../components/serviceAccountResources";
import { type PlannedManifest } from "./manifests";
import { type StackPass } from "./passes";
import { providerName } from "./records";
import { type MatrixCell, type PlanLayer } from "../mechanisms/planLayer";
import { type PlannedRole } from "./collect";
import { type AccessRow } from "./matrix";
import { type PlannedDocument } from "./records";
import { planLayer } from "../mechanisms/planRegistry";

// The terminal helpers the doctor shares live below both front ends; re-exported for plan's users.
export {
  linksTable,
  statusCell,
  styles,
  table,
  useColor,
  type Cell,
  type Styles,
} from "../cli/shared/terminal";

/** The resource tree of a run: one row per resource, indented under its parent. */
export function resourceTree(pass: StackPass, st: Styles): string[] {
  const byParent = new Map<string, RecordedResource[]>();
  const urns = new Set(pass.resources.map((r) => r.urn));
  for (const r of pass.resources) {
    const parent = r.parent && urns.has(r.parent) ? r.parent : "";
    byParent.set(parent, [...(byParent.get(parent) ?? []), r]);
  }
  const rows: Cell[][] = [
    ["TYPE", "NAME", "PROVIDER", "NOTE"].map((text) => ({ text, style: st.bold })),
    [`pulumi:pulumi:Stack`, `${PROJECT}-${pass.stack}`, "", ""],
  ];
  const walk = (parent: string, prefix: string) => {
    const children = byParent.get(parent) ?? [];
    children.forEach((r, i) => {
      const last = i === children.length - 1;
      const note: string[] = [];
      if (r.type === "pulumi:pulumi:StackReference") note.push("reads that stack's outputs");
      else if (r.read) note.push("read: existing, not created");
      if (r.type === "eks:index:Cluster")
        note.push("eks provider component: its children are not planned offline");
      if (r.secretInputs.length > 0) note.push(`secret: ${r.secretInputs.join(", ")}`);
      rows.push([
        { text: `${prefix}${last ? "└─ " : "├─ "}${r.type}`, style: r.custom ? (s) => s : st.cyan },
        r.name,
        { text: providerName(r.provider) ?? "", style: st.dim },
        { text: note.join("; "), style: st.dim },
      ]);
      walk(r.urn, `${prefix}${last ? "   " : "│  "}`);
    });
  };
  walk("", "");
  return table(rows);
}

/** The runs: each one's resource tree, what the program logged, and its outputs. */
export function passLines(passes: readonly StackPass[], st: Styles): string[] {
  const lines: string[] = [];
  for (const pass of passes) {
    // As `pulumi up` counts them: components and providers too; reads and stack references not.
    const count = pass.resources.filter((r) => !r.read && r.type !== "pulumi:pulumi:StackReference").length;
    lines.push("", st.bold(`${pass.step}. ${pass.title}: ${count} resource(s) to create`));
    lines.push(...resourceTree(pass, st));
    for (const m of pass.messages) lines.push(`  ${st.yellow(m)}`);
    const outputs = Object.entries(pass.outputs);
    if (outputs.length > 0) {
      lines.push("", `  ${st.bold("Outputs")}`);
      lines.push(
        ...table(
          outputs.map(([k, o]) => [
            k,
            o.secret
              ? { text: "[secret]", style: st.dim }
              : shorten(typeof o.value === "string" ? o.value : JSON.stringify(o.value), 100),
          ]),
          "    ",
        ),
      );
    }
  }
  return lines;
}

/** A source role's documents, indented. */
export function sourceRoleLines(role: PlannedRole): string[] {
  const lines = [`  source role ${role.arn}`, `  trust policy (${role.trustPolicy.size} characters):`];
  lines.push(...indentJson(role.trustPolicy.doc));
  for (const p of role.permissionPolicies) {
    lines.push(`  permission policy ${p.name} (${p.size} characters):`);
    lines.push(...indentJson(p.doc));
  }
  return lines;
}

/** Account-b's role's documents, indented. */
export function roleDocumentLines(
  trustPolicy: PlannedDocument,
  limit: number,
  permissionPolicies: ReadonlyArray<{ name: string } & PlannedDocument>,
): string[] {
  const lines = [`  trust policy (${trustPolicy.size} of ${limit} characters):`];
  lines.push(...indentJson(trustPolicy.doc));
  for (const p of permissionPolicies) {
    lines.push(`  permission policy ${p.name} (${p.size} characters):`);
    lines.push(...indentJson(p.doc));
  }
  return lines;
}

/** A matrix row's verdict and decision cells. */
function verdictCells(st: Styles) {
  const mark = (ok: boolean) => (ok ? { text: "ok", style: st.green } : { text: "MISMATCH", style: st.red });
  const decision = (d: Decision) =>
    d === "Allow"
      ? { text: "allow", style: st.green }
      : { text: d === "ExplicitDeny" ? "deny (explicit)" : "deny", style: st.dim };
  const header = (...titles: string[]) => titles.map((text) => ({ text, style: st.bold }));
  return { mark, decision, header };
}

/**
 * A mechanism's matrix tables (its own rows; the access rows are {@link accessTableLines}'), each
 * under its heading (after `prefix`).
 */
export function matrixTableLines(
  layer: PlanLayer,
  matrix: readonly AccessRow[],
  st: Styles,
  prefix = "",
): string[] {
  const { mark, decision, header } = verdictCells(st);
  const cell = (c: MatrixCell): Cell => {
    if (typeof c === "string") return c;
    const text = c.shortenTo === undefined ? c.text : shorten(c.text, c.shortenTo);
    return c.warn ? { text, style: st.yellow } : text;
  };
  const lines: string[] = [];
  for (const t of layer.matrixTables(matrix)) {
    lines.push("", st.bold(`${prefix}${t.heading}`));
    lines.push(
      ...table([
        header(...t.columns, "EXPECTED", "ACTUAL", ""),
        ...t.rows.map(({ cells, row }) => [
          ...cells.map(cell),
          row.expected,
          decision(row.actual),
          mark(row.ok),
        ]),
      ]),
    );
  }
  return lines;
}

/** The access rows' table (what the role may do), without a heading. */
export function accessTableLines(matrix: readonly AccessRow[], st: Styles): string[] {
  const { mark, decision, header } = verdictCells(st);
  return table([
    header("CASE", "ACTION", "RESOURCE", "EXPECTED", "ACTUAL", ""),
    ...matrix
      .filter((r) => r.kind === "access")
      .map((r) => [
        r.subject + (r.context["s3:prefix"] !== undefined ? ` (s3:prefix=${r.context["s3:prefix"]})` : ""),
        r.action,
        r.resource,
        r.expected,
        decision(r.actual),
        mark(r.ok),
      ]),
  ]);
}

/** The manifests' table and which namespaces the update creates or expects, without a heading. */
export function manifestLines(manifests: readonly PlannedManifest[], st: Styles): string[] {
  return [
    ...table(
      manifests.map((m) => [
        m.file,
        `${m.kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name}`,
        m.validation.valid ? { text: "schema ok", style: st.green } : { text: "INVALID", style: st.red },
      ]),
    ),
    ...namespaceLines(manifests).map((l) => `  ${st.dim(l)}`),
  ];
}

/** The plan's closing line: OK with its counts, or FAILED with its problems. */
export function verdictLines(
  ok: boolean,
  counts: string,
  problems: readonly string[],
  options: { outDir?: string; written?: boolean },
  st: Styles,
): string[] {
  if (ok) {
    return [
      st.green(st.bold("Plan OK")) +
        `: ${counts}` +
        (options.outDir ? (options.written ? `; written to ${options.outDir}/` : `; nothing written`) : ""),
    ];
  }
  return [
    st.red(st.bold(`Plan FAILED: ${problems.length} problem(s)`)),
    ...problems.map((p) => `  ${st.red("✗")} ${p}`),
    ...(options.outDir ? [`  nothing written to ${options.outDir}/`] : []),
  ];
}

/** The report's first line. */
export function titleLine(st: Styles): string {
  return (
    st.bold(`Offline plan of ${PROJECT}`) +
    st.dim(` (no cloud, no Pulumi CLI; ids, ARNs and generated names are deterministic placeholders)`)
  );
}

/** The plan as the terminal shows it. */
export function renderPlan(
  plan: Plan,
  options: { color: boolean; outDir?: string; written?: boolean },
): string {
  const st = styles(options.color);
  const lines: string[] = [titleLine(st), ...passLines(plan.passes, st)];
  const heading = (s: string) => lines.push("", st.bold(s));

  const layer = planLayer(plan.configs.b.mechanism);
  const words = layer.words;
  if (plan.sourceRole) {
    heading(words.sourceRole);
    lines.push(...sourceRoleLines(plan.sourceRole));
  }
  heading(words.accountBDocuments);
  lines.push(
    ...roleDocumentLines(plan.trustPolicy, plan.configs.b.maxTrustPolicySize, plan.permissionPolicies),
  );
  lines.push(...matrixTableLines(layer, plan.matrix, st));
  heading("What the role may do (against the planned permission policy)");
  lines.push(...accessTableLines(plan.matrix, st));

  heading(words.links);
  lines.push(...linksTable(plan.links, st, 120));

  heading("Kubernetes manifests (account-a, final update)");
  lines.push(...manifestLines(plan.manifests, st));

  lines.push("");
  const counts = `${plan.matrix.length} access-matrix rows as intended, ${plan.links.filter((l) => l.status === "pass").length} link checks passed`;
  lines.push(...verdictLines(plan.ok, counts, plan.problems, options, st));
  return `${lines.join("\n")}\n`;
}

/**
 * Which namespace the final update creates, and which it expects to exist: the Namespace manifests,
 * then the namespaces of the other objects that none of them creates.
 *
 * @internal exported for the tests only
 */
export function namespaceLines(manifests: readonly PlannedManifest[]): string[] {
  const created = manifests.filter((m) => m.kind === "Namespace").map((m) => m.name);
  const used = [...new Set(manifests.map((m) => m.namespace).filter((n): n is string => n !== undefined))];
  return [
    ...created.map(
      (n) =>
        `namespace ${n}: created by this stack (cross-account-irsa:createNamespace), and deleted with it`,
    ),
    ...used
      .filter((n) => !created.includes(n))
      .map(
        (n) =>
          `namespace ${n}: not created by this stack; it must exist before the update` +
          (SYSTEM_NAMESPACES.includes(n)
            ? " (every cluster has it)"
            : " (cross-account-irsa:createNamespace: true creates it)"),
      ),
  ];
}

/** A document as indented JSON lines. */
export function indentJson(doc: unknown): string[] {
  return JSON.stringify(doc, null, 2)
    .split("\n")
    .map((l) => `    ${l}`);
}
