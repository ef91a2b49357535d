/**
 * `npm run plan`: the offline plan's command line. Runs account-a, account-b and account-a again
 * in-process on the committed (or given) stack configs, prints what `pulumi up` would create and
 * writes the artifacts (IAM documents, Kubernetes manifests, summary.json) to the output directory,
 * all or nothing.
 *
 * Exit codes: 0 the plan is as intended; 1 a config error, a failed program run, a broken link, an
 * access-matrix mismatch or an invalid manifest (nothing is written); 2 a usage error.
 */
import * as path from "node:path";
import type { Plan } from "./build";
import type { GrantsPlan } from "./grantsBuild";
import type { PlanConfigs } from "./config";
import type { PlanGrantsConfigs } from "./planInput";
import type { PlanPassError } from "./passes";

/**
 * Where the command writes and reads; injectable so tests capture everything in-process.
 *
 * @internal exported for the tests only
 */
export interface PlanIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal (colour is used only then). */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  /** Relative paths given on the command line are resolved against this directory. */
  cwd: string;
}

/** The parsed command line. */
export interface PlanArgs {
  help: boolean;
  /** Absolute path of account-a's stack config. */
  configA: string;
  /** Absolute path of account-b's stack config. */
  configB: string;
  /** Absolute path of the output directory. */
  outDir: string;
}

/** A command-line mistake: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The repository root (the defaults live there).
 *
 * @internal exported for the tests only
 */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** The command's help text. */
export const USAGE = `Usage: npm run plan -- [--config-a FILE] [--config-b FILE] [--out DIR]

Offline plan: runs the account-a and account-b programs in-process (no cloud, no Pulumi CLI, no
credentials) in deployment order (account-a, account-b, account-a again), prints what \`pulumi up\`
would create, and checks the chain (IRSA or EKS Pod Identity) and an access matrix on the planned documents.

Options:
  --config-a FILE  account-a's stack config (default: Pulumi.account-a.yaml in the repository root)
  --config-b FILE  account-b's stack config (default: Pulumi.account-b.yaml in the repository root)
  --out DIR        where to write the plan (default: out/plan/ in the repository root); replaced as a
                   whole, and only when the plan succeeds
  -h, --help       show this help

Writes: trust-policy.json and permission-policy.json (exactly as sent to IAM, plus .pretty.json
copies), bucket-policy.json, manifests/*.yaml (validated against the Kubernetes API schema) and
summary.json (runs, resources, outputs with secrets masked, access matrix, link checks).
Stacks in grants mode (cross-account-irsa:grants): one section per grant (each path its role trusts,
which path the pods take), its documents in grants/<key>/, and summary.json's grants.

Exit codes: 0 plan as intended; 1 config error, failed run, broken link, access mismatch or invalid
manifest (nothing written); 2 usage error.
`;

/**
 * Parses the command line; relative paths are resolved against `cwd`.
 *
 * @internal exported for the tests only
 */
export function parsePlanArgs(argv: string[], cwd: string): PlanArgs {
  const args: PlanArgs = {
    help: false,
    configA: path.join(REPO_ROOT, "Pulumi.account-a.yaml"),
    configB: path.join(REPO_ROOT, "Pulumi.account-b.yaml"),
    outDir: path.join(REPO_ROOT, "out", "plan"),
  };
  const options = { "--config-a": "configA", "--config-b": "configB", "--out": "outDir" } as const;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      args.help = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!(flag in options)) {
      throw new UsageError(arg.startsWith("-") ? `unknown option ${arg}` : `unexpected argument ${arg}`);
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "" || (eq < 0 && value.startsWith("--"))) {
      throw new UsageError(`${flag} needs a value`);
    }
    args[options[flag as keyof typeof options]] = path.resolve(cwd, value);
  }
  return args;
}

/** A path for messages: relative to cwd when inside it. */
function display(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

/** The real process's streams and environment. */
export function processIo(): PlanIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * Prints a built plan and, when it is as intended, writes its files atomically. Returns the exit
 * code. Split from {@link main} so tests can report a tampered plan.
 *
 * @internal exported for the tests only
 */
export async function reportPlan(plan: Plan | GrantsPlan, args: PlanArgs, io: PlanIo): Promise<number> {
  const [{ planFiles, writePlanAtomically }, { renderPlan, useColor }, grants] = await Promise.all([
    import("./files"),
    import("./render"),
    "mode" in plan ? Promise.all([import("./grantsFiles"), import("./grantsRender")]) : undefined,
  ]);
  const out = display(args.outDir, io.cwd).replace(/\/$/, "");
  const color = useColor(io.isTTY, io.env);
  const render = (written: boolean) =>
    "mode" in plan
      ? grants![1].renderGrantsPlan(plan, { color, outDir: out, written })
      : renderPlan(plan, { color, outDir: out, written });
  if (!plan.ok) {
    io.stdout(render(false));
    io.stderr(`plan: ${plan.problems.length} problem(s); nothing written to ${out}/\n`);
    return 1;
  }
  const sources = { configA: display(args.configA, io.cwd), configB: display(args.configB, io.cwd) };
  const files = "mode" in plan ? grants![0].grantsPlanFiles(plan, sources) : planFiles(plan, sources);
  writePlanAtomically(args.outDir, files);
  io.stdout(render(true));
  return 0;
}

/**
 * The command: `main(process.argv.slice(2))`. Never throws; returns the exit code. All output goes
 * through `io`.
 */
export async function main(argv: string[], io: PlanIo = processIo()): Promise<number> {
  let args: PlanArgs;
  try {
    args = parsePlanArgs(argv, io.cwd);
  } catch (e) {
    io.stderr(`plan: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout(USAGE);
    return 0;
  }
  const out = display(args.outDir, io.cwd);
  let passError: typeof PlanPassError | undefined;
  const files = { "account-a": args.configA, "account-b": args.configB };
  try {
    // The stack files first, before the SDKs load: a path that is no stack file (a device, a FIFO,
    // a directory, a huge file) is refused at once.
    const { loadStackConfig } = await import("../stacks/stackFile");
    const configA = loadStackConfig(args.configA);
    const configB = loadStackConfig(args.configB);
    // Loaded after the arguments are checked: --help and usage errors need none of the SDKs.
    const [config, passes, { buildPlan }, { isReplaceableOutDir }, { errorMessage }] = await Promise.all([
      import("./config"),
      import("./passes"),
      import("./build"),
      import("./files"),
      import("../engine/errors"),
    ]);
    passError = passes.PlanPassError;
    if (!isReplaceableOutDir(args.outDir)) {
      io.stderr(`plan: --out ${out} exists and is not an earlier plan's output: refusing to replace it\n`);
      return 2;
    }
    let configs: PlanConfigs | PlanGrantsConfigs;
    try {
      // The grants-mode parsers load only for a pair of files in grants mode.
      const { planMode } = await import("./planMode");
      configs =
        planMode(configA, configB) === "grants"
          ? (await import("./grantsConfig")).parsePlanGrantsConfigs(configA, configB)
          : config.parsePlanConfigs(configA, configB);
    } catch (e) {
      const stack = e instanceof config.PlanConfigError ? e.stackName : undefined;
      const where = stack ? `${display(files[stack], io.cwd)}: ` : "";
      io.stderr(
        `plan: ${where}${errorMessage(e instanceof config.PlanConfigError ? e.cause : e)}\nnothing written to ${out}/\n`,
      );
      return 1;
    }
    const recorded = await passes.runPasses(configA, configB, configs);
    // Manifests found valid by an earlier plan (same objects, same installed packages) are not
    // validated again: loading the validators is most of that step (plan/manifestValidation.ts).
    const validationCache = (await import("./manifestValidation")).diskValidationCache();
    if ("mode" in configs) {
      const { buildGrantsPlan } = await import("./grantsBuild");
      return await reportPlan(buildGrantsPlan(recorded, configs, undefined, validationCache), args, io);
    }
    return await reportPlan(buildPlan(recorded, configs, undefined, validationCache), args, io);
  } catch (e) {
    // A program's error names the config key; the run and the file say where it was written.
    const message =
      passError && e instanceof passError
        ? `${e.stackName} (step ${e.step} of 3) failed: ${display(files[e.stackName], io.cwd)}: ${String(
            e.cause instanceof Error ? e.cause.message : e.cause,
          )}`
        : e instanceof Error
          ? e.message
          : String(e);
    io.stderr(`plan: ${message}\nnothing written to ${out}/\n`);
    if (passError && e instanceof passError && e.messages.length > 0) {
      io.stderr(`program log:\n${e.messages.map((m) => `  ${m}`).join("\n")}\n`);
    }
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`plan: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
