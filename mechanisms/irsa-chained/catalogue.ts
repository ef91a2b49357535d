/**
 * The IRSA-chained chain's catalogue (`irsa-chained`): its seven links and every check made on them,
 * with the words that say what is checked and how to fix it (the stacks' words, or with live facts
 * the doctor's). The permission link's checks are the IRSA chain's (the same policy and bucket, on
 * the target role). Pure.
 *
 * The links (Amazon EKS User Guide, "Authenticate to another account with IRSA", option 2,
 * https://docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html): the pod's token is
 * exchanged for the source role in account A through A's own OIDC provider, and the SDK chains into
 * the target role in account B through a config profile (`role_arn` + `source_profile`).
 */
import { ROLE_ARN_ANNOTATION } from "../../components/serviceAccountAnnotations";
import { STS_AUDIENCE } from "../../components/trustPolicy";
import {
  SERVICE_ACCOUNT_PRESENT_STACKS_FIX,
  check,
  grantEntryField,
  inGrant,
  says,
  serviceAccountTrustedCheck,
  workloadPresentCheck,
  workloadServiceAccountCheck,
  type LinkDefinition,
  type LinkId,
  type InGrant,
  type Live,
  type Subject,
  type Workload,
} from "../../chain/catalogueBase";

/** The link ids of this chain (existing ids, reused with this chain's titles). */
export type IrsaChainedLinkId = Extract<
  LinkId,
  | "issuer"
  | "oidc-provider"
  | "trust-policy"
  | "service-account"
  | "source-role"
  | "target-trust"
  | "permission"
>;

/** The seven links of the IRSA-chained chain. */
export const IRSA_CHAINED_LINKS: readonly (LinkDefinition & { id: IrsaChainedLinkId })[] = [
  { id: "issuer", number: 1, title: "the cluster's OIDC issuer (account A)" },
  {
    id: "oidc-provider",
    number: 2,
    title: "the IAM OIDC provider for that issuer in account A (the source role's account)",
  },
  {
    id: "trust-policy",
    number: 3,
    title: "the source role's trust policy in account A (A's provider, exact sub and aud)",
  },
  {
    id: "service-account",
    number: 4,
    title:
      "the ServiceAccount's annotation (the source role), the SDK config file that chains the roles, and the pods " +
      "that mount it (account A)",
  },
  {
    id: "source-role",
    number: 5,
    title: "the source role's permission to sts:AssumeRole the target role (account A)",
  },
  {
    id: "target-trust",
    number: 6,
    title: "the target role's trust policy in account B (account A's source role only)",
  },
  {
    id: "permission",
    number: 7,
    title: "the target role's permission policy and the bucket policy in account B",
  },
];

/** The definition of one of this chain's links. */
export function irsaChainedLink(id: IrsaChainedLinkId): LinkDefinition {
  return IRSA_CHAINED_LINKS.find((l) => l.id === id)!;
}

/** The role name of a role ARN, for the words of a fix. */
const roleName = (arn: string | undefined, fallback: string) =>
  arn === undefined ? fallback : arn.slice(arn.lastIndexOf("/") + 1);

/** A ServiceAccount and the roles, for the words of a check. */
interface ChainWords extends Live, InGrant {
  sourceRoleArn?: string;
  targetRoleArn?: string;
}

/** The checks of the IRSA-chained chain, by name. */
export const IRSA_CHAINED_CHECKS = {
  issuerExported: check<Live & { cluster?: string }>(
    "issuer",
    (p) => says(p, "account-a's cluster exports an OIDC issuer", `cluster ${p.cluster} has an OIDC issuer`),
    (p) =>
      says(
        p,
        "account-a must export oidcIssuerUrl (https://oidc.eks.<region>.amazonaws.com/id/<ID>): check the WorkloadCluster " +
          "(an adopted cluster needs its OIDC issuer enabled)",
        "name the cluster with --cluster and --cluster-region, and read it with credentials of its account (--profile-a)",
      ),
  ),
  providerForIssuer: check<Live & { account?: string; issuer?: string }>(
    "oidc-provider",
    (p) =>
      says(
        p,
        "account-a's OIDC provider URL is its cluster's issuer",
        `the source role's account ${p.account} has an IAM OIDC provider for the cluster's issuer`,
      ),
    (p) =>
      says(
        p,
        "account-a creates it (ClusterOidcProvider) or adopts one (cross-account-irsa:existingOidcProviderArn on " +
          "account-a: IAM allows one provider per URL per account)",
        `create it in account ${p.account}: aws iam create-open-id-connect-provider --url ${p.issuer ?? "<issuer>"} ` +
          `--client-id-list ${STS_AUDIENCE} (credentials of account ${p.account}); STS looks the provider up in the ` +
          "account of the role it assumes, here the source role's",
      ),
  ),
  providerClientId: check(
    "oidc-provider",
    () => `account-a's OIDC provider accepts client id ${STS_AUDIENCE}`,
    () =>
      `add ${STS_AUDIENCE} to the provider's client ids (aws iam add-client-id-to-open-id-connect-provider)`,
  ),
  providerInSourceAccount: check<{ providerArn: string; sourceRoleArn: string }>(
    "oidc-provider",
    () => "the OIDC provider is in the source role's account",
    (p) =>
      `the source role ${p.sourceRoleArn} must trust a provider of its own account, not ${p.providerArn}: STS looks the ` +
      "provider up in the account of the role it assumes",
  ),
  sourceTrustPrincipal: check<ChainWords & { providerArn?: string }>(
    "trust-policy",
    () => "the source role's Federated principal is account-a's provider",
    (p) =>
      `the source role's trust must name ${p.providerArn ?? "account-a's provider for the issuer"} as Principal.Federated ` +
      says(
        p,
        "(ChainedSourceRole writes it)",
        `(buildChainedSourceTrustPolicy writes it): aws iam update-assume-role-policy --role-name ${roleName(p.sourceRoleArn, "<source role>")} --policy-document file://trust.json`,
      ),
  ),
  sourceTrustSubject: check<Live & InGrant & Subject & { audience: string }>(
    "trust-policy",
    (p) => `the source role trusts ${p.namespace}/${p.name} with audience ${p.audience}`,
    (p) =>
      "the source role's StringEquals must hold <issuer>:sub = " +
      `system:serviceaccount:${p.namespace}:${p.name} and <issuer>:aud = ${p.audience}` +
      says(
        p,
        inGrant(
          p,
          ": check cross-account-irsa:serviceAccounts on account-b (account-a's source role trusts those)",
          (g) =>
            `: check ${grantEntryField(g, "serviceAccounts")} on account-b (the grant's source role trusts those)`,
        ),
        "",
      ),
  ),
  sourceTrustNarrow: check<ChainWords & { fixes: string[] }>(
    "trust-policy",
    () =>
      "the source role's trust admits only account A's provider's tokens, with an aud condition and for named " +
      "service accounts of literal namespaces",
    (p) =>
      `${p.fixes.join("; ")} in the source role's trust (buildChainedSourceTrustPolicy writes it): aws iam ` +
      `update-assume-role-policy --role-name ${roleName(p.sourceRoleArn, "<source role>")} --policy-document file://trust.json`,
  ),
  serviceAccountPresent: check<Live & Partial<Subject>>(
    "service-account",
    (p) => says(p, "account-a plans the ServiceAccount", `ServiceAccount ${p.namespace}/${p.name} exists`),
    (p) =>
      says(
        p,
        SERVICE_ACCOUNT_PRESENT_STACKS_FIX,
        `create it (kubectl create serviceaccount ${p.name} -n ${p.namespace}) and annotate it with the source role`,
      ),
  ),
  serviceAccountAnnotated: check<Live & InGrant & Subject & { sourceRoleArn?: string }>(
    "service-account",
    (p) =>
      `ServiceAccount ${p.namespace}/${p.name} is annotated ${ROLE_ARN_ANNOTATION} = the source role (account A)`,
    (p) =>
      `kubectl annotate serviceaccount ${p.name} -n ${p.namespace} --overwrite ${ROLE_ARN_ANNOTATION}=` +
      `${p.sourceRoleArn ?? inGrant(p, "<account-a's sourceRoleArn>", (g) => `<account-b's grants.${g}.handoff.clusters "cluster" chainedSourceRoleArn>`)}, ` +
      "then restart the pods: the webhook mounts the token for the " +
      "annotated role only (the source role in account A, never account B's role: that one trusts no provider)",
  ),
  serviceAccountTrusted: serviceAccountTrustedCheck(
    "service-account",
    (p) => `ServiceAccount ${p.namespace}/${p.name} is one account-b grants`,
  ),
  profilePresent: check<Live & { configMap?: string; namespace?: string }>(
    "service-account",
    (p) =>
      says(
        p,
        "account-a plans the SDK config file's ConfigMap",
        `ConfigMap ${p.namespace}/${p.configMap} holds the SDK config file`,
      ),
    () =>
      "account-a creates it (ChainedProfileConfigMap) once account-b has outputs: check account-a's accountBStack",
  ),
  profileChains: check<ChainWords & { problems: string[] }>(
    "service-account",
    () => "the SDK config file chains the source role (web identity) into the target role (source_profile)",
    (p) =>
      `${p.problems.join("; ")}: the chained profile needs role_arn = ${p.targetRoleArn ?? "<target role>"}, ` +
      `source_profile = the source profile and duration_seconds <= 3600; the source profile role_arn = ` +
      `${p.sourceRoleArn ?? "<source role>"} and web_identity_token_file (buildChainedProfileConfig writes it)`,
  ),
  workloadPresent: workloadPresentCheck("service-account"),
  workloadServiceAccount: workloadServiceAccountCheck(
    "service-account",
    "the webhook mounts the source role's token only into pods of the annotated ServiceAccount",
  ),
  workloadExpectsRole: check<{ workload: Workload }>(
    "service-account",
    (p) => `${p.workload.kind} ${p.workload.name} expects the target role ARN`,
    () =>
      "pass account-b's roleArn output (the target role) as the access check's expectedRoleArn: the probe must prove " +
      "the caller is a session of account B's role, not of the source role",
  ),
  workloadUsesProfile: check<{ workload: Workload; configMap?: string; profile?: string }>(
    "service-account",
    (p) =>
      `${p.workload.kind} ${p.workload.name} mounts the SDK config file read-only and selects profile ${p.profile ?? "?"}`,
    (p) =>
      `mount ConfigMap ${p.configMap ?? "<config map>"} read-only and set AWS_CONFIG_FILE to its config file and ` +
      `AWS_PROFILE=${p.profile ?? "<chained profile>"} (chainedPodWiring gives all three); the Java v2, Kotlin and Go v2 ` +
      "SDKs read the webhook's AWS_ROLE_ARN first and would run as the source role",
  ),
  sourcePermission: check<ChainWords>(
    "source-role",
    () => "the source role may sts:AssumeRole on the target role",
    (p) =>
      `allow sts:AssumeRole on ${p.targetRoleArn ?? "account-b's roleArn"} in the source role's policies ` +
      says(
        p,
        "(account-a's second update adds it: ChainedSourceRole's targetRoleArn)",
        `(buildChainedSourcePermissionPolicy writes one): aws iam put-role-policy --role-name ${roleName(p.sourceRoleArn, "<source role>")} ` +
          "--policy-name assume-target-role --policy-document file://chain.json",
      ),
  ),
  targetTrust: check<ChainWords>(
    "target-trust",
    () => "the target role trusts the source role to sts:AssumeRole",
    (p) =>
      `the target role's trust must allow account A's root with ArnEquals aws:PrincipalArn = ${p.sourceRoleArn ?? "the source role"} ` +
      says(
        p,
        inGrant(
          p,
          "(ChainedTargetRole writes it): run account-b's update after account-a's so it reads the current sourceRoleArn",
          (g) =>
            `(the grant's BucketAccessGrant writes it for ${grantEntryField(g, "chainedSourceRoleName")} on account-b): ` +
            "run account-b's update",
        ),
        `(buildChainedTargetTrustPolicy writes it): aws iam update-assume-role-policy --role-name ${roleName(p.targetRoleArn, "<target role>")} ` +
          "--policy-document file://trust.json (credentials of the target role's account)",
      ),
  ),
  targetTrustNarrow: check<ChainWords & { other: string }>(
    "target-trust",
    (p) => `the target role's trust refuses ${p.other}`,
    (p) =>
      "narrow the target role's trust to the source role: Principal account A's root with ArnEquals aws:PrincipalArn = " +
      `${p.sourceRoleArn ?? "the source role"} (buildChainedTargetTrustPolicy), not the account alone`,
  ),
  sourcePermissionNarrow: check<ChainWords & { fixes: string[] }>(
    "source-role",
    () => "the source role's policies allow assuming only the target role",
    (p) =>
      `${p.fixes.join("; ")} in the source role's policies (buildChainedSourcePermissionPolicy writes one): aws iam ` +
      `put-role-policy --role-name ${roleName(p.sourceRoleArn, "<source role>")} --policy-name assume-target-role ` +
      "--policy-document file://chain.json",
  ),
  targetTrustOnlySource: check<ChainWords & { fixes: string[] }>(
    "target-trust",
    () => "every Allow statement of the target role's trust admits only the source role",
    (p) =>
      `${p.fixes.join("; ")} in the target role's trust (buildChainedTargetTrustPolicy writes it): aws iam ` +
      `update-assume-role-policy --role-name ${roleName(p.targetRoleArn, "<target role>")} --policy-document ` +
      "file://trust.json (credentials of the target role's account)",
  ),
};
