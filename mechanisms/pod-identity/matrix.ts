/**
 * The access matrix of the Pod Identity chain: who may reach the target role (the trusted pairs of
 * this cluster, through the source role) and the near misses that must not (another namespace,
 * another name, a swapped namespace/name pair, another cluster of account A, another role of
 * account A with the right tags, the source role's name in a third account, no session tags); EKS
 * assuming the source role; the source role chaining; then the access rows both mechanisms share.
 * The expectation comes from the config, never from the builders.
 */
import { sealDocument } from "../../components/policyGrammar";
import {
  POD_IDENTITY_ACTIONS,
  POD_IDENTITY_SERVICE,
  POD_IDENTITY_TAGS,
  parseEksClusterArn,
} from "../../components/podIdentityPolicies";
import { type ServiceAccountRef } from "../../components/trustPolicy";
import { parseRoleArn } from "../../components/validation";
import { DESCRIBED, tryAccess, tryRoleTrust, tryServiceTrust } from "../../chain";
import { type PlanConfigs } from "../../plan/planInput";
import {
  THIRD_ACCOUNT,
  accessRows,
  matrixRow,
  otherThan,
  type AccessRow,
  type TwoRoleDocuments,
} from "../../plan/matrix";

/** What the Pod Identity matrix needs besides the config. */
export interface PodIdentityMatrixInputs extends TwoRoleDocuments {
  configs: PlanConfigs;
  clusterArn: string;
  bucketName: string;
}

const tags = (cluster: string, namespace: string, name: string): Record<string, string> => ({
  [POD_IDENTITY_TAGS.clusterArn]: cluster,
  [POD_IDENTITY_TAGS.namespace]: namespace,
  [POD_IDENTITY_TAGS.serviceAccount]: name,
});

const pairKey = (namespace: string, name: string) => `${namespace}\n${name}`;

/**
 * A namespace and a name that are each trusted but not together (a swapped pair), when the config has
 * one: the first namespace, in the config's order, with a trusted name of another service account
 * that it does not trust, that name the first such in the config's order. Linear in the service
 * accounts: a namespace's scan stops at its first untrusted name, so it reads at most one name more
 * than the namespace trusts.
 */
export function swappedPair(trusted: ServiceAccountRef[]): ServiceAccountRef | undefined {
  const pairs = new Set(trusted.map((t) => pairKey(t.namespace, t.name)));
  const namespaces = [...new Set(trusted.map((t) => t.namespace))];
  const names = [...new Set(trusted.map((t) => t.name))];
  for (const namespace of namespaces) {
    const name = names.find((n) => !pairs.has(pairKey(namespace, n)));
    if (name !== undefined) return { namespace, name };
  }
  return undefined;
}

/** The Pod Identity access matrix (see the file's comment). */
export function buildPodIdentityMatrix(inputs: PodIdentityMatrixInputs): AccessRow[] {
  const { configs, clusterArn, sourceRoleArn, targetRoleArn } = inputs;
  const trusted = configs.b.serviceAccounts;
  const trustedPairs = new Set(trusted.map((t) => pairKey(t.namespace, t.name)));
  // Each document is checked against IAM's grammar once, not once per row: linear in the fleet.
  const targetTrust = sealDocument(inputs.targetTrust);
  const sourceTrust = sealDocument(inputs.sourceTrust);
  const sourcePermissions = inputs.sourcePermissions.map(sealDocument);
  const cluster = parseEksClusterArn("clusterArn", clusterArn);
  const source = parseRoleArn("sourceRoleArn", sourceRoleArn);
  const rows: AccessRow[] = [];
  const isTrusted = (ns: string, name: string, arn: string, principal: string) =>
    arn === clusterArn && principal === sourceRoleArn && trustedPairs.has(pairKey(ns, name));

  // Who may reach the target role: sts:AssumeRole and sts:TagSession, as EKS calls them.
  const target = (subject: string, principal: string, context: Record<string, string>) => {
    const ns = context[POD_IDENTITY_TAGS.namespace];
    const name = context[POD_IDENTITY_TAGS.serviceAccount];
    const arn = context[POD_IDENTITY_TAGS.clusterArn];
    const expected = ns !== undefined && isTrusted(ns, name, arn, principal) ? "allow" : "deny";
    for (const action of POD_IDENTITY_ACTIONS) {
      rows.push(
        matrixRow(
          "target-trust",
          subject,
          action,
          targetRoleArn,
          { "aws:PrincipalArn": principal, ...context },
          expected,
          tryRoleTrust(targetTrust, principal, action, context, DESCRIBED),
        ),
      );
    }
  };
  const otherCluster = clusterArn.replace(/[^/]+$/, (n) =>
    otherThan(n, ["other-cluster", "other-cluster-2"]),
  );
  const otherRole = `arn:${source.partition}:iam::${source.accountId}:role/${otherThan(source.roleName, ["another-role", "another-role-2"])}`;
  const thirdAccount = otherThan(source.accountId, [THIRD_ACCOUNT, "888877776666"]);
  const foreignRole = sourceRoleArn.replace(`::${source.accountId}:`, `::${thirdAccount}:`);
  for (const sa of trusted) {
    target(`${sa.namespace}/${sa.name} (trusted)`, sourceRoleArn, tags(clusterArn, sa.namespace, sa.name));
    const otherNs = otherThan(sa.namespace, ["default", "kube-system"]);
    target("same name, other namespace", sourceRoleArn, tags(clusterArn, otherNs, sa.name));
    const otherName = otherThan(sa.name, ["default", "other-sa"]);
    target("other name, same namespace", sourceRoleArn, tags(clusterArn, sa.namespace, otherName));
    target("another cluster of account A", sourceRoleArn, tags(otherCluster, sa.namespace, sa.name));
    target("another role of account A, right tags", otherRole, tags(clusterArn, sa.namespace, sa.name));
    target(
      `the source role's name in account ${thirdAccount}`,
      foreignRole,
      tags(clusterArn, sa.namespace, sa.name),
    );
    target("no session tags (disableSessionTags)", sourceRoleArn, {});
  }
  const swapped = swappedPair(trusted);
  if (swapped) {
    target(
      `swapped pair ${swapped.namespace}/${swapped.name}`,
      sourceRoleArn,
      tags(clusterArn, swapped.namespace, swapped.name),
    );
  }

  // EKS assuming the source role: this cluster's tags only.
  for (const [subject, arn, expected] of [
    ["EKS Pod Identity, this cluster", clusterArn, "allow"],
    ["EKS Pod Identity, another cluster of account A", otherCluster, "deny"],
  ] as const) {
    const context = tags(arn, trusted[0].namespace, trusted[0].name);
    rows.push(
      matrixRow(
        "source-role",
        subject,
        "sts:AssumeRole",
        sourceRoleArn,
        { principal: POD_IDENTITY_SERVICE, ...context },
        expected,
        tryServiceTrust(sourceTrust, POD_IDENTITY_SERVICE, "sts:AssumeRole", context, DESCRIBED),
      ),
    );
  }
  // The source role chaining: into the target role only.
  const otherTarget = targetRoleArn.replace(/[^/]+$/, (n) =>
    otherThan(n, ["another-role", "another-role-2"]),
  );
  for (const [subject, resource, expected] of [
    ["the source role chains into the target role", targetRoleArn, "allow"],
    ["the source role chains into another role", otherTarget, "deny"],
  ] as const) {
    for (const action of POD_IDENTITY_ACTIONS) {
      rows.push(
        matrixRow(
          "source-role",
          subject,
          action,
          resource,
          { principal: sourceRoleArn },
          expected,
          tryAccess(sourcePermissions, action, resource, {}, DESCRIBED),
        ),
      );
    }
  }
  return [
    ...rows,
    ...accessRows({
      configs,
      partition: cluster.partition,
      permissionPolicies: inputs.permissionPolicies.map(sealDocument),
      bucketName: inputs.bucketName,
    }),
  ];
}
