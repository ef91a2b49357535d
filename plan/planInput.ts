/**
 * What the plan runs on: the organization its stacks run in, the two stack names and their validated
 * configuration. Types and one constant, below everything else in plan/ (the mechanisms' plan parts
 * import them without loading plan/config.ts, which dispatches through the mechanisms).
 */
import { type Mechanism } from "../components/mechanism";
import { type ServiceAccountRef } from "../components/trustPolicy";
import { type AccountBGrantBucket } from "../stacks/accountBGrantsBuckets";
import { type AwsSettings } from "../stacks/awsSettings";
import { type AccountAConfig, type AccountBConfig } from "../stacks/config";

/** The organization the plan runs the stacks in (a self-managed backend's). */
export const PLAN_ORGANIZATION = "organization";

/** The two stacks of the project. */
export type StackName = "account-a" | "account-b";

/** The validated configuration of both stacks. */
export interface PlanConfigs {
  a: AccountAConfig;
  b: AccountBConfig;
}

/**
 * One grant of account-b's `cross-account-irsa:grants` as the plan judges it: what account-b's config
 * intends (the access matrix's expectations come from here, never from the programs' documents).
 */
export interface PlanGrant {
  /** The grant's stable key: the name of its `BucketAccessGrant`. */
  key: string;
  /** The paths the grant's role trusts, as configured. */
  mechanisms: Mechanism[];
  serviceAccounts: ServiceAccountRef[];
  buckets: PlanGrantBucket[];
  /** The trust policy size limit (`maxTrustPolicySize`). */
  maxTrustPolicySize: number;
}

/**
 * A bucket of a grant, as configured: account-b's parsed bucket (stacks/accountBGrantsBuckets.ts),
 * without what only the deploy reads (`forceDestroy`).
 */
export type PlanGrantBucket = Omit<AccountBGrantBucket, "forceDestroy">;

/** One entry of account-a's `cross-account-irsa:grants`: the binding of a grant of account-b. */
export interface PlanBinding {
  /** The key of account-b's grant it binds: the name of its `BucketAccessBinding`. */
  key: string;
  /** The paths the binding sets up, as configured. */
  mechanisms: Mechanism[];
  serviceAccount: ServiceAccountRef;
  deployProbe: boolean;
}

/**
 * Both stacks in grants mode (`cross-account-irsa:grants`): the stack-level settings and the two
 * lists, in config order.
 */
export interface PlanGrantsConfigs {
  mode: "grants";
  a: {
    aws: AwsSettings;
    accountBStack: string;
    cluster: AccountAConfig["cluster"];
    grants: PlanBinding[];
  };
  b: { aws: AwsSettings; accountAStack: string; grants: PlanGrant[] };
}
