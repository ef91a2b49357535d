/**
 * Reading a stack's configuration: the values of one namespace as the programs see them, the raw
 * text Pulumi stores, the keys that are set, and the checks every key goes through (unknown keys
 * are errors that name the key meant). The programs read `pulumi.runtime.allConfig()`, the offline
 * plan and the tests a parsed stack file: the same semantics either way. Pure.
 */
import { InputError } from "../components/errors";

/** The project's config namespace (`Pulumi.yaml` `name`). */
export const PROJECT = "cross-account-irsa";

/** Reads one config value, already parsed from JSON where Pulumi stores objects as JSON. */
export type ConfigGetter = (key: string) => unknown;

/** A stack's configuration, by namespace (`cross-account-irsa`, `aws`). */
export interface StackSettings {
  /**
   * The project's values: lists and objects parsed from the JSON Pulumi stores them as, every other
   * value the text Pulumi stores (numbers and booleans included), undefined when unset or empty.
   */
  get: ConfigGetter;
  /** The `aws:` values, likewise. */
  getAws: ConfigGetter;
  /** The text Pulumi stores for a key, unparsed. */
  raw(namespace: string, key: string): string | undefined;
  /** The keys set in a namespace. */
  keys(namespace: string): string[];
  /** Whether a key's value is a secret (never shown in an error). */
  isSecret(namespace: string, key: string): boolean;
}

/**
 * The settings of a stack over its flat config map (`<namespace>:<key>` → the string Pulumi
 * stores), and the keys that are secret.
 */
export function configGetters(
  all: Record<string, string>,
  secretKeys: readonly string[] = [],
): StackSettings {
  const raw = (namespace: string, key: string): string | undefined => all[`${namespace}:${key}`];
  const getter =
    (namespace: string): ConfigGetter =>
    (key) => {
      const text = raw(namespace, key);
      // Pulumi stores a value left empty (`key:`, `~`, `null`) as "": unset, as when the key is absent.
      if (text === undefined || text === "") return undefined;
      // Pulumi stores lists and maps as JSON and every scalar as its text (a number's digits, `true`,
      // a string as is): `roleName: "12345"` and `roleName: 12345` are both the text 12345, which is
      // what `Config.get` returns, so a string setting is read as text and never parsed as JSON.
      if (text.startsWith("{") || text.startsWith("[")) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return text;
        }
      }
      return text;
    };
  return {
    get: getter(PROJECT),
    getAws: getter("aws"),
    raw,
    keys: (namespace) =>
      Object.keys(all)
        .filter((k) => k.startsWith(`${namespace}:`))
        .map((k) => k.slice(namespace.length + 1)),
    isSecret: (namespace, key) => secretKeys.includes(`${namespace}:${key}`),
  };
}

/**
 * Refuses an empty `cross-account-irsa:grants` by name: `grants:` with no value (stored as "") is not
 * a list of grants, and reading it as unset would run the stack in single-grant mode unasked.
 */
export function refuseEmptyGrants(settings: StackSettings): void {
  if (settings.raw(PROJECT, "grants") !== "") return;
  throw new InputError(
    key("grants"),
    "",
    'is empty (Pulumi stores `grants:` with no value as ""): grants mode needs a non-empty list of grants; ' +
      "list the grants, or remove the key to run the stack in single-grant mode",
  );
}

/**
 * Refuses `cross-account-irsa:grants` set as a secret: errors quote the values they refuse, so a
 * secret list would leak into them; nothing in a grant (keys, names, ARNs) is secret.
 */
export function refuseSecretGrants(settings: StackSettings): void {
  if (!settings.isSecret(PROJECT, "grants")) return;
  throw new InputError(
    key("grants"),
    "[secret]",
    "must not be a secret: errors quote the values they refuse, and a grant holds keys, names and ARNs, none of them secret",
  );
}

/** A setting that must be set and is not: "<key> is not set: <why>", never "undefined is invalid". */
export function notSet(field: string, why: string): InputError {
  return new InputError(field, undefined, why, `${field} is not set: ${why}`);
}

/** The project key as the user writes it: `cross-account-irsa:<key>`. */
export const key = (k: string): string => `${PROJECT}:${k}`;

/** Edit distance between two words (insertions, deletions, substitutions, adjacent swaps). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** The known key an unknown one most likely meant (case, a typo, a missing plural), if any. */
export function closestKey(unknown: string, known: readonly string[]): string | undefined {
  const lower = unknown.toLowerCase();
  const ranked = known
    .map((k) => ({ k, d: distance(lower, k.toLowerCase()) }))
    .filter(({ k, d }) => d <= Math.max(2, Math.floor(k.length / 4)))
    .sort((x, y) => x.d - y.d || (x.k < y.k ? -1 : 1));
  return ranked[0]?.k;
}

/**
 * Refuses every key of the namespace the program does not read: a misspelt key would otherwise be
 * ignored silently (`prefix` for `prefixes` would grant the whole bucket). The error names the key,
 * the key it probably meant, and whether the other stack's program reads it.
 */
export function checkKnownKeys(
  settings: StackSettings,
  namespace: string,
  reader: string,
  known: readonly string[],
  otherProgram?: { name: string; keys: readonly string[] },
): void {
  for (const k of settings.keys(namespace).sort()) {
    if (known.includes(k)) continue;
    const field = `${namespace}:${k}`;
    const value = settings.isSecret(namespace, k) ? "[secret]" : (settings.raw(namespace, k) ?? "");
    if (otherProgram?.keys.includes(k)) {
      throw new InputError(
        field,
        value,
        `is a setting of the ${otherProgram.name} program; ${reader} does not read it (is it in the right stack file?)`,
      );
    }
    const meant = closestKey(k, known);
    throw new InputError(
      field,
      value,
      `is not a setting of ${reader}${meant ? `: did you mean ${namespace}:${meant}?` : ""} ` +
        `(known: ${known.join(", ")})`,
    );
  }
}

/** A stored text as shown in an error: JSON (a number, a boolean, a list) as such, other text quoted. */
function asWritten(text: string): unknown {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === "string" ? text : v;
  } catch {
    return text;
  }
}

/** An optional string setting (`undefined` when unset or empty). */
export function optionalString(get: ConfigGetter, k: string): string | undefined {
  const v = get(k);
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw new InputError(key(k), v, "must be a string");
  return v;
}

/** An optional boolean setting. */
export function optionalBoolean(get: ConfigGetter, k: string, fallback: boolean): boolean {
  const v = get(k);
  if (v === undefined || v === null) return fallback;
  if (v === "true" || v === "false") return v === "true";
  throw new InputError(key(k), v, "must be true or false");
}

/**
 * An optional whole-number setting, from the text Pulumi stores: digits only, so `[3600]`, `"3.6e3"`
 * or `true` are refused as written rather than coerced to a number.
 */
export function optionalInteger(
  settings: StackSettings,
  k: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = settings.raw(PROJECT, k);
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new InputError(key(k), asWritten(text), `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** An optional object setting (`{}` when unset). */
export function object(k: string, v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw new InputError(k, v, "must be an object");
  return v as Record<string, unknown>;
}

/** Refuses a field of an object setting that is not one of `allowed`. */
export function onlyKeys(k: string, o: Record<string, unknown>, allowed: string[]): void {
  for (const name of Object.keys(o)) {
    if (!allowed.includes(name)) {
      const meant = closestKey(name, allowed);
      throw new InputError(
        `${k}.${name}`,
        o[name],
        `is not a known setting${meant ? `: did you mean ${k}.${meant}?` : ""} (known: ${allowed.join(", ")})`,
      );
    }
  }
}
