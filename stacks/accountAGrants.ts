/**
 * The account-a stack program in grants mode (`cross-account-irsa:grants` set): the cluster, and once
 * account-b has outputs, one `BucketAccessBinding` per entry (resource name = the grant key) with the
 * stack-level resources the bindings share: account A's one OIDC provider for the cluster's issuer
 * (`cluster-oidc`, when an entry lists `irsa-chained`), the one Pod Identity agent add-on
 * (`pod-identity-agent`, when an entry lists `pod-identity`) and each namespace to create, once. No
 * mechanism stack layer registers anything here: the checks are stacks/accountAGrantsLinks.ts's
 * (account-b's outputs: grantsOutputs.ts),
 * the wiring the binding's.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { BucketAccessBinding } from "../components/bucketAccessBinding";
import { ClusterOidcProvider } from "../components/clusterOidcProvider";
import { buildServiceAccountLabels } from "../components/irsaServiceAccount";
import { Mechanism } from "../components/mechanism";
import { PodIdentityAgent } from "../components/podIdentityAgent";
import { type WorkloadCluster } from "../components/workloadCluster";
import { registerCluster } from "./cluster";
import { parseAccountAGrantsConfig, type AccountAGrantsConfig } from "./accountAGrantsConfig";
import { checkClusterFacts, planGrantBindings, type PlannedGrants } from "./accountAGrantsLinks";
import { GRANT_CLUSTER_KEY, GRANTS_MODE } from "./grantsMode";
import { ACCOUNT_B_GRANTS_OUTPUT_NAMES, parseAccountBGrantsOutputs } from "./grantsOutputs";
import { type StackSettings } from "./configSource";
import { danglingTrusts, describeDanglingTrust } from "./danglingTrusts";
import { singleGrantAccountB, switchToGrantsWarning } from "./modeSwitch";
import { awsProvider, readStackOutputs } from "./providers";

/** The fully qualified name of the stack the program runs as. */
function thisStack(): string {
  return `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

/**
 * account-a in grants mode. Reads account-b's `grants` first (a mode mismatch, an unknown key, a
 * ServiceAccount the grant does not trust fail before anything is registered), then registers the
 * cluster (created or adopted) and, once account-b has outputs in grants mode, what the entries bind.
 * Beside an account-b still deployed in single-grant mode (the switch of a deployed pair) it binds
 * nothing, as before account-b has outputs, and warns what that removes (stacks/modeSwitch.ts).
 * Outputs: the cluster's (as in single-grant mode), `mode: "grants"`, and `grants` by key (`{}` before
 * account-b has grants: account-b reads it to see this stack's mode).
 */
export async function accountAGrants(settings: StackSettings): Promise<Record<string, unknown>> {
  const config = parseAccountAGrantsConfig(settings, pulumi.getOrganization());
  const aws = awsProvider("account-a", config.aws, pulumi.getStack());
  const accountBRef = new pulumi.StackReference(config.accountBStack);
  const raw = await readStackOutputs(accountBRef, ACCOUNT_B_GRANTS_OUTPUT_NAMES);
  // account-b still deployed in single-grant mode (the switch of a deployed pair, stacks/modeSwitch.ts):
  // read as an account-b with no grants yet; any other mix of modes is refused by the parser.
  const switching = singleGrantAccountB(config.accountBStack, raw);
  const b = switching
    ? undefined
    : parseAccountBGrantsOutputs({ self: thisStack(), accountB: config.accountBStack }, raw);
  const planned = b ? planGrantBindings(config, config.accountBStack, b) : undefined;

  const { cluster, outputs: clusterOutputs } = registerCluster(config, aws);
  const outputs: Record<string, unknown> = {
    ...clusterOutputs,
    mode: GRANTS_MODE,
  };
  if (switching) {
    await pulumi.log.warn(switchToGrantsWarning(config.accountBStack, switching));
    return { ...outputs, grants: {} };
  }
  if (!b || !planned) {
    await pulumi.log.info(
      `account-b (${config.accountBStack}) has no outputs yet: creating the cluster only. ` +
        "Run account-b's update, then this stack's again, to bind its grants.",
    );
    return { ...outputs, grants: {} };
  }
  // What account-b trusts by name in account A that no binding here creates (an unbound grant, or a
  // mechanism the binding does not set up): a WARNING each, never silent (stacks/danglingTrusts.ts).
  const bindings = new Map(planned.bindings.map((p) => [p.key, p.mechanisms] as const));
  for (const d of danglingTrusts(
    [...b.grants].map(([key, g]) => ({ key, handoff: g.handoff })),
    bindings,
    GRANT_CLUSTER_KEY,
  )) {
    await pulumi.log.warn(`dangling trust (${config.accountBStack}): ${describeDanglingTrust(d)}`);
  }
  Object.assign(outputs, registerBindings(config, cluster, aws, planned, b.region));
  return outputs;
}

/** The stack-level resources the bindings share, the bindings, and their outputs. */
function registerBindings(
  config: AccountAGrantsConfig,
  cluster: WorkloadCluster,
  aws: pulumi.ProviderResource,
  planned: PlannedGrants,
  region: string,
): Record<string, unknown> {
  const bStack = config.accountBStack;
  // What only the cluster decides, checked once it is known: every resource below waits for it.
  const gate = pulumi.all([cluster.oidcIssuerUrl, cluster.clusterArn]).apply(([issuerUrl, clusterArn]) => {
    checkClusterFacts(bStack, planned.bindings, { issuerUrl, clusterArn });
    return true;
  });
  const after = <T>(value: pulumi.Input<T>): pulumi.Output<T> =>
    pulumi.all([gate, value]).apply(([, v]) => v as T);
  const lists = (m: Mechanism) => planned.bindings.some((p) => p.mechanisms.includes(m));
  const kubernetes = cluster.kubernetesProvider;
  const outputs: Record<string, unknown> = {};

  // Account A's one IAM OIDC provider for the cluster's issuer (IAM allows one per issuer URL per
  // account, so the irsa-chained bindings adopt it rather than each create one).
  let providerArn: pulumi.Output<string> | undefined;
  if (lists(Mechanism.IrsaChained)) {
    const provider = new ClusterOidcProvider(
      "cluster-oidc",
      {
        issuerUrl: after(cluster.oidcIssuerUrl),
        thumbprints: cluster.oidcThumbprint.apply((t) => (t ? [t] : [])),
        ...(config.existingOidcProviderArn !== undefined
          ? { existingProviderArn: config.existingOidcProviderArn }
          : {}),
      },
      { providers: { aws } },
    );
    providerArn = provider.arn;
    outputs.oidcProviderArn = provider.arn;
  }

  // The one agent add-on: installed when cluster.podIdentityAgent says so, or (unset) when this stack
  // creates the cluster; an adopted cluster must run it already (as in single-grant mode).
  let agent: PodIdentityAgent | undefined;
  if (lists(Mechanism.PodIdentity)) {
    const installs = config.podIdentityAgent ?? config.cluster.existingName === undefined;
    if (installs) {
      agent = new PodIdentityAgent(
        "pod-identity-agent",
        { clusterName: after(cluster.clusterName) },
        { providers: { aws } },
      );
    }
    outputs.podIdentityAgent = installs
      ? "installed by this stack"
      : "not installed by this stack: the adopted cluster must run the eks-pod-identity-agent add-on";
  }

  // Each namespace to create, once, for every binding in it.
  const namespaces = new Map<string, k8s.core.v1.Namespace>();
  for (const ns of planned.namespaces) {
    namespaces.set(
      ns,
      new k8s.core.v1.Namespace(
        `namespace-${ns}`,
        { metadata: { name: after(ns), labels: buildServiceAccountLabels(undefined) } },
        { provider: kubernetes, dependsOn: [cluster] },
      ),
    );
  }

  // Each entry as grantsOutputs.ts's AccountAGrantOutput (the doctor and verify read it back).
  const grants: Record<string, unknown> = {};
  for (const p of planned.bindings) {
    const podIdentity = p.mechanisms.includes(Mechanism.PodIdentity);
    const chained = p.mechanisms.includes(Mechanism.IrsaChained);
    const namespace = namespaces.get(p.serviceAccount.namespace);
    // A component's dependencies are its children's too: the ServiceAccount waits for its namespace,
    // the association for the agent (and they are deleted before them).
    const dependsOn: pulumi.Resource[] = [cluster];
    if (namespace) dependsOn.push(namespace);
    if (podIdentity && agent) dependsOn.push(agent);
    const binding = new BucketAccessBinding(
      p.key,
      {
        handoff: after(p.handoff),
        mechanisms: p.mechanisms,
        ...(podIdentity ? { clusterName: cluster.clusterName } : {}),
        ...(chained
          ? {
              issuerUrl: cluster.oidcIssuerUrl,
              existingOidcProviderArn: providerArn,
              clusterKey: GRANT_CLUSTER_KEY,
            }
          : {}),
        serviceAccount: { ...p.serviceAccount, create: true },
        ...(p.probe
          ? { probe: { objectKey: p.probe.objectKey, bucketName: p.probe.bucketName, region, name: p.key } }
          : {}),
        installPodIdentityAgent: false,
      },
      { providers: { aws, kubernetes }, dependsOn },
    );
    grants[p.key] = {
      mechanisms: p.mechanisms,
      roleArn: binding.roleArn,
      serviceAccount: { namespace: p.serviceAccount.namespace, name: p.serviceAccount.name },
      podCredentialPath: binding.podCredentialPath,
      ...(p.probe
        ? {
            accessCheck: {
              namespace: binding.namespace,
              jobName: binding.accessCheckJobName,
              expectedRoleArn: binding.roleArn,
              bucketName: p.probe.bucketName,
              objectKey: p.probe.objectKey,
            },
          }
        : {}),
    };
  }
  outputs.grants = grants;
  return outputs;
}
