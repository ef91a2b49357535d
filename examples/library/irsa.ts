/**
 * IRSA only, one program for both accounts (an AWS provider each): an existing bucket, read-only under
 * one prefix, and an IAM OIDC provider for the cluster's issuer that account B already has (adopted).
 */
import * as aws from "@pulumi/aws";
import { BucketAccessBinding, BucketAccessGrant } from "cross-account-irsa";

const accountB = new aws.Provider("account-b", { region: "eu-west-1", allowedAccountIds: ["222233334444"] });
const issuerUrl = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";

const grant = new BucketAccessGrant(
  "reports",
  {
    mechanisms: ["irsa"],
    clusters: {
      prod: {
        issuerUrl,
        oidcProviderArn: `arn:aws:iam::222233334444:oidc-provider/${issuerUrl.slice("https://".length)}`,
      },
    },
    serviceAccounts: [{ namespace: "apps", name: "reports" }],
    buckets: [{ name: "acme-reports", prefixes: ["daily/"] }],
    roleName: "apps-reports",
  },
  { providers: { aws: accountB } },
);

new BucketAccessBinding("reports", {
  handoff: grant.handoff,
  mechanisms: ["irsa"],
  serviceAccount: { namespace: "apps", name: "reports" },
});
export const roleArn = grant.roleArn;
