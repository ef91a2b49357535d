/**
 * account-b's outputs as account-a reads them in grants mode: `mode`, `grants` (each `{ handoff,
 * probe? }`, the handoff read strictly by `parseHandoff`) and `region`; a stack in the other mode
 * refused, naming both stacks. Pure.
 */
import { parseHandoff, type BucketAccessHandoff } from "../components/bucketAccessHandoff";
import { InputError } from "../components/errors";
import { validateBucketName, validateObjectKey, validateRegion } from "../components/validation";
import { GRANTS_MODE } from "./accountAGrantsConfig";
import { key } from "./configSource";

/**
 * The outputs of account-b account-a reads in grants mode: grants mode's (`mode`, `grants`,
 * `region`), and legacy mode's `roleArn` and `mechanism`, which say account-b is in legacy mode.
 */
export const ACCOUNT_B_GRANTS_OUTPUT_NAMES = ["mode", "grants", "region", "roleArn", "mechanism"] as const;

/**
 * The key account-b's grants give account-a's cluster in each grant's `clusters` (the handoff's
 * `clusters[].key`): the binding's `clusterKey` for irsa-chained.
 */
export const GRANT_CLUSTER_KEY = "cluster";

/** The object a grant's probe reads (account-b's first bucket with an `objectKey`). */
export interface GrantProbe {
  bucketName: string;
  objectKey: string;
}

/** One grant of account-b, as its `grants` output carries it. */
export interface AccountBGrant {
  handoff: BucketAccessHandoff;
  probe?: GrantProbe;
}

/** account-b's outputs in grants mode. */
export interface AccountBGrantsOutputs {
  /**
   * The grants, by key, in the order the StackReference gives them (the mock engine's, like Pulumi's
   * stored outputs, sorts an object's keys: no order is significant).
   */
  grants: Map<string, AccountBGrant>;
  /** account-b's region (the probe's `AWS_REGION`). */
  region: string;
}

/** The two stacks, as the mode mismatch errors name them. */
export interface StackPair {
  /** account-a's stack, fully qualified. */
  self: string;
  /** account-b's stack, fully qualified. */
  accountB: string;
}

const plainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Refuses an account-b in grants mode to account-a in legacy mode (its `grants` or `mode` output is
 * there), naming both stacks and what to change.
 */
export function refuseGrantsModeAccountB(stacks: StackPair, raw: Record<string, unknown>): void {
  if (raw.grants === undefined && raw.mode === undefined) return;
  throw new InputError(
    key("grants"),
    undefined,
    "must be set when account-b is in grants mode",
    `account-a (${stacks.self}) is in legacy mode (no cross-account-irsa:grants) but account-b (${stacks.accountB}) ` +
      `is in grants mode (it exports grants, mode ${JSON.stringify(raw.mode)}): set cross-account-irsa:grants on ` +
      "account-a (one entry per grant of account-b, by key) and move its per-grant keys (mechanism, serviceAccount, " +
      "createNamespace, deployProbe) into the entries, or take cross-account-irsa:grants off account-b",
  );
}

/**
 * Reads account-b's outputs in grants mode. Undefined when account-b has none yet (its first update
 * has not run); throws naming both stacks when account-b is in legacy mode, and naming the output
 * when one is malformed (each handoff read strictly by `parseHandoff`).
 */
export function parseAccountBGrantsOutputs(
  stacks: StackPair,
  raw: Record<string, unknown>,
): AccountBGrantsOutputs | undefined {
  const field = (k: string) => `${stacks.accountB} output ${k}`;
  if (raw.grants === undefined) {
    if (raw.mode !== undefined) {
      throw new InputError(
        field("grants"),
        undefined,
        `must be exported beside mode ${JSON.stringify(raw.mode)}: run account-b's update again (it exports both)`,
      );
    }
    if (raw.roleArn === undefined && raw.mechanism === undefined) return undefined;
    throw new InputError(
      key("grants"),
      "[set]",
      "needs account-b in grants mode too",
      `account-a (${stacks.self}) is in grants mode (cross-account-irsa:grants is set) but account-b (${stacks.accountB}) ` +
        `is in legacy mode (it exports the single grant's outputs${raw.roleArn !== undefined ? `, roleArn ${JSON.stringify(raw.roleArn)}` : ""}, ` +
        "no grants): set cross-account-irsa:grants on account-b too (a grant per entry of account-a's, the same keys) and " +
        "update account-b first, or take cross-account-irsa:grants off account-a",
    );
  }
  if (raw.mode !== GRANTS_MODE) {
    throw new InputError(field("mode"), raw.mode, `must be "${GRANTS_MODE}" beside a grants output`);
  }
  if (!plainObject(raw.grants)) {
    throw new InputError(
      field("grants"),
      raw.grants,
      "must be an object of grants by key, each { handoff, probe? }",
    );
  }
  const grants = new Map<string, AccountBGrant>();
  for (const [grantKey, entry] of Object.entries(raw.grants)) {
    const where = field(`grants.${grantKey}`);
    if (!plainObject(entry)) throw new InputError(where, entry, "must be an object { handoff, probe? }");
    for (const k of Object.keys(entry)) {
      // kmsKeyPolicyStatements is for the owner of a KMS key in another account, not for account-a.
      if (!["handoff", "probe", "kmsKeyPolicyStatements"].includes(k)) {
        throw new InputError(
          `${where}.${k}`,
          entry[k],
          "is not a field of it (handoff, probe, kmsKeyPolicyStatements)",
        );
      }
    }
    const handoff = parseHandoff(`${where}.handoff`, entry.handoff);
    const grant: AccountBGrant = { handoff };
    if (entry.probe !== undefined && entry.probe !== null) {
      const probe = entry.probe;
      if (!plainObject(probe))
        throw new InputError(`${where}.probe`, probe, "must be an object { bucketName, objectKey }");
      for (const k of Object.keys(probe)) {
        if (k !== "bucketName" && k !== "objectKey") {
          throw new InputError(
            `${where}.probe.${k}`,
            probe[k],
            "is not a field of it (bucketName, objectKey)",
          );
        }
      }
      const bucketName = validateBucketName(`${where}.probe.bucketName`, probe.bucketName);
      if (!handoff.buckets.some((b) => b.name === bucketName)) {
        throw new InputError(
          `${where}.probe.bucketName`,
          bucketName,
          `is not among the grant's buckets (${handoff.buckets.map((b) => b.name).join(", ")})`,
        );
      }
      grant.probe = { bucketName, objectKey: validateObjectKey(`${where}.probe.objectKey`, probe.objectKey) };
    }
    grants.set(grantKey, grant);
  }
  return { grants, region: validateRegion(field("region"), raw.region) };
}
