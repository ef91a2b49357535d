/**
 * The account-a stack program: the cluster (and, for Pod Identity, the agent add-on and the source
 * role), and once account-b has outputs, the ServiceAccount, the reader Deployment and the
 * access-check Job, wired through IRSA or EKS Pod Identity.
 */
import * as pulumi from "@pulumi/pulumi";
import { AccessCheckJob } from "../components/accessCheckJob";
import { CrossAccountPodIdentity } from "../components/crossAccountPodIdentity";
import { IrsaServiceAccount } from "../components/irsaServiceAccount";
import { PodIdentityAgent } from "../components/podIdentityAgent";
import { PodIdentityServiceAccount } from "../components/podIdentityServiceAccount";
import { PodIdentitySourceRole } from "../components/podIdentitySourceRole";
import { S3ReaderDeployment } from "../components/s3ReaderDeployment";
import { WorkloadCluster } from "../components/workloadCluster";
import { type ServiceAccountRef } from "../components/trustPolicy";
import {
  checkMechanismsMatch,
  checkPlannedChain,
  checkProviderMatchesIssuer,
  chooseServiceAccount,
  parseAccountBOutputs,
  type AccountBOutputs,
} from "./crossStack";
import { checkPlannedPodIdentityChain, type PodIdentitySide } from "./crossStackPodIdentity";
import { parseAccountAConfig, type AccountAConfig } from "./config";
import { awsProvider, programConfigGetters, readStackOutputs } from "./providers";

/** The `workload` output on account-a's first run, before account-b exists. */
export const WORKLOAD_SKIPPED = "skipped: account-b has no outputs yet";

/** What account-a's second half wires: the checked role ARN gates every Kubernetes resource. */
interface Workload {
  b: AccountBOutputs;
  serviceAccount: ServiceAccountRef;
  /** account-b's role ARN, resolved only once the links that need the cluster pass. */
  roleArn: pulumi.Output<string>;
  /** What the pods must wait for: the annotated ServiceAccount, or the plain one and the associations. */
  ready: pulumi.Resource[];
}

/**
 * account-a: the EKS cluster (created or adopted), and, once account-b has run, the ServiceAccount,
 * a Deployment that reads the bucket through it, and the Job that proves access works. IRSA: the
 * ServiceAccount is annotated with account-b's role. Pod Identity: the agent add-on and a source
 * role first; then the source role's permission to chain into account-b's target role, one
 * association per trusted service account, and a plain ServiceAccount. Reads account-b's outputs
 * through a StackReference.
 */
export async function accountA(): Promise<Record<string, unknown>> {
  const config = parseAccountAConfig(programConfigGetters(), pulumi.getOrganization());
  const aws = awsProvider("account-a", config.aws, pulumi.getStack());
  const podIdentity = config.mechanism === "pod-identity";

  // Read account-b first: a mismatch must fail before anything is registered.
  const accountBRef = new pulumi.StackReference(config.accountBStack);
  const b = parseAccountBOutputs(config.accountBStack, await readStackOutputs(accountBRef, OUTPUT_NAMES));
  if (b) checkMechanismsMatch("account-a", config.mechanism, config.accountBStack, b.mechanism);
  const serviceAccount = b ? chooseServiceAccount(config.accountBStack, b, config.serviceAccount) : undefined;
  const adopted = config.cluster.existingName !== undefined;
  const installsAgent = podIdentity && (config.cluster.podIdentityAgent ?? !adopted);
  const side: PodIdentitySide = { installsAgent, adoptedCluster: adopted };
  // The chain as it is about to be built, checked with the chain's own checks before anything exists.
  if (b && serviceAccount) {
    if (podIdentity) checkPlannedPodIdentityChain(b, serviceAccount, config.deployProbe, side);
    else checkPlannedChain(b, serviceAccount, config.deployProbe);
  }

  const cluster = new WorkloadCluster(
    "cluster",
    {
      existingClusterName: config.cluster.existingName,
      version: config.cluster.version,
      instanceType: config.cluster.instanceType,
      desiredCapacity: config.cluster.desiredCapacity,
      minSize: config.cluster.minSize,
      maxSize: config.cluster.maxSize,
      vpcId: config.cluster.vpcId,
      publicSubnetIds: config.cluster.publicSubnetIds,
      privateSubnetIds: config.cluster.privateSubnetIds,
      // The kubeconfig authenticates exactly as the stack's AWS provider does.
      kubeconfigProfile: config.kubeconfig.profile,
      kubeconfigRoleArn: config.kubeconfig.roleArn,
    },
    { providers: { aws } },
  );
  const outputs: Record<string, unknown> = {
    clusterName: cluster.clusterName,
    clusterArn: cluster.clusterArn,
    oidcIssuerUrl: cluster.oidcIssuerUrl,
    oidcThumbprint: cluster.oidcThumbprint,
    kubeconfig: cluster.kubeconfig,
    mechanism: config.mechanism,
  };
  let sourceRole: PodIdentitySourceRole | undefined;
  let agent: PodIdentityAgent | undefined;
  if (podIdentity) {
    if (installsAgent) {
      agent = new PodIdentityAgent(
        "pod-identity-agent",
        { clusterName: cluster.clusterName },
        {
          providers: { aws },
        },
      );
    }
    sourceRole = new PodIdentitySourceRole(
      "pod-identity-source",
      { clusterArn: cluster.clusterArn },
      {
        providers: { aws },
      },
    );
    outputs.sourceRoleArn = sourceRole.roleArn;
    outputs.podIdentityAgent = installsAgent
      ? "installed by this stack"
      : "not installed by this stack: the adopted cluster must run the eks-pod-identity-agent add-on";
  }

  if (!b || !serviceAccount) {
    await pulumi.log.info(
      `account-b (${config.accountBStack}) has no outputs yet: creating the cluster only. ` +
        `Run account-b's update, then this stack's again, to create the ServiceAccount, the reader and the access check.`,
    );
    return { ...outputs, workload: WORKLOAD_SKIPPED };
  }

  const kubernetes = cluster.kubernetesProvider;
  const workload =
    podIdentity && sourceRole
      ? wirePodIdentity(config, b, serviceAccount, cluster, sourceRole, side, agent, aws)
      : wireIrsa(config, b, serviceAccount, cluster);
  outputs.serviceAccount = { namespace: serviceAccount.namespace, name: serviceAccount.name };
  outputs.roleArn = workload.roleArn;
  outputs.issuerCheck = workload.roleArn.apply(() =>
    podIdentity
      ? "account-b's target role trusts this cluster's source role"
      : "account-b's OIDC provider matches this cluster's issuer",
  );

  if (config.deployProbe) {
    const common = {
      namespace: serviceAccount.namespace,
      serviceAccountName: serviceAccount.name,
      bucketName: b.bucketName,
      objectKey: b.objectKey,
      region: b.region,
    };
    // Pods must be created after what hands them credentials: the annotated ServiceAccount (the
    // webhook injects nothing into earlier pods), or the association (likewise for Pod Identity).
    const reader = new S3ReaderDeployment(
      "s3-reader",
      { ...common, roleArn: workload.roleArn },
      { providers: { kubernetes }, dependsOn: workload.ready },
    );
    const check = new AccessCheckJob(
      "access-check",
      { ...common, expectedRoleArn: workload.roleArn },
      { providers: { kubernetes }, dependsOn: workload.ready },
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

/**
 * IRSA: the issuer is known only once the cluster exists: the links that need it (the issuer,
 * account-b's provider for it) are checked then, and every Kubernetes resource takes the role ARN
 * from that check, so none is registered, created or updated while a link is broken.
 */
function wireIrsa(
  config: AccountAConfig,
  b: AccountBOutputs,
  serviceAccount: ServiceAccountRef,
  cluster: WorkloadCluster,
): Workload {
  const roleArn = cluster.oidcIssuerUrl.apply((issuer) => {
    if (b.oidcProviderArn) checkProviderMatchesIssuer(config.accountBStack, b.oidcProviderArn, issuer);
    checkPlannedChain(b, serviceAccount, config.deployProbe, issuer);
    return b.roleArn;
  });
  const sa = new IrsaServiceAccount(
    "irsa-service-account",
    {
      // Through the check too, so that not even the Namespace is created while a link is broken.
      namespace: roleArn.apply(() => serviceAccount.namespace),
      name: serviceAccount.name,
      roleArn,
      createNamespace: config.createNamespace,
    },
    { providers: { kubernetes: cluster.kubernetesProvider }, dependsOn: [cluster] },
  );
  return { b, serviceAccount, roleArn, ready: [sa] };
}

/**
 * Pod Identity: the cluster's and the source role's ARNs are known only once they exist: the chain
 * is checked again then (account-b's target trust names them), and the source role's permission,
 * the associations and every Kubernetes resource wait for that check.
 */
function wirePodIdentity(
  config: AccountAConfig,
  b: AccountBOutputs,
  serviceAccount: ServiceAccountRef,
  cluster: WorkloadCluster,
  sourceRole: PodIdentitySourceRole,
  side: PodIdentitySide,
  agent: PodIdentityAgent | undefined,
  aws: pulumi.ProviderResource,
): Workload {
  const roleArn = pulumi
    .all([cluster.clusterArn, cluster.clusterName, sourceRole.roleArn])
    .apply(([clusterArn, clusterName, sourceRoleArn]) => {
      checkPlannedPodIdentityChain(b, serviceAccount, config.deployProbe, {
        ...side,
        clusterArn,
        clusterName,
        sourceRoleArn,
      });
      return b.roleArn;
    });
  const identity = new CrossAccountPodIdentity(
    "pod-identity",
    {
      clusterName: cluster.clusterName,
      sourceRoleArn: sourceRole.roleArn,
      targetRoleArn: roleArn,
      serviceAccounts: b.serviceAccounts,
    },
    { providers: { aws }, dependsOn: agent ? [agent] : [] },
  );
  const sa = new PodIdentityServiceAccount(
    "pod-identity-service-account",
    {
      namespace: roleArn.apply(() => serviceAccount.namespace),
      name: serviceAccount.name,
      createNamespace: config.createNamespace,
    },
    { providers: { kubernetes: cluster.kubernetesProvider }, dependsOn: [cluster] },
  );
  return { b, serviceAccount, roleArn, ready: [sa, identity] };
}

/** account-b outputs account-a reads. */
export const OUTPUT_NAMES = [
  "roleArn",
  "bucketName",
  "objectKey",
  "serviceAccount",
  "serviceAccounts",
  "trustPolicy",
  "oidcProviderArn",
  "region",
  "accessPolicy",
  "mechanism",
  "clusterArn",
  "sourceRoleArn",
] as const;
