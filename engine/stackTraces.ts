/**
 * Stack traces while the offline engine runs: the Pulumi runtime reads `new Error().stack` for every
 * resource and Output, and capturing and formatting those frames costs more than the program itself.
 */

let savedPrepareStackTrace: PropertyDescriptor | undefined | null = null;
let savedStackTraceLimit = Error.stackTraceLimit;

/**
 * Switches stack traces to no frames and their first line only while the engine runs. The Pulumi
 * runtime reads `new Error().stack` for every resource and every Output (source positions, leak
 * diagnostics); under a source-mapping TypeScript loader (sucrase's, ts-node) each read was
 * source-mapped, and even Node's own formatting of the frames costs more than running the program.
 */
export function plainStackTraces(): void {
  if (savedPrepareStackTrace !== null) return;
  savedPrepareStackTrace = Object.getOwnPropertyDescriptor(Error, "prepareStackTrace");
  Object.defineProperty(Error, "prepareStackTrace", { value: firstLine, writable: true, configurable: true });
  // Capturing and formatting frames is most of what those reads cost, and the mock engine needs none:
  // the runtime's debuggablePromise stores a stack on every promise that only its leak report reads
  // under PULUMI_DEBUG_PROMISE_LEAKS (docs/upstream-pulumi-promise-stacks.md). An error raised while a
  // program runs keeps its message, the only part the plan and the tests read (not its location).
  // Measured: 0 frames instead of 1 took x0.89 the CPU of the stack, deploy and plan tests.
  savedStackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
}

/**
 * A stack as its first line only (`<name>: <message>`, the line Node's own formatting starts with),
 * its frames not formatted: `Resource.callsites()` lifts the frame limit for its read of every
 * resource's stack, and formatting those frames was x1.08 the CPU of the program-heavy tests (7 pairs).
 * The runtime then finds no source position, which it would send to an engine that records none.
 */
function firstLine(error: unknown): string {
  return Error.prototype.toString.call(error);
}

/** Restores the stack-trace formatting {@link plainStackTraces} replaced (source-mapped under a TypeScript loader). */
export function restoreStackTraces(): void {
  if (savedPrepareStackTrace === null) return;
  if (savedPrepareStackTrace) Object.defineProperty(Error, "prepareStackTrace", savedPrepareStackTrace);
  else Reflect.deleteProperty(Error, "prepareStackTrace");
  Error.stackTraceLimit = savedStackTraceLimit;
  savedPrepareStackTrace = null;
}
