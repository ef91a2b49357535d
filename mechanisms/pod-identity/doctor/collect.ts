/**
 * The EKS Pod Identity collector: fills the chain's snapshot from live state, read-only. In the
 * cluster's account (A): EKS DescribeCluster (ARN, Auto Mode), DescribeAddon of eks-pod-identity-agent,
 * ListPodIdentityAssociations for the ServiceAccount then DescribePodIdentityAssociation (roleArn,
 * targetRoleArn, disableSessionTags, externalId), and the source role (the association's roleArn, or
 * --source-role-arn) with its policies; in the target role's account (B): the target role (--role-arn)
 * with its policies, the bucket policy, the object and its KMS key; in the cluster: the ServiceAccount
 * and its pods. No --assume (args.ts says why). The checks are chain/'s.
 */
import {
  DescribeAddonCommand,
  DescribePodIdentityAssociationCommand,
  ListPodIdentityAssociationsCommand,
  type EKSClient,
} from "@aws-sdk/client-eks";
import {
  type PodIdentityAssociationFacts,
  type PodIdentityLiveFacts,
  type PodIdentitySnapshot,
} from "../../../chain";
import { kubeErrorText, type KubeApi } from "../../../doctor/kube";
import { POD_IDENTITY_AGENT_ADDON } from "../../../components/podIdentityPolicies";
import { awsErrorCode, awsErrorText } from "../../../doctor/aws";
import { roleNameOf } from "../../irsa/doctor/facts";
import { type CollectorContext } from "../../../doctor/collector";
import {
  describeCluster,
  liveBase,
  orUndefined,
  readRole,
  readRoleClusterAndBucket,
} from "../../../doctor/readers";
import { addonFacts, associationFacts, isAutoMode, sourceRoleAccountProblem } from "./facts";

/** The associations of one ServiceAccount (every page), each described. */
async function readAssociations(
  eks: EKSClient,
  clusterName: string,
  namespace: string,
  serviceAccount: string,
): Promise<PodIdentityAssociationFacts[]> {
  const found: PodIdentityAssociationFacts[] = [];
  let nextToken: string | undefined;
  do {
    const page = await eks.send(
      new ListPodIdentityAssociationsCommand({ clusterName, namespace, serviceAccount, nextToken }),
    );
    for (const summary of page.associations ?? []) {
      if (!summary.associationId) continue;
      const out = await eks.send(
        new DescribePodIdentityAssociationCommand({ clusterName, associationId: summary.associationId }),
      );
      if (out.association) found.push(associationFacts(out.association));
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

/**
 * The self-managed agent: the DaemonSet kube-system/eks-pod-identity-agent (the name of the agent's
 * Helm chart and of the add-on's own DaemonSet), its ready and desired pods, or why it could not be read.
 */
async function agentDaemonSet(kube: KubeApi): Promise<NonNullable<PodIdentityLiveFacts["agentDaemonSet"]>> {
  try {
    const ds = await kube.readDaemonSet("kube-system", POD_IDENTITY_AGENT_ADDON);
    if (ds === undefined) return { found: false };
    const image = ds.spec?.template?.spec?.containers?.[0]?.image;
    return {
      found: true,
      desired: ds.status?.desiredNumberScheduled ?? 0,
      ready: ds.status?.numberReady ?? 0,
      ...(image !== undefined ? { image } : {}),
    };
  } catch (error) {
    return { error: `GET daemonset kube-system/${POD_IDENTITY_AGENT_ADDON}: ${kubeErrorText(error)}` };
  }
}

/** Reads the live Pod Identity chain into a snapshot. */
export async function collectPodIdentity(ctx: CollectorContext): Promise<PodIdentitySnapshot> {
  const { chain } = ctx;
  const unavailable: NonNullable<PodIdentitySnapshot["unavailable"]> = {
    workloads: "the doctor reads pods, not Deployments and Jobs",
  };
  const base = liveBase(ctx);
  const snapshot: PodIdentitySnapshot = {
    mechanism: "pod-identity",
    ...base,
    agent: { adopted: true },
    associations: [],
    live: {
      ...base.live,
      targetRoleArn: chain.roleArn,
      ...(chain.sourceRoleArn !== undefined ? { expectedSourceRoleArn: chain.sourceRoleArn } : {}),
    },
  };
  const live = snapshot.live!;

  // Link 1: the cluster and its agent add-on; link 2: the association EKS has for the ServiceAccount.
  const eks = ctx.a.eks(ctx.clusterRegion);
  const cluster = await describeCluster(ctx, live);
  if (cluster !== undefined) {
    snapshot.cluster = { arn: cluster.arn ?? "", name: cluster.name ?? chain.clusterName };
    if (isAutoMode(cluster)) live.cluster.autoMode = true;
    const addon = await orUndefined(
      eks.send(
        new DescribeAddonCommand({ clusterName: chain.clusterName, addonName: POD_IDENTITY_AGENT_ADDON }),
      ),
    );
    const text = `DescribeAddon ${POD_IDENTITY_AGENT_ADDON}: ${addon.error !== undefined ? awsErrorText(addon.error) : ""}`;
    if (addon.error === undefined) {
      snapshot.agent.installed = true;
      live.addon = addonFacts(addon.value!.addon);
    } else if (awsErrorCode(addon.error).code === "ResourceNotFoundException") {
      snapshot.agent.installed = false;
      live.addonMissing = text;
      // No add-on: the agent may run as a self-managed DaemonSet (read when the cluster is).
      if (ctx.kube !== undefined && !isAutoMode(cluster))
        live.agentDaemonSet = await agentDaemonSet(ctx.kube);
    } else {
      live.addonError = text;
    }
    const associations = await orUndefined(
      readAssociations(eks, chain.clusterName, chain.namespace, chain.serviceAccount),
    );
    if (associations.error !== undefined) {
      live.associationsError = `ListPodIdentityAssociations: ${awsErrorText(associations.error)}`;
    } else snapshot.associations = associations.value!;
  }

  // Link 3: the source role EKS assumes (the association's, else the one named), in account A.
  const association = snapshot.associations.find(
    (a) => a.namespace === chain.namespace && a.serviceAccount === chain.serviceAccount,
  );
  const sourceRoleArn = association?.roleArn ?? chain.sourceRoleArn;
  if (sourceRoleArn !== undefined) {
    snapshot.sourceRole = { arn: sourceRoleArn, permissionPolicies: {} };
    const problem = sourceRoleAccountProblem(sourceRoleArn, ctx.accounts.a);
    if (problem !== undefined) live.sourceRoleError = problem;
    else {
      const read = await readRole(ctx.a.iam, roleNameOf(sourceRoleArn));
      const why = read.ok ? "" : `${read.call}: ${awsErrorText(read.error)}`;
      if (read.ok) {
        snapshot.sourceRole = {
          arn: read.arn || sourceRoleArn,
          trustPolicy: read.trustPolicy,
          // EKS's session may use any of them: inline by name, attached by ARN.
          permissionPolicies: { ...read.inline, ...read.attached },
          ...(read.id !== undefined ? { id: read.id } : {}),
          ...(read.boundary !== undefined ? { boundary: read.boundary } : {}),
        };
      } else if (read.missing) live.sourceRoleError = why;
      else if (read.role === undefined) unavailable.sourceRole = why;
      else {
        // The trust was read, a policy call failed: link 3's trust is checked, not its permission.
        snapshot.sourceRole = {
          arn: read.role.arn || sourceRoleArn,
          trustPolicy: read.role.trustPolicy,
          permissionPolicies: {},
        };
        unavailable.sourcePermission = why;
      }
    }
  }

  // Links 4 and 5: the target role (account B) and its policies; link 2's Kubernetes side; the bucket.
  await readRoleClusterAndBucket(ctx, snapshot, unavailable);
  snapshot.unavailable = unavailable;
  return snapshot;
}
