/**
 * How the offline plan grows with the grants of one stack pair (`cross-account-irsa:grants`): every
 * step of `npm run plan` in grants mode (config parsing, the three program runs, the plan's derivation
 * with every grant's matrix and chain, its rendering and its files) timed in this process at N = 1, 10
 * and 50 grants. The grants are generated: the mechanisms in turn (irsa, pod-identity, irsa-chained),
 * each grant its own namespace, service account and created bucket with an object to read, so every
 * binding deploys its probe. CPU time of this process (process.cpuUsage), median of the runs.
 *
 * A step is super-linear when, from N = 10 to N = 50, its time grows faster than N^1.25 (see
 * `growthExponent` in scale.ts); the marginal cost per grant is (t(50) - t(10)) / 40.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MECHANISMS } from "../components/mechanism";
import { buildGrantsPlan } from "../plan/grantsBuild";
import { parsePlanGrantsConfigs } from "../plan/grantsConfig";
import { grantsPlanFiles } from "../plan/grantsFiles";
import { renderGrantsPlan } from "../plan/grantsRender";
import { runPasses } from "../plan/passes";
import { loadStackConfig } from "../stacks/stackFile";
import { MAX_GROWTH_EXPONENT, cpuMsAsync, cpuMsPerCall, growthExponent, type ScaleRow } from "./scale";

/** The grant counts the issue asks for. */
export const GRANT_SIZES = [1, 10, 50] as const;

/** The two stack configs of `n` generated grants (see the file's comment). */
export function grantsConfigs(n: number): { a: string; b: string } {
  const grants = Array.from({ length: n }, (_, i) => {
    const id = String(i).padStart(3, "0");
    return { key: `grant-${id}`, mechanism: MECHANISMS[i % MECHANISMS.length], namespace: `team-${id}` };
  });
  const b = grants
    .map(
      (g) =>
        `    - key: ${g.key}\n      mechanism: ${g.mechanism}\n` +
        `      serviceAccounts:\n        - { namespace: ${g.namespace}, name: reader }\n` +
        `      buckets:\n        - { name: acme-${g.key}, create: true, prefixes: [data/], objectKey: data/check.txt }\n`,
    )
    .join("");
  const a = grants.map((g) => `    - key: ${g.key}\n      mechanism: ${g.mechanism}\n`).join("");
  return {
    a:
      'config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["111122223333"]\n' +
      `  cross-account-irsa:cluster:\n    version: "1.33"\n  cross-account-irsa:grants:\n${a}`,
    b: `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["444455556666"]\n  cross-account-irsa:grants:\n${b}`,
  };
}

function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function row(step: string, ms: number[]): ScaleRow {
  const [, n10, n50] = GRANT_SIZES;
  const exponent = growthExponent(n10, ms[1], n50, ms[2]);
  return {
    step,
    ms,
    perItemMs: (ms[2] - ms[1]) / (n50 - n10),
    exponent,
    ok: exponent <= MAX_GROWTH_EXPONENT,
  };
}

const WHOLE = "the whole plan (the steps above)";

/** Times every plan step at each grant count; `runs` repetitions of each, medians. */
export async function grantsScale(runs: number): Promise<ScaleRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "irsa-grants-scale-"));
  const steps = new Map<string, number[]>();
  const add = (step: string, i: number, ms: number) =>
    steps.set(step, Object.assign(steps.get(step) ?? [], { [i]: ms }));
  try {
    for (const [i, n] of GRANT_SIZES.entries()) {
      const texts = grantsConfigs(n);
      const files = { a: path.join(dir, `a-${n}.yaml`), b: path.join(dir, `b-${n}.yaml`) };
      fs.writeFileSync(files.a, texts.a);
      fs.writeFileSync(files.b, texts.b);
      const configA = loadStackConfig(files.a);
      const configB = loadStackConfig(files.b);
      const configs = parsePlanGrantsConfigs(configA, configB);
      const times = (f: () => unknown) => median(Array.from({ length: runs }, () => cpuMsPerCall(f)));
      add(
        "config parsing (both stacks)",
        i,
        times(() => parsePlanGrantsConfigs(configA, configB)),
      );
      const runTimes: number[] = [];
      let passes: Awaited<ReturnType<typeof runPasses>> = [];
      for (let r = 0; r < runs; r++) {
        runTimes.push(await cpuMsAsync(async () => (passes = await runPasses(configA, configB, configs))));
      }
      add("program runs (3 passes, mock engine)", i, median(runTimes));
      let plan = buildGrantsPlan(passes, configs);
      if (!plan.ok) throw new Error(`the plan of ${n} grants is not ok: ${plan.problems.join("; ")}`);
      add(
        "plan derivation (every grant's checks and matrix)",
        i,
        times(() => (plan = buildGrantsPlan(passes, configs))),
      );
      add(
        "rendering",
        i,
        times(() => renderGrantsPlan(plan, { color: false })),
      );
      add(
        "plan files",
        i,
        times(() => grantsPlanFiles(plan, { configA: files.a, configB: files.b })),
      );
      const whole = [...steps].filter(([step]) => step !== WHOLE).reduce((sum, [, ms]) => sum + ms[i], 0);
      add(WHOLE, i, whole);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return [...steps].map(([step, ms]) => row(step, ms));
}
