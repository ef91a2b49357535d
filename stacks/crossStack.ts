/**
 * The links between the two stacks as account-a sees them before it registers anything: what it
 * reads from account-b's outputs, that both use one mechanism, and which service account it
 * creates. Each mechanism's checks of the chain it is about to build are its own
 * (`mechanisms/<name>/crossStack.ts`). Pure.
 */
import { InputError, describeValue } from "../components/errors";
import { type ServiceAccountRef } from "../components/trustPolicy";
import { parseRoleArn, validateBucketName, validateObjectKey } from "../components/validation";
import { MECHANISMS, type Mechanism } from "../components/mechanism";
import { exportedMechanism } from "../mechanisms/compat";
import { IRSA_CHECKS } from "../mechanisms/irsa/catalogue";
import { STACK_CONFIG_LAYERS, type MechanismAccountBOutputs } from "../mechanisms/stackConfigRegistry";

/**
 * What account-a needs from account-b: what every mechanism's account-b exports, and each
 * mechanism's own outputs (its stack config layer's `accountA.parseAccountBOutputs`).
 */
export type AccountBOutputs = SharedAccountBOutputs & MechanismAccountBOutputs;

/** The outputs of account-b account-a reads whatever the mechanism. */
const SHARED_ACCOUNT_B_OUTPUTS = [
  "roleArn",
  "bucketName",
  "objectKey",
  "serviceAccount",
  "serviceAccounts",
  "trustPolicy",
  "region",
  "accessPolicy",
  "mechanism",
] as const;

/** The outputs of account-b account-a reads: the shared ones, then every mechanism's own (each once). */
export const ACCOUNT_B_OUTPUT_NAMES: readonly string[] = MECHANISMS.reduce<string[]>(
  (names, m) => [
    ...names,
    ...STACK_CONFIG_LAYERS[m].accountA.accountBOutputs.filter((n) => !names.includes(n)),
  ],
  [...SHARED_ACCOUNT_B_OUTPUTS],
);

/** What account-a needs from account-b whatever the mechanism. */
export interface SharedAccountBOutputs {
  roleArn: string;
  bucketName: string;
  objectKey: string;
  serviceAccounts: ServiceAccountRef[];
  /** The role's trust policy JSON, when account-b exports it (it does). */
  trustPolicy?: string;
  /** account-b's region (for the S3 client in the pods). */
  region?: string;
  /** The role's S3 permission policy JSON, when account-b exports it (it does). */
  accessPolicy?: string;
  /** account-b's mechanism (`irsa` when it exports none: stacks from before Pod Identity). */
  mechanism: Mechanism;
}

/**
 * What every mechanism's planned chain reads from account-b's outputs: the role (its trust when
 * exported), its S3 permission, the trusted service accounts and the object.
 */
export function accountBSnapshotFacts(
  b: Pick<
    SharedAccountBOutputs,
    "roleArn" | "bucketName" | "objectKey" | "serviceAccounts" | "trustPolicy" | "accessPolicy"
  >,
): {
  role: { arn: string; trustPolicy?: string };
  permissionPolicies: Record<string, string>;
  trusted: ServiceAccountRef[];
  bucketName: string;
  objectKey: string;
} {
  return {
    role: { arn: b.roleArn, ...(b.trustPolicy !== undefined ? { trustPolicy: b.trustPolicy } : {}) },
    permissionPolicies: b.accessPolicy !== undefined ? { "s3-access": b.accessPolicy } : {},
    trusted: b.serviceAccounts,
    bucketName: b.bucketName,
    objectKey: b.objectKey,
  };
}

/**
 * Reads account-b's stack outputs. Returns undefined when account-b has not been deployed yet (no
 * `roleArn`); throws naming the output when one is malformed.
 */
export function parseAccountBOutputs(
  stack: string,
  raw: Record<string, unknown>,
): AccountBOutputs | undefined {
  if (raw.roleArn === undefined || raw.roleArn === null) return undefined;
  const field = (k: string) => `${stack} output ${k}`;
  parseRoleArn(field("roleArn"), raw.roleArn);
  const list = raw.serviceAccounts ?? (raw.serviceAccount === undefined ? undefined : [raw.serviceAccount]);
  if (!Array.isArray(list) || list.length === 0) {
    throw new InputError(field("serviceAccounts"), list, "must list the service accounts the role trusts");
  }
  const serviceAccounts = list.map((sa: unknown, i) => {
    const o = sa as Partial<ServiceAccountRef> | null;
    if (!o || typeof o.namespace !== "string" || typeof o.name !== "string") {
      throw new InputError(`${field("serviceAccounts")}[${i}]`, sa, "must be { namespace, name }");
    }
    return { namespace: o.namespace, name: o.name };
  });
  const out: AccountBOutputs = {
    roleArn: raw.roleArn as string,
    bucketName: validateBucketName(field("bucketName"), raw.bucketName),
    objectKey: validateObjectKey(field("objectKey"), raw.objectKey),
    serviceAccounts,
    mechanism: exportedMechanism(field("mechanism"), raw.mechanism),
  };
  if (typeof raw.trustPolicy === "string") out.trustPolicy = raw.trustPolicy;
  // Every mechanism's own outputs, checked when they are there (account-b's mechanism is checked next).
  for (const m of MECHANISMS)
    Object.assign(out, STACK_CONFIG_LAYERS[m].accountA.parseAccountBOutputs(raw, field));
  if (typeof raw.region === "string") out.region = raw.region;
  if (typeof raw.accessPolicy === "string") out.accessPolicy = raw.accessPolicy;
  return out;
}

/**
 * An optional text output of account-a (`name`, read from `stack`), as account-b reads it: absent, or
 * a string. Anything else is refused naming the output: dropping it would quietly change what
 * account-b creates (`oidcThumbprint`: a provider without its thumbprint). Both modes call this
 * before registering anything.
 */
export function optionalTextOutput(stack: string, name: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  throw new InputError(
    `${stack} output ${name}`,
    value,
    "must be text when set (account-a exports it as a string): the stack read is not account-a's, or its " +
      "outputs were changed by hand; run account-a's update, or set cross-account-irsa:accountAStack to the right stack",
  );
}

/**
 * Both stacks must use one mechanism: `self` ("account-a" or "account-b") runs `mine`, the other
 * stack (`otherStack`) exports `theirs`; a mismatch names both values and both stacks.
 */
export function checkMechanismsMatch(
  self: "account-a" | "account-b",
  mine: Mechanism,
  otherStack: string,
  theirs: Mechanism,
): void {
  if (theirs !== mine) {
    const other = self === "account-a" ? "account-b" : "account-a";
    throw new InputError(
      "cross-account-irsa:mechanism",
      mine,
      `${self} uses "${mine}" but ${other} (${otherStack}) exports mechanism "${theirs}": set the same ` +
        "cross-account-irsa:mechanism on both stacks",
    );
  }
}

/**
 * True when account-b trusts this service account: it is listed exactly, or account-b's mechanism's
 * layer says its role trusts it otherwise (IRSA's StringLike patterns: `accountA.trustsUnlisted`).
 * Whether account-b's provider is this cluster's is a separate link, checked by IRSA's
 * `checkProviderMatchesIssuer` (mechanisms/irsa/crossStack.ts).
 */
export function isTrusted(b: AccountBOutputs, sa: ServiceAccountRef): boolean {
  if (b.serviceAccounts.some((t) => t.namespace === sa.namespace && t.name === sa.name)) return true;
  return STACK_CONFIG_LAYERS[b.mechanism].accountA.trustsUnlisted(b, sa);
}

const subjects = (sas: ServiceAccountRef[]) => sas.map((s) => `${s.namespace}/${s.name}`).join(", ");

/**
 * The service account account-a creates: the one account-a's config names (it must be trusted by
 * account-b's role), or account-b's only trusted one. Throws naming both sides on a mismatch.
 */
export function chooseServiceAccount(
  bStack: string,
  b: AccountBOutputs,
  configured: ServiceAccountRef | undefined,
): ServiceAccountRef {
  if (configured) {
    if (!isTrusted(b, configured)) {
      throw new InputError(
        "cross-account-irsa:serviceAccount",
        configured,
        `account-b (${bStack}) trusts ${subjects(b.serviceAccounts)}, not ${configured.namespace}/${configured.name}`,
        `cross-account-irsa:serviceAccount: account-a's config names ${describeValue(configured)}, but ` +
          `account-b (${bStack}) trusts only ${subjects(b.serviceAccounts)}. Fix: ` +
          `${IRSA_CHECKS.serviceAccountTrusted.fix(configured)}.`,
      );
    }
    return configured;
  }
  const concrete = b.serviceAccounts.filter((s) => !/[*?]/.test(s.namespace + s.name));
  if (concrete.length === 1 && b.serviceAccounts.length === 1) return concrete[0];
  throw new InputError(
    "cross-account-irsa:serviceAccount",
    undefined,
    `must be set: account-b (${bStack}) trusts ${subjects(b.serviceAccounts)}; name the one this cluster runs`,
  );
}
