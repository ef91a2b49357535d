/**
 * The npm tarball, packed once per mocha process and laid out in a temporary folder the way npm and
 * `pulumi package add` would see it, without a network (not a test file: mocha only runs `*.test.ts`):
 *
 * ```
 * <tmp>/cross-account-irsa-<version>.tgz    `npm pack` (its prepack script runs `npm run build`)
 * <tmp>/package/                            the tarball unpacked: a `pulumi package add ./package` source
 * <tmp>/consumer/node_modules/cross-account-irsa/
 *                                           the tarball unpacked again, as `npm install <tarball>` copies it
 * <tmp>/node_modules/<dependency>           a link to this repository's installed copy, for each runtime
 *                                           dependency the packed package.json declares, and @types/node
 * ```
 *
 * The dependencies are links rather than an `npm install --offline`: `npm ci` caches the tarballs of the
 * lock file but not the registry metadata npm needs to resolve the package's version ranges offline, and
 * copying @pulumi/aws and @pulumi/kubernetes (about 110 MB) would cost more than the whole test. Only what
 * the packed package.json declares is linked, so an import of an undeclared package fails here as it
 * would for a user, and Node resolves every link to one real path, so there is one @pulumi/pulumi.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");

/** The fields of a package.json these tests read. */
export interface PackageManifest {
  name: string;
  version: string;
  main?: string;
  types?: string;
  exports?: Record<string, unknown>;
  files?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface Packed {
  /** The temporary folder holding everything below (removed when the process exits). */
  dir: string;
  tarball: string;
  /** The paths `npm pack --json` reports in the tarball, relative to the package root, sorted. */
  files: string[];
  /** The tarball unpacked outside any node_modules folder: what `pulumi package add <path>` reads. */
  packageDir: string;
  /** The scratch program's folder; the package is installed in its node_modules. */
  consumerDir: string;
  /** `<consumerDir>/node_modules/cross-account-irsa`. */
  installedDir: string;
  /** The packed package.json. */
  manifest: PackageManifest;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never rejects (a failure is a non-zero status with stderr). */
export function run(cmd: string, args: string[], cwd: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (err) => resolve({ status: null, stdout, stderr: `${stderr}${String(err)}` }));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Throws with the command's output unless it exited 0. */
export function expectSuccess(what: string, r: RunResult): RunResult {
  if (r.status !== 0) {
    throw new Error(`${what} exited ${String(r.status)}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r;
}

/** npm, without the network and without the audit and funding notices. */
export function npm(args: string[], cwd = ROOT): Promise<RunResult> {
  return run(
    process.platform === "win32" ? "npm.cmd" : "npm",
    [...args, "--offline", "--no-audit", "--no-fund"],
    cwd,
  );
}

/** The JSON array `npm pack --json` prints (some npm versions print the prepack script's output first). */
export function packJson(stdout: string): { filename: string; files: { path: string }[] }[] {
  const start = stdout.search(/^\[/m);
  if (start < 0) throw new Error(`no JSON in npm pack's output:\n${stdout}`);
  return JSON.parse(stdout.slice(start)) as { filename: string; files: { path: string }[] }[];
}

function unpack(tarball: string, into: string): void {
  // npm tarballs hold one top folder, `package/`.
  fs.mkdirSync(into, { recursive: true });
  const r = spawnSync("tar", ["-xzf", tarball, "-C", into, "--strip-components=1"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tar -xzf ${tarball} failed: ${r.stderr}`);
}

/** Links `<dir>/node_modules/<name>` to this repository's installed copy. */
function linkDependency(dir: string, name: string): void {
  const target = path.join(ROOT, "node_modules", name);
  if (!fs.existsSync(path.join(target, "package.json"))) {
    throw new Error(`${name} is not installed in ${ROOT}/node_modules: run npm ci`);
  }
  const link = path.join(dir, "node_modules", name);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(target, link, "junction");
}

async function pack(): Promise<Packed> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cross-account-irsa-pack-"));
  if (!process.env.KEEP_PACKED) process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  else process.once("exit", () => process.stderr.write(`packed package kept in ${dir}\n`));

  const packed = expectSuccess("npm pack", await npm(["pack", "--json", "--pack-destination", dir]));
  const [info] = packJson(packed.stdout);
  const tarball = path.join(dir, info.filename);

  const packageDir = path.join(dir, "package");
  unpack(tarball, packageDir);
  const consumerDir = path.join(dir, "consumer");
  const installedDir = path.join(consumerDir, "node_modules", "cross-account-irsa");
  unpack(tarball, installedDir);

  const manifest = JSON.parse(
    fs.readFileSync(path.join(packageDir, "package.json"), "utf8"),
  ) as PackageManifest;
  for (const name of [...Object.keys(manifest.dependencies ?? {}), "@types/node"]) linkDependency(dir, name);

  return {
    dir,
    tarball,
    files: info.files.map((f) => f.path).sort(),
    packageDir,
    consumerDir,
    installedDir,
    manifest,
  };
}

/**
 * Where a process that packed hands the result to the processes it starts: mocha's global setup
 * (fixture.ts) packs in the main process, and the test files run in worker processes forked after it.
 */
const PACKED_ENV = "CROSS_ACCOUNT_IRSA_PACKED";

let packing: Promise<Packed> | undefined;

/**
 * The packed and laid-out tarball: from the parent process when it packed (see PACKED_ENV), otherwise
 * packed on first use; later calls in the same process share the result.
 */
export function packed(): Promise<Packed> {
  const inherited = process.env[PACKED_ENV];
  packing ??= inherited
    ? Promise.resolve(JSON.parse(inherited) as Packed)
    : pack().then((p) => {
        process.env[PACKED_ENV] = JSON.stringify(p);
        return p;
      });
  return packing;
}
