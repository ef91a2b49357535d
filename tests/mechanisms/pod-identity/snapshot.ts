/**
 * A healthy Pod Identity snapshot as account-a's program and the plan build it (not a test file),
 * for the tests of chain/'s Pod Identity checks, planned and live: the live ones add what the
 * doctor's collector reads.
 */
import { type PodIdentitySnapshot } from "../../../chain";
import { policyJson } from "../../../components/policyDocument";
import {
  buildPodIdentitySourcePermissionPolicy,
  buildPodIdentitySourceTrustPolicy,
  buildPodIdentityTargetTrustPolicy,
} from "../../../components/podIdentityPolicies";
import { buildS3AccessPolicy } from "../../../components/s3AccessPolicy";

export const A = "111122223333";
export const B = "444455556666";
export const CLUSTER = `arn:aws:eks:eu-west-1:${A}:cluster/prod`;
export const SOURCE = `arn:aws:iam::${A}:role/pod-source`;
export const TARGET = `arn:aws:iam::${B}:role/pod-target`;
export const SA = { namespace: "team-a", name: "s3-reader" };

/** Every link healthy: the agent installed by the stack, one association, the object `x.txt`. */
export function plannedPodIdentity(): PodIdentitySnapshot {
  return {
    mechanism: "pod-identity",
    cluster: { arn: CLUSTER, name: "prod" },
    agent: { installed: true, adopted: false },
    sourceRole: {
      arn: SOURCE,
      trustPolicy: policyJson(buildPodIdentitySourceTrustPolicy({ clusterArn: CLUSTER })),
      permissionPolicies: {
        chain: policyJson(buildPodIdentitySourcePermissionPolicy({ targetRoleArn: TARGET })),
      },
    },
    role: {
      arn: TARGET,
      trustPolicy: policyJson(
        buildPodIdentityTargetTrustPolicy({
          sourceRoleArn: SOURCE,
          clusterArn: CLUSTER,
          serviceAccounts: [SA],
        }),
      ),
    },
    permissionPolicies: { "s3-access": policyJson(buildS3AccessPolicy({ bucketName: "team-data" })) },
    associations: [
      { namespace: SA.namespace, serviceAccount: SA.name, roleArn: SOURCE, targetRoleArn: TARGET },
    ],
    trusted: [SA],
    bucketName: "team-data",
    objectKey: "x.txt",
    serviceAccount: { ...SA, annotations: {} },
    workloads: [],
    deployProbe: false,
  };
}
