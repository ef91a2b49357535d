/**
 * The one error type this package raises for bad input.
 *
 * Every message names the field, the offending value and the rule it breaks, so a user can fix the
 * input without reading the source: `<field>: <value> is invalid: <rule>`. Tests assert on these
 * messages: they are part of the public interface.
 */
export class InputError extends Error {
  /** Dotted path of the field that holds the bad value, e.g. `serviceAccounts[1].namespace`. */
  public readonly field: string;
  /** The bad value, exactly as received. */
  public readonly value: unknown;
  /** The rule the value breaks, in words. */
  public readonly rule: string;

  /**
   * @param message the full message, when the default `<field>: <value> is invalid: <rule>` does not
   *   read well (it must still name the field, the value and the rule).
   */
  constructor(field: string, value: unknown, rule: string, message?: string) {
    super(message ?? `${field}: ${describeValue(value)} is invalid: ${rule}`);
    this.name = "InputError";
    this.field = field;
    this.value = value;
    this.rule = rule;
  }
}

/**
 * The name {@link InputError} had up to 0.2.0, when IRSA was the only mechanism. The same class
 * (`instanceof` holds both ways); its `name` is now `"InputError"`.
 *
 * @deprecated Use {@link InputError}.
 */
export const IrsaInputError: typeof InputError = InputError;
/** @deprecated Use {@link InputError}. */
export type IrsaInputError = InputError;

/**
 * A policy document (or a role's documents together) over an IAM size quota. `size` and `limit`
 * are characters as IAM counts them (whitespace excluded), so a caller can restate the error in its
 * own terms (a config key instead of a component field) without parsing the message.
 */
export class PolicySizeError extends InputError {
  /** The document's size, in characters as IAM counts them. */
  public readonly size: number;
  /** The quota it exceeds. */
  public readonly limit: number;

  constructor(field: string, value: unknown, size: number, limit: number, message: string) {
    super(field, value, `policy size ${size} exceeds the limit of ${limit}`, message);
    this.name = "PolicySizeError";
    this.size = size;
    this.limit = limit;
  }
}

/** Renders a value for an error message: JSON (strings quoted), cut at 200 characters. */
export function describeValue(value: unknown): string {
  let text: string | undefined;
  try {
    // JSON would write NaN and the infinities as null: a message must show the value received.
    text = JSON.stringify(value, (_, v: unknown) =>
      typeof v === "number" && !Number.isFinite(v) ? `__nonfinite__${String(v)}` : v,
    )?.replace(/"__nonfinite__(NaN|-?Infinity)"/g, "$1");
  } catch {
    text = undefined; // cyclic or BigInt
  }
  if (text === undefined) {
    text = typeof value === "undefined" ? "undefined" : `[${typeof value}]`;
  }
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/**
 * Restates an {@link InputError} raised by a pure builder in the caller's own terms: `fields`
 * maps the builder's field prefixes (e.g. `clusters`, `options.maxSize`) to the caller's (e.g.
 * `args.clusters`, `args.maxTrustPolicySize`), and `phrases` replaces other wording (e.g. a stack
 * config key a library user has no use for). Any other error is returned unchanged.
 */
export function restateError(
  error: unknown,
  fields: Readonly<Record<string, string>>,
  phrases: Readonly<Record<string, string>> = {},
): unknown {
  if (!(error instanceof InputError)) return error;
  const from = Object.keys(fields)
    .sort((a, b) => b.length - a.length)
    .find((f) => error.field === f || error.field.startsWith(`${f}.`) || error.field.startsWith(`${f}[`));
  const field = from === undefined ? error.field : fields[from] + error.field.slice(from.length);
  let message = error.message;
  for (const [old, now] of Object.entries(fields)) {
    const escaped = old.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    message = message.replace(new RegExp(`(?<![\\w.])${escaped}(?=[[.:\\s),]|$)`, "g"), now);
  }
  for (const [phrase, replacement] of Object.entries(phrases))
    message = message.split(phrase).join(replacement);
  if (field === error.field && message === error.message) return error;
  const restated =
    error instanceof PolicySizeError
      ? new PolicySizeError(field, error.value, error.size, error.limit, message)
      : new InputError(field, error.value, error.rule, message);
  const frames = (error.stack ?? "").split("\n").slice(1);
  restated.stack = [`${restated.name}: ${message}`, ...frames].join("\n");
  return restated;
}

/** Runs `build`, restating any {@link InputError} it raises (see {@link restateError}). */
export function inArgsTerms<T>(
  build: () => T,
  fields: Readonly<Record<string, string>>,
  phrases: Readonly<Record<string, string>> = {},
): T {
  try {
    return build();
  } catch (e) {
    throw restateError(e, fields, phrases);
  }
}
