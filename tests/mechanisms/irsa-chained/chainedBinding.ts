/**
 * account-a's second part for irsa-chained, as the single-grant program registers it: the binding
 * adopting the source role `irsaChainedSource` registered, for one service account (what the
 * layer's own workload function registered before single-grant mode ran through the binding).
 */
import type * as pulumi from "@pulumi/pulumi";
import { BucketAccessBinding } from "../../../components/bucketAccessBinding";
import { DEFAULT_CHAINED_CONFIG_MAP } from "../../../components/chainedProfileConfigMap";
import { type BucketAccessHandoff } from "../../../components/bucketAccessHandoff";
import { Mechanism } from "../../../components/mechanism";
import { type ServiceAccountRef } from "../../../components/trustPolicy";

export function chainedBinding(input: {
  sourceRoleArn: pulumi.Output<string>;
  targetRoleArn: string;
  serviceAccount: ServiceAccountRef;
  bucketName: string;
  kubernetes: pulumi.ProviderResource;
}): BucketAccessBinding {
  const handoff = input.sourceRoleArn.apply((chainedSourceRoleArn): BucketAccessHandoff => ({
    version: 1,
    mechanisms: [Mechanism.IrsaChained],
    roleArn: input.targetRoleArn,
    serviceAccounts: [input.serviceAccount],
    clusters: [{ key: "cluster", chainedSourceRoleArn }],
    buckets: [{ name: input.bucketName, access: "read", prefixes: [] }],
  }));
  return new BucketAccessBinding(
    "binding",
    {
      handoff,
      mechanisms: [Mechanism.IrsaChained],
      chainedSourceRoleArn: input.sourceRoleArn,
      chainedConfigMapName: DEFAULT_CHAINED_CONFIG_MAP,
      serviceAccount: { ...input.serviceAccount },
    },
    { providers: { kubernetes: input.kubernetes } },
  );
}
