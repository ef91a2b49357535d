/**
 * The switch of a deployed single-grant stack pair to grants mode (docs/migration.md, "Moving a
 * deployed single-grant stack pair to grants mode"): account-a, account-b, account-a, as at a first
 * deploy. account-a's first update runs in grants mode beside an account-b still deployed in
 * single-grant mode: it reads that account-b as one with no grants yet (the cluster and nothing
 * bound), which deletes account-a's single-grant resources, and says so in a warning; account-b's
 * update then switches its grants (account-a binds nothing, so nothing it binds stops being trusted);
 * account-a's second update binds them. Every other mix of modes stays refused by both programs
 * (stacks/grantsMode.ts `checkModesMatch`). Pure (no Pulumi import).
 */
import { Mechanism } from "../components/mechanism";
import { exportedMechanism } from "../mechanisms/compat";
import { exportedMode } from "./grantsMode";

/** What a deployed single-grant account-b exports that grants-mode account-a reads to name what it removes. */
export interface SingleGrantAccountB {
  /** account-b's `mechanism` output (`irsa` when it exports none: stacks from before Pod Identity). */
  mechanism: Mechanism;
  /** account-b's `roleArn` output, when a string. */
  roleArn?: string;
}

/**
 * account-b's outputs as grants-mode account-a reads them (`stack`: account-b's fully qualified name,
 * `raw`: its `mode`, `grants`, `roleArn`, `mechanism` outputs): what it exports when it is a deployed
 * single-grant stack (a `roleArn` or a `mechanism` output and no `mode`), else undefined (no outputs
 * yet, or grants mode). A `mode` other than "grants", or `grants` without `mode`, is refused
 * (`exportedMode`).
 */
export function singleGrantAccountB(
  stack: string,
  raw: Record<string, unknown>,
): SingleGrantAccountB | undefined {
  const deployed = raw.roleArn !== undefined || raw.mechanism !== undefined;
  if (exportedMode(stack, raw, deployed) !== "single-grant") return undefined;
  return {
    mechanism: exportedMechanism(`${stack} output mechanism`, raw.mechanism),
    ...(typeof raw.roleArn === "string" ? { roleArn: raw.roleArn } : {}),
  };
}

/** What account-a's single-grant program registers beside the cluster, by mechanism (its resource names). */
const SINGLE_GRANT_RESOURCES: Record<Mechanism, string> = {
  [Mechanism.Irsa]: "the binding (binding) with its annotated ServiceAccount",
  [Mechanism.PodIdentity]:
    "the Pod Identity source role (pod-identity-source), the binding (binding) with its associations and " +
    "ServiceAccount, and the agent add-on (pod-identity-agent) when this stack installed it",
  [Mechanism.IrsaChained]:
    "account A's OIDC provider (irsa-chained-oidc), the source role (irsa-chained-source), and the binding " +
    "(binding) with its ServiceAccount and profile ConfigMap",
};

/**
 * The warning of account-a's first update of the switch (`accountBStack`: account-b's name, `b`: what
 * it exports): what the update removes and what to run next.
 */
export function switchToGrantsWarning(accountBStack: string, b: SingleGrantAccountB): string {
  return (
    `account-b (${accountBStack}) is still deployed in single-grant mode (it exports ` +
    `${b.roleArn !== undefined ? `roleArn ${b.roleArn}` : "its mechanism"} and no mode "grants"): this update ` +
    "switches account-a to grants mode and binds no grant yet. It DELETES account-a's single-grant resources " +
    `for ${b.mechanism}: ${SINGLE_GRANT_RESOURCES[b.mechanism]}, the binding's access-check Job ` +
    "and reader Deployment (Kubernetes names access-check-<hash>, s3-reader) when deployed, and the ServiceAccount's namespace when the stack created it " +
    "(Kubernetes deletes everything in a namespace with it: take it out of the state first to keep it); the " +
    "preview lists each as a delete. From this update until " +
    "account-a's next one, pods have no credentials for account-b's buckets. Next: update account-b with its " +
    "grants-mode config, then account-a again, which binds the grants (npm run deploy runs all three: " +
    'docs/migration.md, "Moving a deployed single-grant stack pair to grants mode")'
  );
}
