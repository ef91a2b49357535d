/**
 * PodIdentityServiceAccount (account A): the ServiceAccount of an EKS Pod Identity association,
 * with no IRSA annotation, and optionally its Namespace.
 */
import * as pulumi from "@pulumi/pulumi";
import { InputError } from "./errors";
import { checked, requireArgs } from "./inputs";
import { buildServiceAccountLabels } from "./irsaServiceAccount";
import { checkNamespaceCreatable, registerServiceAccount } from "./serviceAccountResources";
import { validateNamespace, validateObjectName } from "./validation";

/** Arguments of {@link PodIdentityServiceAccount}. */
export interface PodIdentityServiceAccountArgs {
  /**
   * Namespace of the ServiceAccount: the association's namespace.
   * @default none (required)
   */
  namespace: pulumi.Input<string>;
  /**
   * Name of the ServiceAccount, used exactly as given: the association's service account.
   * @default none (required)
   */
  name: pulumi.Input<string>;
  /**
   * Extra labels on the ServiceAccount (and on the Namespace when it is created).
   * @default {} (only app.kubernetes.io/part-of)
   */
  labels?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
  /**
   * Also create the Namespace (and delete it with the stack). A plain value: it decides which
   * resources exist. Refused for `default`, `kube-system`, `kube-public` and `kube-node-lease`,
   * which every cluster has.
   * @default false
   */
  createNamespace?: boolean;
}

/**
 * A Kubernetes ServiceAccount for EKS Pod Identity: **no** `eks.amazonaws.com/role-arn` annotation.
 * With one, the pod identity webhook would inject `AWS_ROLE_ARN` and a web identity token, and the
 * AWS SDKs try web identity before the Pod Identity agent's container credentials.
 */
export class PodIdentityServiceAccount extends pulumi.ComponentResource {
  /** Name of the ServiceAccount (exactly `args.name`). */
  public readonly name: pulumi.Output<string>;
  /** Namespace of the ServiceAccount. */
  public readonly namespace: pulumi.Output<string>;

  constructor(name: string, args: PodIdentityServiceAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    requireArgs(args);
    const namespace = checked(args.namespace, (ns) => validateNamespace("args.namespace", ns));
    const accountName = checked(args.name, (n) => validateObjectName("args.name", n));
    const labels = checked(args.labels ?? {}, (l) => buildServiceAccountLabels(l as Record<string, string>));
    if (args.createNamespace !== undefined && typeof args.createNamespace !== "boolean") {
      throw new InputError("args.createNamespace", args.createNamespace, "must be a plain boolean");
    }
    if (args.createNamespace === true && typeof args.namespace === "string") {
      checkNamespaceCreatable("args.createNamespace", args.namespace);
    }
    super("cross-account-irsa:index:PodIdentityServiceAccount", name, {}, opts);

    const serviceAccount = registerServiceAccount(name, this, {
      namespace,
      name: accountName,
      labels,
      createNamespace: args.createNamespace,
    });
    this.name = serviceAccount.metadata.name;
    this.namespace = serviceAccount.metadata.namespace;
    this.registerOutputs({ name: this.name, namespace: this.namespace });
  }
}
