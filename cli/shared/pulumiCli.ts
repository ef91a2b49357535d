/**
 * The Pulumi CLI and project checks the front ends that read the stacks share (deploy/'s commands
 * and the doctor): the CLI on PATH, the backend URL, the project name. The room below the front
 * ends: it imports none of them.
 */
import * as path from "node:path";
import { loadYamlDocument } from "../../stacks/stackFile";
import { type CommandRunner, type Env, type FileSystem, isCommandNotFound } from "./system";

/** A problem found before anything runs. Its message is shown to the user as it is. */
export class PreflightError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PreflightError";
  }
}

/**
 * Where to get the Pulumi CLI.
 *
 * @internal exported for the tests only
 */
export const PULUMI_INSTALL_URL = "https://www.pulumi.com/docs/install/";
/** Runs `pulumi version`; throws a {@link PreflightError} saying how to install the CLI when it is missing. */
export async function checkPulumiCli(run: CommandRunner): Promise<string> {
  let result;
  try {
    result = await run("pulumi", ["version"], { env: { PULUMI_SKIP_UPDATE_CHECK: "true" } });
  } catch (error) {
    if (isCommandNotFound(error)) {
      throw new PreflightError(
        "The Pulumi CLI (`pulumi`) was not found on PATH. The automation drives it, so install it first: " +
          `${PULUMI_INSTALL_URL} (then open a new shell so PATH picks it up, and run this command again).`,
      );
    }
    throw error;
  }
  if (result.code !== 0) {
    throw new PreflightError(`\`pulumi version\` failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return result.stdout.trim();
}

/**
 * Normalises a backend URL: it must have a scheme (`file://`, `s3://`, `https://`, ...); a relative
 * `file://` path is made absolute against `cwd`, so it means the same thing whatever directory Pulumi
 * runs in. Throws a {@link PreflightError} for a value without a scheme.
 */
export function normalizeBackendUrl(url: string, cwd: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(url.trim());
  if (!match) {
    throw new PreflightError(
      `backend "${url}" is not a URL: use file://<directory> for a state directory, s3://<bucket>, ` +
        "or https://api.pulumi.com for Pulumi Cloud",
    );
  }
  const [, scheme, rest] = match;
  if (scheme.toLowerCase() === "file" && rest !== "" && !rest.startsWith("/") && !rest.startsWith("~")) {
    return `file://${path.resolve(cwd, rest)}`;
  }
  return url.trim();
}

/** The backend the user asked for: `--backend`, else `PULUMI_BACKEND_URL`, else undefined (current login). */
export function explicitBackendUrl(flag: string | undefined, env: Env, cwd: string): string | undefined {
  const raw = flag ?? (env.PULUMI_BACKEND_URL ? env.PULUMI_BACKEND_URL : undefined);
  return raw === undefined ? undefined : normalizeBackendUrl(raw, cwd);
}

/** True for self-managed ("DIY") backends: file://, s3://, gs://, azblob://, postgres://. */
export function isSelfManagedBackend(url: string): boolean {
  return /^(file|s3|gs|azblob|postgres|postgresql):\/\//i.test(url);
}

/** Reads the project name from `Pulumi.yaml` in the working directory. */
export function readProjectName(fsys: FileSystem, workDir: string): string {
  const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(workDir, f)).find((f) => fsys.exists(f));
  if (!file) {
    throw new PreflightError(
      `no Pulumi.yaml in ${workDir}: the automation runs the Pulumi project found there`,
    );
  }
  const doc = loadYaml(fsys, file);
  const name = doc.name;
  if (typeof name !== "string" || name === "") {
    throw new PreflightError(`${file} has no project name (a top-level "name:" entry)`);
  }
  return name;
}

/** A YAML file as a mapping (anything else reads as empty); unreadable or invalid YAML is a {@link PreflightError}. */
export function loadYaml(fsys: FileSystem, file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = loadYamlDocument(fsys.readFile(file), file);
  } catch (error) {
    throw new PreflightError(error instanceof Error ? error.message : String(error));
  }
  return doc !== null && typeof doc === "object" ? (doc as Record<string, unknown>) : {};
}
