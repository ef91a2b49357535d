/**
 * The accounts, cluster and grant the BucketAccessGrant / BucketAccessBinding tests share (not a test
 * file): account A runs cluster `prod` in eu-west-1, account B grants role `reports` to ServiceAccount
 * apps/reports. Each spec names its own source roles (their paths are what some of them test).
 */
import type { GrantCluster } from "../../components/bucketAccess";

export const ACCOUNT_A = "111122223333";
export const ACCOUNT_B = "222233334444";
/** The cluster's OIDC issuer, host/path. */
export const HOST = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
export const ISSUER = `https://${HOST}`;
/** Account B's IAM OIDC provider for the issuer (IRSA). */
export const PROVIDER = `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${HOST}`;
/** Account A's IAM OIDC provider for the issuer (irsa-chained). */
export const PROVIDER_A = `arn:aws:iam::${ACCOUNT_A}:oidc-provider/${HOST}`;
export const CLUSTER = `arn:aws:eks:eu-west-1:${ACCOUNT_A}:cluster/prod`;
/** The grant's role in account B. */
export const ROLE = `arn:aws:iam::${ACCOUNT_B}:role/reports`;
export const SA = { namespace: "apps", name: "reports" };

/** Account A's source role of the Pod Identity paths. */
export const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/reports-source`;
/** The two ServiceAccounts most grants trust. */
export const SAS = [
  { namespace: "apps", name: "reports" },
  { namespace: "jobs", name: "export" },
];
/** The cluster as a grant of both IRSA and Pod Identity reads it. */
export const BOTH: GrantCluster = {
  issuerUrl: ISSUER,
  oidcProviderArn: PROVIDER,
  clusterArn: CLUSTER,
  sourceRoleArn: SOURCE,
};
