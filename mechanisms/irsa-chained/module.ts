/**
 * IRSA with role chaining as a mechanism module: an IRSA source role in account A (A's own OIDC
 * provider), chained by the SDK's config profile into a target role in B that trusts the source role.
 * See ../types.ts.
 */
import { Mechanism } from "../../components/mechanism";
import { type MechanismModule } from "../types";
import { IRSA_CHAINED_LINKS } from "./catalogue";
import { checkIrsaChainedChain } from "./chain";

export const IRSA_CHAINED: MechanismModule<typeof Mechanism.IrsaChained> = {
  name: Mechanism.IrsaChained,
  title: "IRSA with role chaining",
  links: IRSA_CHAINED_LINKS,
  checkChain: checkIrsaChainedChain,
  doctorCollector: async () => (await import("./doctor/collect")).collectIrsaChained,
  doctorRefuses: {
    assume:
      "the pod's credentials come from two STS calls the SDK makes through the mounted config profile (web identity " +
      "into the source role, then AssumeRole into the target role); the doctor does not imitate the profile chain. " +
      "For the end-to-end test from a pod, npm run verify reads the result of the access-check Job",
    sourceRoleArn: false,
  },
};
