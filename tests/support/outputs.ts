import * as pulumi from "@pulumi/pulumi";

/**
 * Test helpers for Pulumi Outputs under the offline engine (not a test file: mocha only runs
 * `*.test.ts`).
 */

/** Resolves with the Output's value (never resolves for an unknown value: mocha's timeout reports it). */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise<T>((resolve) => o.apply(resolve));
}

/** One turn of the event loop: every queued promise job has run and Node has reported unhandled rejections. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Waits until every resource registration, read, invoke and log message the program has started has
 * reached the engine and been answered, or can never be; then one more turn of the event loop, so
 * that Node has reported any rejection they left unhandled. A test can then assert what was
 * registered, or that nothing was. No fixed sleep: it lasts as long as the work.
 *
 * The drain is `pulumi.runtime.disconnect()`, as in `engine/offline.ts`: it resolves once the
 * runtime's chain of pending operations is empty (each registration joins it before it awaits its
 * inputs; under the mock engine the monitor stays installed, so the program may go on registering
 * afterwards). A program that failed never drains: what waits on a failed resource waits for ever.
 * So the wait also ends after one turn of the event loop: under the mock engine the runtime, the
 * engine and the components make progress on promise jobs only (no timers, no I/O), and a turn runs
 * every job queued before it and every job those queue. Measured over the whole unit suite: every
 * wait either drained within its turn or was still blocked 300 ms later; none drained later.
 */
export async function settled(): Promise<void> {
  await Promise.race([pulumi.runtime.disconnect(), nextTurn()]);
  await nextTurn();
}

/** What {@link settledRun} saw: what `build` threw (undefined: nothing), and the unhandled rejections. */
export interface SettledRun {
  thrown: unknown;
  /** The rejections nobody handled while it ran and settled: what Pulumi's language host fails a run with. */
  unhandled: unknown[];
}

/**
 * Runs `build` (a component's construction, say) and waits until everything it started has
 * {@link settled}, collecting what it threw and the rejections nobody handled meanwhile. The test then
 * asserts a refusal happened once (thrown, none unhandled) or once the value resolved (unhandled).
 */
export async function settledRun(build: () => unknown): Promise<SettledRun> {
  const unhandled: unknown[] = [];
  const listener = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", listener);
  let thrown: unknown;
  try {
    await build();
  } catch (e) {
    thrown = e;
  } finally {
    await settled();
    process.off("unhandledRejection", listener);
  }
  return { thrown, unhandled };
}
