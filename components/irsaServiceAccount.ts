/**
 * IrsaServiceAccount (account A): the ServiceAccount annotated with the role in account B, and
 * optionally its Namespace.
 */
import * as pulumi from "@pulumi/pulumi";
import { InputError } from "./errors";
import { PART_OF } from "./podSecurity";
import { isPlain, isPlainGiven } from "./inputs";
import { checkNamespaceCreatable, registerServiceAccount } from "./serviceAccountResources";
import {
  MAX_TOKEN_EXPIRATION_SECONDS,
  MIN_TOKEN_EXPIRATION_SECONDS,
  buildServiceAccountAnnotations,
  sortKeys,
  validateAudience,
} from "./serviceAccountAnnotations";
import {
  parseRoleArn,
  validateBoolean,
  validateInteger,
  validateLabels,
  validateNamespace,
  validateObjectName,
} from "./validation";

// The annotation keys and their builder live in a module without Pulumi imports (the chain uses them).
export {
  AUDIENCE_ANNOTATION,
  MAX_TOKEN_EXPIRATION_SECONDS,
  MIN_TOKEN_EXPIRATION_SECONDS,
  ROLE_ARN_ANNOTATION,
  STS_REGIONAL_ENDPOINTS_ANNOTATION,
  TOKEN_EXPIRATION_ANNOTATION,
  buildServiceAccountAnnotations,
  type ServiceAccountAnnotationOptions,
} from "./serviceAccountAnnotations";

/** Arguments of {@link IrsaServiceAccount}. */
export interface IrsaServiceAccountArgs {
  /**
   * Namespace of the ServiceAccount. Must be the namespace that the role's trust policy names
   * (`system:serviceaccount:<namespace>:<name>`).
   * @default none (required)
   */
  namespace: pulumi.Input<string>;
  /**
   * Name of the ServiceAccount, used exactly as given (never auto-named): the role in account B
   * trusts this exact subject.
   * @default none (required)
   */
  name: pulumi.Input<string>;
  /**
   * ARN of the role (in account B) that pods using this ServiceAccount assume.
   * @default none (required)
   */
  roleArn: pulumi.Input<string>;
  /**
   * Annotate `eks.amazonaws.com/sts-regional-endpoints`, so the pods call the STS endpoint of their
   * own region instead of the global one (lower latency, no dependency on us-east-1).
   * @default true
   */
  stsRegionalEndpoints?: pulumi.Input<boolean>;
  /**
   * Lifetime of the projected token in seconds (`eks.amazonaws.com/token-expiration`), 600 to 86400.
   * @default none (the webhook's default, 86400)
   */
  tokenExpiration?: pulumi.Input<number>;
  /**
   * Audience of the projected token (`eks.amazonaws.com/audience`). The role's trust policy must
   * accept it as `aud`; this package's trust policies accept `sts.amazonaws.com`.
   * @default none (the webhook's default, sts.amazonaws.com)
   */
  audience?: pulumi.Input<string>;
  /**
   * Extra labels on the ServiceAccount (and on the Namespace when it is created).
   * @default {} (only app.kubernetes.io/part-of)
   */
  labels?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
  /**
   * Also create the Namespace (and delete it with the stack). A plain value (not an Input): it
   * decides which resources exist, so it must be known when the program runs. Refused for
   * `default`, `kube-system`, `kube-public` and `kube-node-lease`, which every cluster has.
   * @default false
   */
  createNamespace?: boolean;
}

/** The ServiceAccount's (and Namespace's) labels: the user's, plus `app.kubernetes.io/part-of`. */
export function buildServiceAccountLabels(
  labels: Record<string, string> | undefined,
): Record<string, string> {
  const checked = labels === undefined ? {} : validateLabels("args.labels", labels);
  return sortKeys({ ...checked, "app.kubernetes.io/part-of": PART_OF });
}

/**
 * Validates every argument that is a plain value (Outputs are validated when they resolve, before
 * the ServiceAccount is sent). Throws an {@link InputError} naming the field, value and rule.
 *
 * @internal exported for the tests only
 */
export function validateIrsaServiceAccountArgs(args: IrsaServiceAccountArgs): void {
  if (args === null || typeof args !== "object") throw new InputError("args", args, "must be an object");
  if (args.namespace === undefined) throw new InputError("args.namespace", undefined, "is required");
  if (args.name === undefined) throw new InputError("args.name", undefined, "is required");
  if (args.roleArn === undefined) throw new InputError("args.roleArn", undefined, "is required");
  if (isPlainGiven(args.namespace)) validateNamespace("args.namespace", args.namespace);
  if (isPlainGiven(args.name)) validateObjectName("args.name", args.name);
  if (isPlainGiven(args.roleArn)) parseRoleArn("args.roleArn", args.roleArn);
  if (isPlainGiven(args.stsRegionalEndpoints))
    validateBoolean("args.stsRegionalEndpoints", args.stsRegionalEndpoints);
  if (isPlainGiven(args.tokenExpiration)) {
    validateInteger(
      "args.tokenExpiration",
      args.tokenExpiration,
      MIN_TOKEN_EXPIRATION_SECONDS,
      MAX_TOKEN_EXPIRATION_SECONDS,
    );
  }
  if (isPlainGiven(args.audience)) validateAudience("args.audience", args.audience);
  if (isPlain(args.labels) && args.labels !== undefined) {
    validateLabels("args.labels", args.labels);
  }
  if (args.createNamespace !== undefined && typeof args.createNamespace !== "boolean") {
    throw new InputError(
      "args.createNamespace",
      args.createNamespace,
      "must be a plain boolean: it decides whether a Namespace is created, so it must be known when the program runs",
    );
  }
  if (args.createNamespace === true && typeof args.namespace === "string") {
    checkNamespaceCreatable("args.createNamespace", args.namespace);
  }
}

/**
 * A Kubernetes ServiceAccount in account A's cluster annotated for IRSA with a role in account B.
 *
 * The EKS pod identity webhook injects `AWS_ROLE_ARN`, `AWS_WEB_IDENTITY_TOKEN_FILE` and the
 * projected token into pods created after the annotation; pods that already run keep their old
 * environment (see `S3ReaderDeployment`, which rolls its pods when the role ARN changes).
 *
 * The Kubernetes provider comes from the component's options (`providers: { kubernetes }`).
 */
export class IrsaServiceAccount extends pulumi.ComponentResource {
  /** Name of the ServiceAccount (exactly `args.name`). */
  public readonly name: pulumi.Output<string>;
  /** Namespace of the ServiceAccount. */
  public readonly namespace: pulumi.Output<string>;
  /** The role ARN the ServiceAccount is annotated with; resolves once the ServiceAccount exists. */
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: IrsaServiceAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    validateIrsaServiceAccountArgs(args);
    super("cross-account-irsa:index:IrsaServiceAccount", name, {}, opts);

    const namespaceName = pulumi
      .output(args.namespace)
      .apply((ns) => validateNamespace("args.namespace", ns));
    const accountName = pulumi.output(args.name).apply((n) => validateObjectName("args.name", n));
    const labels = pulumi.output(args.labels).apply((l) => buildServiceAccountLabels(l));
    const annotations = pulumi
      .all([args.roleArn, args.stsRegionalEndpoints, args.tokenExpiration, args.audience])
      .apply(([roleArn, stsRegionalEndpoints, tokenExpiration, audience]) =>
        buildServiceAccountAnnotations({ roleArn, stsRegionalEndpoints, tokenExpiration, audience }),
      );

    const serviceAccount = registerServiceAccount(name, this, {
      namespace: namespaceName,
      name: accountName,
      labels,
      annotations,
      createNamespace: args.createNamespace,
    });

    this.name = serviceAccount.metadata.name;
    this.namespace = serviceAccount.metadata.namespace;
    // Carries the ServiceAccount as a dependency: whatever uses the role ARN waits for the annotation.
    this.roleArn = pulumi.all([serviceAccount.urn, args.roleArn]).apply(([, roleArn]) => roleArn);

    this.registerOutputs({ name: this.name, namespace: this.namespace, roleArn: this.roleArn });
  }
}
