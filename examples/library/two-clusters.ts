/**
 * One grant, two clusters (a blue/green pair), both paths: one IRSA statement per cluster issuer (a
 * provider each) and one Pod Identity statement per cluster and namespace, in one role.
 */
import { BucketAccessGrant } from "cross-account-irsa";

const grant = new BucketAccessGrant("reports", {
  mechanisms: ["irsa", "pod-identity"],
  clusters: {
    blue: {
      issuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
      clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/blue",
      sourceRoleArn: "arn:aws:iam::111122223333:role/reports-source-blue",
    },
    green: {
      issuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210",
      clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/green",
      sourceRoleArn: "arn:aws:iam::111122223333:role/reports-source-green",
    },
  },
  serviceAccounts: [{ namespace: "apps", name: "reports" }],
  buckets: [{ name: "acme-reports" }],
  maxTrustPolicySize: 4096,
});
export const trustPolicy = grant.trustPolicy;
