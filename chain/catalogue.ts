/**
 * The chain's catalogue: every link of the IRSA chain and every check made on it, with the words that
 * say what is checked and how to fix it when it fails. This is the one place those words exist: the
 * offline plan, the account-a program's checks before it registers anything, `verify`'s diagnosis of
 * an access-check result and the doctor all take them from here (tests change an entry and see the
 * change in each of them).
 *
 * Pure data and string functions; no Pulumi or AWS package is imported.
 */
import { ROLE_ARN_ANNOTATION } from "../components/serviceAccountAnnotations";
import { STS_AUDIENCE } from "../components/trustPolicy";

/** The links of the IRSA chain, in order (design.md, "Mechanism 1"). */
export type IrsaLinkId = "issuer" | "oidc-provider" | "trust-policy" | "service-account" | "permission";
/** Any link of any mechanism's chain. */
export type LinkId = IrsaLinkId;

/** One link of a chain. */
export interface LinkDefinition {
  id: LinkId;
  /** Its position in the chain, from 1. */
  number: number;
  /** What the link is, in words. */
  title: string;
}

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

/** The definition of a link, by id. */
export function linkOf(id: LinkId): LinkDefinition {
  const link = IRSA_LINKS.find((l) => l.id === id);
  if (!link) throw new Error(`no chain link ${id}`);
  return link;
}

/** A check on one link: what it checks and how to fix it, both in words, from its parameters. */
export interface CheckDefinition<P> {
  readonly link: LinkId;
  /** What is checked. */
  title: (p: P) => string;
  /** How to repair it when it fails. */
  fix: (p: P) => string;
}

function check<P = Record<string, never>>(
  link: LinkId,
  title: (p: P) => string,
  fix: (p: P) => string,
): CheckDefinition<P> {
  return { link, title, fix };
}

/** A Kubernetes service account, for the words of a check. */
interface Subject {
  namespace: string;
  name: string;
}

/** A pod-running object (a Deployment or a Job), for the words of a check. */
interface Workload {
  kind: string;
  name: string;
  namespace?: string;
}

/**
 * The checks of the IRSA chain, by name. Entries are plain objects so that a test can change one and
 * see the change wherever the chain is checked; nothing copies their words at import time.
 */
export const IRSA_CHECKS = {
  issuerExported: check(
    "issuer",
    () => "account-a's cluster exports an OIDC issuer",
    () =>
      "account-a must export oidcIssuerUrl (https://oidc.eks.<region>.amazonaws.com/id/<ID>): check the WorkloadCluster " +
      "(an adopted cluster needs its OIDC issuer enabled)",
  ),
  providerForIssuer: check(
    "oidc-provider",
    () => "account-b's OIDC provider URL is account-a's issuer",
    () =>
      "account-b's OIDC provider must be for account-a's current issuer: run account-b's update after account-a's " +
      "(npm run deploy does), and check cross-account-irsa:accountAStack and existingOidcProviderArn on account-b",
  ),
  providerClientId: check(
    "oidc-provider",
    () => `account-b's OIDC provider accepts client id ${STS_AUDIENCE}`,
    () =>
      `add ${STS_AUDIENCE} to the provider's client ids (aws iam add-client-id-to-open-id-connect-provider)`,
  ),
  providerThumbprint: check(
    "oidc-provider",
    () => "STS accepts the issuer's certificate",
    () =>
      "the provider's thumbprint must be the issuer's top intermediate CA (or be left empty for EKS issuers, " +
      "which IAM verifies through its own trusted CA library): update it with aws iam update-open-id-connect-provider-thumbprint",
  ),
  trustPrincipal: check(
    "trust-policy",
    () => "the role's Federated principal is that provider",
    () =>
      "the trust policy must name account-b's OIDC provider for account-a's issuer (an ARN in account B, not A): " +
      "build it with buildTrustPolicy from ClusterOidcProvider.arn",
  ),
  trustSubject: check<Subject & { audience: string }>(
    "trust-policy",
    (p) => `the role trusts ${p.namespace}/${p.name} with audience ${p.audience}`,
    (p) =>
      "the trust policy's StringEquals must hold <issuer>:sub = " +
      `system:serviceaccount:${p.namespace}:${p.name} and <issuer>:aud = ${p.audience}: check cross-account-irsa:serviceAccounts on account-b`,
  ),
  serviceAccountPresent: check(
    "service-account",
    () => "account-a plans the IRSA ServiceAccount",
    () =>
      "account-a creates the ServiceAccount once account-b has outputs: check account-a's accountBStack points at account-b",
  ),
  serviceAccountAnnotated: check<Subject>(
    "service-account",
    (p) => `ServiceAccount ${p.namespace}/${p.name} is annotated ${ROLE_ARN_ANNOTATION} = the role ARN`,
    () =>
      `annotate the ServiceAccount ${ROLE_ARN_ANNOTATION}: <account-b's roleArn output> (IrsaServiceAccount does), ` +
      "and recreate pods that started before the annotation",
  ),
  serviceAccountTrusted: check<Subject>(
    "service-account",
    (p) => `ServiceAccount ${p.namespace}/${p.name} is a subject the role trusts`,
    (p) =>
      `make the names agree: add {namespace: ${p.namespace}, name: ${p.name}} to cross-account-irsa:serviceAccounts ` +
      "on account-b, or set cross-account-irsa:serviceAccount on account-a to one account-b trusts",
  ),
  workloadPresent: check<{ kind: string }>(
    "service-account",
    (p) => `a ${p.kind} runs as the ServiceAccount`,
    () =>
      "account-a deploys the reader Deployment and the access-check Job when cross-account-irsa:deployProbe is true",
  ),
  workloadServiceAccount: check<{ workload: Workload; serviceAccount: Subject }>(
    "service-account",
    (p) =>
      `${p.workload.kind} ${p.workload.namespace ?? "default"}/${p.workload.name} runs as ServiceAccount ` +
      `${p.serviceAccount.namespace}/${p.serviceAccount.name}`,
    (p) =>
      `set spec.template.spec.serviceAccountName to ${p.serviceAccount.name} and deploy the ${p.workload.kind} into namespace ` +
      `${p.serviceAccount.namespace}: the webhook injects the role only into pods of the annotated ServiceAccount`,
  ),
  workloadExpectsRole: check<{ workload: Workload }>(
    "service-account",
    (p) => `${p.workload.kind} ${p.workload.name} expects the role ARN`,
    () => "pass account-b's roleArn output as the access check's expectedRoleArn",
  ),
  permissionObjectKnown: check(
    "permission",
    () => "the role may read the object the access check reads",
    () => "check account-b's bucket config",
  ),
  permissionRead: check<{ reader: string }>(
    "permission",
    (p) => `the role may s3:GetObject what ${p.reader} reads`,
    () =>
      "the object must be in account-b's bucket and under a granted prefix: check cross-account-irsa:bucket.objectKey, " +
      "prefixes and access on account-b",
  ),
};
