/**
 * The alias URNs of a registration, computed the way the Pulumi engine does
 * (https://www.pulumi.com/docs/iac/concepts/options/aliases/): each of the resource's own aliases
 * (a URN, or a spec whose unset name, type, project, stack and parent are the resource's own;
 * `noParent` for the stack's top level), and for each alias of its parent, the resource under that
 * alias, its name's prefix replaced when the parent's name prefixes it (the SDK's
 * `inheritedChildAlias`, @pulumi/pulumi resource.js; with alias specs the engine computes them,
 * `generateAliases` in pulumi's pkg/resource/deploy/step_generator.go, inheriting only from the old URN
 * its parent matched: the upgrade tests therefore also check that no resource reaches two old URNs),
 * for its own name and each own alias.
 *
 * The offline engine records them, and gives an aliased resource the placeholder ids and names of
 * the resource it was before (its first alias), as a real upgrade keeps that resource's state.
 */

/** An alias as the registration request carries it. */
export interface AliasLike {
  getUrn?(): string;
  hasSpec?(): boolean;
  getSpec?():
    | {
        getName(): string;
        getType(): string;
        getStack(): string;
        getProject(): string;
        getParenturn(): string;
        getNoparent(): boolean;
      }
    | undefined;
}

/**
 * The URN of `type`/`name` under `parent` (undefined, or the stack itself: the stack's top level,
 * whose URNs carry no type chain: `urn:pulumi:<stack>::<project>::<type>::<name>`).
 */
export function urnOf(
  stack: string,
  project: string,
  parent: string | undefined,
  type: string,
  name: string,
): string {
  const parentChain = parent?.split("::")[2];
  const chain = parentChain && parentChain !== "pulumi:pulumi:Stack" ? `${parentChain}$` : "";
  return `urn:pulumi:${stack}::${project}::${chain}${type}::${name}`;
}

/** A URN's name (its last `::` part). */
export function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** A URN's own type (the last of its type chain). */
export function urnType(urn: string): string {
  const chain = urn.split("::")[2];
  return chain.slice(chain.lastIndexOf("$") + 1);
}

/** A resource registering, with what its aliases are computed from. */
export interface AliasedRegistration {
  stack: string;
  project: string;
  type: string;
  name: string;
  parent?: string;
  /** The request's aliases. */
  aliases: readonly AliasLike[];
  /** The parent's name and alias URNs, when it has a parent that was registered here. */
  parentName?: string;
  parentAliases?: readonly string[];
}

/** Every alias URN of a registration (own first, then inherited from its parent's). */
export function aliasUrns(r: AliasedRegistration): string[] {
  const own = r.aliases.map((a) => {
    const spec = a.hasSpec?.() ? a.getSpec?.() : undefined;
    if (!spec) return a.getUrn?.() ?? "";
    const parent = spec.getNoparent() ? undefined : spec.getParenturn() || r.parent;
    return urnOf(
      spec.getStack() || r.stack,
      spec.getProject() || r.project,
      parent,
      spec.getType() || r.type,
      spec.getName() || r.name,
    );
  });
  const all = own.filter((u) => u !== "");
  const inherited = (childName: string, childType: string, parentAlias: string): string =>
    urnOf(
      r.stack,
      r.project,
      parentAlias,
      childType,
      r.parentName !== undefined && childName.startsWith(r.parentName)
        ? urnName(parentAlias) + childName.slice(r.parentName.length)
        : childName,
    );
  for (const parentAlias of r.parentAliases ?? []) {
    all.push(inherited(r.name, r.type, parentAlias));
    for (const o of own.filter((u) => u !== "")) all.push(inherited(urnName(o), urnType(o), parentAlias));
  }
  return all;
}

/** A registration request's alias URNs, given its parent's record (name and alias URNs) when it has one. */
export function requestAliasUrns(
  req: { getType(): string; getName(): string; getParent(): string },
  stack: string,
  project: string,
  parent: { name: string; aliases: readonly string[] } | undefined,
): string[] {
  const list = (req as { getAliasesList?(): AliasLike[] }).getAliasesList?.() ?? [];
  if (list.length === 0 && (parent?.aliases.length ?? 0) === 0) return [];
  return aliasUrns({
    stack,
    project,
    type: req.getType(),
    name: req.getName(),
    ...(req.getParent() ? { parent: req.getParent() } : {}),
    aliases: list,
    ...(parent ? { parentName: parent.name, parentAliases: parent.aliases } : {}),
  });
}
