/**
 * The account-a stack program: the cluster (and what the mechanism registers with it: Pod
 * Identity's agent add-on and source role, IRSA-chained's provider and source role), and once
 * account-b has outputs, the ServiceAccount, the reader Deployment and the access-check Job, wired
 * as the mechanism's stack layer (`mechanisms/<name>/accountA.ts`) wires them. With
 * `cross-account-irsa:grants` set the stack is in grants mode, which stacks/accountAGrants.ts runs.
 */
import * as pulumi from "@pulumi/pulumi";
import { AccessCheckJob } from "../components/accessCheckJob";
import { S3ReaderDeployment } from "../components/s3ReaderDeployment";
import { registerCluster } from "./cluster";
import { InputError } from "../components/errors";
import { SYSTEM_NAMESPACES } from "../components/serviceAccountResources";
import { STACK_LAYERS } from "../mechanisms/stackRegistry";
import {
  ACCOUNT_B_OUTPUT_NAMES,
  checkMechanismsMatch,
  chooseServiceAccount,
  parseAccountBOutputs,
} from "./crossStack";
import { parseAccountAConfig } from "./config";
import { accountAGrants } from "./accountAGrants";
import { MODE_OUTPUTS, checkOtherStackMode, isGrantsMode } from "./grantsMode";
import { awsProvider, programConfigGetters, readStackOutputs } from "./providers";

/** The `workload` output on account-a's first run, before account-b exists. */
export const WORKLOAD_SKIPPED = "skipped: account-b has no outputs yet";

/**
 * Whether account-a creates the ServiceAccount's namespace. As configured, except that a namespace
 * every cluster has (`default`, `kube-system`, `kube-public`, `kube-node-lease`) is never created:
 * asking for it is an error. Unset: created only when this stack creates the cluster too. A new
 * cluster has only those namespaces, so the workload's must be created; an adopted cluster's
 * namespaces are its owner's. Creating one that exists fails the update with "already exists", and
 * one created here would be deleted (with everything in it) when this stack is destroyed.
 * Whether it exists cannot be known offline (the plan has no cluster to ask), so it is not adopted.
 */
export function decideCreateNamespace(
  configured: boolean | undefined,
  namespace: string,
  adoptedCluster: boolean,
): boolean {
  const system = SYSTEM_NAMESPACES.includes(namespace);
  if (configured === true && system) {
    throw new InputError(
      "cross-account-irsa:createNamespace",
      true,
      `cannot create namespace "${namespace}" (the service account's): every cluster has ${SYSTEM_NAMESPACES.join(", ")} from the start, so creating it fails with "already exists"; leave createNamespace out or set it to false`,
    );
  }
  if (configured !== undefined) return configured;
  return !system && !adoptedCluster;
}

/**
 * account-a: the EKS cluster (created or adopted), and, once account-b has run, the ServiceAccount,
 * a Deployment that reads the bucket through it, and the Job that proves access works. What differs
 * between mechanisms is the mechanism's stack layer: IRSA annotates the ServiceAccount with
 * account-b's role; Pod Identity registers the agent add-on and a source role first, then the
 * source role's permission to chain into account-b's target role, one association per trusted
 * service account, and a plain ServiceAccount; IRSA-chained registers account A's provider and an
 * IRSA source role first, then the ServiceAccount annotated with it and the SDK's config file. Reads
 * account-b's outputs through a StackReference.
 */
export async function accountA(): Promise<Record<string, unknown>> {
  const settings = programConfigGetters();
  // Grants mode (cross-account-irsa:grants set): one binding per grant (stacks/accountAGrants.ts).
  if (isGrantsMode(settings)) return accountAGrants(settings);
  const config = parseAccountAConfig(settings, pulumi.getOrganization());
  const aws = awsProvider("account-a", config.aws, pulumi.getStack());
  const layer = STACK_LAYERS[config.mechanism].accountA;

  // Read account-b first: a mismatch must fail before anything is registered.
  const accountBRef = new pulumi.StackReference(config.accountBStack);
  const raw = await readStackOutputs(accountBRef, [...OUTPUT_NAMES, ...MODE_OUTPUTS]);
  const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  // An account-b in grants mode exports mode "grants": this single-grant stack cannot bind it.
  checkOtherStackMode("account-a", self, "single-grant", config.accountBStack, raw, false);
  const b = parseAccountBOutputs(config.accountBStack, raw);
  if (b) checkMechanismsMatch("account-a", config.mechanism, config.accountBStack, b.mechanism);
  const serviceAccount = b ? chooseServiceAccount(config.accountBStack, b, config.serviceAccount) : undefined;
  const adopted = config.cluster.existingName !== undefined;
  const createNamespace = serviceAccount
    ? decideCreateNamespace(config.createNamespace, serviceAccount.namespace, adopted)
    : false;
  // The chain as it is about to be built, checked with the chain's own checks before anything exists.
  if (b && serviceAccount) layer.checkBeforeRegistering(config, b, serviceAccount);

  const { cluster, outputs: clusterOutputs } = registerCluster(config, aws);
  const outputs: Record<string, unknown> = {
    ...clusterOutputs,
    mechanism: config.mechanism,
  };
  // What the mechanism registers with the cluster, before account-b has outputs too.
  const part = layer.register({ config, cluster, b, aws });
  Object.assign(outputs, part.outputs);

  if (!b || !serviceAccount) {
    await pulumi.log.info(
      `account-b (${config.accountBStack}) has no outputs yet: creating the cluster only. ` +
        `Run account-b's update, then this stack's again, to create the ServiceAccount, the reader and the access check.`,
    );
    return { ...outputs, workload: WORKLOAD_SKIPPED };
  }

  const kubernetes = cluster.kubernetesProvider;
  const workload = part.workload({ b, serviceAccount, createNamespace });
  outputs.serviceAccount = { namespace: serviceAccount.namespace, name: serviceAccount.name };
  outputs.roleArn = workload.roleArn;
  outputs.issuerCheck = workload.roleArn.apply(() => layer.issuerCheck);

  if (config.deployProbe) {
    const common = {
      namespace: serviceAccount.namespace,
      serviceAccountName: serviceAccount.name,
      bucketName: b.bucketName,
      objectKey: b.objectKey,
      region: b.region,
      mechanism: config.mechanism,
      ...(workload.associationArn ? { associationArn: workload.associationArn } : {}),
      ...(workload.podCredentials ? { podCredentials: workload.podCredentials } : {}),
    };
    // Pods must be created after what hands them credentials: the annotated ServiceAccount (the
    // webhook injects nothing into earlier pods), or the association (likewise for Pod Identity).
    // Both take effect seconds after the API call returns (CreatePodIdentityAssociation: "may take
    // several seconds to be effective after the initial API call returns successfully",
    // https://docs.aws.amazon.com/eks/latest/APIReference/API_CreatePodIdentityAssociation.html), and
    // a pod admitted before then never gets credentials (aws/eks-pod-identity-agent#52). The Job
    // recovers by itself: each retry is a new pod, admitted again. The reader waits for the Job, so
    // its pods are admitted only once a pod has been seen to get credentials and read the object.
    const check = new AccessCheckJob(
      "access-check",
      { ...common, expectedRoleArn: workload.roleArn },
      { providers: { kubernetes }, dependsOn: workload.ready },
    );
    const reader = new S3ReaderDeployment(
      "s3-reader",
      { ...common, roleArn: workload.roleArn },
      { providers: { kubernetes }, dependsOn: [...workload.ready, check] },
    );
    outputs.readerDeployment = reader.name;
    outputs.accessCheck = {
      namespace: check.namespace,
      jobName: check.name,
      expectedRoleArn: workload.roleArn,
      bucketName: b.bucketName,
      objectKey: b.objectKey,
    };
  }
  return outputs;
}

/** account-b outputs account-a reads: the shared ones and every mechanism's (its stack config layer's). */
export const OUTPUT_NAMES = ACCOUNT_B_OUTPUT_NAMES;
