/**
 * The automation CLI's world in memory: the repository's files, the scripted commands and the
 * workspace (not a test file).
 */
import { type CliDeps } from "../../deploy/cli";
import type { WorkspaceSettings } from "../../cli/shared/workspace";
import { MemoryFileSystem, type ScriptedAnswer, scriptedRunner } from "./fakeSystem";
import { MemoryWorkspace } from "./memoryWorkspace";

/** The role the committed account-b config names (a fixed roleName). */
export const ROLE_ARN = "arn:aws:iam::444455556666:role/irsa-demo-s3-reader";

export const REPO = "/repo";
export const CALLER = "arn:aws:sts::444455556666:assumed-role/irsa-demo-s3-reader/botocore-session-1";

export interface Harness {
  deps: CliDeps;
  out: string[];
  err: string[];
  ws: MemoryWorkspace;
  fs: MemoryFileSystem;
  run: ReturnType<typeof scriptedRunner>;
  settings: WorkspaceSettings[];
  questions: string[];
}

export function harness(
  options: {
    env?: Record<string, string>;
    script?: Record<string, ScriptedAnswer>;
    files?: Record<string, string>;
    isTTY?: boolean;
    answer?: boolean;
    ws?: MemoryWorkspace;
  } = {},
): Harness {
  const out: string[] = [];
  const err: string[] = [];
  const settings: WorkspaceSettings[] = [];
  const questions: string[] = [];
  const ws = options.ws ?? new MemoryWorkspace();
  const fs = new MemoryFileSystem({
    [`${REPO}/Pulumi.yaml`]: "name: cross-account-irsa\nruntime: nodejs\n",
    [`${REPO}/Pulumi.account-a.yaml`]: "config:\n  aws:region: eu-west-1\n",
    [`${REPO}/Pulumi.account-b.yaml`]: "config:\n  aws:region: eu-west-1\n",
    ...options.files,
  });
  const run = scriptedRunner({
    "pulumi version": { stdout: "v3.248.0\n" },
    "aws --version": { stdout: "aws-cli/2.27.50 Python/3.13.4 Linux/6.1.0 exe/x86_64.debian.12\n" },
    "pulumi whoami": { stdout: JSON.stringify({ user: "me", url: "file:///home/me/state" }) },
    ...options.script,
  });
  const deps: CliDeps = {
    env: options.env ?? { PULUMI_CONFIG_PASSPHRASE: "correct horse", AWS_PROFILE: "dev" },
    cwd: "/cwd",
    workDir: REPO,
    homeDir: "/home/me",
    tmpDir: "/tmp",
    isTTY: options.isTTY ?? false,
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
    confirm: (q) => {
      questions.push(q);
      return Promise.resolve(options.answer ?? true);
    },
    run,
    fs,
    listDirectory: (dir) =>
      [...fs.files.keys()].filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1)),
    createWorkspace: (s) => {
      settings.push(s);
      return Promise.resolve(ws);
    },
    now: ws.now,
  };
  return { deps, out, err, ws, fs, run, settings, questions };
}

export function podList(message: string): string {
  return JSON.stringify({
    items: [
      {
        metadata: { name: "access-check-0a1b2c3-xyz", creationTimestamp: "2025-01-01T00:00:00Z" },
        status: {
          phase: "Succeeded",
          containerStatuses: [{ name: "check", state: { terminated: { message } } }],
        },
      },
    ],
  });
}
