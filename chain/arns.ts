/**
 * ARN helpers the chain's shared links use. Pure.
 */
import { parseRoleArn } from "../components/validation";

/**
 * The partition of a role ARN, or undefined when there is none or it is no role ARN: never assumed
 * (a caller that needs it says it is unknown, and decides nothing on it). "Each AWS account is scoped
 * to one partition" (IAM User Guide, "Identify AWS resources with Amazon Resource Names (ARNs)",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html), so the role's partition is
 * that of everything in its account, the bucket the permission link reads included.
 */
export function partitionOf(roleArn: string | undefined): string | undefined {
  if (roleArn === undefined) return undefined;
  try {
    return parseRoleArn("role", roleArn).partition;
  } catch {
    return undefined;
  }
}
