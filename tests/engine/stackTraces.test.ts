/**
 * engine/stackTraces.ts: while the offline engine runs a program, stacks are their first line only
 * (no frames captured or formatted); after the run they are whole again.
 */
import { expect } from "chai";
import { runOffline } from "../../engine/offline";
import { plainStackTraces, restoreStackTraces } from "../../engine/stackTraces";
import { InputError } from "../../components/errors";

describe("engine/stackTraces.ts", () => {
  afterEach(() => restoreStackTraces());

  it("keeps the first line (name and message) and drops the frames, until restored", () => {
    const limit = Error.stackTraceLimit;
    plainStackTraces();
    expect(new Error("boom").stack).to.equal("Error: boom");
    // Frames captured (Resource.callsites() lifts the limit for its own read) are not formatted.
    Error.stackTraceLimit = Infinity;
    expect(new Error("deep").stack).to.equal("Error: deep");
    Error.stackTraceLimit = 0;
    expect(new InputError("args.x", 1, "must be a string").stack).to.equal(
      "InputError: args.x: 1 is invalid: must be a string",
    );
    // What Error.captureStackTrace gives an object that is not an Error.
    const holder: { stack?: string } = {};
    Error.captureStackTrace(holder);
    expect(holder.stack).to.equal("Error");
    restoreStackTraces();
    expect(Error.stackTraceLimit).to.equal(limit);
    expect(new Error("boom").stack).to.match(/^Error: boom\n\s+at /);
  });

  it("is what a program sees while the engine runs it, and not after", async () => {
    let during: string | undefined;
    await runOffline(
      () => {
        during = new Error("inside").stack;
        return Promise.resolve({});
      },
      { stack: "test" },
    );
    expect(during).to.equal("Error: inside");
    expect(new Error("after").stack).to.match(/^Error: after\n\s+at /);
  });
});
