/**
 * The deploy commands' checks of the stack pair their flags name (cli/shared/stacks.ts): its stack
 * files exist and each runs the program of its role.
 */
import * as path from "node:path";
import { PROJECT } from "../stacks/configSource";
import { selectProgramName } from "../stacks/configShared";
import { parseStackConfig } from "../stacks/stackFile";
import { errorText } from "./failure";
import { PreflightError } from "../cli/shared/pulumiCli";
import { shortStackName } from "../cli/shared/stacks";
import { type StackFile } from "./preflight";

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
