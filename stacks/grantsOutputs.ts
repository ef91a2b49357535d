/**
 * The stacks' `grants` outputs in grants mode, as the programs write them and as account-a, the plan,
 * the doctor and `npm run verify` read them back: account-b's (grant key -> `{ handoff, probe?,
 * kmsKeyPolicyStatements? }`, beside `mode: "grants"` and `region`) and account-a's (grant key ->
 * `{ mechanisms, roleArn, serviceAccount, podCredentialPath, accessCheck? }`, beside `mode: "grants"`
 * and its cluster outputs). Read strictly: an output this version does not fully understand (an
 * unknown field, a value of the wrong type, an unknown mode, entries that contradict each other) is
 * an `InputError` naming the output as `<stack> output grants.<key>.<field>`: never skipped, never
 * guessed. Pure (no Pulumi import: the doctor loads it).
 */
import { parseHandoff, type BucketAccessHandoff } from "../components/bucketAccessHandoff";
import { checkBindingMechanisms, podCredentialPath } from "../components/credentialPath";
import { InputError } from "../components/errors";
import { isMechanism, mechanismRule, type Mechanism } from "../components/mechanism";
import {
  parseRoleArn,
  requireArray,
  validateBucketName,
  validateKmsKeyArn,
  validateNamespace,
  validateObjectKey,
  validateObjectName,
  validateRegion,
} from "../components/validation";
import { isRecord } from "../components/values";
import { GRANT_KEY_RULE, checkOtherStackMode, isGrantKey } from "./grantsMode";

/** The object a grant's access check reads: account-b's first bucket of the grant with an `objectKey`. */
export interface GrantProbe {
  bucketName: string;
  objectKey: string;
}

/** One entry of account-b's `grants` output, as the program writes it. */
export interface AccountBGrantOutput {
  /** Everything account-a's `BucketAccessBinding` needs (`BucketAccessGrant.handoff`). */
  handoff: BucketAccessHandoff;
  /** The object the access check reads (none: no probe). */
  probe?: GrantProbe;
  /** By KMS key ARN, the statement (JSON) the key's owner in another account must add; only when some key needs one. */
  kmsKeyPolicyStatements?: Record<string, string>;
}

/** One grant of account-b's `grants` output, read back: its key and its entry. */
export interface AccountBGrant extends AccountBGrantOutput {
  key: string;
}

/** account-a's `grants.<key>.accessCheck`: the grant's access-check Job and what it reads. */
export interface GrantAccessCheck {
  namespace: string;
  jobName: string;
  expectedRoleArn: string;
  bucketName: string;
  objectKey: string;
}

/** One entry of account-a's `grants` output: what the grant's `BucketAccessBinding` set up. */
export interface AccountAGrantOutput {
  /** The mechanisms the binding set up (checked as `BucketAccessBinding.mechanisms`). */
  mechanisms: Mechanism[];
  /** The grant's role in account B, as the binding read it from the handoff. */
  roleArn: string;
  serviceAccount: { namespace: string; name: string };
  /** The path the pods' SDK takes with those mechanisms (`podCredentialPath` of them). */
  podCredentialPath: Mechanism;
  accessCheck?: GrantAccessCheck;
}

/** One grant of account-a's `grants` output, read back: its key and its entry. */
export interface AccountAGrant extends AccountAGrantOutput {
  key: string;
}

/** An object with exactly `fields` (and at least `required`), else an error naming `field`. */
function strictObject(
  field: string,
  value: unknown,
  fields: readonly string[],
  required: readonly string[],
): Record<string, unknown> {
  if (!isRecord(value)) throw new InputError(field, value, `must be an object { ${fields.join(", ")} }`);
  for (const name of Object.keys(value)) {
    if (!fields.includes(name)) {
      throw new InputError(
        `${field}.${name}`,
        value[name],
        `is not a field this version reads (${fields.join(", ")}): a newer stack's output? Use the same ` +
          "cross-account-irsa version as the stacks",
      );
    }
  }
  for (const name of required) {
    if (value[name] === undefined) throw new InputError(`${field}.${name}`, undefined, "is required");
  }
  return value;
}

/**
 * The entries of a `grants` output: an object keyed by grant keys, non-empty unless `allowEmpty`
 * (account-a exports `{}` until account-b has outputs).
 */
function grantEntries(field: string, value: unknown, allowEmpty: boolean): Array<[string, unknown]> {
  if (!isRecord(value)) throw new InputError(field, value, "must be an object keyed by grant key");
  const entries = Object.entries(value);
  if (entries.length === 0 && !allowEmpty) throw new InputError(field, value, "must name at least one grant");
  for (const [grantKey] of entries) {
    if (!isGrantKey(grantKey)) {
      throw new InputError(field, value, `has the key "${grantKey}", which ${GRANT_KEY_RULE}`);
    }
  }
  return entries;
}

function nonEmptyString(field: string, value: unknown): string {
  if (typeof value !== "string" || value === "")
    throw new InputError(field, value, "must be a non-empty string");
  return value;
}

/** A ServiceAccount output `{ namespace, name }`. */
function serviceAccountOf(field: string, value: unknown): { namespace: string; name: string } {
  const o = strictObject(field, value, ["namespace", "name"], ["namespace", "name"]);
  return {
    namespace: validateNamespace(`${field}.namespace`, o.namespace),
    name: validateObjectName(`${field}.name`, o.name),
  };
}

const A_FIELDS = ["mechanisms", "roleArn", "serviceAccount", "podCredentialPath", "accessCheck"] as const;
const CHECK_FIELDS = ["namespace", "jobName", "expectedRoleArn", "bucketName", "objectKey"] as const;

/** account-a's `grants.<key>.accessCheck`: in the ServiceAccount's namespace, expecting the grant's role. */
function accessCheckOf(where: string, value: unknown, grant: AccountAGrant): GrantAccessCheck {
  const w = `${where}.accessCheck`;
  const c = strictObject(w, value, CHECK_FIELDS, CHECK_FIELDS);
  const check: GrantAccessCheck = {
    namespace: validateNamespace(`${w}.namespace`, c.namespace),
    jobName: validateObjectName(`${w}.jobName`, c.jobName),
    expectedRoleArn: nonEmptyString(`${w}.expectedRoleArn`, c.expectedRoleArn),
    bucketName: validateBucketName(`${w}.bucketName`, c.bucketName),
    objectKey: validateObjectKey(`${w}.objectKey`, c.objectKey),
  };
  const namespace = grant.serviceAccount.namespace;
  if (check.namespace !== namespace) {
    throw new InputError(
      `${w}.namespace`,
      check.namespace,
      `must be the ServiceAccount's namespace "${namespace}" (${where}.serviceAccount): the Job runs as it`,
    );
  }
  if (check.expectedRoleArn !== grant.roleArn) {
    throw new InputError(
      `${w}.expectedRoleArn`,
      check.expectedRoleArn,
      `must be the grant's role ${grant.roleArn}`,
    );
  }
  return check;
}

/**
 * account-a's `grants` output, strictly: each entry's mechanisms (known, each once, a pair one
 * binding may set up), role ARN, ServiceAccount, `podCredentialPath` (the one those mechanisms give),
 * and access check (in the ServiceAccount's namespace, expecting the grant's role). In output order;
 * empty (`{}`) when account-a was deployed before account-b had outputs and binds nothing yet.
 */
export function parseAccountAGrants(stack: string, value: unknown): AccountAGrant[] {
  const field = `${stack} output grants`;
  return grantEntries(field, value, true).map(([grantKey, entry]) => {
    const where = `${field}.${grantKey}`;
    const o = strictObject(where, entry, A_FIELDS, [
      "mechanisms",
      "roleArn",
      "serviceAccount",
      "podCredentialPath",
    ]);
    const mechanisms = requireArray(`${where}.mechanisms`, o.mechanisms, 1).map((m, i) => {
      if (!isMechanism(m)) throw new InputError(`${where}.mechanisms[${i}]`, m, mechanismRule());
      return m;
    });
    if (new Set(mechanisms).size !== mechanisms.length) {
      throw new InputError(`${where}.mechanisms`, o.mechanisms, "must list each mechanism once");
    }
    checkBindingMechanisms(`${where}.mechanisms`, mechanisms);
    parseRoleArn(`${where}.roleArn`, o.roleArn);
    const roleArn = o.roleArn as string;
    const serviceAccount = serviceAccountOf(`${where}.serviceAccount`, o.serviceAccount);
    const path = podCredentialPath(mechanisms);
    if (o.podCredentialPath !== path) {
      throw new InputError(
        `${where}.podCredentialPath`,
        o.podCredentialPath,
        `must be "${path}", the path pods take with mechanisms ${JSON.stringify(mechanisms)} (this version's rule)`,
      );
    }
    const grant: AccountAGrant = {
      key: grantKey,
      mechanisms,
      roleArn,
      serviceAccount,
      podCredentialPath: path,
    };
    if (o.accessCheck !== undefined) grant.accessCheck = accessCheckOf(where, o.accessCheck, grant);
    return grant;
  });
}

/** A grant's probe: one of the handoff's buckets, and an object key the grant lets the role read. */
function probeOf(field: string, value: unknown, handoff: BucketAccessHandoff): GrantProbe {
  const p = strictObject(field, value, ["bucketName", "objectKey"], ["bucketName", "objectKey"]);
  const bucketName = validateBucketName(`${field}.bucketName`, p.bucketName);
  const objectKey = validateObjectKey(`${field}.objectKey`, p.objectKey);
  const bucket = handoff.buckets.find((b) => b.name === bucketName);
  if (bucket === undefined) {
    throw new InputError(
      `${field}.bucketName`,
      bucketName,
      `must be one of the grant's buckets (${handoff.buckets.map((b) => b.name).join(", ")})`,
    );
  }
  if (
    bucket.access === "list" ||
    (bucket.prefixes.length > 0 && !bucket.prefixes.some((prefix) => objectKey.startsWith(prefix)))
  ) {
    throw new InputError(
      `${field}.objectKey`,
      objectKey,
      `must be an object the grant lets the role read in ${bucketName}`,
    );
  }
  return { bucketName, objectKey };
}

/**
 * A grant's KMS key-policy statements: a non-empty object, each key the KMS key of one of the grant's
 * buckets, each value a key-policy statement as JSON text (an object).
 */
function kmsStatementsOf(
  field: string,
  value: unknown,
  handoff: BucketAccessHandoff,
): Record<string, string> {
  if (!isRecord(value) || Object.keys(value).length === 0) {
    throw new InputError(
      field,
      value,
      "must be a non-empty object: by KMS key ARN, the key-policy statement (JSON)",
    );
  }
  const keys = handoff.buckets.map((b) => b.kmsKeyArn).filter((k): k is string => k !== undefined);
  const statements: Record<string, string> = {};
  for (const [arn, statement] of Object.entries(value)) {
    validateKmsKeyArn(`${field} key`, arn);
    if (!keys.includes(arn)) {
      throw new InputError(
        `${field} key`,
        arn,
        `must be the KMS key of one of the grant's buckets (${keys.length > 0 ? keys.join(", ") : "none names one"})`,
      );
    }
    let parsed: unknown;
    try {
      parsed = typeof statement === "string" ? JSON.parse(statement) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!isRecord(parsed)) {
      throw new InputError(
        `${field}["${arn}"]`,
        statement,
        "must be a key-policy statement as JSON text (an object)",
      );
    }
    statements[arn] = statement as string;
  }
  return statements;
}

/**
 * account-b's `grants` output, strictly: each entry's handoff (`parseHandoff`), its probe object (in
 * one of the handoff's buckets, readable by the grant) and its KMS key-policy statements
 * (`BucketAccessGrant.kmsKeyPolicyStatements` when non-empty: by KMS key ARN of one of the handoff's
 * buckets, a JSON statement). In output order.
 */
export function parseAccountBGrants(stack: string, value: unknown): AccountBGrant[] {
  const field = `${stack} output grants`;
  return grantEntries(field, value, false).map(([grantKey, entry]) => {
    const where = `${field}.${grantKey}`;
    const o = strictObject(where, entry, ["handoff", "probe", "kmsKeyPolicyStatements"], ["handoff"]);
    const handoff = parseHandoff(`${where}.handoff`, o.handoff);
    const grant: AccountBGrant = { key: grantKey, handoff };
    if (o.probe !== undefined) grant.probe = probeOf(`${where}.probe`, o.probe, handoff);
    if (o.kmsKeyPolicyStatements !== undefined) {
      grant.kmsKeyPolicyStatements = kmsStatementsOf(
        `${where}.kmsKeyPolicyStatements`,
        o.kmsKeyPolicyStatements,
        handoff,
      );
    }
    return grant;
  });
}

/**
 * The outputs of account-b account-a reads in grants mode: its mode (`mode`, `grants`), `region`, and
 * the single-grant program's `roleArn` and `mechanism`, which say a single-grant account-b is deployed.
 */
export const ACCOUNT_B_GRANTS_OUTPUT_NAMES = ["mode", "grants", "region", "roleArn", "mechanism"] as const;

/** account-b's outputs in grants mode, as account-a reads them. */
export interface AccountBGrantsOutputs {
  /**
   * The grants, by key, in the order the StackReference gives them (the mock engine's, like Pulumi's
   * stored outputs, sorts an object's keys: no order is significant).
   */
  grants: Map<string, AccountBGrant>;
  /** account-b's region (the probe's `AWS_REGION`). */
  region: string;
}

/**
 * Reads account-b's outputs for account-a in grants mode (`self`: account-a's stack, `accountB`:
 * account-b's, both fully qualified). Undefined when account-b has none yet (its first update has
 * not run); throws naming both stacks when account-b runs in single-grant mode, and naming the output
 * when one is malformed ({@link parseAccountBGrants}).
 */
export function parseAccountBGrantsOutputs(
  stacks: { self: string; accountB: string },
  raw: Record<string, unknown>,
): AccountBGrantsOutputs | undefined {
  const deployed = raw.roleArn !== undefined || raw.mechanism !== undefined;
  if (checkOtherStackMode("account-a", stacks.self, "grants", stacks.accountB, raw, deployed) === undefined) {
    return undefined;
  }
  if (raw.grants === undefined) {
    throw new InputError(
      `${stacks.accountB} output grants`,
      undefined,
      `must be exported beside mode ${JSON.stringify(raw.mode)}: run account-b's update again (it exports both)`,
    );
  }
  const grants = parseAccountBGrants(stacks.accountB, raw.grants);
  return {
    grants: new Map(grants.map((g) => [g.key, g])),
    region: validateRegion(`${stacks.accountB} output region`, raw.region),
  };
}
