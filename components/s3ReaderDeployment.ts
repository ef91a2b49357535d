/**
 * S3ReaderDeployment (account A): the Deployment that reads the object in a loop as the
 * ServiceAccount (IRSA or EKS Pod Identity), the steady-state proof that the chain works, and its script.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Mechanism, assertNever } from "./mechanism";
import {
  DEFAULT_AWS_CLI_IMAGE,
  DEFAULT_FS_GROUP,
  DEFAULT_RUN_AS_USER,
  SCRATCH_MOUNT_PATH,
  buildAwsCliEnv,
  buildAwsCliResources,
  buildContainerSecurityContext,
  buildPodSecurityContext,
  buildScratchVolume,
  buildScratchVolumeMount,
  checkMechanismArgs,
  checkPodCredentials,
  checkPlainMechanismArgs,
  injectionCheckShell,
  notInjectedReason,
  podTemplateAnnotations,
  workloadLabels,
  AWS_CLI_POD_CHECKS,
  type AwsCliPodArgs,
  workloadMechanismOf,
} from "./podSecurity";
import { validatePodCredentials, type PodCredentialWiring } from "./podCredentials";
import { ROLE_MATCHES_SHELL_FUNCTION } from "./accessCheckResult";
import { checkPlainArgs, type ArgChecks } from "./inputs";
import { parseRoleArn, validateInteger, validateLabelName } from "./validation";

/** Default name of the Deployment. */
export const DEFAULT_S3_READER_NAME = "s3-reader";
/** Default seconds between two reads. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 60;
/**
 * Seconds to the next round after an unhealthy one, when the poll interval is longer: a role, trust
 * or permission IAM has not propagated yet comes good within seconds, and the pod becomes Ready then
 * rather than a whole interval later.
 */
export const UNHEALTHY_RETRY_SECONDS = 10;
/**
 * The file the reader keeps while its last round was healthy (it ran as a session of the expected
 * role and read the object); the readiness probe tests it, so a pod without the role is not Ready.
 */
export const READY_FILE: `${typeof SCRATCH_MOUNT_PATH}/ready` = `${SCRATCH_MOUNT_PATH}/ready`;

/** Arguments of {@link S3ReaderDeployment}. */
export interface S3ReaderDeploymentArgs extends AwsCliPodArgs {
  /**
   * The role the pods must run as: with IRSA the role the ServiceAccount is annotated with, with EKS
   * Pod Identity the association's target role. It goes into a pod-template annotation, so a new
   * role rolls the pods: EKS injects credentials only when a pod is created.
   * @default none (required)
   */
  roleArn: pulumi.Input<string>;
  /**
   * Number of pods, 0 to 50.
   * @default 1
   */
  replicas?: pulumi.Input<number>;
  /**
   * Seconds between two reads, 5 to 86400.
   * @default 60
   */
  pollIntervalSeconds?: pulumi.Input<number>;
  /**
   * Name of the Deployment, used exactly as given (a DNS-1123 label).
   * @default "s3-reader"
   */
  name?: pulumi.Input<string>;
}

/** {@link S3ReaderDeploymentArgs} resolved to plain values, with the defaults applied. */
export interface S3ReaderSettings {
  name: string;
  mechanism: Mechanism;
  associationArn?: string;
  /** The mechanism's extra pod wiring, checked. */
  podCredentials?: Required<PodCredentialWiring>;
  namespace: string;
  serviceAccountName: string;
  roleArn: string;
  bucketName: string;
  objectKey: string;
  image: string;
  replicas: number;
  region?: string;
  pollIntervalSeconds: number;
  runAsUser: number;
  fsGroup: number;
}

/** The plain form of {@link S3ReaderDeploymentArgs} (what the args resolve to). */
export type PlainS3ReaderArgs = {
  [K in keyof S3ReaderDeploymentArgs]: pulumi.Unwrap<S3ReaderDeploymentArgs[K]>;
};

const REQUIRED = ["namespace", "serviceAccountName", "roleArn", "bucketName", "objectKey"] as const;

const CHECKS: ArgChecks = {
  ...AWS_CLI_POD_CHECKS,
  roleArn: parseRoleArn,
  replicas: (f, v) => validateInteger(f, v, 0, 50),
  pollIntervalSeconds: (f, v) => validateInteger(f, v, 5, 86400),
  name: validateLabelName,
};

/** Validates the args that are plain values; throws an `InputError` naming `args.<field>`. */
export function validateS3ReaderDeploymentArgs(args: S3ReaderDeploymentArgs): void {
  checkPlainArgs(args, CHECKS, REQUIRED);
  checkPlainMechanismArgs(args);
}

/**
 * Validates resolved args and applies the defaults.
 *
 * @internal exported for the tests only
 */
export function resolveS3ReaderSettings(args: PlainS3ReaderArgs): S3ReaderSettings {
  checkPlainArgs(args, CHECKS, REQUIRED);
  const mechanism = workloadMechanismOf(args);
  checkMechanismArgs("args.", mechanism, args.associationArn);
  checkPodCredentials("args.", mechanism, args.podCredentials);
  return {
    name: args.name ?? DEFAULT_S3_READER_NAME,
    mechanism,
    ...(args.associationArn !== undefined ? { associationArn: args.associationArn } : {}),
    ...(args.podCredentials !== undefined
      ? { podCredentials: validatePodCredentials("args.podCredentials", args.podCredentials) }
      : {}),
    namespace: args.namespace,
    serviceAccountName: args.serviceAccountName,
    roleArn: args.roleArn,
    bucketName: args.bucketName,
    objectKey: args.objectKey,
    image: args.image ?? DEFAULT_AWS_CLI_IMAGE,
    replicas: args.replicas ?? 1,
    region: args.region,
    pollIntervalSeconds: args.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS,
    runAsUser: args.runAsUser ?? DEFAULT_RUN_AS_USER,
    fsGroup: args.fsGroup ?? DEFAULT_FS_GROUP,
  };
}

/** Why the reader runs as another identity, in the words of its mechanism. */
function readerWrongIdentity(mechanism: Mechanism): string {
  switch (mechanism) {
    case Mechanism.PodIdentity:
      return "the association for the ServiceAccount names another target role, or the ServiceAccount carries an eks.amazonaws.com/role-arn annotation";
    case Mechanism.Irsa:
      return "no role annotation on the ServiceAccount, or a pod created before it: delete the pod";
    case Mechanism.IrsaChained:
      return "the SDK did not chain into the target role: check AWS_PROFILE and the config file's chained profile";
    default:
      return assertNever(mechanism, "mechanism");
  }
}

/**
 * The reader's shell loop (POSIX sh). Every interval it checks who the pod is
 * (`aws sts get-caller-identity`: a session of `EXPECTED_ROLE_ARN`, compared as the access check
 * does) and whether it can read the object (`aws s3 cp s3://... -`, streamed, only the size is
 * logged), and logs both. When both hold it keeps `READY_FILE`, otherwise it removes it: the
 * readiness probe tests that file, so a pod that runs without the role is not Ready. After an
 * unhealthy round it tries again after `UNHEALTHY_RETRY_SECONDS` (when shorter than the interval),
 * so credentials IAM honours a few seconds late make the pod Ready within seconds. A pod into which
 * EKS injected no credentials at all (admitted before the association or annotation took effect)
 * says so every round and that it must be replaced: no restart of its container can fix it. Inputs
 * come from the environment (`EXPECTED_ROLE_ARN`, `S3_BUCKET`, `S3_OBJECT_KEY`,
 * `POLL_INTERVAL_SECONDS`, `UNHEALTHY_RETRY_SECONDS`, `READY_FILE`), never spliced into the script,
 * so no value can inject shell code. SIGTERM ends it at once (the shell is PID 1, which ignores
 * signals without a trap).
 *
 * @internal exported for the tests only
 */
export function buildS3ReaderScript(mechanism: Mechanism): string {
  const wrongIdentity = readerWrongIdentity(mechanism);
  const notInjected = `${notInjectedReason(mechanism)}; this pod never gets them: delete it (kubectl delete pod) or run the deploy again`;
  return [
    "set -u",
    "trap 'exit 0' TERM INT",
    'scratch="${TMPDIR:-/tmp}"',
    ROLE_MATCHES_SHELL_FUNCTION,
    "while :; do",
    "  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)",
    "  healthy=true",
    `  if ! ${injectionCheckShell(mechanism)}; then`,
    "    healthy=false",
    `    printf '%s credentials NOT INJECTED: %s\\n' "$now" ${shellQuote(notInjected)}`,
    "  fi",
    "  if caller=$(aws sts get-caller-identity --query Arn --output text 2>&1); then",
    "    caller=$(printf '%s' \"$caller\" | tr -d '[:space:]')",
    '    if role_matches "$EXPECTED_ROLE_ARN" "$caller"; then',
    '      printf \'%s identity ok: %s is a session of %s\\n\' "$now" "$caller" "$EXPECTED_ROLE_ARN"',
    "    else",
    "      healthy=false",
    `      printf '%s identity WRONG: %s is not a session of %s (%s)\\n' "$now" "$caller" "$EXPECTED_ROLE_ARN" ${shellQuote(wrongIdentity)}`,
    "    fi",
    "  else",
    "    healthy=false",
    '    printf \'%s identity FAILED: %s\\n\' "$now" "$caller"',
    "  fi",
    '  bytes=$( { aws s3 cp "s3://$S3_BUCKET/$S3_OBJECT_KEY" - 2>"$scratch/s3.err"; echo $? >"$scratch/s3.status"; } | wc -c | tr -d "[:space:]")',
    '  if [ "$(cat "$scratch/s3.status")" = 0 ]; then',
    '    printf \'%s read ok: s3://%s/%s (%s bytes)\\n\' "$now" "$S3_BUCKET" "$S3_OBJECT_KEY" "$bytes"',
    "  else",
    "    healthy=false",
    '    printf \'%s read FAILED: s3://%s/%s: %s\\n\' "$now" "$S3_BUCKET" "$S3_OBJECT_KEY" "$(tail -c 1000 "$scratch/s3.err")"',
    "  fi",
    '  next="$POLL_INTERVAL_SECONDS"',
    '  if [ "$healthy" = true ]; then : >"$READY_FILE"; else',
    '    rm -f "$READY_FILE"',
    '    if [ "${UNHEALTHY_RETRY_SECONDS:-$next}" -lt "$next" ]; then next="$UNHEALTHY_RETRY_SECONDS"; fi',
    "  fi",
    '  sleep "$next" &',
    "  wait $!",
    "done",
    "",
  ].join("\n");
}

/**
 * The reader's pod spec: non-root, read-only root, scratch volume, the reader loop.
 *
 * @internal exported for the tests only
 */
export function buildS3ReaderPodSpec(settings: S3ReaderSettings): k8s.types.input.core.v1.PodSpec {
  return {
    serviceAccountName: settings.serviceAccountName,
    securityContext: buildPodSecurityContext({ runAsUser: settings.runAsUser, fsGroup: settings.fsGroup }),
    terminationGracePeriodSeconds: 10,
    containers: [
      {
        name: "s3-reader",
        image: settings.image,
        command: ["/bin/sh", "-c", buildS3ReaderScript(settings.mechanism)],
        env: buildAwsCliEnv(settings.region, [
          ["EXPECTED_ROLE_ARN", settings.roleArn],
          ["S3_BUCKET", settings.bucketName],
          ["S3_OBJECT_KEY", settings.objectKey],
          ["POLL_INTERVAL_SECONDS", String(settings.pollIntervalSeconds)],
          ["UNHEALTHY_RETRY_SECONDS", String(UNHEALTHY_RETRY_SECONDS)],
          ["READY_FILE", READY_FILE],
          ...(settings.podCredentials?.env ?? []).map((e): [string, string] => [e.name, e.value]),
        ]),
        // Ready only while the last round ran as the role and read the object (see the script).
        readinessProbe: {
          exec: { command: ["test", "-f", READY_FILE] },
          periodSeconds: 10,
          failureThreshold: 1,
        },
        resources: buildAwsCliResources(),
        securityContext: buildContainerSecurityContext(),
        volumeMounts: [buildScratchVolumeMount(), ...(settings.podCredentials?.volumeMounts ?? [])],
      },
    ],
    volumes: [buildScratchVolume(), ...(settings.podCredentials?.volumes ?? [])],
  };
}

/**
 * The Deployment's spec. The pod template carries the role ARN (and, with Pod Identity, the
 * association's ARN) as annotations: a new role or association changes the template and rolls the
 * pods, which is the only way they get the new credentials.
 *
 * @internal exported for the tests only
 */
export function buildS3ReaderDeploymentSpec(
  settings: S3ReaderSettings,
): k8s.types.input.apps.v1.DeploymentSpec {
  const labels = workloadLabels(settings.name);
  return {
    replicas: settings.replicas,
    selector: { matchLabels: labels },
    template: {
      metadata: { labels, annotations: podTemplateAnnotations(settings.roleArn, settings.associationArn) },
      spec: buildS3ReaderPodSpec(settings),
    },
  };
}

/**
 * A Deployment whose pods, running as the ServiceAccount (IRSA or EKS Pod Identity), read one object
 * from account B's bucket in a loop and log the outcome: the steady-state proof that the
 * cross-account chain works (`kubectl logs deploy/<name>`). Create it after something proves that a
 * newly admitted pod gets credentials (account-a's stack makes it wait for the access-check Job):
 * a pod admitted before the association or annotation took effect never gets them.
 *
 * The Kubernetes provider comes from the component's options (`providers: { kubernetes }`).
 */
export class S3ReaderDeployment extends pulumi.ComponentResource {
  /** Name of the Deployment (exactly `args.name`). */
  public readonly name: pulumi.Output<string>;

  constructor(name: string, args: S3ReaderDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    validateS3ReaderDeploymentArgs(args);
    super("cross-account-irsa:index:S3ReaderDeployment", name, {}, opts);

    const settings = pulumi.output(args).apply((plain) => resolveS3ReaderSettings(plain));
    const deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: {
          name: settings.name,
          namespace: settings.namespace,
          labels: settings.apply((s) => workloadLabels(s.name)),
        },
        spec: settings.apply(buildS3ReaderDeploymentSpec),
      },
      { parent: this },
    );

    this.name = deployment.metadata.name;
    this.registerOutputs({ name: this.name });
  }
}

/** Single-quotes a string for POSIX sh. */
function shellQuote(value: string): string {
  return `'${value.split("'").join("'\\''")}'`;
}
