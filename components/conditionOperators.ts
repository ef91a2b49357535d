/**
 * The condition operators of IAM policies that the evaluator (evaluate.ts) implements: each one's
 * test on a known value, what a value known only by its beginning settles, and IAM's `*`/`?` glob.
 * Exactly the operators the grammar (policyGrammar.ts) admits: anything else never reaches here.
 */
import { SUPPORTED_OPERATORS, requireText } from "./policyGrammar";

/**
 * A String operator against a value known only by its beginning: true or false when the beginning
 * settles it for every possible rest, undefined when it does not. A pattern settles it when its part
 * before the first wildcard and the known beginning disagree (never matches), or when it ends in `*`
 * and matches the known beginning itself (then it matches whatever follows).
 */
export function prefixHolds(operator: string, patterns: string[], prefix: string): boolean | undefined {
  const ignoreCase = operator === "StringEqualsIgnoreCase";
  const glob = operator === "StringLike" || operator === "StringNotLike";
  if (!["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase"].includes(operator) && !glob) {
    return undefined;
  }
  const known = ignoreCase ? prefix.toLowerCase() : prefix;
  let matches: boolean | undefined = false;
  for (const raw of patterns) {
    const p = ignoreCase ? raw.toLowerCase() : raw;
    const wild = glob ? p.search(/[*?]/) : -1;
    if (wild === -1) {
      // An exact value: possible only when it starts with the known beginning.
      if (p.startsWith(known)) matches = undefined;
      continue;
    }
    const literal = p.slice(0, wild);
    if (!literal.startsWith(known) && !known.startsWith(literal)) continue; // never matches
    if (p.endsWith("*") && globMatch(p, known, false)) {
      // `<Q>*` matching the known beginning: Q matches a beginning of it, so of every value.
      matches = true;
      break;
    }
    matches = undefined;
  }
  return matches === undefined ? undefined : matches !== OPERATORS[operator].negated;
}

/** Whether a value has the six colon-separated parts of an ARN (what the ARN operators compare). */
export function isArn(value: string): boolean {
  return value.startsWith("arn:") && value.split(":").length >= 6;
}

/** ArnLike / ArnEquals: the six colon-separated parts compared one by one, each a glob. */
function arnMatch(pattern: string, value: string): boolean {
  const split = (arn: string) => {
    const parts = arn.split(":");
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(":")];
  };
  const p = split(pattern);
  const v = split(value);
  return p !== undefined && v !== undefined && p.every((part, i) => globMatch(part, v[i], false));
}

export const OPERATORS: Record<
  string,
  { negated: boolean; numeric?: true; holds: (values: string[], actual: string) => boolean }
> = {
  StringEquals: { negated: false, holds: (vs, a) => vs.includes(a) },
  StringNotEquals: { negated: true, holds: (vs, a) => !vs.includes(a) },
  StringEqualsIgnoreCase: {
    negated: false,
    holds: (vs, a) => vs.some((v) => v.toLowerCase() === a.toLowerCase()),
  },
  StringLike: { negated: false, holds: (vs, a) => vs.some((v) => globMatch(v, a, false)) },
  StringNotLike: { negated: true, holds: (vs, a) => !vs.some((v) => globMatch(v, a, false)) },
  ArnEquals: { negated: false, holds: (vs, a) => vs.some((v) => arnMatch(v, a)) },
  ArnLike: { negated: false, holds: (vs, a) => vs.some((v) => arnMatch(v, a)) },
  ArnNotEquals: { negated: true, holds: (vs, a) => !vs.some((v) => arnMatch(v, a)) },
  ArnNotLike: { negated: true, holds: (vs, a) => !vs.some((v) => arnMatch(v, a)) },
  Bool: { negated: false, holds: (vs, a) => vs.some((v) => v.toLowerCase() === a.toLowerCase()) },
  NumericEquals: { negated: false, numeric: true, holds: (vs, a) => vs.some((v) => Number(a) === Number(v)) },
  NumericNotEquals: {
    negated: true,
    numeric: true,
    holds: (vs, a) => !vs.some((v) => Number(a) === Number(v)),
  },
  NumericLessThan: { negated: false, numeric: true, holds: (vs, a) => vs.some((v) => Number(a) < Number(v)) },
  NumericLessThanEquals: {
    negated: false,
    numeric: true,
    holds: (vs, a) => vs.some((v) => Number(a) <= Number(v)),
  },
  NumericGreaterThan: {
    negated: false,
    numeric: true,
    holds: (vs, a) => vs.some((v) => Number(a) > Number(v)),
  },
  NumericGreaterThanEquals: {
    negated: false,
    numeric: true,
    holds: (vs, a) => vs.some((v) => Number(a) >= Number(v)),
  },
};

// The grammar admits exactly the operators implemented here.
if (
  SUPPORTED_OPERATORS.some((op) => OPERATORS[op] === undefined) ||
  Object.keys(OPERATORS).length !== SUPPORTED_OPERATORS.length
) {
  throw new Error("conditionOperators.ts: the grammar's operators and the implemented ones differ");
}

/** IAM's glob: `*` matches any run of characters (also none), `?` exactly one. */
export function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  requireText("pattern", pattern);
  requireText("value", value);
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  // Iterative matcher with backtracking on the last '*': linear in practice, no regex injection.
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    // '*' first: a '*' in the pattern is always a wildcard, even where the value has a literal '*'.
    if (pi < p.length && p[pi] === "*") {
      star = pi++;
      mark = vi;
    } else if (pi < p.length && (p[pi] === "?" || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (star !== -1) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}
