/**
 * `npm run deploy|preview|verify|destroy`: the command line of the Automation API orchestration
 * (argument parsing, the up-front checks, confirmation, and the command).
 */
import { readdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { type CommandName, errorText } from "./failure";
import {
  HELP_FLAG,
  STACK_FLAGS,
  STACK_FLAGS_USAGE,
  parseStackPair,
  type StackPair,
} from "../cli/shared/stacks";
import {
  PreflightError,
  checkPulumiCli,
  explicitBackendUrl,
  isSelfManagedBackend,
  normalizeBackendUrl,
  readProjectName,
} from "../cli/shared/pulumiCli";
import {
  type CommandRunner,
  type Env,
  type FileSystem,
  execRunner,
  nodeFileSystem,
} from "../cli/shared/system";
import type { WorkspaceFactory } from "../cli/shared/workspace";
import { checkStackFilesExist, checkStackPrograms } from "./flags";
import { type RunOutcome, deploy, destroy, preview } from "./orchestrator";
import {
  checkAwsCli,
  checkAwsCredentials,
  checkKubectl,
  checkPassphrase,
  currentBackendUrl,
  fileBackendDirectory,
  readStackFile,
} from "./preflight";
import { askYesNo } from "./prompt";
import { verifyOutputs } from "./verifyCommand";
import { GRANT_KEY_RULE, isGrantKey } from "../stacks/grantsMode";

/** The commands the CLI runs. */
export const COMMANDS = ["deploy", "preview", "destroy", "verify"] as const;

/** One of {@link COMMANDS}. */
export type Command = (typeof COMMANDS)[number];

/** Exit codes: success, failure, usage error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** The usage text `--help` prints. */
export const USAGE = `Usage: npm run <command> -- [options]
   or: node -r ./scripts/tsCache.js deploy/cli.ts <command> [options]

Runs the two stacks of the cross-account-irsa project with the Pulumi Automation API.

Commands:
  deploy    create or select both stacks, decide the order of their updates from their
            config and outputs (printed: a first deploy runs account-a, account-b,
            account-a; in grants mode a change that adds trust runs account-b first),
            run them; prints both stacks' outputs (secrets masked)
  preview   print the deploy's order, then preview each stack once in that order (each
            reads the other's current outputs)
  destroy   destroy account-a, then account-b
  verify    read the access-check Job's result from account-a's cluster and explain it
            (stacks in grants mode: each grant's Job, one report each)

Options:
${STACK_FLAGS_USAGE}
  --backend <url>    state backend, e.g. file://./state (default: PULUMI_BACKEND_URL, else the
                     backend of the current \`pulumi login\`)
  -y, --yes          do not ask before deploy or destroy (required when not on a terminal)
  --skip-aws-check   skip the AWS credential check (e.g. on EC2 with an instance profile)
  --grant <key>      verify only: with stacks in grants mode, verify only this grant
  -h, --help         show this help

Environment:
  PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE  required for self-managed backends
  PULUMI_BACKEND_URL                                         the backend when --backend is not given

Exit codes: 0 success, 1 failure, 2 usage error. verify exits 0 only when every grant it reads
was checked and passed: a grant without an access check (deployProbe: false, or no objectKey) is
reported NOT VERIFIED and exits 1, as a single-grant stack without its access check does.`;

/** Parsed command-line arguments. */
export interface CliArgs {
  command: Command;
  stacks: StackPair;
  /** `--backend`, normalised (relative file:// paths made absolute). */
  backend?: string;
  yes: boolean;
  skipAwsCheck: boolean;
  /** `--grant` (verify only): the one grant to verify; undefined: every grant account-a binds. */
  grant?: string;
  /** The flags as given, for the resume hint (`npm run deploy -- <flags>`). */
  flags: string[];
}

/** The outcome of argument parsing. */
export type ParsedCommandLine =
  { kind: "help" } | { kind: "run"; args: CliArgs } | { kind: "error"; message: string };

/**
 * Parses the command line (without `node` and the script). Never throws.
 *
 * @internal exported for the tests only
 */
export function parseCliArgs(argv: string[], cwd: string): ParsedCommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...STACK_FLAGS,
        backend: { type: "string" },
        yes: { type: "boolean", short: "y" },
        "skip-aws-check": { type: "boolean" },
        grant: { type: "string" },
        ...HELP_FLAG,
      },
    });
  } catch (error) {
    return { kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (positionals.length === 0)
    return { kind: "error", message: `no command given (one of ${COMMANDS.join(", ")})` };
  if (positionals.length > 1) return { kind: "error", message: `unexpected argument "${positionals[1]}"` };
  const command = positionals[0];
  if (!(COMMANDS as readonly string[]).includes(command)) {
    return { kind: "error", message: `unknown command "${command}" (one of ${COMMANDS.join(", ")})` };
  }
  const pair = parseStackPair(values);
  if (!pair.ok) return { kind: "error", message: pair.message };
  const stacks = pair.stacks;
  if (values.grant !== undefined && command !== "verify") {
    return {
      kind: "error",
      message: `--grant selects the grant verify reads: ${command} runs every grant of the stacks`,
    };
  }
  if (values.grant !== undefined && !isGrantKey(values.grant)) {
    return { kind: "error", message: `--grant: "${values.grant}" is not a grant key: it ${GRANT_KEY_RULE}` };
  }
  let backend: string | undefined;
  if (values.backend !== undefined) {
    try {
      backend = normalizeBackendUrl(values.backend, cwd);
    } catch (error) {
      return { kind: "error", message: `--backend: ${(error as Error).message}` };
    }
  }
  const flags: string[] = [];
  if (values["stack-a"] !== undefined) flags.push("--stack-a", stacks.a);
  if (values["stack-b"] !== undefined) flags.push("--stack-b", stacks.b);
  if (backend !== undefined) flags.push("--backend", backend);
  if (values.yes) flags.push("--yes");
  if (values["skip-aws-check"]) flags.push("--skip-aws-check");
  return {
    kind: "run",
    args: {
      command: command as Command,
      stacks,
      backend,
      yes: values.yes ?? false,
      skipAwsCheck: values["skip-aws-check"] ?? false,
      ...(values.grant !== undefined ? { grant: values.grant } : {}),
      flags,
    },
  };
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line that runs a command again with the same flags, e.g. `npm run deploy -- --yes`.
 *
 * @internal exported for the tests only
 */
export function resumeCommandLine(command: CommandName | "verify", flags: string[]): string {
  return flags.length === 0
    ? `npm run ${command}`
    : `npm run ${command} -- ${flags.map(shellQuote).join(" ")}`;
}

/**
 * Everything `main` touches outside the process; the tests pass fakes.
 *
 * @internal exported for the tests only
 */
export interface CliDeps {
  env: Env;
  /** The user's working directory (relative file:// backends resolve against it). */
  cwd: string;
  /** The repository root: `Pulumi.yaml` and the stack config files. */
  workDir: string;
  homeDir: string;
  tmpDir: string;
  /** True when stdin and stdout are a terminal, so a confirmation can be asked. */
  isTTY: boolean;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  confirm: (question: string) => Promise<boolean>;
  run: CommandRunner;
  fs: FileSystem;
  createWorkspace: WorkspaceFactory;
  /** Milliseconds clock. */
  now: () => number;
  /** True once the user pressed Ctrl-C. */
  wasInterrupted?: () => boolean;
  /** The names of the files in a directory (to list the stack files there); none when absent. */
  listDirectory?: (dir: string) => string[];
}

/**
 * The CLI: parses the arguments, runs the up-front checks (Pulumi CLI, backend, passphrase, AWS
 * credentials), asks for confirmation before deploy and destroy, and runs the command. Returns the
 * exit code.
 */
export async function main(argv: string[], deps: CliDeps): Promise<number> {
  const parsed = parseCliArgs(argv, deps.cwd);
  if (parsed.kind === "help") {
    deps.stdout(USAGE);
    return EXIT.ok;
  }
  if (parsed.kind === "error") {
    deps.stderr(`error: ${parsed.message}`);
    deps.stderr(USAGE);
    return EXIT.usage;
  }
  const args = parsed.args;
  const mutating = args.command === "deploy" || args.command === "destroy";
  if (mutating && !args.yes && !deps.isTTY) {
    deps.stderr(
      `error: ${args.command} changes cloud resources and there is no terminal to confirm on: ` +
        `pass --yes (e.g. \`${resumeCommandLine(args.command, [...args.flags, "--yes"])}\`).`,
    );
    return EXIT.usage;
  }
  try {
    return await runCommand(args, deps);
  } catch (error) {
    deps.stderr(`error: ${error instanceof PreflightError ? error.message : errorText(error)}`);
    return EXIT.failure;
  }
}

async function runCommand(args: CliArgs, deps: CliDeps): Promise<number> {
  const { stacks } = args;
  const explicitBackend = explicitBackendUrl(args.backend, deps.env, deps.cwd);
  const project = readProjectName(deps.fs, deps.workDir);
  const version = await checkPulumiCli(deps.run);
  const backendUrl = explicitBackend ?? (await currentBackendUrl(deps.run));
  const selfManaged = isSelfManagedBackend(backendUrl);
  const files = [
    readStackFile(deps.fs, deps.workDir, stacks.a),
    readStackFile(deps.fs, deps.workDir, stacks.b),
  ];
  if (args.command === "deploy" || args.command === "preview") {
    checkStackFilesExist(files, deps.listDirectory?.(deps.workDir) ?? []);
    checkStackPrograms(files, (file) => deps.fs.readFile(file));
  }
  checkPassphrase(files, selfManaged, backendUrl, deps.env, deps.fs);
  deps.stdout(`pulumi ${version}, backend ${backendUrl}${explicitBackend ? "" : " (current login)"}`);
  // Every command reaches the cluster through its kubeconfig's `aws eks get-token`, and @pulumi/eks
  // needs the AWS CLI to create it; verify also runs kubectl.
  deps.stdout(`aws-cli ${await checkAwsCli(deps.run)}`);
  if (args.command === "verify") await checkKubectl(deps.run);
  if (!args.skipAwsCheck) {
    for (const line of checkAwsCredentials(files, deps.env, deps.fs, deps.homeDir)) deps.stdout(line);
  }
  if (args.command === "deploy" || args.command === "destroy") {
    if (!args.yes) {
      const what = args.command === "deploy" ? "Deploy (create or update)" : "Destroy all resources of";
      const ok = await deps.confirm(`${what} stacks ${stacks.a} and ${stacks.b} on ${backendUrl}?`);
      if (!ok) {
        deps.stderr(`${args.command} cancelled: nothing was changed.`);
        return EXIT.failure;
      }
    }
  }
  // A self-managed state directory of a fresh clone does not exist yet: the Pulumi CLI does not
  // create it, so the first Automation API call would fail. Private: it holds encrypted secrets.
  const stateDirectory = explicitBackend && fileBackendDirectory(explicitBackend, deps.homeDir);
  if (stateDirectory) deps.fs.makeDirectory(stateDirectory, 0o700);
  const workspace = await deps.createWorkspace({
    workDir: deps.workDir,
    project,
    backendUrl: explicitBackend,
    selfManaged,
  });
  const cd =
    path.resolve(deps.cwd) === path.resolve(deps.workDir) ? "" : `cd ${shellQuote(deps.workDir)} && `;
  const backendEnv = explicitBackend ? `PULUMI_BACKEND_URL=${shellQuote(explicitBackend)} ` : "";
  const options = {
    workspace,
    stacks,
    log: deps.stdout,
    logError: deps.stderr,
    now: deps.now,
    wasInterrupted: deps.wasInterrupted,
    resumeCommand: (command: CommandName) => resumeCommandLine(command, args.flags),
    pulumiPrefix: `${cd}${backendEnv}`,
  };
  let outcome: RunOutcome;
  switch (args.command) {
    case "deploy":
      outcome = await deploy(options);
      break;
    case "preview":
      outcome = await preview(options);
      break;
    case "destroy":
      outcome = await destroy(options);
      break;
    case "verify": {
      if (!(await workspace.select(stacks.a))) {
        deps.stderr(
          `error: stack ${stacks.a} does not exist: run \`${options.resumeCommand("deploy")}\` first.`,
        );
        return EXIT.failure;
      }
      const verified = await verifyOutputs(
        { run: deps.run, fs: deps.fs, tmpDir: deps.tmpDir },
        await workspace.outputs(stacks.a),
        stacks.a,
        options.resumeCommand("deploy"),
        args.grant,
      );
      for (const line of verified.lines) (line.ok ? deps.stdout : deps.stderr)(line.text);
      return verified.code === 0 ? EXIT.ok : verified.code === 2 ? EXIT.usage : EXIT.failure;
    }
  }
  return outcome.ok ? EXIT.ok : EXIT.failure;
}

/** The real dependencies: this process's environment, terminal, file system and the Pulumi CLI. */
export function defaultDeps(wasInterrupted?: () => boolean): CliDeps {
  return {
    env: process.env,
    cwd: process.cwd(),
    workDir: path.resolve(__dirname, ".."),
    homeDir: os.homedir(),
    tmpDir: os.tmpdir(),
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    confirm: (question) => askYesNo(question),
    run: execRunner,
    fs: nodeFileSystem,
    listDirectory: (dir) => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    },
    createWorkspace: async (settings) =>
      (await import("../cli/shared/pulumiWorkspace")).createPulumiWorkspace(settings),
    now: () => Date.now(),
    wasInterrupted,
  };
}

if (require.main === module) {
  // Ctrl-C reaches the Pulumi CLI directly (same process group), which then finishes the operations
  // in flight and checkpoints. Stay alive to report where it stopped; a second Ctrl-C exits at once.
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts += 1;
    if (interrupts > 1) {
      process.stderr.write("second interrupt: exiting now; run the command again to resume.\n");
      process.exit(130);
    }
    process.stderr.write(
      "interrupt: waiting for Pulumi to finish the operations in flight (Ctrl-C again to quit)\n",
    );
  });
  main(
    process.argv.slice(2),
    defaultDeps(() => interrupts > 0),
  ).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${errorText(error)}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}
