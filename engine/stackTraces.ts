/**
 * Stack traces while the offline engine runs: the Pulumi runtime reads `new Error().stack` for every
 * resource and Output, and capturing and formatting those frames costs more than the program itself.
 */

let savedPrepareStackTrace: PropertyDescriptor | undefined | null = null;
let savedStackTraceLimit = Error.stackTraceLimit;

/**
 * Switches stack traces to Node's own formatting, with no frames, while the engine runs. The Pulumi
 * runtime reads `new Error().stack` for every resource and every Output (source positions, leak
 * diagnostics); under a source-mapping TypeScript loader (sucrase's, ts-node) each read was
 * source-mapped, which costs more than running the program.
 *
 * Tried and not kept: a formatter returning the first line only, so that the frames
 * `Resource.callsites()` captures (it lifts the limit for its own read) are not formatted: x0.93 the
 * CPU of the program-heavy tests, but x1.02-1.04 that of `npm run plan` (15 pairs each way), the
 * command users run.
 */
export function plainStackTraces(): void {
  if (savedPrepareStackTrace !== null) return;
  savedPrepareStackTrace = Object.getOwnPropertyDescriptor(Error, "prepareStackTrace");
  Object.defineProperty(Error, "prepareStackTrace", { value: undefined, writable: true, configurable: true });
  // Capturing and formatting frames is most of what those reads cost, and the mock engine needs none:
  // the runtime's debuggablePromise stores a stack on every promise that only its leak report reads
  // under PULUMI_DEBUG_PROMISE_LEAKS (docs/upstream-pulumi-promise-stacks.md). An error raised while a
  // program runs keeps its message, the only part the plan and the tests read (not its location).
  // Measured: 0 frames instead of 1 took x0.89 the CPU of the stack, deploy and plan tests.
  savedStackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
}

/** Restores the stack-trace formatting {@link plainStackTraces} replaced (source-mapped under a TypeScript loader). */
export function restoreStackTraces(): void {
  if (savedPrepareStackTrace === null) return;
  if (savedPrepareStackTrace) Object.defineProperty(Error, "prepareStackTrace", savedPrepareStackTrace);
  else Reflect.deleteProperty(Error, "prepareStackTrace");
  Error.stackTraceLimit = savedStackTraceLimit;
  savedPrepareStackTrace = null;
}
