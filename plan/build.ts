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
 * `manifests.ts`), so tests can feed it tampered records. `files.ts` writes it, `render.ts` prints it.
 */
import { buildIrsaChainedMatrix } from "../mechanisms/irsa-chained/matrix";
import { Mechanism, assertNever } from "../components/mechanism";
import { PLACEHOLDER_ACCOUNT_ID } from "../engine/placeholders";
import { type ChainCheckResult } from "../chain";
import { checkChain, describeFailure } from "../mechanisms";
import { collectSnapshot } from "./collect";
import { PLAN_ORGANIZATION, type PlanConfigs } from "./config";
import { buildManifests, type PlannedManifest } from "./manifests";
import { buildAccessMatrix, type AccessRow } from "./matrix";
import { buildPodIdentityMatrix } from "./matrixPodIdentity";
import { type StackPass } from "./passes";
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
  /** Pod Identity: account-a's source role, its trust and its permission (to chain into the target). */
  sourceRole?: {
    arn: string;
    trustPolicy: PlannedDocument;
    permissionPolicies: Array<{ name: string } & PlannedDocument>;
  };
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
export function buildPlan(passes: StackPass[], configs: PlanConfigs, organization = PLAN_ORGANIZATION): Plan {
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
  const manifests = buildManifests(a);
  const chain = collectSnapshot(passes, configs);
  const links = checkChain(chain);

  const problems: string[] = [];
  const bucketName = chain.bucketName;
  let matrix: AccessRow[] = [];
  let sourceRole: Plan["sourceRole"];
  switch (chain.mechanism) {
    case Mechanism.PodIdentity: {
      sourceRole = planSourceRole(chain.sourceRole);
      if (sourceRole && chain.cluster && chain.role && bucketName) {
        matrix = buildPodIdentityMatrix({
          configs,
          clusterArn: chain.cluster.arn,
          sourceRoleArn: sourceRole.arn,
          sourceTrust: sourceRole.trustPolicy.doc,
          sourcePermissions: sourceRole.permissionPolicies.map((p) => p.doc),
          targetRoleArn: chain.role.arn,
          targetTrust: trustPolicy.doc,
          permissionPolicies: permissionPolicies.map((p) => p.doc),
          bucketName,
        });
      } else {
        problems.push(
          "access matrix: the runs plan no cluster ARN, source role, target role or bucket name to evaluate against",
        );
      }
      break;
    }
    case Mechanism.Irsa: {
      const providerArn = chain.provider?.arn ?? str(b.outputs.oidcProviderArn?.value);
      if (providerArn && bucketName) {
        matrix = buildAccessMatrix({
          configs,
          providerArn,
          trustPolicy: trustPolicy.doc,
          permissionPolicies: permissionPolicies.map((p) => p.doc),
          bucketName,
          accountAId: configs.a.aws.allowedAccountIds?.[0] ?? PLACEHOLDER_ACCOUNT_ID,
        });
      } else {
        problems.push(
          "access matrix: account-b plans no OIDC provider ARN or bucket name to evaluate against",
        );
      }
      break;
    }
    case Mechanism.IrsaChained: {
      sourceRole = planSourceRole(chain.sourceRole);
      if (sourceRole && chain.provider && chain.role && bucketName) {
        matrix = buildIrsaChainedMatrix({
          configs,
          providerArn: chain.provider.arn,
          accountBId: configs.b.aws.allowedAccountIds?.[0],
          sourceRoleArn: sourceRole.arn,
          sourceTrust: sourceRole.trustPolicy.doc,
          sourcePermissions: sourceRole.permissionPolicies.map((p) => p.doc),
          targetRoleArn: chain.role.arn,
          targetTrust: trustPolicy.doc,
          permissionPolicies: permissionPolicies.map((p) => p.doc),
          bucketName,
        });
      } else {
        problems.push(
          "access matrix: the runs plan no OIDC provider in account A, source role, target role or bucket name to evaluate against",
        );
      }
      break;
    }
    default:
      assertNever(chain, "mechanism");
  }
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

/**
 * Account-a's source role (Pod Identity, irsa-chained) as the chain was checked on it: collect.ts
 * reads it once, its own policies only.
 */
function planSourceRole(
  role: { arn: string; trustPolicy?: string; permissionPolicies: Record<string, string> } | undefined,
): Plan["sourceRole"] {
  if (!role) return undefined;
  return {
    arn: role.arn,
    trustPolicy: parseDocument("account-a's source role trust policy", role.trustPolicy),
    permissionPolicies: Object.entries(role.permissionPolicies).map(([name, json]) => ({
      name,
      ...parseDocument(`account-a's source role policy ${name}`, json),
    })),
  };
}
