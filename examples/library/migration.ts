/**
 * IRSA to EKS Pod Identity without downtime (docs/migration.md): the config value `migrationStep`
 * (1, 2 or 3) is the whole change between the three deploys.
 *   1. the role trusts both paths; account A keeps the annotation and adds the association (pods: IRSA);
 *   2. account A drops the annotation: pods rolled from now on use Pod Identity;
 *   3. the role drops the IRSA trust (and the grant its OIDC provider).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BucketAccessBinding, BucketAccessGrant, Mechanism } from "cross-account-irsa";

const step = new pulumi.Config().requireNumber("migrationStep");
const trusted: Mechanism[] = step < 3 ? [Mechanism.Irsa, Mechanism.PodIdentity] : [Mechanism.PodIdentity];
const bound: Mechanism[] = step < 2 ? [Mechanism.Irsa, Mechanism.PodIdentity] : [Mechanism.PodIdentity];

const accountA = new aws.Provider("account-a", { region: "eu-west-1", allowedAccountIds: ["111122223333"] });
const accountB = new aws.Provider("account-b", { region: "eu-west-1", allowedAccountIds: ["222233334444"] });
const issuerUrl = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";

const grant = new BucketAccessGrant(
  "reports",
  {
    mechanisms: trusted,
    clusters: {
      prod: {
        ...(trusted.includes(Mechanism.Irsa) ? { issuerUrl } : {}),
        clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod",
        sourceRoleArn: "arn:aws:iam::111122223333:role/reports-source",
      },
    },
    serviceAccounts: [{ namespace: "apps", name: "reports" }],
    buckets: [{ name: "acme-reports" }],
    roleName: "reports",
  },
  { providers: { aws: accountB } },
);

const binding = new BucketAccessBinding(
  "reports",
  {
    handoff: grant.handoff,
    mechanisms: bound,
    clusterName: "prod",
    serviceAccount: { namespace: "apps", name: "reports" },
    probe: { objectKey: "probe.txt" },
  },
  { providers: { aws: accountA } },
);
export const trustPolicy = grant.trustPolicy;
export const podCredentialPath = binding.podCredentialPath;
