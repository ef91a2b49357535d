/**
 * An existing bucket encrypted with a KMS key that a third account owns: the grant gives its role
 * kms:Decrypt on the key and outputs the statement the key's owner must add to the key policy (this
 * program cannot write another account's key policy).
 */
import { BucketAccessGrant } from "cross-account-irsa";

const grant = new BucketAccessGrant("archive", {
  mechanisms: ["irsa"],
  clusters: {
    prod: { issuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF" },
  },
  serviceAccounts: [{ namespace: "apps", name: "archive-reader" }],
  buckets: [
    {
      name: "acme-archive",
      prefixes: ["2026/"],
      kmsKeyArn: "arn:aws:kms:eu-west-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    },
  ],
});
export const kmsKeyPolicyStatements = grant.kmsKeyPolicyStatements;
