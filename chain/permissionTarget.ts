/**
 * What the live permission checks (permission.ts, permissionKms.ts) share: the target they check,
 * the role's names as a resource policy sees them, and the request context of a read through S3.
 * Pure.
 */
import { roleArnParts } from "../components/arn";
import { type PolicyDocument } from "../components/policyDocument";
import { type Variant } from "./liveContext";
import { type RoleLiveFacts, type Unavailable } from "./snapshot";

/** What the permission checks need besides the live facts. */
export interface PermissionTarget {
  roleArn: string;
  bucket: string;
  key: string;
  /**
   * The role's identity policies (inline and attached), parsed; undefined entries did not parse.
   * Undefined when they could not be read: the checks that need them are skipped, the rest still run.
   */
  policies?: Array<PolicyDocument | undefined>;
  /** Facts that could not be read, and why: their checks are skipped with the reason. */
  unavailable?: Pick<Unavailable, "bucketPolicy" | "object" | "kmsKey">;
  /** The requests the role's sessions make (one per pod for Pod Identity): what AWS sets in each. */
  variants?: Variant[];
  /** The role's permissions boundary, when it has one (read, or why not). */
  boundary?: RoleLiveFacts["boundary"];
}

/** A request with no context known: every condition key undecided. */
export const UNKNOWN: Variant = { context: {}, keys: {} };

/**
 * The parts of a role ARN a resource policy may name the role by. {@link permissionLiveChecks} runs
 * the checks that read them only on a role ARN it could read: a partition or account is never assumed.
 */
export function roleNames(roleArn: string): { partition: string; account: string } {
  const parts = roleArnParts(roleArn);
  if (parts === undefined) throw new Error(`permission checks on ${roleArn}, which is no IAM role ARN`);
  return parts;
}

/** The request context a bucket or key policy sees when the role reads through S3. */
export function requestContext(t: PermissionTarget, account: string, extra: Record<string, string> = {}) {
  return {
    ...extra,
    "aws:SecureTransport": "true",
    "s3:TlsVersion": "1.2",
    "aws:PrincipalArn": t.roleArn,
    "aws:PrincipalAccount": account,
  };
}
