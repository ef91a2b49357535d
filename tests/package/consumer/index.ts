/**
 * A TypeScript Pulumi program as a user writes it after `npm install cross-account-irsa`: account B's
 * side of IRSA for one service account of an EKS cluster in account A. tests/package/tarball.test.ts
 * type-checks it against the packed package and runs it under Pulumi's runtime mocks (run.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  IrsaRole,
  SecureBucket,
  buildS3AccessPolicy,
  policyJson,
  type IrsaRoleArgs,
} from "cross-account-irsa";

// In a real program these come from account A's stack (a StackReference) and a ClusterOidcProvider.
const issuerUrl = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const oidcProviderArn =
  "arn:aws:iam::444455556666:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";

const bucket = new SecureBucket("data", { bucketName: "team-irsa-data" });

const roleArgs: IrsaRoleArgs = {
  clusters: [{ oidcProviderArn, issuerUrl, serviceAccounts: [{ namespace: "apps", name: "s3-reader" }] }],
  roleName: "apps-s3-reader",
  inlinePolicies: {
    "s3-read": bucket.bucketName.apply((bucketName) => policyJson(buildS3AccessPolicy({ bucketName }))),
  },
};
const role = new IrsaRole("s3-reader", roleArgs);

export const roleArn: pulumi.Output<string> = role.roleArn;
export const bucketName: pulumi.Output<string> = bucket.bucketName;

/** Mistakes the package's declarations must reject (never called: it only has to type-check). */
export function rejectedByTheDeclarations(): void {
  // @ts-expect-error `clusters` is required.
  new IrsaRole("no-clusters", {});
  // @ts-expect-error a bucket name is a string.
  new SecureBucket("bad-name", { bucketName: 42 });
}
