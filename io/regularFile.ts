/**
 * Reading a local file a user names (a stack file, a kubeconfig): only a regular file, and never more
 * than a limit. A device (`/dev/zero`, `/dev/urandom`) never ends, a FIFO blocks until a writer comes,
 * a directory is no text: each is refused before a byte is read. The file is opened non-blocking and
 * checked on the open descriptor, so a FIFO put in its place after a first look cannot make the read
 * wait. The one reader of the plan, the deploy commands and the doctor; each words its own refusal.
 */
import * as fs from "node:fs";

/**
 * Why a file could not be read.
 *
 * @internal exported for the tests only
 */
export type UnreadableFile =
  /** It is there but is not a regular file: `kind` says what it is ("a FIFO", "a directory", ...). */
  | { problem: "not-regular"; kind: string }
  /** It is a regular file of more than `maxBytes` bytes. */
  | { problem: "too-large"; maxBytes: number }
  /** Opening or reading it failed: `code` is Node's error code (`ENOENT`, `EACCES`, ...). */
  | { problem: "error"; code: string };

/** A file {@link readRegularFile} refused, with the reason as data so each caller words it. */
export class UnreadableFileError extends Error {
  constructor(
    readonly path: string,
    readonly why: UnreadableFile,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${describeUnreadable(why)}`, options);
    this.name = "UnreadableFileError";
  }
}

/** The reason in words: "a FIFO, not a regular file", "larger than 262144 bytes", "ENOENT". */
export function describeUnreadable(why: UnreadableFile): string {
  switch (why.problem) {
    case "not-regular":
      return `${why.kind}, not a regular file`;
    case "too-large":
      return `larger than ${why.maxBytes} bytes`;
    case "error":
      return why.code;
  }
}

/** A stat's file type in words. */
export function fileKind(stats: fs.Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * The UTF-8 text of a regular file of at most `maxBytes` bytes; anything else throws an
 * {@link UnreadableFileError} before more than `maxBytes + 1` bytes are read.
 */
export function readRegularFile(path: string, maxBytes: number): string {
  const refuse = (why: UnreadableFile, cause?: unknown): never => {
    throw new UnreadableFileError(path, why, { cause });
  };
  let fd: number | undefined;
  try {
    const before = fs.statSync(path);
    if (!before.isFile()) refuse({ problem: "not-regular", kind: fileKind(before) });
    fd = fs.openSync(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const stats = fs.fstatSync(fd);
    if (!stats.isFile()) refuse({ problem: "not-regular", kind: fileKind(stats) });
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) refuse({ problem: "too-large", maxBytes });
    }
    return buffer.subarray(0, length).toString("utf8");
  } catch (e) {
    if (e instanceof UnreadableFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    return refuse({ problem: "error", code: typeof code === "string" ? code : String(e) }, e);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
