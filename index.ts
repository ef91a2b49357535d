// The Pulumi program of both stacks: account-a or account-b, chosen by the stack (see stacks/index.ts).
import { runProgram } from "./stacks";

export = runProgram;
