/**
 * What the planned collectors share (each mechanism's is `mechanisms/<name>/plan.ts`, found through
 * `mechanisms/planRegistry.ts`): reading account-b's role, its permissions, the trusted service
 * accounts and the bucket, and account-a's ServiceAccount and workloads, out of the recorded passes.
 * Pure: tests tamper with the passes (or the snapshot) to produce broken links.
 */
import { type ChainWorkload } from "../chain";
import { type ServiceAccountRef } from "../components/trustPolicy";
import type { RecordedResource } from "../engine/mockEngine";
import { type StackPass } from "./passes";
import {
  isRecord,
  parseDocument,
  podSpecOf,
  policiesOfRole,
  record,
  resourcesOfType,
  str,
  stringRecord,
  type PlannedDocument,
} from "./records";

/**
 * Inline policies' JSON by policy name. A policy sent as something other than JSON text is kept as
 * empty text, which no evaluator reads: its role's checks fail instead of ignoring it (fail closed).
 */
export function policyTexts(policies: RecordedResource[]): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const p of policies) texts[str(p.inputs.name) ?? p.name] = str(p.inputs.policy) ?? "";
  return texts;
}

/** What account-b's final run plans for the role the pod ends up as (every mechanism's snapshot has these). */
export interface PlannedAccountBFacts {
  role?: { arn: string; trustPolicy: string };
  permissionPolicies: Record<string, string>;
  trusted: ServiceAccountRef[];
  bucketName?: string;
  objectKey?: string;
}

/** Account-b's role (its only one), its permissions, the trusted service accounts, the bucket. */
export function accountBFacts(b: StackPass | undefined): PlannedAccountBFacts {
  const facts: PlannedAccountBFacts = { permissionPolicies: {}, trusted: [] };
  if (!b) return facts;
  const role = resourcesOfType(b, "aws:iam/role:Role")[0];
  const roleArn = str(role?.state.arn);
  const trustPolicy = str(role?.inputs.assumeRolePolicy);
  if (roleArn && trustPolicy !== undefined) facts.role = { arn: roleArn, trustPolicy };
  facts.permissionPolicies = policyTexts(policiesOfRole(b, role));
  return { ...facts, ...accountBOutputFacts(b) };
}

/** What account-b's outputs say of the grant: the trusted service accounts, the bucket and the object. */
export function accountBOutputFacts(
  b: StackPass,
): Pick<PlannedAccountBFacts, "trusted" | "bucketName" | "objectKey"> {
  const listed = b.outputs.serviceAccounts?.value;
  return {
    trusted: Array.isArray(listed)
      ? listed.filter(isRecord).map((s) => ({ namespace: String(s.namespace), name: String(s.name) }))
      : [],
    bucketName: str(b.outputs.bucketName?.value),
    objectKey: str(b.outputs.objectKey?.value),
  };
}

/** What account-a's final run plans in the cluster: the ServiceAccount and the workloads. */
export interface PlannedKubernetesFacts {
  serviceAccount?: { namespace: string; name: string; annotations: Record<string, string> };
  workloads: ChainWorkload[];
}

/** Account-a's ServiceAccount (its only one) and its Deployments and Jobs (their literal env). */
export function kubernetesFacts(a: StackPass | undefined): PlannedKubernetesFacts {
  const facts: PlannedKubernetesFacts = { workloads: [] };
  if (!a) return facts;
  const serviceAccount = plannedServiceAccount(a);
  if (serviceAccount) facts.serviceAccount = serviceAccount;
  facts.workloads = plannedWorkloads(a).map(plannedWorkload);
  return facts;
}

/** Account-a's ServiceAccount (its only one), as the final run registers it. */
export function plannedServiceAccount(a: StackPass): PlannedKubernetesFacts["serviceAccount"] {
  const sa = resourcesOfType(a, "kubernetes:core/v1:ServiceAccount")[0];
  if (!sa) return undefined;
  const metadata = record(sa.inputs.metadata);
  return {
    namespace: str(metadata.namespace) ?? "default",
    name: str(metadata.name) ?? str(record(sa.state.metadata).name) ?? sa.name,
    annotations: stringRecord(metadata.annotations),
  };
}

/** Account-a's Deployments and Jobs, in registration order. */
export function plannedWorkloads(a: StackPass): RecordedResource[] {
  return a.resources.filter(
    (r) => r.type === "kubernetes:apps/v1:Deployment" || r.type === "kubernetes:batch/v1:Job",
  );
}

/** A Deployment's or Job's pod as the chain reads it: its first container's literal env. */
export function plannedWorkload(w: RecordedResource): ChainWorkload {
  const metadata = record(w.inputs.metadata);
  const spec = podSpecOf(w.inputs);
  const container = record(Array.isArray(spec.containers) ? spec.containers[0] : undefined);
  const env: Record<string, string> = {};
  for (const e of Array.isArray(container.env) ? container.env : []) {
    if (isRecord(e) && typeof e.name === "string" && typeof e.value === "string") env[e.name] = e.value;
  }
  return {
    kind: str(w.inputs.kind) ?? w.type.split(":").pop()!,
    name: str(metadata.name) ?? str(record(w.state.metadata).name) ?? w.name,
    ...(str(metadata.namespace) !== undefined ? { namespace: str(metadata.namespace) } : {}),
    ...(str(spec.serviceAccountName) !== undefined
      ? { serviceAccountName: str(spec.serviceAccountName) }
      : {}),
    env,
  };
}

/** A planned role: its ARN, its trust policy and its inline permission policies, parsed. */
export interface PlannedRole {
  arn: string;
  trustPolicy: PlannedDocument;
  permissionPolicies: Array<{ name: string } & PlannedDocument>;
}

/**
 * Account-a's source role (Pod Identity, irsa-chained) as the chain was checked on it: the collector
 * reads it once, its own policies only; this parses its documents (throwing, naming the document, when
 * one is not a policy).
 */
export function plannedSourceRole(
  role: { arn: string; trustPolicy?: string; permissionPolicies: Record<string, string> } | undefined,
): PlannedRole | undefined {
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
