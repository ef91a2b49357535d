/**
 * IRSA-chained's planned collector (`irsa-chained`): reads the chain's facts out of the recorded
 * passes, the registrations the final account-b and account-a runs would send. Pure: tests tamper
 * with the passes (or the snapshot) to produce broken links.
 */
import { CHAINED_CONFIG_KEY } from "../../components/chainedWiring";
import type { RecordedResource } from "../../engine/mockEngine";
import {
  accountBOutputFacts,
  plannedServiceAccount,
  plannedWorkload,
  plannedWorkloads,
  policyTexts,
} from "../../plan/collect";
import { type StackPass } from "../../plan/passes";
import {
  childrenOf,
  finalPass,
  isRecord,
  podSpecOf,
  policiesOfRole,
  record,
  resourcesOfType,
  str,
} from "../../plan/records";
import { type ChainedWorkload, type IrsaChainedSnapshot } from "./snapshot";

/** A Deployment's or Job's pod: its first container's literal env and the ConfigMaps it mounts. */
export function plannedChainedWorkload(w: RecordedResource): ChainedWorkload {
  const spec = podSpecOf(w.inputs);
  const container = record(Array.isArray(spec.containers) ? spec.containers[0] : undefined);
  const volumes = new Map<string, string>();
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    const configMap = isRecord(v) ? str(record(v.configMap).name) : undefined;
    if (isRecord(v) && typeof v.name === "string" && configMap !== undefined) volumes.set(v.name, configMap);
  }
  const mounts = (Array.isArray(container.volumeMounts) ? container.volumeMounts : [])
    .filter(isRecord)
    .filter((m) => typeof m.name === "string" && volumes.has(m.name) && typeof m.mountPath === "string")
    .map((m) => ({
      configMap: volumes.get(m.name as string)!,
      mountPath: m.mountPath as string,
      readOnly: m.readOnly === true,
    }));
  return { ...plannedWorkload(w), configMapMounts: mounts };
}

/** The chain's facts, read from the final account-b and account-a runs. */
export function collectIrsaChainedSnapshot(passes: StackPass[], deployProbe: boolean): IrsaChainedSnapshot {
  const a = finalPass(passes, "account-a");
  const b = finalPass(passes, "account-b");
  const chain: IrsaChainedSnapshot = {
    mechanism: "irsa-chained",
    permissionPolicies: {},
    trusted: [],
    workloads: [],
    deployProbe,
  };
  if (b) {
    // Account-b's role (its only one: single-grant mode's ChainedTargetRole, or a grant's in a scoped pass).
    const role = resourcesOfType(b, "aws:iam/role:Role")[0];
    const arn = str(role?.state.arn);
    if (role && arn) {
      chain.role = {
        arn,
        ...(str(role.inputs.assumeRolePolicy) !== undefined
          ? { trustPolicy: str(role.inputs.assumeRolePolicy) }
          : {}),
      };
      chain.permissionPolicies = policyTexts(policiesOfRole(b, role));
    }
    Object.assign(chain, accountBOutputFacts(b));
  }
  if (!a) return chain;
  chain.issuerUrl = str(a.outputs.oidcIssuerUrl?.value);
  const provider = childrenOf(
    a,
    "ClusterOidcProvider",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  )[0];
  const providerArn = str(provider?.state.arn);
  if (provider && providerArn) {
    const clientIds = provider.inputs.clientIdLists ?? provider.state.clientIdLists;
    const url = str(provider.inputs.url ?? provider.state.url);
    chain.provider = {
      arn: providerArn,
      adopted: provider.read,
      ...(url !== undefined ? { url } : {}),
      ...(Array.isArray(clientIds)
        ? { clientIds: clientIds.filter((c): c is string => typeof c === "string") }
        : {}),
    };
  }
  const source = childrenOf(a, "ChainedSourceRole", "aws:iam/role:Role")[0];
  const sourceArn = str(source?.state.arn);
  if (source && sourceArn) {
    chain.sourceRole = {
      arn: sourceArn,
      ...(str(source.inputs.assumeRolePolicy) !== undefined
        ? { trustPolicy: str(source.inputs.assumeRolePolicy) }
        : {}),
      permissionPolicies: policyTexts(policiesOfRole(a, source)),
    };
  }
  const serviceAccount = plannedServiceAccount(a);
  if (serviceAccount) chain.serviceAccount = serviceAccount;
  const configMap = childrenOf(a, "ChainedProfileConfigMap", "kubernetes:core/v1:ConfigMap")[0];
  if (configMap) {
    const metadata = record(configMap.inputs.metadata);
    const text = str(record(configMap.inputs.data)[CHAINED_CONFIG_KEY]);
    chain.profile = {
      configMap: str(metadata.name) ?? configMap.name,
      namespace: str(metadata.namespace) ?? "default",
      ...(text !== undefined ? { text } : {}),
    };
  }
  chain.workloads = plannedWorkloads(a).map(plannedChainedWorkload);
  return chain;
}
