/**
 * One grant's view of the recorded passes of a grants-mode stack pair (`cross-account-irsa:grants`):
 * what each mechanism's planned collector (`mechanisms/<name>/plan.ts`) reads when it judges that
 * grant, so the collectors, matrices and checks of single-grant mode judge every grant unchanged.
 *
 * A scoped pass keeps, in registration order:
 * - every resource under the grant's own component: account-b's `BucketAccessGrant` named by the
 *   key, account-a's `BucketAccessBinding` of that key; never one under another grant's component;
 * - the stack-level resources the grants share: the providers, the stack references, the cluster
 *   (`WorkloadCluster`), the stack's `cluster-oidc` provider and `pod-identity-agent`;
 * - of the stack-level Kubernetes objects (the Namespaces the stack registers once for every grant),
 *   only those of a namespace the grant's own objects are in.
 * Its outputs are the stack's outputs with `grants` replaced by the grant's entry, under the names the
 * collectors read in single-grant mode ({@link scopedOutputs}).
 *
 * Pure: tests scope recorded passes and tamper with them.
 */
import { type RecordedResource } from "../engine/mockEngine";
import { type ResolvedOutput } from "../engine/offline";
import { GRANT_CLUSTER_KEY } from "../stacks/grantsMode";
import { parseAccountAGrants, parseAccountBGrants, type AccountBGrant } from "../stacks/grantsOutputs";
import { type StackPass } from "./passes";
import { type StackName } from "./planInput";
import { record, str } from "./records";

/** The component that holds one grant's resources in each stack. */
export const GRANT_COMPONENTS: Readonly<Record<StackName, string>> = {
  "account-b": "cross-account-irsa:index:BucketAccessGrant",
  "account-a": "cross-account-irsa:index:BucketAccessBinding",
};

/** The grant's key of each resource (its grant component's name), or null for stack-level resources. */
function grantKeys(pass: StackPass): Map<string, string | null> {
  const byUrn = new Map(pass.resources.map((r) => [r.urn, r]));
  const keys = new Map<string, string | null>();
  const component = GRANT_COMPONENTS[pass.stack];
  const keyOf = (r: RecordedResource): string | null => {
    const known = keys.get(r.urn);
    if (known !== undefined) return known;
    const parent = r.parent !== undefined ? byUrn.get(r.parent) : undefined;
    const key = r.type === component ? r.name : parent ? keyOf(parent) : null;
    keys.set(r.urn, key);
    return key;
  };
  for (const r of pass.resources) keyOf(r);
  return keys;
}

/** A Kubernetes object's namespace (a Namespace's own name), or undefined for anything else. */
function kubernetesNamespace(r: RecordedResource): string | undefined {
  if (!r.custom || !r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:providers:"))
    return undefined;
  const metadata = record(r.inputs.metadata);
  return r.type === "kubernetes:core/v1:Namespace"
    ? str(metadata.name)
    : (str(metadata.namespace) ?? "default");
}

/**
 * A pass indexed once for every grant's scope: each grant's own resources, the stack-level Kubernetes
 * objects by namespace, the other stack-level resources; each with its registration position. Scoping
 * every grant of a pass costs the size of the pass once, not once per grant.
 */
export class PassIndex {
  private readonly own = new Map<string, Array<[number, RecordedResource]>>();
  private readonly byNamespace = new Map<string, Array<[number, RecordedResource]>>();
  private readonly shared: Array<[number, RecordedResource]> = [];

  constructor(readonly pass: StackPass) {
    const keys = grantKeys(pass);
    pass.resources.forEach((r, i) => {
      const key = keys.get(r.urn) ?? null;
      const namespace = key === null ? kubernetesNamespace(r) : undefined;
      const list =
        key !== null
          ? (this.own.get(key) ?? this.own.set(key, []).get(key)!)
          : namespace !== undefined
            ? (this.byNamespace.get(namespace) ?? this.byNamespace.set(namespace, []).get(namespace)!)
            : this.shared;
      list.push([i, r]);
    });
  }

  /** The resources one grant's checks read (see the file's comment), in registration order. */
  resources(key: string): RecordedResource[] {
    const own = this.own.get(key) ?? [];
    const namespaces = new Set(own.map(([, r]) => kubernetesNamespace(r)).filter((n) => n !== undefined));
    const picked = [...this.shared, ...own];
    for (const n of namespaces) picked.push(...(this.byNamespace.get(n) ?? []));
    return picked.sort(([x], [y]) => x - y).map(([, r]) => r);
  }

  /** The pass as one grant's checks read it: its scoped resources and outputs. */
  scope(key: string): StackPass {
    return { ...this.pass, resources: this.resources(key), outputs: scopedOutputs(this.pass, key) };
  }
}

/** The resources of a pass that one grant's checks read (see the file's comment), in registration order. */
export function scopeResources(pass: StackPass, key: string): RecordedResource[] {
  return new PassIndex(pass).resources(key);
}

/**
 * The grant's entry of a stack's `grants` output, read strictly by the stacks' own parser
 * (stacks/grantsOutputs.ts: an entry this version does not fully understand is an `InputError` naming
 * `<stack> output grants.<key>.<field>`), as the outputs the collectors read; undefined when the stack
 * exports none for it. Only the grant's own entry is read: another grant's never fails this one.
 */
function grantOutput(pass: StackPass, key: string): Record<string, unknown> | undefined {
  const entry = record(pass.outputs.grants?.value)[key];
  if (entry === undefined) return undefined;
  if (pass.stack === "account-a") {
    const [{ key: _key, ...grant }] = parseAccountAGrants(pass.stack, { [key]: entry });
    return { ...grant };
  }
  return accountBGrantOutputs(parseAccountBGrants(pass.stack, { [key]: entry })[0]);
}

/**
 * A pass's outputs as one grant's collectors read them: the stack's own (the cluster's, the region)
 * without `grants`, and the grant's entry under single-grant mode's names.
 * - account-b: from `grants.<key>.handoff`, `roleArn`, `serviceAccounts`, `oidcProviderArn` (of the
 *   handoff's cluster keyed `cluster`, account-a's) and the probe's `bucketName` and `objectKey` (without a
 *   probe: the grant's first bucket, and no object);
 * - account-a: the entry's fields (`mechanisms`, `roleArn`, `serviceAccount`, `podCredentialPath`,
 *   `accessCheck`).
 * A mapped output is secret when `grants` is.
 */
export function scopedOutputs(pass: StackPass, key: string): Record<string, ResolvedOutput> {
  const { grants, ...stack } = pass.outputs;
  const entry = grantOutput(pass, key);
  if (!grants || !entry) return stack;
  const secret = grants.secret;
  const outputs: Record<string, ResolvedOutput> = { ...stack };
  for (const [name, value] of Object.entries(entry)) {
    if (value !== undefined) outputs[name] = { value, secret };
  }
  return outputs;
}

/** account-b's grant entry under the names of single-grant mode's outputs (see {@link scopedOutputs}). */
function accountBGrantOutputs(grant: AccountBGrant): Record<string, unknown> {
  const { handoff, probe } = grant;
  const cluster = handoff.clusters.find((c) => c.key === GRANT_CLUSTER_KEY);
  return {
    roleArn: handoff.roleArn,
    serviceAccounts: handoff.serviceAccounts,
    mechanism: handoff.mechanisms,
    oidcProviderArn: cluster?.oidcProviderArn,
    bucketName: probe ? probe.bucketName : handoff.buckets[0]?.name,
    objectKey: probe?.objectKey,
  };
}

/** The passes indexed once, each grant's view of them on demand (see {@link PassIndex}). */
export function indexPasses(passes: readonly StackPass[]): (key: string) => StackPass[] {
  const indexes = passes.map((p) => new PassIndex(p));
  return (key) => indexes.map((index) => index.scope(key));
}

/** The passes as one grant's checks read them. */
export function scopePasses(passes: readonly StackPass[], key: string): StackPass[] {
  return indexPasses(passes)(key);
}
