/**
 * Reads a `Pulumi.<stack>.yaml` file into the flat form the Pulumi runtime gives a program
 * (`pulumi.runtime.allConfig()`: `<namespace>:<key>` → string), exactly as the Pulumi CLI does.
 * Secure values cannot be decrypted offline: they are listed in `secretKeys` and replaced by a marker.
 *
 * What the CLI does (pulumi/pulumi 1b5949891b3cefcb9974752b24a5ecef0acc86c8):
 * - sdk/go/common/workspace/loaders.go 31-49 strips a UTF-8 BOM; 173-233 (`LoadProjectStackBytes`)
 *   decodes the file with yaml.v3 into `any` (scalars resolved as pulumiYaml.ts does), refuses
 *   non-string mapping keys (project.go 518-531), puts keys without a namespace in the project's
 *   (loaders.go 61-90), and decodes each value into a `config.Value`.
 * - sdk/go/common/resource/config/object.go 467-527 (`unmarshalObject`): ints, floats, bools,
 *   strings as such, a `time.Time` as its `String()` text, `{secure: <string>}` as a secret; 403-419
 *   (`MarshalString`): a string is stored as is, a number or bool as its JSON text, a list or map as
 *   JSON (Go's encoding/json: map keys sorted, `<`, `>`, `&` escaped).
 * - A null top-level value is stored as "" (loaders.go 360-378: "`null` in YAML, but `""` in
 *   pulumi"); null inside an object stays null.
 * - key.go 45-70 (`ParseKey`): `<namespace>:<name>` or `<namespace>:config:<name>`.
 * - plaintext.go 255-268 (`marshalText`): the text a program gets for a value.
 */
import * as yaml from "js-yaml";
import { GoScalar, NON_STRING_KEY, PULUMI_YAML_SCHEMA } from "./pulumiYaml";
import { PROJECT } from "./configSource";
import { describeUnreadable, readRegularFile, UnreadableFileError } from "../io/regularFile";

/**
 * The largest stack file read, in bytes: far beyond any real one, small enough to parse at once.
 *
 * @internal exported for the tests only
 */
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
 * {@link MAX_STACK_FILE_VALUES} values; `source` names the text in errors. `schema` defaults to
 * js-yaml's (YAML 1.2 core and timestamps); the stack config is read with Pulumi's (pulumiYaml.ts).
 */
export function loadYamlDocument(text: string, source: string, schema?: yaml.Schema): unknown {
  if (Buffer.byteLength(text, "utf8") > MAX_STACK_FILE_BYTES) {
    throw new Error(
      `${source}: larger than ${MAX_STACK_FILE_BYTES} bytes: not a stack file this project reads`,
    );
  }
  let doc: unknown;
  try {
    doc = yaml.load(text, schema ? { schema } : {});
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
    if (value instanceof GoScalar) {
      if (typeof value.value === "number" && !Number.isFinite(value.value)) {
        throw new Error(`${source}: holds ${String(value.value)}, which no config value can be`);
      }
    } else if (Array.isArray(value)) value.forEach(count);
    else if (value !== null && typeof value === "object") Object.values(value).forEach(count);
    else if (typeof value === "number" && !Number.isFinite(value)) {
      throw new Error(`${source}: holds ${String(value)}, which no config value can be`);
    }
  };
  count(doc);
  return doc;
}

/** A config value Pulumi would not load, or whose value cannot be known offline. */
class StackValueError extends Error {}

/** Go's encoding/json string: JSON with `<`, `>`, `&`, U+2028 and U+2029 escaped. */
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** A number's JSON text as Go's encoding/json writes a float64 (the same as JavaScript's; -0 is 0). */
function goJsonFloat(n: number): string {
  return Object.is(n, -0) ? "0" : JSON.stringify(n);
}

/** A Go scalar's text: as Pulumi stores it at the top level and inside JSON. */
function scalarText(v: GoScalar, where: string): string {
  if (v.problem !== undefined) throw new StackValueError(`${where}: ${v.problem}`);
  switch (v.kind) {
    case "bool":
      return String(v.value);
    case "int":
      return v.value as string;
    case "float":
      return goJsonFloat(v.value as number);
    default:
      throw new StackValueError(`${where}: unexpected ${v.kind}`);
  }
}

function isSecure(value: unknown): value is { secure: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    !(value instanceof GoScalar) &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { secure?: unknown }).secure === "string"
  );
}

/** Refuses a mapping key that was not a string in YAML, as Pulumi does (project.go 518-531). */
function checkKey(k: string, where: string): void {
  if (k.startsWith(NON_STRING_KEY)) {
    throw new StackValueError(
      `${where}: the key ${k.slice(NON_STRING_KEY.length)} is not a string; Pulumi accepts only string keys ` +
        "(quote it)",
    );
  }
}

/**
 * A value inside an object as Go's encoding/json writes it (object.go `MarshalString`). A secure
 * value inside an object cannot be decrypted offline: it becomes {@link OFFLINE_SECRET}.
 */
function goJson(value: unknown, where: string, secret: { found: boolean }): string {
  if (value === null) return "null";
  if (typeof value === "string") return goJsonString(value);
  if (value instanceof GoScalar) {
    if (value.kind === "null") return "null";
    if (value.kind === "timestamp") return goJsonString(timestampText(value, where));
    return scalarText(value, where);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => goJson(v, `${where}[${i}]`, secret)).join(",")}]`;
  if (isSecure(value)) {
    secret.found = true;
    return goJsonString(OFFLINE_SECRET);
  }
  const o = value as Record<string, unknown>;
  // Go sorts map keys by their UTF-8 bytes.
  const keys = Object.keys(o).sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  return `{${keys
    .map((k) => {
      checkKey(k, where);
      return `${goJsonString(k)}:${goJson(o[k], `${where}.${k}`, secret)}`;
    })
    .join(",")}}`;
}

function timestampText(v: GoScalar, where: string): string {
  if (v.problem !== undefined) throw new StackValueError(`${where}: ${v.problem}`);
  return v.value as string;
}

/** A top-level config value as Pulumi stores it, and whether it is (or holds) a secret. */
function valueText(value: unknown, where: string): { text: string; secret: boolean } {
  if (value === null || value === undefined) return { text: "", secret: false };
  if (typeof value === "string") return { text: value, secret: false };
  if (value instanceof GoScalar) {
    if (value.kind === "null") return { text: "", secret: false };
    if (value.kind === "timestamp") return { text: timestampText(value, where), secret: false };
    return { text: scalarText(value, where), secret: false };
  }
  if (isSecure(value)) return { text: OFFLINE_SECRET, secret: true };
  const secret = { found: false };
  const text = goJson(value, where, secret);
  return { text, secret: secret.found };
}

/**
 * The config key Pulumi makes of a key of the `config:` mapping (loaders.go 61-90, key.go 45-70):
 * no namespace means the project's, `<namespace>:config:<name>` means `<namespace>:<name>`.
 */
function configKey(k: string, source: string): string {
  const colons = k.split(":").length - 1;
  if (colons === 0) return `${PROJECT}:${k}`;
  if (colons === 1) return k;
  const m = /^([^:]+):config:([^:]+)$/.exec(k);
  if (m) return `${m[1]}:${m[2]}`;
  throw new Error(
    `${source}: config key ${JSON.stringify(k)} must be <namespace>:<key> (Pulumi cannot parse it as a ` +
      "configuration key)",
  );
}

/** Parses the text of a stack config file as the Pulumi CLI does; `source` names it in errors. */
export function parseStackConfig(text: string, source: string): StackConfig {
  const doc = loadYamlDocument(text, source, PULUMI_YAML_SCHEMA);
  if (doc === undefined || doc === null || (doc instanceof GoScalar && doc.kind === "null")) {
    return { config: {}, secretKeys: [] };
  }
  if (typeof doc !== "object" || doc instanceof GoScalar || Array.isArray(doc))
    throw new Error(`${source}: must be a YAML mapping with a config: key`);
  const rawConfig = (doc as { config?: unknown }).config;
  const raw = rawConfig instanceof GoScalar && rawConfig.kind === "null" ? {} : (rawConfig ?? {});
  if (typeof raw !== "object" || raw === null || raw instanceof GoScalar || Array.isArray(raw)) {
    throw new Error(`${source}: config: must be a mapping of <namespace>:<key> to values`);
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const writtenAs: Record<string, string> = {};
  for (const [written, value] of Object.entries(raw as Record<string, unknown>)) {
    try {
      checkKey(written, "config");
    } catch (e) {
      throw new Error(`${source}: ${(e as Error).message}`, { cause: e });
    }
    const key = configKey(written, source);
    if (writtenAs[key] !== undefined) {
      throw new Error(
        `${source}: config keys ${JSON.stringify(writtenAs[key])} and ${JSON.stringify(written)} are both ` +
          `${key}: Pulumi would keep one of them at random`,
      );
    }
    writtenAs[key] = written;
    try {
      const { text: t, secret } = valueText(value, key);
      config[key] = t;
      if (secret) secretKeys.push(key);
    } catch (e) {
      if (!(e instanceof StackValueError)) throw e;
      throw new Error(`${source}: ${e.message}`, { cause: e });
    }
  }
  return { config, secretKeys };
}

/**
 * Reads a stack config file: a regular file of at most {@link MAX_STACK_FILE_BYTES} bytes. A device
 * (`/dev/zero`, `/dev/urandom`), a FIFO or a directory is refused before anything is read, and no
 * more than the limit is ever read, so the plan answers at once whatever the path names.
 *
 * @internal exported for the tests only
 */
export function readStackFileText(path: string): string {
  try {
    return readRegularFile(path, MAX_STACK_FILE_BYTES);
  } catch (e) {
    if (!(e instanceof UnreadableFileError)) throw e;
    throw new Error(`${path}: cannot read the stack config file (${describeUnreadable(e.why)})`, {
      cause: e,
    });
  }
}

/** Reads and parses a stack config file. */
export function loadStackConfig(path: string): StackConfig {
  return parseStackConfig(readStackFileText(path), path);
}
