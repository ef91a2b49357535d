/**
 * The words of a program's failure, as the Pulumi runtime wraps them. No Pulumi import: callers that
 * only report errors do not load the SDK.
 */

/** The message of an error, without the Pulumi runtime's wrapping of a program's failure. */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .replace(/^Running program '[^']*' failed with an unhandled exception:\s*/, "")
    .replace(/^(error serializing property "[^"]*": )+/, "")
    .trim();
}
