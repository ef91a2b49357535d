/**
 * ARN helpers the chain's shared links use. Pure.
 */
import { parseRoleArn } from "../components/validation";

/**
 * The partition of a role ARN, or undefined when there is none or it is no role ARN: never assumed
 * (a caller that needs it says it is unknown, and decides nothing on it).
 */
export function partitionOf(roleArn: string | undefined): string | undefined {
  if (roleArn === undefined) return undefined;
  try {
    return parseRoleArn("role", roleArn).partition;
  } catch {
    return undefined;
  }
}
