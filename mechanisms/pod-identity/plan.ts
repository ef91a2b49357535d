/**
 * Pod Identity's planned collector (`pod-identity`): reads the chain's facts out of the recorded
 * passes, the registrations the final account-b and account-a runs would send. Pure: tests tamper
 * with the passes (or the snapshot) to produce broken links.
 */
import { type PodIdentitySnapshot } from "../../chain";
import { POD_IDENTITY_AGENT_ADDON } from "../../components/podIdentityPolicies";
import { accountBFacts, kubernetesFacts, policyTexts } from "../../plan/collect";
import { type StackPass } from "../../plan/passes";
import { type PlanConfigs } from "../../plan/planInput";
import { childrenOf, finalPass, policiesOfRole, resourcesOfType, str } from "../../plan/records";

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
  // Pod Identity's own source role: a binding that also chains (irsa-chained) has another role in A.
  const source = childrenOf(a, "PodIdentitySourceRole", "aws:iam/role:Role")[0];
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
