/**
 * The plan's files (IAM documents, manifests, summary.json), built in memory, then written atomically:
 * the output directory holds either the previous plan or the complete new one, never a mix.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT } from "../stacks/config";
import { type RecordedResource } from "../engine/mockEngine";
import { type ResolvedOutput } from "../engine/offline";
import { type Plan } from "./build";
import { type ChainCheckResult } from "../chain";
import { manifestYaml, type PlannedManifest } from "./manifests";
import { type StackPass } from "./passes";
import { providerName } from "./records";

/**
 * Marks `summary.json` as written by the plan: only such a directory is ever replaced.
 *
 * @internal exported for the tests only
 */
export const PLAN_GENERATOR = "cross-account-irsa offline plan";

/** A resource as the summary shows it: secret inputs masked. */
export function summaryResource(r: RecordedResource) {
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    ...(r.parent ? { parent: r.parent } : {}),
    ...(r.provider ? { provider: providerName(r.provider) } : {}),
    custom: r.custom,
    ...(r.read ? { read: true } : {}),
    ...(r.secretInputs.length > 0 ? { secretInputs: r.secretInputs } : {}),
    inputs: Object.fromEntries(
      Object.entries(r.inputs).map(([k, v]) => [k, r.secretInputs.includes(k) ? "[secret]" : v]),
    ),
  };
}

/** Output values with secrets masked. */
export function maskedOutputs(outputs: Record<string, ResolvedOutput>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.secret ? "[secret]" : o.value]));
}

/** What each written file is. */
export const ARTIFACT_NOTES: Record<string, string> = {
  "summary.json": "this summary: runs, resources, outputs (secrets masked), access matrix, link checks",
  "trust-policy.json": "the role's trust policy, byte for byte as sent to IAM (assumeRolePolicy)",
  "trust-policy.pretty.json": "the same trust policy, indented for reading (not what is sent)",
  "permission-policy.json": "the role's inline S3 permission policy, byte for byte as sent to IAM",
  "permission-policy.pretty.json": "the same permission policy, indented for reading (not what is sent)",
  "bucket-policy.json": "the bucket's TLS-only bucket policy, byte for byte as sent to S3",
  "source-trust-policy.json":
    "Pod Identity: account-a's source role trust policy (pods.eks.amazonaws.com, this cluster), as sent to IAM",
  "source-permission-policy.json":
    "Pod Identity: account-a's source role policy allowing it to chain into the target role, as sent to IAM",
};

/**
 * Every file of the plan, relative path → content. Built in memory, so nothing is written unless
 * all of it could be built.
 */
export function planFiles(plan: Plan, sources: { configA: string; configB: string }): Map<string, string> {
  const files = new Map<string, string>();
  const notes: Record<string, string> = {};
  const put = (file: string, content: string, note: string) => {
    files.set(file, content);
    notes[file] = note;
  };
  put("trust-policy.json", plan.trustPolicy.json, ARTIFACT_NOTES["trust-policy.json"]);
  put("trust-policy.pretty.json", pretty(plan.trustPolicy.doc), ARTIFACT_NOTES["trust-policy.pretty.json"]);
  for (const p of plan.permissionPolicies) {
    const base = plan.permissionPolicies.length === 1 ? "permission-policy" : `permission-policy.${p.name}`;
    put(`${base}.json`, p.json, `${ARTIFACT_NOTES["permission-policy.json"]} (inline policy ${p.name})`);
    put(`${base}.pretty.json`, pretty(p.doc), ARTIFACT_NOTES["permission-policy.pretty.json"]);
  }
  if (plan.bucketPolicy)
    put("bucket-policy.json", plan.bucketPolicy.json, ARTIFACT_NOTES["bucket-policy.json"]);
  if (plan.sourceRole) {
    put(
      "source-trust-policy.json",
      plan.sourceRole.trustPolicy.json,
      ARTIFACT_NOTES["source-trust-policy.json"],
    );
    for (const p of plan.sourceRole.permissionPolicies) {
      put(
        "source-permission-policy.json",
        p.json,
        `${ARTIFACT_NOTES["source-permission-policy.json"]} (${p.name})`,
      );
    }
  }
  putManifests(put, plan.manifests);
  notes["summary.json"] = ARTIFACT_NOTES["summary.json"];
  const summary = {
    generator: PLAN_GENERATOR,
    ok: plan.ok,
    organization: plan.organization,
    project: PROJECT,
    configs: { "account-a": sources.configA, "account-b": sources.configB },
    runs: summaryRuns(plan.passes),
    policies: {
      mechanism: plan.configs.b.mechanism,
      trust: {
        file: "trust-policy.json",
        size: plan.trustPolicy.size,
        limit: plan.configs.b.maxTrustPolicySize,
      },
      permissions: plan.permissionPolicies.map((p) => ({ name: p.name, size: p.size })),
    },
    manifests: plan.manifests.map(summaryManifest),
    accessMatrix: plan.matrix,
    // Each result's mechanism is the plan's (policies.mechanism): the documented fields only.
    links: plan.links.map(summaryLink),
    problems: plan.problems,
    artifacts: Object.fromEntries(Object.entries(notes).sort(([x], [y]) => (x < y ? -1 : 1))),
  };
  files.set("summary.json", `${JSON.stringify(summary, null, 2)}\n`);
  return files;
}

/** Writes each planned manifest (`put(file, content, note)`), its note naming what was validated. */
export function putManifests(
  put: (file: string, content: string, note: string) => void,
  manifests: readonly PlannedManifest[],
): void {
  for (const m of manifests) {
    put(
      m.file,
      manifestYaml(m),
      `${m.kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name}, validated against the Kubernetes API schema`,
    );
  }
}

/** The runs as the summary shows them: resources and outputs, secrets masked. */
export function summaryRuns(passes: readonly StackPass[]) {
  return passes.map((p) => ({
    step: p.step,
    stack: p.stack,
    title: p.title,
    stackReferences: p.stackReferences,
    messages: p.messages,
    resources: p.resources.map(summaryResource),
    outputs: maskedOutputs(p.outputs),
  }));
}

/** The summary's entry of a manifest. */
export function summaryManifest(m: PlannedManifest) {
  return {
    file: m.file,
    kind: m.kind,
    name: m.name,
    ...(m.namespace ? { namespace: m.namespace } : {}),
    valid: m.validation.valid,
    ...(m.validation.valid ? {} : { errors: m.validation.errors }),
  };
}

/** The summary's entry of a link check: the documented fields only. */
export function summaryLink(l: ChainCheckResult) {
  return {
    link: l.link,
    check: l.check,
    status: l.status,
    detail: l.detail,
    ...(l.fix !== undefined ? { fix: l.fix } : {}),
  };
}

/** A document indented for reading, as its `.pretty.json` file holds it. */
export function pretty(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Writing (atomic)

/** True when the directory can be replaced: missing, empty, or an earlier plan's output. */
export function isReplaceableOutDir(dir: string): boolean {
  if (!fs.existsSync(dir)) return true;
  if (!fs.statSync(dir).isDirectory()) return false;
  const entries = fs.readdirSync(dir);
  if (entries.length === 0) return true;
  try {
    const summary = JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8")) as {
      generator?: unknown;
    };
    return summary.generator === PLAN_GENERATOR;
  } catch {
    return false;
  }
}

/**
 * Writes the files into a fresh sibling directory, then swaps it in for `dir` with renames, so
 * `dir` holds either the previous plan or the complete new one, never a mix. Refuses to replace a
 * directory that is not an earlier plan's output.
 */
export function writePlanAtomically(dir: string, files: Map<string, string>): void {
  const target = path.resolve(dir);
  if (!isReplaceableOutDir(target)) {
    throw new Error(
      `${dir} exists and is not an earlier plan's output (no ${PLAN_GENERATOR} summary.json): refusing to replace it`,
    );
  }
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.new-`));
  try {
    for (const [file, content] of files) {
      const full = path.join(staging, file);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, content);
    }
    if (fs.existsSync(target)) {
      const old = `${staging.replace(/\.new-([^/]*)$/, ".old-$1")}`;
      fs.renameSync(target, old);
      fs.renameSync(staging, target);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(staging, target);
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}
