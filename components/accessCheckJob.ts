/**
 * AccessCheckJob (account A): the Job that proves the chain end to end (it runs as the ServiceAccount,
 * IRSA or EKS Pod Identity, checks the caller is a session of the expected role and reads the object),
 * its check script and its spec-hash name.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Mechanism, assertNever } from "./mechanism";
import { ROLE_MATCHES_SHELL_FUNCTION } from "./accessCheckResult";
import { InputError } from "./errors";
import {
  CREDENTIALS_RETRY_SECONDS,
  CREDENTIALS_WAIT_SECONDS,
  DEFAULT_AWS_CLI_IMAGE,
  DEFAULT_FS_GROUP,
  DEFAULT_RUN_AS_USER,
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
import { checkPlainArgs, type ArgChecks } from "./inputs";
import { parseRoleArn, validateInteger, validateLabelName } from "./validation";

// The result contract lives in a module without Pulumi imports (deploy/verify.ts reads it).
export {
  ROLE_MATCHES_SHELL_FUNCTION,
  assumedRoleMatches,
  parseAccessCheckResult,
  type AccessCheckResult,
} from "./accessCheckResult";

/**
 * The annotation that makes the next update replace a Job that did not succeed, instead of waiting on
 * the failed one again (`@pulumi/kubernetes` Job documentation: "If you would prefer to schedule a
 * replacement for an unready resource on the next update, you can add the
 * "pulumi.com/replaceUnready": "true" annotation"). The check fails for causes outside its spec (a
 * trust policy fixed in account B, an object uploaded since, nodes not ready in time), so running
 * the deploy again must run it again. The replacement keeps the Job's name, and the provider then
 * deletes the old Job before it creates the new one.
 */
export const REPLACE_UNREADY_ANNOTATION = "pulumi.com/replaceUnready";

/** Default base name of the Job (the Job is `<name>-<hash>`). */
export const DEFAULT_ACCESS_CHECK_NAME = "access-check";
/** Where the container writes its one-line JSON result; the kubelet copies it into the pod status. */
export const TERMINATION_MESSAGE_PATH = "/dev/termination-log";
/** Hex digits of the spec hash in the Job name. */
export const JOB_NAME_HASH_LENGTH = 10;
/**
 * Longest base name: `<name>-<10 hex>` must stay a 63-character DNS-1123 label (the Job controller
 * puts the Job name into a label of its pods).
 */
export const MAX_ACCESS_CHECK_NAME_LENGTH: number = 63 - 1 - JOB_NAME_HASH_LENGTH;

/** Arguments of {@link AccessCheckJob}. */
export interface AccessCheckJobArgs extends AwsCliPodArgs {
  /**
   * The role (in account B) the pod must be running as. The check compares it with the caller
   * identity STS reports (`arn:<partition>:sts::<account>:assumed-role/<role name>/<session>`).
   * @default none (required)
   */
  expectedRoleArn: pulumi.Input<string>;
  /**
   * Let Kubernetes delete the finished Job after this many seconds. Off by default: Pulumi owns the
   * Job and deletes it when it is replaced or the stack is destroyed. When set, a `pulumi refresh`
   * after the deletion drops the Job from the state and the next `up` runs the check again.
   * @default none (the Job is kept until Pulumi replaces or deletes it)
   */
  ttlSecondsAfterFinished?: pulumi.Input<number>;
  /**
   * Retries after a failed attempt, 0 to 6. Each retry is a new pod, admitted again: a pod admitted
   * before the Pod Identity association (or the IRSA annotation) took effect gets no credentials and
   * fails at once, and the Job controller creates the next one after its back-off (10 s, 20 s, 40 s,
   * capped at six minutes: https://access.redhat.com/documentation/ja-jp/openshift_container_platform/4.5/html/nodes/jobs-set-backoff_nodes-nodes-jobs).
   * The default covers the association's documented "several seconds" three times over.
   * @default 3
   */
  backoffLimit?: pulumi.Input<number>;
  /**
   * Seconds the whole Job may run, all attempts included, 30 to 3600.
   * @default 300
   */
  activeDeadlineSeconds?: pulumi.Input<number>;
  /**
   * Base name of the Job; the Job is named `<name>-<10 hex digits of the spec's SHA-256>`, at most
   * 52 characters here.
   * @default "access-check"
   */
  name?: pulumi.Input<string>;
}

/** Default retries of the Job (see {@link AccessCheckJobArgs.backoffLimit}). */
export const DEFAULT_BACKOFF_LIMIT = 3;
/** Default seconds the whole Job may run. */
export const DEFAULT_ACTIVE_DEADLINE_SECONDS = 300;

/** {@link AccessCheckJobArgs} resolved to plain values, with the defaults applied. */
export interface AccessCheckSettings {
  name: string;
  mechanism: Mechanism;
  associationArn?: string;
  /** The mechanism's extra pod wiring, checked. */
  podCredentials?: Required<PodCredentialWiring>;
  namespace: string;
  serviceAccountName: string;
  expectedRoleArn: string;
  bucketName: string;
  objectKey: string;
  image: string;
  region?: string;
  ttlSecondsAfterFinished?: number;
  backoffLimit: number;
  activeDeadlineSeconds: number;
  runAsUser: number;
  fsGroup: number;
}

/** The plain form of {@link AccessCheckJobArgs}. */
export type PlainAccessCheckArgs = { [K in keyof AccessCheckJobArgs]: pulumi.Unwrap<AccessCheckJobArgs[K]> };

const REQUIRED = ["namespace", "serviceAccountName", "expectedRoleArn", "bucketName", "objectKey"] as const;

const CHECKS: ArgChecks = {
  ...AWS_CLI_POD_CHECKS,
  expectedRoleArn: parseRoleArn,
  ttlSecondsAfterFinished: (f, v) => validateInteger(f, v, 0, 31536000),
  backoffLimit: (f, v) => validateInteger(f, v, 0, 6),
  activeDeadlineSeconds: (f, v) => validateInteger(f, v, 30, 3600),
  name: validateJobBaseName,
};

/** A Job base name: a DNS-1123 label short enough to take the `-<hash>` suffix. */
function validateJobBaseName(field: string, value: unknown): string {
  const name = validateLabelName(field, value);
  if (name.length > MAX_ACCESS_CHECK_NAME_LENGTH) {
    throw new InputError(
      field,
      value,
      `must be at most ${MAX_ACCESS_CHECK_NAME_LENGTH} characters: the Job is named <name>-<${JOB_NAME_HASH_LENGTH}-digit hash>, which must stay a 63-character DNS-1123 label`,
    );
  }
  return name;
}

/** Validates the args that are plain values; throws an `InputError` naming `args.<field>`. */
export function validateAccessCheckJobArgs(args: AccessCheckJobArgs): void {
  checkPlainArgs(args, CHECKS, REQUIRED);
  checkPlainMechanismArgs(args);
}

/**
 * Validates resolved args and applies the defaults.
 *
 * @internal exported for the tests only
 */
export function resolveAccessCheckSettings(args: PlainAccessCheckArgs): AccessCheckSettings {
  checkPlainArgs(args, CHECKS, REQUIRED);
  const mechanism = workloadMechanismOf(args);
  checkMechanismArgs("args.", mechanism, args.associationArn);
  checkPodCredentials("args.", mechanism, args.podCredentials);
  return {
    name: args.name ?? DEFAULT_ACCESS_CHECK_NAME,
    mechanism,
    ...(args.associationArn !== undefined ? { associationArn: args.associationArn } : {}),
    ...(args.podCredentials !== undefined
      ? { podCredentials: validatePodCredentials("args.podCredentials", args.podCredentials) }
      : {}),
    namespace: args.namespace,
    serviceAccountName: args.serviceAccountName,
    expectedRoleArn: args.expectedRoleArn,
    bucketName: args.bucketName,
    objectKey: args.objectKey,
    image: args.image ?? DEFAULT_AWS_CLI_IMAGE,
    region: args.region,
    ttlSecondsAfterFinished: args.ttlSecondsAfterFinished,
    backoffLimit: args.backoffLimit ?? DEFAULT_BACKOFF_LIMIT,
    activeDeadlineSeconds: args.activeDeadlineSeconds ?? DEFAULT_ACTIVE_DEADLINE_SECONDS,
    runAsUser: args.runAsUser ?? DEFAULT_RUN_AS_USER,
    fsGroup: args.fsGroup ?? DEFAULT_FS_GROUP,
  };
}

/** Options of {@link buildAccessCheckScript}. */
export interface AccessCheckScriptOptions {
  /** File the JSON result is written to. @default "/dev/termination-log" */
  resultPath?: string;
  /** The mechanism whose credentials the pod checks for, and whose words its messages use. @default none (required) */
  mechanism: Mechanism;
}

/** What to check when STS gives no credentials, in the words of the mechanism in use. */
function noCredentialsHint(mechanism: Mechanism): string {
  switch (mechanism) {
    case Mechanism.PodIdentity:
      return "Pod Identity: check the association for the ServiceAccount, the eks-pod-identity-agent on the node, the source role's permission to chain into the target role and the target role's trust";
    case Mechanism.Irsa:
      return "IRSA: check the ServiceAccount's role annotation, the role's trust policy and the OIDC provider in the role's account";
    case Mechanism.IrsaChained:
      return "IRSA with role chaining: check the ServiceAccount's annotation (the source role), the source role's trust and account A's OIDC provider, the SDK config file's profiles, the source role's permission to assume the target role and the target role's trust";
    default:
      return assertNever(mechanism, "mechanism");
  }
}

/** What to check when the pod runs as another identity, in the words of the mechanism in use. */
function wrongIdentityHint(mechanism: Mechanism): string {
  switch (mechanism) {
    case Mechanism.PodIdentity:
      return "does the association for this ServiceAccount name that role as its target role, and does the ServiceAccount carry no eks.amazonaws.com/role-arn annotation?";
    case Mechanism.Irsa:
      return "is the ServiceAccount annotated with that role, and was the pod created after the annotation?";
    case Mechanism.IrsaChained:
      return "does AWS_PROFILE select the chained profile whose role_arn is that role? An SDK that reads the webhook's AWS_ROLE_ARN before AWS_PROFILE (Java v2, Kotlin, Go v2) stays the source role";
    default:
      return assertNever(mechanism, "mechanism");
  }
}

/**
 * The check (POSIX sh). Inputs come from the environment (`EXPECTED_ROLE_ARN`, `S3_BUCKET`,
 * `S3_OBJECT_KEY`, `CREDENTIALS_WAIT_SECONDS`, `CREDENTIALS_RETRY_SECONDS`), never spliced into the
 * script, so no value can inject shell code:
 * 0. EKS injected the mechanism's credentials at admission (IRSA: a web identity token and role;
 *    Pod Identity: the agent's endpoint); if not, it fails at once (stage `sts`): this pod can never
 *    get them, and the Job's next attempt is a new pod, admitted again;
 * 1. `aws sts get-caller-identity`: the pod has AWS credentials at all, asked again every
 *    `CREDENTIALS_RETRY_SECONDS` for up to `CREDENTIALS_WAIT_SECONDS` (unset: once), so that a role,
 *    trust or permission IAM has not propagated yet does not fail the check;
 * 2. the caller is a session of the expected role (`role_matches`);
 * 3. `aws s3 cp s3://bucket/key -` streams the object (only its size is kept).
 * It prints one JSON line ({@link AccessCheckResult}) and writes it to the termination message, then
 * exits 0 on success and 1 on any failure, with the reason in the JSON.
 *
 * @internal exported for the tests only
 */
export function buildAccessCheckScript(options: AccessCheckScriptOptions): string {
  const resultPath = options.resultPath ?? TERMINATION_MESSAGE_PATH;
  const mechanism = options.mechanism;
  return [
    "set -u",
    `result_path=${shellQuote(resultPath)}`,
    'scratch="${TMPDIR:-/tmp}"',
    "json_str() {",
    "  printf '\"%s\"' \"$(printf '%s' \"$1\" | tr -d '\\000-\\037' | sed -e 's/\\\\/\\\\\\\\/g' -e 's/\"/\\\\\"/g')\"",
    "}",
    ROLE_MATCHES_SHELL_FUNCTION,
    'caller_arn=""',
    "bytes=null",
    "finish() {",
    '  line=$(printf \'{"ok":%s,"stage":%s,"reason":%s,"expectedRoleArn":%s,"callerArn":%s,"bucket":%s,"key":%s,"bytes":%s}\' \\',
    '    "$1" "$(json_str "$2")" "$(json_str "$3")" "$(json_str "$EXPECTED_ROLE_ARN")" "$(json_str "$caller_arn")" \\',
    '    "$(json_str "$S3_BUCKET")" "$(json_str "$S3_OBJECT_KEY")" "$bytes")',
    "  printf '%s\\n' \"$line\"",
    '  printf \'%s\\n\' "$line" >"$result_path" 2>/dev/null || :',
    '  if [ "$1" = true ]; then exit 0; fi',
    "  exit 1",
    "}",
    `if ! ${injectionCheckShell(mechanism)}; then`,
    `  finish false sts ${shellQuote(`${notInjectedReason(mechanism)}; the Job's next attempt is a new pod`)}`,
    "fi",
    "waited=0",
    "while ! out=$(aws sts get-caller-identity --query Arn --output text 2>&1); do",
    '  if [ "$waited" -ge "${CREDENTIALS_WAIT_SECONDS:-0}" ]; then',
    `    finish false sts "no AWS credentials after \${waited}s: aws sts get-caller-identity failed (${noCredentialsHint(mechanism)}): $(printf '%s' "$out" | tail -c 1000)"`,
    "  fi",
    '  sleep "${CREDENTIALS_RETRY_SECONDS:-5}"',
    "  waited=$((waited + ${CREDENTIALS_RETRY_SECONDS:-5}))",
    "done",
    "caller_arn=$(printf '%s' \"$out\" | tr -d '[:space:]')",
    'if ! role_matches "$EXPECTED_ROLE_ARN" "$caller_arn"; then',
    `  finish false identity "the pod runs as $caller_arn, not as a session of $EXPECTED_ROLE_ARN (${wrongIdentityHint(mechanism)})"`,
    "fi",
    'bytes=$( { aws s3 cp "s3://$S3_BUCKET/$S3_OBJECT_KEY" - 2>"$scratch/s3.err"; echo $? >"$scratch/s3.status"; } | wc -c | tr -d "[:space:]")',
    'if [ "$(cat "$scratch/s3.status")" != 0 ]; then',
    "  bytes=null",
    '  finish false s3 "reading s3://$S3_BUCKET/$S3_OBJECT_KEY as $caller_arn failed: $(tail -c 1000 "$scratch/s3.err")"',
    "fi",
    'finish true done "read $bytes bytes of s3://$S3_BUCKET/$S3_OBJECT_KEY as $caller_arn"',
    "",
  ].join("\n");
}

/**
 * The check's pod spec: restartPolicy Never, non-root, read-only root, result in the termination message.
 *
 * @internal exported for the tests only
 */
export function buildAccessCheckPodSpec(settings: AccessCheckSettings): k8s.types.input.core.v1.PodSpec {
  return {
    serviceAccountName: settings.serviceAccountName,
    restartPolicy: "Never",
    securityContext: buildPodSecurityContext({ runAsUser: settings.runAsUser, fsGroup: settings.fsGroup }),
    containers: [
      {
        name: "access-check",
        image: settings.image,
        command: ["/bin/sh", "-c", buildAccessCheckScript({ mechanism: settings.mechanism })],
        env: buildAwsCliEnv(settings.region, [
          ["EXPECTED_ROLE_ARN", settings.expectedRoleArn],
          ["S3_BUCKET", settings.bucketName],
          ["S3_OBJECT_KEY", settings.objectKey],
          ["CREDENTIALS_WAIT_SECONDS", String(CREDENTIALS_WAIT_SECONDS)],
          ["CREDENTIALS_RETRY_SECONDS", String(CREDENTIALS_RETRY_SECONDS)],
          ...(settings.podCredentials?.env ?? []).map((e): [string, string] => [e.name, e.value]),
        ]),
        terminationMessagePath: TERMINATION_MESSAGE_PATH,
        terminationMessagePolicy: "FallbackToLogsOnError",
        resources: buildAwsCliResources(),
        securityContext: buildContainerSecurityContext(),
        volumeMounts: [buildScratchVolumeMount(), ...(settings.podCredentials?.volumeMounts ?? [])],
      },
    ],
    volumes: [buildScratchVolume(), ...(settings.podCredentials?.volumes ?? [])],
  };
}

/** The Job's spec (without the TTL when none is set). */
export function buildAccessCheckJobSpec(settings: AccessCheckSettings): k8s.types.input.batch.v1.JobSpec {
  const labels = workloadLabels(settings.name);
  const spec: k8s.types.input.batch.v1.JobSpec = {
    backoffLimit: settings.backoffLimit,
    activeDeadlineSeconds: settings.activeDeadlineSeconds,
    template: {
      metadata: {
        labels,
        annotations: podTemplateAnnotations(settings.expectedRoleArn, settings.associationArn),
      },
      spec: buildAccessCheckPodSpec(settings),
    },
  };
  if (settings.ttlSecondsAfterFinished !== undefined)
    spec.ttlSecondsAfterFinished = settings.ttlSecondsAfterFinished;
  return spec;
}

/**
 * The Job's name: `<name>-<first 10 hex digits of the SHA-256 of the spec>`, the TTL left out (it
 * can change in place). Any change to what the check does (role, bucket, key, image, region,
 * ServiceAccount, identity, limits, mechanism, Pod Identity association, the script itself) gives a new name, so Pulumi replaces the Job
 * and the check runs again; unchanged inputs give the same name, so there is never a spurious diff.
 * (A Job's pod template is immutable in Kubernetes: changing it in place is impossible anyway.)
 *
 * @internal exported for the tests only
 */
export function accessCheckJobName(settings: AccessCheckSettings): string {
  const spec = buildAccessCheckJobSpec({ ...settings, ttlSecondsAfterFinished: undefined });
  const hash = createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, JOB_NAME_HASH_LENGTH);
  return `${settings.name}-${hash}`;
}

/**
 * A Kubernetes Job that proves the cross-account chain end to end: it runs as the ServiceAccount
 * (IRSA: annotated with the role; EKS Pod Identity: associated with the source and target roles),
 * checks that STS sees it as a session of the expected role, and reads the object from account B's
 * bucket. Its one-line JSON result (`AccessCheckResult`) is in the pod's
 * termination message and logs.
 *
 * Pulumi's Kubernetes provider waits for a Job to complete and fails the update when the Job fails
 * (after `backoffLimit` retries or `activeDeadlineSeconds`), so a broken chain fails the deploy with
 * the reason in the pod's termination message. The retries and the in-pod wait for credentials are
 * what make a first deploy converge: associations, annotations and IAM changes take effect seconds
 * after the API calls that make them return. The Job is named after a hash of its spec, so
 * changing the role, bucket, key, image (or anything else the check does) replaces it: the new Job
 * runs and must pass, then the old one is deleted.
 *
 * The Kubernetes provider comes from the component's options (`providers: { kubernetes }`).
 */
export class AccessCheckJob extends pulumi.ComponentResource {
  /** Name of the Job (`<name>-<hash>`). */
  public readonly name: pulumi.Output<string>;
  /** Namespace of the Job. */
  public readonly namespace: pulumi.Output<string>;

  constructor(name: string, args: AccessCheckJobArgs, opts?: pulumi.ComponentResourceOptions) {
    validateAccessCheckJobArgs(args);
    super("cross-account-irsa:index:AccessCheckJob", name, {}, opts);

    const settings = pulumi.output(args).apply((plain) => resolveAccessCheckSettings(plain));
    const job = new k8s.batch.v1.Job(
      name,
      {
        metadata: {
          name: settings.apply(accessCheckJobName),
          namespace: settings.namespace,
          labels: settings.apply((s) => workloadLabels(s.name)),
          annotations: { [REPLACE_UNREADY_ANNOTATION]: "true" },
        },
        spec: settings.apply(buildAccessCheckJobSpec),
      },
      { parent: this },
    );

    this.name = job.metadata.name;
    this.namespace = job.metadata.namespace;
    this.registerOutputs({ name: this.name, namespace: this.namespace });
  }
}

/** Single-quotes a string for POSIX sh. */
function shellQuote(value: string): string {
  return `'${value.split("'").join("'\\''")}'`;
}
