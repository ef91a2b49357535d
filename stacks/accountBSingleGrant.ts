/**
 * Single-grant mode on account-b (no `cross-account-irsa:grants`): what each mechanism reads of
 * account-a and how its one grant is named, so that the program runs it through `BucketAccessGrant`
 * and a stack deployed before that (when each mechanism registered its own role component) upgrades
 * without replacing anything. Pure: no resource registers here.
 */
import type * as pulumi from "@pulumi/pulumi";
import { type GrantClusterInput } from "../components/bucketAccessGrantInputs";
import { Mechanism } from "../components/mechanism";
import type { AccountBConfig } from "./config";
import type { AccountAFacts } from "./trustCheck";

/** account-a's outputs a mechanism's single grant reads. */
export type AccountAOutputName = "oidcIssuerUrl" | "oidcThumbprint" | "clusterArn" | "sourceRoleArn";

/** One mechanism's single grant on account-b. */
export interface SingleGrantB {
  /** account-a's outputs its trust names, in order: account-b's update needs them, a preview goes on without. */
  readonly accountAOutputs: readonly AccountAOutputName[];
  /** account-a's outputs it reads too when they are there (not required). */
  readonly optionalAccountAOutputs: readonly AccountAOutputName[];
  /** What account-b's preview logs when account-a has not exported them yet. */
  readonly previewWithout: string;
  /** The facts account-b's trust check takes, from those outputs' values (undefined: not known yet). */
  facts(known: readonly string[] | undefined): AccountAFacts;
  /**
   * The grant's name: the name of the role component single-grant stacks registered before
   * (`irsa-role`, ...), so the role and its policy keep their names (`<name>`, `<name>-s3-access`).
   */
  readonly grantName: string;
  /** That component's type: the grant carries it as an alias, and its children inherit the alias. */
  readonly previousType: string;
  /** The role's description, as that component's stack layer wrote it. */
  description(config: AccountBConfig): string;
  /**
   * account-a's cluster as the grant trusts it, from the values of {@link accountAOutputs} (in order)
   * and the stack-level OIDC provider's ARN (IRSA).
   */
  cluster(values: readonly pulumi.Input<string>[], providerArn?: pulumi.Output<string>): GrantClusterInput;
  /** The mechanism's own stack outputs (after `roleArn`, `roleName`, `trustPolicy`). */
  outputs(
    values: readonly pulumi.Input<string>[],
    providerArn?: pulumi.Output<string>,
  ): Record<string, unknown>;
  /** Whether the grant keeps the chained statement's Sid (`ChainedTargetRole` wrote it). */
  readonly chainedStatementSid: boolean;
}

/** What account-b logs when an IRSA stack previews before account-a has the outputs it needs. */
export const PREVIEW_WITHOUT_ISSUER =
  "account-a has no oidcIssuerUrl output yet: this preview shows what account-b will create once account-a " +
  "exists, with the issuer (and what depends on it: the OIDC provider's URL, the trust policy) unknown until then";
/** Likewise for Pod Identity. */
export const PREVIEW_WITHOUT_SOURCE_ROLE =
  "account-a has no clusterArn and sourceRoleArn outputs yet: this preview shows what account-b will create once " +
  "account-a exists, with the target role's trust policy unknown until then";
/** Likewise for IRSA with role chaining. */
export const PREVIEW_WITHOUT_CHAINED_SOURCE_ROLE =
  "account-a has no sourceRoleArn output yet: this preview shows what account-b will create once account-a " +
  "exists, with the target role's trust policy unknown until then";

const count = (config: AccountBConfig) => `${config.serviceAccounts.length} service account(s)`;

/** Each mechanism's single grant, by name. */
export const SINGLE_GRANT_B: { readonly [M in Mechanism]: SingleGrantB } = {
  [Mechanism.Irsa]: {
    accountAOutputs: ["oidcIssuerUrl"],
    optionalAccountAOutputs: ["oidcThumbprint"],
    previewWithout: PREVIEW_WITHOUT_ISSUER,
    facts: (known) => ({ issuerUrl: known?.[0] }),
    grantName: "irsa-role",
    previousType: "cross-account-irsa:index:IrsaRole",
    description: (config) => `IRSA role for ${count(config)} of ${config.accountAStack} (cross-account-irsa)`,
    cluster: ([issuerUrl], providerArn) => ({ issuerUrl, oidcProviderArn: providerArn }),
    outputs: (_values, providerArn) => ({ oidcProviderArn: providerArn }),
    chainedStatementSid: false,
  },
  [Mechanism.PodIdentity]: {
    accountAOutputs: ["clusterArn", "sourceRoleArn"],
    optionalAccountAOutputs: [],
    previewWithout: PREVIEW_WITHOUT_SOURCE_ROLE,
    facts: (known) => ({ clusterArn: known?.[0], sourceRoleArn: known?.[1] }),
    grantName: "pod-identity-target",
    previousType: "cross-account-irsa:index:PodIdentityTargetRole",
    description: (config) =>
      `EKS Pod Identity target role for ${count(config)} of ${config.accountAStack} (cross-account-irsa)`,
    cluster: ([clusterArn, sourceRoleArn]) => ({ clusterArn, sourceRoleArn }),
    outputs: ([clusterArn, sourceRoleArn]) => ({ sourceRoleArn, clusterArn }),
    chainedStatementSid: false,
  },
  [Mechanism.IrsaChained]: {
    accountAOutputs: ["sourceRoleArn"],
    optionalAccountAOutputs: [],
    previewWithout: PREVIEW_WITHOUT_CHAINED_SOURCE_ROLE,
    facts: (known) => ({ sourceRoleArn: known?.[0] }),
    grantName: "irsa-chained-target",
    previousType: "cross-account-irsa:index:ChainedTargetRole",
    description: (config) =>
      `IRSA chained target role for ${count(config)} of ${config.accountAStack}, ` +
      "trusting its source role (cross-account-irsa)",
    cluster: ([sourceRoleArn]) => ({ chainedSourceRoleArn: sourceRoleArn }),
    outputs: ([sourceRoleArn]) => ({ sourceRoleArn }),
    chainedStatementSid: true,
  },
};
