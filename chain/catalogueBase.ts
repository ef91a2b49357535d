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

/** `live` words when the facts are live, the stacks' words otherwise. */
export const says = (p: Live, stacks: string, live: string) => (p.live ? live : stacks);
