/**
 * Placeholders the offline engine answers with, in a module of their own: the plan's pure code uses
 * them without loading the Pulumi SDK (mockEngine.ts does).
 */
import { createHash } from "node:crypto";

/** Placeholder account id when nothing pins one: clearly not a real account. */
export const PLACEHOLDER_ACCOUNT_ID = "000000000000";

/** A short, deterministic hex digest of the parts. */
export function digest(length: number, ...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, length);
}
