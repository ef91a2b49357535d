/**
 * Reads a `Pulumi.<stack>.yaml` file into the flat form the Pulumi runtime takes: `<namespace>:<key>`
 * → string, with objects and lists as JSON (as `pulumi config` stores them). Secure values cannot be
 * decrypted offline: they are listed in `secretKeys` and replaced by a marker.
 */
import { readFileSync, statSync } from "node:fs";
import * as yaml from "js-yaml";

/** The largest stack file read, in bytes: far beyond any real one, small enough to parse at once. */
export const MAX_STACK_FILE_BYTES = 256 * 1024;
/**
 * The most values a stack file may expand to once YAML aliases are resolved. Aliases share one
 * object, so a 658-byte file can stand for 9^9 values (an alias bomb) that explode when the config
 * is turned into text; counting the expanded values first refuses such a file within milliseconds.
 */
export const MAX_STACK_FILE_VALUES = 100_000;

export interface StackConfig {
  config: Record<string, string>;
  secretKeys: string[];
}

/** The value a secure (encrypted) config entry gets offline. */
export const OFFLINE_SECRET = "[secret: not decrypted offline]";

/**
 * Parses YAML text of at most {@link MAX_STACK_FILE_BYTES} that expands to at most
 * {@link MAX_STACK_FILE_VALUES} values; `source` names the text in errors.
 */
export function loadYamlDocument(text: string, source: string): unknown {
  if (Buffer.byteLength(text, "utf8") > MAX_STACK_FILE_BYTES) {
    throw new Error(
      `${source}: larger than ${MAX_STACK_FILE_BYTES} bytes: not a stack file this project reads`,
    );
  }
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    throw new Error(`${source}: not valid YAML: ${(e as Error).message}`, { cause: e });
  }
  let values = 0;
  const count = (value: unknown): void => {
    if (++values > MAX_STACK_FILE_VALUES) {
      throw new Error(
        `${source}: expands to more than ${MAX_STACK_FILE_VALUES} values once its YAML aliases are resolved ` +
          "(an alias bomb?): refused",
      );
    }
    if (Array.isArray(value)) value.forEach(count);
    else if (value !== null && typeof value === "object") Object.values(value).forEach(count);
    else if (typeof value === "number" && !Number.isFinite(value)) {
      throw new Error(`${source}: holds ${String(value)}, which no config value can be`);
    }
  };
  count(doc);
  return doc;
}

/** Parses the text of a stack config file; `source` names it in errors. */
export function parseStackConfig(text: string, source: string): StackConfig {
  const doc = loadYamlDocument(text, source);
  if (doc === undefined || doc === null) return { config: {}, secretKeys: [] };
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new Error(`${source}: must be a YAML mapping with a config: key`);
  const raw = (doc as { config?: unknown }).config ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new Error(`${source}: config: must be a mapping of <namespace>:<key> to values`);
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/.test(key)) {
      throw new Error(`${source}: config key ${JSON.stringify(key)} must be <namespace>:<key>`);
    }
    if (isSecure(value)) {
      config[key] = OFFLINE_SECRET;
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { config, secretKeys };
}

/** Reads and parses a stack config file. */
export function loadStackConfig(path: string): StackConfig {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_STACK_FILE_BYTES) {
      throw Object.assign(new Error(`larger than ${MAX_STACK_FILE_BYTES} bytes`), { code: "EFBIG" });
    }
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(
      `${path}: cannot read the stack config file (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      {
        cause: e,
      },
    );
  }
  return parseStackConfig(text, path);
}

function isSecure(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    "secure" in value
  );
}
