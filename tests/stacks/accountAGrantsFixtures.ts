/**
 * What the account-a grants-mode tests of the security review share: account-a's committed config
 * without its single-grant keys plus `grants`, account-b's grants as its grants mode exports them
 * (each handoff from the real builder, `buildHandoff`), and the real program's runs under the mock
 * engine with the log captured.
 */
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { captureConsole, outputValues, runOffline, runOnEngine } from "../../engine/offline";
import { checkMechanisms, type GrantCluster } from "../../components/bucketAccess";
import { buildHandoff } from "../../components/bucketAccessHandoff";
import { loadStackConfig } from "../../stacks/stackFile";
import { accountA } from "../../stacks/accountA";

export const B_STACK = "organization/cross-account-irsa/account-b";
export const ACCOUNT_B = "444455556666";

/** Pulumi.account-a.yaml without its single-grant keys, with `grants`. */
export function grantsConfig(grants: unknown[]): Record<string, string> {
  const base = Object.fromEntries(
    Object.entries(loadStackConfig("Pulumi.account-a.yaml").config).filter(
      ([k]) => !/^cross-account-irsa:(mechanism|serviceAccount|createNamespace|deployProbe)$/.test(k),
    ),
  );
  return { ...base, "cross-account-irsa:grants": JSON.stringify(grants) };
}

export interface Sa {
  namespace: string;
  name: string;
}

/**
 * One grant of account-b's `grants` output trusting account-a's cluster (key `cluster`, from the
 * cluster-only run's outputs `first`) for `mechanism`, with its source roles' default names, and its
 * probe (`objectKey` in the grant's one bucket) unless `objectKey` is null.
 */
export function grantOf(
  first: Record<string, unknown>,
  key: string,
  mechanism: string[],
  serviceAccounts: Sa[],
  objectKey: string | null = `${key}/check.txt`,
): Record<string, unknown> {
  const mechanisms = checkMechanisms("mechanism", mechanism);
  const accountA = String(first.clusterArn).split(":")[4];
  const cluster: GrantCluster = {};
  if (mechanisms.includes("irsa")) {
    cluster.issuerUrl = String(first.oidcIssuerUrl);
    cluster.oidcProviderArn = `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${cluster.issuerUrl.slice(8)}`;
  }
  if (mechanisms.includes("pod-identity")) {
    cluster.clusterArn = String(first.clusterArn);
    cluster.sourceRoleArn = `arn:aws:iam::${accountA}:role/${key}-pod-identity-source`;
  }
  if (mechanisms.includes("irsa-chained")) {
    cluster.chainedSourceRoleArn = `arn:aws:iam::${accountA}:role/${key}-chained-source`;
  }
  const bucketName = `team-${key}-data`;
  const handoff = buildHandoff({
    mechanisms,
    roleArn: `arn:aws:iam::${ACCOUNT_B}:role/${key}-access`,
    serviceAccounts,
    clusters: [["cluster", cluster]],
    buckets: [{ name: bucketName, create: true, access: "read", prefixes: [] }],
  });
  return { handoff, ...(objectKey !== null ? { probe: { bucketName, objectKey } } : {}) };
}

export const bOutputs = (grants: Record<string, unknown>) => ({
  grants,
  region: "eu-west-1",
  mode: "grants",
});

/** account-a's program with account-b's outputs `b`, its log captured into `log`. */
export async function runA(config: Record<string, string>, b: Record<string, unknown>, log: string[] = []) {
  const restore = captureConsole(log);
  try {
    return await runOffline(accountA, { stack: "account-a", config, stackOutputs: { [B_STACK]: b } });
  } finally {
    restore();
  }
}

/** The cluster-only run's outputs (before account-b has any): what account-b's grants trust. */
export async function firstRun(config: Record<string, string>): Promise<Record<string, unknown>> {
  return outputValues((await runA(config, {})).outputs);
}

/** A run that must fail: its error and the resources it registered (other than the stack and cluster's). */
export async function failedA(config: Record<string, string>, b: Record<string, unknown>) {
  const engine = new MockEngine({ stack: "account-a", config, stackOutputs: { [B_STACK]: b } });
  const restore = captureConsole([]);
  const error = await runOnEngine(engine, accountA)
    .then(
      () => undefined,
      (e: Error) => e,
    )
    .finally(restore);
  expect(error, "the run must fail").to.be.instanceOf(Error);
  return { error: error!, types: engine.resources.map((r) => r.type) };
}
