/**
 * `npm run doctor`'s command line: its flags (node:util parseArgs, with the stack flags shared with
 * deploy/cli.ts), the usage text, and the parsed, validated arguments. Pure.
 */
import { parseArgs } from "node:util";
import {
  HELP_FLAG,
  STACK_FLAGS,
  STACK_FLAGS_USAGE,
  parseStackPair,
  type StackPair,
} from "../cli/shared/stacks";
import { InputError } from "../components/errors";
import { GRANT_KEY_RULE, isGrantKey } from "../stacks/grantsMode";
import { MECHANISMS, Mechanism, isMechanism } from "../components/mechanism";
import { mechanismModule } from "../mechanisms/registry";
import { parsePolicyRoleArn } from "../components/podIdentityPolicies";
import {
  validateBucketName,
  validateEksClusterName,
  validateNamespace,
  validateObjectKey,
  validateObjectName,
  validateRegion,
} from "../components/validation";

export { MECHANISMS, type Mechanism } from "../components/mechanism";

/**
 * The mechanism of a chain named with flags and no --mechanism: IRSA (documented in the usage text).
 * With the stacks, their `mechanism` output decides (mechanisms/compat.ts).
 */
export const DEFAULT_EXPLICIT_MECHANISM: Mechanism = Mechanism.Irsa;

/** Why `--assume` is refused with `mechanism` (undefined: it is not). */
export function assumeRefusal(mechanism: Mechanism): string | undefined {
  const why = mechanismModule(mechanism).doctorRefuses.assume;
  return why === undefined ? undefined : `--assume is not available with --mechanism ${mechanism}: ${why}`;
}

/** Exit codes: every check passed or skipped; a check failed or is undecided; a usage or credential error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The chain to diagnose, named explicitly or read from the stacks. */
export interface ChainInputs {
  /** IRSA's role, or Pod Identity's target role (account B). */
  roleArn: string;
  /**
   * Pod Identity: the source role expected in the association (--source-role-arn, or account-a's
   * sourceRoleArn output); undefined: the association's roleArn is taken as it is.
   */
  sourceRoleArn?: string;
  /** The mechanism the stacks deploy (account-a's `mechanism` output), when read from them. */
  mechanism?: Mechanism;
  clusterName: string;
  /** The cluster's region; undefined: the region of --profile-a (or AWS_REGION). */
  clusterRegion?: string;
  namespace: string;
  serviceAccount: string;
  bucket: string;
  /** The object the checks read ("" with {@link ChainInputs.noObject}). */
  key: string;
  /**
   * Why there is no object to read (a grant without a probe object): the chain is judged on every
   * link but the object read, which is skipped naming this, and nothing of the bucket is read.
   * @default undefined (the object `bucket`/`key` is read)
   */
  noObject?: string;
  /** The bucket's region, when known (account-b's `region` output). */
  bucketRegion?: string;
  /** A kubeconfig's content (account-a's `kubeconfig` output), used when --kubeconfig is not given. */
  kubeconfig?: string;
}

/** The parsed command line. */
export interface DoctorArgs {
  /** --mechanism; with an explicit chain irsa by default, from the stacks undefined (their output decides). */
  mechanism?: Mechanism;
  /** Where the chain's names come from. */
  source:
    | {
        kind: "stacks";
        stacks: StackPair;
        clusterRegion?: string;
        sourceRoleArn?: string;
        /** --grant: the one grant to judge (stacks in grants mode); undefined: every grant account-a binds. */
        grant?: string;
      }
    | { kind: "explicit"; chain: ChainInputs };
  /** AWS profiles of the cluster's account (A) and the role's (B); undefined: ambient credentials. */
  profiles: { a?: string; b?: string };
  /** How to reach the cluster; `enabled: false` with --no-cluster. */
  cluster: { enabled: boolean; kubeconfig?: string; context?: string };
  json: boolean;
  assume: boolean;
}

/** The outcome of parsing. */
export type ParsedDoctorArgs =
  { kind: "help" } | { kind: "run"; args: DoctorArgs } | { kind: "error"; message: string };

/** The flags that name the chain explicitly (all required together, instead of the stacks). */
const CHAIN_FLAGS = ["role-arn", "cluster", "namespace", "service-account", "bucket", "key"] as const;

const OPTIONS = {
  ...STACK_FLAGS,
  grant: { type: "string" },
  mechanism: { type: "string" },
  "role-arn": { type: "string" },
  "source-role-arn": { type: "string" },
  cluster: { type: "string" },
  "cluster-region": { type: "string" },
  namespace: { type: "string" },
  "service-account": { type: "string" },
  bucket: { type: "string" },
  key: { type: "string" },
  "profile-a": { type: "string" },
  "profile-b": { type: "string" },
  kubeconfig: { type: "string" },
  context: { type: "string" },
  "no-cluster": { type: "boolean" },
  json: { type: "boolean" },
  assume: { type: "boolean" },
  ...HELP_FLAG,
} as const;

/** The usage text `--help` prints. */
export const USAGE = `Usage: npm run doctor -- [options]

Diagnoses a live IRSA or EKS Pod Identity chain link by link against the real AWS APIs and the
cluster, and names the broken link and its fix. Read-only unless --assume is given.

The chain (from the stacks' outputs by default, through the Pulumi Automation API):
${STACK_FLAGS_USAGE}
  --grant <key>      stacks in grants mode (cross-account-irsa:grants): judge only this grant
                     (default: every grant account-a binds, one report section each)
or given explicitly (all six together; for a chain these stacks did not create):
  --role-arn <arn>          the IAM role the pods run as (account B): IRSA's annotated role, or Pod
                            Identity's target role
  --cluster <name>          the EKS cluster (account A)
  --cluster-region <region> the cluster's region (default: the region of --profile-a, or AWS_REGION)
  --namespace <ns>          the ServiceAccount's namespace
  --service-account <name>  the ServiceAccount
  --bucket <name>           the bucket the pods read
  --key <key>               an object the pods read
  --mechanism irsa|pod-identity   the mechanism (default: the stacks' mechanism output, else irsa)
  --source-role-arn <arn>   pod-identity: the source role the association must name (account A);
                            default: account-a's sourceRoleArn output with the stacks, else the
                            association's roleArn as it is

Credentials (default: the ambient AWS credentials for both; AWS_ENDPOINT_URL and the SDK's other
endpoint settings are honoured):
  --profile-a <profile>     AWS profile of the cluster's account (A)
  --profile-b <profile>     AWS profile of the role's account (B)

Cluster access:
  --kubeconfig <file>       kubeconfig (default: account-a's kubeconfig output with the stacks, else
                            KUBECONFIG or ~/.kube/config)
  --context <name>          kubeconfig context (default: its current context)
  --no-cluster              skip the Kubernetes side (reported as skipped, with what it would check)

Output and actions:
  --json                    print { "ok", "links": [...] } on stdout and nothing else there
                            (stacks in grants mode: { "ok", "mode", "grants": [...], ... }, docs/doctor.md)
  --assume                  irsa: also test end to end: a token from the TokenRequest API, then
                            sts:AssumeRoleWithWebIdentity with it, then reading the object
                            (not with pod-identity: see docs/doctor.md)
  -h, --help                show this help

Exit codes: 0 every check passed or was skipped; 1 a check failed or is undecided (warn), in
grants mode in any grant, or a grant has a dangling trust (a source role trusted by name that no
binding creates); 2 usage or credential error.`;

/**
 * Why `--assume` is refused with Pod Identity. A pod gets Pod Identity's credentials from the EKS Pod
 * Identity Agent, which sends the pod's projected token (audience pods.eks.amazonaws.com) to the EKS
 * Auth API's AssumeRoleForPodIdentity; AWS documents that API as used only by the agent, and EKS
 * then chains into the target role itself. No call a workstation makes does that exchange, so any
 * imitation (assuming the source role, then the target, with hand-made session tags) would test the
 * doctor's guess of EKS's behaviour, not the chain.
 */

/**
 * A role ARN flag: one role's ARN. '*' and '?' (wildcards in a policy) and '$' (a policy variable) are
 * refused with that reason, whether IAM would allow them in a path or not: the policies the doctor
 * evaluates would read them as a pattern, and the doctor would diagnose some other role.
 */
function roleArnFlag(flag: string, value: string): string {
  if (/[*?$]/.test(value)) {
    throw new InputError(
      flag,
      value,
      "must name one role: '*' and '?' are wildcards and '$' starts a policy variable in the policies the doctor " +
        "reads, not characters of a role's name",
    );
  }
  parsePolicyRoleArn(flag, value);
  return value;
}

/** Parses the command line (without `node` and the script). Never throws. */
export function parseDoctorArgs(argv: string[]): ParsedDoctorArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: false, strict: true, options: OPTIONS });
  } catch (error) {
    return { kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
  const v = parsed.values;
  if (v.help) return { kind: "help" };
  if (v.mechanism !== undefined && !isMechanism(v.mechanism)) {
    return { kind: "error", message: `--mechanism: "${v.mechanism}" is not one of ${MECHANISMS.join(", ")}` };
  }
  const given = CHAIN_FLAGS.filter((f) => v[f] !== undefined);
  // An explicit chain has nothing else to say which mechanism; the stacks have their `mechanism` output.
  const mechanism = v.mechanism ?? (given.length > 0 ? DEFAULT_EXPLICIT_MECHANISM : undefined);
  const profiles = {
    ...(v["profile-a"] !== undefined ? { a: v["profile-a"] } : {}),
    ...(v["profile-b"] !== undefined ? { b: v["profile-b"] } : {}),
  };
  const noCluster = v["no-cluster"] ?? false;
  if (noCluster && (v.kubeconfig !== undefined || v.context !== undefined)) {
    return { kind: "error", message: "--no-cluster skips the cluster: drop --kubeconfig and --context" };
  }
  if (noCluster && v.assume) {
    return {
      kind: "error",
      message: "--assume needs the cluster (a token from its TokenRequest API): drop --no-cluster",
    };
  }
  const refusal = mechanism !== undefined && v.assume ? assumeRefusal(mechanism) : undefined;
  if (refusal !== undefined) return { kind: "error", message: refusal };
  if (
    mechanism !== undefined &&
    mechanismModule(mechanism).doctorRefuses.sourceRoleArn &&
    v["source-role-arn"] !== undefined
  ) {
    return {
      kind: "error",
      message: "--source-role-arn names Pod Identity's source role: add --mechanism pod-identity",
    };
  }
  let source: DoctorArgs["source"];
  try {
    // A role ARN with '*', '?' or '$' would be read as a pattern or a policy variable by the policies
    // the doctor evaluates it against (and names no one role): refused, as the builders refuse it.
    if (v["source-role-arn"] !== undefined) roleArnFlag("--source-role-arn", v["source-role-arn"]);
    if (v["cluster-region"] !== undefined) validateRegion("--cluster-region", v["cluster-region"]);
    if (given.length > 0) {
      if (v["stack-a"] !== undefined || v["stack-b"] !== undefined || v.grant !== undefined) {
        const stackFlag =
          v.grant !== undefined ? "--grant selects a grant of" : "--stack-a/--stack-b read the chain from";
        return {
          kind: "error",
          message: `${stackFlag} the stacks; --${given[0]} names it explicitly: use one or the other`,
        };
      }
      const missing = CHAIN_FLAGS.filter((f) => v[f] === undefined);
      if (missing.length > 0) {
        return {
          kind: "error",
          message: `an explicit chain needs all of --${CHAIN_FLAGS.join(", --")}: missing --${missing.join(", --")}`,
        };
      }
      const roleArn = v["role-arn"]!;
      roleArnFlag("--role-arn", roleArn);
      source = {
        kind: "explicit",
        chain: {
          roleArn,
          ...(v["source-role-arn"] !== undefined ? { sourceRoleArn: v["source-role-arn"] } : {}),
          clusterName: validateEksClusterName("--cluster", v.cluster),
          ...(v["cluster-region"] !== undefined ? { clusterRegion: v["cluster-region"] } : {}),
          namespace: validateNamespace("--namespace", v.namespace),
          serviceAccount: validateObjectName("--service-account", v["service-account"]),
          bucket: validateBucketName("--bucket", v.bucket),
          key: validateObjectKey("--key", v.key),
        },
      };
    } else {
      const pair = parseStackPair(v);
      if (!pair.ok) return { kind: "error", message: pair.message };
      if (v.grant !== undefined && !isGrantKey(v.grant)) {
        return { kind: "error", message: `--grant: "${v.grant}" is not a grant key: it ${GRANT_KEY_RULE}` };
      }
      source = {
        kind: "stacks",
        stacks: pair.stacks,
        ...(v["cluster-region"] !== undefined ? { clusterRegion: v["cluster-region"] } : {}),
        ...(v["source-role-arn"] !== undefined ? { sourceRoleArn: v["source-role-arn"] } : {}),
        ...(v.grant !== undefined ? { grant: v.grant } : {}),
      };
    }
  } catch (error) {
    return { kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
  return {
    kind: "run",
    args: {
      ...(mechanism !== undefined ? { mechanism } : {}),
      source,
      profiles,
      cluster: {
        enabled: !noCluster,
        ...(v.kubeconfig !== undefined ? { kubeconfig: v.kubeconfig } : {}),
        ...(v.context !== undefined ? { context: v.context } : {}),
      },
      json: v.json ?? false,
      assume: v.assume ?? false,
    },
  };
}
