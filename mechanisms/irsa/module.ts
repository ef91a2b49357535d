/**
 * IRSA as a mechanism module: an IAM OIDC provider in account B for the cluster's issuer in A, and a
 * role in B trusting exact `sub` and `aud`. See ../types.ts.
 */
import { Mechanism } from "../../components/mechanism";
import { type MechanismModule } from "../types";
import { IRSA_LINKS } from "./catalogue";
import { checkIrsaChain } from "./chain";

export const IRSA: MechanismModule<typeof Mechanism.Irsa> = {
  name: Mechanism.Irsa,
  title: "IRSA",
  links: IRSA_LINKS,
  checkChain: checkIrsaChain,
  doctorCollector: async () => (await import("./doctor/collect")).collectIrsa,
  doctorRefuses: { sourceRoleArn: true },
};
