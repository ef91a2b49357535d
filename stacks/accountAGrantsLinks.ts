/**
 * The links between account-a's grants and account-b's, checked before account-a registers anything:
 * each entry's key among account-b's grants, its mechanisms among the grant's, its ServiceAccount
 * chosen and trusted, each ServiceAccount and source role bound once, no two bindings' resources of one
 * URN, the probe, the accounts, and which namespaces the stack creates. What only the cluster's own
 * facts decide (its issuer, its ARN) is checked once they are known, before the bindings register
 * anything ({@link checkClusterFacts}).
 * account-b's outputs are read by grantsOutputs.ts. Pure.
 */
import { type BucketAccessHandoff, type HandoffCluster } from "../components/bucketAccessHandoff";
import { InputError } from "../components/errors";
import { normalizeIssuer } from "../components/issuer";
import { Mechanism } from "../components/mechanism";
import { parseEksClusterArn } from "../components/podIdentityPolicies";
import { SYSTEM_NAMESPACES } from "../components/serviceAccountResources";
import { type ServiceAccountRef } from "../components/trustPolicy";
import { parseOidcProviderArn, parseRoleArn } from "../components/validation";
import { grantField, oneBindingPerServiceAccount, type AccountAGrantsConfig } from "./accountAGrantsConfig";
import { GRANT_CLUSTER_KEY } from "./grantsMode";
import { bindingResourceNames, refuseResourceNameClashes } from "./grantResourceNames";
import { type AccountBGrantsOutputs, type GrantProbe } from "./grantsOutputs";
import { key } from "./configSource";

/** One entry of account-a's grants, checked against account-b's grant: what its binding sets up. */
export interface PlannedBinding {
  /** The entry's index in `cross-account-irsa:grants`. */
  index: number;
  key: string;
  mechanisms: Mechanism[];
  serviceAccount: ServiceAccountRef;
  handoff: BucketAccessHandoff;
  /** The grant's probe, when the entry deploys it. */
  probe?: GrantProbe;
}

/** What account-a's grants set up, checked against account-b's outputs. */
export interface PlannedGrants {
  bindings: PlannedBinding[];
  /** The namespaces the stack creates, each once, in the order the entries name them. */
  namespaces: string[];
  /** account-b's grants no entry binds, in the order of {@link AccountBGrantsOutputs.grants}. */
  unbound: string[];
}

const pair = (sa: ServiceAccountRef) => `${sa.namespace}/${sa.name}`;

/** The handoff's entry for account-a's cluster (key {@link GRANT_CLUSTER_KEY}). */
export function grantCluster(bStack: string, grantKey: string, handoff: BucketAccessHandoff): HandoffCluster {
  const entry = handoff.clusters.find((c) => c.key === GRANT_CLUSTER_KEY);
  if (entry === undefined) {
    throw new InputError(
      `${bStack} output grants.${grantKey}.handoff.clusters`,
      handoff.clusters.map((c) => c.key),
      `must have the entry "${GRANT_CLUSTER_KEY}" (account-a's cluster, as account-b's grants mode keys it)`,
    );
  }
  return entry;
}

/**
 * Checks account-a's grants against account-b's, before anything is registered, and decides each
 * binding's ServiceAccount and the namespaces to create. `adoptedCluster`: the cluster is adopted
 * (its name then is `config.cluster.existingName`).
 */
export function planGrantBindings(
  config: AccountAGrantsConfig,
  bStack: string,
  b: AccountBGrantsOutputs,
): PlannedGrants {
  const bKeys = [...b.grants.keys()];
  const accountIds = config.aws.allowedAccountIds;
  const bindings = config.grants.map((g, i): PlannedBinding => {
    const grant = b.grants.get(g.key);
    if (grant === undefined) {
      throw new InputError(
        grantField(i, "key"),
        g.key,
        `is not a grant of account-b (${bStack} exports ${bKeys.length > 0 ? bKeys.map((k) => `"${k}"`).join(", ") : "none"}): ` +
          "add the grant to account-b's cross-account-irsa:grants and update account-b first, or fix the key",
      );
    }
    const { handoff } = grant;
    const out = `${bStack} output grants.${g.key}`;
    g.mechanisms.forEach((m) => {
      if (!handoff.mechanisms.includes(m)) {
        throw new InputError(
          grantField(i, "mechanism"),
          g.mechanisms.length === 1 ? m : g.mechanisms,
          `lists "${m}", which account-b's grant "${g.key}" does not trust (${out}.handoff.mechanisms: ` +
            `${JSON.stringify(handoff.mechanisms)}): add it to the grant's mechanism on account-b and update account-b first`,
        );
      }
    });
    let serviceAccount = g.serviceAccount;
    const trusted = handoff.serviceAccounts.map(pair).join(", ");
    if (serviceAccount === undefined) {
      if (handoff.serviceAccounts.length !== 1) {
        throw new InputError(
          grantField(i, "serviceAccount"),
          undefined,
          `must be set: account-b's grant "${g.key}" trusts ${handoff.serviceAccounts.length} service accounts (${trusted}); name the one this binding sets up`,
        );
      }
      serviceAccount = handoff.serviceAccounts[0];
    } else if (!handoff.serviceAccounts.some((t) => pair(t) === pair(serviceAccount!))) {
      throw new InputError(
        grantField(i, "serviceAccount"),
        serviceAccount,
        `is not among the service accounts account-b's grant "${g.key}" trusts (${trusted})`,
      );
    }
    const cluster = grantCluster(bStack, g.key, handoff);
    const where = `${out}.handoff.clusters "${GRANT_CLUSTER_KEY}"`;
    // The source roles the binding creates are account A's: this stack's account, when it pins one.
    const sources: Array<[string, string | undefined, Mechanism]> = [
      ["sourceRoleArn", cluster.sourceRoleArn, Mechanism.PodIdentity],
      ["chainedSourceRoleArn", cluster.chainedSourceRoleArn, Mechanism.IrsaChained],
    ];
    for (const [name, arn, m] of sources) {
      if (!g.mechanisms.includes(m) || arn === undefined) continue;
      const role = parseRoleArn(`${where}.${name}`, arn);
      if (accountIds !== undefined && !accountIds.includes(role.accountId)) {
        throw new InputError(
          `${where}.${name}`,
          arn,
          `must be a role of this stack's account (aws:allowedAccountIds ${accountIds.join(", ")}): the binding for ` +
            `grants[${i}] creates it here; set the grant's cluster on account-b from this stack's outputs`,
        );
      }
      if (m === Mechanism.IrsaChained && config.existingOidcProviderArn !== undefined) {
        const provider = parseOidcProviderArn(key("existingOidcProviderArn"), config.existingOidcProviderArn);
        if (provider.accountId !== role.accountId || provider.partition !== role.partition) {
          throw new InputError(
            key("existingOidcProviderArn"),
            config.existingOidcProviderArn,
            `must be in the account of the chained source role of grants[${i}] (${arn}): STS looks the provider up in the ` +
              "account of the role it assumes",
          );
        }
      }
    }
    if (g.mechanisms.includes(Mechanism.PodIdentity) && config.cluster.existingName !== undefined) {
      const trustedName = parseEksClusterArn(`${where}.clusterArn`, cluster.clusterArn).clusterName;
      if (trustedName !== config.cluster.existingName) {
        throw new InputError(
          `${where}.clusterArn`,
          cluster.clusterArn,
          `is not this stack's cluster (cross-account-irsa:cluster.existingName "${config.cluster.existingName}"): ` +
            "account-b's grant trusts another cluster for Pod Identity",
        );
      }
    }
    const planned: PlannedBinding = {
      index: i,
      key: g.key,
      mechanisms: g.mechanisms,
      serviceAccount,
      handoff,
    };
    if (g.deployProbe !== false) {
      if (grant.probe === undefined) {
        throw new InputError(
          grantField(i, "deployProbe"),
          true,
          `${g.deployProbe === undefined ? "(the default) " : ""}needs an object to read, and account-b's grant "${g.key}" ` +
            "exports no probe: give one of its buckets an objectKey on account-b, or set deployProbe: false",
        );
      }
      planned.probe = grant.probe;
    }
    return planned;
  });
  checkDistinctServiceAccounts(config, bindings);
  checkDistinctSourceRoles(bStack, bindings);
  // Two keys whose bindings' resources get one URN (key `a` with ServiceAccount `b-pod-identity-c/d` and
  // key `a-pod-identity-b` with `c/d`: one association name): refused naming both (grantResourceNames.ts).
  refuseResourceNameClashes(
    bindings.map((p) => ({
      index: p.index,
      key: p.key,
      names: bindingResourceNames({ ...p, probe: p.probe !== undefined }),
    })),
    (i) => grantField(i, "key"),
  );
  const bound = new Set(config.grants.map((g) => g.key));
  return {
    bindings,
    namespaces: namespacesToCreate(config, bindings),
    unbound: bKeys.filter((k) => !bound.has(k)),
  };
}

/**
 * Two entries binding one ServiceAccount (one of them by default): an error naming both, and why
 * ({@link oneBindingPerServiceAccount}: one annotation, one Pod Identity association per ServiceAccount).
 */
function checkDistinctServiceAccounts(
  config: AccountAGrantsConfig,
  bindings: readonly PlannedBinding[],
): void {
  bindings.forEach((p, i) => {
    const earlier = bindings.findIndex((o) => pair(o.serviceAccount) === pair(p.serviceAccount));
    if (earlier === i) return;
    const defaulted = config.grants[i].serviceAccount === undefined;
    throw new InputError(
      grantField(i, "serviceAccount"),
      p.serviceAccount,
      `${defaulted ? "(the default: the grant's only service account) " : ""}is the ServiceAccount of grants[${earlier}] ` +
        `("${bindings[earlier].key}") too: ` +
        oneBindingPerServiceAccount([...bindings[earlier].mechanisms, ...p.mechanisms]),
    );
  });
}

/**
 * Two bindings creating one source role (Pod Identity's or the chained one): an error naming both.
 * Each binding creates the source role its grant names, and IAM role names are unique in an account
 * whatever the path, compared case-insensitively (CreateRole, RoleName: "IAM user, group, role, and
 * policy names must be unique within the account. Names are not distinguished by case",
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html):
 * the second create would fail with EntityAlreadyExists, after the first binding's resources exist.
 */
function checkDistinctSourceRoles(bStack: string, bindings: readonly PlannedBinding[]): void {
  const seen = new Map<string, string>();
  for (const p of bindings) {
    const c = grantCluster(bStack, p.key, p.handoff);
    const roles: Array<[string, string | undefined]> = [
      ["sourceRoleArn", p.mechanisms.includes(Mechanism.PodIdentity) ? c.sourceRoleArn : undefined],
      [
        "chainedSourceRoleArn",
        p.mechanisms.includes(Mechanism.IrsaChained) ? c.chainedSourceRoleArn : undefined,
      ],
    ];
    for (const [name, arn] of roles) {
      if (arn === undefined) continue;
      const field = `${bStack} output grants.${p.key}.handoff.clusters "${GRANT_CLUSTER_KEY}".${name}`;
      const role = parseRoleArn(field, arn);
      const id = `${role.accountId}/${role.roleName.toLowerCase()}`;
      const other = seen.get(id);
      if (other !== undefined) {
        throw new InputError(
          field,
          arn,
          `names the role ${other} names too: each binding creates its source role, and IAM role names are unique ` +
            "in an account whatever the path and case; give each grant its own source role name on account-b",
        );
      }
      seen.set(id, field);
    }
  }
}

/**
 * The namespaces the stack creates, each once. A namespace's `createNamespace` is the namespace's,
 * not the grant's: the entries that set it must agree; unset, it is created only when this stack
 * creates the cluster too and it is not one every cluster has (as `decideCreateNamespace` in single-grant
 * mode). Creating one of those is an error.
 */
function namespacesToCreate(config: AccountAGrantsConfig, bindings: readonly PlannedBinding[]): string[] {
  const adopted = config.cluster.existingName !== undefined;
  const decided = new Map<string, { create: boolean; from?: number }>();
  for (const p of bindings) {
    const ns = p.serviceAccount.namespace;
    const set = config.grants[p.index].createNamespace;
    const system = SYSTEM_NAMESPACES.includes(ns);
    if (set === true && system) {
      throw new InputError(
        grantField(p.index, "createNamespace"),
        true,
        `cannot create namespace "${ns}": every cluster has ${SYSTEM_NAMESPACES.join(", ")} from the start, so creating ` +
          'it fails with "already exists"; leave createNamespace out or set it to false',
      );
    }
    const before = decided.get(ns);
    if (set !== undefined && before?.from !== undefined && before.create !== set) {
      throw new InputError(
        grantField(p.index, "createNamespace"),
        set,
        `contradicts grants[${before.from}].createNamespace (${before.create}) for namespace "${ns}": the namespace is ` +
          "created once, for every grant in it; set createNamespace the same on each, or on one only",
      );
    }
    if (set !== undefined && before?.from === undefined) decided.set(ns, { create: set, from: p.index });
    else if (before === undefined) decided.set(ns, { create: !system && !adopted });
  }
  return [...decided.entries()].filter(([, d]) => d.create).map(([ns]) => ns);
}

/**
 * What only the cluster decides, once it is known: account-b's grants trust this cluster for what
 * each binding sets up (IRSA: the cluster's issuer; Pod Identity: the cluster's ARN; both source
 * roles: the cluster's account and partition). Throws naming the output and both values.
 */
export function checkClusterFacts(
  bStack: string,
  bindings: readonly PlannedBinding[],
  facts: { issuerUrl: string; clusterArn: string },
): void {
  const issuer = normalizeIssuer(facts.issuerUrl, "oidcIssuerUrl");
  const clusterParts = parseEksClusterArn("clusterArn", facts.clusterArn);
  for (const p of bindings) {
    const c = grantCluster(bStack, p.key, p.handoff);
    const where = `${bStack} output grants.${p.key}.handoff.clusters "${GRANT_CLUSTER_KEY}"`;
    const fix = "set the grant's cluster on account-b from this stack's outputs and update account-b";
    if (
      p.mechanisms.includes(Mechanism.Irsa) &&
      normalizeIssuer(c.issuerUrl!, `${where}.issuerUrl`) !== issuer
    ) {
      throw new InputError(
        `${where}.issuerUrl`,
        c.issuerUrl,
        `is not this cluster's issuer ${facts.issuerUrl}: the grant trusts another cluster for IRSA; ${fix}`,
      );
    }
    if (p.mechanisms.includes(Mechanism.PodIdentity) && c.clusterArn !== facts.clusterArn) {
      throw new InputError(
        `${where}.clusterArn`,
        c.clusterArn,
        `is not this cluster ${facts.clusterArn}: the grant trusts another cluster for Pod Identity; ${fix}`,
      );
    }
    const sources: Array<[string, string | undefined, Mechanism]> = [
      ["sourceRoleArn", c.sourceRoleArn, Mechanism.PodIdentity],
      ["chainedSourceRoleArn", c.chainedSourceRoleArn, Mechanism.IrsaChained],
    ];
    for (const [name, arn, m] of sources) {
      if (!p.mechanisms.includes(m) || arn === undefined) continue;
      const role = parseRoleArn(`${where}.${name}`, arn);
      if (role.accountId !== clusterParts.accountId || role.partition !== clusterParts.partition) {
        throw new InputError(
          `${where}.${name}`,
          arn,
          `must be a role of the cluster's account ${clusterParts.accountId} (partition ${clusterParts.partition}): ` +
            `the binding creates it there; ${fix}`,
        );
      }
    }
  }
}
