/**
 * What the offline engine reads off the runtime's registration requests (the protobuf messages the
 * Pulumi SDK sends to its monitor): their providers and which inputs are secret. Only the accessors
 * used here are typed.
 */
import * as pulumi from "@pulumi/pulumi";

/** The `providers` map of a registration request (package to `<urn>::<id>`); empty when there is none. */
export function providersOf(req: unknown): Record<string, string> {
  const providers: Record<string, string> = {};
  (req as Partial<RegisterOptionsLike>).getProvidersMap?.()?.forEach((ref: string, pkg: string) => {
    providers[pkg] = ref;
  });
  return providers;
}

/** Top-level input names whose value the program wrapped as a secret. */
export function secretPaths(object: Record<string, unknown>): string[] {
  return Object.entries(object)
    .filter(([, v]) => containsSecret(v))
    .map(([k]) => k)
    .sort();
}

function containsSecret(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  const o = value as Record<string, unknown>;
  if (o[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return true;
  return Object.values(o).some(containsSecret);
}

export interface ResponseLike {
  getUrn(): string;
}
export interface RegisterOptionsLike {
  getDependenciesList(): string[];
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getDeletebeforereplace(): boolean;
  getProtect(): boolean;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getProvidersMap(): { forEach(callback: (value: string, key: string) => void): void } | undefined;
  getAliasesList(): AliasLike[];
}
/** An alias as the SDK sends it (`pulumirpc.Alias`): a whole URN, or a spec of the parts that changed. */
export interface AliasLike {
  getUrn(): string;
  getSpec():
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
 * An alias of a registered resource: a whole URN, or the parts of its old URN that differ from the
 * new one (absent: the same as now; `noParent`: it had no parent but the stack).
 */
export interface RecordedAlias {
  urn?: string;
  name?: string;
  type?: string;
  stack?: string;
  project?: string;
  parentUrn?: string;
  noParent?: boolean;
}

/** The aliases of a registration request, as {@link RecordedAlias}es. */
export function aliasesOf(req: Partial<RegisterOptionsLike>): RecordedAlias[] {
  return (req.getAliasesList?.() ?? []).map((alias) => {
    const spec = alias.getSpec();
    if (spec === undefined) return { urn: alias.getUrn() };
    const parts: RecordedAlias = {
      name: spec.getName(),
      type: spec.getType(),
      stack: spec.getStack(),
      project: spec.getProject(),
      parentUrn: spec.getParenturn(),
      noParent: spec.getNoparent() || undefined,
    };
    // Protobuf's empty strings mean "not given".
    return Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== "" && v !== undefined));
  });
}
export interface RegisterRequestLike {
  getType(): string;
  getName(): string;
  getParent(): string;
}
export type MonitorLike = Record<
  "registerResource" | "readResource",
  (req: RegisterRequestLike, callback: (err: unknown, resp: ResponseLike) => void) => void
>;
