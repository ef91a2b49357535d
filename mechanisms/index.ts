/**
 * The mechanisms: the registry, each mechanism's catalogue, and the words of a failed check. Loads the
 * chain layer only (pure); the doctor's collectors load on demand.
 */
export { REGISTRY, checkChain, linkOf, mechanismModule } from "./registry";
export { type MechanismModule, type SnapshotOf } from "./types";
export { ChainError, assertChain, describeFailure } from "./results";
export { IRSA_CHECKS, IRSA_LINKS } from "./irsa/catalogue";
export { POD_IDENTITY_CHECKS, POD_IDENTITY_LINKS } from "./pod-identity/catalogue";
