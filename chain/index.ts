/**
 * The chain of links, defined once: the catalogue (links and checks with their words and fixes), the
 * snapshot (the facts the checks need), `checkChain`, and the results. Pure: no Pulumi, AWS or
 * Kubernetes package is loaded through here.
 */
export {
  IRSA_CHECKS,
  IRSA_LINKS,
  linkOf,
  type CheckDefinition,
  type IrsaLinkId,
  type LinkDefinition,
  type LinkId,
} from "./catalogue";
export { type ChainSnapshot, type ChainWorkload, type IrsaSnapshot, type Unavailable } from "./snapshot";
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
export { parsePolicy, tryAccess, tryTrust, type Outcome } from "./evaluation";
