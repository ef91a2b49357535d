/**
 * engine/stackTraces.ts: while the offline engine runs a program, stacks have no frames (their first
 * line only); after the run they are whole again.
 */
import { expect } from "chai";
import { runOffline } from "../../engine/offline";
import { plainStackTraces, restoreStackTraces } from "../../engine/stackTraces";
import { InputError } from "../../components/errors";

describe("engine/stackTraces.ts", () => {
  afterEach(() => restoreStackTraces());

  it("keeps the first line (name and message) and captures no frames, until restored", () => {
    const limit = Error.stackTraceLimit;
    plainStackTraces();
    expect(new Error("boom").stack).to.equal("Error: boom");
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
