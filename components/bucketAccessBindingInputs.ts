/**
 * The input types of `BucketAccessBinding`'s arguments (the ServiceAccount, the probe, the aliases), each field
 * documented with its default, and the checks of the arguments only IRSA with role chaining reads.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { BucketAccessBindingArgs } from "./bucketAccessBindingArgs";
import { checkAdoptedProvider } from "./clusterOidcProvider";
import { InputError } from "./errors";
import { isPlain } from "./inputs";
import { normalizeIssuer } from "./issuer";
import { MAX_ACCESS_CHECK_NAME_LENGTH } from "./accessCheckJob";
import { parseOidcProviderArn, parseRoleArn, validateLabelName, validateObjectName } from "./validation";

/** The ServiceAccount a binding sets up. */
export interface BindingServiceAccountInput {
  /**
   * The namespace: one the grant's `serviceAccounts` names. A plain string.
   * @default none (required)
   */
  namespace: string;
  /**
   * The service account's name: one the grant's `serviceAccounts` names. A plain string.
   * @default none (required)
   */
  name: string;
  /**
   * Create the ServiceAccount (deleted with the stack). `false` adopts an existing one: IRSA's annotation
   * is then applied by a server-side-apply patch that owns only that field, and removed again when IRSA
   * leaves the binding's `mechanisms`, unless another field manager (the tool that set it before) owns
   * it too: that tool must drop it as well, or the pods keep IRSA.
   * @default true
   */
  create?: boolean;
  /**
   * Also create the Namespace (only with `create`; never `default`, `kube-system`, `kube-public`, `kube-node-lease`).
   * @default false
   */
  createNamespace?: boolean;
}

/**
 * Earlier URNs (Pulumi aliases) of a binding's resources, by part: the ServiceAccount (or the adopted
 * one's patch), the Namespace it creates, Pod Identity's `CrossAccountPodIdentity`, the chained
 * profile's `ChainedProfileConfigMap`, the probe's `AccessCheckJob` and `S3ReaderDeployment`.
 */
export interface BindingChildAliases {
  /**
   * The ServiceAccount's (or its annotation patch's) earlier URNs.
   * @default none
   */
  serviceAccount?: pulumi.Input<string>[];
  /**
   * The created Namespace's earlier URNs.
   * @default none
   */
  namespace?: pulumi.Input<string>[];
  /**
   * Pod Identity's associations component's earlier URNs (its role policy and associations follow).
   * @default none
   */
  podIdentity?: pulumi.Input<string>[];
  /**
   * The chained profile's ConfigMap component's earlier URNs.
   * @default none
   */
  profile?: pulumi.Input<string>[];
  /**
   * The probe's access-check Job component's earlier URNs.
   * @default none
   */
  accessCheck?: pulumi.Input<string>[];
  /**
   * The probe's reader Deployment component's earlier URNs.
   * @default none
   */
  reader?: pulumi.Input<string>[];
}

/** The parts {@link BindingChildAliases} names. */
export const BINDING_ALIAS_PARTS = [
  "serviceAccount",
  "namespace",
  "podIdentity",
  "profile",
  "accessCheck",
  "reader",
] as const;

/** The in-cluster probe: an access-check Job and a reader Deployment running as the ServiceAccount. */
export interface BindingProbeInput {
  /**
   * The key of an object the probe reads.
   * @default none (required)
   */
  objectKey: pulumi.Input<string>;
  /**
   * The bucket it reads: one of the grant's. A plain string.
   * @default the grant's first bucket
   */
  bucketName?: string;
  /**
   * Base name of the probe's Kubernetes objects, so that several bindings' probes can share a
   * namespace: the reader Deployment is `<name>-reader` and the access-check Job
   * `<name>-check-<hash>`. A plain string: a DNS-1123 label of at most 46 characters
   * (`MAX_PROBE_NAME_LENGTH`).
   * @default none: the Deployment is `s3-reader` and the Job `access-check-<hash>` (one probe per namespace)
   */
  name?: string;
  /**
   * AWS region for the probe's CLI (`AWS_REGION`).
   * @default none (the region EKS injects)
   */
  region?: pulumi.Input<string>;
}

/**
 * Longest probe base name: the Job's base name `<name>-check` must leave room for the Job's
 * `-<hash>` suffix (`MAX_ACCESS_CHECK_NAME_LENGTH`, 52 characters).
 */
export const MAX_PROBE_NAME_LENGTH: number = MAX_ACCESS_CHECK_NAME_LENGTH - "-check".length;

/** The probe's Job base name and Deployment name: the components' defaults, or from the probe's `name`. */
export function probeObjectNames(name: string | undefined): { job?: string; deployment?: string } {
  return name === undefined ? {} : { job: `${name}-check`, deployment: `${name}-reader` };
}

/** Checks a probe's `name` (`field` is where it was given). */
export function checkProbeName(field: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new InputError(field, isPlain(value) ? value : "[an Output]", "must be a plain string");
  }
  const name = validateLabelName(field, value);
  if (name.length > MAX_PROBE_NAME_LENGTH) {
    throw new InputError(
      field,
      value,
      `must be at most ${MAX_PROBE_NAME_LENGTH} characters: the Job is named <name>-check-<hash>, a 63-character DNS-1123 label at most`,
    );
  }
  return name;
}

/** The chained profile's ConfigMap of a ServiceAccount: one per ServiceAccount in its namespace. */
export function chainedConfigMapName(serviceAccountName: string): string {
  return `${serviceAccountName}-aws-config`;
}

/**
 * The arguments only IRSA with role chaining reads: `issuerUrl` required with it unless
 * `chainedSourceRoleArn` adopts the source role (then refused, with `existingOidcProviderArn`), and
 * every one of them refused without it; plain values checked now.
 */
export function checkChainedArgs(args: BucketAccessBindingArgs, chained: boolean, saName: string): void {
  const shown = (v: unknown) => (isPlain(v) ? v : "[an Output]");
  if (!chained) {
    for (const field of [
      "issuerUrl",
      "existingOidcProviderArn",
      "clusterKey",
      "chainedSourceRoleArn",
      "chainedConfigMapName",
    ] as const) {
      if (args[field] !== undefined) {
        throw new InputError(
          `args.${field}`,
          shown(args[field]),
          'is read only by mechanism "irsa-chained", which args.mechanisms does not list: remove it, or add the mechanism',
        );
      }
    }
    return;
  }
  if (args.chainedConfigMapName !== undefined)
    validateObjectName("args.chainedConfigMapName", args.chainedConfigMapName);
  if (args.chainedSourceRoleArn !== undefined) {
    // Adopted: its trust (and the provider it names) is its owner's; the binding registers neither.
    if (isPlain(args.chainedSourceRoleArn))
      parseRoleArn("args.chainedSourceRoleArn", args.chainedSourceRoleArn);
    for (const field of ["issuerUrl", "existingOidcProviderArn"] as const) {
      if (args[field] !== undefined) {
        throw new InputError(
          `args.${field}`,
          shown(args[field]),
          "is read only to create account A's OIDC provider and source role, and args.chainedSourceRoleArn adopts the source role: remove one of them",
        );
      }
    }
  } else if (args.issuerUrl === undefined) {
    throw new InputError(
      "args.issuerUrl",
      undefined,
      "is required by mechanism \"irsa-chained\": account A's OIDC provider and the source role's trust are for the cluster's issuer",
    );
  }
  if (args.issuerUrl !== undefined && isPlain(args.issuerUrl))
    normalizeIssuer(args.issuerUrl as string, "args.issuerUrl");
  const existing = args.existingOidcProviderArn;
  if (existing !== undefined && isPlain(existing)) {
    parseOidcProviderArn("args.existingOidcProviderArn", existing);
    if (isPlain(args.issuerUrl)) {
      checkAdoptedProvider(
        existing as string,
        args.issuerUrl as string,
        undefined,
        "args.existingOidcProviderArn",
        "args.issuerUrl",
      );
    }
  }
  if (args.clusterKey !== undefined && typeof args.clusterKey !== "string") {
    throw new InputError(
      "args.clusterKey",
      shown(args.clusterKey),
      "must be a plain string: the key of one of the grant's clusters",
    );
  }
  // The chained profile's ConfigMap is named after the ServiceAccount (a DNS-1123 subdomain, 253 at most).
  const configMap = chainedConfigMapName(saName);
  if (args.chainedConfigMapName === undefined && configMap.length > 253) {
    throw new InputError(
      "args.serviceAccount.name",
      saName,
      `must be at most ${253 - (configMap.length - saName.length)} characters with "irsa-chained": the SDK config file's ConfigMap is named <name>-aws-config`,
    );
  }
}
