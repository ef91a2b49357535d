/**
 * Placeholders the offline engine answers with, in a module of their own: the plan's pure code uses
 * them without loading the Pulumi SDK (mockEngine.ts does).
 */

/** Placeholder account id when nothing pins one: clearly not a real account. */
export const PLACEHOLDER_ACCOUNT_ID = "000000000000";
