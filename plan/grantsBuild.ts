/**
 * The plan of a grants-mode stack pair (`cross-account-irsa:grants`): the same three runs as single-grant
 * mode, then each grant judged on its own view of them (`grantScope.ts`) by each mechanism's own
 * collector, access matrix and chain checks, unchanged (`grantConfigs.ts` gives them the grant in
 * single-grant mode's terms):
 * - every path the grant's role trusts gets its access matrix (who may assume or reach the role, the
 *   near misses); a path account A's binding sets up gets its chain's link checks too;
 * - a path the binding sets up that the pods do not take first (`podCredentialPath`: IRSA before the
 *   chain before Pod Identity) is judged as such (the plan layer's `standby`);
 * - the role's S3 (and KMS) rows, once per bucket of the grant.
 * A problem names its grant. Pure, like `build.ts`.
 */
import { type ChainCheckResult } from "../chain";
import { podCredentialPath } from "../components/credentialPath";
import { type Mechanism } from "../components/mechanism";
import { sealDocument } from "../components/policyGrammar";
import { checkChain, describeFailure } from "../mechanisms";
import { planLayer } from "../mechanisms/planRegistry";
import { type PlanLayer } from "../mechanisms/planLayer";
import { type PlannedRole } from "./collect";
import { grantPathConfigs } from "./grantConfigs";
import { indexPasses } from "./grantScope";
import { buildManifests, type PlannedManifest } from "./manifests";
import { NO_VALIDATION_CACHE, type ValidationCache } from "./manifestValidation";
import { accessRows, type AccessRow } from "./matrix";
import { type StackPass } from "./passes";
import { PLAN_ORGANIZATION, type PlanBinding, type PlanGrant, type PlanGrantsConfigs } from "./planInput";
import {
  finalPass,
  parseDocument,
  policiesOfRole,
  resourcesOfType,
  str,
  type PlannedDocument,
} from "./records";

/** One path of a grant: its matrix, and its chain's checks when account A sets it up. */
export interface GrantPath {
  mechanism: Mechanism;
  /** Whether account-a's binding sets the path up (else the role trusts it and nothing in A uses it). */
  bound: boolean;
  /** account-a's source role (Pod Identity, irsa-chained), as the matrix read it. */
  sourceRole?: PlannedRole;
  /** The path's matrix rows but the access rows (who may assume or reach the role; the source role's). */
  matrix: AccessRow[];
  /** What the runs did not plan for this path's matrix (a path the binding does not set up). */
  missing?: string;
  /** The chain's checks (none for a path the binding does not set up). */
  links: ChainCheckResult[];
}

/** The plan of one grant. */
export interface GrantPlan {
  key: string;
  /** The trust policy's size limit (the grant's `maxTrustPolicySize`). */
  maxTrustPolicySize: number;
  /** The paths the grant's role trusts (account-b's config). */
  trusts: Mechanism[];
  /** The binding of account-a's config; undefined when account-a does not bind the grant. */
  binding?: PlanBinding;
  /** The path the pods' AWS SDKs take with everything the binding sets up (from the config). */
  podCredentialPath?: Mechanism;
  roleArn?: string;
  trustPolicy: PlannedDocument;
  permissionPolicies: Array<{ name: string } & PlannedDocument>;
  /** The TLS-only policies of the buckets the grant creates, by bucket name. */
  bucketPolicies: Array<{ name: string } & PlannedDocument>;
  paths: GrantPath[];
  /** What the role may do, per bucket (the same for every path). */
  access: AccessRow[];
  /** The Kubernetes objects of the final account-a run that are the grant's (its namespace's too). */
  manifests: PlannedManifest[];
  /** This grant's problems, each naming the grant. */
  problems: string[];
}

/** The complete plan of a grants-mode stack pair. */
export interface GrantsPlan {
  mode: "grants";
  organization: string;
  passes: StackPass[];
  configs: PlanGrantsConfigs;
  grants: GrantPlan[];
  /** Every Kubernetes object of the final account-a run. */
  manifests: PlannedManifest[];
  /** Every grant's problems, then the stack's (invalid manifests). */
  problems: string[];
  ok: boolean;
}

/**
 * Derives the plan of every grant from the recorded runs. Throws when a run lacks what every grant's
 * plan has (the grant's one role in account-b); everything else is collected in `problems`.
 */
export function buildGrantsPlan(
  passes: StackPass[],
  configs: PlanGrantsConfigs,
  organization = PLAN_ORGANIZATION,
  validationCache: ValidationCache = NO_VALIDATION_CACHE,
): GrantsPlan {
  const a = finalPass(passes, "account-a");
  if (!finalPass(passes, "account-b") || !a)
    throw new Error("the plan needs a run of account-a and one of account-b");
  const manifests = buildManifests(a, validationCache);
  const byUrn = new Map(manifests.map((m) => [m.urn, m]));
  const scope = indexPasses(passes);
  const bindings = new Map(configs.a.grants.map((g) => [g.key, g]));
  const grants = configs.b.grants.map((grant) =>
    buildGrantPlan(scope(grant.key), configs, grant, bindings.get(grant.key), byUrn),
  );
  const problems = grants.flatMap((g) => g.problems);
  for (const m of manifests.filter((x) => !x.validation.valid)) {
    problems.push(
      `manifest ${m.file}: invalid against the Kubernetes API schema: ${(m.validation as { errors: string }).errors}`,
    );
  }
  return {
    mode: "grants",
    organization,
    passes,
    configs,
    grants,
    manifests,
    problems,
    ok: problems.length === 0,
  };
}

/**
 * One grant's plan (see the file's comment), from the passes as the grant's checks read them
 * (`scopePasses`) and the final account-a run's manifests by the URN of their resource.
 */
export function buildGrantPlan(
  scoped: StackPass[],
  configs: PlanGrantsConfigs,
  grant: PlanGrant,
  binding: PlanBinding | undefined,
  manifestsByUrn: ReadonlyMap<string, PlannedManifest> = new Map(),
): GrantPlan {
  const b = finalPass(scoped, "account-b")!;
  const a = finalPass(scoped, "account-a")!;
  const roles = resourcesOfType(b, "aws:iam/role:Role");
  if (roles.length !== 1) {
    throw new Error(
      `account-b registered ${roles.length} IAM roles for grant ${grant.key}; the plan expects exactly one`,
    );
  }
  const trustPolicy = parseDocument(
    `grant ${grant.key}: account-b's role trust policy (assumeRolePolicy)`,
    roles[0].inputs.assumeRolePolicy,
  );
  const permissionPolicies = policiesOfRole(b, roles[0]).map((p) => ({
    name: str(p.inputs.name) ?? p.name,
    ...parseDocument(`grant ${grant.key}: account-b's role policy ${p.name}`, p.inputs.policy),
  }));
  const bucketPolicies = resourcesOfType(b, "aws:s3/bucketPolicy:BucketPolicy").map((p) => ({
    name: str(p.inputs.bucket) ?? p.name,
    ...parseDocument(`grant ${grant.key}: account-b's bucket policy ${p.name}`, p.inputs.policy),
  }));
  const podPath = binding ? podCredentialPath(binding.mechanisms) : undefined;
  const problems: string[] = [];
  const problem = (text: string) => problems.push(`grant ${grant.key}: ${text}`);

  const paths = grant.mechanisms.map((mechanism) => {
    const bound = binding?.mechanisms.includes(mechanism) === true;
    const pathConfigs = grantPathConfigs(configs, grant, binding, mechanism);
    const layer: PlanLayer = planLayer(mechanism);
    const snapshot = layer.collect(scoped, pathConfigs);
    // Without an object to read (no bucket of the grant names an objectKey, so account-a deploys no
    // probe), the permission link has nothing to read: the access rows judge each bucket instead.
    if (!grant.buckets.some((x) => x.objectKey !== undefined)) {
      snapshot.unavailable = {
        ...snapshot.unavailable,
        permission:
          "no bucket of the grant names an objectKey to read: the access rows below judge each bucket",
      };
    }
    const planned = layer.matrix(snapshot, {
      configs: pathConfigs,
      b,
      trustPolicy,
      permissionPolicies,
      ...(binding ? { boundServiceAccount: binding.serviceAccount } : {}),
    });
    const path: GrantPath = {
      mechanism,
      bound,
      ...(planned.sourceRole ? { sourceRole: planned.sourceRole } : {}),
      matrix: Array.isArray(planned.matrix) ? planned.matrix.filter((r) => r.kind !== "access") : [],
      links: [],
    };
    if (!Array.isArray(planned.matrix)) {
      path.missing = planned.matrix.missing;
      // A path nothing in account A sets up has no source role to evaluate: not a problem.
      if (bound) problem(`${mechanism}: access matrix: ${planned.matrix.missing}`);
    }
    if (bound) {
      const results = checkChain(snapshot);
      path.links =
        podPath !== undefined && podPath !== mechanism ? layer.standby(results, snapshot, podPath) : results;
    }
    for (const row of path.matrix.filter((r) => !r.ok)) problem(`${mechanism}: ${mismatch(row)}`);
    for (const check of path.links.filter((l) => l.status === "fail"))
      problem(`${mechanism}: ${describeFailure(check)}`);
    return path;
  });
  const access = grantAccessRows(configs, grant, binding, permissionPolicies);
  for (const row of access.filter((r) => !r.ok)) problem(mismatch(row));

  // The scoped run's outputs hold the grant's entry of account-a's `grants` (scopedOutputs).
  const stated = str(a.outputs.podCredentialPath?.value);
  if (binding && stated !== undefined && stated !== podPath) {
    problem(
      `account-a's output grants.${grant.key}.podCredentialPath is ${stated}, but the binding's mechanisms ` +
        `${JSON.stringify(binding.mechanisms)} make the pods take ${podPath}`,
    );
  }
  return {
    key: grant.key,
    maxTrustPolicySize: grant.maxTrustPolicySize,
    trusts: [...grant.mechanisms],
    ...(binding ? { binding } : {}),
    ...(podPath !== undefined ? { podCredentialPath: podPath } : {}),
    ...(str(roles[0].state.arn) !== undefined ? { roleArn: str(roles[0].state.arn) } : {}),
    trustPolicy,
    permissionPolicies,
    bucketPolicies,
    paths,
    access,
    manifests: a.resources.flatMap((r) => manifestsByUrn.get(r.urn) ?? []),
    problems,
  };
}

/** The role's S3 (and KMS) rows for each bucket of the grant (the shared access rows, per bucket). */
function grantAccessRows(
  configs: PlanGrantsConfigs,
  grant: PlanGrant,
  binding: PlanBinding | undefined,
  permissionPolicies: ReadonlyArray<PlannedDocument>,
): AccessRow[] {
  const sealed = permissionPolicies.map((p) => sealDocument(p.doc));
  const granted = grant.buckets.map((b) => b.name);
  return grant.buckets.flatMap((bucket) =>
    accessRows({
      configs: grantPathConfigs(configs, grant, binding, grant.mechanisms[0], bucket),
      partition: configs.b.aws.partition,
      permissionPolicies: sealed,
      bucketName: bucket.name,
      grantedBuckets: granted,
    }),
  );
}

function mismatch(row: AccessRow): string {
  return `access matrix: ${row.action} for ${row.subject} on ${row.resource}: expected ${row.expected}, the planned policy says ${row.actual} (${row.reason})`;
}
