/**
 * IRSA with role chaining, one program for both accounts: account B trusts account A's IRSA source
 * role by name (it need not exist yet) and needs no OIDC provider; account A gets its own OIDC
 * provider for the cluster's issuer, that source role (the name B's trust names), the ServiceAccount
 * annotated with it and the SDK config file that chains into B's role (AWS_CONFIG_FILE, AWS_PROFILE).
 */
import * as aws from "@pulumi/aws";
import { BucketAccessBinding, BucketAccessGrant } from "cross-account-irsa";

const accountA = new aws.Provider("account-a", { region: "eu-west-1", allowedAccountIds: ["111122223333"] });
const accountB = new aws.Provider("account-b", { region: "eu-west-1", allowedAccountIds: ["222233334444"] });

// Account B: the grant.
const grant = new BucketAccessGrant(
  "reports",
  {
    mechanisms: ["irsa-chained"],
    clusters: { prod: { chainedSourceRoleArn: "arn:aws:iam::111122223333:role/reports-chained" } },
    serviceAccounts: [{ namespace: "apps", name: "reports" }],
    buckets: [{ name: "acme-reports" }],
    roleName: "reports",
  },
  { providers: { aws: accountB } },
);

// Account A: the binding (the handoff typically comes through a StackReference).
const binding = new BucketAccessBinding(
  "reports",
  {
    handoff: grant.handoff,
    mechanisms: ["irsa-chained"],
    issuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
    serviceAccount: { namespace: "apps", name: "reports" },
    probe: { objectKey: "probe.txt" },
  },
  { providers: { aws: accountA } },
);
export const trustPolicy = grant.trustPolicy;
export const podCredentialPath = binding.podCredentialPath;
