/**
 * How a pod gets IRSA-chained credentials (`irsa-chained`), as plain manifest fragments: the
 * ServiceAccount's annotation (the source role, so the EKS pod identity webhook mounts the token),
 * the ConfigMap volume holding the SDK config file, mounted read-only, and `AWS_CONFIG_FILE` /
 * `AWS_PROFILE` selecting the chained profile (AWS SDKs and Tools Reference Guide, "Location of the
 * shared files", https://docs.aws.amazon.com/sdkref/latest/guide/file-location.html, and the
 * `AWS_PROFILE` setting). Pure.
 *
 * One caveat, documented where it bites: the webhook also injects `AWS_ROLE_ARN` (the source role)
 * and `AWS_WEB_IDENTITY_TOKEN_FILE`. The AWS CLI, boto3 and the JavaScript SDK v3 honour the profile
 * `AWS_PROFILE` names before those variables; the Java v2, Kotlin and Go v2 SDKs read the variables
 * first (aws/aws-cli#8883) and would run as the source role, which may do nothing but assume the
 * target role. The probes prove the caller is a session of the target role (account B), so such a
 * pod fails its check instead of passing on the wrong identity.
 */
import { InputError } from "./errors";
import { ROLE_ARN_ANNOTATION } from "./serviceAccountAnnotations";
import { validateObjectName } from "./validation";

/** The ConfigMap key that holds the SDK config file. */
export const CHAINED_CONFIG_KEY = "config";
/** Where the ConfigMap is mounted (read-only) in the pods. */
export const CHAINED_CONFIG_MOUNT_PATH = "/etc/cross-account-irsa/aws";
/** The volume's name in the pod spec. */
export const CHAINED_CONFIG_VOLUME = "aws-chained-config";

/**
 * A POSIX sh condition that is true when the pod has what the chain needs at admission: the webhook's
 * token (`AWS_WEB_IDENTITY_TOKEN_FILE`, readable) and the chained profile's file (`AWS_CONFIG_FILE`,
 * readable) and name (`AWS_PROFILE`).
 */
export const CHAINED_INJECTION_CHECK_SHELL: string =
  '{ [ -r "${AWS_WEB_IDENTITY_TOKEN_FILE:-/nonexistent}" ] && [ -r "${AWS_CONFIG_FILE:-/nonexistent}" ] && ' +
  '[ -n "${AWS_PROFILE:-}" ]; }';

/** Why a pod lacks them, in words. */
export const CHAINED_NOT_INJECTED_REASON: string =
  "the pod lacks the chain's parts: the EKS pod identity webhook mounted no web identity token " +
  "(AWS_WEB_IDENTITY_TOKEN_FILE: the ServiceAccount has no eks.amazonaws.com/role-arn annotation naming the source " +
  "role, or the pod was admitted before it), or the SDK config file (AWS_CONFIG_FILE, the ConfigMap) or " +
  "AWS_PROFILE is missing";

/** What a workload needs to run with the chained profile: plain manifest fragments. */
export interface ChainedPodWiring {
  /** The ServiceAccount's annotations: the source role (the webhook mounts the token for it). */
  serviceAccountAnnotations: Record<string, string>;
  /** The container's environment: `AWS_CONFIG_FILE` and `AWS_PROFILE`. */
  env: Array<{ name: string; value: string }>;
  /** The pod's volume: the ConfigMap, its one key, read-only for everyone (0444). */
  volumes: Array<{
    name: string;
    configMap: { name: string; items: Array<{ key: string; path: string }>; defaultMode: number };
  }>;
  /** The container's mount of it, read-only. */
  volumeMounts: Array<{ name: string; mountPath: string; readOnly: boolean }>;
  /**
   * A POSIX sh condition that is true when the pod has what the chain needs at admission: the
   * webhook's token (`AWS_WEB_IDENTITY_TOKEN_FILE`, readable) and the chained profile's file
   * (`AWS_CONFIG_FILE`, readable) and name (`AWS_PROFILE`).
   */
  injectionCheckShell: string;
  /** Why a pod lacks them, in words. */
  notInjectedReason: string;
}

/** Options of {@link chainedPodWiring}. */
export interface ChainedPodWiringOptions {
  /** The source role (account A), the ServiceAccount's `eks.amazonaws.com/role-arn`. */
  sourceRoleArn: string;
  /** The ConfigMap holding the SDK config file (same namespace as the pods). */
  configMapName: string;
  /** The chained profile's name (`AWS_PROFILE`). */
  profileName: string;
}

/** The pod wiring of the chained profile (see the module's comment). */
export function chainedPodWiring(options: ChainedPodWiringOptions): ChainedPodWiring {
  if (options === null || typeof options !== "object") {
    throw new InputError(
      "options",
      options,
      "must be an object { sourceRoleArn, configMapName, profileName }",
    );
  }
  const configMapName = validateObjectName("configMapName", options.configMapName);
  const configFile = `${CHAINED_CONFIG_MOUNT_PATH}/${CHAINED_CONFIG_KEY}`;
  return {
    serviceAccountAnnotations: { [ROLE_ARN_ANNOTATION]: options.sourceRoleArn },
    env: [
      { name: "AWS_CONFIG_FILE", value: configFile },
      { name: "AWS_PROFILE", value: options.profileName },
    ],
    volumes: [
      {
        name: CHAINED_CONFIG_VOLUME,
        configMap: {
          name: configMapName,
          items: [{ key: CHAINED_CONFIG_KEY, path: CHAINED_CONFIG_KEY }],
          defaultMode: 0o444,
        },
      },
    ],
    volumeMounts: [{ name: CHAINED_CONFIG_VOLUME, mountPath: CHAINED_CONFIG_MOUNT_PATH, readOnly: true }],
    injectionCheckShell: CHAINED_INJECTION_CHECK_SHELL,
    notInjectedReason: CHAINED_NOT_INJECTED_REASON,
  };
}
