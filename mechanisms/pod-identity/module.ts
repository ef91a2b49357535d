/**
 * EKS Pod Identity cross-account as a mechanism module: a source role in account A, a target role in
 * B, an association with `targetRoleArn`. See ../types.ts.
 */
import { Mechanism } from "../../components/mechanism";
import { type MechanismModule } from "../types";
import { POD_IDENTITY_LINKS } from "./catalogue";
import { checkPodIdentityChain } from "./chain";

export const POD_IDENTITY: MechanismModule<typeof Mechanism.PodIdentity> = {
  name: Mechanism.PodIdentity,
  title: "Pod Identity",
  links: POD_IDENTITY_LINKS,
  checkChain: checkPodIdentityChain,
  doctorCollector: async () => (await import("./doctor/collect")).collectPodIdentity,
};
