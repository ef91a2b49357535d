/**
 * The account-a stack program: the cluster, and once account-b has outputs, the ServiceAccount, the
 * reader Deployment and the access-check Job.
 */
import * as pulumi from "@pulumi/pulumi";
import { AccessCheckJob } from "../components/accessCheckJob";
import { IrsaServiceAccount } from "../components/irsaServiceAccount";
import { S3ReaderDeployment } from "../components/s3ReaderDeployment";
import { WorkloadCluster } from "../components/workloadCluster";
import {
  checkPlannedChain,
  checkProviderMatchesIssuer,
  chooseServiceAccount,
  parseAccountBOutputs,
} from "./crossStack";
import { parseAccountAConfig } from "./config";
import { awsProvider, programConfigGetters, readStackOutputs } from "./providers";

/** The `workload` output on account-a's first run, before account-b exists. */
export const WORKLOAD_SKIPPED = "skipped: account-b has no outputs yet";

/**
 * account-a: the EKS cluster (created or adopted), and, once account-b has run, the ServiceAccount
 * annotated with account-b's role, a Deployment that reads the bucket with it, and the Job that
 * proves access works. Reads account-b's outputs through a StackReference.
 */
export async function accountA(): Promise<Record<string, unknown>> {
  const config = parseAccountAConfig(programConfigGetters(), pulumi.getOrganization());
  const aws = awsProvider("account-a", config.aws, pulumi.getStack());

  // Read account-b first: a mismatch must fail before anything is registered.
  const accountBRef = new pulumi.StackReference(config.accountBStack);
  const b = parseAccountBOutputs(config.accountBStack, await readStackOutputs(accountBRef, OUTPUT_NAMES));
  const serviceAccount = b ? chooseServiceAccount(config.accountBStack, b, config.serviceAccount) : undefined;
  // The chain as it is about to be built, checked with the chain's own checks before anything exists.
  if (b && serviceAccount) checkPlannedChain(b, serviceAccount, config.deployProbe);

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
    oidcIssuerUrl: cluster.oidcIssuerUrl,
    oidcThumbprint: cluster.oidcThumbprint,
    kubeconfig: cluster.kubeconfig,
  };

  if (!b || !serviceAccount) {
    await pulumi.log.info(
      `account-b (${config.accountBStack}) has no outputs yet: creating the cluster only. ` +
        `Run account-b's update, then this stack's again, to create the ServiceAccount, the reader and the access check.`,
    );
    return { ...outputs, workload: WORKLOAD_SKIPPED };
  }

  const kubernetes = cluster.kubernetesProvider;
  // The issuer is known only once the cluster exists: the links that need it (the issuer, account-b's
  // provider for it) are checked then, and every Kubernetes resource takes the role ARN from that
  // check, so none is registered, created or updated while a link is broken.
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
    { providers: { kubernetes }, dependsOn: [cluster] },
  );
  outputs.serviceAccount = { namespace: sa.namespace, name: sa.name };
  outputs.roleArn = roleArn;
  outputs.issuerCheck = roleArn.apply(() => "account-b's OIDC provider matches this cluster's issuer");

  if (config.deployProbe) {
    const common = {
      namespace: serviceAccount.namespace,
      serviceAccountName: serviceAccount.name,
      bucketName: b.bucketName,
      objectKey: b.objectKey,
      region: b.region,
    };
    const reader = new S3ReaderDeployment(
      "s3-reader",
      { ...common, roleArn },
      // Pods must be created after the annotated ServiceAccount, or the webhook injects nothing.
      { providers: { kubernetes }, dependsOn: [sa] },
    );
    const check = new AccessCheckJob(
      "access-check",
      { ...common, expectedRoleArn: roleArn },
      { providers: { kubernetes }, dependsOn: [sa] },
    );
    outputs.readerDeployment = reader.name;
    outputs.accessCheck = {
      namespace: check.namespace,
      jobName: check.name,
      expectedRoleArn: roleArn,
      bucketName: b.bucketName,
      objectKey: b.objectKey,
    };
  }
  return outputs;
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
] as const;
