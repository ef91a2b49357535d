/**
 * The access check's result contract, shared by the Job that writes it (`accessCheckJob.ts`) and the
 * tools that read it (`deploy/verify.ts`). Pure: no Pulumi package is imported here, so a reader
 * of results does not load the Pulumi SDK.
 */
import { InputError } from "./errors";
import { parseRoleArn, type RoleArnParts } from "./validation";

/** The JSON line the check prints and writes to its termination message. */
export interface AccessCheckResult {
  /** True when the pod ran as the expected role and read the object. */
  ok: boolean;
  /** Where it stopped: `sts` (no credentials), `identity` (wrong role), `s3` (read failed), or `done`. */
  stage: "sts" | "identity" | "s3" | "done";
  /** What happened, in words (the AWS CLI's error for a failure). */
  reason: string;
  expectedRoleArn: string;
  /** The identity STS reported; empty when the STS call failed. */
  callerArn: string;
  bucket: string;
  key: string;
  /** Bytes read; null unless the read succeeded. */
  bytes: number | null;
}

const STAGES: ReadonlyArray<AccessCheckResult["stage"]> = ["sts", "identity", "s3", "done"];

/**
 * True when `callerArn` (what `aws sts get-caller-identity` reports) is a session of the role
 * `expectedRoleArn`: role `arn:P:iam::ACCT:role/<path/>NAME` ↔ `arn:P:sts::ACCT:assumed-role/NAME/SESSION`
 * (STS drops the role's path), same partition, account and name, one non-empty session segment.
 * False for anything else, including a malformed expected ARN. The check script's `role_matches`
 * shell function implements the same comparison.
 */
export function assumedRoleMatches(expectedRoleArn: string, callerArn: string): boolean {
  let role: RoleArnParts;
  try {
    role = parseRoleArn("expectedRoleArn", expectedRoleArn);
  } catch {
    return false;
  }
  const prefix = `arn:${role.partition}:sts::${role.accountId}:assumed-role/${role.roleName}/`;
  if (typeof callerArn !== "string" || !callerArn.startsWith(prefix)) return false;
  const session = callerArn.slice(prefix.length);
  return session.length > 0 && !session.includes("/");
}

/**
 * The shell twin of {@link assumedRoleMatches} (POSIX sh): `role_matches EXPECTED CALLER` returns 0
 * on a match. Patterns are quoted, so nothing in the ARNs is taken as a glob.
 */
export const ROLE_MATCHES_SHELL_FUNCTION: string = [
  "role_matches() {",
  '  case "$1" in arn:*:iam::*:role/*) ;; *) return 1 ;; esac',
  "  _partition=${1#arn:}; _partition=${_partition%%:*}",
  '  _rest=${1#arn:"$_partition":iam::}; _account=${_rest%%:*}',
  "  _name=${1##*/}",
  '  _want="arn:$_partition:sts::$_account:assumed-role/$_name/"',
  '  case "$2" in "$_want"*) ;; *) return 1 ;; esac',
  '  _session=${2#"$_want"}',
  '  case "$_session" in ""|*/*) return 1 ;; esac',
  "  return 0",
  "}",
].join("\n");

/**
 * Parses the check's result (the termination message or the last log line). Throws an
 * `InputError` when the text is not such a result: every field of {@link AccessCheckResult} with
 * its type, a known stage, and `ok` exactly when the stage is `done`.
 */
export function parseAccessCheckResult(text: string): AccessCheckResult {
  if (typeof text !== "string") {
    throw new InputError("accessCheckResult", text, "must be the access check's one-line JSON result");
  }
  const line = text.trim().split("\n").pop() ?? "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new InputError("accessCheckResult", text, "must be the access check's one-line JSON result");
  }
  const r = parsed as Partial<AccessCheckResult> | null;
  if (
    r === null ||
    typeof r !== "object" ||
    Array.isArray(r) ||
    typeof r.ok !== "boolean" ||
    typeof r.stage !== "string" ||
    !STAGES.includes(r.stage) ||
    r.ok !== (r.stage === "done") ||
    typeof r.reason !== "string" ||
    typeof r.expectedRoleArn !== "string" ||
    typeof r.callerArn !== "string" ||
    typeof r.bucket !== "string" ||
    typeof r.key !== "string" ||
    !(r.bytes === null || typeof r.bytes === "number")
  ) {
    throw new InputError("accessCheckResult", text, "must be the access check's one-line JSON result");
  }
  return parsed as AccessCheckResult;
}
