/**
 * The offline plan (`npm run plan`) runs the real account-a and account-b programs in-process under
 * the mock engine, in the order a real deployment runs them (account-a, account-b, account-a again),
 * and derives from what they register everything a reviewer needs before `pulumi up`: the resource
 * trees, the IAM documents exactly as they would be sent, the Kubernetes manifests (validated against
 * the Kubernetes API schema), an access matrix evaluated on the planned documents, and the chain's
 * links checked offline.
 *
 * Running the programs is the only impure step (`passes.ts`); this file derives the plan from the
 * recorded passes by pure functions (`collect.ts` → the chain's snapshot and checks, `matrix.ts`,
 * `manifests.ts`; each mechanism's collector and matrix through `mechanisms/planRegistry.ts`), so tests can feed it tampered records. `files.ts` writes it, `render.ts` prints it.
 */
import { type ChainCheckResult } from "../chain";
import { checkChain, describeFailure } from "../mechanisms";
import { collectSnapshot, planMatrix } from "../mechanisms/planRegistry";
import { type PlannedRole } from "./collect";
import { buildManifests, type PlannedManifest } from "./manifests";
import { NO_VALIDATION_CACHE, type ValidationCache } from "./manifestValidation";
import { type AccessRow } from "./matrix";
import { type StackPass } from "./passes";
import { PLAN_ORGANIZATION, type PlanConfigs } from "./planInput";
import {
  finalPass,
  parseDocument,
  policiesOfRole,
  resourcesOfType,
  str,
  type PlannedDocument,
} from "./records";

/** The complete plan. */
export interface Plan {
  organization: string;
  passes: StackPass[];
  configs: PlanConfigs;
  trustPolicy: PlannedDocument;
  permissionPolicies: Array<{ name: string } & PlannedDocument>;
  /** Pod Identity, irsa-chained: account-a's source role, its trust and its permission (to chain into the target). */
  sourceRole?: PlannedRole;
  bucketPolicy?: PlannedDocument;
  manifests: PlannedManifest[];
  matrix: AccessRow[];
  /** The chain's checks on the planned values. */
  links: ChainCheckResult[];
  /** Problems that fail the plan, in words (mismatched matrix rows, broken links, invalid manifests). */
  problems: string[];
  ok: boolean;
}

/**
 * Derives the plan from the recorded runs: documents, manifests, access matrix and link checks.
 * Throws when a run lacks what every plan has (account-b's role); everything else that is wrong is
 * collected in `problems`, and `ok` is false.
 */
export function buildPlan(
  passes: StackPass[],
  configs: PlanConfigs,
  organization = PLAN_ORGANIZATION,
  validationCache: ValidationCache = NO_VALIDATION_CACHE,
): Plan {
  const b = finalPass(passes, "account-b");
  const a = finalPass(passes, "account-a");
  if (!b || !a) throw new Error("the plan needs a run of account-a and one of account-b");
  const roles = resourcesOfType(b, "aws:iam/role:Role");
  if (roles.length !== 1)
    throw new Error(`account-b registered ${roles.length} IAM roles; the plan expects exactly one`);
  const trustPolicy = parseDocument(
    "account-b's role trust policy (assumeRolePolicy)",
    roles[0].inputs.assumeRolePolicy,
  );
  const permissionPolicies = policiesOfRole(b, roles[0]).map((p) => ({
    name: str(p.inputs.name) ?? p.name,
    ...parseDocument(`account-b's role policy ${p.name}`, p.inputs.policy),
  }));
  const bucketPolicyResource = resourcesOfType(b, "aws:s3/bucketPolicy:BucketPolicy")[0];
  const bucketPolicy = bucketPolicyResource
    ? parseDocument("account-b's bucket policy", bucketPolicyResource.inputs.policy)
    : undefined;
  const manifests = buildManifests(a, validationCache);
  const chain = collectSnapshot(passes, configs);
  const links = checkChain(chain);

  const problems: string[] = [];
  const planned = planMatrix(chain, { configs, b, trustPolicy, permissionPolicies });
  const sourceRole = planned.sourceRole;
  const matrix = Array.isArray(planned.matrix) ? planned.matrix : [];
  if (!Array.isArray(planned.matrix)) problems.push(`access matrix: ${planned.matrix.missing}`);
  for (const row of matrix.filter((r) => !r.ok)) {
    problems.push(
      `access matrix: ${row.action} for ${row.subject} on ${row.resource}: expected ${row.expected}, the planned policy says ${row.actual} (${row.reason})`,
    );
  }
  for (const check of links.filter((l) => l.status === "fail")) problems.push(describeFailure(check));
  for (const m of manifests.filter((x) => !x.validation.valid)) {
    problems.push(
      `manifest ${m.file}: invalid against the Kubernetes API schema: ${(m.validation as { errors: string }).errors}`,
    );
  }
  return {
    organization,
    passes,
    configs,
    trustPolicy,
    permissionPolicies,
    ...(sourceRole ? { sourceRole } : {}),
    ...(bucketPolicy ? { bucketPolicy } : {}),
    manifests,
    matrix,
    links,
    problems,
    ok: problems.length === 0,
  };
}
