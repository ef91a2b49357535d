/**
 * Whether a set of `StringLike` name patterns trusts a whole namespace: the question the trust
 * policy's guard must answer about the set, not one pattern at a time (36 patterns `a*` … `9*` match
 * every name between them, `??*` every name but the 36 of one character). Pure.
 *
 * The patterns are IAM globs (`*` any run, `?` one character). The set is namespace-wide when it
 * leaves at most finitely many service account names unmatched: then only a handful of short names
 * escape it, whatever names the namespace uses. Otherwise infinitely many names stay unmatched, and
 * the set names a part of the namespace. Decided on the automaton of the patterns (a subset
 * construction) over names of letters and digits, which are always valid names: a set that leaves
 * infinitely many of those out is certainly not namespace-wide; a set that leaves only finitely many
 * of them out is treated as namespace-wide even when names with '-' or '.' escape it, which errs on
 * the side of refusing.
 */

/** States explored before the decision gives up and, failing closed, reports the set as namespace-wide. */
const MAX_STATES = 20_000;

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/** The decision, with a name the patterns do not match, or some of the few they leave out. */
export type Coverage =
  | { wide: false; witness: string }
  | { wide: true; reason: "every name" | "all but finitely many names" | "undecided"; unmatched: string[] };

/**
 * Decides whether the patterns leave only finitely many names unmatched (`wide: true`), giving up to
 * five of them, or infinitely many (`wide: false`), giving the shortest. A set whose automaton is
 * larger than {@link MAX_STATES} is reported as wide (`reason: "undecided"`): the guard refuses what
 * it cannot decide.
 */
export function nameCoverage(patterns: readonly string[]): Coverage {
  // A character in no pattern behaves like every other such character: one stands for them all.
  const literal = new Set([...patterns.join("")].filter((c) => ALNUM.includes(c)));
  const other = [...ALNUM].find((c) => !literal.has(c));
  const alphabet = [...literal, ...(other === undefined ? [] : [other])];

  const closure = (positions: Array<[number, number]>): string => {
    const out = new Set<string>();
    const stack = [...positions];
    while (stack.length > 0) {
      const [k, i] = stack.pop()!;
      const id = `${k}:${i}`;
      if (out.has(id)) continue;
      out.add(id);
      if (patterns[k][i] === "*") stack.push([k, i + 1]);
    }
    return [...out].sort().join(",");
  };
  const positions = (state: string): Array<[number, number]> =>
    state === "" ? [] : state.split(",").map((p) => p.split(":").map(Number) as [number, number]);
  const accepting = (state: string) => positions(state).some(([k, i]) => i === patterns[k].length);
  const step = (state: string, c: string): string =>
    closure(
      positions(state).flatMap(([k, i]): Array<[number, number]> => {
        const p = patterns[k][i];
        return p === "*" ? [[k, i]] : p === "?" || p === c ? [[k, i + 1]] : [];
      }),
    );

  // Every state reachable by a non-empty name, with the shortest such name and its edges.
  const start = closure(patterns.map((_, k) => [k, 0]));
  const names = new Map<string, string>();
  const edges = new Map<string, string[]>();
  const queue: Array<[string, string]> = [[start, ""]];
  const expanded = new Set<string>();
  while (queue.length > 0) {
    const [state, name] = queue.shift()!;
    if (expanded.has(state)) continue;
    expanded.add(state);
    const next = alphabet.map((c) => step(state, c));
    edges.set(state, next);
    next.forEach((after, j) => {
      if (!names.has(after)) {
        names.set(after, name + alphabet[j]);
        queue.push([after, name + alphabet[j]]);
      }
    });
    if (expanded.size > MAX_STATES) return { wide: true, reason: "undecided", unmatched: [] };
  }

  const unmatched = [...names.keys()].filter((state) => !accepting(state));
  if (unmatched.length === 0) return { wide: true, reason: "every name", unmatched: [] };

  // The states from which an unmatched name can still be reached.
  const coReach = new Set(unmatched);
  for (let changed = true; changed;) {
    changed = false;
    for (const [state, next] of edges) {
      if (!coReach.has(state) && next.some((n) => coReach.has(n))) {
        coReach.add(state);
        changed = true;
      }
    }
  }
  // Infinitely many unmatched names exactly when a cycle runs among those states (iterative DFS).
  const colour = new Map<string, "grey" | "black">();
  const cyclic = (root: string): boolean => {
    const stack: Array<{ state: string; next: number }> = [{ state: root, next: 0 }];
    colour.set(root, "grey");
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const successors = (edges.get(top.state) ?? []).filter((n) => coReach.has(n));
      if (top.next === successors.length) {
        colour.set(top.state, "black");
        stack.pop();
        continue;
      }
      const n = successors[top.next++];
      if (colour.get(n) === "grey") return true;
      if (colour.get(n) === undefined) {
        colour.set(n, "grey");
        stack.push({ state: n, next: 0 });
      }
    }
    return false;
  };
  const shortest = unmatched
    .map((s) => names.get(s)!)
    .sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  if ([...coReach].some((s) => colour.get(s) === undefined && cyclic(s))) {
    return { wide: false, witness: shortest[0] };
  }
  return { wide: true, reason: "all but finitely many names", unmatched: shortest.slice(0, 5) };
}

/** A service account, or a pattern of them, by namespace and name (as a `sub` or the session tags name it). */
export interface SubjectRef {
  namespace: string;
  name: string;
}

/** The characters `StringLike` reads as wildcards. */
const WILDCARD = /[*?]/;

/** The prefix of every projected service account token's `sub`. */
export const SUBJECT_PREFIX = "system:serviceaccount:";

/**
 * A `sub` value split into namespace and name (`system:serviceaccount:<namespace>:<name>`), or
 * undefined when it is not of that form (it then names no service account when compared exactly,
 * and, as a pattern, cannot be shown to stay within one namespace).
 */
export function subjectOf(sub: string): SubjectRef | undefined {
  if (!sub.startsWith(SUBJECT_PREFIX)) return undefined;
  const rest = sub.slice(SUBJECT_PREFIX.length);
  const colon = rest.indexOf(":");
  if (colon <= 0) return undefined;
  return { namespace: rest.slice(0, colon), name: rest.slice(colon + 1) };
}

/** What one grant's subjects reach: what a trust policy must not do, or do only when asked. */
export interface SubjectScope {
  /**
   * The subjects that can match service accounts of more than one namespace: under `StringLike`, a
   * namespace with `*` or `?` (namespaces are never granted by pattern), or a `sub` pattern not of
   * the form `system:serviceaccount:<namespace>:<name>`, as written.
   */
  spanning: string[];
  /** The namespaces whose every service account, or all but a few short names, the patterns match. */
  whole: Array<{ namespace: string; names: string[]; coverage: Extract<Coverage, { wide: true }> }>;
}

/**
 * The rule every trust of this package keeps, at build time (buildTrustPolicy refuses) and on a live
 * trust (the doctor fails or warns): a grant names its service accounts within literal namespaces,
 * and covers a whole namespace only when that was asked for. `subjects` are one grant's (one
 * statement's, or one provider's) namespace/name pairs, or `sub` values; `like`: compared with
 * `StringLike` (`*` and `?` are wildcards), else exactly (they are literal characters). Pure.
 */
export function subjectScope(subjects: ReadonlyArray<SubjectRef | string>, like: boolean): SubjectScope {
  const spanning: string[] = [];
  const byNamespace = new Map<string, string[]>();
  for (const s of subjects) {
    const ref = typeof s === "string" ? subjectOf(s) : s;
    if (ref === undefined) {
      // Not a service account's sub: exactly, it matches none; as a pattern it may match any.
      if (like) spanning.push(s as string);
      continue;
    }
    if (like && WILDCARD.test(ref.namespace)) {
      spanning.push(typeof s === "string" ? s : `${SUBJECT_PREFIX}${ref.namespace}:${ref.name}`);
      continue;
    }
    byNamespace.set(ref.namespace, [...(byNamespace.get(ref.namespace) ?? []), ref.name]);
  }
  const whole: SubjectScope["whole"] = [];
  if (like) {
    for (const [namespace, names] of [...byNamespace].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!names.some((n) => WILDCARD.test(n))) continue;
      const coverage = nameCoverage(names);
      if (coverage.wide) whole.push({ namespace, names, coverage });
    }
  }
  return { spanning, whole };
}

/** What a whole-namespace grant matches, in words: "match every service account of namespace apps ...". */
export function wholeNamespaceWords(namespace: string, coverage: Extract<Coverage, { wide: true }>): string {
  return coverage.reason === "all but finitely many names"
    ? `match every service account of namespace ${namespace} but a few short names (${coverage.unmatched.join(", ")})`
    : coverage.reason === "undecided"
      ? `are too many or too complex to decide whether they match every service account of namespace ${namespace}`
      : `match every service account of namespace ${namespace}`;
}
