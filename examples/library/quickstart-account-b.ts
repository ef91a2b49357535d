/**
 * The quick start, account B (README): one grant for two buckets, one existing and one created,
 * trusted by IRSA and EKS Pod Identity at once. Account A's stack exports its cluster's issuer and
 * ARN; the source role is named here, before it exists (the trust names it by aws:PrincipalArn).
 */
import * as pulumi from "@pulumi/pulumi";
import { BucketAccessGrant } from "cross-account-irsa";

const a = new pulumi.StackReference("acme/cluster/prod");
const grant = new BucketAccessGrant("reports", {
  mechanisms: ["irsa", "pod-identity"],
  clusters: {
    prod: {
      issuerUrl: a.requireOutput("oidcIssuerUrl"),
      clusterArn: a.requireOutput("clusterArn"),
      sourceRoleArn: "arn:aws:iam::111122223333:role/reports-source",
    },
  },
  serviceAccounts: [{ namespace: "apps", name: "reports" }],
  buckets: [{ name: "acme-reports" }, { name: "acme-exports", create: true, access: "read-write" }],
});
export const handoff = grant.handoff;
