/**
 * The stacks' grants mode as the front ends that read deployed stacks see it (the doctor and
 * `npm run verify`): which mode a stack pair runs, and account-a's and account-b's `grants` outputs,
 * read strictly. An output this version does not fully understand (an unknown field, a value of the
 * wrong type, an unknown mode, entries that contradict each other) is an `InputError` naming the
 * output as `<stack> output grants.<key>.<field>`: never skipped, never guessed. Pure.
 *
 * The shapes are the contract's (docs/doctor.md): account-b exports `mode: "grants"`, `region` and
 * `grants` (grant key -> `{ handoff, probe?, kmsKeyPolicyStatements? }`); account-a exports
 * `mode: "grants"`, its cluster outputs and `grants` (grant key -> `{ mechanisms, roleArn,
 * serviceAccount, podCredentialPath, accessCheck? }`).
 */
import { parseHandoff, type BucketAccessHandoff } from "../../components/bucketAccessHandoff";
import { checkBindingMechanisms, podCredentialPath } from "../../components/credentialPath";
import { InputError } from "../../components/errors";
import { isMechanism, mechanismRule, type Mechanism } from "../../components/mechanism";
import {
  parseRoleArn,
  requireArray,
  validateBucketName,
  validateKmsKeyArn,
  validateNamespace,
  validateObjectKey,
  validateObjectName,
} from "../../components/validation";
import { isRecord } from "../../components/values";
import { type StackPair } from "./stacks";
import { type StackOutputs } from "./workspace";

/** The value of the `mode` output of a stack in grants mode. */
export const GRANTS_MODE = "grants";

/** A stack's mode from its outputs: none yet (never deployed), the single-grant stack, or grants. */
export type StackMode = "none" | "legacy" | "grants";

/** A grant key as the stacks take it: 1 to 32 lower-case letters, digits or `-`, a letter or digit at each end. */
const GRANT_KEY = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

/** The rule of {@link GRANT_KEY}, in words. */
export const GRANT_KEY_RULE =
  "must be 1 to 32 lower-case letters, digits or '-', starting and ending with a letter or digit";

/** Whether `value` is a grant key. */
export function isGrantKey(value: string): boolean {
  return GRANT_KEY.test(value);
}

/**
 * A stack's mode, from its outputs: `none` without outputs, `grants` with `mode: "grants"`, `legacy`
 * without a `mode` output. A `mode` of another value, or a `grants` output without `mode`, is refused
 * naming the output.
 */
export function stackMode(stack: string, outputs: StackOutputs): StackMode {
  if (Object.keys(outputs).length === 0) return "none";
  const mode = outputs.mode?.value;
  if (mode === undefined) {
    if (outputs.grants !== undefined) {
      throw new InputError(
        `${stack} output grants`,
        outputs.grants.value,
        `is exported without mode: "${GRANTS_MODE}": this version reads grants only from a stack in grants mode ` +
          "(a newer or an edited stack?); deploy it with this version",
      );
    }
    return "legacy";
  }
  if (mode !== GRANTS_MODE) {
    throw new InputError(
      `${stack} output mode`,
      mode,
      `must be "${GRANTS_MODE}" (or not exported, a single-grant stack): this version knows no other mode`,
    );
  }
  return "grants";
}

/** Why two stacks cannot be read together: one in grants mode, the other not. */
export class StackModeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackModeError";
  }
}

/**
 * The pair's mode: `grants` when either stack is in grants mode (the other then in grants mode too,
 * or not deployed yet), else `legacy`. A stack in grants mode beside a deployed single-grant stack is
 * a {@link StackModeError} naming both stacks and what to change.
 */
export function pairMode(stacks: StackPair, a: StackOutputs, b: StackOutputs): "legacy" | "grants" {
  const modes = { a: stackMode(stacks.a, a), b: stackMode(stacks.b, b) };
  if (modes.a !== "grants" && modes.b !== "grants") return "legacy";
  for (const [side, other] of [
    ["a", "b"],
    ["b", "a"],
  ] as const) {
    if (modes[side] === "grants" && modes[other] === "legacy") {
      throw new StackModeError(
        `stack ${stacks[side]} is in grants mode (it exports mode: "${GRANTS_MODE}") but stack ${stacks[other]} is ` +
          `a single-grant stack (no mode output): set cross-account-irsa:grants in both stacks' config (or in ` +
          "neither) and deploy both (npm run deploy)",
      );
    }
  }
  return "grants";
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
export interface AccountAGrant {
  key: string;
  /** The mechanisms the binding set up (checked as `BucketAccessBinding.mechanisms`). */
  mechanisms: Mechanism[];
  /** The grant's role in account B, as the binding read it from the handoff. */
  roleArn: string;
  serviceAccount: { namespace: string; name: string };
  /** The path the pods' SDK takes with those mechanisms (`podCredentialPath` of them). */
  podCredentialPath: Mechanism;
  accessCheck?: GrantAccessCheck;
}

/** One entry of account-b's `grants` output: the grant's handoff and the object the access check reads. */
export interface AccountBGrant {
  key: string;
  handoff: BucketAccessHandoff;
  probe?: { bucketName: string; objectKey: string };
}

/** An object with exactly `fields` (and at least `required`), else an error naming `field`. */
function strictObject(
  field: string,
  value: unknown,
  fields: readonly string[],
  required: readonly string[],
): Record<string, unknown> {
  if (!isRecord(value)) throw new InputError(field, value, `must be an object { ${fields.join(", ")} }`);
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) {
      throw new InputError(
        `${field}.${key}`,
        value[key],
        `is not a field this version reads (${fields.join(", ")}): a newer stack's output? Use the same ` +
          "cross-account-irsa version as the stacks",
      );
    }
  }
  for (const key of required) {
    if (value[key] === undefined) throw new InputError(`${field}.${key}`, undefined, "is required");
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
  for (const [key] of entries) {
    if (!isGrantKey(key)) throw new InputError(field, value, `has the key "${key}", which ${GRANT_KEY_RULE}`);
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

/**
 * account-a's `grants` output, strictly: each entry's mechanisms (known, each once, a pair one
 * binding may set up), role ARN, ServiceAccount, `podCredentialPath` (the one those mechanisms give),
 * and access check (in the ServiceAccount's namespace, expecting the grant's role). In output order;
 * empty (`{}`) when account-a was deployed before account-b had outputs and binds nothing yet.
 */
export function parseAccountAGrants(stack: string, value: unknown): AccountAGrant[] {
  const field = `${stack} output grants`;
  return grantEntries(field, value, true).map(([key, entry]) => {
    const where = `${field}.${key}`;
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
    const grant: AccountAGrant = { key, mechanisms, roleArn, serviceAccount, podCredentialPath: path };
    if (o.accessCheck !== undefined) {
      const w = `${where}.accessCheck`;
      const c = strictObject(w, o.accessCheck, CHECK_FIELDS, CHECK_FIELDS);
      const check: GrantAccessCheck = {
        namespace: validateNamespace(`${w}.namespace`, c.namespace),
        jobName: validateObjectName(`${w}.jobName`, c.jobName),
        expectedRoleArn: nonEmptyString(`${w}.expectedRoleArn`, c.expectedRoleArn),
        bucketName: validateBucketName(`${w}.bucketName`, c.bucketName),
        objectKey: validateObjectKey(`${w}.objectKey`, c.objectKey),
      };
      if (check.namespace !== serviceAccount.namespace) {
        throw new InputError(
          `${w}.namespace`,
          check.namespace,
          `must be the ServiceAccount's namespace "${serviceAccount.namespace}" (${where}.serviceAccount): the Job runs as it`,
        );
      }
      if (check.expectedRoleArn !== roleArn) {
        throw new InputError(
          `${w}.expectedRoleArn`,
          check.expectedRoleArn,
          `must be the grant's role ${roleArn}`,
        );
      }
      grant.accessCheck = check;
    }
    return grant;
  });
}

/**
 * account-b's `grants` output, strictly: each entry's handoff (`parseHandoff`), its probe object (in
 * one of the handoff's buckets) and its KMS key-policy statements (`BucketAccessGrant.kmsKeyPolicyStatements`
 * when non-empty: by KMS key ARN of one of the handoff's buckets, a JSON statement; the doctor and
 * verify do not read them further). In output order.
 */
export function parseAccountBGrants(stack: string, value: unknown): AccountBGrant[] {
  const field = `${stack} output grants`;
  return grantEntries(field, value, false).map(([key, entry]) => {
    const where = `${field}.${key}`;
    const o = strictObject(where, entry, ["handoff", "probe", "kmsKeyPolicyStatements"], ["handoff"]);
    const handoff = parseHandoff(`${where}.handoff`, o.handoff);
    const grant: AccountBGrant = { key, handoff };
    if (o.probe !== undefined) {
      const p = strictObject(
        `${where}.probe`,
        o.probe,
        ["bucketName", "objectKey"],
        ["bucketName", "objectKey"],
      );
      const bucketName = validateBucketName(`${where}.probe.bucketName`, p.bucketName);
      if (!handoff.buckets.some((b) => b.name === bucketName)) {
        throw new InputError(
          `${where}.probe.bucketName`,
          bucketName,
          `must be one of the grant's buckets (${handoff.buckets.map((b) => b.name).join(", ")})`,
        );
      }
      grant.probe = { bucketName, objectKey: validateObjectKey(`${where}.probe.objectKey`, p.objectKey) };
    }
    if (o.kmsKeyPolicyStatements !== undefined) {
      kmsStatements(`${where}.kmsKeyPolicyStatements`, o.kmsKeyPolicyStatements, handoff);
    }
    return grant;
  });
}

/** The KMS key-policy statements of a grant: a non-empty object, each key a KMS key of the grant's buckets, each value a JSON statement. */
function kmsStatements(field: string, value: unknown, handoff: BucketAccessHandoff): void {
  if (!isRecord(value) || Object.keys(value).length === 0) {
    throw new InputError(
      field,
      value,
      "must be a non-empty object: by KMS key ARN, the key-policy statement (JSON)",
    );
  }
  const keys = handoff.buckets.map((b) => b.kmsKeyArn).filter((k): k is string => k !== undefined);
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
  }
}
