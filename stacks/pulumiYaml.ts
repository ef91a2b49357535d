/**
 * YAML scalars as the Pulumi CLI reads a `Pulumi.<stack>.yaml`: it decodes the file with
 * gopkg.in/yaml.v3 v3.0.1 into Go values (`sdk/go/common/workspace/loaders.go`
 * `LoadProjectStackBytes`), so a plain scalar is resolved by yaml.v3's rules (`resolve.go`
 * `resolve()`), not by the YAML 1.2 core schema js-yaml implements: `0777` is octal, `1_000` is a
 * thousand, `2024-01-01` is a timestamp, `yes` a string. This module gives js-yaml a schema with
 * exactly those rules; every non-string scalar becomes a {@link GoScalar} so that the config text
 * can be written as Pulumi writes it (stackFile.ts). Pure.
 *
 * Sources (read at these commits):
 * - go-yaml/yaml v3.0.1 (f6f7691b1fdeb513f56608cd2c32c51f8194bf51), the version pulumi's
 *   `sdk/go.mod` pins: resolve.go lines 47-60 (the null/bool/.inf/.nan table), 124 (the float
 *   pattern), 126-265 (`resolve`), 292-326 (`parseTimestamp`); decode.go lines 565-619 (`!!binary`
 *   is base64-decoded into a string; a resolved value is stored into `any` as is).
 * - pulumi/pulumi 1b5949891b3cefcb9974752b24a5ecef0acc86c8: see stackFile.ts.
 */
import * as yaml from "js-yaml";

/** A non-string scalar as yaml.v3 resolves it. */
export class GoScalar {
  constructor(
    /** The Go type yaml.v3 resolves the scalar to. */
    readonly kind: "null" | "bool" | "int" | "float" | "timestamp",
    /**
     * bool: the boolean; int: the exact decimal digits (Go's int64/uint64 range); float: the number;
     * timestamp: the text Go's `time.Time.String()` gives it, or undefined when that depends on the
     * zone of the machine that runs Pulumi (see {@link problem}).
     */
    readonly value: boolean | string | number | null,
    /** The scalar as written. */
    readonly written: string,
    /** Why Pulumi's value for this scalar cannot be known offline. */
    readonly problem?: string,
  ) {}
  /** Marks the scalar when js-yaml turns it into a mapping key: Pulumi refuses non-string keys. */
  toString(): string {
    return `${NON_STRING_KEY}${this.written}`;
  }
  get [Symbol.toStringTag](): string {
    return "GoScalar";
  }
}

/** The prefix of a mapping key that was not a string in YAML (see {@link GoScalar.toString}). */
export const NON_STRING_KEY = "\u0000non-string key:";

/** resolve.go line 124. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's `strconv.ParseInt(s, 0, 64)`: prefixes 0x, 0o, 0b and a leading 0 (octal); int64 range. */
function goParseInt(s: string): bigint | undefined {
  const v = goParseBase0(s, true);
  return v !== undefined && v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
}

/** Go's `strconv.ParseUint(s, 0, 64)`: no sign allowed. */
function goParseUint(s: string): bigint | undefined {
  const v = goParseBase0(s, false);
  return v !== undefined && v <= UINT64_MAX ? v : undefined;
}

function goParseBase0(s: string, signed: boolean): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m || (!signed && m[1] !== "")) return undefined;
  const body = m[2];
  let v: bigint;
  if (/^0[xXoObB]/.test(body)) v = BigInt(`0${body[1].toLowerCase()}${body.slice(2)}`);
  else if (body.length > 1 && body[0] === "0") v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  return m[1] === "-" ? -v : v;
}

/** Go's `strconv.ParseInt(s, base, 64)` for base 2 or 8 (an optional sign, then digits). */
function goParseIntBase(s: string, base: 2 | 8): bigint | undefined {
  const m = (base === 2 ? /^([+-]?)([01]+)$/ : /^([+-]?)([0-7]+)$/).exec(s);
  if (!m) return undefined;
  const v = BigInt(`0${base === 2 ? "b" : "o"}${m[2]}`);
  const signed = m[1] === "-" ? -v : v;
  return signed >= INT64_MIN && signed <= INT64_MAX ? signed : undefined;
}

/** Go's `strconv.ParseUint(s, base, 64)` for base 2 or 8. */
function goParseUintBase(s: string, base: 2 | 8): bigint | undefined {
  if (!(base === 2 ? /^[01]+$/ : /^[0-7]+$/).test(s)) return undefined;
  const v = BigInt(`0${base === 2 ? "b" : "o"}${s}`);
  return v <= UINT64_MAX ? v : undefined;
}

/** Go's `strconv.ParseFloat(s, 64)` for text that matched the float pattern: finite or undefined. */
function goParseFloat(s: string): number | undefined {
  const f = Number(s);
  return Number.isFinite(f) ? f : undefined;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/**
 * yaml.v3's `parseTimestamp` (resolve.go 292-326): the formats `2006-1-2T15:4:5.999999999Z07:00`
 * (also with a lower-case `t`), `2006-1-2 15:4:5.999999999` and `2006-1-2`, parsed with Go's
 * `time.Parse` (which checks the ranges, the day against the month). Returns the text Go's
 * `time.Time.String()` gives the time, which Pulumi stores (object.go `unmarshalObject`, the
 * `time.Time` case), or a problem when the text has a UTC offset: `time.Parse` then takes the
 * zone of the machine running Pulumi when its offset matches, so the text cannot be known offline.
 */
export function goTimestamp(s: string): { text?: string; problem?: string } | undefined {
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])(\d{1,2}):(\d{1,2}):(\d{1,2})([.,]\d+)?(Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})([.,]\d+)?))?$/.exec(
      s,
    );
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hour = Number(m[5] ?? m[10] ?? 0);
  const minute = Number(m[6] ?? m[11] ?? 0);
  const second = Number(m[7] ?? m[12] ?? 0);
  // Go's parseNanoseconds keeps 9 digits; String() drops trailing zeros.
  const fraction = (m[8] ?? m[13] ?? "").slice(1, 10).replace(/0+$/, "");
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (month < 1 || month > 12 || day < 1 || day > days[month - 1]) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[9] !== undefined && m[9] !== "Z") {
    return {
      problem:
        `${s} is a YAML timestamp with a UTC offset: Pulumi turns it into Go's time text in the zone of ` +
        "the machine that runs it, which cannot be known here; quote it to keep it as written",
    };
  }
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  const time = `${pad(hour)}:${pad(minute)}:${pad(second)}${fraction ? `.${fraction}` : ""}`;
  return { text: `${date} ${time} +0000 UTC` };
}

/** yaml.v3's resolve table (filled in resolve.go's init): the words that resolve whole, to their kind and value. */
type ResolvedWord = readonly [GoScalar["kind"], boolean | number | null];
const RESOLVE_TABLE: ReadonlyMap<string, ResolvedWord> = new Map<string, ResolvedWord>([
  ...["true", "True", "TRUE"].map((w) => [w, ["bool", true]] as [string, ResolvedWord]),
  ...["false", "False", "FALSE"].map((w) => [w, ["bool", false]] as [string, ResolvedWord]),
  ...["", "~", "null", "Null", "NULL"].map((w) => [w, ["null", null]] as [string, ResolvedWord]),
  ...[".nan", ".NaN", ".NAN"].map((w) => [w, ["float", NaN]] as [string, ResolvedWord]),
  ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map(
    (w) => [w, ["float", Infinity]] as [string, ResolvedWord],
  ),
  ...["-.inf", "-.Inf", "-.INF"].map((w) => [w, ["float", -Infinity]] as [string, ResolvedWord]),
]);

/** yaml.v3's `resolve("", s)` for a plain scalar; undefined when it stays a string. */
export function resolvePlain(s: string): GoScalar | undefined {
  // resolve.go 36-45 and 155-158: the first character decides what the scalar may be.
  const first = s[0];
  let hint: "D" | "S" | "." | "M" | "N" | undefined;
  if (first === undefined) hint = "N";
  else if (/[0-9]/.test(first)) hint = "D";
  else if (first === "+" || first === "-") hint = "S";
  else if (first === ".") hint = ".";
  else if ("yYnNtTfFoO~".includes(first)) hint = "M";
  if (hint === undefined) return undefined;
  const word = RESOLVE_TABLE.get(s);
  if (word !== undefined) return new GoScalar(word[0], word[1], s);
  if (hint === ".") {
    const f = /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s) ? goParseFloat(s) : undefined;
    return f === undefined ? undefined : new GoScalar("float", f, s);
  }
  if (hint !== "D" && hint !== "S") return undefined;
  const timestamp = goTimestamp(s);
  if (timestamp !== undefined) return new GoScalar("timestamp", timestamp.text ?? null, s, timestamp.problem);
  const plain = s.replace(/_/g, "");
  const int = goParseInt(plain) ?? goParseUint(plain);
  if (int !== undefined) return new GoScalar("int", int.toString(), s);
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = goParseFloat(plain);
    if (f !== undefined) return new GoScalar("float", f, s);
  }
  // resolve.go 210-259: 0b / 0o followed by what ParseInt (base 2 or 8) takes, a sign included.
  for (const [prefix, base] of [
    ["0b", 2],
    ["0o", 8],
  ] as const) {
    let v: bigint | undefined;
    if (plain.startsWith(prefix)) {
      v = goParseIntBase(plain.slice(2), base) ?? goParseUintBase(plain.slice(2), base);
    } else if (plain.startsWith(`-${prefix}`)) {
      v = goParseIntBase(`-${plain.slice(3)}`, base);
    }
    if (v !== undefined) return new GoScalar("int", v.toString(), s);
  }
  return undefined;
}

/** A plain scalar resolved by yaml.v3's rules, as one js-yaml implicit type per resolved tag. */
function implicitType(tag: string, kind: GoScalar["kind"]): yaml.Type {
  return new yaml.Type(`tag:yaml.org,2002:${tag}`, {
    kind: "scalar",
    resolve: (data: unknown) => typeof data === "string" && resolvePlain(data)?.kind === kind,
    construct: (data: string) => resolvePlain(data),
  });
}

/** `!!float 3`: yaml.v3 turns an int into a float when the tag asks for one (resolve.go 136-148). */
const explicitFloat = new yaml.Type("tag:yaml.org,2002:float", {
  kind: "scalar",
  resolve: (data: unknown) => {
    const r = typeof data === "string" ? resolvePlain(data) : undefined;
    return r?.kind === "float" || r?.kind === "int";
  },
  construct: (data: string) => {
    const r = resolvePlain(data)!;
    return r.kind === "float" ? r : new GoScalar("float", Number(r.value), data);
  },
});

/** `!!binary`: base64 (Go's StdEncoding, line breaks skipped) decoded into a string (decode.go 573-579). */
const binary = new yaml.Type("tag:yaml.org,2002:binary", {
  kind: "scalar",
  resolve: (data: unknown) =>
    typeof data === "string" &&
    /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(data.replace(/[\r\n]/g, "")),
  construct: (data: string) => {
    const bytes = Buffer.from(data.replace(/[\r\n]/g, ""), "base64");
    const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
    if (!Buffer.from(text, "utf8").equals(bytes)) {
      throw new yaml.YAMLException(
        "a !!binary value that is not UTF-8 text: Pulumi cannot pass it to a program as a config string",
      );
    }
    return text;
  },
});

/** `<<`: a merge key (yaml.v3's parser tags a plain `<<` so). */
const merge = new yaml.Type("tag:yaml.org,2002:merge", {
  kind: "scalar",
  resolve: (data: unknown) => data === "<<",
});

/** The schema: strings, sequences, mappings, and yaml.v3's scalar resolution. */
export const PULUMI_YAML_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    merge,
    implicitType("null", "null"),
    implicitType("bool", "bool"),
    implicitType("timestamp", "timestamp"),
    implicitType("int", "int"),
    implicitType("float", "float"),
  ],
  explicit: [explicitFloat, binary],
});
