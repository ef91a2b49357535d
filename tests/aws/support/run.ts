/**
 * Running the doctor in-process on the test world, and what its runs are checked against: the
 * `--json` schema and the read-only calls.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import Ajv from "ajv";
import { type CheckResult } from "../../../chain";
import { main, type DoctorDeps } from "../../../doctor/cli";
import { nodeFileSystem } from "../../../cli/shared/system";
import { CHAIN } from "./chain";
import { PI_CHAIN } from "./podIdentityChain";
import { world } from "./hooks";

/** The `--json` document's shape, strictly: no other property anywhere. */
export const REPORT_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["ok", "links"],
  properties: {
    ok: { type: "boolean" },
    links: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["link", "check", "status", "detail"],
        properties: {
          link: {
            enum: [
              ...["issuer", "oidc-provider", "trust-policy", "service-account", "permission"],
              ...["agent", "association", "source-role", "target-trust"],
            ],
          },
          check: { type: "string" },
          status: { enum: ["pass", "fail", "warn", "skip"] },
          detail: { type: "string" },
          fix: { type: "string" },
        },
      },
    },
  },
};
/** Validates a report against {@link REPORT_SCHEMA} (ajv, strict). */
export const validate = new Ajv({ strict: true, allErrors: true }).compile(REPORT_SCHEMA);

/** The test chain, named explicitly, with both accounts' profiles. */
export const EXPLICIT = [
  "--role-arn",
  CHAIN.roleArn,
  "--cluster",
  CHAIN.cluster,
  "--cluster-region",
  "us-east-1",
  "--namespace",
  CHAIN.namespace,
  "--service-account",
  CHAIN.serviceAccount,
  "--bucket",
  CHAIN.bucket,
  "--key",
  CHAIN.key,
  "--profile-a",
  "cluster-account",
  "--profile-b",
  "role-account",
];

/** The Pod Identity test chain, named explicitly: --role-arn is the target role. */
export const PI_EXPLICIT = [
  "--mechanism",
  "pod-identity",
  "--role-arn",
  PI_CHAIN.targetRoleArn,
  "--cluster",
  PI_CHAIN.cluster,
  "--cluster-region",
  "us-east-1",
  "--namespace",
  PI_CHAIN.namespace,
  "--service-account",
  PI_CHAIN.serviceAccount,
  "--bucket",
  PI_CHAIN.bucket,
  "--key",
  PI_CHAIN.key,
  "--profile-a",
  "cluster-account",
  "--profile-b",
  "role-account",
];

/** What a doctor run gave. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  calls: string[];
  /** The `--json` report (the run adds --json unless told not to). */
  links: CheckResult[];
}

/**
 * Runs the doctor in-process on the test world, with --json (unless `json: false`: the table) and
 * the kubeconfig unless told otherwise.
 */
export async function doctor(
  extra: string[] = [],
  options: { base?: string[]; deps?: Partial<DoctorDeps>; json?: boolean } = {},
): Promise<Run> {
  const w = world();
  let stdout = "";
  let stderr = "";
  const calls: string[] = [];
  const base = options.base ?? [...EXPLICIT, "--kubeconfig", w.kubeconfigFile];
  const code = await main([...base, ...(options.json === false ? [] : ["--json"]), ...extra], {
    env: process.env,
    workDir: path.resolve(__dirname, "../../.."),
    cwd: process.cwd(),
    isTTY: false,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    run: () => Promise.reject(Object.assign(new Error("pulumi: command not found"), { code: "ENOENT" })),
    fs: nodeFileSystem,
    createWorkspace: () => Promise.reject(new Error("no workspace in this test")),
    record: (c) => calls.push(c),
    https: w.https,
    ...options.deps,
  });
  let links: CheckResult[] = [];
  if (stdout.trim().startsWith("{")) links = (JSON.parse(stdout) as { links: CheckResult[] }).links;
  return { code, stdout, stderr, calls, links };
}

/** The failed checks. */
export const failing = (r: Run) => r.links.filter((l) => l.status === "fail");
/** The checks with a status. */
export const byStatus = (r: Run, status: string) =>
  r.links.filter((l) => l.status === status).map((l) => l.check);

/** Only reads: AWS Get/List/Describe/Head and STS GetCallerIdentity; Kubernetes GETs. */
export const READ_ONLY = /^(aws \w+:(Get|List|Describe|Head)\w*|k8s GET .*)$/;

/** Only reads, as the EKS and IAM stand-in saw them: EKS GETs, IAM Get and List actions. */
export const READ_ONLY_REQUEST = /^(GET \S+|POST \/ (Get|List)\w+) \([^)]+\)$/;

/**
 * What moto's `/moto-api/data.json` shows of its state (every account's resources of the services it
 * lists there: IAM, S3, STS, and KMS once used; not EKS, whose writes only the stand-in's request log
 * shows), to compare before and after a run. Without the user_id of STS's assumed roles: moto makes up
 * a new one each time it is read when the role is not in IAM (the test's AssumeRole into account B).
 */
export async function motoState(): Promise<string> {
  const r = await fetch(`${world().moto.endpoint}/moto-api/data.json`);
  if (!r.ok) throw new Error(`moto data.json: HTTP ${r.status}`);
  const state = (await r.json()) as { sts?: { AssumedRole?: Array<Record<string, unknown>> } };
  for (const role of state.sts?.AssumedRole ?? []) delete role.user_id;
  return JSON.stringify(state, null, 1);
}

/**
 * Runs the doctor as `npm run doctor` does, in its own process (`--json` added): its exit code, its
 * stdout, and that stdout parsed as the report (it must be only JSON).
 */
export async function doctorProcess(
  args: string[],
): Promise<{ code: number; stdout: string; report: { ok: boolean; links: CheckResult[] } }> {
  const result = await promisify(execFile)(
    process.execPath,
    ["-r", "./scripts/tsCache.js", "doctor/cli.ts", ...args, "--json"],
    { cwd: path.resolve(__dirname, "../../.."), env: { ...process.env, NO_COLOR: "1" } },
  ).then(
    (ok) => ({ code: 0, stdout: ok.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  return { ...result, report: JSON.parse(result.stdout) as { ok: boolean; links: CheckResult[] } };
}
