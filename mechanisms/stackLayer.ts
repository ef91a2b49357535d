/**
 * What a mechanism is to the two stack programs: its stack layer, the part of its folder that
 * stacks/ calls. `StackConfigLayer` (each `mechanisms/<name>/config.ts`, pure, listed in
 * stackConfigRegistry.ts) holds its config keys, their refusals and account-b's trust check;
 * `StackLayer` (each `<name>/accountA.ts`, which registers Pulumi resources, listed in
 * stackRegistry.ts) its account-a wiring: it registers only what account-a's first update needs and
 * hands the rest to the one `BucketAccessBinding` stacks/accountA.ts registers; account-b runs every
 * mechanism as one `BucketAccessGrant` (stacks/accountBSingleGrant.ts). The stack programs parse the config, look
 * the mechanism's layer up and call it: they never ask which mechanism it is.
 *
 * Pure types.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { BindingChildAliases, BucketAccessBindingArgs } from "../components/bucketAccessBinding";
import { type PolicyDocument } from "../components/policyDocument";
import { type ServiceAccountRef } from "../components/trustPolicy";
import { type WorkloadCluster } from "../components/workloadCluster";
import type {
  AccountAConfig,
  AccountBConfig,
  AwsSettings,
  ConfigGetter,
  StackSettings,
} from "../stacks/config";
import type { AccountBOutputs } from "../stacks/crossStack";
import type { AccountAFacts } from "../stacks/trustCheck";

/**
 * A mechanism's config keys and their checks, in the order the parsers call them. Pure. `A` and `B`
 * are its own parts of account-a's and account-b's parsed config, `O` of account-b's outputs as
 * account-a reads them (their fields optional: set only with this mechanism), listed by mechanism in
 * stackConfigRegistry.ts.
 */
export interface StackConfigLayer<
  A extends object = object,
  B extends object = object,
  O extends object = object,
> {
  /** account-a's config. */
  readonly accountA: {
    /**
     * The keys of the project's namespace only this mechanism reads on account-a: the stack parser
     * knows them, and refuses them by name on a stack that uses another mechanism.
     */
    readonly keys: readonly string[];
    /** The fields of the `cross-account-irsa:cluster` object only this mechanism reads, likewise. */
    readonly clusterKeys: readonly string[];
    /**
     * This mechanism's own settings, checked once the AWS settings are known (`cluster` is the
     * parsed `cross-account-irsa:cluster` object).
     */
    parse(get: ConfigGetter, aws: AwsSettings, cluster: Record<string, unknown>): A;
    /**
     * The outputs of account-b only this mechanism exports (its account-b layer's `register` returns
     * them) and account-a reads.
     */
    readonly accountBOutputs: readonly string[];
    /**
     * Those outputs as account-b exported them (`raw`), checked; `field` names one as errors show it
     * (`<stack> output <name>`).
     */
    parseAccountBOutputs(raw: Record<string, unknown>, field: (name: string) => string): O;
    /**
     * Whether account-b's role, as account-b's outputs show it, trusts a service account it does not
     * list exactly (through a pattern); false when this mechanism trusts exact service accounts only.
     */
    trustsUnlisted(b: AccountBOutputs, serviceAccount: ServiceAccountRef): boolean;
  };
  /** account-b's config. */
  readonly accountB: {
    /** The keys only this mechanism reads on account-b (known, and refused by name under another). */
    readonly keys: readonly string[];
    /** Refuses the settings that mean nothing with this mechanism, first (before the other keys are read). */
    refuseKeys(settings: StackSettings): void;
    /** Checks one `serviceAccounts` entry (`field` names it) beyond the shared rules. */
    checkServiceAccount(field: string, entry: Record<string, unknown>): void;
    /** Checks the `serviceAccounts` list as a whole beyond the shared rules. */
    checkServiceAccounts(entries: unknown[]): void;
    /** Checks the settings against the AWS settings, once those are known. */
    checkSettings(settings: StackSettings, aws: AwsSettings): void;
    /** This mechanism's own settings (its {@link keys}), checked, last. */
    parse(settings: StackSettings, aws: AwsSettings): B;
    /**
     * account-b's trust policy of its role, built from config and account-a's facts and checked as
     * IAM will (undefined: account-a's facts are not known yet).
     *
     * @throws InputError naming the `cross-account-irsa:` key to change.
     */
    trust(config: AccountBConfig, a: AccountAFacts): PolicyDocument | undefined;
  };
}

/**
 * What a mechanism adds to account-a's one `BucketAccessBinding` (single-grant mode runs as one grant
 * through it, as grants mode does): the checked role ARN the binding's handoff waits for, the
 * binding's arguments only this mechanism sets, and the aliases that keep the URNs of what its
 * single-grant layer registered before it ran through the binding.
 */
export interface AccountABinding {
  /** account-b's role ARN, resolved only once the links that need the cluster pass. */
  roleArn: pulumi.Output<string>;
  /** The binding's arguments only this mechanism sets (its cluster, its adopted source role, ...). */
  args: Partial<BucketAccessBindingArgs>;
  /** What the binding (and so each of its resources) waits for besides the cluster. */
  dependsOn: pulumi.Resource[];
  /** The earlier URNs of the binding's resources this mechanism registered itself before. */
  childAliases: BindingChildAliases;
}

/** What account-a's first part registered, and what the binding needs once account-b has outputs. */
export interface AccountAPart {
  /** The stack outputs it adds (after the cluster's). */
  outputs: Record<string, unknown>;
  /** The source role this part registered, when it registers one (the grant's handoff names it). */
  sourceRoleArn?: pulumi.Output<string>;
  /** The second part: what the binding of the ServiceAccount account-b trusts needs of the mechanism. */
  binding(input: { b: AccountBOutputs; serviceAccount: ServiceAccountRef }): AccountABinding;
}

/** A mechanism's account-a wiring. */
export interface AccountALayer {
  /**
   * Checks the chain account-a is about to build, with the chain's own checks, before anything is
   * registered; throws naming each broken link and its fix.
   */
  checkBeforeRegistering(config: AccountAConfig, b: AccountBOutputs, serviceAccount: ServiceAccountRef): void;
  /**
   * The first part, registered after the cluster (also before account-b has outputs: `b` undefined):
   * what account B's trust must name before account-a's second update (the source roles, under
   * generated names) and what all grants share (the agent add-on, account A's OIDC provider).
   */
  register(input: {
    config: AccountAConfig;
    cluster: WorkloadCluster;
    b: AccountBOutputs | undefined;
    aws: pulumi.ProviderResource;
  }): AccountAPart;
  /** The `issuerCheck` output once the chain's checks pass: what account-a checked. */
  readonly issuerCheck: string;
}

/** A mechanism's wiring in the two stack programs. */
export interface StackLayer {
  readonly accountA: AccountALayer;
}
