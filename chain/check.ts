/**
 * `checkChain`: checks a snapshot with the link set of its mechanism.
 */
import { checkIrsaChain } from "./irsa";
import { checkPodIdentityChain } from "./podIdentity";
import { type CheckResult } from "./result";
import { type ChainSnapshot } from "./snapshot";

/** Checks every link of the snapshot's chain. Pure: the same snapshot gives the same results. */
export function checkChain(snapshot: ChainSnapshot): CheckResult[] {
  return snapshot.mechanism === "pod-identity" ? checkPodIdentityChain(snapshot) : checkIrsaChain(snapshot);
}
