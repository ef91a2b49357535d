/**
 * Reads a `Pulumi.<stack>.yaml` file into the flat form the Pulumi runtime takes: `<namespace>:<key>`
 * → string, with objects and lists as JSON (as `pulumi config` stores them). Secure values cannot be
 * decrypted offline: they are listed in `secretKeys` and replaced by a marker.
 */
import { readFileSync } from "node:fs";
import * as yaml from "js-yaml";

export interface StackConfig {
  config: Record<string, string>;
  secretKeys: string[];
}

/** The value a secure (encrypted) config entry gets offline. */
export const OFFLINE_SECRET = "[secret: not decrypted offline]";

/** Parses the text of a stack config file; `source` names it in errors. */
export function parseStackConfig(text: string, source: string): StackConfig {
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    throw new Error(`${source}: not valid YAML: ${(e as Error).message}`, { cause: e });
  }
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
