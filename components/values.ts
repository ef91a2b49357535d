/**
 * The one "is it a plain object" check, for values read from JSON, YAML, stack outputs or the
 * Kubernetes API. Pure: no Pulumi or AWS package is imported. (Whether a component arg holds an
 * Output or a Promise is components/inputs.ts's `isPlain`.)
 */

/** True for a plain object: not null, not an array (what JSON calls an object). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
