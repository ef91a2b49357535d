/**
 * The Kubernetes objects of the final account-a run as manifests: built from the recorded inputs,
 * validated against the Kubernetes API schema (kubernetes-models), written as YAML.
 */
import { createHash } from "node:crypto";
import * as yaml from "js-yaml";
import {
  NO_VALIDATION_CACHE,
  validateManifest,
  type ManifestValidation,
  type ValidationCache,
} from "./manifestValidation";
import { type StackPass } from "./passes";
import { record, str } from "./records";

/** One Kubernetes object the final account-a run would apply. */
export interface PlannedManifest {
  /** The URN of the resource it is built from. */
  urn: string;
  kind: string;
  name: string;
  namespace?: string;
  /** Path of the YAML file, relative to the output directory. */
  file: string;
  /** The object: apiVersion, kind, metadata, then the rest of the recorded inputs. */
  object: Record<string, unknown>;
  /** True when the name is the engine's placeholder for an auto-generated name. */
  autoNamed: boolean;
  /** `valid`, or the schema errors (kubernetes-models). */
  validation: ManifestValidation;
}

/**
 * The longest file name stem of a manifest: well under the 255 bytes file systems allow.
 *
 * @internal exported for the tests only
 */
export const MAX_MANIFEST_STEM = 120;

/**
 * A manifest's file name stem, `<kind>-<namespace>-<name>`. A valid namespace and name can make it
 * longer than a file name may be: then it is cut and the SHA-256 of the whole stem appended, so it
 * stays unique and the same for the same object.
 */
export function manifestFileStem(kind: string, namespace: string | undefined, name: string): string {
  const stem = `${kind.toLowerCase()}-${namespace ? `${namespace}-` : ""}${name}`;
  if (stem.length <= MAX_MANIFEST_STEM) return stem;
  const hash = createHash("sha256").update(stem).digest("hex").slice(0, 12);
  return `${stem.slice(0, MAX_MANIFEST_STEM - 13)}-${hash}`;
}

/**
 * The Kubernetes objects of a run, as manifests built from the recorded inputs, each validated
 * (objects the cache knows valid are not validated again).
 */
export function buildManifests(
  pass: StackPass,
  cache: ValidationCache = NO_VALIDATION_CACHE,
): PlannedManifest[] {
  const manifests: PlannedManifest[] = [];
  const files = new Set<string>();
  for (const r of pass.resources) {
    if (!r.custom || r.read || !r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:providers:"))
      continue;
    const { apiVersion, kind, metadata, ...rest } = r.inputs;
    const meta = { ...record(metadata) };
    const autoNamed = meta.name === undefined;
    if (autoNamed) meta.name = record(r.state.metadata).name ?? r.name;
    const object: Record<string, unknown> = { apiVersion, kind, metadata: sortObject(meta), ...rest };
    const name = String(meta.name);
    const namespace = str(meta.namespace);
    let file = `manifests/${manifestFileStem(String(kind), namespace, name)}.yaml`;
    for (let i = 2; files.has(file); i++) file = file.replace(/(-\d+)?\.yaml$/, `-${i}.yaml`);
    files.add(file);
    manifests.push({
      urn: r.urn,
      kind: String(kind),
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      file,
      object,
      autoNamed,
      validation: validateManifest(object, cache),
    });
  }
  return manifests;
}

function sortObject(o: Record<string, unknown>): Record<string, unknown> {
  const order = ["name", "namespace", "labels", "annotations"];
  return Object.fromEntries(
    Object.entries(o).sort(([x], [y]) => {
      const i = order.indexOf(x) === -1 ? order.length : order.indexOf(x);
      const j = order.indexOf(y) === -1 ? order.length : order.indexOf(y);
      return i - j || (x < y ? -1 : x > y ? 1 : 0);
    }),
  );
}

/** A manifest as YAML, with a header saying where it comes from. */
export function manifestYaml(m: PlannedManifest): string {
  const header = [
    `# ${m.kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name}: planned by \`npm run plan\` (account-a, final update).`,
    "# Built from the inputs the program sends; ARNs, bucket and cluster names are the plan's deterministic",
    "# placeholders where AWS would choose them.",
    ...(m.autoNamed
      ? ["# metadata.name: Pulumi auto-names this object at deploy time; the name here is a placeholder."]
      : []),
  ];
  return `${header.join("\n")}\n${yaml.dump(m.object, { noRefs: true, lineWidth: -1 })}`;
}
