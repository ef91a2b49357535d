/**
 * The plan's collector: reads the chain's facts (an {@link IrsaSnapshot}) out of the recorded passes,
 * the registrations the final account-b and account-a runs would send. Pure: tests tamper with the
 * passes (or the snapshot) to produce broken links.
 */
import { type IrsaSnapshot } from "../chain";
import { type PlanConfigs } from "./config";
import { type StackPass } from "./passes";
import { finalPass, isRecord, podSpecOf, record, resourcesOfType, str, stringRecord } from "./records";

/** The chain's facts, read from the final account-b and account-a runs. */
export function collectSnapshot(passes: StackPass[], configs: PlanConfigs): IrsaSnapshot {
  const a = finalPass(passes, "account-a");
  const b = finalPass(passes, "account-b");
  const chain: IrsaSnapshot = {
    mechanism: "irsa",
    permissionPolicies: {},
    trusted: [],
    workloads: [],
    deployProbe: configs.a.deployProbe,
  };
  if (a) chain.issuerUrl = str(a.outputs.oidcIssuerUrl?.value);
  if (b) {
    const provider = resourcesOfType(b, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")[0];
    if (provider) {
      const arn = str(provider.state.arn);
      if (arn) {
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
    }
    const role = resourcesOfType(b, "aws:iam/role:Role")[0];
    const roleArn = str(role?.state.arn);
    const trustPolicy = str(role?.inputs.assumeRolePolicy);
    if (roleArn && trustPolicy !== undefined) chain.role = { arn: roleArn, trustPolicy };
    for (const p of resourcesOfType(b, "aws:iam/rolePolicy:RolePolicy")) {
      const policy = str(p.inputs.policy);
      if (policy !== undefined) chain.permissionPolicies[str(p.inputs.name) ?? p.name] = policy;
    }
    const trusted = b.outputs.serviceAccounts?.value;
    if (Array.isArray(trusted)) {
      chain.trusted = trusted
        .filter(isRecord)
        .map((s) => ({ namespace: String(s.namespace), name: String(s.name) }));
    }
    chain.bucketName = str(b.outputs.bucketName?.value);
    chain.objectKey = str(b.outputs.objectKey?.value);
  }
  if (a) {
    const sa = resourcesOfType(a, "kubernetes:core/v1:ServiceAccount")[0];
    if (sa) {
      const metadata = record(sa.inputs.metadata);
      chain.serviceAccount = {
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
      chain.workloads.push({
        kind: str(w.inputs.kind) ?? w.type.split(":").pop()!,
        name: str(metadata.name) ?? str(record(w.state.metadata).name) ?? w.name,
        ...(str(metadata.namespace) !== undefined ? { namespace: str(metadata.namespace) } : {}),
        ...(str(spec.serviceAccountName) !== undefined
          ? { serviceAccountName: str(spec.serviceAccountName) }
          : {}),
        env,
      });
    }
  }
  return chain;
}
