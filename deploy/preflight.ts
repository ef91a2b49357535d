/**
 * The checks made before anything runs: the Pulumi CLI, the backend, the passphrase and the AWS
 * credentials; each failure says what to install or set.
 */
import * as path from "node:path";
import { PreflightError, loadYaml } from "../cli/shared/pulumiCli";
import { shortStackName } from "../cli/shared/stacks";
import { type CommandRunner, type Env, type FileSystem, isCommandNotFound } from "../cli/shared/system";

/** Where to get the AWS CLI v2. */
export const AWS_CLI_INSTALL_URL =
  "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html";
/** Where to get kubectl. */
export const KUBECTL_INSTALL_URL = "https://kubernetes.io/docs/tasks/tools/";

/**
 * The oldest AWS CLI `@pulumi/eks` accepts, by major version: it asserts them before it creates a
 * cluster (`assertCompatibleAWSCLIExists`, nodejs/eks/dependencies.ts: minAWSCLIV1Version "1.24.0",
 * minAWSCLIV2Version "2.7.0"), and the cluster's kubeconfig runs `aws eks get-token`.
 */
export const MIN_AWS_CLI_VERSIONS: Readonly<Record<number, readonly [number, number, number]>> = {
  1: [1, 24, 0],
  2: [2, 7, 0],
};

/**
 * The stack's config file name, `Pulumi.<stack>.yaml` (short name), next to `Pulumi.yaml`.
 *
 * @internal exported for the tests only
 */
export function stackConfigFileName(stack: string): string {
  return `Pulumi.${shortStackName(stack)}.yaml`;
}

/**
 * Parses the version out of `aws --version` (`aws-cli/2.15.30 Python/3.11.8 Linux/...`).
 *
 * @internal exported for the tests only
 */
export function parseAwsCliVersion(output: string): [number, number, number] | undefined {
  const m = /aws-cli\/(\d+)\.(\d+)\.(\d+)/.exec(output);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/**
 * Runs `aws --version`; throws a {@link PreflightError} saying what to install when the AWS CLI is
 * missing or older than `@pulumi/eks` and the kubeconfig need. Returns the version.
 */
export async function checkAwsCli(run: CommandRunner): Promise<string> {
  const install = `install the AWS CLI v2 (${AWS_CLI_INSTALL_URL})`;
  let result;
  try {
    result = await run("aws", ["--version"]);
  } catch (error) {
    if (isCommandNotFound(error)) {
      throw new PreflightError(
        "The AWS CLI (`aws`) was not found on PATH. @pulumi/eks needs it to create the cluster, and the " +
          `cluster's kubeconfig runs \`aws eks get-token\`: ${install}, then run this command again.`,
      );
    }
    throw error;
  }
  const text = `${result.stdout} ${result.stderr}`.trim();
  const version = parseAwsCliVersion(text);
  if (result.code !== 0 || version === undefined) {
    throw new PreflightError(`\`aws --version\` did not report a version (exit ${result.code}): ${text}`);
  }
  const min = MIN_AWS_CLI_VERSIONS[version[0]] ?? MIN_AWS_CLI_VERSIONS[2];
  const older = version[0] < min[0] || (version[0] === min[0] && compareVersions(version, min) < 0);
  if (older) {
    throw new PreflightError(
      `The AWS CLI is ${version.join(".")}; @pulumi/eks needs at least ${min.join(".")} of this major version: ` +
        `${install}.`,
    );
  }
  return version.join(".");
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** Checks that kubectl is on PATH (verify reads the cluster with it); says where to get it otherwise. */
export async function checkKubectl(run: CommandRunner): Promise<void> {
  try {
    await run("kubectl", ["version", "--client", "--output", "json"]);
  } catch (error) {
    if (isCommandNotFound(error)) {
      throw new PreflightError(
        `kubectl was not found on PATH: verify reads the access check's result with it. Install it (${KUBECTL_INSTALL_URL}) and run verify again.`,
      );
    }
    throw error;
  }
}

/**
 * The directory of a `file://` backend URL (`~` is the home directory, as the Pulumi CLI reads it),
 * or undefined for other backends.
 */
export function fileBackendDirectory(url: string, homeDir: string): string | undefined {
  const m = /^file:\/\/(.*)$/i.exec(url);
  if (!m) return undefined;
  const rest = m[1];
  if (rest === "~" || rest.startsWith("~/")) return path.join(homeDir, rest.slice(1));
  return rest;
}

/**
 * The URL of the backend the Pulumi CLI is logged in to (`pulumi whoami --json`). Throws a
 * {@link PreflightError} saying how to log in when it is not logged in.
 */
export async function currentBackendUrl(run: CommandRunner): Promise<string> {
  const result = await run("pulumi", ["whoami", "--json", "--non-interactive"], {
    env: { PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  const howTo =
    "Log in with `pulumi login` (Pulumi Cloud) or `pulumi login file://<directory>` (a local state " +
    "directory), or pass --backend file://<directory> (or set PULUMI_BACKEND_URL).";
  if (result.code !== 0) {
    const reason = result.stderr.trim().split("\n")[0] ?? "";
    throw new PreflightError(`The Pulumi CLI is not logged in to a backend (${reason}). ${howTo}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    throw new PreflightError(
      `could not read \`pulumi whoami --json\` output: ${result.stdout.slice(0, 200)}`,
    );
  }
  const url = (parsed as { url?: unknown }).url;
  if (typeof url !== "string" || url === "") {
    throw new PreflightError(`\`pulumi whoami --json\` did not report a backend URL. ${howTo}`);
  }
  return url;
}

/** A stack's `Pulumi.<stack>.yaml`, as far as the checks need it. */
export interface StackFile {
  stack: string;
  path: string;
  exists: boolean;
  /** The `config:` map: `<namespace>:<key>` to the value. */
  config: Record<string, unknown>;
  /** The `secretsprovider:` entry, when there is one. */
  secretsProvider?: string;
  /** True when the file has an `encryptionsalt:` (its secrets use the passphrase provider). */
  hasEncryptionSalt: boolean;
}

/** Reads a stack's config file; a missing file is not an error (Pulumi creates it). */
export function readStackFile(fsys: FileSystem, workDir: string, stack: string): StackFile {
  const file = path.join(workDir, stackConfigFileName(stack));
  if (!fsys.exists(file)) return { stack, path: file, exists: false, config: {}, hasEncryptionSalt: false };
  const doc = loadYaml(fsys, file);
  const config =
    doc.config !== null && typeof doc.config === "object" ? (doc.config as Record<string, unknown>) : {};
  return {
    stack,
    path: file,
    exists: true,
    config,
    secretsProvider: typeof doc.secretsprovider === "string" ? doc.secretsprovider : undefined,
    hasEncryptionSalt: typeof doc.encryptionsalt === "string",
  };
}

/**
 * True when the stack's secrets use the passphrase provider: its file has an `encryptionsalt`, names
 * `passphrase`, or names no provider on a self-managed backend (where passphrase is the default).
 *
 * @internal exported for the tests only
 */
export function usesPassphrase(file: StackFile, selfManaged: boolean): boolean {
  if (file.hasEncryptionSalt) return true;
  if (file.secretsProvider !== undefined) return file.secretsProvider === "passphrase";
  return selfManaged;
}

/**
 * Fails before anything runs when a stack needs the passphrase and neither
 * `PULUMI_CONFIG_PASSPHRASE` nor `PULUMI_CONFIG_PASSPHRASE_FILE` is set (Pulumi would stop at a
 * prompt), or when the passphrase file does not exist.
 */
export function checkPassphrase(
  files: StackFile[],
  selfManaged: boolean,
  backend: string,
  env: Env,
  fsys: FileSystem,
): void {
  const needing = files.filter((f) => usesPassphrase(f, selfManaged)).map((f) => f.stack);
  if (needing.length === 0) return;
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return;
  const passphraseFile = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (passphraseFile) {
    if (fsys.exists(passphraseFile)) return;
    throw new PreflightError(`PULUMI_CONFIG_PASSPHRASE_FILE names ${passphraseFile}, which does not exist.`);
  }
  throw new PreflightError(
    `Stack${needing.length > 1 ? "s" : ""} ${needing.join(" and ")} on ${backend} encrypt secrets with a ` +
      "passphrase, and neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set " +
      "(Pulumi would stop at a passphrase prompt). Set one of them, e.g. " +
      "`export PULUMI_CONFIG_PASSPHRASE='<passphrase>'`, and use the same passphrase every time: " +
      "it decrypts the kubeconfig and the other secrets in the state.",
  );
}

/** Stack config keys through which the AWS provider gets its own credentials or role. */
const STACK_CREDENTIAL_KEYS = ["aws:profile", "aws:assumeRoles", "aws:assumeRole", "aws:accessKey"];

/**
 * The credential sources in the environment and home directory, in the AWS SDK's order of
 * precedence, each described; empty when there are none. Throws a {@link PreflightError} for an
 * access key id without its secret key.
 *
 * @internal exported for the tests only
 */
export function environmentCredentialSources(env: Env, fsys: FileSystem, homeDir: string): string[] {
  const sources: string[] = [];
  if (env.AWS_ACCESS_KEY_ID && !env.AWS_SECRET_ACCESS_KEY) {
    throw new PreflightError(
      "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or unset both.",
    );
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)
    sources.push("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
  if (env.AWS_PROFILE) sources.push(`AWS_PROFILE=${env.AWS_PROFILE}`);
  else if (env.AWS_DEFAULT_PROFILE) sources.push(`AWS_DEFAULT_PROFILE=${env.AWS_DEFAULT_PROFILE}`);
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) sources.push("AWS_WEB_IDENTITY_TOKEN_FILE");
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
    sources.push("container credentials (AWS_CONTAINER_CREDENTIALS_*_URI)");
  }
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE || path.join(homeDir, ".aws", "credentials");
  const configFile = env.AWS_CONFIG_FILE || path.join(homeDir, ".aws", "config");
  if (fsys.exists(credentialsFile)) sources.push(credentialsFile);
  if (fsys.exists(configFile)) sources.push(configFile);
  return sources;
}

/** The credential settings in a stack's config (`aws:profile`, `aws:assumeRoles`, ...), described. */
export function stackCredentialSources(file: StackFile): string[] {
  return STACK_CREDENTIAL_KEYS.filter((key) => {
    const value = file.config[key];
    return value !== undefined && value !== null && value !== "";
  }).map((key) => `${key} in ${path.basename(file.path)}`);
}

/**
 * Fails before anything runs when a stack has no AWS credential source at all: nothing in the
 * environment, no shared config or credentials file, and no `aws:profile` / `aws:assumeRoles` in its
 * stack config. Returns one line per stack naming the source(s) it will use.
 */
export function checkAwsCredentials(
  files: StackFile[],
  env: Env,
  fsys: FileSystem,
  homeDir: string,
): string[] {
  const fromEnvironment = environmentCredentialSources(env, fsys, homeDir);
  const lines: string[] = [];
  const missing: StackFile[] = [];
  for (const file of files) {
    const sources = [...stackCredentialSources(file), ...fromEnvironment];
    if (sources.length === 0) missing.push(file);
    else lines.push(`${file.stack}: AWS credentials from ${sources.join(", ")}`);
  }
  if (missing.length > 0) {
    const names = missing.map((f) => f.stack).join(" and ");
    const stackHints = missing
      .map(
        (f) =>
          `\`pulumi config set aws:profile <profile> --stack ${f.stack}\` (writes ${path.basename(f.path)})`,
      )
      .join(", ");
    throw new PreflightError(
      `No AWS credentials found for ${names}. Set one of: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ` +
        "(plus AWS_SESSION_TOKEN for temporary keys); AWS_PROFILE naming a profile in ~/.aws/config " +
        "(create one with `aws configure` or `aws configure sso`); AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN; " +
        `or aws:profile / aws:assumeRoles in the stack config, e.g. ${stackHints}. ` +
        "On an EC2 instance with an instance profile, pass --skip-aws-check.",
    );
  }
  return lines;
}
