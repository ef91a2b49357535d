/**
 * The doctor's command run in-process (not a test file): `main` with dependencies that touch nothing
 * outside the process unless a test gives its own (no commands, no workspace; the real file system,
 * read-only uses), and what it printed.
 */
import { main, type DoctorDeps } from "../../doctor/cli";
import { nodeFileSystem } from "../../cli/shared/system";

/** What a run printed, and its exit code. */
export interface DoctorRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the doctor on `argv`; `deps` replaces any default (a workspace, a command runner, `record`). */
export async function runDoctor(argv: string[], deps: Partial<DoctorDeps> = {}): Promise<DoctorRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    env: {},
    workDir: process.cwd(),
    cwd: process.cwd(),
    isTTY: false,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    run: () => Promise.reject(new Error("no commands in this test")),
    fs: nodeFileSystem,
    createWorkspace: () => Promise.reject(new Error("no workspace in this test")),
    ...deps,
  });
  return { code, stdout, stderr };
}
