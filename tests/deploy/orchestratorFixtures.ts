/**
 * A deploy run against the in-memory workspace, with its output captured (not a test file).
 */
import { expect } from "chai";
import { type RunOptions, deploy } from "../../deploy/orchestrator";
import { DEFAULT_STACKS, type StackPair } from "../../cli/shared/stacks";
import { MemoryWorkspace } from "./memoryWorkspace";

export interface Harness {
  ws: MemoryWorkspace;
  out: string[];
  err: string[];
  options: RunOptions;
}

export function harness(
  ws = new MemoryWorkspace(),
  stacks: StackPair = DEFAULT_STACKS,
  interrupted = false,
): Harness {
  const out: string[] = [];
  const err: string[] = [];
  return {
    ws,
    out,
    err,
    options: {
      workspace: ws,
      stacks,
      log: (l) => out.push(l),
      logError: (l) => err.push(l),
      now: ws.now,
      wasInterrupted: () => interrupted,
      resumeCommand: (c) => `npm run ${c}`,
    },
  };
}

/** A fresh workspace deployed once, cleanly: the reference end state. */
export async function cleanDeployState(stacks: StackPair = DEFAULT_STACKS) {
  const h = harness(new MemoryWorkspace(), stacks);
  const outcome = await deploy(h.options);
  expect(outcome.ok, h.err.join("\n")).to.be.true;
  return { a: h.ws.snapshot(stacks.a), b: h.ws.snapshot(stacks.b) };
}
