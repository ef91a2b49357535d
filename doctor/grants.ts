/**
 * The chains two stacks in grants mode describe: for each grant account-a binds (its `grants` output),
 * one chain per mechanism its binding set up, named from account-b's handoff (the role, the source
 * roles the grant trusts, the object the access check reads) and account-a's outputs (the cluster,
 * the ServiceAccount). Pure: the outputs are read strictly by stacks/grantsOutputs.ts, and what the
 * two stacks say of one grant must agree, else an `InputError` names the output.
 */
import { type ChainCheckResult, type ChainSnapshot } from "../chain";
import { InputError } from "../components/errors";
import { Mechanism, assertNever } from "../components/mechanism";
import { isRecord } from "../components/values";
import { type StackPair } from "../cli/shared/stacks";
import { outputValues, type StackOutputs, type StackWorkspace } from "../cli/shared/workspace";
import { GRANT_CLUSTER_KEY, pairMode } from "../stacks/grantsMode";
import {
  parseAccountAGrants,
  parseAccountBGrants,
  type AccountAGrant,
  type AccountBGrant,
} from "../stacks/grantsOutputs";
import { type DanglingTrust, danglingTrusts } from "../stacks/danglingTrusts";
import { type ChainInputs } from "./args";
import { StackInputError, chainFromStacks, readStackOutputs } from "./inputs";

/** One chain of a grant: a mechanism its binding set up, and the chain's names. */
export interface GrantChain {
  mechanism: Mechanism;
  chain: ChainInputs;
}

/** A grant to judge: its key, what account-a's binding set up, and one chain per mechanism. */
export interface GrantToJudge {
  key: string;
  /** The mechanisms account-a's binding set up, in its output's order. */
  mechanisms: Mechanism[];
  /** The path the pods' SDK takes with them (account-a's `podCredentialPath`). */
  podCredentialPath: Mechanism;
  chains: GrantChain[];
}

/** The grants of a stack pair, as the doctor judges them. */
export interface StackGrants {
  /** The grants account-a binds (or the one `--grant` selects), in account-a's output order. */
  grants: GrantToJudge[];
  /** account-b's grants account-a does not bind (not judged: no ServiceAccount in A uses them). */
  unbound: string[];
  /** Grants account-a binds for which account-b exports no probe object (judged, the object read skipped). */
  noProbe: string[];
  /**
   * What account-b's grants trust by source-role name that no binding of account-a creates, and
   * account-b's grants account-a does not bind (stacks/danglingTrusts.ts): each a failing check.
   */
  dangling: DanglingTrust[];
  /** account-a's kubeconfig output, as a string. */
  kubeconfig?: string;
}

const HINT = "deploy the stacks (npm run deploy)";

function requiredString(outputs: StackOutputs, stack: string, key: string): string {
  const v = outputs[key]?.value;
  if (v === undefined) throw new StackInputError(`stack ${stack} has no ${key} output: ${HINT}`);
  if (typeof v !== "string" || v === "") {
    throw new InputError(`${stack} output ${key}`, v, "must be a non-empty string");
  }
  return v;
}

function kubeconfigOf(outputs: StackOutputs): string | undefined {
  const v = outputs.kubeconfig?.value;
  if (typeof v === "string" && v !== "") return v;
  return isRecord(v) ? JSON.stringify(v) : undefined;
}

/** The source role the chain of `mechanism` names (from the handoff's cluster), if it names one. */
function sourceRoleOf(
  mechanism: Mechanism,
  cluster: AccountBGrant["handoff"]["clusters"][number],
): string | undefined {
  switch (mechanism) {
    case Mechanism.Irsa:
      return undefined;
    case Mechanism.PodIdentity:
      return cluster.sourceRoleArn;
    case Mechanism.IrsaChained:
      return cluster.chainedSourceRoleArn;
    default:
      return assertNever(mechanism, "mechanism");
  }
}

/** The chains of one grant, once what both stacks say of it agrees (without a probe object: `noObject`). */
function judged(
  stacks: StackPair,
  bound: AccountAGrant,
  granted: AccountBGrant,
  common: Pick<ChainInputs, "clusterName" | "clusterRegion" | "bucketRegion" | "kubeconfig">,
): GrantToJudge {
  const { key, handoff } = granted;
  const aField = `${stacks.a} output grants.${key}`;
  const bField = `${stacks.b} output grants.${key}`;
  if (bound.roleArn !== handoff.roleArn) {
    throw new InputError(
      `${aField}.roleArn`,
      bound.roleArn,
      `must be the grant's role ${handoff.roleArn} (${bField}.handoff.roleArn): ${stacks.a} was updated before ` +
        `${stacks.b}'s last update; ${HINT}`,
    );
  }
  for (const m of bound.mechanisms) {
    if (!handoff.mechanisms.includes(m)) {
      throw new InputError(
        `${aField}.mechanisms`,
        bound.mechanisms,
        `must list only mechanisms the grant trusts (${bField}.handoff.mechanisms: ${handoff.mechanisms.join(", ")}); ${HINT}`,
      );
    }
  }
  const sa = bound.serviceAccount;
  if (!handoff.serviceAccounts.some((t) => t.namespace === sa.namespace && t.name === sa.name)) {
    throw new InputError(
      `${aField}.serviceAccount`,
      sa,
      `must be a ServiceAccount the grant trusts (${bField}.handoff.serviceAccounts: ` +
        `${handoff.serviceAccounts.map((t) => `${t.namespace}/${t.name}`).join(", ")}); ${HINT}`,
    );
  }
  const cluster = handoff.clusters.find((c) => c.key === GRANT_CLUSTER_KEY);
  if (cluster === undefined) {
    throw new InputError(
      `${bField}.handoff.clusters`,
      handoff.clusters.map((c) => c.key),
      `must have a cluster keyed "${GRANT_CLUSTER_KEY}" (account-a's cluster, as the stacks register it)`,
    );
  }
  // No probe object: judged on every link but the object read, which is skipped naming why (the
  // trust and policy links need no object); the bucket is the grant's first, named in the title only.
  const noObject =
    granted.probe === undefined
      ? `account-b exports no probe object for grant ${key} (${bField}.probe), so the object read is not judged: ` +
        `set objectKey on one of the grant's buckets in ${stacks.b}'s cross-account-irsa:grants and deploy`
      : undefined;
  const probe = granted.probe ?? { bucketName: handoff.buckets[0]?.name ?? "?", objectKey: "" };
  return {
    key,
    mechanisms: bound.mechanisms,
    podCredentialPath: bound.podCredentialPath,
    chains: bound.mechanisms.map((mechanism) => {
      const sourceRoleArn = sourceRoleOf(mechanism, cluster);
      return {
        mechanism,
        chain: {
          roleArn: handoff.roleArn,
          ...(sourceRoleArn !== undefined ? { sourceRoleArn } : {}),
          mechanism,
          ...common,
          namespace: sa.namespace,
          serviceAccount: sa.name,
          bucket: probe.bucketName,
          key: probe.objectKey,
          ...(noObject !== undefined ? { noObject } : {}),
        },
      };
    }),
  };
}

/**
 * The grants two stacks in grants mode describe (`selected`: only that grant, `--grant`). Throws a
 * {@link StackInputError} for an output that is missing (a stack not deployed far enough), an
 * `InputError` naming the output for one it does not understand or that contradicts the other
 * stack's, and an `InputError` naming `--grant` for a key account-a does not bind.
 */
export function grantsFromStacks(
  stacks: StackPair,
  a: StackOutputs,
  b: StackOutputs,
  clusterRegion: string | undefined,
  selected?: string,
): StackGrants {
  if (b.grants === undefined) throw new StackInputError(`stack ${stacks.b} has no grants output: ${HINT}`);
  const granted = parseAccountBGrants(stacks.b, b.grants.value);
  if (a.grants === undefined) {
    throw new StackInputError(
      `stack ${stacks.a} has no grants output (it binds its grants once ${stacks.b} has outputs): ${HINT}`,
    );
  }
  const bound = parseAccountAGrants(stacks.a, a.grants.value);
  if (bound.length === 0) {
    throw new StackInputError(
      `stack ${stacks.a} binds no grant yet (its grants output is empty: it was deployed before ${stacks.b} had ` +
        `outputs): ${HINT}`,
    );
  }
  const grantedKeys = granted.map((g) => g.key);
  for (const g of bound) {
    if (!grantedKeys.includes(g.key)) {
      throw new InputError(
        `${stacks.a} output grants.${g.key}`,
        g.key,
        `is not a grant of ${stacks.b} (its grants: ${grantedKeys.join(", ")}); ${HINT}`,
      );
    }
  }
  const boundKeys = bound.map((g) => g.key);
  if (selected !== undefined && !boundKeys.includes(selected)) {
    const unboundHere = grantedKeys.includes(selected)
      ? ` (${stacks.b} grants it, ${stacks.a} does not bind it)`
      : "";
    throw new InputError(
      "--grant",
      selected,
      `is not a grant the stacks bind${unboundHere}: one of ${boundKeys.join(", ")}`,
    );
  }
  const bucketRegion = b.region?.value;
  if (bucketRegion !== undefined && (typeof bucketRegion !== "string" || bucketRegion === "")) {
    throw new InputError(`${stacks.b} output region`, bucketRegion, "must be a non-empty string");
  }
  const kubeconfig = kubeconfigOf(a);
  const common = {
    clusterName: requiredString(a, stacks.a, "clusterName"),
    ...(clusterRegion !== undefined ? { clusterRegion } : {}),
    ...(bucketRegion !== undefined ? { bucketRegion } : {}),
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
  };
  const grants: GrantToJudge[] = [];
  const noProbe: string[] = [];
  for (const g of bound.filter((x) => selected === undefined || x.key === selected)) {
    const grant = judged(
      stacks,
      g,
      granted.find((x) => x.key === g.key)!,
      common,
    );
    grants.push(grant);
    if (grant.chains.some((c) => c.chain.noObject !== undefined)) noProbe.push(g.key);
  }
  // Dangling trusts of the grants judged (with --grant, that grant's only).
  const setUp = new Map(bound.map((g) => [g.key, g.mechanisms] as const));
  const dangling = danglingTrusts(granted, setUp, GRANT_CLUSTER_KEY).filter(
    (d) => selected === undefined || d.key === selected,
  );
  return {
    grants,
    unbound: grantedKeys.filter((k) => !boundKeys.includes(k)),
    noProbe,
    dangling,
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
  };
}

/** What the stacks name: one chain (single-grant stacks), or grants (grants mode). */
export type StackSource =
  { mode: "single-grant"; chain: ChainInputs } | { mode: "grants"; grants: StackGrants };

/**
 * Reads both stacks and what they name, by their mode (stacks/grantsMode.ts's `pairMode`):
 * single-grant stacks as `chainFromStacks` always has (`--grant` is then refused), grants as
 * {@link grantsFromStacks}.
 */
export async function readStackSource(
  workspace: StackWorkspace,
  stacks: StackPair,
  clusterRegion: string | undefined,
  selected: string | undefined,
): Promise<StackSource> {
  const { a, b, region } = await readStackOutputs(workspace, stacks, clusterRegion);
  if (pairMode(stacks, outputValues(a), outputValues(b)) === "single-grant") {
    if (selected !== undefined) {
      throw new InputError(
        "--grant",
        selected,
        `selects a grant of stacks in grants mode: ${stacks.a} and ${stacks.b} are single-grant stacks (no mode output); drop --grant`,
      );
    }
    return { mode: "single-grant", chain: chainFromStacks(stacks, a, b, region) };
  }
  return { mode: "grants", grants: grantsFromStacks(stacks, a, b, region, selected) };
}

/** What the collectors say of the Kubernetes side they did not read (doctor/readers.ts). */
const NO_CLUSTER = "--no-cluster";

/**
 * A grant's chain whose mechanism is not the pods' path (account-a's `podCredentialPath`, with two
 * mechanisms set up for one ServiceAccount, as in an IRSA -> Pod Identity migration): the pods take
 * the other path first by design, so this chain's Kubernetes side (the ServiceAccount's annotation,
 * the pods' environment) is judged by the path's chain, and here is a `skip` naming why. Its
 * collector runs without the cluster; this replaces the collectors' "--no-cluster" reason. Every
 * AWS-side link of the chain is judged as usual.
 */
export function standbySnapshot<S extends ChainSnapshot>(snapshot: S, path: Mechanism): S {
  const reason =
    `standby path: the pods take ${path} first (account-a's podCredentialPath), and the ${path} chain judges ` +
    "their ServiceAccount and pods";
  if (snapshot.unavailable === undefined) return snapshot;
  const unavailable = Object.fromEntries(
    Object.entries(snapshot.unavailable).map(([k, v]) => [k, v === NO_CLUSTER ? reason : v]),
  );
  return { ...snapshot, unavailable };
}

/**
 * A chain without an object to read (`noObject`: a grant without a probe object): its permission
 * link (the object read, the bucket policy, the object's key) is one `skip` naming why; every other
 * link stands as judged. Unchanged when there is an object.
 */
export function withoutObjectRead(
  results: ChainCheckResult[],
  noObject: string | undefined,
): ChainCheckResult[] {
  if (noObject === undefined) return results;
  const first = results.findIndex((r) => r.link === "permission");
  const rest = results.filter((r) => r.link !== "permission");
  if (first === -1) return results;
  const skipped: ChainCheckResult = {
    link: "permission",
    check: "the role may read the object the access check reads",
    status: "skip",
    detail: noObject,
    mechanism: results[first].mechanism,
  };
  return [...rest.slice(0, first), skipped, ...rest.slice(first)];
}
