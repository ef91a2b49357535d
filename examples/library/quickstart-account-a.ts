/**
 * The quick start, account A (README): the binding of account B's grant, from its handoff. It creates
 * the ServiceAccount with IRSA's annotation, the Pod Identity source role and association, and the
 * probe that proves the pod can read the bucket.
 */
import * as pulumi from "@pulumi/pulumi";
import { BucketAccessBinding } from "cross-account-irsa";

const b = new pulumi.StackReference("acme/data/prod");
const binding = new BucketAccessBinding("reports", {
  handoff: b.requireOutput("handoff"),
  mechanisms: ["irsa", "pod-identity"],
  clusterName: "prod",
  serviceAccount: { namespace: "apps", name: "reports" },
  probe: { objectKey: "probe.txt" },
});
export const podCredentialPath = binding.podCredentialPath;
