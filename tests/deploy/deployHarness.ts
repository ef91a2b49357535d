/**
 * `npm run deploy` through the in-memory workspace, which runs the REAL stack programs (not a test
 * file): a harness over a stack pair, and what the tests read back from the in-memory backend.
 */
import { type RunOptions, deploy } from "../../deploy/orchestrator";
import { DEFAULT_STACKS } from "../../cli/shared/stacks";
import { type StackConfig } from "../../stacks/stackFile";
import { MemoryWorkspace } from "./memoryWorkspace";

/** The in-memory pair with `files` as the two stacks' config; `run` is one `npm run deploy`. */
export function harness(files: { a: StackConfig; b: StackConfig }) {
  const ws = new MemoryWorkspace({ [DEFAULT_STACKS.a]: files.a, [DEFAULT_STACKS.b]: files.b });
  const out: string[] = [];
  const err: string[] = [];
  const options: RunOptions = {
    workspace: ws,
    stacks: DEFAULT_STACKS,
    log: (l) => out.push(l),
    logError: (l) => err.push(l),
    now: ws.now,
    resumeCommand: (c) => `npm run ${c}`,
  };
  /** Switches both stacks' files (the user edits Pulumi.account-a.yaml and Pulumi.account-b.yaml). */
  const edit = (next: { a: StackConfig; b: StackConfig }) => {
    ws.stackFiles[DEFAULT_STACKS.a] = next.a;
    ws.stackFiles[DEFAULT_STACKS.b] = next.b;
  };
  /** One `npm run deploy`: the `up` calls it made, what it printed, and whether it succeeded. */
  const run = async () => {
    out.length = 0;
    err.length = 0;
    ws.calls.length = 0;
    const outcome = await deploy(options);
    return { outcome, ups: ws.callLog(["up"]), order: out.find((l) => l.startsWith("deploy order: ")) };
  };
  return { ws, out, err, options, edit, run };
}

/** A stack's `grants` output, as `{ key: mechanisms }` (account-a) or `{ key: handoff mechanisms }` (account-b). */
export function mechanismsOf(ws: MemoryWorkspace, stack: string): Record<string, unknown> {
  const grants = (ws.stacks.get(stack)?.outputs.grants?.value ?? {}) as Record<
    string,
    Record<string, unknown>
  >;
  return Object.fromEntries(
    Object.entries(grants).map(([k, g]) => [
      k,
      stack === DEFAULT_STACKS.a ? g.mechanisms : (g.handoff as { mechanisms: unknown }).mechanisms,
    ]),
  );
}
