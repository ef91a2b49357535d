#!/usr/bin/env node
/**
 * `npx cross-account-irsa <command>`: the package's command line, compiled to JavaScript in the npm
 * tarball (dist/cli/, built by `npm run build`), so it runs with no TypeScript loader.
 *
 *   doctor  the live, read-only diagnosis of any cross-account IRSA or Pod Identity chain
 *   plan    the offline plan of this package's two stacks, on stack configs in the current folder
 *
 * Each command's module is loaded only when it is asked for (the doctor never loads the Pulumi SDK
 * and `--help` loads nothing else). The deploy commands are not here: they run this repository's
 * Pulumi project (Pulumi.yaml and its two programs), which an installed package does not have.
 */
import * as path from "node:path";

/** The commands this binary runs. */
export const COMMANDS = ["doctor", "plan"] as const;

/** The binary's help text. */
export const USAGE = `Usage: cross-account-irsa <command> [options]

Commands:
  doctor   diagnose a live cross-account IRSA or Pod Identity chain, read-only
           (cross-account-irsa doctor --help for its flags)
  plan     the offline plan of this package's stacks, from Pulumi.account-a.yaml and
           Pulumi.account-b.yaml in the current folder, written to ./out/plan
           (cross-account-irsa plan --help for its flags)

Exit codes are each command's own (see its --help); 2 for an unknown command.
`;

/**
 * The plan's defaults, relative to the folder it runs in (the package has no stack configs of its own).
 *
 * @internal exported for the tests only
 */
export function planDefaults(cwd: string): string[] {
  return [
    "--config-a",
    path.join(cwd, "Pulumi.account-a.yaml"),
    "--config-b",
    path.join(cwd, "Pulumi.account-b.yaml"),
    "--out",
    path.join(cwd, "out", "plan"),
  ];
}

/** Runs one command; resolves to its exit code. */
export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "doctor": {
      const doctor = await import("../doctor/cli");
      return doctor.main(rest, doctor.defaultDeps());
    }
    case "plan": {
      const plan = await import("../plan/cli");
      // Given flags come after the defaults: the later value of a flag wins.
      return plan.main([...planDefaults(process.cwd()), ...rest]);
    }
    case undefined:
    case "-h":
    case "--help":
    case "help":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`cross-account-irsa: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`cross-account-irsa: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
