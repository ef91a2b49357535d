/**
 * An in-process Pulumi engine built on `pulumi.runtime.setMocks`: it runs the real program, records
 * every resource registration (type, name, parent, provider, inputs, options) and answers with
 * deterministic placeholder ids and ARNs derived from the inputs and the provider's config.
 *
 * The offline plan (`npm run plan`) and the unit tests both use it, so what the tests assert is what
 * the plan shows. Nothing here talks to a cloud or needs the Pulumi CLI.
 */
import * as pulumi from "@pulumi/pulumi";
import { partitionOfRegion } from "../components/partitions";
import { requestAliasUrns, urnName } from "./aliases";
import { providerFunctionAnswer, resourceAnswer, type Placement } from "./answers";
import { PLACEHOLDER_ACCOUNT_ID, digest } from "./placeholders";
import {
  providersOf,
  secretPaths,
  type MonitorLike,
  type RegisterOptionsLike,
  type RegisterRequestLike,
  type ResponseLike,
} from "./registrations";
import { plainStackTraces } from "./stackTraces";

/** A resource registration, as the program sent it. */
export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  /** The parent's URN; undefined for resources registered at the top of the program. */
  parent?: string;
  custom: boolean;
  /** `<provider urn>::<provider id>` of an explicit provider, when one was passed. */
  provider?: string;
  /**
   * Package to `<provider urn>::<provider id>` of the providers sent along with a component (what a
   * remote component such as `eks:index:Cluster` receives as `providers`); empty for most resources.
   */
  providers: Record<string, string>;
  /** The inputs the program sent, Outputs resolved; a secret value stays in its wire form ({<sig>: secret, value}), see `secretInputs`. */
  inputs: Record<string, unknown>;
  /** What the engine answered with (inputs plus synthesised ids and ARNs). */
  state: Record<string, unknown>;
  /** Input property names the program marked secret. */
  secretInputs: string[];
  dependsOn: string[];
  ignoreChanges: string[];
  replaceOnChanges: string[];
  deleteBeforeReplace: boolean;
  protect: boolean;
  /** True when the program read an existing resource (`get`) instead of creating one. */
  read: boolean;
  /** Its alias URNs, its parent's included (engine/aliases.ts); empty for most resources. */
  aliases: string[];
}

/** A provider function call, as the program sent it. */
export interface RecordedCall {
  token: string;
  inputs: Record<string, unknown>;
  provider?: string;
}

/** What the engine answers for a resource or call it does not synthesise itself. */
export type ResourceHook = (
  args: pulumi.runtime.MockResourceArgs,
) => pulumi.runtime.MockResourceResult | undefined;
export type CallHook = (args: pulumi.runtime.MockCallArgs) => Record<string, unknown> | undefined;

export interface MockEngineOptions {
  project?: string;
  stack?: string;
  organization?: string;
  /** Stack config, `<namespace>:<key>` to the string value (objects as JSON), as Pulumi passes it. */
  config?: Record<string, string>;
  /** Config keys that are secret. */
  secretKeys?: string[];
  /**
   * Outputs of other stacks, by fully qualified stack name, for StackReferences. A referenced stack
   * that is not listed resolves with no outputs, like a stack that exists but was never deployed;
   * with `strictStackReferences` it fails instead.
   */
  stackOutputs?: Record<string, Record<string, unknown>>;
  /**
   * Fail a StackReference to a stack not listed in `stackOutputs`, as the Pulumi backends do for a
   * stack that does not exist (list a stack that exists but has no outputs as `{}`).
   */
  strictStackReferences?: boolean;
  /** Account id to use for AWS resources whose provider does not pin `allowedAccountIds`. */
  defaultAccountId?: string;
  /** Region to use when neither the provider nor the config names one. */
  defaultRegion?: string;
  /** Answers that take precedence over the synthesised ones (tests use this for edge cases). */
  onResource?: ResourceHook;
  onCall?: CallHook;
  /** Run as a preview (`pulumi preview`) instead of an update. */
  preview?: boolean;
}

export { PLACEHOLDER_ACCOUNT_ID };

interface ProviderInfo {
  type: string;
  inputs: Record<string, unknown>;
}

/**
 * The engine. Create one per program run; `install()` before running the program. While an engine
 * is installed, stack traces are V8's plain ones (see {@link plainStackTraces}).
 */
export class MockEngine {
  readonly resources: RecordedResource[] = [];
  readonly calls: RecordedCall[] = [];
  readonly stackReferences: string[] = [];
  private readonly providers = new Map<string, ProviderInfo>();
  /** The providers map of the registration being answered (see `install`). */
  private requestProviders: Record<string, string> = {};
  /** The alias URNs of the registration being answered (see `install`). */
  private requestAliases: string[] = [];
  private readonly options: MockEngineOptions;
  /** The project and stack the program runs as. */
  readonly project: string;
  readonly stack: string;

  constructor(options: MockEngineOptions = {}) {
    this.options = options;
    this.project = options.project ?? "cross-account-irsa";
    this.stack = options.stack ?? "test";
  }

  /** Points the Pulumi runtime at this engine. Resets any earlier engine's state. */
  async install(): Promise<void> {
    plainStackTraces();
    const config = this.options.config ?? {};
    pulumi.runtime.setAllConfig(config, this.options.secretKeys ?? []);
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => this.newResource(args),
        call: (args) => this.call(args),
      },
      this.project,
      this.stack,
      this.options.preview ?? false,
      this.options.organization ?? "organization",
    );
    // The mock monitor does not hand parents, options or secrecy to `newResource`: wrap its
    // registerResource and readResource to record them from the raw request.
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
    for (const method of ["registerResource", "readResource"] as const) {
      const original = monitor[method].bind(monitor);
      monitor[method] = (req: RegisterRequestLike, callback: (err: unknown, resp: ResponseLike) => void) => {
        // The mock monitor calls `newResource` synchronously: let it see the request's providers map
        // (a remote component such as eks:index:Cluster gets its AWS provider only through it).
        this.requestProviders = providersOf(req);
        this.requestAliases = this.aliasesOf(req);
        try {
          original(req, (err: unknown, resp: ResponseLike) => {
            if (!err && resp) this.recordRequest(method === "readResource", req, resp);
            callback(err, resp);
          });
        } finally {
          this.requestProviders = {};
          this.requestAliases = [];
        }
      };
    }
  }

  /** All recorded resources of a type. */
  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The one recorded resource of a type (and name, when given); throws when there is not exactly one. */
  one(type: string, name?: string): RecordedResource {
    const found = this.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (found.length !== 1) {
      const seen = this.resources.map((r) => `${r.type}::${r.name}`).join(", ");
      throw new Error(
        `expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length} (${seen})`,
      );
    }
    return found[0];
  }

  /** The recorded resource with this URN. */
  byUrn(urn: string | undefined): RecordedResource | undefined {
    return this.resources.find((r) => r.urn === urn);
  }

  /** The provider's recorded inputs for a `<urn>::<id>` provider reference. */
  providerInputs(ref: string | undefined): Record<string, unknown> | undefined {
    // A reference is `<urn>::<id>`; under mocks the id is generated, so match on the URN.
    return ref ? this.providers.get(ref.slice(0, ref.lastIndexOf("::")))?.inputs : undefined;
  }

  private recordRequest(read: boolean, req: RegisterRequestLike, resp: ResponseLike): void {
    const urn = resp.getUrn();
    const record =
      this.resources.find((r) => r.urn === urn) ?? this.pendingByName(req.getType(), req.getName());
    if (!record) return;
    record.urn = urn;
    record.read = read;
    const parent = req.getParent();
    record.parent = parent ? parent : undefined;
    if (!read) {
      const r = req as RegisterRequestLike & Required<RegisterOptionsLike>;
      record.dependsOn = r.getDependenciesList?.() ?? [];
      record.ignoreChanges = r.getIgnorechangesList?.() ?? [];
      record.replaceOnChanges = r.getReplaceonchangesList?.() ?? [];
      record.deleteBeforeReplace = r.getDeletebeforereplace?.() ?? false;
      record.protect = r.getProtect?.() ?? false;
      record.secretInputs = secretPaths(r.getObject?.()?.toJavaScript?.() ?? {});
      record.providers = providersOf(r);
    }
    if (record.type.startsWith("pulumi:providers:")) {
      this.providers.set(urn, { type: record.type, inputs: record.inputs });
    }
  }

  private pendingByName(type: string, name: string): RecordedResource | undefined {
    return this.resources.find((r) => r.type === type && r.name === name && r.urn === "");
  }

  /** The alias URNs of a registration request (its parent's aliases included). */
  private aliasesOf(req: RegisterRequestLike): string[] {
    const parent = req.getParent() ? this.byUrn(req.getParent()) : undefined;
    return requestAliasUrns(req, this.stack, this.project, parent);
  }

  private newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    const aliases = this.requestAliases;
    // An aliased resource is the one it was before: its placeholders are derived from its old name.
    const identity = aliases.length > 0 ? urnName(aliases[0]) : args.name;
    // A remote component's resources land where its `providers.aws` points, not its own provider.
    const providerRef =
      args.type === "eks:index:Cluster" ? (this.requestProviders.aws ?? args.provider) : args.provider;
    const answer =
      this.options.onResource?.(args) ?? this.synthesise(args.type, identity, inputs, providerRef, args.id);
    this.resources.push({
      type: args.type,
      name: args.name,
      urn: "",
      custom: args.custom ?? true,
      provider: args.provider || undefined,
      providers: { ...this.requestProviders },
      inputs,
      state: answer.state,
      secretInputs: [],
      dependsOn: [],
      ignoreChanges: [],
      replaceOnChanges: [],
      deleteBeforeReplace: false,
      protect: false,
      read: false,
      aliases,
    });
    return answer;
  }

  private call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    this.calls.push({ token: args.token, inputs, provider: args.provider || undefined });
    const custom = this.options.onCall?.(args);
    if (custom) return custom;
    return providerFunctionAnswer(args.token, inputs, this.accountOf(args.provider));
  }

  /** The account, region and partition that resources under this provider land in. */
  accountOf(providerRef: string | undefined): Placement {
    const inputs = this.providerInputs(providerRef) ?? {};
    const config = this.options.config ?? {};
    const allowed =
      parseMaybeJson(inputs.allowedAccountIds) ?? parseMaybeJson(config["aws:allowedAccountIds"]);
    const accountId =
      (Array.isArray(allowed) && typeof allowed[0] === "string" ? allowed[0] : undefined) ??
      this.options.defaultAccountId ??
      PLACEHOLDER_ACCOUNT_ID;
    const region =
      (typeof inputs.region === "string" ? inputs.region : undefined) ??
      config["aws:region"] ??
      this.options.defaultRegion ??
      "us-east-1";
    const partition = partitionOfRegion("region", region);
    return { accountId, region, partition };
  }

  private synthesise(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    providerRef: string | undefined,
    importId: string | undefined,
  ): pulumi.runtime.MockResourceResult {
    const placement = this.accountOf(providerRef);
    const autoName = `${name}-${digest(7, this.stack, type, name)}`;
    switch (type) {
      case "pulumi:pulumi:StackReference": {
        const stackName = text(inputs.name) ?? importId ?? name;
        this.stackReferences.push(stackName);
        const known = this.options.stackOutputs?.[stackName];
        if (known === undefined && this.options.strictStackReferences) {
          throw new Error(`unknown stack "${stackName}": a StackReference needs the stack to exist`);
        }
        const outputs = known ?? {};
        return { id: stackName, state: { name: stackName, outputs, secretOutputNames: [] } };
      }
      default:
        return resourceAnswer(type, name, autoName, inputs, importId, placement);
    }
  }
}

/** The value when it is a string, else undefined. */
function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
