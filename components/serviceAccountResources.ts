/**
 * The ServiceAccount (and optionally its Namespace) both mechanisms create, as children of their
 * component: IrsaServiceAccount with the role annotation, PodIdentityServiceAccount without any.
 * Not a component itself.
 */
import type * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { InputError } from "./errors";

/**
 * The namespaces every cluster has from the start (the API server creates them: "Initial
 * namespaces", https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces).
 * This package never creates one: the create fails with "already exists", and if it did not, the
 * stack would own (and on destroy delete) a namespace the cluster needs.
 */
export const SYSTEM_NAMESPACES: readonly string[] = [
  "default",
  "kube-system",
  "kube-public",
  "kube-node-lease",
];

/** Refuses to create one of {@link SYSTEM_NAMESPACES}, naming `field` (where `createNamespace` was set). */
export function checkNamespaceCreatable(field: string, namespace: string): string {
  if (SYSTEM_NAMESPACES.includes(namespace)) {
    throw new InputError(
      field,
      true,
      `cannot create namespace "${namespace}": Kubernetes creates ${SYSTEM_NAMESPACES.join(", ")} itself (creating it fails with "already exists"); leave createNamespace out or set it to false`,
    );
  }
  return namespace;
}

/** What the ServiceAccount is made of, checked by the component. */
export interface ServiceAccountParts {
  namespace: pulumi.Output<string>;
  name: pulumi.Output<string>;
  labels: pulumi.Output<Record<string, string>>;
  /** Absent for Pod Identity: the ServiceAccount then carries no annotation at all. */
  annotations?: pulumi.Output<Record<string, string>>;
  createNamespace?: boolean;
  /** The ServiceAccount's earlier URNs (Pulumi aliases). */
  aliases?: pulumi.Input<string | pulumi.Alias>[];
  /** The Namespace's earlier URNs (Pulumi aliases). */
  namespaceAliases?: pulumi.Input<string | pulumi.Alias>[];
}

/** Registers the Namespace (when asked) and the ServiceAccount as children of `parent`. */
export function registerServiceAccount(
  name: string,
  parent: pulumi.Resource,
  parts: ServiceAccountParts,
): k8s.core.v1.ServiceAccount {
  let namespace: pulumi.Output<string> = parts.namespace;
  if (parts.createNamespace === true) {
    const created = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: parts.namespace.apply((ns) => checkNamespaceCreatable("args.createNamespace", ns)),
          labels: parts.labels,
        },
      },
      { parent, ...(parts.namespaceAliases ? { aliases: parts.namespaceAliases } : {}) },
    );
    namespace = created.metadata.name;
  }
  return new k8s.core.v1.ServiceAccount(
    name,
    {
      metadata: {
        name: parts.name,
        namespace,
        labels: parts.labels,
        ...(parts.annotations !== undefined ? { annotations: parts.annotations } : {}),
      },
    },
    { parent, ...(parts.aliases ? { aliases: parts.aliases } : {}) },
  );
}
