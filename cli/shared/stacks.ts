/**
 * The two stacks as the front ends that read them name them (deploy/'s commands and the doctor):
 * the pair, its defaults, the command-line flags for node:util's parseArgs and the checks of the
 * names. One definition, so the commands spell and check them alike. The room below the front ends:
 * it imports none of them. Pure.
 */

/** The two stacks: `a` runs the cluster and the workload, `b` owns the bucket and the role. */
export interface StackPair {
  a: string;
  b: string;
}

/** The stack names used when the user does not choose others. */
export const DEFAULT_STACKS: StackPair = { a: "account-a", b: "account-b" };

const STACK_NAME = /^(?:[A-Za-z0-9][A-Za-z0-9_.-]*\/){0,2}[A-Za-z0-9_.-]{1,100}$/;

/**
 * Checks a stack name as the user may give it: `stack`, `org/stack` or `org/project/stack`, each
 * part letters, digits, `-`, `_` and `.`. Returns the problem, or undefined when it is valid.
 *
 * @internal exported for the tests only
 */
export function stackNameProblem(name: string): string | undefined {
  if (STACK_NAME.test(name)) return undefined;
  return (
    `"${name}" is not a valid stack name: use letters, digits, "-", "_" and "." ` +
    '(optionally prefixed with "<org>/" or "<org>/<project>/")'
  );
}

/** The short stack name: the last part of `org/project/stack`. */
export function shortStackName(stack: string): string {
  return stack.slice(stack.lastIndexOf("/") + 1);
}

/** `--stack-a <name>`, `--stack-b <name>`: the two stacks (default account-a and account-b). */
export const STACK_FLAGS = {
  "stack-a": { type: "string" },
  "stack-b": { type: "string" },
} as const;

/** `-h`, `--help`. */
export const HELP_FLAG = { help: { type: "boolean", short: "h" } } as const;

/** The help lines of {@link STACK_FLAGS}, aligned like the commands' usage texts. */
export const STACK_FLAGS_USAGE = `  --stack-a <name>   account A's stack (default: ${DEFAULT_STACKS.a}); config in Pulumi.<name>.yaml
  --stack-b <name>   account B's stack (default: ${DEFAULT_STACKS.b}); config in Pulumi.<name>.yaml`;

/** The stack pair the flags name (defaults filled in), or the problem with it. */
export function parseStackPair(values: {
  "stack-a"?: string;
  "stack-b"?: string;
}): { ok: true; stacks: StackPair } | { ok: false; message: string } {
  const stacks = { a: values["stack-a"] ?? DEFAULT_STACKS.a, b: values["stack-b"] ?? DEFAULT_STACKS.b };
  for (const [flag, name] of [
    ["--stack-a", stacks.a],
    ["--stack-b", stacks.b],
  ] as const) {
    const problem = stackNameProblem(name);
    if (problem) return { ok: false, message: `${flag}: ${problem}` };
  }
  if (stacks.a === stacks.b) return { ok: false, message: `--stack-a and --stack-b are both "${stacks.a}"` };
  return { ok: true, stacks };
}
