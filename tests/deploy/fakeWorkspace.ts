import type { EngineEvent, OpMap, OpType } from "@pulumi/pulumi/automation";
import { PROGRAM_KEY, PROJECT } from "../../deploy/orchestrator";
import type {
  OperationHandlers,
  OperationResult,
  StackOutputs,
  StackWorkspace,
} from "../../deploy/workspace";

/**
 * An in-memory {@link StackWorkspace} for the orchestration tests (not a test file). It keeps each
 * stack's state (resources, outputs, config), runs small stand-ins for the two stack programs, emits
 * engine events the way the Pulumi engine does (pre / outputs / failed / diagnostic / summary),
 * checkpoints after every resource step like Pulumi, records every call, and can be told to fail (or
 * be interrupted, or find the stack locked) at a chosen step of a chosen operation.
 */

/** A resource a program declares. */
export interface FakeResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** What a fake program declares: its resources (in order) and its outputs. */
export interface FakeProgramResult {
  resources: FakeResource[];
  outputs: StackOutputs;
}

/** What a fake program can read. */
export interface FakeProgramContext {
  stack: string;
  config: Record<string, string>;
  preview: boolean;
  /** A StackReference: the outputs of the stack with this fully qualified name; throws when it does not exist. */
  reference(name: string): StackOutputs;
}

/** A stand-in for a stack program. */
export type FakeProgram = (ctx: FakeProgramContext) => FakeProgramResult;

/** One stack in the fake backend. */
export interface FakeStack {
  resources: Map<string, FakeResource & { urn: string }>;
  outputs: StackOutputs;
  config: Record<string, string>;
  /** URNs of operations in flight when an update was interrupted. */
  pending: string[];
}

/** A call the orchestration made. */
export interface FakeCall {
  method: keyof StackWorkspace;
  stack: string;
  key?: string;
  value?: string;
}

/** An injected failure: the next matching operation fails after `afterSteps` resource steps. */
export interface FailurePlan {
  op: "up" | "preview" | "destroy";
  stack: string;
  /** Number of resource steps that complete before the failing one (0 = the first step fails). */
  afterSteps: number;
  /** Number of matching operations to let through first (1 = fail the second `up` of the stack). */
  skip?: number;
  /** `error`: the provider rejects the step; `interrupt`: Ctrl-C during the step; `locked`: the stack is locked. */
  mode?: "error" | "interrupt" | "locked";
  message?: string;
}

/** The kubeconfig the fake account-a exports, as a secret; tests assert it is never printed. */
export const FAKE_KUBECONFIG = JSON.stringify({
  apiVersion: "v1",
  kind: "Config",
  users: [{ name: "aws", user: { token: "SUPER-SECRET-KUBECONFIG-TOKEN" } }],
});

/** The fake issuer of account-a's cluster. */
export const FAKE_ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";

/** The role ARN the fake account-b exports. */
export const FAKE_ROLE_ARN = "arn:aws:iam::444455556666:role/irsa-demo-s3-reader";

const plain = (value: unknown) => ({ value, secret: false });

/** Fully qualified name of a stack in the fake (self-managed) backend. */
export function fakeQualifiedName(stack: string): string {
  const parts = stack.split("/");
  if (parts.length === 3) return stack;
  if (parts.length === 2) return `${parts[0]}/${PROJECT}/${parts[1]}`;
  return `organization/${PROJECT}/${stack}`;
}

/** A stand-in for account-a: the cluster, then (once account-b has outputs) the workload and access check. */
export const fakeAccountA: FakeProgram = (ctx) => {
  const resources: FakeResource[] = [
    { type: "pulumi:providers:aws", name: "aws-account-a", inputs: { region: "eu-west-1" } },
    { type: "eks:index:Cluster", name: "cluster", inputs: { version: "1.33" } },
    { type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider", name: "cluster-oidc", inputs: {} },
  ];
  const outputs: StackOutputs = {
    clusterName: plain("irsa-cluster"),
    oidcIssuerUrl: plain(FAKE_ISSUER),
    oidcThumbprint: plain("9e99a48a9960b14926bb7f3b02e22da2b0ab7280"),
    kubeconfig: { value: FAKE_KUBECONFIG, secret: true },
  };
  const b = ctx.reference(ctx.config[`${PROJECT}:accountBStack`] ?? fakeQualifiedName("account-b"));
  if (b.roleArn === undefined) {
    outputs.workload = plain("skipped: account-b has no outputs yet");
    return { resources, outputs };
  }
  const roleArn = b.roleArn.value as string;
  const sa = b.serviceAccount.value as { namespace: string; name: string };
  resources.push(
    { type: "kubernetes:core/v1:ServiceAccount", name: "irsa-service-account", inputs: { roleArn, ...sa } },
    { type: "kubernetes:apps/v1:Deployment", name: "s3-reader", inputs: { roleArn } },
    { type: "kubernetes:batch/v1:Job", name: "access-check", inputs: { roleArn } },
  );
  outputs.serviceAccount = plain(sa);
  outputs.roleArn = plain(roleArn);
  outputs.accessCheck = plain({
    namespace: sa.namespace,
    jobName: "access-check-0a1b2c3",
    expectedRoleArn: roleArn,
    bucketName: b.bucketName.value,
    objectKey: b.objectKey.value,
  });
  return { resources, outputs };
};

/** A stand-in for account-b: OIDC provider for account-a's issuer, role, policy and bucket. */
export const fakeAccountB: FakeProgram = (ctx) => {
  const a = ctx.reference(ctx.config[`${PROJECT}:accountAStack`] ?? fakeQualifiedName("account-a"));
  const issuer = a.oidcIssuerUrl?.value;
  if (issuer === undefined && !ctx.preview) {
    throw new Error("account-a has no oidcIssuerUrl output: deploy account-a first");
  }
  const url = typeof issuer === "string" ? issuer : "(known after account-a is deployed)";
  return {
    resources: [
      { type: "pulumi:providers:aws", name: "aws-account-b", inputs: { region: "eu-west-1" } },
      { type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider", name: "oidc-provider", inputs: { url } },
      { type: "aws:iam/role:Role", name: "irsa-role", inputs: { issuer: url } },
      { type: "aws:iam/rolePolicy:RolePolicy", name: "s3-read", inputs: {} },
      { type: "aws:s3/bucketV2:BucketV2", name: "bucket", inputs: {} },
      { type: "aws:s3/bucketObjectv2:BucketObjectv2", name: "seed", inputs: { key: "irsa-check.txt" } },
    ],
    outputs: {
      roleArn: plain(FAKE_ROLE_ARN),
      bucketName: plain("irsa-bucket-1234567"),
      objectKey: plain("irsa-check.txt"),
      serviceAccount: plain({ namespace: "irsa-demo", name: "s3-reader" }),
    },
  };
};

function urnOf(stack: string, type: string, name: string): string {
  const short = stack.slice(stack.lastIndexOf("/") + 1);
  return type === "pulumi:pulumi:Stack"
    ? `urn:pulumi:${short}::${PROJECT}::${type}::${PROJECT}-${short}`
    : `urn:pulumi:${short}::${PROJECT}::pulumi:pulumi:Stack$${type}::${name}`;
}

/** A CommandError-shaped error, as the Automation API throws when the CLI exits non-zero. */
function commandError(stderr: string): Error {
  return new Error(`code: 255\n stdout: \n stderr: ${stderr}\n err?: \n`);
}

/** The in-memory workspace. */
export class FakeWorkspace implements StackWorkspace {
  readonly stacks = new Map<string, FakeStack>();
  readonly calls: FakeCall[] = [];
  readonly failures: FailurePlan[] = [];
  /** The fake clock, in milliseconds; each resource step advances it by `stepMs`. */
  clock = 0;
  stepMs = 1000;
  private sequence = 0;

  constructor(
    readonly programs: { "account-a": FakeProgram; "account-b": FakeProgram } = {
      "account-a": fakeAccountA,
      "account-b": fakeAccountB,
    },
  ) {}

  /** The clock as a `now()` function for the orchestration. */
  readonly now = (): number => this.clock;

  /** Makes the next matching operation fail. */
  failNext(plan: FailurePlan): this {
    this.failures.push(plan);
    return this;
  }

  /** The methods called, as `method stack` strings, optionally only those of some methods. */
  callLog(methods?: Array<keyof StackWorkspace>): string[] {
    return this.calls
      .filter((c) => !methods || methods.includes(c.method))
      .map((c) => `${c.method} ${c.stack}`);
  }

  /** A copy of a stack's resources (urn → inputs) and outputs, for comparing states. */
  snapshot(stack: string): { resources: Record<string, unknown>; outputs: StackOutputs; pending: string[] } {
    const s = this.mustExist(stack);
    return {
      resources: Object.fromEntries([...s.resources].map(([urn, r]) => [urn, r.inputs])),
      outputs: structuredClone(s.outputs),
      pending: [...s.pending],
    };
  }

  createOrSelect(stack: string): Promise<void> {
    this.calls.push({ method: "createOrSelect", stack });
    if (!this.stacks.has(stack)) {
      this.stacks.set(stack, { resources: new Map(), outputs: {}, config: {}, pending: [] });
    }
    return Promise.resolve();
  }

  select(stack: string): Promise<boolean> {
    this.calls.push({ method: "select", stack });
    return Promise.resolve(this.stacks.has(stack));
  }

  up(stack: string, handlers: OperationHandlers): Promise<OperationResult> {
    this.calls.push({ method: "up", stack });
    return Promise.resolve().then(() => this.run("up", stack, handlers));
  }

  preview(stack: string, handlers: OperationHandlers): Promise<OperationResult> {
    this.calls.push({ method: "preview", stack });
    return Promise.resolve().then(() => this.run("preview", stack, handlers));
  }

  destroy(stack: string, handlers: OperationHandlers): Promise<OperationResult> {
    this.calls.push({ method: "destroy", stack });
    return Promise.resolve().then(() => this.run("destroy", stack, handlers));
  }

  outputs(stack: string): Promise<StackOutputs> {
    this.calls.push({ method: "outputs", stack });
    return Promise.resolve().then(() => structuredClone(this.mustExist(stack).outputs));
  }

  qualifiedName(stack: string): Promise<string> {
    this.calls.push({ method: "qualifiedName", stack });
    return Promise.resolve(fakeQualifiedName(stack));
  }

  getConfig(stack: string, key: string): Promise<string | undefined> {
    this.calls.push({ method: "getConfig", stack, key });
    return Promise.resolve().then(() => this.mustExist(stack).config[key]);
  }

  setConfig(stack: string, key: string, value: string): Promise<void> {
    this.calls.push({ method: "setConfig", stack, key, value });
    return Promise.resolve().then(() => {
      this.mustExist(stack).config[key] = value;
    });
  }

  private mustExist(stack: string): FakeStack {
    const s = this.stacks.get(stack);
    if (!s) throw commandError(`error: no stack named '${stack}' found`);
    return s;
  }

  private programFor(stack: string, config: Record<string, string>): FakeProgram {
    const name = config[PROGRAM_KEY] ?? (stack.endsWith("account-a") ? "account-a" : "account-b");
    if (name !== "account-a" && name !== "account-b") throw new Error(`bad program ${name}`);
    if (!config[PROGRAM_KEY] && !stack.endsWith(name)) {
      throw new Error(`stack "${stack}" does not end in account-a or account-b and sets no ${PROGRAM_KEY}`);
    }
    return this.programs[name];
  }

  private emit(handlers: OperationHandlers, event: Omit<EngineEvent, "sequence" | "timestamp">): void {
    this.sequence += 1;
    handlers.onEvent({ sequence: this.sequence, timestamp: Math.floor(this.clock / 1000), ...event });
  }

  private takeFailure(op: FailurePlan["op"], stack: string): FailurePlan | undefined {
    const i = this.failures.findIndex((f) => f.op === op && f.stack === stack);
    if (i < 0) return undefined;
    const plan = this.failures[i];
    if (plan.skip) {
      plan.skip -= 1;
      return undefined;
    }
    return this.failures.splice(i, 1)[0];
  }

  private run(op: FailurePlan["op"], stack: string, handlers: OperationHandlers): OperationResult {
    const state = this.mustExist(stack);
    const failure = this.takeFailure(op, stack);
    if (failure?.mode === "locked") {
      throw commandError(
        `error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end ` +
          `or delete the lock file with \`pulumi cancel\`.`,
      );
    }
    const rootUrn = urnOf(stack, "pulumi:pulumi:Stack", "");
    const counts: OpMap = {};
    const steps: Array<{ op: OpType; urn: string; type: string; resource?: FakeResource }> = [];
    let outputs: StackOutputs = {};

    if (op === "destroy") {
      for (const [urn, r] of [...state.resources].reverse()) steps.push({ op: "delete", urn, type: r.type });
    } else {
      let result: FakeProgramResult;
      try {
        result = this.programFor(
          stack,
          state.config,
        )({
          stack,
          config: { ...state.config },
          preview: op === "preview",
          reference: (name) => {
            const target = [...this.stacks.keys()].find((s) => fakeQualifiedName(s) === name);
            if (target === undefined) throw new Error(`unknown stack reference ${name}`);
            return structuredClone(this.stacks.get(target)!.outputs);
          },
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.emit(handlers, {
          diagnosticEvent: { urn: rootUrn, message: `${message}\n`, color: "never", severity: "error" },
        });
        throw commandError(`error: an unhandled error occurred: ${message}`);
      }
      outputs = result.outputs;
      const desired = [{ type: "pulumi:pulumi:Stack", name: "", inputs: {} }, ...result.resources];
      const desiredUrns = new Set<string>();
      if (state.pending.length > 0 && op === "up") {
        this.emit(handlers, {
          diagnosticEvent: {
            message: `Attempting to deploy or update resources with ${state.pending.length} pending operations from previous deployment.`,
            color: "never",
            severity: "warning",
          },
        });
      }
      for (const resource of desired) {
        const urn = urnOf(stack, resource.type, resource.name);
        desiredUrns.add(urn);
        const existing = state.resources.get(urn);
        const stepOp: OpType = !existing
          ? "create"
          : JSON.stringify(existing.inputs) === JSON.stringify(resource.inputs)
            ? "same"
            : "update";
        steps.push({ op: stepOp, urn, type: resource.type, resource });
      }
      for (const [urn, r] of [...state.resources].reverse()) {
        if (!desiredUrns.has(urn)) steps.push({ op: "delete", urn, type: r.type });
      }
    }

    const planning = op === "preview";
    for (const [index, step] of steps.entries()) {
      const metadata = { op: step.op, urn: step.urn, type: step.type, provider: "" };
      this.emit(handlers, { resourcePreEvent: { metadata, planning } });
      if (failure && index === failure.afterSteps) {
        this.clock += this.stepMs;
        const message =
          failure.message ??
          (failure.mode === "interrupt"
            ? "update canceled: interrupted"
            : `creating ${step.type}: AccessDenied: not authorized`);
        if (failure.mode === "interrupt" && !planning) state.pending.push(step.urn);
        this.emit(handlers, {
          diagnosticEvent: { urn: step.urn, message: `${message}\n`, color: "never", severity: "error" },
        });
        this.emit(handlers, { resOpFailedEvent: { metadata, status: 1, steps: index } });
        // Like the engine, close with a generic error on the stack resource.
        this.emit(handlers, {
          diagnosticEvent: {
            urn: rootUrn,
            message: `${op === "up" ? "update" : op} failed\n`,
            color: "never",
            severity: "error",
          },
        });
        this.emit(handlers, {
          summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: counts, policyPacks: {} },
        });
        throw commandError(`error: ${op} failed`);
      }
      this.clock += this.stepMs;
      if (!planning) {
        if (step.op === "delete") state.resources.delete(step.urn);
        else if (step.resource) state.resources.set(step.urn, { ...step.resource, urn: step.urn });
        state.pending = state.pending.filter((u) => u !== step.urn);
      }
      counts[step.op] = (counts[step.op] ?? 0) + 1;
      this.emit(handlers, { resOutputsEvent: { metadata, planning } });
    }
    if (!planning) {
      state.outputs = op === "destroy" ? {} : outputs;
      if (op === "up") state.pending = [];
    }
    this.emit(handlers, {
      summaryEvent: {
        maybeCorrupt: false,
        durationSeconds: steps.length,
        resourceChanges: counts,
        policyPacks: {},
      },
    });
    return {
      resourceChanges: counts,
      outputs: op === "up" ? structuredClone(state.outputs) : undefined,
    };
  }
}
