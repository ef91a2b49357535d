/**
 * The account-a stack program: the cluster (and what the mechanism registers with it on the first
 * update: Pod Identity's agent add-on and source role, IRSA-chained's provider and source role, the
 * mechanism's stack layer `mechanisms/<name>/accountA.ts`), and once account-b has outputs, its one
 * grant through `BucketAccessBinding` (the ServiceAccount, what hands it credentials, the reader
 * Deployment and the access-check Job), as grants mode binds each grant. With
 * `cross-account-irsa:grants` set the stack is in grants mode, which stacks/accountAGrants.ts runs.
 */
import * as pulumi from "@pulumi/pulumi";
import { BucketAccessBinding } from "../components/bucketAccessBinding";
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
import { SINGLE_GRANT_BINDING, topLevel } from "./singleGrantAliases";
import { singleGrantHandoff } from "./singleGrantHandoff";

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
 * account-a: the EKS cluster (created or adopted), and, once account-b has run, one
 * `BucketAccessBinding` (named {@link SINGLE_GRANT_BINDING}): the ServiceAccount, a Deployment that
 * reads the bucket through it, and the Job that proves access works. What differs between
 * mechanisms is the mechanism's stack layer: IRSA adds nothing (the binding annotates the
 * ServiceAccount with account-b's role); Pod Identity registers the agent add-on and a source role
 * first, which the binding adopts for one association per trusted service account; IRSA-chained
 * registers account A's provider and an IRSA source role first, which the binding adopts for the
 * annotation and the SDK's config file. Every resource that moved under the binding carries an alias
 * to its URN from before (stacks/singleGrantAliases.ts), so an upgrade replaces nothing. Reads
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

  // The one grant, through the component grants mode uses: its handoff built from account-b's
  // outputs once the mechanism's links that need the cluster pass (every resource of the binding
  // waits for it), its resources aliased from where this program registered them before.
  const wiring = part.binding({ b, serviceAccount });
  const accountB = b;
  const handoff = pulumi
    .all([wiring.roleArn, cluster.oidcIssuerUrl, cluster.clusterArn, part.sourceRoleArn])
    .apply(([, issuerUrl, clusterArn, sourceRoleArn]) =>
      singleGrantHandoff(config.accountBStack, accountB, serviceAccount, {
        issuerUrl,
        clusterArn,
        ...(sourceRoleArn !== undefined ? { sourceRoleArn } : {}),
      }),
    );
  const binding = new BucketAccessBinding(
    SINGLE_GRANT_BINDING,
    {
      ...wiring.args,
      handoff,
      expectedRoleArn: b.roleArn,
      mechanisms: [config.mechanism],
      serviceAccount: {
        namespace: serviceAccount.namespace,
        name: serviceAccount.name,
        create: true,
        createNamespace,
      },
      // Pods must be created after what hands them credentials: the binding makes its probe wait
      // for the annotated ServiceAccount, the association or the config file.
      ...(config.deployProbe
        ? {
            probe: {
              objectKey: b.objectKey,
              bucketName: b.bucketName,
              ...(b.region !== undefined ? { region: b.region } : {}),
            },
          }
        : {}),
      childAliases: {
        ...wiring.childAliases,
        accessCheck: topLevel("access-check", "cross-account-irsa:index:AccessCheckJob"),
        reader: topLevel("s3-reader", "cross-account-irsa:index:S3ReaderDeployment"),
      },
    },
    { providers: { aws, kubernetes: cluster.kubernetesProvider }, dependsOn: [cluster, ...wiring.dependsOn] },
  );
  outputs.serviceAccount = { namespace: serviceAccount.namespace, name: serviceAccount.name };
  outputs.roleArn = binding.roleArn;
  outputs.issuerCheck = binding.roleArn.apply(() => layer.issuerCheck);
  if (config.deployProbe) {
    outputs.readerDeployment = binding.readerDeploymentName;
    outputs.accessCheck = {
      namespace: binding.namespace,
      jobName: binding.accessCheckJobName,
      expectedRoleArn: binding.roleArn,
      bucketName: b.bucketName,
      objectKey: b.objectKey,
    };
  }
  return outputs;
}

/** account-b outputs account-a reads: the shared ones and every mechanism's (its stack config layer's). */
export const OUTPUT_NAMES = ACCOUNT_B_OUTPUT_NAMES;
