/**
 * EKS Pod Identity only, one program for both accounts: a bucket created and hardened in account B,
 * the target role trusting account A's source role for one service account, and in account A the
 * source role (the name B's trust names) and the association.
 */
import * as aws from "@pulumi/aws";
import { BucketAccessBinding, BucketAccessGrant } from "cross-account-irsa";

const accountA = new aws.Provider("account-a", { region: "eu-west-1", allowedAccountIds: ["111122223333"] });
const accountB = new aws.Provider("account-b", { region: "eu-west-1", allowedAccountIds: ["222233334444"] });

const grant = new BucketAccessGrant(
  "exports",
  {
    mechanisms: ["pod-identity"],
    clusters: {
      prod: {
        clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod",
        sourceRoleArn: "arn:aws:iam::111122223333:role/exports-source",
      },
    },
    serviceAccounts: [{ namespace: "jobs", name: "exporter" }],
    buckets: [{ name: "acme-exports", create: true, access: "read-write" }],
  },
  { providers: { aws: accountB } },
);

new BucketAccessBinding(
  "exports",
  {
    handoff: grant.handoff,
    mechanisms: ["pod-identity"],
    clusterName: "prod",
    serviceAccount: { namespace: "jobs", name: "exporter", createNamespace: true },
  },
  { providers: { aws: accountA } },
);
export const roleArn = grant.roleArn;
