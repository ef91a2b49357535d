/**
 * The mechanism's wiring on each side, as the single-grant stack programs register it, for the
 * wiring and planned-collector specs under the mock engine (not a test file): account-b's
 * `BucketAccessGrant` (role `chained-target`) trusting account A's source role, and account-a's
 * provider and source role `chained-source` (its first update), then the `BucketAccessBinding`
 * adopting that role with the ServiceAccount and profile (its second update).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as aws from "@pulumi/aws";
import { BucketAccessGrant } from "../../../components/bucketAccessGrant";
import { irsaChainedSource } from "../../../mechanisms/irsa-chained/accountA";
import { chainedBinding } from "./chainedBinding";
import { BUCKET, ISSUER, SA, SOURCE } from "./snapshot";

/** account-b: the grant `irsa-chained-target` (role `chained-target`) trusting {@link SOURCE}. */
export function wireAccountB(prefixes?: string[]): BucketAccessGrant {
  // As account-b's single-grant program registers it (stacks/accountB.ts).
  return new BucketAccessGrant(
    "irsa-chained-target",
    {
      mechanisms: ["irsa-chained"],
      clusters: { cluster: { chainedSourceRoleArn: SOURCE } },
      serviceAccounts: [SA],
      buckets: [{ name: BUCKET, policyName: "s3-access", ...(prefixes ? { prefixes } : {}) }],
      roleName: "chained-target",
      chainedStatementSid: true,
    },
    { providers: { aws: new aws.Provider("aws", { region: "eu-west-1" }) } },
  );
}

/** account-a: the provider and source role chained into `targetRoleArn`, then the binding adopting it. */
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
  const binding = chainedBinding({
    sourceRoleArn: sourceRole.roleArn,
    targetRoleArn,
    serviceAccount: SA,
    bucketName: BUCKET,
    kubernetes: cluster.kubernetesProvider,
  });
  return { provider, sourceRole, binding };
}
