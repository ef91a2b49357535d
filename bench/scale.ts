/**
 * How the offline plan grows with the fleet: every step of `npm run plan` (the three program runs,
 * the plan's derivation with its access matrix, its rendering and its files) timed in this process
 * at N = 1, 32 and 212 service accounts of one Pod Identity chain (all in one namespace, the worst
 * case for the matrix's swapped pair), with the swapped pair itself, and IRSA's matrix on a trust
 * policy of N subjects. CPU time of this process (process.cpuUsage), median of the runs.
 *
 * A step is super-linear when, from N = 32 to N = 212, its time grows faster than N^1.25 (a linear
 * step with a fixed cost grows slower than N; a quadratic one like N^2); see {@link growthExponent}.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type ServiceAccountRef } from "../components";
import { type PolicyDocument } from "../components/policyDocument";
import { buildIrsaMatrix } from "../mechanisms/irsa/matrix";
import { swappedPair } from "../mechanisms/pod-identity/matrix";
import { buildPlan } from "../plan/build";
import { parsePlanConfigs } from "../plan/config";
import { planFiles } from "../plan/files";
import { runPasses } from "../plan/passes";
import { renderPlan } from "../plan/render";
import { loadStackConfig } from "../stacks/stackFile";

const ROOT = path.resolve(__dirname, "..");
/** The fleet sizes the issue asks for (212: the most one namespace's target trust holds under 4096 characters). */
export const SIZES = [1, 32, 212] as const;
/** The largest growth exponent from N = 32 to N = 212 a step may show. */
export const MAX_GROWTH_EXPONENT = 1.25;

/** CPU milliseconds (user + system) of this process that `f` takes. */
export function cpuMs(f: () => unknown): number {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** The same for an async step. */
export async function cpuMsAsync(f: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  await f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * CPU milliseconds of one call of a fast, pure step: called until 25 ms of CPU have passed (the
 * clock's resolution and the JIT's warm-up would otherwise be the measurement), divided by the calls.
 */
export function cpuMsPerCall(f: () => unknown): number {
  f();
  let calls = 0;
  const start = process.cpuUsage();
  let used: number;
  do {
    f();
    calls++;
    const u = process.cpuUsage(start);
    used = (u.user + u.system) / 1000;
  } while (used < 25);
  return used / calls;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * log(t(large) / t(small)) / log(large / small): 1 for a step proportional to N, below 1 when a fixed
 * cost dominates, 2 for a quadratic step. Times under 0.5 ms are raised to 0.5 ms (timer noise).
 */
export function growthExponent(small: number, tSmall: number, large: number, tLarge: number): number {
  return Math.log(Math.max(tLarge, 0.5) / Math.max(tSmall, 0.5)) / Math.log(large / small);
}

/** The Pod Identity example's two stack configs with N service accounts in one namespace. */
export function podIdentityConfigs(n: number, dir: string): { a: string; b: string } {
  const example = (stack: string) =>
    fs.readFileSync(path.join(ROOT, "examples", "pod-identity", `Pulumi.${stack}.yaml`), "utf8");
  const names = Array.from({ length: n }, (_, i) => `reader-${String(i).padStart(4, "0")}`);
  const a = example("account-a").replace("name: s3-reader", `name: ${names[0]}`);
  const list = names.map((name) => `    - namespace: team-a\n      name: ${name}\n`).join("");
  const b = example("account-b").replace(
    / {2}cross-account-irsa:serviceAccounts:\n(?: {4}- .*\n {6}.*\n)+/,
    `  cross-account-irsa:serviceAccounts:\n${list}`,
  );
  if (!b.includes(names[n - 1]))
    throw new Error("the Pod Identity example's serviceAccounts list has changed shape");
  const files = { a: path.join(dir, `a-${n}.yaml`), b: path.join(dir, `b-${n}.yaml`) };
  fs.writeFileSync(files.a, a);
  fs.writeFileSync(files.b, `${b}\n  cross-account-irsa:maxTrustPolicySize: 4096\n`);
  return files;
}

/** One step's times at each size. */
export interface ScaleRow {
  step: string;
  ms: number[];
  /** Marginal cost per service account from N = 32 to N = 212, ms. */
  perItemMs: number;
  exponent: number;
  ok: boolean;
}

function row(step: string, ms: number[]): ScaleRow {
  const [, n32, n212] = SIZES;
  const exponent = growthExponent(n32, ms[1], n212, ms[2]);
  return {
    step,
    ms,
    perItemMs: (ms[2] - ms[1]) / (n212 - n32),
    exponent,
    ok: exponent <= MAX_GROWTH_EXPONENT,
  };
}

/** Times every plan step at each size; `runs` repetitions of each, medians. */
export async function planScale(runs: number): Promise<ScaleRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "irsa-scale-"));
  const steps = new Map<string, number[]>();
  const add = (step: string, i: number, ms: number) => {
    const list = steps.get(step) ?? [];
    list[i] = ms;
    steps.set(step, list);
  };
  try {
    for (const [i, n] of SIZES.entries()) {
      const files = podIdentityConfigs(n, dir);
      const configA = loadStackConfig(files.a);
      const configB = loadStackConfig(files.b);
      const configs = parsePlanConfigs(configA, configB);
      add(
        "config parsing (both stacks)",
        i,
        median(Array.from({ length: runs }, () => cpuMsPerCall(() => parsePlanConfigs(configA, configB)))),
      );
      const runTimes: number[] = [];
      let passes: Awaited<ReturnType<typeof runPasses>> = [];
      for (let r = 0; r < runs; r++) {
        runTimes.push(await cpuMsAsync(async () => (passes = await runPasses(configA, configB, configs))));
      }
      add("program runs (3 passes, mock engine)", i, median(runTimes));
      let plan = buildPlan(passes, configs);
      if (!plan.ok)
        throw new Error(`the plan of ${n} service accounts is not ok: ${plan.problems.join("; ")}`);
      add(
        "plan derivation (checks, access matrix)",
        i,
        median(Array.from({ length: runs }, () => cpuMsPerCall(() => (plan = buildPlan(passes, configs))))),
      );
      add(
        "rendering",
        i,
        median(Array.from({ length: runs }, () => cpuMsPerCall(() => renderPlan(plan, { color: false })))),
      );
      add(
        "plan files",
        i,
        median(
          Array.from({ length: runs }, () =>
            cpuMsPerCall(() => planFiles(plan, { configA: files.a, configB: files.b })),
          ),
        ),
      );
      const trusted: ServiceAccountRef[] = configs.b.serviceAccounts;
      add(
        "Pod Identity swapped pair (one namespace)",
        i,
        median(Array.from({ length: runs }, () => cpuMsPerCall(() => swappedPair(trusted)))),
      );
      add(
        "IRSA access matrix",
        i,
        median(Array.from({ length: runs }, () => cpuMsPerCall(() => irsaMatrix(n)))),
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return [...steps].map(([step, ms]) => row(step, ms));
}

/**
 * IRSA's access matrix for N service accounts of one namespace. IAM caps a trust policy at 4096
 * characters (about 100 subjects), so the plan's IRSA runs never reach N = 212: the trust document is
 * written here the way buildTrustPolicy writes it (one statement, the subjects as a StringEquals list),
 * to time the matrix alone past that size.
 */
export function irsaMatrix(n: number): void {
  const host = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
  const providerArn = `arn:aws:iam::444455556666:oidc-provider/${host}`;
  const serviceAccounts = Array.from({ length: n }, (_, i) => ({ namespace: "team-a", name: `r-${i}` }));
  const trustPolicy: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${host}:aud`]: "sts.amazonaws.com",
            [`${host}:sub`]: serviceAccounts.map((sa) => `system:serviceaccount:${sa.namespace}:${sa.name}`),
          },
        },
      },
    ],
  };
  const rows = buildIrsaMatrix({
    configs: {
      b: {
        serviceAccounts,
        conditionTest: "StringEquals",
        prefixes: [],
        access: "read",
        bucket: { objectKey: "k" },
      },
    } as unknown as Parameters<typeof buildIrsaMatrix>[0]["configs"],
    providerArn,
    trustPolicy,
    permissionPolicies: [],
    bucketName: "bucket",
  });
  const wrong = rows.filter((r) => r.kind === "trust" && !r.ok);
  if (wrong.length > 0) throw new Error(`IRSA matrix bench: ${wrong.length} trust rows not as intended`);
}
