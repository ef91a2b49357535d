/**
 * Each stack's StackReference pointed at the other: the config keys that name the other stack and
 * the program a stack runs, written only when the user chose stack names other than the defaults.
 */
import { DEFAULT_STACKS, type StackPair } from "../cli/shared/stacks";
import type { StackWorkspace } from "../cli/shared/workspace";

/** The Pulumi project, and the namespace of its config keys. */
export const PROJECT = "cross-account-irsa";

/**
 * Config key on account-a naming account-b's stack (fully qualified) for its StackReference.
 *
 * @internal exported for the tests only
 */
export const ACCOUNT_B_STACK_KEY = `${PROJECT}:accountBStack`;

/**
 * Config key on account-b naming account-a's stack (fully qualified) for its StackReference.
 *
 * @internal exported for the tests only
 */
export const ACCOUNT_A_STACK_KEY = `${PROJECT}:accountAStack`;

/** True when the user chose stack names other than the defaults. */
export function usesCustomStackNames(stacks: StackPair): boolean {
  return stacks.a !== DEFAULT_STACKS.a || stacks.b !== DEFAULT_STACKS.b;
}

/**
 * Config key choosing a stack's program (`account-a` or `account-b`) when its name does not say.
 *
 * @internal exported for the tests only
 */
export const PROGRAM_KEY = `${PROJECT}:program`;

/**
 * Points each stack's StackReference at the other stack. With the default names the programs'
 * defaults (`<org>/<project>/account-a|b`) are right and nothing is written. With other names each
 * stack gets the other's fully qualified name in its config, and, when its name does not end in
 * `account-a` / `account-b`, the program it runs (`cross-account-irsa:program`). A value is written
 * only when it differs, so running this again changes nothing. Returns what was set.
 *
 * @internal exported for the tests only
 */
export async function ensureStackReferences(workspace: StackWorkspace, stacks: StackPair): Promise<string[]> {
  if (!usesCustomStackNames(stacks)) return [];
  const lines: string[] = [];
  const settings = [
    { stack: stacks.a, program: "account-a", key: ACCOUNT_B_STACK_KEY, target: stacks.b },
    { stack: stacks.b, program: "account-b", key: ACCOUNT_A_STACK_KEY, target: stacks.a },
  ];
  const set = async (stack: string, key: string, value: string): Promise<void> => {
    await workspace.setConfig(stack, key, value);
    lines.push(`set ${key} = ${value} on stack ${stack}`);
  };
  for (const s of settings) {
    const program = await workspace.getConfig(s.stack, PROGRAM_KEY);
    if (program !== s.program && (program !== undefined || !s.stack.endsWith(s.program))) {
      await set(s.stack, PROGRAM_KEY, s.program);
    }
    const desired = await workspace.qualifiedName(s.target);
    if ((await workspace.getConfig(s.stack, s.key)) !== desired) await set(s.stack, s.key, desired);
  }
  return lines;
}
