/**
 * The real `StackWorkspace`: the Automation API's LocalWorkspace on this repository, with secret
 * outputs found in the exported deployment.
 */
import type * as Automation from "@pulumi/pulumi/automation";
import type {
  OperationHandlers,
  OperationResult,
  StackConfigValues,
  StackOutputs,
  StackWorkspace,
  WorkspaceSettings,
} from "./workspace";

/**
 * The key that marks a secret in Pulumi's serialized state (`pulumi stack export`).
 *
 * @internal exported for the tests only
 */
export const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";

/**
 * The value of {@link SECRET_SIGNATURE_KEY} on a secret.
 *
 * @internal exported for the tests only
 */
export const SECRET_SIGNATURE_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** The organization name self-managed backends use in fully qualified stack names. */
export const SELF_MANAGED_ORGANIZATION = "organization";

function containsSecret(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(containsSecret);
  const record = value as Record<string, unknown>;
  if (record[SECRET_SIGNATURE_KEY] === SECRET_SIGNATURE_VALUE) return true;
  return Object.values(record).some(containsSecret);
}

/**
 * The names of the stack outputs that are or contain secrets, read from an exported deployment (the
 * root `pulumi:pulumi:Stack` resource's outputs). `pulumi stack output` flags only outputs that are
 * secret as a whole; this also catches an object output with a secret inside.
 */
export function secretOutputNames(deployment: unknown): Set<string> {
  const names = new Set<string>();
  const resources = (deployment as { deployment?: { resources?: unknown } } | undefined)?.deployment
    ?.resources;
  if (!Array.isArray(resources)) return names;
  for (const resource of resources as Array<{ type?: unknown; outputs?: unknown }>) {
    if (resource?.type !== "pulumi:pulumi:Stack" || resource.outputs === null) continue;
    if (typeof resource.outputs !== "object") continue;
    for (const [name, value] of Object.entries(resource.outputs as Record<string, unknown>)) {
      if (containsSecret(value)) names.add(name);
    }
  }
  return names;
}

/**
 * Flags as secret every output that Pulumi flagged or that contains a secret.
 *
 * @internal exported for the tests only
 */
export function markSecretOutputs(outputs: Automation.OutputMap, secretNames: Set<string>): StackOutputs {
  const result: StackOutputs = {};
  for (const [name, output] of Object.entries(outputs)) {
    result[name] = { value: output.value as unknown, secret: output.secret || secretNames.has(name) };
  }
  return result;
}

/**
 * The fully qualified `<org>/<project>/<stack>` name: a name with three parts is kept, `org/stack`
 * gets the project, and a bare name gets the organization and the project.
 */
export function qualifyStackName(stack: string, project: string, organization: string): string {
  const parts = stack.split("/");
  if (parts.length === 3) return stack;
  if (parts.length === 2) return `${parts[0]}/${project}/${parts[1]}`;
  return `${organization}/${project}/${stack}`;
}

/**
 * The environment the Pulumi CLI runs with: the chosen backend, and no update-check chatter.
 *
 * @internal exported for the tests only
 */
export function workspaceEnv(settings: WorkspaceSettings): Record<string, string> {
  const env: Record<string, string> = { PULUMI_SKIP_UPDATE_CHECK: "true" };
  if (settings.backendUrl) env.PULUMI_BACKEND_URL = settings.backendUrl;
  return env;
}

/** Options for {@link createPulumiWorkspace}. */
export interface PulumiWorkspaceOptions {
  /** Use the Pulumi CLI installed under this directory (`<root>/bin/pulumi`) instead of the one on PATH. */
  pulumiRoot?: string;
}

/**
 * The real {@link StackWorkspace}: a `LocalWorkspace` on the repository (so Pulumi reads `Pulumi.yaml`
 * and the `Pulumi.<stack>.yaml` config files there), reaching the chosen backend through
 * `PULUMI_BACKEND_URL` (never by rewriting `Pulumi.yaml`), with the passphrase secrets provider for
 * new stacks on self-managed backends. The Automation API is loaded here, on first use.
 */
export async function createPulumiWorkspace(
  settings: WorkspaceSettings,
  options: PulumiWorkspaceOptions = {},
): Promise<StackWorkspace> {
  const auto = await import("@pulumi/pulumi/automation");
  const pulumiCommand = options.pulumiRoot
    ? await auto.PulumiCommand.get({ root: options.pulumiRoot })
    : undefined;
  const workspace = await auto.LocalWorkspace.create({
    workDir: settings.workDir,
    envVars: workspaceEnv(settings),
    secretsProvider: settings.selfManaged ? "passphrase" : undefined,
    pulumiCommand,
  });
  return new PulumiStackWorkspace(auto, workspace, settings);
}

class PulumiStackWorkspace implements StackWorkspace {
  private readonly stacks = new Map<string, Automation.Stack>();
  private organization: string | undefined;

  constructor(
    private readonly auto: typeof Automation,
    private readonly workspace: Automation.LocalWorkspace,
    private readonly settings: WorkspaceSettings,
  ) {}

  async createOrSelect(stack: string): Promise<void> {
    this.stacks.set(stack, await this.auto.Stack.createOrSelect(stack, this.workspace));
  }

  async select(stack: string): Promise<boolean> {
    try {
      this.stacks.set(stack, await this.auto.Stack.select(stack, this.workspace));
      return true;
    } catch (error) {
      if (error instanceof this.auto.StackNotFoundError) return false;
      throw error;
    }
  }

  async up(stack: string, handlers: OperationHandlers): Promise<OperationResult> {
    const result = await this.stack(stack).up({
      onEvent: handlers.onEvent,
      signal: handlers.signal,
      color: "never",
    });
    return { resourceChanges: result.summary.resourceChanges ?? {}, outputs: await this.outputs(stack) };
  }

  async preview(stack: string, handlers: OperationHandlers): Promise<OperationResult> {
    const result = await this.stack(stack).preview({
      onEvent: handlers.onEvent,
      signal: handlers.signal,
      color: "never",
    });
    return { resourceChanges: result.changeSummary };
  }

  async destroy(stack: string, handlers: OperationHandlers): Promise<OperationResult> {
    const result = await this.stack(stack).destroy({
      onEvent: handlers.onEvent,
      signal: handlers.signal,
      color: "never",
    });
    return { resourceChanges: result.summary.resourceChanges ?? {} };
  }

  async outputs(stack: string): Promise<StackOutputs> {
    const outputs = await this.workspace.stackOutputs(stack);
    if (Object.keys(outputs).length === 0) return {};
    const deployment = await this.workspace.exportStack(stack);
    return markSecretOutputs(outputs, secretOutputNames(deployment));
  }

  async qualifiedName(stack: string): Promise<string> {
    const project = this.settings.project;
    if (stack.split("/").length > 1) return qualifyStackName(stack, project, "");
    return qualifyStackName(stack, project, await this.defaultOrganization());
  }

  async getConfig(stack: string, key: string): Promise<string | undefined> {
    try {
      return (await this.workspace.getConfig(stack, key)).value;
    } catch (error) {
      if (error instanceof this.auto.CommandError && /not found/i.test(error.message)) return undefined;
      throw error;
    }
  }

  async setConfig(stack: string, key: string, value: string): Promise<void> {
    await this.workspace.setConfig(stack, key, { value, secret: false });
  }

  /**
   * `pulumi config --show-secrets --json` (the Automation API's `getAllConfig`): each key's `value` is
   * the text Pulumi stores (a list or a map as JSON, beside its `objectValue`), secrets decrypted
   * (https://github.com/pulumi/pulumi/pull/2374, https://github.com/pulumi/pulumi/pull/3342). A key
   * without a value is refused, never read as unset.
   */
  async getAllConfig(stack: string): Promise<StackConfigValues> {
    const all = await this.workspace.getAllConfig(stack);
    for (const [key, v] of Object.entries(all)) {
      if (typeof v?.value !== "string") {
        throw new Error(`pulumi config --json gave no value for ${key} on stack ${stack}`);
      }
    }
    return {
      config: Object.fromEntries(Object.entries(all).map(([key, v]) => [key, v.value])),
      secretKeys: Object.entries(all)
        .filter(([, v]) => v.secret === true)
        .map(([key]) => key),
    };
  }

  private stack(name: string): Automation.Stack {
    const stack = this.stacks.get(name);
    if (!stack) throw new Error(`stack ${name} has not been created or selected`);
    return stack;
  }

  /** `organization` on self-managed backends; on Pulumi Cloud the default organization, else the user. */
  private async defaultOrganization(): Promise<string> {
    if (this.settings.selfManaged) return SELF_MANAGED_ORGANIZATION;
    if (this.organization !== undefined) return this.organization;
    const anyStack = this.stacks.values().next().value;
    let organization = "";
    if (anyStack) {
      try {
        organization = (await anyStack.orgGetDefault()).trim();
      } catch {
        organization = "";
      }
    }
    if (organization === "" || /\s/.test(organization)) organization = (await this.workspace.whoAmI()).user;
    this.organization = organization;
    return organization;
  }
}
