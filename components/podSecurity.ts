/**
 * What the account-A workloads (`S3ReaderDeployment`, `AccessCheckJob`) share: the pinned AWS CLI
 * image, the non-root pod and container security contexts, the writable scratch volume the AWS CLI
 * needs under a read-only root file system, the environment and the resource requests (pure: plain
 * values in, plain manifest fragments out), and the check of their args.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { InputError } from "./errors";
import { Mechanism, assertNever, isMechanism, mechanismRule } from "./mechanism";
import { type ArgChecks } from "./inputs";
import { CHAINED_INJECTION_CHECK_SHELL, CHAINED_NOT_INJECTED_REASON } from "./chainedWiring";
import { validatePodCredentials, type PodCredentialWiring } from "./podCredentials";
import {
  validateBucketName,
  validateContainerImage,
  validateInteger,
  validateNamespace,
  validateObjectKey,
  validateObjectName,
  validateRegion,
} from "./validation";

/**
 * The AWS CLI image the workloads run by default: pinned to one release (never `latest`), so a
 * deploy is repeatable and a change of image is a deliberate diff. The image's entrypoint is `aws`;
 * the workloads override it with `/bin/sh -c <script>`.
 */
export const DEFAULT_AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.27.50";

/** The user id the workloads run as by default (any non-zero id works: the image needs no user). */
export const DEFAULT_RUN_AS_USER = 1000;

/**
 * The group that owns the pod's volumes by default. The projected service-account token that the
 * EKS pod identity webhook mounts is readable by this group, which is what lets a non-root process
 * read it.
 */
export const DEFAULT_FS_GROUP = 1000;

/**
 * Pod-template annotation holding the role ARN: a new ARN changes the template, so pods are recreated.
 *
 * @internal exported for the tests only
 */
export const ROLE_ARN_POD_ANNOTATION = "cross-account-irsa/role-arn";

/**
 * Pod-template annotation holding the Pod Identity association's ARN (Pod Identity only): a new
 * association (replaced or recreated) changes the template, so the pods are admitted again. EKS
 * injects the agent's endpoint only when a pod is admitted, and only when an association for its
 * ServiceAccount is in effect (CreatePodIdentityAssociation: "If a Pod uses a service account that has
 * an association, Amazon EKS sets environment variables in the containers of the Pod",
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_CreatePodIdentityAssociation.html).
 *
 * @internal exported for the tests only
 */
export const ASSOCIATION_POD_ANNOTATION = "cross-account-irsa/pod-identity-association";

/**
 * How a workload's pods get their AWS credentials.
 * @deprecated use {@link Mechanism} (the same values); kept for 0.2.0 users.
 */
export const WorkloadMechanism: typeof Mechanism = Mechanism;
/**
 * How a workload's pods get their AWS credentials.
 * @deprecated use {@link Mechanism} (the same values); kept for 0.2.0 users.
 */
export type WorkloadMechanism = Mechanism;

/**
 * The mechanism of a workload whose args leave `mechanism` unset: IRSA, as in 0.2.0 (the args'
 * documented `@default`). The one place the workload components default a mechanism.
 */
export const DEFAULT_WORKLOAD_MECHANISM: Mechanism = Mechanism.Irsa;

/** The mechanism of a workload's args: theirs, else {@link DEFAULT_WORKLOAD_MECHANISM}. */
export function workloadMechanismOf(args: { mechanism?: Mechanism }): Mechanism {
  return args.mechanism ?? DEFAULT_WORKLOAD_MECHANISM;
}

/**
 * Seconds a pod keeps asking STS for its identity before it gives up: credentials that EKS injected
 * but IAM does not honour yet (a role or a permission written moments before; IAM is eventually
 * consistent: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency)
 * come good within this time in the same pod. Credentials EKS did not inject never come: that pod
 * fails at once (see {@link injectionCheckShell}).
 */
export const CREDENTIALS_WAIT_SECONDS = 60;

/** Seconds between two tries while the pod waits for its credentials. */
export const CREDENTIALS_RETRY_SECONDS = 5;

/** Value of `app.kubernetes.io/part-of` on everything this package deploys into the cluster. */
export const PART_OF = "cross-account-irsa";

/** Where the writable scratch volume is mounted; `HOME` and `TMPDIR` point here. */
export const SCRATCH_MOUNT_PATH = "/tmp";

/** Name of the scratch `emptyDir` volume. */
export const SCRATCH_VOLUME_NAME = "scratch";

/** Largest uid/gid the workloads accept (Linux ids are 32-bit; Kubernetes takes int64 but 2^31-1 is portable). */
export const MAX_ID = 2147483647;

/** The identity settings shared by the pod security context builders. */
export interface PodIdentityOptions {
  /** Non-zero user id the containers run as. */
  runAsUser: number;
  /** Group that owns the pod's volumes, including the projected token. */
  fsGroup: number;
}

/**
 * The arguments every AWS CLI pod of this package shares (the reader Deployment and the access-check
 * Job): where it runs, as which ServiceAccount, what it reads, and as which user.
 */
export interface AwsCliPodArgs {
  /**
   * Namespace to run in: the ServiceAccount's namespace.
   * @default none (required)
   */
  namespace: pulumi.Input<string>;
  /**
   * The ServiceAccount the pods run as (`IrsaServiceAccount.name` with IRSA,
   * `PodIdentityServiceAccount.name` with EKS Pod Identity).
   * @default none (required)
   */
  serviceAccountName: pulumi.Input<string>;
  /**
   * How the pods get their AWS credentials: `irsa` (the EKS pod identity webhook injects a web
   * identity token for the role the ServiceAccount's annotation names) or `pod-identity` (EKS
   * injects the Pod Identity agent's endpoint for the ServiceAccount's association). It decides
   * what the pod checks first (that those credentials were injected at all) and the words of its
   * messages.
   * @default "irsa"
   */
  mechanism?: Mechanism;
  /**
   * EKS Pod Identity only: the ARN of the association the pods get their credentials from
   * (`CrossAccountPodIdentity.associationArns`). It goes into a pod-template annotation, so a new
   * association gives new pods (EKS injects credentials only when a pod is admitted); pass it as the
   * association's output so that the workload also waits for the association.
   * @default none (no annotation)
   */
  associationArn?: pulumi.Input<string>;
  /**
   * A mechanism's extra pod wiring (environment, ConfigMap volumes mounted read-only), appended to
   * the pod: IRSA with role chaining needs the SDK config file and `AWS_CONFIG_FILE`/`AWS_PROFILE`
   * (`ChainedProfileConfigMap.wiring`), and requires it.
   * @default none (nothing added)
   */
  podCredentials?: pulumi.Input<PodCredentialWiring>;
  /**
   * Bucket (in account B) to read from.
   * @default none (required)
   */
  bucketName: pulumi.Input<string>;
  /**
   * Key of the object to read.
   * @default none (required)
   */
  objectKey: pulumi.Input<string>;
  /**
   * Container image with the AWS CLI v2 and a POSIX shell, pinned to a tag or digest.
   * @default "public.ecr.aws/aws-cli/aws-cli:2.27.50"
   */
  image?: pulumi.Input<string>;
  /**
   * AWS region for the CLI and regional STS (`AWS_REGION`, `AWS_STS_REGIONAL_ENDPOINTS=regional`).
   * @default none (the region the EKS pod identity webhook injects, if any)
   */
  region?: pulumi.Input<string>;
  /**
   * Non-zero user id the container runs as.
   * @default 1000
   */
  runAsUser?: pulumi.Input<number>;
  /**
   * Group that owns the pod's volumes; the projected token (IRSA's web identity token, Pod
   * Identity's eks-pod-identity-token) is readable by it, which is what lets the non-root process
   * read the token.
   * @default 1000
   */
  fsGroup?: pulumi.Input<number>;
}

/** The validators of {@link AwsCliPodArgs}' fields (see `checkPlainArgs`). */
export const AWS_CLI_POD_CHECKS: ArgChecks = {
  namespace: validateNamespace,
  serviceAccountName: validateObjectName,
  bucketName: validateBucketName,
  objectKey: validateObjectKey,
  image: validateContainerImage,
  region: validateRegion,
  runAsUser: (f, v) => validateInteger(f, v, 1, MAX_ID),
  fsGroup: (f, v) => validateInteger(f, v, 0, MAX_ID),
  mechanism: validateWorkloadMechanism,
  associationArn: validateAssociationArn,
  podCredentials: validatePodCredentials,
};

/** One of {@link MECHANISMS}. */
export function validateWorkloadMechanism(field: string, value: unknown): Mechanism {
  if (!isMechanism(value)) throw new InputError(field, value, mechanismRule());
  return value;
}

const ASSOCIATION_ARN = /^arn:aws[a-z-]*:eks:[a-z0-9-]+:\d{12}:podidentityassociation\/[^/\s]+\/[^/\s]+$/;

/** An EKS Pod Identity association ARN (`arn:<partition>:eks:<region>:<account>:podidentityassociation/<cluster>/<id>`). */
export function validateAssociationArn(field: string, value: unknown): string {
  if (typeof value !== "string" || !ASSOCIATION_ARN.test(value)) {
    throw new InputError(
      field,
      value,
      "must be an EKS Pod Identity association ARN, arn:<partition>:eks:<region>:<account>:podidentityassociation/<cluster>/<association id>",
    );
  }
  return value;
}

/** An association ARN is only for Pod Identity: with IRSA it would be an annotation nothing reads. */
export function checkMechanismArgs(
  prefix: string,
  mechanism: Mechanism,
  associationArn: string | undefined,
): void {
  if (associationArn !== undefined && mechanism !== Mechanism.PodIdentity) {
    throw new InputError(
      `${prefix}associationArn`,
      associationArn,
      `is for mechanism "pod-identity" only (mechanism is "${mechanism}")`,
    );
  }
}

/**
 * A mechanism whose pods need the wiring (`podCredentials`) refuses to run without it: IRSA with
 * role chaining's pods would run as the source role (or without credentials) and never chain.
 */
export function checkPodCredentials(prefix: string, mechanism: Mechanism, podCredentials: unknown): void {
  switch (mechanism) {
    case Mechanism.IrsaChained:
      if (podCredentials === undefined) {
        throw new InputError(
          `${prefix}podCredentials`,
          podCredentials,
          'is required with mechanism "irsa-chained": the pods need the SDK config file that chains the source role ' +
            "into the target role (pass ChainedProfileConfigMap.wiring)",
        );
      }
      return;
    case Mechanism.Irsa:
    case Mechanism.PodIdentity:
      return;
    default:
      return assertNever(mechanism, "mechanism");
  }
}

/** {@link checkMechanismArgs} now, when the association's ARN is a plain value (an Output: once it resolves). */
export function checkPlainMechanismArgs(args: AwsCliPodArgs): void {
  // mechanism is plain (it decides the script); the association's ARN may still be an Output.
  if (typeof args.associationArn === "string") {
    checkMechanismArgs("args.", workloadMechanismOf(args), args.associationArn);
  }
}

/**
 * The pod-template annotations of a workload: the role ARN (IRSA: the ServiceAccount's role;
 * Pod Identity: the target role) and, with Pod Identity, the association's ARN. Either changing
 * changes the template, so the pods are created again and get the new credentials.
 */
export function podTemplateAnnotations(roleArn: string, associationArn?: string): Record<string, string> {
  return {
    [ROLE_ARN_POD_ANNOTATION]: roleArn,
    ...(associationArn !== undefined ? { [ASSOCIATION_POD_ANNOTATION]: associationArn } : {}),
  };
}

/**
 * A POSIX sh condition that is true when EKS injected this mechanism's credentials into the pod at
 * admission: IRSA, the web identity token file and role (`AWS_WEB_IDENTITY_TOKEN_FILE`,
 * `AWS_ROLE_ARN`); Pod Identity, the agent's endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`; "How
 * EKS Pod Identity works", https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html).
 * Both are set only when the pod is admitted: a pod admitted before the association (or the
 * annotation) took effect never gets them, however often its container restarts
 * (aws/eks-pod-identity-agent#52, terraform-aws-modules/terraform-aws-eks-pod-identity#8).
 */
export function injectionCheckShell(mechanism: Mechanism): string {
  switch (mechanism) {
    case Mechanism.PodIdentity:
      return '[ -n "${AWS_CONTAINER_CREDENTIALS_FULL_URI:-}" ]';
    case Mechanism.Irsa:
      return '{ [ -n "${AWS_WEB_IDENTITY_TOKEN_FILE:-}" ] && [ -n "${AWS_ROLE_ARN:-}" ]; }';
    case Mechanism.IrsaChained:
      return CHAINED_INJECTION_CHECK_SHELL;
    default:
      return assertNever(mechanism, "mechanism");
  }
}

/** Why a pod has no injected credentials, in the words of its mechanism. */
export function notInjectedReason(mechanism: Mechanism): string {
  switch (mechanism) {
    case Mechanism.PodIdentity:
      return (
        "EKS injected no Pod Identity credentials into this pod (AWS_CONTAINER_CREDENTIALS_FULL_URI is not set): " +
        "the pod was admitted before the association for its ServiceAccount took effect (associations are " +
        "eventually consistent and take several seconds), or there is no association for it"
      );
    case Mechanism.Irsa:
      return (
        "the EKS pod identity webhook injected no web identity token into this pod (AWS_WEB_IDENTITY_TOKEN_FILE or " +
        "AWS_ROLE_ARN is not set): the ServiceAccount has no eks.amazonaws.com/role-arn annotation, or the pod was " +
        "admitted before the webhook saw it"
      );
    case Mechanism.IrsaChained:
      return CHAINED_NOT_INJECTED_REASON;
    default:
      return assertNever(mechanism, "mechanism");
  }
}

/** The labels every workload of this package carries (also the Deployment's selector). */
export function workloadLabels(name: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/part-of": PART_OF,
  };
}

/**
 * Pod-level security: non-root (`runAsNonRoot`, an explicit non-zero `runAsUser` since the image
 * itself defaults to root), `fsGroup` for the token, the runtime's default seccomp profile.
 */
export function buildPodSecurityContext(
  options: PodIdentityOptions,
): k8s.types.input.core.v1.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: options.runAsUser,
    runAsGroup: options.fsGroup,
    fsGroup: options.fsGroup,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container-level security: no privilege escalation, read-only root file system, no capabilities. */
export function buildContainerSecurityContext(): k8s.types.input.core.v1.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/**
 * The writable scratch volume: the AWS CLI writes `~/.aws/cli/cache` and temporary files, and the
 * root file system is read-only. Size-limited so a runaway write evicts the pod, not the node.
 */
export function buildScratchVolume(): k8s.types.input.core.v1.Volume {
  return { name: SCRATCH_VOLUME_NAME, emptyDir: { sizeLimit: "64Mi" } };
}

/** The mount of {@link buildScratchVolume}. */
export function buildScratchVolumeMount(): k8s.types.input.core.v1.VolumeMount {
  return { name: SCRATCH_VOLUME_NAME, mountPath: SCRATCH_MOUNT_PATH };
}

/**
 * Requests and limits for a container that only runs the AWS CLI now and then. The memory limit
 * leaves room for the CLI's Python runtime (about 100 MiB resident while it runs).
 */
export function buildAwsCliResources(): k8s.types.input.core.v1.ResourceRequirements {
  return {
    requests: { cpu: "10m", memory: "64Mi" },
    limits: { cpu: "250m", memory: "256Mi" },
  };
}

/**
 * Environment for the AWS CLI under a read-only root: `HOME` and `TMPDIR` on the scratch volume,
 * no pager. With a region: `AWS_REGION`/`AWS_DEFAULT_REGION` and regional STS endpoints, so the
 * web-identity exchange goes to STS in that region rather than the global endpoint. `extra` comes
 * first in the order given; the list is otherwise in a fixed order so previews show no diff.
 * (`AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE` are injected by the EKS pod identity webhook.)
 */
export function buildAwsCliEnv(
  region: string | undefined,
  extra: Array<[string, string]> = [],
): k8s.types.input.core.v1.EnvVar[] {
  const env: Array<[string, string]> = [
    ...extra,
    ["HOME", SCRATCH_MOUNT_PATH],
    ["TMPDIR", SCRATCH_MOUNT_PATH],
    ["AWS_PAGER", ""],
  ];
  if (region !== undefined) {
    env.push(
      ["AWS_REGION", region],
      ["AWS_DEFAULT_REGION", region],
      ["AWS_STS_REGIONAL_ENDPOINTS", "regional"],
    );
  }
  return env.map(([name, value]) => ({ name, value }));
}
