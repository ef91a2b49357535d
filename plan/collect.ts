/**
 * The plan's collector: reads the chain's facts (the snapshot of the configured mechanism) out of
 * the recorded passes, the registrations the final account-b and account-a runs would send. Pure:
 * tests tamper with the passes (or the snapshot) to produce broken links.
 */
import { Mechanism, assertNever } from "../components/mechanism";
import {
  type ChainSnapshot,
  type ChainWorkload,
  type IrsaSnapshot,
  type PodIdentitySnapshot,
} from "../chain";
import { type PlanConfigs } from "./config";
import { type StackPass } from "./passes";
import { POD_IDENTITY_AGENT_ADDON } from "../components/podIdentityPolicies";
import type { RecordedResource } from "../engine/mockEngine";
import {
  finalPass,
  isRecord,
  podSpecOf,
  policiesOfRole,
  record,
  resourcesOfType,
  str,
  stringRecord,
} from "./records";
import { collectIrsaChainedSnapshot } from "../mechanisms/irsa-chained/plan";

/** The chain's facts, read from the final account-b and account-a runs. */
export function collectSnapshot(passes: StackPass[], configs: PlanConfigs): ChainSnapshot {
  const mechanism = configs.b.mechanism;
  switch (mechanism) {
    case Mechanism.Irsa:
      return collectIrsaSnapshot(passes, configs);
    case Mechanism.PodIdentity:
      return collectPodIdentitySnapshot(passes, configs);
    case Mechanism.IrsaChained:
      return collectIrsaChainedSnapshot(passes, configs.a.deployProbe);
    default:
      return assertNever(mechanism, "mechanism");
  }
}

/**
 * Inline policies' JSON by policy name. A policy sent as something other than JSON text is kept as
 * empty text, which no evaluator reads: its role's checks fail instead of ignoring it (fail closed).
 */
function policyTexts(policies: RecordedResource[]): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const p of policies) texts[str(p.inputs.name) ?? p.name] = str(p.inputs.policy) ?? "";
  return texts;
}

/** What both mechanisms read from account-b: the role, its permissions, the trusted accounts, the bucket. */
function accountBFacts(b: StackPass | undefined) {
  const facts: Pick<IrsaSnapshot, "role" | "permissionPolicies" | "trusted" | "bucketName" | "objectKey"> = {
    permissionPolicies: {},
    trusted: [],
  };
  if (!b) return facts;
  const role = resourcesOfType(b, "aws:iam/role:Role")[0];
  const roleArn = str(role?.state.arn);
  const trustPolicy = str(role?.inputs.assumeRolePolicy);
  if (roleArn && trustPolicy !== undefined) facts.role = { arn: roleArn, trustPolicy };
  facts.permissionPolicies = policyTexts(policiesOfRole(b, role));
  const trusted = b.outputs.serviceAccounts?.value;
  if (Array.isArray(trusted)) {
    facts.trusted = trusted
      .filter(isRecord)
      .map((s) => ({ namespace: String(s.namespace), name: String(s.name) }));
  }
  facts.bucketName = str(b.outputs.bucketName?.value);
  facts.objectKey = str(b.outputs.objectKey?.value);
  return facts;
}

/** What both mechanisms read from account-a's final run: the ServiceAccount and the workloads. */
function kubernetesFacts(a: StackPass | undefined): Pick<IrsaSnapshot, "serviceAccount" | "workloads"> {
  const facts: Pick<IrsaSnapshot, "serviceAccount" | "workloads"> = { workloads: [] };
  if (!a) return facts;
  const sa = resourcesOfType(a, "kubernetes:core/v1:ServiceAccount")[0];
  if (sa) {
    const metadata = record(sa.inputs.metadata);
    facts.serviceAccount = {
      namespace: str(metadata.namespace) ?? "default",
      name: str(metadata.name) ?? str(record(sa.state.metadata).name) ?? sa.name,
      annotations: stringRecord(metadata.annotations),
    };
  }
  for (const w of a.resources.filter(
    (r) => r.type === "kubernetes:apps/v1:Deployment" || r.type === "kubernetes:batch/v1:Job",
  )) {
    const metadata = record(w.inputs.metadata);
    const spec = podSpecOf(w.inputs);
    const container = record(Array.isArray(spec.containers) ? spec.containers[0] : undefined);
    const env: Record<string, string> = {};
    for (const e of Array.isArray(container.env) ? container.env : []) {
      if (isRecord(e) && typeof e.name === "string" && typeof e.value === "string") env[e.name] = e.value;
    }
    const workload: ChainWorkload = {
      kind: str(w.inputs.kind) ?? w.type.split(":").pop()!,
      name: str(metadata.name) ?? str(record(w.state.metadata).name) ?? w.name,
      ...(str(metadata.namespace) !== undefined ? { namespace: str(metadata.namespace) } : {}),
      ...(str(spec.serviceAccountName) !== undefined
        ? { serviceAccountName: str(spec.serviceAccountName) }
        : {}),
      env,
    };
    facts.workloads.push(workload);
  }
  return facts;
}

/** The IRSA chain's facts. */
export function collectIrsaSnapshot(passes: StackPass[], configs: PlanConfigs): IrsaSnapshot {
  const a = finalPass(passes, "account-a");
  const b = finalPass(passes, "account-b");
  const chain: IrsaSnapshot = {
    mechanism: "irsa",
    ...accountBFacts(b),
    ...kubernetesFacts(a),
    deployProbe: configs.a.deployProbe,
  };
  if (a) chain.issuerUrl = str(a.outputs.oidcIssuerUrl?.value);
  const provider = b
    ? resourcesOfType(b, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")[0]
    : undefined;
  const arn = str(provider?.state.arn);
  if (provider && arn) {
    // What the program sends (inputs); for an adopted provider, what the engine read (state).
    const clientIds = provider.inputs.clientIdLists ?? provider.state.clientIdLists;
    const url = str(provider.inputs.url ?? provider.state.url);
    chain.provider = {
      arn,
      adopted: provider.read,
      ...(url !== undefined ? { url } : {}),
      ...(Array.isArray(clientIds)
        ? { clientIds: clientIds.filter((c): c is string => typeof c === "string") }
        : {}),
    };
  }
  return chain;
}

/** The Pod Identity chain's facts: account-a's cluster, agent, source role and associations too. */
export function collectPodIdentitySnapshot(passes: StackPass[], configs: PlanConfigs): PodIdentitySnapshot {
  const a = finalPass(passes, "account-a");
  const b = finalPass(passes, "account-b");
  const adopted = configs.a.cluster.existingName !== undefined;
  const chain: PodIdentitySnapshot = {
    mechanism: "pod-identity",
    ...accountBFacts(b),
    ...kubernetesFacts(a),
    agent: { adopted },
    associations: [],
    deployProbe: configs.a.deployProbe,
  };
  if (!a) return chain;
  const clusterArn = str(a.outputs.clusterArn?.value);
  if (clusterArn) chain.cluster = { arn: clusterArn, name: str(a.outputs.clusterName?.value) };
  const addons = resourcesOfType(a, "aws:eks/addon:Addon").filter(
    (r) => r.inputs.addonName === POD_IDENTITY_AGENT_ADDON,
  );
  // An adopted cluster's own add-ons are not known offline (the chain says it must have the agent).
  if (addons.length > 0 || !adopted) chain.agent = { adopted, installed: addons.length > 0 };
  const source = resourcesOfType(a, "aws:iam/role:Role")[0];
  const sourceArn = str(source?.state.arn);
  if (source && sourceArn) {
    const permissionPolicies = policyTexts(policiesOfRole(a, source));
    chain.sourceRole = {
      arn: sourceArn,
      ...(str(source.inputs.assumeRolePolicy) !== undefined
        ? { trustPolicy: str(source.inputs.assumeRolePolicy) }
        : {}),
      permissionPolicies,
    };
  }
  chain.associations = resourcesOfType(a, "aws:eks/podIdentityAssociation:PodIdentityAssociation").map(
    (r) => ({
      namespace: str(r.inputs.namespace) ?? "",
      serviceAccount: str(r.inputs.serviceAccount) ?? "",
      ...(str(r.inputs.roleArn) !== undefined ? { roleArn: str(r.inputs.roleArn) } : {}),
      ...(str(r.inputs.targetRoleArn) !== undefined ? { targetRoleArn: str(r.inputs.targetRoleArn) } : {}),
      ...(r.inputs.disableSessionTags === true ? { disableSessionTags: true } : {}),
    }),
  );
  return chain;
}
