import type { CommandOptions, CommandResult, CommandRunner, FileSystem } from "../../cli/shared/system";

/**
 * In-memory stand-ins for the file system and external commands (not a test file), so the
 * up-front checks and `verify` can be tested without Pulumi, kubectl or a real home directory.
 */

/** A file system held in a map; records the mode of every write and every removal. */
export class MemoryFileSystem implements FileSystem {
  readonly files = new Map<string, string>();
  readonly modes = new Map<string, number>();
  readonly removed: string[] = [];
  /** Directories made with makeDirectory, and their modes. */
  readonly directories = new Map<string, number>();
  private counter = 0;

  constructor(files: Record<string, string> = {}) {
    for (const [path, text] of Object.entries(files)) this.files.set(path, text);
  }

  exists(path: string): boolean {
    return (
      this.files.has(path) ||
      this.directories.has(path) ||
      [...this.files.keys()].some((f) => f.startsWith(`${path}/`))
    );
  }

  readFile(path: string): string {
    const text = this.files.get(path);
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    return text;
  }

  writeFile(path: string, data: string, mode: number): void {
    this.files.set(path, data);
    this.modes.set(path, mode);
  }

  remove(path: string): void {
    this.removed.push(path);
    for (const f of [...this.files.keys()]) if (f === path || f.startsWith(`${path}/`)) this.files.delete(f);
  }

  makeTempDir(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter}`;
  }

  makeDirectory(path: string, mode: number): void {
    if (!this.exists(path)) this.directories.set(path, mode);
  }
}

/** One recorded command run. */
export interface RecordedRun {
  command: string;
  args: string[];
  options?: CommandOptions;
}

/** An answer for a command: a result, or `"not-found"` for a command that is not installed. */
export type ScriptedAnswer =
  Partial<CommandResult> | "not-found" | ((args: string[]) => Partial<CommandResult>);

/**
 * A command runner answering from a script keyed by `command` or `command subcommand`
 * (e.g. `pulumi whoami`); records every run. Unscripted commands are "not installed".
 */
export function scriptedRunner(
  script: Record<string, ScriptedAnswer>,
): CommandRunner & { runs: RecordedRun[] } {
  const runs: RecordedRun[] = [];
  const runner = (command: string, args: string[], options?: CommandOptions): Promise<CommandResult> => {
    runs.push({ command, args: [...args], options });
    const answer = script[`${command} ${args[0] ?? ""}`] ?? script[command];
    if (answer === undefined || answer === "not-found") {
      return Promise.reject(
        Object.assign(new Error(`spawn ${command} ENOENT`), { code: "ENOENT", syscall: `spawn ${command}` }),
      );
    }
    const result = typeof answer === "function" ? answer(args) : answer;
    return Promise.resolve({ code: 0, stdout: "", stderr: "", ...result });
  };
  return Object.assign(runner, { runs });
}
