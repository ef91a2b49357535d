/**
 * The chain of links, defined once: the catalogue (links and checks with their words and fixes), the
 * snapshot (the facts the checks need), `checkChain`, and the results. Pure: no Pulumi, AWS or
 * Kubernetes package is loaded through here.
 */
export {
  IRSA_CHECKS,
  IRSA_LINKS,
  POD_IDENTITY_CHECKS,
  POD_IDENTITY_LINKS,
  linkOf,
  type CheckDefinition,
  type IrsaLinkId,
  type LinkDefinition,
  type LinkId,
  type Live,
  type PodIdentityLinkId,
} from "./catalogue";
export {
  type AssumeStep,
  type ChainSnapshot,
  type ChainWorkload,
  type IrsaLiveFacts,
  type IrsaSnapshot,
  type IssuerDiscovery,
  type LivePod,
  type PermissionLiveFacts,
  type PodIdentityAssociationFacts,
  type PodIdentityLiveFacts,
  type PodIdentitySnapshot,
  type TokenFacts,
  type Unavailable,
} from "./snapshot";
export { checkChain } from "./check";
export {
  ChainError,
  assertChain,
  describeFailure,
  failures,
  runCheck,
  type CheckResult,
  type CheckStatus,
} from "./result";
export {
  DESCRIBED,
  detailOf,
  parsePolicy,
  statusOf,
  tryAccess,
  tryResourcePolicy,
  tryRoleTrust,
  tryServiceTrust,
  tryTrust,
  type Outcome,
} from "./evaluation";
export { explainDecision, type ExplainRequest } from "./explain";
