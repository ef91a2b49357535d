/**
 * The deploy commands' terminal prompt (the confirmation before deploy and destroy).
 */
import * as readline from "node:readline";

/**
 * Asks a yes/no question on the terminal; only `y` or `yes` (any case) counts as yes. Ctrl-C and
 * Ctrl-D at the prompt count as no.
 */
export async function askYesNo(
  question: string,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Promise<boolean> {
  const rl = readline.createInterface({ input, output });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.on("SIGINT", () => resolve(""));
      rl.on("close", () => resolve(""));
      rl.question(`${question} [y/N] `, resolve);
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
