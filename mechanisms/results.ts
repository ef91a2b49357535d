/**
 * The words of a failed chain check, with its link's number and title from its mechanism's chain,
 * and the error a program throws for a chain broken before it registers anything. Pure.
 */
import { failures, type ChainCheckResult } from "../chain/result";
import { linkOf } from "./registry";

/** One line for a failed check: the link (number and title in its mechanism's chain), the check, what was found, the fix. */
export function describeFailure(result: ChainCheckResult): string {
  const link = linkOf(result.link, result.mechanism);
  return (
    `link ${link.number} broken (${link.title}): ${result.check}: ${result.detail}.` +
    (result.fix ? ` Fix: ${result.fix}.` : "")
  );
}

/**
 * A chain that is broken where a program can see it before it registers anything: the failed checks,
 * each with its link and fix.
 */
export class ChainError extends Error {
  constructor(
    /** Where the chain was checked, e.g. "account-a, before registering". */
    public readonly where: string,
    public readonly results: ChainCheckResult[],
  ) {
    super(`${where}: ${results.map((r) => describeFailure(r)).join(" ")}`);
    this.name = "ChainError";
  }
}

/** Throws a {@link ChainError} when any check failed. */
export function assertChain(where: string, results: readonly ChainCheckResult[]): void {
  const failed = failures(results);
  if (failed.length > 0) throw new ChainError(where, failed);
}
