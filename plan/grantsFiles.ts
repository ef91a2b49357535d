/**
 * The files of a grants-mode plan, built in memory (`files.ts` writes them atomically):
 * - `grants/<key>/`: each grant's documents, byte for byte as sent (the role's trust and permission
 *   policies, the created buckets' policies, account-a's source roles' documents, one per path);
 * - `manifests/`: every Kubernetes object of the final account-a run, validated;
 * - `summary.json`: the runs, then each grant (its paths, matrix, link checks, files, problems).
 * Pure.
 */
import { PROJECT } from "../stacks/config";
import { type GrantPlan, type GrantsPlan } from "./grantsBuild";
import {
  ARTIFACT_NOTES,
  PLAN_GENERATOR,
  pretty,
  putManifests,
  summaryLink,
  summaryManifest,
  summaryRuns,
} from "./files";

/** Every file of a grants-mode plan, relative path → content (see the file's comment). */
export function grantsPlanFiles(
  plan: GrantsPlan,
  sources: { configA: string; configB: string },
): Map<string, string> {
  const files = new Map<string, string>();
  const notes: Record<string, string> = {};
  const put = (file: string, content: string, note: string) => {
    files.set(file, content);
    notes[file] = note;
  };
  const grants: Record<string, unknown> = {};
  for (const grant of plan.grants) {
    grants[grant.key] = grantSummary(grant, (file, content, note) =>
      put(`grants/${grant.key}/${file}`, content, `grant ${grant.key}: ${note}`),
    );
  }
  putManifests(put, plan.manifests);
  notes["summary.json"] = ARTIFACT_NOTES["summary.json"];
  const summary = {
    generator: PLAN_GENERATOR,
    ok: plan.ok,
    mode: plan.mode,
    organization: plan.organization,
    project: PROJECT,
    configs: { "account-a": sources.configA, "account-b": sources.configB },
    runs: summaryRuns(plan.passes),
    grants,
    manifests: plan.manifests.map(summaryManifest),
    problems: plan.problems,
    artifacts: Object.fromEntries(Object.entries(notes).sort(([x], [y]) => (x < y ? -1 : 1))),
  };
  files.set("summary.json", `${JSON.stringify(summary, null, 2)}\n`);
  return files;
}

/** One grant's files (through `put`, relative to its folder) and its entry of the summary. */
function grantSummary(
  grant: GrantPlan,
  put: (file: string, content: string, note: string) => void,
): Record<string, unknown> {
  put("trust-policy.json", grant.trustPolicy.json, ARTIFACT_NOTES["trust-policy.json"]);
  put("trust-policy.pretty.json", pretty(grant.trustPolicy.doc), ARTIFACT_NOTES["trust-policy.pretty.json"]);
  const permissionFiles = grant.permissionPolicies.map((p) => {
    const base = grant.permissionPolicies.length === 1 ? "permission-policy" : `permission-policy.${p.name}`;
    put(`${base}.json`, p.json, `${ARTIFACT_NOTES["permission-policy.json"]} (inline policy ${p.name})`);
    put(`${base}.pretty.json`, pretty(p.doc), ARTIFACT_NOTES["permission-policy.pretty.json"]);
    return { name: p.name, file: `${base}.json`, size: p.size };
  });
  for (const p of grant.bucketPolicies) {
    put(`bucket-policy.${p.name}.json`, p.json, `${ARTIFACT_NOTES["bucket-policy.json"]} (${p.name})`);
  }
  for (const path of grant.paths) {
    if (!path.sourceRole) continue;
    put(
      `source-trust-policy.${path.mechanism}.json`,
      path.sourceRole.trustPolicy.json,
      `${path.mechanism}: account-a's source role trust policy, as sent to IAM`,
    );
    for (const p of path.sourceRole.permissionPolicies) {
      put(
        `source-permission-policy.${path.mechanism}.json`,
        p.json,
        `${path.mechanism}: account-a's source role policy allowing it to chain into the grant's role, as sent to IAM (${p.name})`,
      );
    }
  }
  return {
    trusts: grant.trusts,
    ...(grant.binding
      ? {
          binds: grant.binding.mechanisms,
          serviceAccount: grant.binding.serviceAccount,
          podCredentialPath: grant.podCredentialPath,
        }
      : { binds: null }),
    ...(grant.roleArn !== undefined ? { roleArn: grant.roleArn } : {}),
    policies: {
      trust: { file: "trust-policy.json", size: grant.trustPolicy.size, limit: grant.maxTrustPolicySize },
      permissions: permissionFiles,
    },
    paths: grant.paths.map((p) => ({
      mechanism: p.mechanism,
      bound: p.bound,
      accessMatrix: p.matrix,
      ...(p.missing !== undefined ? { missing: p.missing } : {}),
      links: p.links.map(summaryLink),
    })),
    accessMatrix: grant.access,
    manifests: grant.manifests.map((m) => m.file),
    problems: grant.problems,
  };
}
