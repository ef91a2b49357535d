/**
 * S3ReaderDeployment (account A): the Deployment that reads the object in a loop as the
 * ServiceAccount, the steady-state proof that the chain works, and its script.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  DEFAULT_AWS_CLI_IMAGE,
  DEFAULT_FS_GROUP,
  DEFAULT_RUN_AS_USER,
  ROLE_ARN_POD_ANNOTATION,
  SCRATCH_MOUNT_PATH,
  buildAwsCliEnv,
  buildAwsCliResources,
  buildContainerSecurityContext,
  buildPodSecurityContext,
  buildScratchVolume,
  buildScratchVolumeMount,
  workloadLabels,
  AWS_CLI_POD_CHECKS,
  type AwsCliPodArgs,
} from "./podSecurity";
import { ROLE_MATCHES_SHELL_FUNCTION } from "./accessCheckResult";
import { checkPlainArgs, type ArgChecks } from "./inputs";
import { parseRoleArn, validateInteger, validateLabelName } from "./validation";

/** Default name of the Deployment. */
export const DEFAULT_S3_READER_NAME = "s3-reader";
/** Default seconds between two reads. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 60;
/**
 * The file the reader keeps while its last round was healthy (it ran as a session of the expected
 * role and read the object); the readiness probe tests it, so a pod without the role is not Ready.
 */
export const READY_FILE = `${SCRATCH_MOUNT_PATH}/ready`;

/** Arguments of {@link S3ReaderDeployment}. */
export interface S3ReaderDeploymentArgs extends AwsCliPodArgs {
  /**
   * The role ARN the ServiceAccount is annotated with. It goes into a pod-template annotation, so a
   * new role rolls the pods: the EKS pod identity webhook injects credentials only when a pod is created.
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

/** Validates the args that are plain values; throws an `IrsaInputError` naming `args.<field>`. */
export function validateS3ReaderDeploymentArgs(args: S3ReaderDeploymentArgs): void {
  checkPlainArgs(args, CHECKS, REQUIRED);
}

/** Validates resolved args and applies the defaults. */
export function resolveS3ReaderSettings(args: PlainS3ReaderArgs): S3ReaderSettings {
  checkPlainArgs(args, CHECKS, REQUIRED);
  return {
    name: args.name ?? DEFAULT_S3_READER_NAME,
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

/**
 * The reader's shell loop (POSIX sh). Every interval it checks who the pod is
 * (`aws sts get-caller-identity`: a session of `EXPECTED_ROLE_ARN`, compared as the access check
 * does) and whether it can read the object (`aws s3 cp s3://... -`, streamed, only the size is
 * logged), and logs both. When both hold it keeps `READY_FILE`, otherwise it removes it: the
 * readiness probe tests that file, so a pod that runs without the role (the webhook missed it, and
 * it runs as the node role) is not Ready. Inputs come from the environment (`EXPECTED_ROLE_ARN`,
 * `S3_BUCKET`, `S3_OBJECT_KEY`, `POLL_INTERVAL_SECONDS`, `READY_FILE`), never spliced into the
 * script, so no value can inject shell code. SIGTERM ends it at once (the shell is PID 1, which
 * ignores signals without a trap).
 */
export function buildS3ReaderScript(): string {
  return [
    "set -u",
    "trap 'exit 0' TERM INT",
    'scratch="${TMPDIR:-/tmp}"',
    ROLE_MATCHES_SHELL_FUNCTION,
    "while :; do",
    "  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)",
    "  healthy=true",
    "  if caller=$(aws sts get-caller-identity --query Arn --output text 2>&1); then",
    "    caller=$(printf '%s' \"$caller\" | tr -d '[:space:]')",
    '    if role_matches "$EXPECTED_ROLE_ARN" "$caller"; then',
    '      printf \'%s identity ok: %s is a session of %s\\n\' "$now" "$caller" "$EXPECTED_ROLE_ARN"',
    "    else",
    "      healthy=false",
    '      printf \'%s identity WRONG: %s is not a session of %s (no role annotation on the ServiceAccount, or a pod created before it: delete the pod)\\n\' "$now" "$caller" "$EXPECTED_ROLE_ARN"',
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
    '  if [ "$healthy" = true ]; then : >"$READY_FILE"; else rm -f "$READY_FILE"; fi',
    '  sleep "$POLL_INTERVAL_SECONDS" &',
    "  wait $!",
    "done",
    "",
  ].join("\n");
}

/** The reader's pod spec: non-root, read-only root, scratch volume, the reader loop. */
export function buildS3ReaderPodSpec(settings: S3ReaderSettings): k8s.types.input.core.v1.PodSpec {
  return {
    serviceAccountName: settings.serviceAccountName,
    securityContext: buildPodSecurityContext({ runAsUser: settings.runAsUser, fsGroup: settings.fsGroup }),
    terminationGracePeriodSeconds: 10,
    containers: [
      {
        name: "s3-reader",
        image: settings.image,
        command: ["/bin/sh", "-c", buildS3ReaderScript()],
        env: buildAwsCliEnv(settings.region, [
          ["EXPECTED_ROLE_ARN", settings.roleArn],
          ["S3_BUCKET", settings.bucketName],
          ["S3_OBJECT_KEY", settings.objectKey],
          ["POLL_INTERVAL_SECONDS", String(settings.pollIntervalSeconds)],
          ["READY_FILE", READY_FILE],
        ]),
        // Ready only while the last round ran as the role and read the object (see the script).
        readinessProbe: {
          exec: { command: ["test", "-f", READY_FILE] },
          periodSeconds: 10,
          failureThreshold: 1,
        },
        resources: buildAwsCliResources(),
        securityContext: buildContainerSecurityContext(),
        volumeMounts: [buildScratchVolumeMount()],
      },
    ],
    volumes: [buildScratchVolume()],
  };
}

/**
 * The Deployment's spec. The pod template carries the role ARN as an annotation: a new role changes
 * the template and rolls the pods, which is the only way they get the new role's credentials.
 */
export function buildS3ReaderDeploymentSpec(
  settings: S3ReaderSettings,
): k8s.types.input.apps.v1.DeploymentSpec {
  const labels = workloadLabels(settings.name);
  return {
    replicas: settings.replicas,
    selector: { matchLabels: labels },
    template: {
      metadata: { labels, annotations: { [ROLE_ARN_POD_ANNOTATION]: settings.roleArn } },
      spec: buildS3ReaderPodSpec(settings),
    },
  };
}

/**
 * A Deployment whose pods, running as the IRSA ServiceAccount, read one object from account B's
 * bucket in a loop and log the outcome: the steady-state proof that the cross-account chain works
 * (`kubectl logs deploy/<name>`).
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
