/**
 * moto's server for the live-AWS tests: found on PATH, started once per run on a free loopback port
 * (retried if another process takes the port first), reset between chains, stopped at the end. Two
 * accounts: moto's default (123456789012, any unknown access key) is the cluster's; the role's is
 * reached with STS AssumeRole into another account id, whose credentials moto then maps to it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { EKSClient } from "@aws-sdk/client-eks";
import { IAMClient } from "@aws-sdk/client-iam";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";

/** moto's default account: the cluster's (A). */
export const ACCOUNT_A = "123456789012";
/** The role's account (B). */
export const ACCOUNT_B = "210987654321";
/** The region of the cluster and the bucket. */
export const REGION = "us-east-1";

/** Why moto cannot run here, or undefined when `moto_server` is on PATH. */
export function motoMissing(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v moto_server"], { encoding: "utf8" });
  return found.status === 0 && found.stdout.trim() !== ""
    ? undefined
    : "moto_server is not on PATH (install Python moto with its server extra: pip install 'moto[server]')";
}

/** A running moto server. */
export interface Moto {
  endpoint: string;
  /**
   * Clears every resource of every account (POST /moto-api/reset), then assumes into account B
   * again: moto maps temporary access keys to their account only while it remembers them.
   */
  reset(): Promise<void>;
  /** Temporary credentials of account B (from AssumeRole; new after each reset). */
  accountB: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  stop(): Promise<void>;
}

/** SDK clients of one account of moto (S3 path-style: moto's endpoint has no bucket subdomains). */
export function accountClients(moto: Moto, account: "a" | "b") {
  const config = {
    endpoint: moto.endpoint,
    region: REGION,
    credentials: account === "a" ? { accessKeyId: "testing", secretAccessKey: "testing" } : moto.accountB,
  };
  return {
    iam: new IAMClient(config),
    eks: new EKSClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    kms: new KMSClient(config),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(endpoint: string, child: ChildProcess, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    try {
      const r = await fetch(`${endpoint}/moto-api/data.json`);
      if (r.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/**
 * moto's EKS CreateCluster checks the role ARN's partition against `boto3.Session().
 * get_available_partitions()`, which reads and parses botocore's endpoint data anew on every call:
 * measured, most of moto's CPU time for a chain (the tests create a cluster for nearly every test).
 * The list is static data, so moto is started with a `sitecustomize` (Python imports it at start-up
 * from PYTHONPATH, https://docs.python.org/3/library/site.html) that answers it from the first
 * call's result: the same list, read once. Anything unexpected leaves moto as it is; MOTO_PLAIN=1
 * turns it off.
 */
const SITECUSTOMIZE = `
try:
    import boto3.session

    _read = boto3.session.Session.get_available_partitions
    _partitions = []

    def _get_available_partitions(self):
        if not _partitions:
            _partitions.append(list(_read(self)))
        return list(_partitions[0])

    boto3.session.Session.get_available_partitions = _get_available_partitions
except Exception:
    pass
`;

let sitecustomizeDir: string | undefined;

/** The environment that starts moto with {@link SITECUSTOMIZE} (empty with MOTO_PLAIN=1). */
function partitionsOnce(): Record<string, string> {
  if (process.env.MOTO_PLAIN === "1") return {};
  if (sitecustomizeDir === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moto-site-"));
    fs.writeFileSync(path.join(dir, "sitecustomize.py"), SITECUSTOMIZE);
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    sitecustomizeDir = dir;
  }
  const inherited = process.env.PYTHONPATH;
  return { PYTHONPATH: inherited ? `${sitecustomizeDir}${path.delimiter}${inherited}` : sitecustomizeDir };
}

/** Starts moto on a free loopback port (three tries) and gets account B's credentials. */
export async function startMoto(): Promise<Moto> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, ...partitionsOnce() },
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    if (await waitReady(endpoint, child, 30000)) {
      const stop = () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        });
      const assumeIntoB = async () => {
        const sts = new STSClient({
          endpoint,
          region: REGION,
          credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        });
        try {
          const out = await sts.send(
            new AssumeRoleCommand({
              RoleArn: `arn:aws:iam::${ACCOUNT_B}:role/moto-admin`,
              RoleSessionName: "tests",
            }),
          );
          const c = out.Credentials!;
          return {
            accessKeyId: c.AccessKeyId!,
            secretAccessKey: c.SecretAccessKey!,
            sessionToken: c.SessionToken!,
          };
        } finally {
          sts.destroy();
        }
      };
      const moto: Moto = {
        endpoint,
        stop,
        accountB: await assumeIntoB(),
        async reset() {
          const r = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
          if (!r.ok) throw new Error(`moto reset: HTTP ${r.status}`);
          moto.accountB = await assumeIntoB();
        },
      };
      return moto;
    }
    child.kill("SIGKILL");
    if (attempt >= 3) throw new Error(`moto_server did not start on ${endpoint}: ${stderr}`);
  }
}
