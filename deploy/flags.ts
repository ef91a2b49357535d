/**
 * The command-line flags shared by the commands that work on the two stacks (`deploy/cli.ts`'s
 * deploy, preview, destroy and verify, and `doctor/args.ts`), for node:util's parseArgs, and the
 * checks of the stack pair they name (its names, its stack files, the program each would run). One
 * definition, so the commands spell and check them alike.
 */
import * as path from "node:path";
import { PROJECT } from "../stacks/configSource";
import { selectProgramName } from "../stacks/configShared";
import { parseStackConfig } from "../stacks/stackFile";
import { errorText } from "./failure";
import { DEFAULT_STACKS, type StackPair } from "./orchestrator";
import { PreflightError, shortStackName, stackNameProblem, type StackFile } from "./preflight";

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

/**
 * Deploy and preview run the programs on each stack's `Pulumi.<stack>.yaml`: a stack without one
 * would run with no config at all (a misspelt `--stack-a acount-a` creates an empty stack). Refused
 * before anything runs, naming the file looked for and the stack files there are.
 */
export function checkStackFilesExist(files: readonly StackFile[], directoryEntries: readonly string[]): void {
  const missing = files.find((f) => !f.exists);
  if (missing === undefined) return;
  const present = directoryEntries.filter((n) => /^Pulumi\.[^/]+\.ya?ml$/.test(n)).sort();
  const flag = missing === files[0] ? "--stack-a" : "--stack-b";
  throw new PreflightError(
    `${flag} ${missing.stack}: no stack config file ${missing.path}; each stack reads its settings from ` +
      `Pulumi.<stack>.yaml beside Pulumi.yaml. Stack files there: ${present.length > 0 ? present.join(", ") : "none"}` +
      ". Is the stack name misspelt, or create the file first (copy Pulumi.account-a.yaml / Pulumi.account-b.yaml)",
  );
}

/**
 * Each stack must run the program of its role: `--stack-a` the account-a program, `--stack-b` the
 * account-b one, chosen as stacks/index.ts chooses (`cross-account-irsa:program` as Pulumi stores
 * it, else the stack name). A stack file that would run the other program (or none) is refused
 * before anything runs, not found out in the middle of the deployment.
 */
export function checkStackPrograms(files: readonly StackFile[], readFile: (path: string) => string): void {
  files.forEach((file, i) => {
    if (!file.exists) return;
    const expected = i === 0 ? "account-a" : "account-b";
    const flag = i === 0 ? "--stack-a" : "--stack-b";
    const configured = parseStackConfig(readFile(file.path), file.path).config[`${PROJECT}:program`];
    let program: string;
    try {
      program = selectProgramName(shortStackName(file.stack), configured);
    } catch (e) {
      throw new PreflightError(`${flag} ${file.stack}: ${path.basename(file.path)}: ${errorText(e)}`);
    }
    if (program !== expected) {
      throw new PreflightError(
        `${flag} ${file.stack}: ${path.basename(file.path)} makes the stack run the ${program} program ` +
          `(${configured !== undefined ? `${PROJECT}:program is ${configured}` : "its name ends in " + program}), ` +
          `but ${flag} is account ${expected.slice(-1).toUpperCase()}'s stack: swap the stacks, or set ` +
          `${PROJECT}:program: ${expected} in that file`,
      );
    }
  });
}
