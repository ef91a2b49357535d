/**
 * A grant of a grants-mode stack pair, for one of its paths and one of its buckets, in the shape of
 * single-grant mode's validated configs (`PlanConfigs`): what each mechanism's collector and access matrix
 * read (the trusted service accounts, the access level, prefixes, object key and KMS key of the
 * bucket, the binding's probe, the cluster's adoption, the accounts), so they judge each grant
 * unchanged. The expectations still come from the config, never from the programs' documents.
 *
 * The per-grant fields single-grant mode has and a grant does not (name patterns, a role name, a session
 * duration, an object's content) are the values that change nothing the plan checks: exact names,
 * none, IAM's default, none. Pure.
 */
import { type Mechanism } from "../components/mechanism";
import {
  type PlanBinding,
  type PlanConfigs,
  type PlanGrant,
  type PlanGrantBucket,
  type PlanGrantsConfigs,
} from "./planInput";

/** The object key the access rows read in a bucket whose grant names none. */
export function sampleObjectKey(bucket: PlanGrantBucket): string {
  return bucket.objectKey ?? `${bucket.prefixes[0] ?? ""}example.txt`;
}

/** The single-grant-shaped configs of one grant's `mechanism` path and one of its buckets. */
export function grantPathConfigs(
  configs: PlanGrantsConfigs,
  grant: PlanGrant,
  binding: PlanBinding | undefined,
  mechanism: Mechanism,
  bucket: PlanGrantBucket = grant.buckets[0],
): PlanConfigs {
  return {
    b: {
      aws: configs.b.aws,
      mechanism,
      accountAStack: configs.b.accountAStack,
      serviceAccounts: grant.serviceAccounts.map((sa) => ({ namespace: sa.namespace, name: sa.name })),
      conditionTest: "StringEquals",
      trustWholeNamespaces: false,
      bucket: {
        name: bucket.name,
        create: bucket.create,
        objectKey: sampleObjectKey(bucket),
        objectContent: "",
        ...(bucket.kmsKeyArn !== undefined ? { kmsKeyArn: bucket.kmsKeyArn } : {}),
        forceDestroy: false,
      },
      access: bucket.access,
      prefixes: [...bucket.prefixes],
      maxSessionDuration: 3600,
      maxTrustPolicySize: grant.maxTrustPolicySize,
    },
    a: {
      aws: configs.a.aws,
      mechanism,
      accountBStack: configs.a.accountBStack,
      cluster: configs.a.cluster,
      ...(binding ? { serviceAccount: binding.serviceAccount } : {}),
      deployProbe: binding?.deployProbe ?? false,
      createNamespace: undefined,
      kubeconfig: {}, // read by no collector or matrix
    },
  };
}
