/**
 * The doctor's AWS clients (SDK for JavaScript v3), one set per account: credentials from a profile
 * or the ambient chain, the SDK's own endpoint settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>,
 * endpoint_url), path-style S3 addressing when an endpoint is configured, and a recorder that sees
 * every command sent (so tests can prove the doctor is read-only). I/O shell: no checks here.
 */
import { STATUS_CODES } from "node:http";
import { EKSClient } from "@aws-sdk/client-eks";
import { IAMClient } from "@aws-sdk/client-iam";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

/** Static credentials, as STS returns them. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Receives `aws <Service>:<Operation>` for every command sent. */
export type Recorder = (call: string) => void;

/** Any v3 client: what the recorder hooks into. */
interface AnyClient {
  middlewareStack: {
    add: (
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: "initialize"; name: string },
    ) => void;
  };
}

/** Records every command a client sends, as `aws <Service>:<Operation>`. */
function recorded<C>(client: C, record: Recorder): C {
  (client as AnyClient).middlewareStack.add(
    (next, context) => (args) => {
      const service = (context.clientName ?? "?").replace(/Client$/, "");
      record(`aws ${service}:${(context.commandName ?? "?").replace(/Command$/, "")}`);
      return next(args);
    },
    { step: "initialize", name: "doctorRecorder" },
  );
  return client;
}

/** What one account's clients are made from. */
export interface AccountSettings {
  /** The AWS profile; undefined: the ambient credential chain. */
  profile?: string;
  /** Explicit credentials (the end-to-end test's assumed role); they win over the profile. */
  credentials?: Credentials;
  env: Record<string, string | undefined>;
  record: Recorder;
}

/**
 * The endpoint the environment names for a service (AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL),
 * or undefined. Read from the settings' environment and passed to the client explicitly, so the
 * endpoint and S3's path-style addressing come from the same environment (the SDK would read
 * process.env).
 */
export function endpointFor(env: Record<string, string | undefined>, service: string): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}

/** True when the SDK's endpoint settings send S3 somewhere else than AWS (moto, LocalStack, MinIO). */
export function customS3Endpoint(env: Record<string, string | undefined>): boolean {
  return endpointFor(env, "S3") !== undefined;
}

function base(settings: AccountSettings, region: string | undefined, service?: string) {
  const endpoint = service !== undefined ? endpointFor(settings.env, service) : undefined;
  return {
    ...(settings.profile !== undefined ? { profile: settings.profile } : {}),
    ...(settings.credentials !== undefined ? { credentials: settings.credentials } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(endpoint !== undefined ? { endpoint } : {}),
    maxAttempts: 2,
  };
}

/** The region the SDK resolves for these settings (profile, AWS_REGION), or undefined when none. */
export async function defaultRegion(settings: AccountSettings): Promise<string | undefined> {
  const probe = new STSClient(base(settings, undefined));
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

/** One account's clients. */
export interface AccountClients {
  sts: STSClient;
  iam: IAMClient;
  eks: (region: string) => EKSClient;
  s3: (region: string) => S3Client;
  kms: (region: string) => KMSClient;
  /** The account id and ARN of the credentials (STS GetCallerIdentity). */
  identity(): Promise<{ account: string; arn: string }>;
  destroy(): void;
}

/**
 * The clients of one account. IAM and STS use the profile's region or else us-east-1; the regional
 * clients are made per region on first use.
 */
export async function accountClients(settings: AccountSettings): Promise<AccountClients> {
  const region = (await defaultRegion(settings)) ?? "us-east-1";
  const made: Array<{ destroy(): void }> = [];
  const keep = <C extends { destroy(): void }>(c: C): C => {
    made.push(c);
    return recorded(c, settings.record);
  };
  const cache = new Map<string, unknown>();
  const regional =
    <C extends { destroy(): void }>(kind: string, make: (region: string) => C) =>
    (r: string): C => {
      const k = `${kind} ${r}`;
      if (!cache.has(k)) cache.set(k, keep(make(r)));
      return cache.get(k) as C;
    };
  const sts = keep(new STSClient(base(settings, region, "STS")));
  return {
    sts,
    iam: keep(new IAMClient(base(settings, region, "IAM"))),
    eks: regional("eks", (r) => new EKSClient(base(settings, r, "EKS"))),
    s3: regional(
      "s3",
      (r) =>
        new S3Client({
          ...base(settings, r, "S3"),
          followRegionRedirects: true,
          ...(customS3Endpoint(settings.env) ? { forcePathStyle: true } : {}),
        }),
    ),
    kms: regional("kms", (r) => new KMSClient(base(settings, r, "KMS"))),
    async identity() {
      const out = await sts.send(new GetCallerIdentityCommand({}));
      return { account: out.Account ?? "", arn: out.Arn ?? "" };
    },
    destroy() {
      for (const c of made) c.destroy();
    },
  };
}

/** An AWS SDK error as one line: its name (AWS's error code) and message. */
export function awsErrorText(error: unknown, operation?: string): string {
  if (error instanceof Error) {
    // A response without an error body (S3 answers every HEAD request so): the SDK calls it
    // "Unknown: UnknownError"; its HTTP status is what AWS said ("403 Forbidden on HeadObject").
    const status = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
    if (error.name === "Unknown" && typeof status === "number") {
      return `${status} ${STATUS_CODES[status] ?? "HTTP error"}${operation !== undefined ? ` on ${operation}` : ""}`;
    }
    const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return `${name}${error.message}`.trim();
  }
  return String(error);
}

/** The error's AWS code (`NoSuchEntity`, `NotFound`, ...) and HTTP status, when it has them. */
export function awsErrorCode(error: unknown): { code?: string; status?: number } {
  if (error === null || typeof error !== "object") return {};
  const e = error as { name?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const code = typeof e.Code === "string" ? e.Code : typeof e.name === "string" ? e.name : undefined;
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
  return { ...(code !== undefined ? { code } : {}), ...(status !== undefined ? { status } : {}) };
}
