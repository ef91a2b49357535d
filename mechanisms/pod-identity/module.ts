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
  doctorRefuses: {
    assume:
      "pods get their credentials from the EKS Pod Identity Agent, through the EKS Auth API's " +
      "AssumeRoleForPodIdentity with the pod's own projected token, an exchange AWS documents as used only by the " +
      "agent; the doctor does not imitate it. For the end-to-end test from a pod, npm run verify reads the result " +
      "of the access-check Job, which runs in the cluster as the ServiceAccount",
    sourceRoleArn: false,
  },
};
