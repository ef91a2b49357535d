/**
 * The command-line flags shared by the commands that work on the two stacks (`deploy/cli.ts`'s
 * deploy, preview, destroy and verify, and `doctor/args.ts`), for node:util's parseArgs, and the
 * check of the stack pair they name. One definition, so the commands spell and check them alike.
 */
import { DEFAULT_STACKS, type StackPair } from "./orchestrator";
import { stackNameProblem } from "./preflight";

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
