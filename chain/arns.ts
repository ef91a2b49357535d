/**
 * ARN helpers the chain's shared links use. Pure.
 */
import { parseRoleArn } from "../components/validation";

/** The partition of a role ARN; `aws` when it is no role ARN (the words of a fix only). */
export function partitionOf(roleArn: string): string {
  try {
    return parseRoleArn("role", roleArn).partition;
  } catch {
    return "aws";
  }
}
