/**
 * What the account-A workloads (`S3ReaderDeployment`, `AccessCheckJob`) share: the pinned AWS CLI
 * image, the non-root pod and container security contexts, the writable scratch volume the AWS CLI
 * needs under a read-only root file system, the environment and the resource requests (pure: plain
 * values in, plain manifest fragments out), and the check of their args.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { type ArgChecks } from "./inputs";
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

/** Pod-template annotation holding the role ARN: a new ARN changes the template, so pods are recreated. */
export const ROLE_ARN_POD_ANNOTATION = "cross-account-irsa/role-arn";

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

/** The labels every workload of this package carries (also the Deployment's selector). */

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
   * The IRSA ServiceAccount the pods run as (`IrsaServiceAccount.name`).
   * @default none (required)
   */
  serviceAccountName: pulumi.Input<string>;
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
   * Group that owns the pod's volumes; the projected web-identity token is readable by it, which is
   * what lets the non-root process read the token.
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
};

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
