/**
 * The process boundary the front ends share (deploy/'s commands and the doctor): running commands
 * and the file system, behind small interfaces the tests replace. The room below the front ends: it
 * imports none of them.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { readRegularFile } from "../../io/regularFile";

/** Environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

/**
 * What a finished external command returned. A command that cannot be started rejects instead.
 *
 * @internal exported for the tests only
 */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Options for one external command.
 *
 * @internal exported for the tests only
 */
export interface CommandOptions {
  /** Variables added to (and overriding) the inherited environment. */
  env?: Env;
  cwd?: string;
}

/**
 * Runs an external command to completion. Resolves with its exit code and output whatever the code;
 * rejects (with `code: "ENOENT"`) when the command is not installed.
 */
export type CommandRunner = (
  command: string,
  args: string[],
  options?: CommandOptions,
) => Promise<CommandResult>;

/** The file operations the automation needs; injectable so that checks can be tested. */
export interface FileSystem {
  exists(path: string): boolean;
  readFile(path: string): string;
  /** Writes a file, creating it with the given mode (e.g. 0o600) when it is new. */
  writeFile(path: string, data: string, mode: number): void;
  /** Removes a file or directory tree; no error when it is already gone. */
  remove(path: string): void;
  /** Creates a new private directory whose name starts with the prefix (a full path prefix). */
  makeTempDir(prefix: string): string;
  /** Creates a directory and its parents with the mode when missing; nothing when it exists. */
  makeDirectory(path: string, mode: number): void;
}

/** True when an error says the command could not be found (not installed or not on PATH). */
export function isCommandNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "ENOENT";
}

/** The real command runner, on `child_process.execFile` (no shell, so arguments are never re-parsed). */
export const execRunner: CommandRunner = (command, args, options = {}) =>
  new Promise<CommandResult>((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        maxBuffer: 64 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error && isCommandNotFound(error)) {
          reject(
            Object.assign(new Error(`${command}: command not found`, { cause: error }), { code: "ENOENT" }),
          );
          return;
        }
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });

/**
 * The most the deploy commands read of one local file (stack files, Pulumi.yaml): far above any real one.
 *
 * @internal exported for the tests only
 */
export const MAX_LOCAL_FILE_BYTES = 1024 * 1024;

/** The real file system, on `node:fs`. */
export const nodeFileSystem: FileSystem = {
  exists: (path) => fs.existsSync(path),
  // A stack file or Pulumi.yaml the user names: a FIFO or a device must never hang the command.
  readFile: (path) => readRegularFile(path, MAX_LOCAL_FILE_BYTES),
  writeFile: (path, data, mode) => fs.writeFileSync(path, data, { mode }),
  remove: (path) => fs.rmSync(path, { recursive: true, force: true }),
  makeTempDir: (prefix) => fs.mkdtempSync(prefix),
  makeDirectory: (path, mode) => {
    fs.mkdirSync(path, { recursive: true, mode });
  },
};
