import type * as pulumi from "@pulumi/pulumi";

/**
 * Test helpers for Pulumi Outputs under the offline engine (not a test file: mocha only runs
 * `*.test.ts`).
 */

/** Resolves with the Output's value (never resolves for an unknown value: mocha's timeout reports it). */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise<T>((resolve) => o.apply(resolve));
}

/**
 * Waits long enough for any registration the runtime has queued to reach the engine, so a test can
 * assert that nothing was registered.
 */
export function settled(ms = 25): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
