/**
 * What the offline plan's tests share (not a test file): the plan's I/O captured, the files it wrote
 * read back, a temporary directory per suite.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import type { CheckResult } from "../../chain";
import type { AccessRow } from "../../plan/matrix";
import type { PlanIo } from "../../plan/cli";

export const ROLE_ARN = "arn:aws:iam::444455556666:role/irsa-demo-s3-reader";
export const STS = "sts.amazonaws.com";

export interface Captured {
  io: PlanIo;
  stdout(): string;
  stderr(): string;
}

export function capture(cwd: string, overrides: Partial<PlanIo> = {}): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (s) => out.push(s),
      stderr: (s) => err.push(s),
      isTTY: false,
      env: {},
      cwd,
      ...overrides,
    },
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

export function readYaml(file: string): Record<string, unknown> {
  return yaml.load(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}

/** Every file under `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else found.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return found.sort();
}

export interface Summary {
  generator: string;
  ok: boolean;
  runs: Array<{
    step: number;
    stack: string;
    messages: string[];
    stackReferences: string[];
    outputs: Record<string, unknown>;
    resources: Array<{ type: string; name: string; inputs: Record<string, unknown> }>;
  }>;
  accessMatrix: AccessRow[];
  links: CheckResult[];
  manifests: Array<{ file: string; kind: string; valid: boolean }>;
  problems: string[];
  artifacts: Record<string, string>;
}

/** An ANSI SGR escape (colour). */
export const ANSI = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`);

/** A temporary directory for the enclosing suite: created before its tests, removed after them. */
export function suiteTempDir(prefix: string): () => string {
  let dir: string | undefined;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  after(() => {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (dir === undefined) throw new Error("suiteTempDir: read before the suite's before hook ran");
    return dir;
  };
}
