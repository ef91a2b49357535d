/**
 * Which stack program runs: account-a or account-b, by the stack's name or `cross-account-irsa:program`.
 */
import * as pulumi from "@pulumi/pulumi";
import { IrsaInputError } from "../components/errors";
import { PROJECT } from "./config";

/** The two stack programs of the project. */
export type ProgramName = "account-a" | "account-b";

/**
 * Which program a stack runs: `cross-account-irsa:program` when set, otherwise the stack name when it
 * is or ends with `account-a` / `account-b` (so `prod-account-a` works without extra config).
 */
export function selectProgramName(stack: string, configured: string | undefined): ProgramName {
  if (configured !== undefined) {
    if (configured === "account-a" || configured === "account-b") return configured;
    throw new IrsaInputError(`${PROJECT}:program`, configured, 'must be "account-a" or "account-b"');
  }
  if (stack.endsWith("account-a")) return "account-a";
  if (stack.endsWith("account-b")) return "account-b";
  throw new IrsaInputError(
    `${PROJECT}:program`,
    undefined,
    `must be set to "account-a" or "account-b": stack "${stack}" does not end in account-a or account-b`,
  );
}

/** Runs the program of the current stack; its result is the stack's outputs. */
export async function runProgram(): Promise<Record<string, unknown>> {
  const name = selectProgramName(pulumi.getStack(), new pulumi.Config(PROJECT).get("program"));
  // Load only the program that runs: each pulls in a different set of provider SDK modules.
  if (name === "account-a") return (await import("./accountA")).accountA();
  return (await import("./accountB")).accountB();
}
