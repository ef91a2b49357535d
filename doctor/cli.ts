/**
 * `npm run doctor`: parses the arguments, finds the chain (the stacks' outputs or the flags), checks
 * both accounts' credentials, runs the mechanism's collector and chain/'s checkChain, and prints the
 * report (a table, or `--json`). Thin shell: the checks are chain/'s, the facts the collector's.
 *
 * Exit codes: 0 no check failed; 1 a check failed (or the doctor could not finish); 2 a usage or
 * credential error.
 */
import { roleArnParts } from "../components/arn";
import { InputError } from "../components/errors";
import { type ChainSnapshot } from "../chain";
import { Mechanism, assertNever } from "../components/mechanism";
import * as path from "node:path";
import {
  DEFAULT_EXPLICIT_MECHANISM,
  EXIT,
  USAGE,
  assumeRefusal,
  parseDoctorArgs,
  type ChainInputs,
  type DoctorArgs,
} from "./args";
import { type HttpsOptions } from "./oidc";
import { type Recorder } from "./aws";
import {
  type CommandRunner,
  type Env,
  type FileSystem,
  execRunner,
  nodeFileSystem,
} from "../cli/shared/system";
import { type WorkspaceFactory } from "../cli/shared/workspace";

/**
 * Everything `main` touches outside the process; tests pass fakes.
 *
 * @internal exported for the tests only
 */
export interface DoctorDeps {
  env: Env;
  /** The repository root (Pulumi.yaml and the stack configs). */
  workDir: string;
  cwd: string;
  /** Whether stdout is a terminal (colour only then). */
  isTTY: boolean;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Runs external commands (the Pulumi CLI check, for the stacks). */
  run: CommandRunner;
  fs: FileSystem;
  createWorkspace: WorkspaceFactory;
  /** Receives every AWS command and Kubernetes request sent (tests prove a default run only reads). */
  record?: Recorder;
  /** How to reach the issuer over HTTPS (tests route its host to a loopback server). */
  https?: HttpsOptions;
}

/** A usage or credential error: exit 2 with its message. */
class UsageError extends Error {}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The chain's names: the flags, or the stacks' outputs through the Automation API. */
async function chainInputs(args: DoctorArgs, deps: DoctorDeps): Promise<ChainInputs> {
  if (args.source.kind === "explicit") return args.source.chain;
  const [
    { checkPulumiCli, explicitBackendUrl, isSelfManagedBackend, readProjectName, PreflightError },
    inputs,
  ] = await Promise.all([import("../cli/shared/pulumiCli"), import("./inputs")]);
  try {
    await checkPulumiCli(deps.run);
    const backendUrl = explicitBackendUrl(undefined, deps.env, deps.cwd);
    const workspace = await deps.createWorkspace({
      workDir: deps.workDir,
      project: readProjectName(deps.fs, deps.workDir),
      backendUrl,
      selfManaged: backendUrl !== undefined && isSelfManagedBackend(backendUrl),
    });
    const chain = await inputs.readStackInputs(workspace, args.source.stacks, args.source.clusterRegion);
    return args.source.sourceRoleArn !== undefined
      ? { ...chain, sourceRoleArn: args.source.sourceRoleArn }
      : chain;
  } catch (error) {
    // account-a's mechanism output names no mechanism this version knows: refused, one line.
    if (error instanceof InputError) throw new UsageError(error.message);
    if (error instanceof PreflightError || error instanceof inputs.StackInputError) {
      throw new UsageError(
        `${error.message}\n(the stacks are read with the Pulumi CLI; without it, name the chain with --role-arn, ` +
          "--cluster, --cluster-region, --namespace, --service-account, --bucket and --key)",
      );
    }
    throw error;
  }
}

/** Runs the doctor once parsed; returns the exit code. */
async function doctor(args: DoctorArgs, deps: DoctorDeps): Promise<number> {
  const record: Recorder = deps.record ?? (() => undefined);
  const chain = await chainInputs(args, deps);
  const [aws, kube, { checkChain, mechanismModule }, report, { useColor }] = await Promise.all([
    import("./aws"),
    import("./kube"),
    import("../mechanisms/registry"),
    import("./report"),
    import("../cli/shared/terminal"),
  ]);
  if (args.mechanism !== undefined && chain.mechanism !== undefined && chain.mechanism !== args.mechanism) {
    throw new UsageError(
      `the stacks deploy ${chain.mechanism} (${args.source.kind === "stacks" ? args.source.stacks.a : "account-a"}'s ` +
        `mechanism output), not ${args.mechanism}: pass --mechanism ${chain.mechanism}`,
    );
  }
  // Without --mechanism (only with the stacks): what they deploy (chainInputs reads it through mechanisms/compat.ts).
  const mechanism = args.mechanism ?? chain.mechanism ?? DEFAULT_EXPLICIT_MECHANISM;
  const refusal = args.assume ? assumeRefusal(mechanism) : undefined;
  if (refusal !== undefined) throw new UsageError(refusal);
  const refusesSourceRole = mechanismModule(mechanism).doctorRefuses.sourceRoleArn;
  if (refusesSourceRole && args.source.kind === "stacks" && args.source.sourceRoleArn !== undefined) {
    throw new UsageError(
      "--source-role-arn names Pod Identity's source role: the stacks deploy irsa (add --mechanism pod-identity " +
        "if they do not say)",
    );
  }
  const load = mechanismModule(mechanism).doctorCollector;
  // The kubeconfig is the user's input: refused (exit 2) before any call to AWS.
  let kubeApi;
  if (args.cluster.enabled) {
    try {
      kubeApi = kube.kubeApi({
        ...(args.cluster.kubeconfig !== undefined
          ? { file: path.resolve(deps.cwd, args.cluster.kubeconfig) }
          : chain.kubeconfig !== undefined
            ? { content: chain.kubeconfig }
            : {}),
        ...(args.cluster.context !== undefined ? { context: args.cluster.context } : {}),
        record,
      });
    } catch (error) {
      throw new UsageError(messageOf(error));
    }
  }

  const settings = (profile: string | undefined) => ({
    ...(profile !== undefined ? { profile } : {}),
    env: deps.env,
    record,
  });
  const a = await aws.accountClients(settings(args.profiles.a));
  let b: typeof a;
  try {
    b = await aws.accountClients(settings(args.profiles.b));
  } catch (error) {
    a.destroy();
    throw error;
  }
  try {
    const identity = async (side: "a" | "b", clients: typeof a) => {
      const flag = `--profile-${side}`;
      const which =
        args.profiles[side] !== undefined
          ? `${flag} ${args.profiles[side]}`
          : `the ambient credentials (no ${flag} given)`;
      try {
        return await clients.identity();
      } catch (error) {
        throw new UsageError(
          `credentials: ${which} cannot call sts:GetCallerIdentity: ${aws.awsErrorText(error)}`,
        );
      }
    };
    const accounts = { a: (await identity("a", a)).account, b: (await identity("b", b)).account };
    const roleAccount = roleArnParts(chain.roleArn)?.account;
    if (roleAccount !== accounts.b) {
      throw new UsageError(
        `credentials: --profile-b is account ${accounts.b}, but the role ${chain.roleArn} is in account ${roleAccount}: ` +
          `pass --profile-b with credentials of account ${roleAccount}`,
      );
    }
    const clusterRegion = chain.clusterRegion ?? (await aws.defaultRegion(settings(args.profiles.a)));
    if (clusterRegion === undefined) {
      throw new UsageError("the cluster's region is unknown: pass --cluster-region (or set AWS_REGION)");
    }
    const bucketRegion =
      chain.bucketRegion ?? (await aws.defaultRegion(settings(args.profiles.b))) ?? "us-east-1";
    const collect = await load();
    const snapshot = await collect({
      chain,
      clusterRegion,
      bucketRegion,
      a,
      b,
      accounts,
      ...(kubeApi !== undefined ? { kube: kubeApi } : {}),
      https: deps.https ?? {},
      assume: args.assume,
      env: deps.env,
      record,
    });
    const results = checkChain(snapshot);
    const out = report.doctorReport(results);
    if (args.json) deps.stdout(`${JSON.stringify(out, null, 2)}\n`);
    else {
      const where = `cluster ${chain.clusterName} (${clusterRegion}, account ${accounts.a})`;
      const rest = `ServiceAccount ${chain.namespace}/${chain.serviceAccount}, s3://${chain.bucket}/${chain.key}`;
      const title = liveTitle(snapshot, chain.roleArn, where, rest);
      deps.stdout(
        report.renderDoctor(results, {
          color: useColor(deps.isTTY, deps.env),
          title,
        }),
      );
    }
    return out.ok ? EXIT.ok : EXIT.failed;
  } finally {
    a.destroy();
    b.destroy();
  }
}

/**
 * What a run that ends without a report prints with `--json`: one object on stdout, `ok: false` and
 * the error (with the usage text for a usage error), so a script reading stdout always gets JSON.
 */
export interface DoctorErrorJson {
  ok: false;
  error: { message: string; usage?: string };
}

/** Whether the command line asks for `--json` (read raw: it may not parse). */
const wantsJson = (argv: readonly string[]) => argv.includes("--json") || argv.includes("--json=true");

/** The command: `main(process.argv.slice(2))`. Never throws; returns the exit code. */
export async function main(argv: string[], deps: DoctorDeps): Promise<number> {
  const json = wantsJson(argv);
  const fail = (code: number, message: string, usage?: string): number => {
    deps.stderr(`doctor: ${message}\n${usage !== undefined ? `\n${usage}\n` : ""}`);
    if (json) {
      const out: DoctorErrorJson = {
        ok: false,
        error: { message, ...(usage !== undefined ? { usage } : {}) },
      };
      deps.stdout(`${JSON.stringify(out, null, 2)}\n`);
    }
    return code;
  };
  const parsed = parseDoctorArgs(argv);
  if (parsed.kind === "help") {
    deps.stdout(json ? `${JSON.stringify({ ok: true, usage: USAGE }, null, 2)}\n` : `${USAGE}\n`);
    return EXIT.ok;
  }
  if (parsed.kind === "error") return fail(EXIT.usage, parsed.message, USAGE);
  try {
    return await doctor(parsed.args, deps);
  } catch (error) {
    if (error instanceof UsageError) return fail(EXIT.usage, error.message);
    return fail(EXIT.failed, `could not finish: ${messageOf(error)}`);
  }
}

/** The real process's streams, environment, Pulumi CLI and workspace. */
export function defaultDeps(): DoctorDeps {
  return {
    env: process.env,
    workDir: path.resolve(__dirname, ".."),
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    run: execRunner,
    fs: nodeFileSystem,
    createWorkspace: async (settings) =>
      (await import("../cli/shared/pulumiWorkspace")).createPulumiWorkspace(settings),
  };
}

if (require.main === module) {
  main(process.argv.slice(2), defaultDeps()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`doctor: ${messageOf(error)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}

/** The report's title: the chain, and the roles it runs through, in the words of its mechanism. */
function liveTitle(snapshot: ChainSnapshot, roleArn: string, where: string, rest: string): string {
  switch (snapshot.mechanism) {
    case Mechanism.Irsa:
      return `IRSA chain links (live): ${where}, role ${roleArn}, ${rest}`;
    case Mechanism.PodIdentity:
      return (
        `EKS Pod Identity chain links (live): ${where}, source role ${snapshot.sourceRole?.arn ?? "unknown"}, ` +
        `target role ${roleArn}, ${rest}`
      );
    case Mechanism.IrsaChained:
      return (
        `IRSA with role chaining chain links (live): ${where}, source role ${snapshot.sourceRole?.arn ?? "unknown"}, ` +
        `target role ${roleArn}, ${rest}`
      );
    default:
      return assertNever(snapshot, "mechanism");
  }
}
