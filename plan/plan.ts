import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Job } from "kubernetes-models/batch/v1/Job";
import { describeValue } from "../components/errors";
import { evaluateAccess, evaluateTrust, globMatch, type Decision } from "../components/evaluate";
import { normalizeIssuer } from "../components/issuer";
import { policySize, type PolicyDocument } from "../components/policyDocument";
import { STS_AUDIENCE, type ServiceAccountRef } from "../components/trustPolicy";
import { parseOidcProviderArn, parseRoleArn } from "../components/validation";
import {
  PROJECT,
  configGetters,
  parseAccountAConfig,
  parseAccountBConfig,
  type AccountAConfig,
  type AccountBConfig,
  type ConfigGetter,
} from "../stacks/config";
import { MockEngine, PLACEHOLDER_ACCOUNT_ID, type RecordedResource } from "../engine/mockEngine";
import { outputValues, runOffline, type ResolvedOutput } from "../engine/offline";
import { type StackConfig } from "../stacks/stackFile";
import { IRSA_LINKS } from "../deploy/verify";

/**
 * The offline plan (`npm run plan`): runs the real account-a and account-b programs in-process
 * under the mock engine, in the order a real deployment runs them (account-a, account-b, account-a
 * again), and derives from what they register everything a reviewer needs before `pulumi up`: the
 * resource trees, the IAM documents exactly as they would be sent, the Kubernetes manifests
 * (validated against the Kubernetes API schema), an access matrix evaluated on the planned
 * documents, and the five links of the IRSA chain checked offline.
 *
 * Running the programs is the only impure step ({@link runPasses}); everything after it is a pure
 * function of the recorded passes ({@link buildPlan}, {@link extractChain}, {@link checkLinks},
 * {@link renderPlan}, {@link planFiles}), so tests can feed it tampered records.
 */

/** The organization the plan runs the stacks in (a self-managed backend's). */
export const PLAN_ORGANIZATION = "organization";
/** Marks `summary.json` as written by the plan: only such a directory is ever replaced. */
export const PLAN_GENERATOR = "cross-account-irsa offline plan";
/** How long one program run may take before the plan gives up on it. */
export const PASS_TIMEOUT_MS = 30_000;

/** The two stacks of the project. */
export type StackName = "account-a" | "account-b";

/** One run of one stack program under the mock engine. */
export interface StackPass {
  /** Position in the deployment order, 1 to 3. */
  step: number;
  stack: StackName;
  /** What this run stands for, e.g. "account-a, second update". */
  title: string;
  /** Every registration, in the order the program made them. */
  resources: RecordedResource[];
  /** The stack's outputs, resolved, with their secret flags. */
  outputs: Record<string, ResolvedOutput>;
  /** What the program logged (pulumi.log), in order. */
  messages: string[];
  /** Fully qualified names of the stacks the program referenced. */
  stackReferences: string[];
}

/** The validated configuration of both stacks. */
export interface PlanConfigs {
  a: AccountAConfig;
  b: AccountBConfig;
}

/** A policy document exactly as the program sends it, parsed. */
export interface PlannedDocument {
  /** The compact JSON, byte for byte what IAM (or S3) would receive. */
  json: string;
  doc: PolicyDocument;
  /** Characters as IAM counts them against its quotas. */
  size: number;
}

/** One Kubernetes object the final account-a run would apply. */
export interface PlannedManifest {
  kind: string;
  name: string;
  namespace?: string;
  /** Path of the YAML file, relative to the output directory. */
  file: string;
  /** The object: apiVersion, kind, metadata, then the rest of the recorded inputs. */
  object: Record<string, unknown>;
  /** True when the name is the engine's placeholder for an auto-generated name. */
  autoNamed: boolean;
  /** `valid`, or the schema errors (kubernetes-models). */
  validation: { valid: true } | { valid: false; errors: string };
}

/** One row of the access matrix: a request, what the config intends, what the documents decide. */
export interface AccessRow {
  /** `trust`: sts:AssumeRoleWithWebIdentity against the trust policy; `access`: the permission policy. */
  kind: "trust" | "access";
  /** Who or what is asking, in words. */
  subject: string;
  action: string;
  /** The provider ARN (trust) or the resource ARN (access). */
  resource: string;
  /** Request context, e.g. the token claims or `s3:prefix`. */
  context: Record<string, string>;
  /** What the configuration intends. */
  expected: "allow" | "deny";
  /** What the planned document decides. */
  actual: Decision;
  /** The evaluator's explanation. */
  reason: string;
  ok: boolean;
}

/** The outcome of one offline check of an IRSA link. */
export interface LinkCheck {
  link: 1 | 2 | 3 | 4 | 5;
  /** What is checked, in words. */
  name: string;
  status: "pass" | "fail" | "skip";
  /** What was compared. */
  detail: string;
  /** How to repair it, for a failing check. */
  fix?: string;
}

/** What the links are checked on: the values read from the recorded passes. */
export interface ChainSnapshot {
  /** account-a's `oidcIssuerUrl` output (final run). */
  issuerUrl?: string;
  /** account-b's IAM OIDC provider. */
  provider?: { arn: string; url?: string; clientIds?: string[]; adopted: boolean };
  /** account-b's role. */
  role?: { arn: string; trustPolicy: string };
  /** account-b's permission policies (JSON), by policy name. */
  permissionPolicies: Record<string, string>;
  /** The service accounts account-b's role trusts (its `serviceAccounts` output). */
  trusted: ServiceAccountRef[];
  /** account-b's bucket and the object the access check reads. */
  bucketName?: string;
  objectKey?: string;
  /** The ServiceAccount of the final account-a run. */
  serviceAccount?: { namespace: string; name: string; annotations: Record<string, string> };
  /** Deployments and Jobs of the final account-a run. */
  workloads: PlannedWorkload[];
  /** Whether account-a deploys the reader and the access check. */
  deployProbe: boolean;
}

/** A pod-running object of the final account-a run. */
export interface PlannedWorkload {
  kind: string;
  name: string;
  namespace?: string;
  serviceAccountName?: string;
  /** Environment of the first container (`S3_BUCKET`, `S3_OBJECT_KEY`, `EXPECTED_ROLE_ARN`, ...). */
  env: Record<string, string>;
}

/** The complete plan. */
export interface Plan {
  organization: string;
  passes: StackPass[];
  configs: PlanConfigs;
  trustPolicy: PlannedDocument;
  permissionPolicies: Array<{ name: string } & PlannedDocument>;
  bucketPolicy?: PlannedDocument;
  manifests: PlannedManifest[];
  matrix: AccessRow[];
  links: LinkCheck[];
  /** Problems that fail the plan, in words (mismatched matrix rows, broken links, invalid manifests). */
  problems: string[];
  ok: boolean;
}

// ---------------------------------------------------------------------------------------------
// Configuration

/** Config getters over a parsed stack config file, with the programs' semantics (JSON parsed). */
export function stackConfigGetters(config: StackConfig): { get: ConfigGetter; getAws: ConfigGetter } {
  return configGetters((namespace, key) => config.config[`${namespace}:${key}`]);
}

/** A stack config that fails validation; `cause` is the IrsaInputError naming field, value and rule. */
export class PlanConfigError extends Error {
  constructor(
    public readonly stackName: StackName,
    public readonly cause: unknown,
  ) {
    super(`${stackName}: ${errorMessage(cause)}`);
    this.name = "PlanConfigError";
  }
}

/**
 * Validates both stack configs exactly as the programs will (stacks/config.ts), before anything runs.
 * Throws a {@link PlanConfigError} naming the stack, wrapping the IrsaInputError.
 */
export function parsePlanConfigs(
  configA: StackConfig,
  configB: StackConfig,
  organization = PLAN_ORGANIZATION,
): PlanConfigs {
  const parse = <T>(
    stack: StackName,
    config: StackConfig,
    parser: typeof parseAccountAConfig | typeof parseAccountBConfig,
  ) => {
    const { get, getAws } = stackConfigGetters(config);
    try {
      return parser(get, getAws, organization) as T;
    } catch (e) {
      throw new PlanConfigError(stack, e);
    }
  };
  return {
    a: parse<AccountAConfig>("account-a", configA, parseAccountAConfig),
    b: parse<AccountBConfig>("account-b", configB, parseAccountBConfig),
  };
}

// ---------------------------------------------------------------------------------------------
// Running the programs (the impure part)

/** A failure of one program run, naming the run. */
export class PlanPassError extends Error {
  constructor(
    public readonly step: number,
    public readonly stackName: StackName,
    public readonly cause: unknown,
    public readonly messages: string[],
  ) {
    super(`${stackName} (step ${step} of 3) failed: ${errorMessage(cause)}`);
    this.name = "PlanPassError";
  }
}

/** The message of an error, without the Pulumi runtime's wrapping. */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .replace(/^Running program '[^']*' failed with an unhandled exception:\s*/, "")
    .replace(/^(error serializing property "[^"]*": )+/, "")
    .trim();
}

type Program = () => Promise<Record<string, unknown>>;

/**
 * Runs the three program runs of a deployment, each on a fresh mock engine: account-a (account-b
 * has no outputs yet, so the workload is skipped), account-b (reading account-a's planned outputs
 * through its StackReference), account-a again (reading account-b's). Throws a {@link PlanPassError}
 * for the first run that fails.
 */
export async function runPasses(
  configA: StackConfig,
  configB: StackConfig,
  configs: PlanConfigs,
  organization = PLAN_ORGANIZATION,
): Promise<StackPass[]> {
  // Loaded here, not at the top: they pull in the provider SDKs, which pure callers do not need.
  const [{ accountA }, { accountB }] = await Promise.all([
    import("../stacks/accountA"),
    import("../stacks/accountB"),
  ]);
  // A failed Output inside a program (a check in an apply) surfaces as an unhandled rejection while
  // the program's own promise never settles: one listener for the three runs reports it to the run
  // in progress.
  const rejections = new RejectionSink();
  process.on("unhandledRejection", rejections.listener);
  try {
    const first = await runPass(
      1,
      "account-a",
      "account-a, first update",
      accountA,
      configA,
      {},
      organization,
      rejections,
    );
    const second = await runPass(
      2,
      "account-b",
      "account-b, update (reads account-a's outputs)",
      accountB,
      configB,
      { [configs.b.accountAStack]: outputValues(first.outputs) },
      organization,
      rejections,
    );
    const third = await runPass(
      3,
      "account-a",
      "account-a, second update (reads account-b's outputs)",
      accountA,
      configA,
      { [configs.a.accountBStack]: outputValues(second.outputs) },
      organization,
      rejections,
    );
    return [first, second, third];
  } catch (error) {
    // Let the failed run's other rejections arrive while the listener still takes them.
    await new Promise((resolve) => setTimeout(resolve, 10));
    throw error;
  } finally {
    process.off("unhandledRejection", rejections.listener);
  }
}

/** Routes unhandled rejections to the run in progress (and drops those that arrive between runs). */
class RejectionSink {
  private current: ((reason: unknown) => void) | undefined;
  readonly listener = (reason: unknown): void => this.current?.(reason);

  /** A promise that rejects with the next unhandled rejection (or the timeout); `stop` detaches it. */
  watch(timeoutMs: number): { failed: Promise<never>; stop: () => void } {
    let timer: NodeJS.Timeout | undefined;
    const failed = new Promise<never>((_, reject) => {
      this.current = reject;
      timer = setTimeout(() => reject(new Error(`did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    // Observed here so that a rejection after the run settled is not itself unhandled.
    failed.catch(() => undefined);
    return {
      failed,
      stop: () => {
        clearTimeout(timer);
        this.current = undefined;
      },
    };
  }
}

async function runPass(
  step: number,
  stack: StackName,
  title: string,
  program: Program,
  config: StackConfig,
  stackOutputs: Record<string, Record<string, unknown>>,
  organization: string,
  rejections: RejectionSink,
): Promise<StackPass> {
  const messages: string[] = [];
  const restoreConsole = captureConsole(messages);
  const { failed, stop } = rejections.watch(PASS_TIMEOUT_MS);
  try {
    const run = await Promise.race([
      runOffline(program, {
        config: config.config,
        secretKeys: config.secretKeys,
        project: PROJECT,
        stack,
        organization,
        stackOutputs,
      }),
      failed,
    ]);
    return {
      step,
      stack,
      title,
      resources: run.engine.resources,
      outputs: run.outputs,
      messages: [...messages],
      stackReferences: [...run.engine.stackReferences],
    };
  } catch (error) {
    // The failed program leaves Outputs that never settle; a fresh engine resets the runtime's state,
    // so the runtime does not report them as leaked promises when the process exits.
    await new MockEngine({ project: PROJECT, stack, organization }).install();
    throw new PlanPassError(step, stack, error, [...messages]);
  } finally {
    stop();
    restoreConsole();
  }
}

/** Routes console output (where pulumi.log writes under mocks) into `sink` until restored. */
function captureConsole(sink: string[]): () => void {
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  // Saved as property descriptors, so exactly the original functions come back.
  const saved = methods.map((m) => [m, Object.getOwnPropertyDescriptor(console, m)] as const);
  for (const m of methods) {
    console[m] = (...args: unknown[]) => {
      const text = args.map((a) => (typeof a === "string" ? a : describeValue(a))).join(" ");
      sink.push(text.replace(/^(\w+): \[runtime\] /, "$1: "));
    };
  }
  return () => {
    for (const [m, descriptor] of saved) {
      if (descriptor) Object.defineProperty(console, m, descriptor);
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the recorded passes

/** The recorded resources of a type. */
export function resourcesOfType(pass: StackPass, type: string): RecordedResource[] {
  return pass.resources.filter((r) => r.type === type);
}

/** The last segment of a URN (the resource name). */
export function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The name of the provider in a `<provider urn>::<id>` reference. */
export function providerName(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  return urnName(ref.slice(0, ref.lastIndexOf("::")));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record(value)).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}

function finalPass(passes: StackPass[], stack: StackName): StackPass | undefined {
  return [...passes].reverse().find((p) => p.stack === stack);
}

function parseDocument(what: string, json: unknown): PlannedDocument {
  if (typeof json !== "string")
    throw new Error(`${what}: the program sent no policy JSON (got ${describeValue(json)})`);
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new Error(`${what}: not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!isRecord(doc) || !Array.isArray(doc.Statement)) throw new Error(`${what}: not a policy document`);
  const document = doc as unknown as PolicyDocument;
  return { json, doc: document, size: policySize(document) };
}

/** The pod spec of a Deployment's template or a Job's template. */
function podSpecOf(inputs: Record<string, unknown>): Record<string, unknown> {
  return record(record(record(inputs.spec).template).spec);
}

/**
 * The values the links are checked on, read from the final account-b and account-a runs. Pure:
 * tests tamper with the passes (or with the snapshot) to produce broken links.
 */
export function extractChain(passes: StackPass[], configs: PlanConfigs): ChainSnapshot {
  const a = finalPass(passes, "account-a");
  const b = finalPass(passes, "account-b");
  const chain: ChainSnapshot = {
    permissionPolicies: {},
    trusted: [],
    workloads: [],
    deployProbe: configs.a.deployProbe,
  };
  if (a) chain.issuerUrl = str(a.outputs.oidcIssuerUrl?.value);
  if (b) {
    const provider = resourcesOfType(b, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")[0];
    if (provider) {
      const arn = str(provider.state.arn);
      if (arn) {
        // What the program sends (inputs); for an adopted provider, what the engine read (state).
        const clientIds = provider.inputs.clientIdLists ?? provider.state.clientIdLists;
        const url = str(provider.inputs.url ?? provider.state.url);
        chain.provider = {
          arn,
          adopted: provider.read,
          ...(url !== undefined ? { url } : {}),
          ...(Array.isArray(clientIds)
            ? { clientIds: clientIds.filter((c): c is string => typeof c === "string") }
            : {}),
        };
      }
    }
    const role = resourcesOfType(b, "aws:iam/role:Role")[0];
    const roleArn = str(role?.state.arn);
    const trustPolicy = str(role?.inputs.assumeRolePolicy);
    if (roleArn && trustPolicy !== undefined) chain.role = { arn: roleArn, trustPolicy };
    for (const p of resourcesOfType(b, "aws:iam/rolePolicy:RolePolicy")) {
      const policy = str(p.inputs.policy);
      if (policy !== undefined) chain.permissionPolicies[str(p.inputs.name) ?? p.name] = policy;
    }
    const trusted = b.outputs.serviceAccounts?.value;
    if (Array.isArray(trusted)) {
      chain.trusted = trusted
        .filter(isRecord)
        .map((s) => ({ namespace: String(s.namespace), name: String(s.name) }));
    }
    chain.bucketName = str(b.outputs.bucketName?.value);
    chain.objectKey = str(b.outputs.objectKey?.value);
  }
  if (a) {
    const sa = resourcesOfType(a, "kubernetes:core/v1:ServiceAccount")[0];
    if (sa) {
      const metadata = record(sa.inputs.metadata);
      chain.serviceAccount = {
        namespace: str(metadata.namespace) ?? "default",
        name: str(metadata.name) ?? str(record(sa.state.metadata).name) ?? sa.name,
        annotations: stringRecord(metadata.annotations),
      };
    }
    for (const w of a.resources.filter(
      (r) => r.type === "kubernetes:apps/v1:Deployment" || r.type === "kubernetes:batch/v1:Job",
    )) {
      const metadata = record(w.inputs.metadata);
      const spec = podSpecOf(w.inputs);
      const container = record(Array.isArray(spec.containers) ? spec.containers[0] : undefined);
      const env: Record<string, string> = {};
      for (const e of Array.isArray(container.env) ? container.env : []) {
        if (isRecord(e) && typeof e.name === "string" && typeof e.value === "string") env[e.name] = e.value;
      }
      chain.workloads.push({
        kind: str(w.inputs.kind) ?? w.type.split(":").pop()!,
        name: str(metadata.name) ?? str(record(w.state.metadata).name) ?? w.name,
        ...(str(metadata.namespace) !== undefined ? { namespace: str(metadata.namespace) } : {}),
        ...(str(spec.serviceAccountName) !== undefined
          ? { serviceAccountName: str(spec.serviceAccountName) }
          : {}),
        env,
      });
    }
  }
  return chain;
}

// ---------------------------------------------------------------------------------------------
// Link checks (pure)

const ANNOTATION = "eks.amazonaws.com/role-arn";
const AUDIENCE_ANNOTATION = "eks.amazonaws.com/audience";

function tryNormalize(issuer: string | undefined): string | undefined {
  if (issuer === undefined) return undefined;
  try {
    return normalizeIssuer(issuer);
  } catch {
    return undefined;
  }
}

function federatedPrincipals(doc: PolicyDocument): string[] {
  const out: string[] = [];
  for (const s of doc.Statement) {
    if (s.Principal === undefined || s.Principal === "*") continue;
    const f = s.Principal.Federated;
    if (f !== undefined) out.push(...(Array.isArray(f) ? f : [f]));
  }
  return out;
}

/**
 * Checks the five links of the IRSA chain (design.md) on the planned values. Every failing check
 * names its link and says how to fix it.
 */
export function checkLinks(chain: ChainSnapshot): LinkCheck[] {
  const checks: LinkCheck[] = [];
  const add = (link: LinkCheck["link"], name: string, ok: boolean | "skip", detail: string, fix?: string) =>
    checks.push({
      link,
      name,
      status: ok === "skip" ? "skip" : ok ? "pass" : "fail",
      detail,
      ...(ok === false && fix ? { fix } : {}),
    });

  // 1. The cluster's issuer.
  const issuer = tryNormalize(chain.issuerUrl);
  add(
    1,
    "account-a's cluster exports an OIDC issuer",
    issuer !== undefined,
    issuer !== undefined
      ? `oidcIssuerUrl ${chain.issuerUrl}`
      : `oidcIssuerUrl is ${describeValue(chain.issuerUrl)}, not an https issuer URL`,
    "account-a must export oidcIssuerUrl (https://oidc.eks.<region>.amazonaws.com/id/<ID>): check the WorkloadCluster (an adopted cluster needs its OIDC issuer enabled)",
  );

  // 2. The provider in account B is for that issuer, with client id sts.amazonaws.com.
  const provider = chain.provider;
  let providerHostPath: string | undefined;
  if (provider) {
    try {
      providerHostPath = parseOidcProviderArn("provider", provider.arn).hostPath;
    } catch {
      providerHostPath = undefined;
    }
  }
  const providerUrl = provider?.url !== undefined ? tryNormalize(provider.url) : providerHostPath;
  add(
    2,
    "account-b's OIDC provider URL is account-a's issuer",
    provider !== undefined && issuer !== undefined && providerUrl === issuer && providerHostPath === issuer,
    provider === undefined
      ? "account-b plans no IAM OIDC provider"
      : `provider ${provider.arn}${provider.adopted ? " (adopted)" : ""} for ${provider.url ?? providerHostPath ?? "?"}; issuer ${issuer ?? "?"}`,
    "account-b's OIDC provider must be for account-a's current issuer: run account-b's update after account-a's " +
      "(npm run deploy does), and check cross-account-irsa:accountAStack and existingOidcProviderArn on account-b",
  );
  if (provider?.clientIds !== undefined) {
    add(
      2,
      `account-b's OIDC provider accepts client id ${STS_AUDIENCE}`,
      provider.clientIds.includes(STS_AUDIENCE),
      `client ids ${describeValue(provider.clientIds)}`,
      `add ${STS_AUDIENCE} to the provider's client ids (aws iam add-client-id-to-open-id-connect-provider)`,
    );
  }

  // 3. The role trusts that provider, for the trusted subjects and the STS audience.
  let trustDoc: PolicyDocument | undefined;
  if (chain.role) {
    try {
      trustDoc = JSON.parse(chain.role.trustPolicy) as PolicyDocument;
    } catch {
      trustDoc = undefined;
    }
  }
  const federated = trustDoc ? federatedPrincipals(trustDoc) : [];
  add(
    3,
    "the role's Federated principal is that provider",
    provider !== undefined && federated.length > 0 && federated.every((f) => f === provider.arn),
    chain.role === undefined
      ? "account-b plans no IAM role"
      : `Principal.Federated ${describeValue(federated)}; provider ${provider?.arn ?? "none"}`,
    "the trust policy must name account-b's OIDC provider for account-a's issuer (an ARN in account B, not A): " +
      "build it with buildTrustPolicy from ClusterOidcProvider.arn",
  );
  if (trustDoc && provider) {
    for (const sa of chain.trusted.filter((s) => !/[*?]/.test(s.namespace + s.name))) {
      const sub = `system:serviceaccount:${sa.namespace}:${sa.name}`;
      const result = safeTrust(trustDoc, provider.arn, sub, STS_AUDIENCE);
      add(
        3,
        `the role trusts ${sa.namespace}/${sa.name} with audience ${STS_AUDIENCE}`,
        result.decision === "Allow",
        result.reason,
        "the trust policy's StringEquals must hold <issuer>:sub = " +
          `${sub} and <issuer>:aud = ${STS_AUDIENCE}: check cross-account-irsa:serviceAccounts on account-b`,
      );
    }
  }

  // 4. The ServiceAccount: annotated with the role, a trusted subject, used by the workloads.
  const sa = chain.serviceAccount;
  if (!sa) {
    add(
      4,
      "account-a plans the IRSA ServiceAccount",
      false,
      "the final account-a run registers no ServiceAccount",
      "account-a creates the ServiceAccount once account-b has outputs: check account-a's accountBStack points at account-b",
    );
  } else {
    const annotated = sa.annotations[ANNOTATION];
    add(
      4,
      `ServiceAccount ${sa.namespace}/${sa.name} is annotated ${ANNOTATION} = the role ARN`,
      chain.role !== undefined && annotated === chain.role.arn,
      `annotation ${describeValue(annotated)}; role ${chain.role?.arn ?? "none"}`,
      `annotate the ServiceAccount ${ANNOTATION}: <account-b's roleArn output> (IrsaServiceAccount does), ` +
        "and recreate pods that started before the annotation",
    );
    const sub = `system:serviceaccount:${sa.namespace}:${sa.name}`;
    const audience = sa.annotations[AUDIENCE_ANNOTATION] ?? STS_AUDIENCE;
    const trusted = trustDoc && provider ? safeTrust(trustDoc, provider.arn, sub, audience) : undefined;
    add(
      4,
      `ServiceAccount ${sa.namespace}/${sa.name} is a subject the role trusts`,
      trusted?.decision === "Allow",
      trusted
        ? `${sub}, aud ${audience}: ${trusted.reason}`
        : `${sub}: no trust policy or provider to check against`,
      `make the names agree: add {namespace: ${sa.namespace}, name: ${sa.name}} to cross-account-irsa:serviceAccounts ` +
        "on account-b, or set cross-account-irsa:serviceAccount on account-a to one account-b trusts",
    );
    for (const kind of ["Deployment", "Job"]) {
      const found = chain.workloads.filter((w) => w.kind === kind);
      if (found.length === 0) {
        add(
          4,
          `a ${kind} runs as the ServiceAccount`,
          chain.deployProbe ? false : "skip",
          chain.deployProbe
            ? `the final account-a run registers no ${kind}`
            : "not deployed (cross-account-irsa:deployProbe: false)",
          "account-a deploys the reader Deployment and the access-check Job when cross-account-irsa:deployProbe is true",
        );
      }
      for (const w of found) {
        add(
          4,
          `${kind} ${w.namespace ?? "default"}/${w.name} runs as ServiceAccount ${sa.namespace}/${sa.name}`,
          w.serviceAccountName === sa.name && (w.namespace ?? "default") === sa.namespace,
          `serviceAccountName ${describeValue(w.serviceAccountName)} in namespace ${w.namespace ?? "default"}`,
          `set spec.template.spec.serviceAccountName to ${sa.name} and deploy the ${kind} into namespace ${sa.namespace}: ` +
            "the webhook injects the role only into pods of the annotated ServiceAccount",
        );
      }
    }
    for (const w of chain.workloads) {
      const expected = w.env.EXPECTED_ROLE_ARN;
      if (expected !== undefined) {
        add(
          4,
          `${w.kind} ${w.name} expects the role ARN`,
          chain.role !== undefined && expected === chain.role.arn,
          `EXPECTED_ROLE_ARN ${describeValue(expected)}; role ${chain.role?.arn ?? "none"}`,
          "pass account-b's roleArn output as the access check's expectedRoleArn",
        );
      }
    }
  }

  // 5. The permission policy lets the role read what the workloads read.
  const policies = Object.values(chain.permissionPolicies);
  const reads = chain.workloads
    .filter((w) => w.env.S3_BUCKET !== undefined && w.env.S3_OBJECT_KEY !== undefined)
    .map((w) => ({ what: `${w.kind} ${w.name}`, bucket: w.env.S3_BUCKET, key: w.env.S3_OBJECT_KEY }));
  if (reads.length === 0 && chain.bucketName && chain.objectKey) {
    reads.push({ what: "account-b's objectKey", bucket: chain.bucketName, key: chain.objectKey });
  }
  if (reads.length === 0) {
    add(
      5,
      "the role may read the object the access check reads",
      false,
      "no bucket or object key planned",
      "check account-b's bucket config",
    );
  }
  const partition = chain.role ? safePartition(chain.role.arn) : "aws";
  for (const r of reads) {
    const resource = `arn:${partition}:s3:::${r.bucket}/${r.key}`;
    const sameBucket = chain.bucketName === undefined || r.bucket === chain.bucketName;
    const decision = policies.length > 0 ? safeAccess(policies, "s3:GetObject", resource) : undefined;
    add(
      5,
      `the role may s3:GetObject what ${r.what} reads`,
      sameBucket && decision?.decision === "Allow",
      !sameBucket
        ? `reads bucket ${r.bucket}, but account-b's bucket is ${chain.bucketName}`
        : (decision?.reason ?? "account-b plans no permission policy"),
      "the object must be in account-b's bucket and under a granted prefix: check cross-account-irsa:bucket.objectKey, " +
        "prefixes and access on account-b",
    );
  }
  return checks;
}

function safePartition(arn: string): string {
  try {
    return parseRoleArn("role", arn).partition;
  } catch {
    return "aws";
  }
}

function safeTrust(doc: PolicyDocument, oidcProviderArn: string, sub: string, aud: string) {
  try {
    return evaluateTrust(doc, { oidcProviderArn, sub, aud });
  } catch (e) {
    return {
      decision: "ImplicitDeny" as Decision,
      statements: [],
      reason: `cannot evaluate: ${errorMessage(e)}`,
    };
  }
}

function safeAccess(
  policies: string[],
  action: string,
  resource: string,
  context: Record<string, string> = {},
) {
  let best: { decision: Decision; reason: string } = {
    decision: "ImplicitDeny",
    reason: `no statement allows ${action} on ${resource}`,
  };
  for (const json of policies) {
    try {
      const r = evaluateAccess(JSON.parse(json) as PolicyDocument, { action, resource, context });
      if (r.decision === "ExplicitDeny") return r;
      if (r.decision === "Allow") best = r;
    } catch (e) {
      return { decision: "ImplicitDeny" as Decision, reason: `cannot evaluate: ${errorMessage(e)}` };
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// The access matrix (pure)

/** The S3 object actions each access level intends (independent of the policy builder). */
const INTENDED_OBJECT_ACTIONS: Record<AccountBConfig["access"], readonly string[]> = {
  list: [],
  read: ["s3:GetObject"],
  "read-write": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
};
const INTENDED_KMS_ACTIONS: Record<AccountBConfig["access"], readonly string[]> = {
  list: [],
  read: ["kms:Decrypt"],
  "read-write": ["kms:Decrypt", "kms:GenerateDataKey"],
};
/** Bucket administration no IRSA role of this package may do. */
const ADMIN_ACTIONS = ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucket", "s3:PutBucketAcl"];
/** The audience of a pod's ordinary service-account token: a token that is not for STS. */
export const KUBERNETES_AUDIENCE = "https://kubernetes.default.svc";

/** What the matrix needs besides the documents. */
export interface MatrixInputs {
  configs: PlanConfigs;
  /** The OIDC provider the role should trust (account-b's provider for account-a's issuer). */
  providerArn: string;
  trustPolicy: PolicyDocument;
  permissionPolicies: PolicyDocument[];
  bucketName: string;
  /** account A's id, for the near miss "a provider in account A". */
  accountAId?: string;
}

/** A concrete name a pattern matches (`*` and `?` become `x`). */
function sample(pattern: string): string {
  return pattern.replace(/[*?]/g, "x");
}

/** A value from the candidates that differs from `value`. */
function otherThan(value: string, candidates: string[]): string {
  return candidates.find((c) => c !== value) ?? `${value}-other`;
}

/**
 * The access matrix: every trusted service account may assume the role and near misses may not
 * (another namespace, another name, another cluster's provider, a provider in account A, a token
 * for another audience); the role may do exactly the S3 (and KMS) actions its access level and
 * prefixes intend, and nothing on another bucket. The expectation comes from the config, the
 * decision from the planned documents.
 */
export function buildAccessMatrix(inputs: MatrixInputs): AccessRow[] {
  const { configs, providerArn, trustPolicy, bucketName } = inputs;
  const b = configs.b;
  const rows: AccessRow[] = [];
  const provider = parseOidcProviderArn("providerArn", providerArn);

  // Trust: the intent is "exactly the configured service accounts, through this provider, for STS".
  const trustedBy = (ns: string, name: string) =>
    b.serviceAccounts.some((sa) =>
      b.conditionTest === "StringLike"
        ? globMatch(
            `system:serviceaccount:${sa.namespace}:${sa.name}`,
            `system:serviceaccount:${ns}:${name}`,
            false,
          )
        : sa.namespace === ns && sa.name === name,
    );
  const seen = new Set<string>();
  const trust = (subject: string, arn: string, ns: string, name: string, aud: string) => {
    const key = `${arn} ${ns} ${name} ${aud}`;
    if (seen.has(key)) return;
    seen.add(key);
    const sub = `system:serviceaccount:${ns}:${name}`;
    const expected = arn === providerArn && aud === STS_AUDIENCE && trustedBy(ns, name) ? "allow" : "deny";
    const result = safeTrust(trustPolicy, arn, sub, aud);
    rows.push({
      kind: "trust",
      subject,
      action: "sts:AssumeRoleWithWebIdentity",
      resource: arn,
      context: { sub, aud },
      expected,
      actual: result.decision,
      reason: result.reason,
      ok: (result.decision === "Allow") === (expected === "allow"),
    });
  };
  const otherClusterArn = `arn:${provider.partition}:iam::${provider.accountId}:oidc-provider/${provider.hostPath.replace(
    /[^/]+$/,
    (id) => otherThan(id, ["0123456789ABCDEF0123456789ABCDEF", "FEDCBA9876543210FEDCBA9876543210"]),
  )}`;
  const accountAArn =
    inputs.accountAId && inputs.accountAId !== provider.accountId
      ? `arn:${provider.partition}:iam::${inputs.accountAId}:oidc-provider/${provider.hostPath}`
      : undefined;
  for (const sa of b.serviceAccounts) {
    const ns = sample(sa.namespace);
    const name = sample(sa.name);
    trust("trusted service account", providerArn, ns, name, STS_AUDIENCE);
    const otherNs = otherThan(ns, ["default", "kube-system"]);
    trust("same name, other namespace", providerArn, otherNs, name, STS_AUDIENCE);
    const otherName = otherThan(name, ["default", "other-sa"]);
    trust("other name, same namespace", providerArn, ns, otherName, STS_AUDIENCE);
    trust("another cluster (its issuer's provider)", otherClusterArn, ns, name, STS_AUDIENCE);
    if (accountAArn) trust("a provider in account A, not B", accountAArn, ns, name, STS_AUDIENCE);
    trust("a token for the Kubernetes API, not STS", providerArn, ns, name, KUBERNETES_AUDIENCE);
  }

  // Access: the intent is the access level's actions, on the bucket, under the prefixes.
  const partition = provider.partition;
  const bucketArn = `arn:${partition}:s3:::${bucketName}`;
  const prefixes = b.prefixes;
  const underPrefix = (key: string) => prefixes.length === 0 || prefixes.some((p) => key.startsWith(p));
  const access = (
    subject: string,
    action: string,
    resource: string,
    expected: "allow" | "deny",
    context: Record<string, string> = {},
  ) => {
    const result = safeAccess(
      inputs.permissionPolicies.map((d) => JSON.stringify(d)),
      action,
      resource,
      context,
    );
    rows.push({
      kind: "access",
      subject,
      action,
      resource,
      context,
      expected,
      actual: result.decision,
      reason: result.reason,
      ok: (result.decision === "Allow") === (expected === "allow"),
    });
  };
  access("list the whole bucket", "s3:ListBucket", bucketArn, prefixes.length === 0 ? "allow" : "deny");
  for (const p of prefixes)
    access(`list under ${p}`, "s3:ListBucket", bucketArn, "allow", { "s3:prefix": p });
  // A key outside every granted prefix (any other key when the whole bucket is granted).
  const outside = ["outside/", "zz-outside/", "other-prefix/"].find((o) => !underPrefix(o)) ?? "other/";
  if (prefixes.length > 0) {
    access(`list under ${outside} (not granted)`, "s3:ListBucket", bucketArn, "deny", {
      "s3:prefix": outside,
    });
  }
  const keys = [b.bucket.objectKey, ...prefixes.map((p) => `${p}example.txt`), `${outside}example.txt`];
  for (const key of [...new Set(keys)]) {
    for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
      const intended = INTENDED_OBJECT_ACTIONS[b.access].includes(action) && underPrefix(key);
      access(`object ${key}`, action, `${bucketArn}/${key}`, intended ? "allow" : "deny");
    }
  }
  if (b.access === "read-write") {
    access(
      `object ${b.bucket.objectKey}`,
      "s3:AbortMultipartUpload",
      `${bucketArn}/${b.bucket.objectKey}`,
      underPrefix(b.bucket.objectKey) ? "allow" : "deny",
    );
  }
  for (const action of ADMIN_ACTIONS) access("bucket administration", action, bucketArn, "deny");
  const otherBucket = otherThan(bucketName, ["another-bucket", "another-bucket-2"]);
  access(`another bucket ${otherBucket}`, "s3:ListBucket", `arn:${partition}:s3:::${otherBucket}`, "deny");
  access(
    `another bucket ${otherBucket}`,
    "s3:GetObject",
    `arn:${partition}:s3:::${otherBucket}/${b.bucket.objectKey}`,
    "deny",
  );
  const kmsKeyArn = b.bucket.kmsKeyArn;
  if (kmsKeyArn) {
    for (const action of ["kms:Decrypt", "kms:GenerateDataKey"]) {
      access(
        "the bucket's KMS key",
        action,
        kmsKeyArn,
        INTENDED_KMS_ACTIONS[b.access].includes(action) ? "allow" : "deny",
      );
    }
    const otherKey = kmsKeyArn.replace(/[^/]+$/, (id) =>
      otherThan(id, ["00000000-0000-0000-0000-000000000000", "11111111-1111-1111-1111-111111111111"]),
    );
    access("another KMS key", "kms:Decrypt", otherKey, "deny");
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Manifests (pure)

type Validator = (object: Record<string, unknown>) => void;
const VALIDATORS: Record<string, Validator> = {
  "v1/Namespace": (o) => new Namespace(o).validate(),
  "v1/ServiceAccount": (o) => new ServiceAccount(o).validate(),
  "apps/v1/Deployment": (o) => new Deployment(o).validate(),
  "batch/v1/Job": (o) => new Job(o).validate(),
};

/** The Kubernetes kinds the plan validates against the API schema. */
export const VALIDATED_KINDS = Object.keys(VALIDATORS);

/** Validates a manifest against the Kubernetes API schema (kubernetes-models). */
export function validateManifest(object: Record<string, unknown>): PlannedManifest["validation"] {
  const validator = VALIDATORS[`${String(object.apiVersion)}/${String(object.kind)}`];
  if (!validator)
    return { valid: false, errors: `no schema for ${String(object.apiVersion)} ${String(object.kind)}` };
  try {
    validator(object);
    return { valid: true };
  } catch (e) {
    return { valid: false, errors: errorMessage(e) };
  }
}

/** The Kubernetes objects of a run, as manifests built from the recorded inputs. */
export function buildManifests(pass: StackPass): PlannedManifest[] {
  const manifests: PlannedManifest[] = [];
  const files = new Set<string>();
  for (const r of pass.resources) {
    if (!r.custom || r.read || !r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:providers:"))
      continue;
    const { apiVersion, kind, metadata, ...rest } = r.inputs;
    const meta = { ...record(metadata) };
    const autoNamed = meta.name === undefined;
    if (autoNamed) meta.name = record(r.state.metadata).name ?? r.name;
    const object: Record<string, unknown> = { apiVersion, kind, metadata: sortObject(meta), ...rest };
    const name = String(meta.name);
    const namespace = str(meta.namespace);
    let file = `manifests/${String(kind).toLowerCase()}-${namespace ? `${namespace}-` : ""}${name}.yaml`;
    for (let i = 2; files.has(file); i++) file = file.replace(/(-\d+)?\.yaml$/, `-${i}.yaml`);
    files.add(file);
    manifests.push({
      kind: String(kind),
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      file,
      object,
      autoNamed,
      validation: validateManifest(object),
    });
  }
  return manifests;
}

function sortObject(o: Record<string, unknown>): Record<string, unknown> {
  const order = ["name", "namespace", "labels", "annotations"];
  return Object.fromEntries(
    Object.entries(o).sort(([x], [y]) => {
      const i = order.indexOf(x) === -1 ? order.length : order.indexOf(x);
      const j = order.indexOf(y) === -1 ? order.length : order.indexOf(y);
      return i - j || (x < y ? -1 : x > y ? 1 : 0);
    }),
  );
}

/** A manifest as YAML, with a header saying where it comes from. */
export function manifestYaml(m: PlannedManifest): string {
  const header = [
    `# ${m.kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name}: planned by \`npm run plan\` (account-a, final update).`,
    "# Built from the inputs the program sends; ARNs, bucket and cluster names are the plan's deterministic",
    "# placeholders where AWS would choose them.",
    ...(m.autoNamed
      ? ["# metadata.name: Pulumi auto-names this object at deploy time; the name here is a placeholder."]
      : []),
  ];
  return `${header.join("\n")}\n${yaml.dump(m.object, { noRefs: true, lineWidth: -1 })}`;
}

// ---------------------------------------------------------------------------------------------
// The plan (pure)

/**
 * Derives the plan from the recorded runs: documents, manifests, access matrix and link checks.
 * Throws when a run lacks what every plan has (account-b's role); everything else that is wrong is
 * collected in `problems`, and `ok` is false.
 */
export function buildPlan(passes: StackPass[], configs: PlanConfigs, organization = PLAN_ORGANIZATION): Plan {
  const b = finalPass(passes, "account-b");
  const a = finalPass(passes, "account-a");
  if (!b || !a) throw new Error("the plan needs a run of account-a and one of account-b");
  const roles = resourcesOfType(b, "aws:iam/role:Role");
  if (roles.length !== 1)
    throw new Error(`account-b registered ${roles.length} IAM roles; the plan expects exactly one`);
  const trustPolicy = parseDocument(
    "account-b's role trust policy (assumeRolePolicy)",
    roles[0].inputs.assumeRolePolicy,
  );
  const permissionPolicies = resourcesOfType(b, "aws:iam/rolePolicy:RolePolicy").map((p) => ({
    name: str(p.inputs.name) ?? p.name,
    ...parseDocument(`account-b's role policy ${p.name}`, p.inputs.policy),
  }));
  const bucketPolicyResource = resourcesOfType(b, "aws:s3/bucketPolicy:BucketPolicy")[0];
  const bucketPolicy = bucketPolicyResource
    ? parseDocument("account-b's bucket policy", bucketPolicyResource.inputs.policy)
    : undefined;
  const manifests = buildManifests(a);
  const chain = extractChain(passes, configs);
  const links = checkLinks(chain);

  const problems: string[] = [];
  const providerArn = chain.provider?.arn ?? str(b.outputs.oidcProviderArn?.value);
  const bucketName = chain.bucketName;
  let matrix: AccessRow[] = [];
  if (providerArn && bucketName) {
    matrix = buildAccessMatrix({
      configs,
      providerArn,
      trustPolicy: trustPolicy.doc,
      permissionPolicies: permissionPolicies.map((p) => p.doc),
      bucketName,
      accountAId: configs.a.aws.allowedAccountIds?.[0] ?? PLACEHOLDER_ACCOUNT_ID,
    });
  } else {
    problems.push("access matrix: account-b plans no OIDC provider ARN or bucket name to evaluate against");
  }
  for (const row of matrix.filter((r) => !r.ok)) {
    problems.push(
      `access matrix: ${row.action} for ${row.subject} on ${row.resource}: expected ${row.expected}, the planned policy says ${row.actual} (${row.reason})`,
    );
  }
  for (const check of links.filter((l) => l.status === "fail")) {
    problems.push(
      `link ${check.link} broken (${IRSA_LINKS[check.link]}): ${check.name}: ${check.detail}.${check.fix ? ` Fix: ${check.fix}.` : ""}`,
    );
  }
  for (const m of manifests.filter((x) => !x.validation.valid)) {
    problems.push(
      `manifest ${m.file}: invalid against the Kubernetes API schema: ${(m.validation as { errors: string }).errors}`,
    );
  }
  return {
    organization,
    passes,
    configs,
    trustPolicy,
    permissionPolicies,
    ...(bucketPolicy ? { bucketPolicy } : {}),
    manifests,
    matrix,
    links,
    problems,
    ok: problems.length === 0,
  };
}

/** A resource as the summary shows it: secret inputs masked. */
function summaryResource(r: RecordedResource) {
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    ...(r.parent ? { parent: r.parent } : {}),
    ...(r.provider ? { provider: providerName(r.provider) } : {}),
    custom: r.custom,
    ...(r.read ? { read: true } : {}),
    ...(r.secretInputs.length > 0 ? { secretInputs: r.secretInputs } : {}),
    inputs: Object.fromEntries(
      Object.entries(r.inputs).map(([k, v]) => [k, r.secretInputs.includes(k) ? "[secret]" : v]),
    ),
  };
}

/** Output values with secrets masked. */
export function maskedOutputs(outputs: Record<string, ResolvedOutput>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.secret ? "[secret]" : o.value]));
}

/** What each written file is. */
export const ARTIFACT_NOTES: Record<string, string> = {
  "summary.json": "this summary: runs, resources, outputs (secrets masked), access matrix, link checks",
  "trust-policy.json": "the role's trust policy, byte for byte as sent to IAM (assumeRolePolicy)",
  "trust-policy.pretty.json": "the same trust policy, indented for reading (not what is sent)",
  "permission-policy.json": "the role's inline S3 permission policy, byte for byte as sent to IAM",
  "permission-policy.pretty.json": "the same permission policy, indented for reading (not what is sent)",
  "bucket-policy.json": "the bucket's TLS-only bucket policy, byte for byte as sent to S3",
};

/**
 * Every file of the plan, relative path → content. Built in memory, so nothing is written unless
 * all of it could be built.
 */
export function planFiles(plan: Plan, sources: { configA: string; configB: string }): Map<string, string> {
  const files = new Map<string, string>();
  const notes: Record<string, string> = {};
  const put = (file: string, content: string, note: string) => {
    files.set(file, content);
    notes[file] = note;
  };
  put("trust-policy.json", plan.trustPolicy.json, ARTIFACT_NOTES["trust-policy.json"]);
  put("trust-policy.pretty.json", pretty(plan.trustPolicy.doc), ARTIFACT_NOTES["trust-policy.pretty.json"]);
  for (const p of plan.permissionPolicies) {
    const base = plan.permissionPolicies.length === 1 ? "permission-policy" : `permission-policy.${p.name}`;
    put(`${base}.json`, p.json, `${ARTIFACT_NOTES["permission-policy.json"]} (inline policy ${p.name})`);
    put(`${base}.pretty.json`, pretty(p.doc), ARTIFACT_NOTES["permission-policy.pretty.json"]);
  }
  if (plan.bucketPolicy)
    put("bucket-policy.json", plan.bucketPolicy.json, ARTIFACT_NOTES["bucket-policy.json"]);
  for (const m of plan.manifests) {
    put(
      m.file,
      manifestYaml(m),
      `${m.kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name}, validated against the Kubernetes API schema`,
    );
  }
  notes["summary.json"] = ARTIFACT_NOTES["summary.json"];
  const summary = {
    generator: PLAN_GENERATOR,
    ok: plan.ok,
    organization: plan.organization,
    project: PROJECT,
    configs: { "account-a": sources.configA, "account-b": sources.configB },
    runs: plan.passes.map((p) => ({
      step: p.step,
      stack: p.stack,
      title: p.title,
      stackReferences: p.stackReferences,
      messages: p.messages,
      resources: p.resources.map(summaryResource),
      outputs: maskedOutputs(p.outputs),
    })),
    policies: {
      trust: { file: "trust-policy.json", size: plan.trustPolicy.size, limit: 2048 },
      permissions: plan.permissionPolicies.map((p) => ({ name: p.name, size: p.size })),
    },
    manifests: plan.manifests.map((m) => ({
      file: m.file,
      kind: m.kind,
      name: m.name,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      valid: m.validation.valid,
      ...(m.validation.valid ? {} : { errors: m.validation.errors }),
    })),
    accessMatrix: plan.matrix,
    links: plan.links,
    problems: plan.problems,
    artifacts: Object.fromEntries(Object.entries(notes).sort(([x], [y]) => (x < y ? -1 : 1))),
  };
  files.set("summary.json", `${JSON.stringify(summary, null, 2)}\n`);
  return files;
}

function pretty(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Writing (atomic)

/** True when the directory can be replaced: missing, empty, or an earlier plan's output. */
export function isReplaceableOutDir(dir: string): boolean {
  if (!fs.existsSync(dir)) return true;
  if (!fs.statSync(dir).isDirectory()) return false;
  const entries = fs.readdirSync(dir);
  if (entries.length === 0) return true;
  try {
    const summary = JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8")) as {
      generator?: unknown;
    };
    return summary.generator === PLAN_GENERATOR;
  } catch {
    return false;
  }
}

/**
 * Writes the files into a fresh sibling directory, then swaps it in for `dir` with renames, so
 * `dir` holds either the previous plan or the complete new one, never a mix. Refuses to replace a
 * directory that is not an earlier plan's output.
 */
export function writePlanAtomically(dir: string, files: Map<string, string>): void {
  const target = path.resolve(dir);
  if (!isReplaceableOutDir(target)) {
    throw new Error(
      `${dir} exists and is not an earlier plan's output (no ${PLAN_GENERATOR} summary.json): refusing to replace it`,
    );
  }
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.new-`));
  try {
    for (const [file, content] of files) {
      const full = path.join(staging, file);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, content);
    }
    if (fs.existsSync(target)) {
      const old = `${staging.replace(/\.new-([^/]*)$/, ".old-$1")}`;
      fs.renameSync(target, old);
      fs.renameSync(staging, target);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(staging, target);
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering (pure)

/** Text styles; identity functions when colour is off. */
export interface Styles {
  bold: (s: string) => string;
  dim: (s: string) => string;
  green: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  cyan: (s: string) => string;
}

/** ANSI styles when `color`, plain text otherwise. */
export function styles(color: boolean): Styles {
  const sgr = (open: number, close: number) => (s: string) =>
    color ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    green: sgr(32, 39),
    red: sgr(31, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

/** Colour only on a terminal, and never when NO_COLOR or CI is set. */
export function useColor(isTTY: boolean, env: Record<string, string | undefined>): boolean {
  return isTTY && env.NO_COLOR === undefined && env.CI === undefined;
}

/** A table cell: the text, and a style applied after padding (so alignment ignores escapes). */
type Cell = string | { text: string; style: (s: string) => string };

/** Aligned columns, two spaces apart, each line indented. */
export function table(rows: Cell[][], indent = "  "): string[] {
  const text = (c: Cell) => (typeof c === "string" ? c : c.text);
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...text(c)].length)));
  return rows.map((row) =>
    (
      indent +
      row
        .map((c, i) => {
          const t = text(c);
          const padded = i === row.length - 1 ? t : t + " ".repeat(widths[i] - [...t].length);
          return typeof c === "string" || t === "" ? padded : c.style(padded);
        })
        .join("  ")
    ).trimEnd(),
  );
}

function shorten(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** The resource tree of a run: one row per resource, indented under its parent. */
export function resourceTree(pass: StackPass, st: Styles): string[] {
  const byParent = new Map<string, RecordedResource[]>();
  const urns = new Set(pass.resources.map((r) => r.urn));
  for (const r of pass.resources) {
    const parent = r.parent && urns.has(r.parent) ? r.parent : "";
    byParent.set(parent, [...(byParent.get(parent) ?? []), r]);
  }
  const rows: Cell[][] = [
    ["TYPE", "NAME", "PROVIDER", "NOTE"].map((text) => ({ text, style: st.bold })),
    [`pulumi:pulumi:Stack`, `${PROJECT}-${pass.stack}`, "", ""],
  ];
  const walk = (parent: string, prefix: string) => {
    const children = byParent.get(parent) ?? [];
    children.forEach((r, i) => {
      const last = i === children.length - 1;
      const note: string[] = [];
      if (r.type === "pulumi:pulumi:StackReference") note.push("reads that stack's outputs");
      else if (r.read) note.push("read: existing, not created");
      if (r.type === "eks:index:Cluster")
        note.push("eks provider component: its children are not planned offline");
      if (r.secretInputs.length > 0) note.push(`secret: ${r.secretInputs.join(", ")}`);
      rows.push([
        { text: `${prefix}${last ? "└─ " : "├─ "}${r.type}`, style: r.custom ? (s) => s : st.cyan },
        r.name,
        { text: providerName(r.provider) ?? "", style: st.dim },
        { text: note.join("; "), style: st.dim },
      ]);
      walk(r.urn, `${prefix}${last ? "   " : "│  "}`);
    });
  };
  walk("", "");
  return table(rows);
}

/** The plan as the terminal shows it. */
export function renderPlan(
  plan: Plan,
  options: { color: boolean; outDir?: string; written?: boolean },
): string {
  const st = styles(options.color);
  const lines: string[] = [];
  const heading = (s: string) => lines.push("", st.bold(s));
  lines.push(
    st.bold(`Offline plan of ${PROJECT}`) +
      st.dim(` (no cloud, no Pulumi CLI; ids, ARNs and generated names are deterministic placeholders)`),
  );
  for (const pass of plan.passes) {
    // As `pulumi up` counts them: components and providers too; reads and stack references not.
    const count = pass.resources.filter((r) => !r.read && r.type !== "pulumi:pulumi:StackReference").length;
    heading(`${pass.step}. ${pass.title}: ${count} resource(s) to create`);
    lines.push(...resourceTree(pass, st));
    for (const m of pass.messages) lines.push(`  ${st.yellow(m)}`);
    const outputs = Object.entries(pass.outputs);
    if (outputs.length > 0) {
      lines.push("", `  ${st.bold("Outputs")}`);
      lines.push(
        ...table(
          outputs.map(([k, o]) => [
            k,
            o.secret
              ? { text: "[secret]", style: st.dim }
              : shorten(typeof o.value === "string" ? o.value : JSON.stringify(o.value), 100),
          ]),
          "    ",
        ),
      );
    }
  }

  heading("IAM documents (account-b)");
  lines.push(`  trust policy (${plan.trustPolicy.size} of 2048 characters):`);
  lines.push(...indentJson(plan.trustPolicy.doc));
  for (const p of plan.permissionPolicies) {
    lines.push(`  permission policy ${p.name} (${p.size} characters):`);
    lines.push(...indentJson(p.doc));
  }

  const mark = (ok: boolean) => (ok ? { text: "ok", style: st.green } : { text: "MISMATCH", style: st.red });
  const decision = (d: Decision) =>
    d === "Allow"
      ? { text: "allow", style: st.green }
      : { text: d === "ExplicitDeny" ? "deny (explicit)" : "deny", style: st.dim };
  const header = (...titles: string[]) => titles.map((text) => ({ text, style: st.bold }));
  heading("Who may assume the role (sts:AssumeRoleWithWebIdentity against the planned trust policy)");
  lines.push(
    ...table([
      header("CASE", "SERVICE ACCOUNT", "AUDIENCE", "OIDC PROVIDER", "EXPECTED", "ACTUAL", ""),
      ...plan.matrix
        .filter((r) => r.kind === "trust")
        .map((r) => [
          r.subject,
          r.context.sub.replace(/^system:serviceaccount:([^:]*):/, "$1/"),
          r.context.aud,
          shortProvider(r.resource),
          r.expected,
          decision(r.actual),
          mark(r.ok),
        ]),
    ]),
  );
  heading("What the role may do (against the planned permission policy)");
  lines.push(
    ...table([
      header("CASE", "ACTION", "RESOURCE", "EXPECTED", "ACTUAL", ""),
      ...plan.matrix
        .filter((r) => r.kind === "access")
        .map((r) => [
          r.subject + (r.context["s3:prefix"] !== undefined ? ` (s3:prefix=${r.context["s3:prefix"]})` : ""),
          r.action,
          r.resource,
          r.expected,
          decision(r.actual),
          mark(r.ok),
        ]),
    ]),
  );

  heading("IRSA chain links (offline)");
  const status = (s: LinkCheck["status"]) =>
    s === "pass"
      ? { text: "PASS", style: st.green }
      : s === "fail"
        ? { text: "FAIL", style: st.red }
        : { text: "SKIP", style: st.yellow };
  lines.push(
    ...table([
      ["LINK", "CHECK", "STATUS", "DETAIL"].map((t) => ({ text: t, style: st.bold })),
      ...plan.links.map((l) => [
        String(l.link),
        l.name,
        status(l.status),
        { text: shorten(l.detail, 120), style: st.dim },
      ]),
    ]),
  );

  heading("Kubernetes manifests (account-a, final update)");
  lines.push(
    ...table(
      plan.manifests.map((m) => [
        m.file,
        `${m.kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name}`,
        m.validation.valid ? { text: "schema ok", style: st.green } : { text: "INVALID", style: st.red },
      ]),
    ),
  );

  lines.push("");
  if (plan.ok) {
    const rows = plan.matrix.length;
    lines.push(
      st.green(st.bold("Plan OK")) +
        `: ${rows} access-matrix rows as intended, ${plan.links.filter((l) => l.status === "pass").length} link checks passed` +
        (options.outDir ? (options.written ? `; written to ${options.outDir}/` : `; nothing written`) : ""),
    );
  } else {
    lines.push(st.red(st.bold(`Plan FAILED: ${plan.problems.length} problem(s)`)));
    for (const p of plan.problems) lines.push(`  ${st.red("✗")} ${p}`);
    if (options.outDir) lines.push(`  nothing written to ${options.outDir}/`);
  }
  return `${lines.join("\n")}\n`;
}

/** `<account> …/id/<first 8 of the id>…` for an OIDC provider ARN. */
function shortProvider(arn: string): string {
  const m = /^arn:[^:]+:iam::(\d{12}):oidc-provider\/(.*?)([^/]*)$/.exec(arn);
  return m ? `${m[1]} …/${m[3].slice(0, 8)}…` : arn;
}

function indentJson(doc: unknown): string[] {
  return JSON.stringify(doc, null, 2)
    .split("\n")
    .map((l) => `    ${l}`);
}
