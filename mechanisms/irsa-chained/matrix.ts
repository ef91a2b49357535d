/**
 * The access matrix of the IRSA-chained chain (`irsa-chained`): who may assume the source role in
 * account A (the trusted service accounts, with A's provider and STS's audience) and the near misses
 * that must not (another namespace, another name, another cluster's provider, account B's provider
 * for the same issuer, a token for the Kubernetes API); the source role chaining (into the target
 * role only); who may assume the target role (the source role) and the near misses (another role of
 * account A, the source role's name in a third account, account A's root itself); then the access
 * rows all mechanisms share. The expectation comes from the config, never from the builders.
 */
import { sealDocument } from "../../components/policyGrammar";
import { STS_AUDIENCE, type ServiceAccountRef } from "../../components/trustPolicy";
import { parseOidcProviderArn, parseRoleArn } from "../../components/validation";
import { DESCRIBED, tryAccess, tryRoleTrust, tryTrust } from "../../chain/evaluation";
import { type PlanConfigs } from "../../plan/planInput";
import {
  KUBERNETES_AUDIENCE,
  THIRD_ACCOUNT,
  accessRows,
  matrixRow,
  otherThan,
  type AccessRow,
  type TwoRoleDocuments,
} from "../../plan/matrix";

/** What the matrix needs besides the config. */
export interface IrsaChainedMatrixInputs extends TwoRoleDocuments {
  configs: PlanConfigs;
  /** account A's provider for the cluster's issuer. */
  providerArn: string;
  /** account B's id, for the near miss "a provider for the issuer in account B". */
  accountBId?: string;
  bucketName: string;
  /**
   * The service accounts account A's source role trusts (the rows of its web identity trust): in grants
   * mode the binding's one service account, whose source role trusts it alone.
   * @default configs.b.serviceAccounts (single-grant mode: every service account account-b trusts)
   */
  sourceTrusted?: ServiceAccountRef[];
}

/** The IRSA-chained access matrix (see the file's comment). */
export function buildIrsaChainedMatrix(inputs: IrsaChainedMatrixInputs): AccessRow[] {
  const { configs, providerArn, sourceRoleArn, targetRoleArn } = inputs;
  const trusted: ServiceAccountRef[] = inputs.sourceTrusted ?? configs.b.serviceAccounts;
  const literal = new Set(trusted.map((sa) => `${sa.namespace}\n${sa.name}`));
  const sourceTrust = sealDocument(inputs.sourceTrust);
  const sourcePermissions = inputs.sourcePermissions.map(sealDocument);
  const targetTrust = sealDocument(inputs.targetTrust);
  const provider = parseOidcProviderArn("providerArn", providerArn);
  const source = parseRoleArn("sourceRoleArn", sourceRoleArn);
  const rows: AccessRow[] = [];

  // The source role's trust: exactly the configured service accounts, through A's provider, for STS.
  const seen = new Set<string>();
  const web = (subject: string, arn: string, ns: string, name: string, aud: string) => {
    const key = `${arn} ${ns} ${name} ${aud}`;
    if (seen.has(key)) return;
    seen.add(key);
    const sub = `system:serviceaccount:${ns}:${name}`;
    const expected =
      arn === providerArn && aud === STS_AUDIENCE && literal.has(`${ns}\n${name}`) ? "allow" : "deny";
    rows.push(
      matrixRow(
        "trust",
        subject,
        "sts:AssumeRoleWithWebIdentity",
        arn,
        { sub, aud },
        expected,
        tryTrust(sourceTrust, arn, sub, aud, DESCRIBED),
      ),
    );
  };
  const otherCluster = `arn:${provider.partition}:iam::${provider.accountId}:oidc-provider/${provider.hostPath.replace(
    /[^/]+$/,
    (id) => otherThan(id, ["0123456789ABCDEF0123456789ABCDEF", "FEDCBA9876543210FEDCBA9876543210"]),
  )}`;
  const inB =
    inputs.accountBId !== undefined && inputs.accountBId !== provider.accountId
      ? `arn:${provider.partition}:iam::${inputs.accountBId}:oidc-provider/${provider.hostPath}`
      : undefined;
  for (const sa of trusted) {
    web(`${sa.namespace}/${sa.name} (trusted)`, providerArn, sa.namespace, sa.name, STS_AUDIENCE);
    web(
      "same name, other namespace",
      providerArn,
      otherThan(sa.namespace, ["default", "kube-system"]),
      sa.name,
      STS_AUDIENCE,
    );
    web(
      "other name, same namespace",
      providerArn,
      sa.namespace,
      otherThan(sa.name, ["default", "other-sa"]),
      STS_AUDIENCE,
    );
    web("another cluster (its issuer's provider)", otherCluster, sa.namespace, sa.name, STS_AUDIENCE);
    if (inB) web("a provider in account B, not A", inB, sa.namespace, sa.name, STS_AUDIENCE);
    web("a token for the Kubernetes API, not STS", providerArn, sa.namespace, sa.name, KUBERNETES_AUDIENCE);
  }
  // Grants mode: the grant's other service accounts are not this binding's, and its source role refuses them.
  for (const sa of configs.b.serviceAccounts.filter((t) => !literal.has(`${t.namespace}\n${t.name}`))) {
    web(
      `${sa.namespace}/${sa.name} (the grant's, another binding's)`,
      providerArn,
      sa.namespace,
      sa.name,
      STS_AUDIENCE,
    );
  }

  // The source role chaining: sts:AssumeRole into the target role only.
  const otherTarget = targetRoleArn.replace(/[^/]+$/, (n) =>
    otherThan(n, ["another-role", "another-role-2"]),
  );
  for (const [subject, resource, expected] of [
    ["the source role chains into the target role", targetRoleArn, "allow"],
    ["the source role chains into another role", otherTarget, "deny"],
  ] as const) {
    rows.push(
      matrixRow(
        "source-role",
        subject,
        "sts:AssumeRole",
        resource,
        { principal: sourceRoleArn },
        expected,
        tryAccess(sourcePermissions, "sts:AssumeRole", resource, {}, DESCRIBED),
      ),
    );
  }

  // The target role's trust: the source role only.
  const otherRole = `arn:${source.partition}:iam::${source.accountId}:role/${otherThan(source.roleName, ["another-role", "another-role-2"])}`;
  const thirdAccount = otherThan(source.accountId, [THIRD_ACCOUNT, "888877776666"]);
  const foreignRole = sourceRoleArn.replace(`::${source.accountId}:`, `::${thirdAccount}:`);
  const accountRoot = `arn:${source.partition}:iam::${source.accountId}:root`;
  for (const [subject, principal, expected] of [
    ["the source role", sourceRoleArn, "allow"],
    ["another role of account A", otherRole, "deny"],
    [`the source role's name in account ${thirdAccount}`, foreignRole, "deny"],
    ["account A's root user", accountRoot, "deny"],
  ] as const) {
    rows.push(
      matrixRow(
        "target-trust",
        subject,
        "sts:AssumeRole",
        targetRoleArn,
        { "aws:PrincipalArn": principal },
        expected,
        tryRoleTrust(targetTrust, principal, "sts:AssumeRole", {}, DESCRIBED),
      ),
    );
  }
  return [
    ...rows,
    ...accessRows({
      configs,
      partition: source.partition,
      permissionPolicies: inputs.permissionPolicies.map(sealDocument),
      bucketName: inputs.bucketName,
    }),
  ];
}
