/**
 * The access matrix of the IRSA chain (`irsa`): who may assume account-b's role (the trusted service
 * accounts, with B's provider for A's issuer and STS's audience) and the near misses that must not
 * (another namespace, another name, another cluster's provider, a provider for the issuer in account
 * A, a token for the Kubernetes API); then the access rows all mechanisms share. The expectation
 * comes from the config, never from the builders.
 */
import { globMatch } from "../../components/evaluate";
import { type PolicyDocument } from "../../components/policyDocument";
import { sealDocument } from "../../components/policyGrammar";
import { STS_AUDIENCE, wholeNamespaces } from "../../components/trustPolicy";
import { parseOidcProviderArn } from "../../components/validation";
import { DESCRIBED, tryTrust } from "../../chain";
import { type PlanConfigs } from "../../plan/planInput";
import { KUBERNETES_AUDIENCE, accessRows, matrixRow, otherThan, type AccessRow } from "../../plan/matrix";

/** What the IRSA matrix needs besides the config. */
export interface IrsaMatrixInputs {
  configs: PlanConfigs;
  /** The OIDC provider the role should trust (account-b's provider for account-a's issuer). */
  providerArn: string;
  trustPolicy: PolicyDocument;
  permissionPolicies: PolicyDocument[];
  bucketName: string;
  /** account A's id, for the near miss "a provider in account A". */
  accountAId?: string;
}

/** A concrete name a pattern matches (`*` and `?` become `x`). */
function sample(pattern: string): string {
  return pattern.replace(/[*?]/g, "x");
}

/**
 * The IRSA access matrix: every trusted service account may assume the role and near misses may not
 * (another namespace, another name, another cluster's provider, a provider in account A, a token
 * for another audience); the role may do exactly the S3 (and KMS) actions its access level and
 * prefixes intend, and nothing on another bucket. The expectation comes from the config, the
 * decision from the planned documents.
 */
export function buildIrsaMatrix(inputs: IrsaMatrixInputs): AccessRow[] {
  const { configs, providerArn, bucketName } = inputs;
  const b = configs.b;
  const rows: AccessRow[] = [];
  const provider = parseOidcProviderArn("providerArn", providerArn);
  // Checked against IAM's grammar once, not once per row: the matrix stays linear in the fleet.
  const trustPolicy = sealDocument(inputs.trustPolicy);

  // Trust: the intent is "exactly the configured service accounts, through this provider, for STS".
  const literal = new Set(b.serviceAccounts.map((sa) => `${sa.namespace}\n${sa.name}`));
  const trustedBy = (ns: string, name: string) =>
    b.conditionTest === "StringLike"
      ? b.serviceAccounts.some((sa) =>
          globMatch(
            `system:serviceaccount:${sa.namespace}:${sa.name}`,
            `system:serviceaccount:${ns}:${name}`,
            false,
          ),
        )
      : literal.has(`${ns}\n${name}`);
  const wide = new Set(wholeNamespaces(b.serviceAccounts, b.conditionTest));
  const seen = new Set<string>();
  const trust = (subject: string, arn: string, ns: string, name: string, aud: string) => {
    const key = `${arn} ${ns} ${name} ${aud}`;
    if (seen.has(key)) return;
    seen.add(key);
    const sub = `system:serviceaccount:${ns}:${name}`;
    const expected = arn === providerArn && aud === STS_AUDIENCE && trustedBy(ns, name) ? "allow" : "deny";
    const result = tryTrust(trustPolicy, arn, sub, aud, DESCRIBED);
    rows.push({
      ...matrixRow("trust", subject, "sts:AssumeRoleWithWebIdentity", arn, { sub, aud }, expected, result),
      ...(wide.has(ns) ? { scope: "namespace-wide" as const } : {}),
    });
  };
  const otherClusterArn = `arn:${provider.partition}:iam::${provider.accountId}:oidc-provider/${provider.hostPath.replace(
    /[^/]+$/,
    (id) => otherThan(id, ["0123456789ABCDEF0123456789ABCDEF", "FEDCBA9876543210FEDCBA9876543210"]),
  )}`;
  const accountAArn =
    inputs.accountAId && inputs.accountAId !== provider.accountId
      ? `arn:${provider.partition}:iam::${inputs.accountAId}:oidc-provider/${provider.hostPath}`
      : undefined;
  for (const sa of b.serviceAccounts) {
    const ns = sample(sa.namespace);
    const name = sample(sa.name);
    trust("trusted service account", providerArn, ns, name, STS_AUDIENCE);
    const otherNs = otherThan(ns, ["default", "kube-system"]);
    trust("same name, other namespace", providerArn, otherNs, name, STS_AUDIENCE);
    const otherName = otherThan(name, ["default", "other-sa"]);
    trust("other name, same namespace", providerArn, ns, otherName, STS_AUDIENCE);
    trust("another cluster (its issuer's provider)", otherClusterArn, ns, name, STS_AUDIENCE);
    if (accountAArn) trust("a provider in account A, not B", accountAArn, ns, name, STS_AUDIENCE);
    trust("a token for the Kubernetes API, not STS", providerArn, ns, name, KUBERNETES_AUDIENCE);
  }

  return [
    ...rows,
    ...accessRows({
      configs,
      partition: provider.partition,
      permissionPolicies: inputs.permissionPolicies.map(sealDocument),
      bucketName,
    }),
  ];
}
