/**
 * What every mechanism's chain is made of: the catalogue's building blocks (links, checks and their
 * words; the permission link's checks, which every chain shares), the snapshot (the facts the checks
 * need), the results, and policy evaluation. Each mechanism's own links and checks are in
 * mechanisms/<name>/ (see mechanisms/registry.ts). Pure: no Pulumi, AWS or Kubernetes package is
 * loaded through here, and nothing here imports mechanisms/.
 */
export {
  type CheckDefinition,
  type InGrant,
  type IrsaLinkId,
  type LinkDefinition,
  type LinkId,
  type Live,
  type PodIdentityLinkId,
} from "./catalogueBase";
export { PERMISSION_CHECKS } from "./permissionCatalogue";
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
export { failures, runCheck, type ChainCheckResult, type CheckResult, type CheckStatus } from "./result";
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
