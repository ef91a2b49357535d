/**
 * A mechanism's extra pod wiring, as the workloads (`S3ReaderDeployment`, `AccessCheckJob`) take it
 * without knowing the mechanism: environment variables, ConfigMap volumes and their read-only mounts
 * (IRSA with role chaining: the SDK config file, `AWS_CONFIG_FILE`, `AWS_PROFILE`). Pure: checked
 * here, appended to the pod spec by the workloads.
 */
import { InputError } from "./errors";
import { requireArray, validateLabelName, validateObjectName } from "./validation";

/** One environment variable of the wiring. */
export interface PodCredentialEnvVar {
  /**
   * The variable's name (a C identifier).
   * @default none (required)
   */
  name: string;
  /**
   * Its literal value.
   * @default none (required)
   */
  value: string;
}

/** One key of a ConfigMap projected as a file. */
export interface PodCredentialKeyToPath {
  /**
   * The ConfigMap's key.
   * @default none (required)
   */
  key: string;
  /**
   * The file's path under the mount.
   * @default none (required)
   */
  path: string;
}

/** The ConfigMap a wiring volume projects. */
export interface PodCredentialConfigMap {
  /**
   * The ConfigMap's name (same namespace as the pod).
   * @default none (required)
   */
  name: string;
  /**
   * The keys projected, and their file names.
   * @default every key, as a file of its name
   */
  items?: PodCredentialKeyToPath[];
  /**
   * The files' mode (octal 0444 is 292).
   * @default 420 (0644, Kubernetes' default)
   */
  defaultMode?: number;
}

/** One ConfigMap volume of the wiring. */
export interface PodCredentialVolume {
  /**
   * The volume's name in the pod (a DNS-1123 label, not `scratch`).
   * @default none (required)
   */
  name: string;
  /**
   * The ConfigMap (same namespace as the pod), the keys it projects and their file mode.
   * @default none (required)
   */
  configMap: PodCredentialConfigMap;
}

/** One mount of a wiring volume into the container, always read-only. */
export interface PodCredentialMount {
  /**
   * The volume's name (one of the wiring's volumes).
   * @default none (required)
   */
  name: string;
  /**
   * Where it is mounted: an absolute path, not `/tmp` (the scratch volume's).
   * @default none (required)
   */
  mountPath: string;
  /**
   * Must be true: credentials wiring is never writable by the pod.
   * @default none (required)
   */
  readOnly: boolean;
}

/** The wiring: what a mechanism adds to every container and pod of the workload. */
export interface PodCredentialWiring {
  /**
   * Environment variables, after the workload's own (names must not repeat them).
   * @default []
   */
  env?: PodCredentialEnvVar[];
  /**
   * ConfigMap volumes.
   * @default []
   */
  volumes?: PodCredentialVolume[];
  /**
   * Their mounts into the container (read-only).
   * @default []
   */
  volumeMounts?: PodCredentialMount[];
}

/** The names the workloads set themselves: the wiring must not repeat them. */
const RESERVED_ENV = new Set([
  "HOME",
  "TMPDIR",
  "AWS_PAGER",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_STS_REGIONAL_ENDPOINTS",
  "EXPECTED_ROLE_ARN",
  "S3_BUCKET",
  "S3_OBJECT_KEY",
  "CREDENTIALS_WAIT_SECONDS",
  "CREDENTIALS_RETRY_SECONDS",
  "POLL_INTERVAL_SECONDS",
  "UNHEALTHY_RETRY_SECONDS",
  "READY_FILE",
]);

/** The AWS variables a wiring may set: the SDK config file and the profile in it (irsa-chained). */
const WIRING_AWS_ENV = new Set(["AWS_CONFIG_FILE", "AWS_PROFILE"]);

/** Refuses a key the wiring does not know (an unknown key is an error, never passed on). */
function onlyKeys(field: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const k of Object.keys(value)) {
    if (!known.includes(k)) {
      throw new InputError(`${field}.${k}`, value[k], `is not a field of the wiring (${known.join(", ")})`);
    }
  }
}

function object(field: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(field, value, "must be an object");
  }
  return value as Record<string, unknown>;
}

/** Checks a wiring (plain); returns it with its lists filled in. */
export function validatePodCredentials(field: string, value: unknown): Required<PodCredentialWiring> {
  const w = object(field, value);
  const env = requireArray(`${field}.env`, w.env ?? []).map((e, i) => {
    const v = object(`${field}.env[${i}]`, e);
    if (typeof v.name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.name) || RESERVED_ENV.has(v.name)) {
      throw new InputError(
        `${field}.env[${i}].name`,
        v.name,
        "must be a C identifier the workload does not set itself (HOME, AWS_REGION, EXPECTED_ROLE_ARN, ...)",
      );
    }
    if (v.name.startsWith("AWS_") && !WIRING_AWS_ENV.has(v.name)) {
      throw new InputError(
        `${field}.env[${i}].name`,
        v.name,
        `must not be an AWS variable other than ${[...WIRING_AWS_ENV].join(" or ")}: the others select or carry ` +
          "credentials (keys, a role, a token file, an endpoint) and would take the pod off its mechanism's path",
      );
    }
    if (typeof v.value !== "string")
      throw new InputError(`${field}.env[${i}].value`, v.value, "must be a string");
    return { name: v.name, value: v.value };
  });
  const volumes = requireArray(`${field}.volumes`, w.volumes ?? []).map((raw, i) => {
    const v = object(`${field}.volumes[${i}]`, raw);
    const name = validateLabelName(`${field}.volumes[${i}].name`, v.name);
    if (name === "scratch")
      throw new InputError(`${field}.volumes[${i}].name`, name, "is the workload's own volume");
    onlyKeys(`${field}.volumes[${i}]`, v, ["name", "configMap"]);
    const at = `${field}.volumes[${i}].configMap`;
    const cm = object(at, v.configMap);
    onlyKeys(at, cm, ["name", "items", "defaultMode"]);
    validateObjectName(`${at}.name`, cm.name);
    const items =
      cm.items === undefined
        ? undefined
        : requireArray(`${at}.items`, cm.items).map((raw, j) => {
            const item = object(`${at}.items[${j}]`, raw);
            onlyKeys(`${at}.items[${j}]`, item, ["key", "path"]);
            if (typeof item.key !== "string" || item.key === "")
              throw new InputError(`${at}.items[${j}].key`, item.key, "must be a ConfigMap key");
            if (
              typeof item.path !== "string" ||
              !/^[^/]/.test(item.path) ||
              item.path.split("/").includes("..")
            ) {
              throw new InputError(
                `${at}.items[${j}].path`,
                item.path,
                "must be a relative path without '..'",
              );
            }
            return { key: item.key, path: item.path };
          });
    if (
      cm.defaultMode !== undefined &&
      (typeof cm.defaultMode !== "number" ||
        !Number.isInteger(cm.defaultMode) ||
        (cm.defaultMode & ~0o644) !== 0 ||
        cm.defaultMode < 0)
    ) {
      throw new InputError(
        `${at}.defaultMode`,
        cm.defaultMode,
        "must be a file mode of at most 0644 (420): no execute bits, no write bits for group or others",
      );
    }
    // Rebuilt from the checked fields: nothing else of the input reaches the pod spec.
    const volume: PodCredentialVolume = {
      name,
      configMap: {
        name: cm.name as string,
        ...(items !== undefined ? { items } : {}),
        ...(cm.defaultMode !== undefined ? { defaultMode: cm.defaultMode } : {}),
      },
    };
    return volume;
  });
  const names = new Set(volumes.map((v) => v.name));
  const volumeMounts = requireArray(`${field}.volumeMounts`, w.volumeMounts ?? []).map((raw, i) => {
    const m = object(`${field}.volumeMounts[${i}]`, raw);
    if (typeof m.name !== "string" || !names.has(m.name)) {
      throw new InputError(
        `${field}.volumeMounts[${i}].name`,
        m.name,
        "must name one of the wiring's volumes",
      );
    }
    if (
      typeof m.mountPath !== "string" ||
      !/^\/[\x21-\x7e]*$/.test(m.mountPath) ||
      /^\/tmp(\/|$)/.test(m.mountPath)
    ) {
      throw new InputError(
        `${field}.volumeMounts[${i}].mountPath`,
        m.mountPath,
        "must be an absolute path without whitespace, outside /tmp (the scratch volume)",
      );
    }
    if (m.readOnly !== true) {
      throw new InputError(
        `${field}.volumeMounts[${i}].readOnly`,
        m.readOnly,
        "must be true: credentials wiring is read-only",
      );
    }
    return { name: m.name, mountPath: m.mountPath, readOnly: true };
  });
  return { env, volumes, volumeMounts };
}
