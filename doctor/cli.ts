/**
 * `npm run doctor`: parses the arguments, finds the chain (the stacks' outputs or the flags), checks
 * both accounts' credentials, runs the mechanism's collector and chain/'s checkChain, and prints the
 * report (a table, or `--json`). Thin shell: the checks are chain/'s, the facts the collector's.
 *
 * Exit codes: 0 every check passed or skipped; 1 a check failed or is undecided (or the doctor could
 * not finish); 2 a usage or credential error.
 */
import { roleArnParts } from "../components/arn";
import { InputError } from "../components/errors";
import { type Mechanism } from "../components/mechanism";
import { checkChain, mechanismModule } from "../mechanisms/registry";
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
import { StackModeError } from "../stacks/grantsMode";
import { type StackGrants, readStackSource, standbySnapshot, withoutObjectRead } from "./grants";
import { StackInputError } from "./inputs";
import { type JudgedChain } from "./report";

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

/** What the doctor judges: one chain (named by the flags, or by single-grant stacks), or the stacks' grants. */
type Source = { mode: "single-grant"; chain: ChainInputs } | { mode: "grants"; grants: StackGrants };

/** The chain's names: the flags, or the stacks' outputs through the Automation API. */
async function chainSource(args: DoctorArgs, deps: DoctorDeps): Promise<Source> {
  if (args.source.kind === "explicit") return { mode: "single-grant", chain: args.source.chain };
  const { checkPulumiCli, explicitBackendUrl, isSelfManagedBackend, readProjectName, PreflightError } =
    await import("../cli/shared/pulumiCli");
  try {
    await checkPulumiCli(deps.run);
    const backendUrl = explicitBackendUrl(undefined, deps.env, deps.cwd);
    const workspace = await deps.createWorkspace({
      workDir: deps.workDir,
      project: readProjectName(deps.fs, deps.workDir),
      backendUrl,
      selfManaged: backendUrl !== undefined && isSelfManagedBackend(backendUrl),
    });
    const { stacks, clusterRegion, grant } = args.source;
    const source = await readStackSource(workspace, stacks, clusterRegion, grant);
    if (source.mode === "grants") return source;
    const chain = source.chain;
    return {
      mode: "single-grant",
      chain:
        args.source.sourceRoleArn !== undefined
          ? { ...chain, sourceRoleArn: args.source.sourceRoleArn }
          : chain,
    };
  } catch (error) {
    // An output this version does not understand (account-a's mechanism, a grant's field), a --grant
    // the stacks do not bind, or stacks of two modes: refused, one line.
    if (error instanceof InputError || error instanceof StackModeError) throw new UsageError(error.message);
    if (error instanceof PreflightError || error instanceof StackInputError) {
      throw new UsageError(
        `${error.message}\n(the stacks are read with the Pulumi CLI; without it, name the chain with --role-arn, ` +
          "--cluster, --cluster-region, --namespace, --service-account, --bucket and --key)",
      );
    }
    throw error;
  }
}

/** One chain to judge: its names and mechanism, and the grant it belongs to (grants mode). */
interface Job {
  chain: ChainInputs;
  mechanism: Mechanism;
  grant?: string;
  /** The grant's podCredentialPath, when it is another mechanism: this chain is the standby path. */
  standbyOf?: Mechanism;
}

/**
 * The chains to judge, once the flags that only make sense with one chain are checked: the single-grant
 * chain (its mechanism from --mechanism, the stacks, else IRSA), or each grant's chain of each
 * mechanism account-a's binding set up. Throws a {@link UsageError} for a flag these chains refuse.
 */
function jobsOf(args: DoctorArgs, source: Source): Job[] {
  if (source.mode === "grants") {
    if (args.mechanism !== undefined) {
      throw new UsageError(
        "--mechanism: the stacks are in grants mode, where each grant's binding says its mechanisms (account-a's " +
          "grants.<key>.mechanisms): drop --mechanism (and select one grant with --grant)",
      );
    }
    if (args.source.kind === "stacks" && args.source.sourceRoleArn !== undefined) {
      throw new UsageError(
        "--source-role-arn: the stacks are in grants mode, where each grant's handoff names its source roles: drop it",
      );
    }
    const jobs = source.grants.grants.flatMap((g) =>
      g.chains.map((c): Job => ({
        chain: c.chain,
        mechanism: c.mechanism,
        grant: g.key,
        ...(c.mechanism !== g.podCredentialPath ? { standbyOf: g.podCredentialPath } : {}),
      })),
    );
    for (const job of args.assume ? jobs : []) {
      if (job.chain.noObject !== undefined) {
        throw new UsageError(
          `grant ${job.grant}: --assume reads the grant's probe object, and ${job.chain.noObject} (or select another grant with --grant)`,
        );
      }
      const refusal = assumeRefusal(job.mechanism);
      if (refusal !== undefined) {
        throw new UsageError(`grant ${job.grant}: ${refusal} (select an IRSA-only grant with --grant)`);
      }
    }
    return jobs;
  }
  const { chain } = source;
  if (args.mechanism !== undefined && chain.mechanism !== undefined && chain.mechanism !== args.mechanism) {
    throw new UsageError(
      `the stacks deploy ${chain.mechanism} (${args.source.kind === "stacks" ? args.source.stacks.a : "account-a"}'s ` +
        `mechanism output), not ${args.mechanism}: pass --mechanism ${chain.mechanism}`,
    );
  }
  // Without --mechanism (only with the stacks): what they deploy (chainSource reads it through mechanisms/compat.ts).
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
  return [{ chain, mechanism }];
}

/** Runs the doctor once parsed; returns the exit code. */
async function doctor(args: DoctorArgs, deps: DoctorDeps): Promise<number> {
  const record: Recorder = deps.record ?? (() => undefined);
  const source = await chainSource(args, deps);
  const [aws, kube, report, { useColor }] = await Promise.all([
    import("./aws"),
    import("./kube"),
    import("./report"),
    import("../cli/shared/terminal"),
  ]);
  const jobs = jobsOf(args, source);
  const kubeconfig = source.mode === "grants" ? source.grants.kubeconfig : source.chain.kubeconfig;
  // The kubeconfig is the user's input: refused (exit 2) before any call to AWS.
  let kubeApi;
  if (args.cluster.enabled) {
    try {
      kubeApi = kube.kubeApi({
        ...(args.cluster.kubeconfig !== undefined
          ? { file: path.resolve(deps.cwd, args.cluster.kubeconfig) }
          : kubeconfig !== undefined
            ? { content: kubeconfig }
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
    // Every chain's role in --profile-b's account, before any chain is read.
    for (const { chain } of jobs) {
      const roleAccount = roleArnParts(chain.roleArn)?.account;
      if (roleAccount !== accounts.b) {
        throw new UsageError(
          `credentials: --profile-b is account ${accounts.b}, but the role ${chain.roleArn} is in account ${roleAccount}: ` +
            `pass --profile-b with credentials of account ${roleAccount}`,
        );
      }
    }
    const judged: JudgedChain[] = [];
    for (const job of jobs) {
      const { chain } = job;
      const clusterRegion = chain.clusterRegion ?? (await aws.defaultRegion(settings(args.profiles.a)));
      if (clusterRegion === undefined) {
        throw new UsageError("the cluster's region is unknown: pass --cluster-region (or set AWS_REGION)");
      }
      const bucketRegion =
        chain.bucketRegion ?? (await aws.defaultRegion(settings(args.profiles.b))) ?? "us-east-1";
      const collect = await mechanismModule(job.mechanism).doctorCollector();
      // A standby path's Kubernetes side is the path's chain's to judge: its collector skips the cluster.
      const standby = job.standbyOf !== undefined && kubeApi !== undefined ? job.standbyOf : undefined;
      const collected = await collect({
        chain,
        clusterRegion,
        bucketRegion,
        a,
        b,
        accounts,
        ...(kubeApi !== undefined && standby === undefined ? { kube: kubeApi } : {}),
        https: deps.https ?? {},
        assume: args.assume,
        env: deps.env,
        record,
      });
      const snapshot = standby === undefined ? collected : standbySnapshot(collected, standby);
      const where = `cluster ${chain.clusterName} (${clusterRegion}, account ${accounts.a})`;
      const object =
        chain.noObject === undefined
          ? `s3://${chain.bucket}/${chain.key}`
          : `bucket ${chain.bucket}, no probe object`;
      const rest = `ServiceAccount ${chain.namespace}/${chain.serviceAccount}, ${object}`;
      judged.push({
        ...(job.grant !== undefined ? { grant: job.grant } : {}),
        snapshot,
        results: withoutObjectRead(checkChain(snapshot), chain.noObject),
        title: report.liveTitle(snapshot, chain.roleArn, where, rest),
      });
    }
    const color = useColor(deps.isTTY, deps.env);
    if (source.mode === "grants") {
      const sections = report.grantSections(source.grants, judged);
      const out = report.doctorGrantsReport(sections, source.grants);
      deps.stdout(
        args.json
          ? `${JSON.stringify(out, null, 2)}\n`
          : report.renderDoctorGrants(sections, source.grants, { color }),
      );
      return out.ok ? EXIT.ok : EXIT.failed;
    }
    const { results, title } = judged[0];
    const out = report.doctorReport(results);
    if (args.json) deps.stdout(`${JSON.stringify(out, null, 2)}\n`);
    else deps.stdout(report.renderDoctor(results, { color, title }));
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
