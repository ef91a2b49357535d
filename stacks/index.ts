/**
 * Which stack program runs: account-a or account-b, by the stack's name or `cross-account-irsa:program`.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "./config";
import { selectProgramName } from "./configShared";

export { selectProgramName, type ProgramName } from "./configShared";

/** Runs the program of the current stack; its result is the stack's outputs. */
export async function runProgram(): Promise<Record<string, unknown>> {
  const name = selectProgramName(pulumi.getStack(), new pulumi.Config(PROJECT).get("program"));
  // Load only the program that runs: each pulls in a different set of provider SDK modules.
  if (name === "account-a") return (await import("./accountA")).accountA();
  return (await import("./accountB")).accountB();
}
