/**
 * Two stacks' outputs in grants mode, as the contract writes them (not a test file): account-b's
 * `grants` (grant key -> { handoff, probe? }) and account-a's (grant key -> { mechanisms, roleArn,
 * serviceAccount, podCredentialPath, accessCheck? }), for two grants: `reports` trusted by IRSA and
 * Pod Identity and bound with both, `archive` IRSA only; and a third grant account-a does not bind.
 */
import { type StackOutputs } from "../../cli/shared/workspace";
import { plain } from "./stacksWorkspace";

export const STACKS = { a: "account-a", b: "account-b" };
export const ACCOUNT_A = "111122223333";
export const ACCOUNT_B = "444455556666";
export const HOST = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
export const CLUSTER_ARN = `arn:aws:eks:eu-west-1:${ACCOUNT_A}:cluster/demo`;

export const roleOf = (key: string) => `arn:aws:iam::${ACCOUNT_B}:role/${key}-reader`;
export const sourceRoleOf = (key: string) => `arn:aws:iam::${ACCOUNT_A}:role/${key}-pod-identity-source`;

/** A grant's handoff, as BucketAccessGrant writes it for `mechanisms`. */
export function handoffOf(key: string, mechanisms: string[]): Record<string, unknown> {
  return {
    version: 1,
    mechanisms,
    roleArn: roleOf(key),
    serviceAccounts: [{ namespace: "team-a", name: `${key}-reader` }],
    clusters: [
      {
        key: "cluster",
        ...(mechanisms.includes("irsa")
          ? {
              issuerUrl: `https://${HOST}`,
              oidcProviderArn: `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${HOST}`,
            }
          : {}),
        ...(mechanisms.includes("pod-identity")
          ? { clusterArn: CLUSTER_ARN, sourceRoleArn: sourceRoleOf(key) }
          : {}),
      },
    ],
    buckets: [{ name: `team-a-${key}`, access: "read", prefixes: ["reports/"] }],
  };
}

/** account-b's `grants` output entry of a grant. */
export const bGrant = (key: string, mechanisms: string[]) => ({
  handoff: handoffOf(key, mechanisms),
  probe: { bucketName: `team-a-${key}`, objectKey: "reports/check.txt" },
});

/** account-a's `grants` output entry of a grant bound with `mechanisms` (podCredentialPath: the first listed path). */
export const aGrant = (key: string, mechanisms: string[], podCredentialPath: string) => ({
  mechanisms,
  roleArn: roleOf(key),
  serviceAccount: { namespace: "team-a", name: `${key}-reader` },
  podCredentialPath,
  accessCheck: {
    namespace: "team-a",
    jobName: `${key}-access-check`,
    expectedRoleArn: roleOf(key),
    bucketName: `team-a-${key}`,
    objectKey: "reports/check.txt",
  },
});

/** account-b's outputs: three grants (`unused` is not bound by account-a). */
export function grantsB(grants?: Record<string, unknown>): StackOutputs {
  return {
    mode: plain("grants"),
    region: plain("eu-west-1"),
    grants: plain(
      grants ?? {
        reports: bGrant("reports", ["irsa", "pod-identity"]),
        archive: bGrant("archive", ["irsa"]),
        unused: bGrant("unused", ["irsa"]),
      },
    ),
  };
}

/** account-a's outputs: the cluster's and two grants. */
export function grantsA(grants?: Record<string, unknown>): StackOutputs {
  return {
    mode: plain("grants"),
    clusterName: plain("demo"),
    clusterArn: plain(CLUSTER_ARN),
    oidcIssuerUrl: plain(`https://${HOST}`),
    kubeconfig: { value: { apiVersion: "v1", kind: "Config" }, secret: true },
    grants: plain(
      grants ?? {
        reports: aGrant("reports", ["irsa", "pod-identity"], "irsa"),
        archive: aGrant("archive", ["irsa"], "irsa"),
      },
    ),
  };
}
