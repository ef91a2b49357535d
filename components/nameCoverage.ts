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
