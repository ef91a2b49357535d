/**
 * Reading the recorded passes: resources by type, names out of URNs, and the IAM documents exactly as
 * the programs sent them.
 */
import { isRecord } from "../components/values";
import { describeValue } from "../components/errors";
import { policySize, type PolicyDocument } from "../components/policyDocument";
import { type RecordedResource } from "../engine/mockEngine";
import { type StackName } from "./planInput";
import { type StackPass } from "./passes";

/** A policy document exactly as the program sends it, parsed. */
export interface PlannedDocument {
  /** The compact JSON, byte for byte what IAM (or S3) would receive. */
  json: string;
  doc: PolicyDocument;
  /** Characters as IAM counts them against its quotas. */
  size: number;
}

/** The recorded resources of a type. */
export function resourcesOfType(pass: StackPass, type: string): RecordedResource[] {
  return pass.resources.filter((r) => r.type === type);
}

/**
 * The children of type `type` of the components of class `component` (`cross-account-irsa:index:<component>`),
 * in registration order: a mechanism's own resources where a pass may hold others of the type.
 */
export function childrenOf(pass: StackPass, component: string, type: string): RecordedResource[] {
  const parents = new Set(resourcesOfType(pass, `cross-account-irsa:index:${component}`).map((c) => c.urn));
  return resourcesOfType(pass, type).filter((r) => r.parent !== undefined && parents.has(r.parent));
}

/**
 * The inline policies (RolePolicy) a pass puts on one role: those whose `role` is that role's name,
 * never another role's (a policy on another role grants this one nothing).
 */
export function policiesOfRole(pass: StackPass, role: RecordedResource | undefined): RecordedResource[] {
  const name = str(role?.state.name);
  if (name === undefined) return [];
  return resourcesOfType(pass, "aws:iam/rolePolicy:RolePolicy").filter((p) => str(p.inputs.role) === name);
}

/** The last segment of a URN (the resource name). */
export function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The name of the provider in a `<provider urn>::<id>` reference. */
export function providerName(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  return urnName(ref.slice(0, ref.lastIndexOf("::")));
}

export { isRecord };

/** The value when it is a string. */
export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The value when it is a plain object, else `{}`. */
export function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** The string-valued entries of an object. */
export function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record(value)).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}

/** The last run of a stack. */
export function finalPass(passes: StackPass[], stack: StackName): StackPass | undefined {
  return [...passes].reverse().find((p) => p.stack === stack);
}

/** A policy document the program sent, parsed; throws naming `what` when it is not one. */
export function parseDocument(what: string, json: unknown): PlannedDocument {
  if (typeof json !== "string")
    throw new Error(`${what}: the program sent no policy JSON (got ${describeValue(json)})`);
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new Error(`${what}: not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!isRecord(doc) || !Array.isArray(doc.Statement)) throw new Error(`${what}: not a policy document`);
  const document = doc as unknown as PolicyDocument;
  return { json, doc: document, size: policySize(document) };
}

/** The pod spec of a Deployment's template or a Job's template. */
export function podSpecOf(inputs: Record<string, unknown>): Record<string, unknown> {
  return record(record(record(inputs.spec).template).spec);
}
