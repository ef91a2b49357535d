/**
 * Dangling trusts: what account-b's grants trust by name in account A that account-a's bindings do
 * not set up. account-b trusts Pod Identity's and irsa-chained's source roles by ARN
 * (`arn:<partition>:iam::<account A>:role/<name>`: account A's root as principal with
 * `ArnEquals aws:PrincipalArn`), before the role exists (docs/migration.md, "Deploy order"). When no
 * binding creates that role, any principal of account A allowed to create a role of that name gets
 * the grant's access. It is inherent in trusting by name, so it is never silent: account-a warns, the
 * plan prints it, the doctor fails it. Pure: used by the account-a program, the plan and the doctor.
 */
import { type BucketAccessHandoff } from "../components/bucketAccessHandoff";
import { Mechanism } from "../components/mechanism";

/** The mechanisms whose trust names a source role of account A, and the handoff field that carries it. */
const SOURCE_ROLE_FIELDS = [
  [Mechanism.PodIdentity, "sourceRoleArn"],
  [Mechanism.IrsaChained, "chainedSourceRoleArn"],
] as const;

/** One dangling trust of a grant: a source role trusted by name that no binding creates, or an unbound grant. */
export interface DanglingTrust {
  /** The grant's key. */
  key: string;
  /** The mechanism whose trust names the role; absent for an unbound grant trusting no source role. */
  mechanism?: Mechanism;
  /** The role of account A the grant trusts but no binding creates (absent: the grant trusts none). */
  roleArn?: string;
  /** Whether account-a binds the grant at all. */
  bound: boolean;
  /** What is trusted and why it matters. */
  detail: string;
  /** What to change. */
  fix: string;
}

/**
 * account-b's grants (`grants`, each with its handoff) against what account-a's bindings set up
 * (`bindings`: key -> the mechanisms its binding sets up; a key absent: not bound). `clusterKey`:
 * account-a's cluster in each handoff's `clusters`. One entry per source role trusted and not
 * created, and one per unbound grant that trusts no source role (its role still trusts the
 * ServiceAccounts it names, which no binding sets up here).
 */
export function danglingTrusts(
  grants: ReadonlyArray<{ key: string; handoff: BucketAccessHandoff }>,
  bindings: ReadonlyMap<string, readonly Mechanism[]>,
  clusterKey: string,
): DanglingTrust[] {
  const found: DanglingTrust[] = [];
  for (const { key, handoff } of grants) {
    const setUp = bindings.get(key);
    const bound = setUp !== undefined;
    const cluster = handoff.clusters.find((c) => c.key === clusterKey);
    const before = found.length;
    for (const [mechanism, field] of SOURCE_ROLE_FIELDS) {
      const roleArn = cluster?.[field];
      if (!handoff.mechanisms.includes(mechanism) || roleArn === undefined) continue;
      if (setUp?.includes(mechanism)) continue;
      const risk =
        `account-b's grant "${key}" trusts ${roleArn} (${mechanism}) by name, which ` +
        (bound
          ? `account-a's binding does not create (it sets up ${setUp.join(", ")})`
          : "no binding of account-a creates (account-a does not bind the grant)") +
        `: any principal of account A allowed to create a role named ${roleArn.split("/").pop()} gets the grant's access`;
      found.push({
        key,
        mechanism,
        roleArn,
        bound,
        detail: risk,
        fix: bound
          ? `add "${mechanism}" to the mechanism of account-a's cross-account-irsa:grants entry "${key}" (its binding then ` +
            `creates the role), or remove "${mechanism}" from the grant's mechanism on account-b`
          : `bind the grant on account-a (cross-account-irsa:grants: { key: ${key}, mechanism: ${mechanism} }), or remove ` +
            `"${mechanism}" (or the grant) from account-b's cross-account-irsa:grants`,
      });
    }
    if (!bound && found.length === before) {
      const sas = handoff.serviceAccounts.map((s) => `${s.namespace}/${s.name}`).join(", ");
      found.push({
        key,
        bound,
        detail:
          `account-b's grant "${key}" is not bound by account-a: its role still trusts ${sas} ` +
          `(${handoff.mechanisms.join(", ")}), a ServiceAccount no binding sets up`,
        fix:
          `bind the grant on account-a (cross-account-irsa:grants: { key: ${key}, mechanism: ... }), or remove it from ` +
          "account-b's cross-account-irsa:grants",
      });
    }
  }
  return found;
}

/** One dangling trust as a line of a log or report: what is trusted, why it matters, and what to change. */
export const describeDanglingTrust = (d: DanglingTrust): string => `${d.detail}. Fix: ${d.fix}.`;
