/**
 * `npm run bench`: the project's speed and capacity figures, as medians over several runs.
 *
 *  - the offline plan (`npm run plan`): wall time and peak memory, through /usr/bin/time -v;
 *  - module load: what importing the program's modules costs in a fresh Node process;
 *  - the unit suite's wall time, and the schema-analyzer test's;
 *  - trust-policy capacity: how many service accounts fit under 2048 and 4096 characters.
 *
 * Targets (checked here, never in unit tests): the offline plan ≤ 2 s wall and the unit suite
 * ≤ 10 s wall (medians) on the 2-core reference machine. Exits 1 when a target is missed, so CI or a
 * reviewer can run it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildTrustPolicy, type ServiceAccountRef } from "../components";

const ROOT = resolve(__dirname, "..");
/** The offline plan's target: median wall time, seconds. */
export const PLAN_TARGET_SECONDS = 2;
/** The unit suite's target: median wall time, seconds. */
export const UNIT_SUITE_TARGET_SECONDS = 10;
const NODE = process.execPath;
const TS_LOADER = ["-r", "sucrase/register/ts"];

/** The median of the values. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Timed {
  wallSeconds: number;
  maxRssMb: number;
  status: number;
}

/** Runs a command under /usr/bin/time -v and reads its wall time and peak RSS. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Timed {
  const r = spawnSync("/usr/bin/time", ["-v", cmd, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const err = r.stderr ?? "";
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(err);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  if (!wall || !rss)
    throw new Error(`could not read /usr/bin/time output for ${cmd} ${args.join(" ")}:\n${err.slice(-2000)}`);
  const wallSeconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { wallSeconds, maxRssMb: Number(rss[1]) / 1024, status: r.status ?? 1 };
}

function repeat(n: number, f: () => Timed): Timed[] {
  return Array.from({ length: n }, f);
}

/** How many service accounts (one cluster, typical EKS issuer) fit in a trust policy of maxSize. */
export function trustPolicyCapacity(maxSize: number, issuerRegion = "eu-west-1"): number {
  const hostPath = `oidc.eks.${issuerRegion}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`;
  const cluster = (sas: ServiceAccountRef[]) => [
    {
      oidcProviderArn: `arn:aws:iam::444455556666:oidc-provider/${hostPath}`,
      issuerUrl: `https://${hostPath}`,
      serviceAccounts: sas,
    },
  ];
  // Typical names: a 10-character namespace and a 14-character service account name.
  const sa = (i: number): ServiceAccountRef => ({
    namespace: "team-apps1",
    name: `reader-${String(i).padStart(7, "0")}`,
  });
  let n = 0;
  for (;;) {
    try {
      buildTrustPolicy(cluster(Array.from({ length: n + 1 }, (_, i) => sa(i))), { maxSize });
      n++;
    } catch {
      return n;
    }
  }
}

function main(): number {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const out = mkdtempSync(join(tmpdir(), "irsa-bench-"));
  const rows: Array<[string, string, string]> = [];
  let ok = true;
  try {
    const plan = repeat(runs, () => timed(NODE, [...TS_LOADER, "plan/cli.ts", "--out", out]));
    if (plan.some((p) => p.status !== 0)) throw new Error("npm run plan failed during the benchmark");
    const planWall = median(plan.map((p) => p.wallSeconds));
    const planRss = median(plan.map((p) => p.maxRssMb));
    rows.push(["plan: wall time (median)", `${planWall.toFixed(2)} s`, `target ≤ ${PLAN_TARGET_SECONDS} s`]);
    rows.push(["plan: peak RSS (median)", `${planRss.toFixed(0)} MB`, ""]);
    ok &&= planWall <= PLAN_TARGET_SECONDS;

    for (const [label, mod] of [
      ["load: @pulumi/pulumi", "@pulumi/pulumi"],
      ["load: @pulumi/aws (index)", "@pulumi/aws"],
      ["load: @pulumi/kubernetes (index)", "@pulumi/kubernetes"],
      ["load: @pulumi/eks", "@pulumi/eks"],
      ["load: components (policy core + components)", "./components"],
      ["load: account-b program", "./stacks/accountB"],
      ["load: account-a program", "./stacks/accountA"],
    ] as const) {
      const t = repeat(runs, () => timed(NODE, [...TS_LOADER, "-e", `require(${JSON.stringify(mod)})`]));
      rows.push([
        label,
        `${median(t.map((x) => x.wallSeconds)).toFixed(2)} s`,
        `${median(t.map((x) => x.maxRssMb)).toFixed(0)} MB`,
      ]);
    }
    const baseline = repeat(runs, () => timed(NODE, [...TS_LOADER, "-e", "0"]));
    rows.push([
      "load: node + sucrase loader baseline",
      `${median(baseline.map((x) => x.wallSeconds)).toFixed(2)} s`,
      "",
    ]);

    const testRuns = Math.max(3, Math.ceil(runs / 2));
    const tests = repeat(testRuns, () =>
      timed(NODE, ["node_modules/mocha/bin/mocha.js", "--reporter", "dot"]),
    );
    if (tests.some((t) => t.status !== 0)) throw new Error("the test suite failed during the benchmark");
    const testWall = median(tests.map((t) => t.wallSeconds));
    rows.push([
      `tests: unit suite wall time (median of ${testRuns})`,
      `${testWall.toFixed(2)} s`,
      `target ≤ ${UNIT_SUITE_TARGET_SECONDS} s`,
    ]);
    ok &&= testWall <= UNIT_SUITE_TARGET_SECONDS;

    const schema = repeat(3, () =>
      timed(NODE, [
        "node_modules/mocha/bin/mocha.js",
        "--config",
        ".mocharc.schema.json",
        "--reporter",
        "dot",
      ]),
    );
    if (schema.some((t) => t.status !== 0)) throw new Error("the schema test failed during the benchmark");
    rows.push([
      "tests: schema analyzer test wall time, packing the npm tarball included (median of 3)",
      `${median(schema.map((t) => t.wallSeconds)).toFixed(2)} s`,
      `${median(schema.map((t) => t.maxRssMb)).toFixed(0)} MB peak; parses @pulumi/aws's type declarations`,
    ]);

    rows.push([
      "trust policy: service accounts under 2048 chars",
      String(trustPolicyCapacity(2048)),
      "default IAM quota",
    ]);
    rows.push([
      "trust policy: service accounts under 4096 chars",
      String(trustPolicyCapacity(4096)),
      "raised quota",
    ]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  const width2 = Math.max(...rows.map((r) => r[1].length));
  console.log(`cross-account-irsa benchmark (${runs} runs each, medians; node ${process.version})\n`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(width)}  ${b.padStart(width2)}  ${c}`);
  console.log(ok ? "\nall targets met" : "\nTARGET MISSED");
  return ok ? 0 : 1;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 1;
  }
}
