/**
 * `npm run verify`: reads the access-check Job's result from account A's cluster and explains a
 * failure by the chain link it points to (the link and its fixes come from chain/).
 */
import * as path from "node:path";
import {
  type AccessCheckResult,
  assumedRoleMatches,
  parseAccessCheckResult,
} from "../components/accessCheckResult";
import { Mechanism, assertNever } from "../components/mechanism";
import { isRecord } from "../components/values";
import {
  SOURCE_OF_MECHANISM,
  containerEnvironment,
  credentialIssues,
  credentialPathOf,
  describeSource,
  type CredentialPath,
} from "../components/credentialPath";
import { exportedMechanism } from "../mechanisms/compat";
import { diagnose, diagnosisLine } from "../mechanisms/diagnose";
import type { AccessCheckRef, CheckRef, Diagnosis } from "../mechanisms/diagnosis";

export type { AccessCheckRef, CheckRef, Diagnosis };
import { type CommandRunner, type FileSystem, isCommandNotFound } from "../cli/shared/system";
import type { StackOutputs } from "../cli/shared/workspace";

/** What `verify` reads from account-a's outputs, or why it cannot. */
export type VerifyInputs =
  { ok: true; check: AccessCheckRef; kubeconfig: string } | { ok: false; reason: string };

/** The access-check result found on one pod of the Job, or the pod's state when it has none. */
export interface PodReport {
  podName: string;
  /** The pod phase: Pending, Running, Succeeded, Failed, Unknown. */
  phase: string;
  createdAt?: string;
  result?: AccessCheckResult;
  /** Why the container is not running yet (e.g. ImagePullBackOff), when it is waiting. */
  waitingReason?: string;
  /** The raw termination message when it was not a result. */
  rawMessage?: string;
  /**
   * The credentials the pod's environment selects (its spec after admission, where the IRSA webhook
   * and EKS Pod Identity add their variables), when the pod list carries the spec.
   */
  credentials?: CredentialPath;
}

/** The pods of the access-check Job. */
export interface JobPods {
  /** How many pods the Job has. */
  count: number;
  /** The newest pod with a result, else the newest pod. */
  chosen?: PodReport;
}

/** Reads the access-check reference and the kubeconfig from account-a's outputs. */
export function readVerifyInputs(outputs: StackOutputs, stackA: string, resumeCommand: string): VerifyInputs {
  if (Object.keys(outputs).length === 0) {
    return {
      ok: false,
      reason: `${stackA} has no outputs: it was never deployed. Run \`${resumeCommand}\` first.`,
    };
  }
  const check = outputs.accessCheck?.value;
  if (check === undefined) {
    const workload = outputs.workload?.value;
    const why = typeof workload === "string" ? ` (its workload reports "${workload}")` : "";
    return {
      ok: false,
      reason:
        `${stackA} has no accessCheck output${why}: the workload part has not been deployed. ` +
        `Run \`${resumeCommand}\` (its third phase deploys the ServiceAccount and the access-check Job).`,
    };
  }
  if (!isRecord(check)) {
    return { ok: false, reason: `${stackA}'s accessCheck output is not an object: ${JSON.stringify(check)}` };
  }
  const fields = ["namespace", "jobName", "expectedRoleArn", "bucketName", "objectKey"] as const;
  const missing = fields.filter((f) => typeof check[f] !== "string" || check[f] === "");
  if (missing.length > 0) {
    return { ok: false, reason: `${stackA}'s accessCheck output lacks ${missing.join(", ")}` };
  }
  const kubeconfig = outputs.kubeconfig?.value;
  if (kubeconfig === undefined || kubeconfig === null || kubeconfig === "") {
    return { ok: false, reason: `${stackA} has no kubeconfig output, so the cluster cannot be reached` };
  }
  let mechanism: Mechanism;
  try {
    mechanism = exportedMechanism(`${stackA} output mechanism`, outputs.mechanism?.value);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const sa = outputs.serviceAccount?.value;
  return {
    ok: true,
    check: {
      namespace: String(check.namespace),
      jobName: String(check.jobName),
      expectedRoleArn: String(check.expectedRoleArn),
      bucketName: String(check.bucketName),
      objectKey: String(check.objectKey),
      mechanism,
      ...(isRecord(sa) && typeof sa.namespace === "string" && typeof sa.name === "string"
        ? { serviceAccount: { namespace: sa.namespace, name: sa.name } }
        : {}),
    },
    kubeconfig: typeof kubeconfig === "string" ? kubeconfig : JSON.stringify(kubeconfig),
  };
}

/**
 * Parses a termination message: the last line that {@link parseAccessCheckResult} accepts, so that
 * log lines before it (with `FallbackToLogsOnError`) do not matter. Undefined when there is none.
 *
 * @internal exported for the tests only
 */
export function parseTerminationMessage(message: string): AccessCheckResult | undefined {
  const lines = message.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i].trim() === "") continue;
    try {
      return parseAccessCheckResult(lines[i]);
    } catch {
      continue;
    }
  }
  return undefined;
}

/** The access check's container (components/accessCheckJob.ts names it so). */
const ACCESS_CHECK_CONTAINER = "access-check";

function podReport(pod: Record<string, unknown>): PodReport {
  const metadata = isRecord(pod.metadata) ? pod.metadata : {};
  const status = isRecord(pod.status) ? pod.status : {};
  const report: PodReport = {
    podName: typeof metadata.name === "string" ? metadata.name : "(unnamed)",
    phase: typeof status.phase === "string" ? status.phase : "Unknown",
    createdAt: typeof metadata.creationTimestamp === "string" ? metadata.creationTimestamp : undefined,
  };
  const spec = isRecord(pod.spec) ? pod.spec : undefined;
  const specContainers = Array.isArray(spec?.containers) ? spec.containers.filter(isRecord) : [];
  const checkContainer = specContainers.find((c) => c.name === ACCESS_CHECK_CONTAINER) ?? specContainers[0];
  if (checkContainer !== undefined) {
    const { env, envFrom } = containerEnvironment(checkContainer);
    report.credentials = credentialPathOf(env, envFrom);
  }
  const containers = Array.isArray(status.containerStatuses) ? status.containerStatuses.filter(isRecord) : [];
  for (const container of containers) {
    for (const which of ["state", "lastState"] as const) {
      const state = isRecord(container[which]) ? container[which] : {};
      const terminated = isRecord(state.terminated) ? state.terminated : undefined;
      const message = typeof terminated?.message === "string" ? terminated.message : undefined;
      if (message !== undefined) {
        const result = parseTerminationMessage(message);
        if (result) return { ...report, result };
        report.rawMessage ??= message.trim();
      }
      const waiting = isRecord(state.waiting) ? state.waiting : undefined;
      if (which === "state" && typeof waiting?.reason === "string") report.waitingReason ??= waiting.reason;
    }
  }
  return report;
}

/**
 * Reads `kubectl get pods -o json` output for the Job's pods and picks the newest pod that has a
 * result (the Job may have retried), else the newest pod.
 *
 * @internal exported for the tests only
 */
export function findJobResult(podListJson: string): JobPods {
  let parsed: unknown;
  try {
    parsed = JSON.parse(podListJson);
  } catch {
    throw new Error(`kubectl did not return JSON: ${podListJson.slice(0, 200)}`);
  }
  const items = isRecord(parsed) && Array.isArray(parsed.items) ? parsed.items.filter(isRecord) : [];
  const reports = items.map(podReport).sort((x, y) => (y.createdAt ?? "").localeCompare(x.createdAt ?? ""));
  return { count: reports.length, chosen: reports.find((r) => r.result) ?? reports[0] };
}

/** How the pod reached the object, in the words of `verify`'s OK line. */
function viaWords(mechanism: Mechanism): string {
  switch (mechanism) {
    case Mechanism.Irsa:
      return "its IRSA role";
    case Mechanism.PodIdentity:
      return "EKS Pod Identity (its target role)";
    case Mechanism.IrsaChained:
      return "IRSA with role chaining (its source role, then the target role)";
    default:
      return assertNever(mechanism, "mechanism");
  }
}

/**
 * The lines of the verify report for the chosen pod, and whether access works as intended.
 *
 * @internal exported for the tests only
 */
export function formatVerifyReport(check: AccessCheckRef, pods: JobPods): { ok: boolean; lines: string[] } {
  const job = `${check.namespace}/${check.jobName}`;
  const pod = pods.chosen;
  if (!pod) {
    return {
      ok: false,
      lines: [
        `access check: no pods found for Job ${job}. The Job may have been cleaned up (ttlSecondsAfterFinished) ` +
          "or not have run yet: run `npm run deploy` again to re-create it, then `npm run verify`.",
      ],
    };
  }
  const header = `access check (Job ${job}, pod ${pod.podName}, ${pod.phase}):`;
  const result = pod.result;
  if (!result) {
    const state = pod.waitingReason
      ? `its container is waiting (${pod.waitingReason})`
      : pod.rawMessage
        ? `it ended with a message that is not a result: ${pod.rawMessage.slice(0, 300)}`
        : "it has not finished yet";
    return {
      ok: false,
      lines: [header, `  no result: ${state}. Run \`npm run verify\` again once it has finished.`],
    };
  }
  const lines = [header];
  // The probe is the AWS CLI: the source it takes is boto3's (components/credentialPath.ts).
  const cli = pod.credentials?.bySdk["boto3 and the AWS CLI"];
  const expectedSource = SOURCE_OF_MECHANISM[check.mechanism];
  const undecided = pod.credentials?.undecided ?? [];
  if (pod.credentials !== undefined && undecided.length > 0) {
    lines.push(`  credentials:   undecided: ${undecided.join("; ")}`);
  } else if (pod.credentials !== undefined) {
    lines.push(
      `  credentials:   ${cli === undefined ? "none in the pod's environment" : describeSource(cli)} (the AWS CLI's choice)`,
    );
  }
  const matches = assumedRoleMatches(check.expectedRoleArn, result.callerArn);
  if (result.callerArn !== "") {
    lines.push(`  assumed role:  ${result.callerArn}`);
    lines.push(`  expected role: ${check.expectedRoleArn} (${matches ? "matches" : "DOES NOT MATCH"})`);
  }
  const problems = pod.credentials === undefined ? [] : credentialIssues(pod.credentials, expectedSource);
  const judged = result.ok && matches && pod.credentials !== undefined && undecided.length === 0;
  if (judged && (cli !== expectedSource || problems.length > 0)) {
    lines.push(
      cli !== expectedSource
        ? `  FAILED: the pod read the object, but through ${cli === undefined ? "no credentials of its environment" : describeSource(cli)}, ` +
            `not ${describeSource(expectedSource)} (${check.mechanism}'s): remove the other credentials from the pod`
        : `  FAILED: the pod read the object, but its environment breaks ${check.mechanism}'s path: ${problems.join("; ")}`,
    );
    lines.push("verify: FAILED");
    return { ok: false, lines };
  }
  if (result.ok && matches) {
    const object = `s3://${result.bucket || check.bucketName}/${result.key || check.objectKey}`;
    const bytes = result.bytes === null ? "" : ` (${result.bytes} bytes)`;
    lines.push(`  object read:   ${object}${bytes}`);
    const via = viaWords(check.mechanism);
    lines.push(`verify: OK, the pod in account A read the object in account B through ${via}.`);
    return { ok: true, lines };
  }
  lines.push(
    result.ok
      ? `  FAILED: the check passed for ${result.expectedRoleArn || "(no role)"}, but the pod is not a session of ${check.expectedRoleArn}`
      : `  FAILED at stage ${result.stage}: ${result.reason || "(no reason given)"}`,
  );
  lines.push(diagnosisLine(diagnose(result, check)));
  lines.push("verify: FAILED");
  return { ok: false, lines };
}

/**
 * Explains a failed `kubectl` run.
 *
 * @internal exported for the tests only
 */
export function kubectlFailure(stderr: string, code: number): string {
  if (/executable aws not found|"aws": executable file not found/i.test(stderr)) {
    return (
      "kubectl needs the AWS CLI for the kubeconfig's `aws eks get-token`: install it " +
      "(https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html) and run verify again."
    );
  }
  if (/Unauthorized|must be logged in|credentials|forbidden/i.test(stderr)) {
    return (
      "kubectl could not authenticate to the cluster: the AWS identity in use needs access to account A's " +
      `cluster (an EKS access entry or aws-auth mapping). kubectl said: ${stderr.trim().split("\n")[0]}`
    );
  }
  return `kubectl failed (exit ${code}): ${stderr.trim().split("\n").slice(0, 5).join(" ")}`;
}

/** What `verify` needs besides the outputs. */
export interface VerifyDeps {
  run: CommandRunner;
  fs: FileSystem;
  /** Directory for the temporary kubeconfig. */
  tmpDir: string;
}

/**
 * Reads the access-check Job's result from the cluster: writes the kubeconfig to a private temp file
 * (mode 0600, removed afterwards), lists the Job's pods with kubectl and reports the result.
 */
export async function runVerify(
  deps: VerifyDeps,
  check: AccessCheckRef,
  kubeconfig: string,
): Promise<{ ok: boolean; lines: string[] }> {
  const dir = deps.fs.makeTempDir(path.join(deps.tmpDir, "irsa-verify-"));
  const file = path.join(dir, "kubeconfig");
  try {
    deps.fs.writeFile(file, kubeconfig, 0o600);
    let result;
    try {
      result = await deps.run("kubectl", [
        "--kubeconfig",
        file,
        "get",
        "pods",
        "--namespace",
        check.namespace,
        "--selector",
        `job-name=${check.jobName}`,
        "--output",
        "json",
      ]);
    } catch (error) {
      if (isCommandNotFound(error)) {
        return {
          ok: false,
          lines: [
            "kubectl was not found on PATH: install it (https://kubernetes.io/docs/tasks/tools/) and run verify again.",
          ],
        };
      }
      throw error;
    }
    if (result.code !== 0) return { ok: false, lines: [kubectlFailure(result.stderr, result.code)] };
    return formatVerifyReport(check, findJobResult(result.stdout));
  } finally {
    deps.fs.remove(dir);
  }
}
