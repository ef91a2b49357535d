/**
 * What the chain's catalogues are made of: the link ids of both mechanisms, a link's and a check's
 * definition, and the helpers their words use (the live words: `says`). Pure.
 */

/** The links of the IRSA chain, in order (design.md, "Mechanism 1"). */
export type IrsaLinkId = "issuer" | "oidc-provider" | "trust-policy" | "service-account" | "permission";
/** The links of the EKS Pod Identity cross-account chain, in order (design.md, "Mechanism 2"). */
export type PodIdentityLinkId = "agent" | "association" | "source-role" | "target-trust" | "permission";
/** Any link of any mechanism's chain. */
export type LinkId = IrsaLinkId | PodIdentityLinkId;

/** One link of a chain. */
export interface LinkDefinition {
  id: LinkId;
  /** Its position in the chain, from 1. */
  number: number;
  /** What the link is, in words. */
  title: string;
}

/** A check on one link: what it checks and how to fix it, both in words, from its parameters. */
export interface CheckDefinition<P> {
  readonly link: LinkId;
  /** What is checked. */
  title: (p: P) => string;
  /** How to repair it when it fails. */
  fix: (p: P) => string;
}

export function check<P = Record<string, never>>(
  link: LinkId,
  title: (p: P) => string,
  fix: (p: P) => string,
): CheckDefinition<P> {
  return { link, title, fix };
}

/** A Kubernetes service account, for the words of a check. */
export interface Subject {
  namespace: string;
  name: string;
}

/** A pod-running object (a Deployment or a Job), for the words of a check. */
export interface Workload {
  kind: string;
  name: string;
  namespace?: string;
}

/**
 * Set when the facts were read from the live chain (the doctor) rather than planned by these stacks:
 * the words then name what is live (any cluster, role and bucket) instead of the stacks' config.
 */
export interface Live {
  live?: boolean;
}

/**
 * Set when the stacks run grants mode (`cross-account-irsa:grants`): the key of the grant the facts are
 * of. The stacks' words then name that grant's fields and outputs, not the single-grant keys.
 */
export interface InGrant {
  grant?: string;
}

/** A field of a grant's entry in `cross-account-irsa:grants`, named with its key (grants mode). */
export const grantEntryField = (grant: string, field: string): string =>
  `cross-account-irsa:grants[<i>].${field} (the entry with key: ${grant})`;

/** The stacks' words: the single-grant ones, or (grants mode) the grant's. */
export const inGrant = (p: InGrant, single: string, grants: (key: string) => string): string =>
  p.grant === undefined ? single : grants(p.grant);

/** `live` words when the facts are live, the stacks' words otherwise. */
export const says = (p: Live, stacks: string, live: string) => (p.live ? live : stacks);

/*
 * The entries both catalogues have, worded once; each catalogue makes its own (on its own link), so a
 * test that changes one sees the change in that mechanism only.
 */

/** The stacks' fix when account-a plans no ServiceAccount (both mechanisms). */
export const SERVICE_ACCOUNT_PRESENT_STACKS_FIX =
  "account-a creates the ServiceAccount once account-b has outputs: check account-a's accountBStack points at account-b";

/** A Deployment or Job of the probe runs as the ServiceAccount. */
export const workloadPresentCheck = (link: LinkId) =>
  check<{ kind: string }>(
    link,
    (p) => `a ${p.kind} runs as the ServiceAccount`,
    () =>
      "account-a deploys the reader Deployment and the access-check Job when cross-account-irsa:deployProbe is true",
  );

/** A workload runs as the ServiceAccount; `why` says what the mechanism gives only to its pods. */
export const workloadServiceAccountCheck = (link: LinkId, why: string) =>
  check<{ workload: Workload; serviceAccount: Subject }>(
    link,
    (p) =>
      `${p.workload.kind} ${p.workload.namespace ?? "default"}/${p.workload.name} runs as ServiceAccount ` +
      `${p.serviceAccount.namespace}/${p.serviceAccount.name}`,
    (p) =>
      `set spec.template.spec.serviceAccountName to ${p.serviceAccount.name} and deploy the ${p.workload.kind} into namespace ` +
      `${p.serviceAccount.namespace}: ${why}`,
  );

/** account-a's ServiceAccount is one account-b's role trusts (`title`: in the mechanism's words). */
export const serviceAccountTrustedCheck = (link: LinkId, title: (p: Subject) => string) =>
  check<Subject>(
    link,
    title,
    (p) =>
      `make the names agree: add {namespace: ${p.namespace}, name: ${p.name}} to cross-account-irsa:serviceAccounts ` +
      "on account-b, or set cross-account-irsa:serviceAccount on account-a to one account-b trusts",
  );
