/**
 * What the grants-mode account-b tests share: account-a's outputs as its StackReference supplies them,
 * a stack file in grants mode, the program's runs (one grant per mechanism, a migration, existing and
 * created buckets: MIXED), and the parser's fixtures.
 */
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { captureConsole, runOffline, runOnEngine } from "../../engine/offline";
import { type PolicyDocument } from "../../components/policyDocument";
import { accountB } from "../../stacks/accountB";
import { parseStackConfig } from "../../stacks/stackFile";
import { InputError } from "../../components/errors";
import { parseAccountBGrantsConfig, type AccountBGrantsConfig } from "../../stacks/accountBGrantsConfig";
import { configGetters } from "../../stacks/configSource";

export const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
export const ACCOUNT_A = "111122223333";
export const ACCOUNT_B = "444455556666";
export const CLUSTER_ARN = `arn:aws:eks:eu-west-1:${ACCOUNT_A}:cluster/platform`;
export const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${ISSUER.slice("https://".length)}`;
export const A_STACK = "organization/cross-account-irsa/account-a";
export const B_STACK = "organization/cross-account-irsa/account-b";
/** account-a's outputs in grants mode, before its bindings (its first update). */
export const A_OUTPUTS = {
  oidcIssuerUrl: ISSUER,
  oidcThumbprint: "",
  clusterArn: CLUSTER_ARN,
  mode: "grants",
};

/** A stack file in grants mode: account B pinned, `grants` as given, then `extra` lines. */
export function grantsConfig(grants: unknown[], extra = ""): Record<string, string> {
  return parseStackConfig(
    `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["${ACCOUNT_B}"]\n` +
      `  cross-account-irsa:grants: ${JSON.stringify(grants)}\n${extra}`,
    "Pulumi.account-b.yaml",
  ).config;
}

export const ROLE = "aws:iam/role:Role";
export const OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";

export const sa = (namespace: string, name: string) => ({ namespace, name });
/** One grant per mechanism, a migration grant, and a grant with an existing and a created bucket. */
export const MIXED = [
  {
    key: "reports",
    mechanism: "irsa",
    serviceAccounts: [sa("team-a", "reports-reader")],
    buckets: [
      { name: "team-a-reports", create: true, prefixes: ["reports/"], objectKey: "reports/check.txt" },
    ],
    roleName: "team-a-reports",
  },
  {
    key: "exports",
    mechanism: "pod-identity",
    serviceAccounts: [sa("team-b", "exporter")],
    buckets: [{ name: "team-b-exports", create: true, access: "read-write", forceDestroy: true }],
    roleName: "team-b-exports",
  },
  {
    key: "archive",
    mechanism: "irsa-chained",
    serviceAccounts: [sa("team-c", "archiver")],
    buckets: [{ name: "company-archive", access: "list" }],
    roleName: "team-c-archive",
  },
  {
    key: "migrating",
    mechanism: ["irsa", "pod-identity"],
    serviceAccounts: [sa("team-d", "reader"), sa("team-d", "writer")],
    buckets: [
      { name: "company-shared", objectKey: "shared/check.txt", prefixes: ["shared/"] },
      { name: "team-d-data", create: true, objectKey: "check.txt" },
    ],
    roleName: "team-d-data",
    sourceRoleName: "team-d-source",
  },
];

export function quietly<T>(run: () => Promise<T>, sink: string[] = []): Promise<T> {
  const restore = captureConsole(sink);
  return run().finally(restore);
}
export const runB = (
  config: Record<string, string>,
  aOutputs: Record<string, unknown> = A_OUTPUTS,
  preview = false,
) =>
  quietly(() =>
    runOffline(accountB, { stack: "account-b", config, stackOutputs: { [A_STACK]: aOutputs }, preview }),
  );

/** A run that must fail: its error, and the cloud resources it registered first. */
export async function failed(
  config: Record<string, string>,
  aOutputs: Record<string, unknown>,
  preview = false,
) {
  const engine = new MockEngine({
    stack: "account-b",
    config,
    stackOutputs: { [A_STACK]: aOutputs },
    preview,
  });
  const error = await quietly(() => runOnEngine(engine, accountB)).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, "the run must fail").to.be.instanceOf(Error);
  return {
    error: error!,
    cloud: engine.resources.map((r) => r.type).filter((t) => !t.startsWith("pulumi:")),
  };
}

export const trustOf = (engine: MockEngine, roleResource: string) =>
  JSON.parse(engine.one(ROLE, roleResource).inputs.assumeRolePolicy as string) as PolicyDocument;

// The parser's tests: one grant (BASE), varied; a stack file's settings; a refusal.
export const SA = { namespace: "team-a", name: "reports-reader" };
export const BASE = {
  key: "reports",
  mechanism: "irsa",
  serviceAccounts: [SA],
  buckets: [{ name: "team-a-reports" }],
};

/** A stack file's settings: aws:region eu-west-1, account B pinned, `grants` as given, then `extra` lines. */
export function settings(grants: unknown, extra = "") {
  const grantsLine = grants === undefined ? "" : `  cross-account-irsa:grants: ${JSON.stringify(grants)}\n`;
  const { config, secretKeys } = parseStackConfig(
    `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["444455556666"]\n${grantsLine}${extra}`,
    "Pulumi.account-b.yaml",
  );
  return configGetters(config, secretKeys);
}
export const parse = (grants: unknown, extra = ""): AccountBGrantsConfig =>
  parseAccountBGrantsConfig(settings(grants, extra), "acme");
/** One grant: BASE with `over` (a field set to undefined is left out). */
export const grant = (over: Record<string, unknown> = {}) => ({ ...BASE, ...over });

export function refusal(grants: unknown, extra = ""): InputError {
  let caught: unknown;
  try {
    parse(grants, extra);
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected an InputError").to.be.instanceOf(InputError);
  return caught as InputError;
}
