/**
 * The plan of a grants-mode stack pair as the terminal shows it: the three runs as single-grant mode shows
 * them, then one section per grant (in account-b's config order): which paths the role trusts, which
 * the binding sets up and which the pods take; the documents; each path's matrix and chain checks;
 * what the role may do per bucket; the grant's manifests. Pure.
 */
import { linksTable, styles, type Styles } from "../cli/shared/terminal";
import { planLayer } from "../mechanisms/planRegistry";
import { type PlanLayer } from "../mechanisms/planLayer";
import { type GrantPath, type GrantPlan, type GrantsPlan } from "./grantsBuild";
import {
  accessTableLines,
  indentJson,
  manifestLines,
  matrixTableLines,
  passLines,
  roleDocumentLines,
  sourceRoleLines,
  titleLine,
  verdictLines,
} from "./render";

/** The grants-mode plan as the terminal shows it. */
export function renderGrantsPlan(
  plan: GrantsPlan,
  options: { color: boolean; outDir?: string; written?: boolean },
): string {
  const st = styles(options.color);
  const lines: string[] = [titleLine(st), ...passLines(plan.passes, st)];
  for (const grant of plan.grants) lines.push(...grantLines(grant, st));
  const granted = new Set(plan.grants.flatMap((g) => g.manifests));
  const unbound = plan.manifests.filter((m) => !granted.has(m));
  if (unbound.length > 0) {
    lines.push("", st.bold("Kubernetes manifests of no grant (account-a, final update)"));
    lines.push(...manifestLines(unbound, st));
  }
  lines.push("");
  const rows = plan.grants.reduce(
    (n, g) => n + g.access.length + g.paths.reduce((m, p) => m + p.matrix.length, 0),
    0,
  );
  const links = plan.grants.reduce(
    (n, g) => n + g.paths.reduce((m, p) => m + p.links.filter((l) => l.status === "pass").length, 0),
    0,
  );
  const counts = `${plan.grants.length} grant(s), ${rows} access-matrix rows as intended, ${links} link checks passed`;
  lines.push(...verdictLines(plan.ok, counts, plan.problems, options, st));
  return `${lines.join("\n")}\n`;
}

/** The words of the paths a grant's pods take, and of the others. */
export function pathSummary(grant: GrantPlan): string {
  const bound = grant.binding?.mechanisms ?? [];
  return (
    `account-b trusts ${grant.trusts.join(", ")}; ` +
    (grant.binding
      ? `account-a binds ${bound.join(", ")} for ${grant.binding.serviceAccount.namespace}/${grant.binding.serviceAccount.name}; ` +
        `pods use ${grant.podCredentialPath} (podCredentialPath)`
      : "account-a does not bind it (not in its cross-account-irsa:grants): nothing in the cluster uses it")
  );
}

/** One grant's section. */
export function grantLines(grant: GrantPlan, st: Styles): string[] {
  const lines: string[] = [];
  const heading = (s: string) => lines.push("", st.bold(`[${grant.key}] ${s}`));
  lines.push("", st.bold(`Grant ${grant.key}`) + `: ${pathSummary(grant)}`);
  if (grant.roleArn) lines.push(`  role ${grant.roleArn}`);
  heading("IAM documents (account-b: the grant's role)");
  lines.push(...roleDocumentLines(grant.trustPolicy, grant.maxTrustPolicySize, grant.permissionPolicies));
  for (const p of grant.bucketPolicies) {
    lines.push(`  bucket policy of ${p.name} (${p.size} characters):`);
    lines.push(...indentJson(p.doc));
  }
  for (const path of grant.paths) lines.push(...pathLines(grant, path, st));
  heading("What the role may do (against the planned permission policies, each bucket of the grant)");
  lines.push(...accessTableLines(grant.access, st));
  if (grant.manifests.length > 0) {
    heading("Kubernetes manifests (account-a, final update)");
    lines.push(...manifestLines(grant.manifests, st));
  }
  return lines;
}

/** One path of a grant: its source role, its matrix and its chain's checks. */
function pathLines(grant: GrantPlan, path: GrantPath, st: Styles): string[] {
  const layer: PlanLayer = planLayer(path.mechanism);
  const lines: string[] = [];
  const heading = (s: string) => lines.push("", st.bold(`[${grant.key}] ${s}`));
  const status = !path.bound
    ? "trusted by account-b, not set up by account-a"
    : path.mechanism === grant.podCredentialPath
      ? "set up; the pods take it"
      : `set up as a standby path: the pods take ${grant.podCredentialPath} first, this one is unused until the binding drops it`;
  lines.push("", st.bold(`[${grant.key}] path ${path.mechanism}`) + `: ${status}`);
  if (path.sourceRole) {
    heading(layer.words.sourceRole);
    lines.push(...sourceRoleLines(path.sourceRole));
  }
  lines.push(...matrixTableLines(layer, path.matrix, st, `[${grant.key}] `));
  if (path.missing !== undefined) lines.push(`  ${st.dim(`no matrix: ${path.missing}`)}`);
  if (path.bound) {
    heading(layer.words.links);
    lines.push(...linksTable(path.links, st, 120));
  }
  return lines;
}
