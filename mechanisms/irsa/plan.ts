/**
 * IRSA's planned collector (`irsa`): reads the chain's facts out of the recorded passes, the
 * registrations the final account-b and account-a runs would send. Pure: tests tamper with the
 * passes (or the snapshot) to produce broken links.
 */
import { type IrsaSnapshot } from "../../chain";
import { accountBFacts, kubernetesFacts } from "../../plan/collect";
import { type StackPass } from "../../plan/passes";
import { type PlanConfigs } from "../../plan/planInput";
import { finalPass, resourcesOfType, str } from "../../plan/records";

/** The IRSA chain's facts: account-b's provider and role, account-a's issuer and ServiceAccount. */
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
