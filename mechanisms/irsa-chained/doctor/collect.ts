/**
 * The doctor's IRSA-chained collector (`irsa-chained`): fills the chain's snapshot from live state,
 * read-only. In the cluster's account (A): EKS DescribeCluster (the issuer), IAM
 * GetOpenIDConnectProvider for that issuer in A, and the source role (--source-role-arn, else the
 * ServiceAccount's annotation) with its policies; in the target role's account (B): the target role
 * (--role-arn) with its policies; in the cluster: the ServiceAccount, the pods that run as it (their
 * environment and ConfigMap mounts) and the ConfigMap holding the SDK config file. The checks are
 * the link set's (../chain.ts). No --assume: the end-to-end test would need the SDK's profile chain.
 */
import { GetOpenIDConnectProviderCommand } from "@aws-sdk/client-iam";
import { type V1ConfigMap, type V1Pod } from "@kubernetes/client-node";
import { parseArn, tryParseArn } from "../../../components/arn";
import { normalizeIssuer } from "../../../components/issuer";
import { type RoleLiveFacts, type Unavailable } from "../../../chain/snapshot";
import { awsErrorCode, awsErrorText } from "../../../doctor/aws";
import { accountOf, providerFacts, roleNameOf, serviceAccountFacts } from "../../irsa/doctor/facts";
import { ROLE_ARN_ANNOTATION } from "../../../components/serviceAccountAnnotations";
import { containerEnvironment } from "../../../components/credentialPath";
import { kubeErrorText } from "../../../doctor/kube";
import { type CollectorContext } from "../../../doctor/collector";
import { describeCluster, orUndefined, readBucketSide, readRole } from "../../../doctor/readers";
import { CHAINED_CONFIG_KEY } from "../../../components/chainedWiring";
import { type ChainedWorkload, type IrsaChainedSnapshot } from "../snapshot";

/**
 * A Kubernetes API that can also read a ConfigMap (undefined when it does not exist).
 *
 * @internal exported for the tests only
 */
export interface ConfigMapReader {
  readConfigMap(namespace: string, name: string): Promise<V1ConfigMap | undefined>;
}

/** The pods of the ServiceAccount as the chain's workloads: env (as IRSA's pod facts read it) and ConfigMap mounts. */
export function chainedPodWorkloads(pods: V1Pod[], serviceAccount: string): ChainedWorkload[] {
  return pods
    .filter((p) => (p.spec?.serviceAccountName ?? p.spec?.serviceAccount ?? "default") === serviceAccount)
    .map((p) => {
      const container = p.spec?.containers?.[0];
      const volumes = new Map(
        (p.spec?.volumes ?? [])
          .filter((v) => v.configMap?.name !== undefined)
          .map((v) => [v.name, v.configMap!.name!] as const),
      );
      return {
        kind: "Pod",
        name: p.metadata?.name ?? "(unnamed)",
        ...(p.metadata?.namespace !== undefined ? { namespace: p.metadata.namespace } : {}),
        serviceAccountName: serviceAccount,
        ...containerEnvironment(container),
        configMapMounts: (container?.volumeMounts ?? [])
          .filter((m) => volumes.has(m.name))
          .map((m) => ({
            configMap: volumes.get(m.name)!,
            mountPath: m.mountPath,
            readOnly: m.readOnly === true,
          })),
      };
    })
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

/** The ConfigMap the workloads read their config file from: mounted where AWS_CONFIG_FILE points. */
function configMapOf(workloads: ChainedWorkload[]): string | undefined {
  for (const w of workloads) {
    const file = w.env.AWS_CONFIG_FILE;
    const mount = w.configMapMounts.find((m) => file?.startsWith(`${m.mountPath.replace(/\/$/, "")}/`));
    if (mount) return mount.configMap;
  }
  return undefined;
}

/** Reads the role named, into `{arn, trustPolicy, permissionPolicies}`, or why it could not. */
async function readChainRole(
  iam: Parameters<typeof readRole>[0],
  arn: string,
): Promise<
  | {
      ok: true;
      role: { arn: string; trustPolicy: string; permissionPolicies: Record<string, string> } & RoleLiveFacts;
      inline: Record<string, string>;
      attached: Record<string, string>;
    }
  | { ok: false; missing: boolean; why: string; trustPolicy?: string; boundary?: RoleLiveFacts["boundary"] }
> {
  const read = await readRole(iam, roleNameOf(arn));
  if (read.ok) {
    return {
      ok: true,
      role: {
        arn: read.arn || arn,
        trustPolicy: read.trustPolicy,
        permissionPolicies: { ...read.inline, ...read.attached },
        ...(read.id !== undefined ? { id: read.id } : {}),
        ...(read.boundary !== undefined ? { boundary: read.boundary } : {}),
      },
      inline: read.inline,
      attached: read.attached,
    };
  }
  return {
    ok: false,
    missing: read.missing,
    why: `${read.call}: ${awsErrorText(read.error)}`,
    ...(read.role !== undefined ? { trustPolicy: read.role.trustPolicy } : {}),
    ...(read.role?.boundary !== undefined ? { boundary: read.role.boundary } : {}),
  };
}

/** Reads the live IRSA-chained chain into a snapshot. */
export async function collectIrsaChained(ctx: CollectorContext): Promise<IrsaChainedSnapshot> {
  const { chain } = ctx;
  const unavailable: NonNullable<IrsaChainedSnapshot["unavailable"]> = {};
  const snapshot: IrsaChainedSnapshot = {
    mechanism: "irsa-chained",
    permissionPolicies: {},
    trusted: [{ namespace: chain.namespace, name: chain.serviceAccount }],
    bucketName: chain.bucket,
    objectKey: chain.key,
    workloads: [],
    deployProbe: false,
    live: { cluster: { name: chain.clusterName, region: ctx.clusterRegion, accountId: ctx.accounts.a } },
  };
  const live = snapshot.live!;

  // Links 1 and 2: the cluster's issuer, and account A's provider for it.
  const cluster = await describeCluster(ctx, live);
  const issuer = cluster?.identity?.oidc?.issuer;
  if (issuer !== undefined) {
    snapshot.issuerUrl = issuer;
    // The cluster's own partition (never a guessed one), else the target role's: a role session does not cross partitions.
    const partition =
      tryParseArn(cluster?.arn)?.partition ?? parseArn("the role ARN", chain.roleArn).partition;
    let hostPath: string | undefined;
    try {
      hostPath = normalizeIssuer(issuer);
    } catch {
      hostPath = undefined;
    }
    if (hostPath !== undefined) {
      const arn = `arn:${partition}:iam::${ctx.accounts.a}:oidc-provider/${hostPath}`;
      const out = await orUndefined(
        ctx.a.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
      );
      if (out.error === undefined) {
        const facts = providerFacts(arn, out.value!);
        snapshot.provider = {
          arn,
          ...(facts.url !== undefined ? { url: facts.url } : {}),
          clientIds: facts.clientIds ?? [],
          adopted: true,
        };
      } else if (awsErrorCode(out.error).code !== "NoSuchEntity") {
        live.providerError = `GetOpenIDConnectProvider ${arn}: ${awsErrorText(out.error)}`;
      }
    }
  }

  // Link 4's Kubernetes side first: the ServiceAccount names the source role when the flags do not.
  await readKubernetesSide(ctx, snapshot, unavailable);

  // The annotation counts only when it names a role of the cluster's account (a role of B is the usual mistake).
  const annotated = snapshot.serviceAccount?.annotations[ROLE_ARN_ANNOTATION];
  const sourceRoleArn =
    chain.sourceRoleArn ??
    (annotated !== undefined && accountOf(annotated) === ctx.accounts.a ? annotated : undefined);
  if (sourceRoleArn === undefined) {
    unavailable.sourceRole =
      "no source role to read: name it with --source-role-arn (the ServiceAccount could not be read, or its " +
      "annotation names no role of the cluster's account)";
  } else {
    const read = await readChainRole(ctx.a.iam, sourceRoleArn);
    if (read.ok) snapshot.sourceRole = read.role;
    else if (read.missing) live.sourceRoleError = read.why;
    else if (read.trustPolicy !== undefined) {
      snapshot.sourceRole = { arn: sourceRoleArn, trustPolicy: read.trustPolicy, permissionPolicies: {} };
      unavailable.sourcePermission = read.why;
    } else unavailable.sourceRole = read.why;
  }

  // Links 6 and 7: the target role (account B) and its policies.
  const target = await readChainRole(ctx.b.iam, chain.roleArn);
  if (target.ok) {
    const { permissionPolicies: _all, ...role } = target.role;
    snapshot.role = role;
    // The live permission link reads the attached policies from the live facts (as IRSA's does).
    snapshot.permissionPolicies = target.inline;
    live.attachedPolicies = target.attached;
  } else if (target.missing) live.roleError = target.why;
  else {
    snapshot.role = {
      arn: chain.roleArn,
      ...(target.trustPolicy !== undefined ? { trustPolicy: target.trustPolicy } : {}),
      ...(target.boundary !== undefined ? { boundary: target.boundary } : {}),
    };
    if (target.trustPolicy === undefined) unavailable.trust = target.why;
    unavailable.permission = target.why;
  }
  live.roleArn = chain.roleArn;
  await readBucketSide(ctx, live, unavailable);
  if (Object.keys(unavailable).length > 0) snapshot.unavailable = unavailable;
  return snapshot;
}

/**
 * The ServiceAccount, the pods that run as it (environment and ConfigMap mounts) and the ConfigMap they
 * mount where AWS_CONFIG_FILE points (when the client can read one); with --no-cluster, or when the
 * cluster cannot be read, nothing, and why.
 */
async function readKubernetesSide(
  ctx: CollectorContext,
  snapshot: IrsaChainedSnapshot,
  unavailable: Unavailable & { profile?: string },
): Promise<void> {
  const { namespace, serviceAccount } = ctx.chain;
  const kube = ctx.kube;
  if (kube === undefined) {
    unavailable.cluster = unavailable.workloads = unavailable.profile = "--no-cluster";
    return;
  }
  try {
    const sa = await kube.readServiceAccount(namespace, serviceAccount);
    if (sa !== undefined) snapshot.serviceAccount = serviceAccountFacts(sa, namespace, serviceAccount);
    snapshot.workloads = chainedPodWorkloads(await kube.listPods(namespace), serviceAccount);
  } catch (error) {
    const why = `the cluster (${kube.where}) could not be read: ${kubeErrorText(error)}`;
    unavailable.cluster = unavailable.workloads = unavailable.profile = why;
    return;
  }
  const name = configMapOf(snapshot.workloads);
  if (name === undefined) return; // no pod mounts one where AWS_CONFIG_FILE points: link 4 says so
  if (kube.readConfigMap === undefined) {
    unavailable.profile = "this Kubernetes client does not read ConfigMaps";
    return;
  }
  try {
    const cm = await kube.readConfigMap(namespace, name);
    if (cm !== undefined) {
      const text = cm.data?.[CHAINED_CONFIG_KEY];
      snapshot.profile = { configMap: name, namespace, ...(text !== undefined ? { text } : {}) };
    }
  } catch (error) {
    unavailable.profile = `GET configmap ${namespace}/${name}: ${kubeErrorText(error)}`;
  }
}
