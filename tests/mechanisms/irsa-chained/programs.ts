/**
 * The mechanism's own wiring on each side, as the wiring and planned-collector specs run it under the
 * mock engine (not a test file): account-b's target role `chained-target` trusting account A's source
 * role, and account-a's provider, source role `chained-source`, ServiceAccount and profile.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as aws from "@pulumi/aws";
import { irsaChainedSource, irsaChainedWorkload } from "../../../mechanisms/irsa-chained/accountA";
import { irsaChainedAccountB } from "../../../mechanisms/irsa-chained/accountB";
import { ISSUER, SA, SOURCE } from "./snapshot";

/** account-b: the target role `chained-target` trusting {@link SOURCE}, with `inlinePolicies`. */
export function wireAccountB(accountAStack: string, inlinePolicies: Record<string, string>) {
  return irsaChainedAccountB({
    sourceRoleArn: SOURCE,
    accountAStack,
    serviceAccountCount: 1,
    role: { roleName: "chained-target", inlinePolicies },
    aws: new aws.Provider("aws", { region: "eu-west-1" }),
  });
}

/** account-a: the provider and source role chained into `targetRoleArn`, then the ServiceAccount and profile. */
export function wireAccountA(targetRoleArn: string) {
  const cluster = {
    oidcIssuerUrl: pulumi.output(ISSUER),
    oidcThumbprint: pulumi.output(""),
    kubernetesProvider: new k8s.Provider("k8s", { kubeconfig: "{}" }),
  };
  const { provider, sourceRole } = irsaChainedSource({
    cluster,
    config: { sourceRoleName: "chained-source" },
    serviceAccounts: [SA],
    targetRoleArn,
    aws: new aws.Provider("aws", { region: "eu-west-1" }),
  });
  const { wiring } = irsaChainedWorkload({
    cluster,
    sourceRole,
    roleArn: pulumi.output(targetRoleArn),
    serviceAccount: SA,
    createNamespace: false,
  });
  return { provider, sourceRole, wiring };
}
