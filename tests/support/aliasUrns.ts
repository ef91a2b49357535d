/**
 * The URNs a resource registered under the mock engine answers to: its own and those of its aliases,
 * computed as Pulumi does. An alias spec's URN takes the resource's current name, type and parent
 * for what it does not give (`noParent`: the stack) —
 * https://www.pulumi.com/docs/iac/concepts/options/aliases/ — and a child inherits every alias of its
 * parent, with its name's parent-name prefix renamed to the alias's name (the SDK's
 * `inheritedChildAlias` and `allAliases` in @pulumi/pulumi/resource.js; the engine does the same
 * when the SDK sends alias specs).
 */
import { type MockEngine, type RecordedResource } from "../../engine/mockEngine";
import { type RecordedAlias } from "../../engine/registrations";

/** `urn:pulumi:<stack>::<project>::<parent type chain $ type>::<name>`; a parent of type Stack adds nothing. */
export function makeUrn(
  stack: string,
  project: string,
  type: string,
  name: string,
  parentUrn?: string,
): string {
  if (parentUrn === undefined) return `urn:pulumi:${stack}::${project}::${type}::${name}`;
  const prefix = `${parentUrn.slice(0, parentUrn.lastIndexOf("::"))}$`;
  if (prefix.endsWith("::pulumi:pulumi:Stack$")) return `urn:pulumi:${stack}::${project}::${type}::${name}`;
  return `${prefix}${type}::${name}`;
}

/** The name part of a URN. */
function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The type part of a URN (the last of its type chain). */
export function urnType(urn: string): string {
  const chain = urn.split("::")[2];
  return chain.slice(chain.lastIndexOf("$") + 1);
}

function specUrn(engine: MockEngine, r: RecordedResource, alias: RecordedAlias): string {
  if (alias.urn !== undefined) return alias.urn;
  const parent = alias.noParent ? undefined : (alias.parentUrn ?? r.parent);
  return makeUrn(
    alias.stack ?? engine.stack,
    alias.project ?? engine.project,
    alias.type ?? r.type,
    alias.name ?? r.name,
    parent,
  );
}

/** Every URN `r` answers to besides its own: its aliases, and those it inherits from its parents. */
export function aliasUrns(engine: MockEngine, r: RecordedResource): string[] {
  const own = r.aliases.map((a) => specUrn(engine, r, a));
  const parent = r.parent === undefined ? undefined : engine.byUrn(r.parent);
  if (parent === undefined) return own;
  const inherited = (childName: string, childType: string, parentAlias: string) =>
    makeUrn(
      engine.stack,
      engine.project,
      childType,
      childName.startsWith(parent.name)
        ? urnName(parentAlias) + childName.slice(parent.name.length)
        : childName,
      parentAlias,
    );
  return [
    ...own,
    ...aliasUrns(engine, parent).flatMap((pa) => [
      inherited(r.name, r.type, pa),
      ...own.map((o) => inherited(urnName(o), urnType(o), pa)),
    ]),
  ];
}
