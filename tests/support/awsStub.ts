import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Runs a workload's shell script under the host's `/bin/sh` with a stub `aws` on the PATH, so the
 * script's logic (identity check, JSON result, exit codes) is tested without a cloud. The stub
 * answers `sts get-caller-identity` and `s3 cp` from `STUB_*` variables and records every call.
 */
export interface StubbedRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The argument lists the script passed to `aws`, one per call. */
  awsCalls: string[][];
  /** The seconds the script passed to `sleep`, one per call (only with a stubbed `sleep`). */
  sleeps: string[];
  /** Contents of the file the script was told to write its result to, if any. */
  resultFile?: string;
}

export interface StubOptions {
  /** What `aws sts get-caller-identity --query Arn --output text` prints. */
  callerArn?: string;
  /** Makes `aws sts get-caller-identity` fail with this message. */
  stsError?: string;
  /** With `stsError`: only the first this many calls fail, later ones answer `callerArn`. */
  stsFailures?: number;
  /** What `aws s3 cp s3://... -` streams. */
  object?: string;
  /** Makes `aws s3 cp` fail with this message. */
  s3Error?: string;
  /** Stub `sleep` so that it sends SIGTERM to the script (ends an endless loop after one round). */
  sleepTerminates?: boolean;
  /** Stub `sleep` so that it returns at once (a wait loop runs without waiting). */
  sleepInstant?: boolean;
}

const AWS_STUB = `#!/bin/sh
for a in "$@"; do printf '%s\\n' "$a" >> "$STUB_LOG"; done
printf '%s\\n' '--end--' >> "$STUB_LOG"
case "$1 $2" in
  "sts get-caller-identity")
    n=$(cat "$STUB_LOG.sts" 2>/dev/null || echo 0); echo $((n + 1)) > "$STUB_LOG.sts"
    if [ -n "\${STUB_STS_ERROR:-}" ] && { [ -z "\${STUB_STS_FAILURES:-}" ] || [ "$n" -lt "$STUB_STS_FAILURES" ]; }; then
      printf '%s\\n' "$STUB_STS_ERROR" >&2; exit 254
    fi
    printf '%s\\n' "$STUB_CALLER_ARN" ;;
  "s3 cp")
    if [ -n "\${STUB_S3_ERROR:-}" ]; then printf '%s\\n' "$STUB_S3_ERROR" >&2; exit 1; fi
    printf '%s' "$STUB_OBJECT" ;;
  *) printf 'stub aws: unexpected call: %s\\n' "$*" >&2; exit 2 ;;
esac
`;

const SLEEP_STUB = `#!/bin/sh
printf '%s\\n' "$1" >> "$STUB_LOG.sleep"
kill -TERM "$PPID"
`;

const SLEEP_INSTANT_STUB = `#!/bin/sh
printf '%s\\n' "$1" >> "$STUB_LOG.sleep"
`;

/**
 * Runs `script` with `env` (plus the stub's) in a fresh temporary directory, then removes it. A
 * function script gets that directory (to point a result file into it); `resultFileName` names the
 * file in it to read back. Asynchronous, so that several runs overlap (each forks a dozen processes).
 */
export async function runWithAwsStub(
  script: string | ((dir: string) => string),
  env: Record<string, string>,
  stub: StubOptions,
  resultFileName?: string,
): Promise<StubbedRun> {
  const dir = mkdtempSync(join(tmpdir(), "aws-stub-"));
  try {
    const bin = join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "aws"), AWS_STUB);
    chmodSync(join(bin, "aws"), 0o755);
    if (stub.sleepTerminates || stub.sleepInstant) {
      writeFileSync(join(bin, "sleep"), stub.sleepTerminates ? SLEEP_STUB : SLEEP_INSTANT_STUB);
      chmodSync(join(bin, "sleep"), 0o755);
    }
    const log = join(dir, "aws.log");
    writeFileSync(log, "");
    const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        "/bin/sh",
        ["-c", typeof script === "function" ? script(dir) : script],
        {
          env: {
            PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
            TMPDIR: dir,
            STUB_LOG: log,
            STUB_CALLER_ARN: stub.callerArn ?? "",
            STUB_STS_ERROR: stub.stsError ?? "",
            STUB_STS_FAILURES: stub.stsFailures === undefined ? "" : String(stub.stsFailures),
            STUB_OBJECT: stub.object ?? "",
            STUB_S3_ERROR: stub.s3Error ?? "",
            ...env,
          },
          encoding: "utf8",
          timeout: 10_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
          resolve({ status: code, stdout, stderr });
        },
      );
    });
    const awsCalls: string[][] = [];
    let current: string[] = [];
    for (const line of readFileSync(log, "utf8").split("\n")) {
      if (line === "--end--") {
        awsCalls.push(current);
        current = [];
      } else if (line !== "" || current.length > 0) {
        current.push(line);
      }
    }
    let sleeps: string[] = [];
    try {
      sleeps = readFileSync(`${log}.sleep`, "utf8")
        .split("\n")
        .filter((l) => l !== "");
    } catch {
      sleeps = [];
    }
    let resultFile: string | undefined;
    if (resultFileName !== undefined) {
      try {
        resultFile = readFileSync(join(dir, resultFileName), "utf8");
      } catch {
        resultFile = undefined;
      }
    }
    return {
      status: result.status,
      stdout: result.stdout,
      stderr: result.stderr,
      awsCalls,
      sleeps,
      resultFile,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
