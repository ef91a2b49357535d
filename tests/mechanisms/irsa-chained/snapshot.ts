/**
 * A good IRSA-chained snapshot, built with the real builders (not a test file: mocha only runs
 * `*.test.ts`), for the link set's tests to break one fact at a time.
 */
import {
  buildChainedProfileConfig,
  buildChainedSourcePermissionPolicy,
  buildChainedSourceTrustPolicy,
  buildChainedTargetTrustPolicy,
} from "../../../components/chainedPolicies";
import { chainedPodWiring } from "../../../components/chainedWiring";
import { policyJson } from "../../../components/policyDocument";
import { buildS3AccessPolicy } from "../../../components/s3AccessPolicy";
import { type ChainedWorkload, type IrsaChainedSnapshot } from "../../../mechanisms/irsa-chained/snapshot";

export const ACCOUNT_A = "111122223333";
export const ACCOUNT_B = "444455556666";
export const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
export const PROVIDER_A = `arn:aws:iam::${ACCOUNT_A}:oidc-provider/${ISSUER.slice(8)}`;
export const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/chained-source`;
export const TARGET = `arn:aws:iam::${ACCOUNT_B}:role/chained-target`;
export const SA = { namespace: "team-a", name: "s3-reader" };
export const BUCKET = "reports-b";
export const KEY = "reports/check.txt";
export const CONFIG_MAP = "cross-account-irsa-aws-config";

/** A workload as account-a plans it: the access check's env plus the chained wiring. */
export function workload(kind: "Deployment" | "Job", name: string): ChainedWorkload {
  const wiring = chainedPodWiring({
    sourceRoleArn: SOURCE,
    configMapName: CONFIG_MAP,
    profileName: "cross-account-irsa",
  });
  return {
    kind,
    name,
    namespace: SA.namespace,
    serviceAccountName: SA.name,
    env: {
      EXPECTED_ROLE_ARN: TARGET,
      S3_BUCKET: BUCKET,
      S3_OBJECT_KEY: KEY,
      ...Object.fromEntries(wiring.env.map((e) => [e.name, e.value])),
    },
    configMapMounts: wiring.volumeMounts.map((m) => ({
      configMap: wiring.volumes.find((v) => v.name === m.name)!.configMap.name,
      mountPath: m.mountPath,
      readOnly: m.readOnly,
    })),
  };
}

/** Every link intact. */
export function goodSnapshot(): IrsaChainedSnapshot {
  return {
    mechanism: "irsa-chained",
    issuerUrl: ISSUER,
    provider: { arn: PROVIDER_A, url: ISSUER, clientIds: ["sts.amazonaws.com"], adopted: false },
    sourceRole: {
      arn: SOURCE,
      trustPolicy: policyJson(
        buildChainedSourceTrustPolicy({
          oidcProviderArn: PROVIDER_A,
          issuerUrl: ISSUER,
          serviceAccounts: [SA],
        }),
      ),
      permissionPolicies: {
        "assume-target-role": policyJson(buildChainedSourcePermissionPolicy({ targetRoleArn: TARGET })),
      },
    },
    role: { arn: TARGET, trustPolicy: policyJson(buildChainedTargetTrustPolicy({ sourceRoleArn: SOURCE })) },
    permissionPolicies: {
      "s3-access": policyJson(buildS3AccessPolicy({ bucketName: BUCKET, prefixes: ["reports/"] })),
    },
    trusted: [SA],
    bucketName: BUCKET,
    objectKey: KEY,
    serviceAccount: { ...SA, annotations: { "eks.amazonaws.com/role-arn": SOURCE } },
    profile: {
      configMap: CONFIG_MAP,
      namespace: SA.namespace,
      text: buildChainedProfileConfig({ sourceRoleArn: SOURCE, targetRoleArn: TARGET }).text,
    },
    workloads: [workload("Deployment", "s3-reader"), workload("Job", "access-check-1")],
    deployProbe: true,
  };
}
