/**
 * The IRSA chain's catalogue: its five links and every check made on them, with the words that say
 * what is checked and how to fix it when it fails. This is the one place those words exist: the
 * offline plan, the account-a program's checks before it registers anything, `verify`'s diagnosis of
 * an access-check result and the doctor all take them from here (tests change an entry and see the
 * change in each of them). The permission link's checks are chain/permissionCatalogue.ts's, shared
 * by every mechanism.
 *
 * Pure data and string functions; no Pulumi or AWS package is imported.
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
  type InGrant,
  type Live,
  type Subject,
  type Workload,
} from "../../chain/catalogueBase";
import { PERMISSION_CHECKS, type S3Object } from "../../chain/permissionCatalogue";

/** The five links of the IRSA chain. Every failure of IRSA breaks one of them. */
export const IRSA_LINKS: readonly LinkDefinition[] = [
  { id: "issuer", number: 1, title: "the cluster's OIDC issuer (account A)" },
  { id: "oidc-provider", number: 2, title: "the IAM OIDC provider for that issuer in account B" },
  {
    id: "trust-policy",
    number: 3,
    title: "the role's trust policy in account B (Federated principal, sub and aud conditions)",
  },
  {
    id: "service-account",
    number: 4,
    title:
      "the ServiceAccount's eks.amazonaws.com/role-arn annotation and the token the webhook injects (account A)",
  },
  { id: "permission", number: 5, title: "the role's permission policy and the bucket policy in account B" },
];

/**
 * The checks of the IRSA chain, by name. Entries are plain objects so that a test can change one and
 * see the change wherever the chain is checked; nothing copies their words at import time.
 */
export const IRSA_CHECKS = {
  issuerExported: check<Live & { cluster?: string }>(
    "issuer",
    (p) => says(p, "account-a's cluster exports an OIDC issuer", `cluster ${p.cluster} has an OIDC issuer`),
    (p) =>
      says(
        p,
        "account-a must export oidcIssuerUrl (https://oidc.eks.<region>.amazonaws.com/id/<ID>): check the WorkloadCluster " +
          "(an adopted cluster needs its OIDC issuer enabled)",
        "name the cluster with --cluster and --cluster-region, and read it with credentials of its account (--profile-a): " +
          "every EKS cluster has an OIDC issuer (identity.oidc.issuer in aws eks describe-cluster)",
      ),
  ),
  issuerDiscovery: check<{ issuer: string; noRoute?: boolean }>(
    "issuer",
    () => "the issuer's discovery document and JWKS are reachable and consistent",
    (p) =>
      p.noRoute
        ? "this machine has no route to the issuer (STS reaches it from AWS): run the doctor where it has one to check " +
          "what the issuer serves"
        : `${p.issuer}/.well-known/openid-configuration must be served over HTTPS with "issuer" exactly ${p.issuer} and a ` +
          '"jwks_uri" that serves the keys signing the ServiceAccount tokens (STS reads both); an EKS issuer is served by ' +
          "AWS, so a mismatch means the issuer URL is not this cluster's",
  ),
  providerForIssuer: check<Live & { roleAccount?: string; issuer?: string; inClusterAccount?: string }>(
    "oidc-provider",
    (p) =>
      says(
        p,
        "account-b's OIDC provider URL is account-a's issuer",
        `the role's account ${p.roleAccount} has an IAM OIDC provider for the cluster's issuer`,
      ),
    (p) =>
      says(
        p,
        "account-b's OIDC provider must be for account-a's current issuer: run account-b's update after account-a's " +
          "(npm run deploy does), and check cross-account-irsa:accountAStack and existingOidcProviderArn on account-b",
        `create it in the role's account ${p.roleAccount}: aws iam create-open-id-connect-provider --url ${p.issuer} ` +
          `--client-id-list ${STS_AUDIENCE} (with credentials of account ${p.roleAccount}); STS looks the provider up in ` +
          "the account of the role it assumes" +
          (p.inClusterAccount !== undefined
            ? `, so the one in the cluster's account (${p.inClusterAccount}) does not count`
            : ""),
      ),
  ),
  providerClientId: check<Live & { audience?: string }>(
    "oidc-provider",
    (p) =>
      says(
        p,
        `account-b's OIDC provider accepts client id ${STS_AUDIENCE}`,
        `the OIDC provider accepts client id ${p.audience ?? STS_AUDIENCE} (the ServiceAccount's audience)`,
      ),
    (p) =>
      `add ${p.audience ?? STS_AUDIENCE} to the provider's client ids (aws iam add-client-id-to-open-id-connect-provider)`,
  ),
  providerThumbprint: check(
    "oidc-provider",
    () => "STS accepts the issuer's certificate",
    () =>
      "the provider's thumbprint must be the issuer's top intermediate CA (or be left empty for EKS issuers, " +
      "which IAM verifies through its own trusted CA library): update it with aws iam update-open-id-connect-provider-thumbprint",
  ),
  trustPrincipal: check<Live & { providerArn?: string }>(
    "trust-policy",
    () => "the role's Federated principal is that provider",
    (p) =>
      says(
        p,
        "the trust policy must name account-b's OIDC provider for account-a's issuer (an ARN in account B, not A): " +
          "build it with buildTrustPolicy from ClusterOidcProvider.arn",
        `the trust policy's Principal.Federated must be the provider in the role's account, ${p.providerArn ?? "arn:<partition>:iam::<role account>:oidc-provider/<issuer host/path>"} ` +
          "(not a provider ARN of the cluster's account): aws iam update-assume-role-policy",
      ),
  ),
  trustSubject: check<Live & InGrant & Subject & { audience: string }>(
    "trust-policy",
    (p) => `the role trusts ${p.namespace}/${p.name} with audience ${p.audience}`,
    (p) =>
      "the trust policy's StringEquals must hold <issuer>:sub = " +
      `system:serviceaccount:${p.namespace}:${p.name} and <issuer>:aud = ${p.audience}` +
      says(
        p,
        inGrant(
          p,
          ": check cross-account-irsa:serviceAccounts on account-b",
          (g) => `: check ${grantEntryField(g, "serviceAccounts")} on account-b`,
        ),
        ", with <issuer> the cluster's issuer host/path: aws iam update-assume-role-policy",
      ),
  ),
  trustNarrow: check<{ fixes: string[]; roleName: string }>(
    "trust-policy",
    () =>
      "the trust admits the provider's tokens only with an aud condition and for named service accounts of literal namespaces",
    (p) =>
      `${p.fixes.join("; ")} in the role's trust (buildTrustPolicy writes it): aws iam update-assume-role-policy ` +
      `--role-name ${p.roleName} --policy-document file://trust.json`,
  ),
  serviceAccountPresent: check<Live & Partial<Subject>>(
    "service-account",
    (p) =>
      says(p, "account-a plans the IRSA ServiceAccount", `ServiceAccount ${p.namespace}/${p.name} exists`),
    (p) =>
      says(
        p,
        SERVICE_ACCOUNT_PRESENT_STACKS_FIX,
        `create it (kubectl create serviceaccount ${p.name} -n ${p.namespace}) and annotate it, or name the right one ` +
          "with --namespace, --service-account and --context",
      ),
  ),
  serviceAccountAnnotated: check<Live & InGrant & Subject & { roleArn?: string }>(
    "service-account",
    (p) => `ServiceAccount ${p.namespace}/${p.name} is annotated ${ROLE_ARN_ANNOTATION} = the role ARN`,
    (p) =>
      says(
        p,
        `annotate the ServiceAccount ${ROLE_ARN_ANNOTATION}: ` +
          inGrant(
            p,
            "<account-b's roleArn output> (IrsaServiceAccount does)",
            (g) => `<account-b's grants.${g}.handoff.roleArn output> (the grant's BucketAccessBinding does)`,
          ) +
          ", and recreate pods that started before the annotation",
        `kubectl annotate serviceaccount ${p.name} -n ${p.namespace} --overwrite ${ROLE_ARN_ANNOTATION}=${p.roleArn ?? "<role ARN>"}, ` +
          "then restart the pods that use it",
      ),
  ),
  serviceAccountTrusted: serviceAccountTrustedCheck(
    "service-account",
    (p) => `ServiceAccount ${p.namespace}/${p.name} is a subject the role trusts`,
  ),
  podsInjected: check<Subject>(
    "service-account",
    (p) =>
      `pods of ServiceAccount ${p.namespace}/${p.name} have the webhook's AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE`,
    (p) =>
      `restart them (kubectl rollout restart deployment/<name> -n ${p.namespace}, or delete the pods): the pod identity ` +
      "webhook injects the role only into pods created after the ServiceAccount's annotation; if new pods still lack it, " +
      "check the webhook (EKS runs it; another cluster needs amazon-eks-pod-identity-webhook)",
  ),
  workloadPresent: workloadPresentCheck("service-account"),
  workloadServiceAccount: workloadServiceAccountCheck(
    "service-account",
    "the webhook injects the role only into pods of the annotated ServiceAccount",
  ),
  workloadExpectsRole: check<{ workload: Workload }>(
    "service-account",
    (p) => `${p.workload.kind} ${p.workload.name} expects the role ARN`,
    () => "pass account-b's roleArn output as the access check's expectedRoleArn",
  ),
  ...PERMISSION_CHECKS,
  assumeToken: check<Subject & { audience: string }>(
    "service-account",
    (p) =>
      `the TokenRequest API issues ServiceAccount ${p.namespace}/${p.name} a token for audience ${p.audience}`,
    (p) =>
      `the doctor's Kubernetes identity needs create on serviceaccounts/token in namespace ${p.namespace} ` +
      `(kubectl auth can-i create serviceaccounts/token -n ${p.namespace}), and the ServiceAccount must exist`,
  ),
  assumeWebIdentity: check<{ roleArn: string; advice?: string }>(
    "trust-policy",
    (p) => `sts:AssumeRoleWithWebIdentity with that token returns credentials of ${p.roleArn}`,
    (p) => p.advice ?? "see STS's error: the links above say which one is broken",
  ),
  assumeRead: check<S3Object & { advice?: string }>(
    "permission",
    (p) => `those credentials read s3://${p.bucket}/${p.key}`,
    (p) => p.advice ?? "see S3's error: the permission checks above say which statement is missing",
  ),
};
