/**
 * The seam between the orchestration and Pulumi. The real implementation (`pulumiWorkspace.ts`)
 * drives the Pulumi CLI through the Automation API; the tests use an in-memory fake. Everything the
 * orchestration does to a stack goes through this interface, so its order and its handling of
 * failures can be tested without the CLI.
 *
 * Stack names are the names the user chose (`account-a`, `myorg/account-a`, ...), never
 * necessarily fully qualified; `qualifiedName` turns them into `<org>/<project>/<stack>`.
 */
import type { EngineEvent, OpMap } from "@pulumi/pulumi/automation";

export interface StackWorkspace {
  /** Selects the stack, creating it (empty, with no resources) when it does not exist yet. */
  createOrSelect(stack: string): Promise<void>;
  /** Selects the stack; resolves false (and creates nothing) when it does not exist. */
  select(stack: string): Promise<boolean>;
  /** Runs `pulumi up` on a selected stack. Rejects when the update fails. */
  up(stack: string, handlers: OperationHandlers): Promise<OperationResult>;
  /** Runs `pulumi preview` on a selected stack. Rejects when the preview fails. */
  preview(stack: string, handlers: OperationHandlers): Promise<OperationResult>;
  /** Runs `pulumi destroy` on a selected stack (the stack itself is kept). Rejects on failure. */
  destroy(stack: string, handlers: OperationHandlers): Promise<OperationResult>;
  /** The stack's current outputs, plaintext, each flagged when it is (or contains) a secret. */
  outputs(stack: string): Promise<StackOutputs>;
  /** The fully qualified `<org>/<project>/<stack>` name that a StackReference needs. */
  qualifiedName(stack: string): Promise<string>;
  /** A stack config value (`<namespace>:<key>`), or undefined when it is not set. */
  getConfig(stack: string, key: string): Promise<string | undefined>;
  /** Sets a plaintext stack config value in the stack's `Pulumi.<stack>.yaml`. */
  setConfig(stack: string, key: string, value: string): Promise<void>;
  /**
   * The stack's whole config as its program reads it (`pulumi config --json --show-secrets`): every
   * `<namespace>:<key>` with the text Pulumi stores (lists and objects as JSON), and which are secret.
   */
  getAllConfig(stack: string): Promise<StackConfigValues>;
}

/** A stack's config: `<namespace>:<key>` → the text Pulumi stores, and the keys whose values are secret. */
export interface StackConfigValues {
  config: Record<string, string>;
  secretKeys: string[];
}

/** Callbacks and cancellation for one stack operation. */
export interface OperationHandlers {
  /** Receives every engine event of the operation, in order. */
  onEvent: (event: EngineEvent) => void;
  /** Aborting it interrupts the operation the way Ctrl-C does (Pulumi finishes in-flight steps). */
  signal?: AbortSignal;
}

/** What a finished (successful) stack operation reports. */
export interface OperationResult {
  /** Resource counts by operation, from the engine's summary (`same`, `create`, `update`, ...). */
  resourceChanges: OpMap;
  /** The stack outputs after an `up`; absent for preview and destroy. */
  outputs?: StackOutputs;
}

/** One stack output: the plaintext value and whether it must be masked when shown. */
export interface StackOutput {
  value: unknown;
  secret: boolean;
}

/** A stack's outputs by name. */
export type StackOutputs = Record<string, StackOutput>;

/** A stack's output values by name (secrets too: for reading them, never for showing them). */
export function outputValues(outputs: StackOutputs): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, o.value]));
}

/** Where the stacks live and how to reach them; handed to the workspace factory. */
export interface WorkspaceSettings {
  /** The directory with `Pulumi.yaml` and the `Pulumi.<stack>.yaml` config files. */
  workDir: string;
  /** The Pulumi project name from `Pulumi.yaml`. */
  project: string;
  /** An explicit backend URL (`--backend` or `PULUMI_BACKEND_URL`); undefined for the current login. */
  backendUrl?: string;
  /** True for self-managed backends (file://, s3://, ...): stacks then use the passphrase secrets provider. */
  selfManaged: boolean;
}

/** Creates the workspace the orchestration drives. */
export type WorkspaceFactory = (settings: WorkspaceSettings) => Promise<StackWorkspace>;
