/**
 * The account-a stack program: the cluster (and, for Pod Identity, the agent add-on and the source
 * role), and once account-b has outputs, the ServiceAccount, the reader Deployment and the
 * access-check Job, wired through IRSA or EKS Pod Identity.
 */
import { usesPodIdentity } from "./configShared";
import { Mechanism } from "../components/mechanism";
import { type PodCredentialWiring } from "../components/podCredentials";
import { irsaChainedSource, irsaChainedWorkload } from "../mechanisms/irsa-chained/accountA";
import { plannedIrsaChainedProblems } from "../mechanisms/irsa-chained/crossStack";
import { key } from "./configSource";
import * as pulumi from "@pulumi/pulumi";
import { AccessCheckJob } from "../components/accessCheckJob";
import { CrossAccountPodIdentity } from "../components/crossAccountPodIdentity";
import { IrsaServiceAccount } from "../components/irsaServiceAccount";
import { PodIdentityAgent } from "../components/podIdentityAgent";
import { PodIdentityServiceAccount } from "../components/podIdentityServiceAccount";
import { PodIdentitySourceRole } from "../components/podIdentitySourceRole";
import { S3ReaderDeployment } from "../components/s3ReaderDeployment";
import { WorkloadCluster } from "../components/workloadCluster";
import { InputError } from "../components/errors";
import { SYSTEM_NAMESPACES } from "../components/serviceAccountResources";
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
  /** Pod Identity: the ARN of the association of the workload's ServiceAccount (pods wait for it too). */
  associationArn?: pulumi.Output<string>;
  /** IRSA with role chaining: the pods' wiring (the SDK config file's ConfigMap, AWS_CONFIG_FILE, AWS_PROFILE). */
  podCredentials?: pulumi.Output<PodCredentialWiring>;
}

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
 * a Deployment that reads the bucket through it, and the Job that proves access works. IRSA: the
 * ServiceAccount is annotated with account-b's role. Pod Identity: the agent add-on and a source
 * role first; then the source role's permission to chain into account-b's target role, one
 * association per trusted service account, and a plain ServiceAccount. Reads account-b's outputs
 * through a StackReference.
 */
export async function accountA(): Promise<Record<string, unknown>> {
  const config = parseAccountAConfig(programConfigGetters(), pulumi.getOrganization());
  const aws = awsProvider("account-a", config.aws, pulumi.getStack());
  const podIdentity = usesPodIdentity(config.mechanism);
  const chained = config.mechanism === Mechanism.IrsaChained;

  // Read account-b first: a mismatch must fail before anything is registered.
  const accountBRef = new pulumi.StackReference(config.accountBStack);
  const b = parseAccountBOutputs(config.accountBStack, await readStackOutputs(accountBRef, OUTPUT_NAMES));
  if (b) checkMechanismsMatch("account-a", config.mechanism, config.accountBStack, b.mechanism);
  const serviceAccount = b ? chooseServiceAccount(config.accountBStack, b, config.serviceAccount) : undefined;
  const adopted = config.cluster.existingName !== undefined;
  const installsAgent = podIdentity && (config.cluster.podIdentityAgent ?? !adopted);
  const side: PodIdentitySide = { installsAgent, adoptedCluster: adopted };
  const createNamespace = serviceAccount
    ? decideCreateNamespace(config.createNamespace, serviceAccount.namespace, adopted)
    : false;
  // The chain as it is about to be built, checked with the chain's own checks before anything exists.
  if (b && serviceAccount) {
    if (podIdentity) checkPlannedPodIdentityChain(b, serviceAccount, config.deployProbe, side);
    else if (chained) throwProblem(plannedIrsaChainedProblems(b, serviceAccount, config.deployProbe, {}));
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

  let chainedSource: ReturnType<typeof irsaChainedSource> | undefined;
  if (chained) {
    // The source role trusts account-b's service accounts; before account-b exists, account-a's own.
    const trusted = b?.serviceAccounts ?? (config.serviceAccount ? [config.serviceAccount] : undefined);
    if (trusted === undefined) {
      throw new InputError(
        key("serviceAccount"),
        undefined,
        'is required with mechanism "irsa-chained" until account-b has outputs: the source role this update ' +
          "creates trusts that service account (then exactly account-b's serviceAccounts)",
      );
    }
    chainedSource = irsaChainedSource({
      cluster,
      config: config.irsaChained ?? {},
      serviceAccounts: trusted,
      ...(b ? { targetRoleArn: b.roleArn } : {}),
      aws,
    });
    Object.assign(outputs, chainedSource.outputs);
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
      ? wirePodIdentity(config, b, serviceAccount, cluster, sourceRole, side, agent, aws, createNamespace)
      : chainedSource
        ? wireIrsaChained(config, b, serviceAccount, cluster, chainedSource, createNamespace)
        : wireIrsa(config, b, serviceAccount, cluster, createNamespace);
  outputs.serviceAccount = { namespace: serviceAccount.namespace, name: serviceAccount.name };
  outputs.roleArn = workload.roleArn;
  outputs.issuerCheck = workload.roleArn.apply(() =>
    podIdentity
      ? "account-b's target role trusts this cluster's source role"
      : chained
        ? "account-b's target role trusts this cluster's IRSA source role"
        : "account-b's OIDC provider matches this cluster's issuer",
  );

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

/** Throws a chain problem found before registering (the message names each broken link and its fix). */
function throwProblem(problem: string | undefined): void {
  if (problem !== undefined) throw new Error(problem);
}

/**
 * IRSA with role chaining: the issuer, account A's provider and the source role are known only once
 * they exist: the chain is checked again then, and every Kubernetes resource (the annotated
 * ServiceAccount, the config file's ConfigMap, the probes) waits for that check.
 */
function wireIrsaChained(
  config: AccountAConfig,
  b: AccountBOutputs,
  serviceAccount: ServiceAccountRef,
  cluster: WorkloadCluster,
  source: ReturnType<typeof irsaChainedSource>,
  createNamespace: boolean,
): Workload {
  const roleArn = pulumi
    .all([cluster.oidcIssuerUrl, source.provider.arn, source.sourceRole.roleArn])
    .apply(([issuerUrl, providerArn, sourceRoleArn]) => {
      throwProblem(
        plannedIrsaChainedProblems(b, serviceAccount, config.deployProbe, {
          issuerUrl,
          providerArn,
          sourceRoleArn,
        }),
      );
      return b.roleArn;
    });
  const { ready, wiring } = irsaChainedWorkload({
    cluster,
    sourceRole: source.sourceRole,
    roleArn,
    serviceAccount,
    createNamespace,
  });
  return { b, serviceAccount, roleArn, ready, podCredentials: wiring };
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
  createNamespace: boolean,
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
      createNamespace,
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
  createNamespace: boolean,
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
      createNamespace,
    },
    { providers: { kubernetes: cluster.kubernetesProvider }, dependsOn: [cluster] },
  );
  // The pods' template carries the association's ARN: a new association gives new pods.
  const associationArn = identity.associationArns.apply((arns) => {
    const arn = arns[`${serviceAccount.namespace}/${serviceAccount.name}`];
    if (arn === undefined) {
      throw new Error(
        `no Pod Identity association for ${serviceAccount.namespace}/${serviceAccount.name} among account-b's serviceAccounts`,
      );
    }
    return arn;
  });
  return { b, serviceAccount, roleArn, ready: [sa, identity], associationArn };
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
