/**
 * account-b's grants mode: `cross-account-irsa:grants`, a list of grants each with a stable key, parsed
 * and checked before anything registers. Errors name `cross-account-irsa:grants[<i>].<field>` as the
 * user wrote it, the value and the rule; the checks are the grant component's own
 * (`BucketAccessGrant`: bucketAccess.ts, bucketAccessBuckets.ts) and the single-grant parser's, restated in
 * these terms. Nothing is coerced: values come from the JSON Pulumi stores the list as, so a number
 * where a string is expected is refused. Pure.
 */
import { checkGrantServiceAccounts, checkMechanisms } from "../components/bucketAccess";
import { InputError } from "../components/errors";
import { Mechanism } from "../components/mechanism";
import {
  DEFAULT_TRUST_POLICY_MAX_SIZE,
  MAX_TRUST_POLICY_QUOTA,
  type ServiceAccountRef,
} from "../components/trustPolicy";
import {
  validateIamPath,
  validateInteger,
  validateManagedPolicyArn,
  validateRoleName,
} from "../components/validation";
import { STACK_CONFIG_LAYERS } from "../mechanisms/stackConfigRegistry";
import { entryObject, parseGrantBuckets, required, type AccountBGrantBucket } from "./accountBGrantsBuckets";

export { type AccountBGrantBucket } from "./accountBGrantsBuckets";
import { parseAwsSettings, type AwsSettings } from "./awsSettings";
import { ACCOUNT_A_KEYS, ACCOUNT_B_KEYS } from "./configKeys";
import { qualifyStackName } from "./configShared";
import {
  PROJECT,
  checkKnownKeys,
  key,
  onlyKeys,
  optionalString,
  refuseEmptyGrants,
  refuseSecretGrants,
  type StackSettings,
} from "./configSource";
import { validateGrantKey } from "./grantsMode";
import { grantResourceNames, resourceNameClaims } from "./grantResourceNames";

/** The keys of the project's namespace account-b reads in grants mode: the rest are per grant. */
const GRANTS_MODE_KEYS: readonly string[] = ["accountAStack", "existingOidcProviderArn", "grants", "program"];

/** The fields of one grant, as written in `cross-account-irsa:grants`. */
const GRANT_FIELDS = [
  "key",
  "mechanism",
  "serviceAccounts",
  "buckets",
  "roleName",
  "path",
  "permissionsBoundary",
  "maxSessionDuration",
  "maxTrustPolicySize",
  "sourceRoleName",
  "chainedSourceRoleName",
] as const;

/** One grant of account-b's `cross-account-irsa:grants`, checked, defaults applied. */
export interface AccountBGrant {
  /** The stable key: the grant's resource name. */
  key: string;
  /** Its mechanisms, in the registry's order. */
  mechanisms: Mechanism[];
  serviceAccounts: ServiceAccountRef[];
  buckets: AccountBGrantBucket[];
  roleName?: string;
  path?: string;
  permissionsBoundary?: string;
  maxSessionDuration: number;
  maxTrustPolicySize: number;
  /** `pod-identity` only: the name of account A's source role (default `<key>-pod-identity-source`). */
  sourceRoleName?: string;
  /** `irsa-chained` only: the name of account A's IRSA source role (default `<key>-chained-source`). */
  chainedSourceRoleName?: string;
}

/** account-b's configuration in grants mode. */
export interface AccountBGrantsConfig {
  aws: AwsSettings;
  /** Fully qualified name of account-a's stack. */
  accountAStack: string;
  /** Account B's IAM OIDC provider for account-a's issuer, adopted (shared by every grant listing `irsa`). */
  existingOidcProviderArn?: string;
  grants: AccountBGrant[];
}

/** Where each single-grant key goes in grants mode (undefined: grants mode has no such setting). */
const SINGLE_GRANT_KEY_HOME: Record<string, string | undefined> = {
  access: "buckets[].access",
  bucket: "buckets[]",
  conditionTest: undefined,
  maxSessionDuration: "maxSessionDuration",
  maxTrustPolicySize: "maxTrustPolicySize",
  mechanism: "mechanism",
  prefixes: "buckets[].prefixes",
  roleName: "roleName",
  serviceAccounts: "serviceAccounts",
  trustWholeNamespaces: undefined,
};

/**
 * Refuses each single-grant key set beside `cross-account-irsa:grants`, naming it and where it goes:
 * with a list of grants it would be ambiguous which grant it meant.
 */
function refuseSingleGrantKeys(settings: StackSettings): void {
  for (const k of settings.keys(PROJECT).sort()) {
    if (GRANTS_MODE_KEYS.includes(k)) continue;
    const value = settings.isSecret(PROJECT, k) ? "[secret]" : settings.raw(PROJECT, k);
    const home = SINGLE_GRANT_KEY_HOME[k];
    throw new InputError(
      key(k),
      value,
      home === undefined
        ? `is a single-grant setting, not read with ${key("grants")}: a grant trusts exact service accounts only; remove it`
        : `is per grant with ${key("grants")}: move it into each grant (${key(`grants[<i>].${home}`)})`,
    );
  }
}

/** A grant's source role name for `mechanism` (`field`): set only when the grant lists it, default `<key>-<suffix>`. */
function sourceRoleName(
  field: string,
  value: unknown,
  mechanisms: readonly Mechanism[],
  mechanism: Mechanism,
  fallback: string,
): string | undefined {
  if (!mechanisms.includes(mechanism)) {
    if (value === undefined) return undefined;
    throw new InputError(field, value, `is read only when the grant's mechanism lists "${mechanism}"`);
  }
  return value === undefined ? fallback : validateRoleName(field, value);
}

/** One grant of the list, checked (`field` is `cross-account-irsa:grants[<i>]`). */
function parseGrant(field: string, raw: Record<string, unknown>, aws: AwsSettings): AccountBGrant {
  onlyKeys(field, raw, [...GRANT_FIELDS]);
  const rawKey = validateGrantKey(
    `${field}.key`,
    required(`${field}.key`, raw.key, "it names the grant's resources and never changes"),
  );
  const mechanisms = checkMechanisms(
    `${field}.mechanism`,
    required(
      `${field}.mechanism`,
      raw.mechanism,
      "it names the mechanism(s) the role trusts, e.g. irsa or [irsa, pod-identity]",
    ),
  );
  // EKS Pod Identity is not offered in the China Regions ("Pod Identity is not available in China
  // Regions. Use IAM roles for service accounts.",
  // https://docs.amazonaws.cn/en_us/eks/latest/userguide/pod-identities.html), as single-grant mode refuses.
  if (mechanisms.includes(Mechanism.PodIdentity) && aws.partition === "aws-cn") {
    throw new InputError(
      `${field}.mechanism`,
      raw.mechanism,
      `cannot list "pod-identity" in aws:region ${aws.region}: EKS Pod Identity is not available in the China ` +
        'Regions (docs.amazonaws.cn, EKS User Guide, "EKS Pod Identities"); use "irsa"',
    );
  }
  const serviceAccounts = checkGrantServiceAccounts(
    `${field}.serviceAccounts`,
    required(
      `${field}.serviceAccounts`,
      raw.serviceAccounts,
      "it lists the service accounts the role trusts, e.g. [{namespace: team-a, name: reports-reader}]",
    ),
  );
  const buckets = parseGrantBuckets(`${field}.buckets`, raw.buckets, aws);
  const grant: AccountBGrant = {
    key: rawKey,
    mechanisms,
    serviceAccounts,
    buckets,
    maxSessionDuration:
      raw.maxSessionDuration === undefined
        ? 3600
        : validateInteger(`${field}.maxSessionDuration`, raw.maxSessionDuration, 3600, 43200),
    maxTrustPolicySize:
      raw.maxTrustPolicySize === undefined
        ? DEFAULT_TRUST_POLICY_MAX_SIZE
        : validateInteger(
            `${field}.maxTrustPolicySize`,
            raw.maxTrustPolicySize,
            DEFAULT_TRUST_POLICY_MAX_SIZE,
            MAX_TRUST_POLICY_QUOTA,
          ),
  };
  if (raw.roleName !== undefined) grant.roleName = validateRoleName(`${field}.roleName`, raw.roleName);
  if (raw.path !== undefined) grant.path = validateIamPath(`${field}.path`, raw.path);
  if (raw.permissionsBoundary !== undefined) {
    grant.permissionsBoundary = validateManagedPolicyArn(
      `${field}.permissionsBoundary`,
      raw.permissionsBoundary,
    );
  }
  const source = sourceRoleName(
    `${field}.sourceRoleName`,
    raw.sourceRoleName,
    mechanisms,
    Mechanism.PodIdentity,
    `${rawKey}-pod-identity-source`,
  );
  if (source !== undefined) grant.sourceRoleName = source;
  const chained = sourceRoleName(
    `${field}.chainedSourceRoleName`,
    raw.chainedSourceRoleName,
    mechanisms,
    Mechanism.IrsaChained,
    `${rawKey}-chained-source`,
  );
  if (chained !== undefined) grant.chainedSourceRoleName = chained;
  return grant;
}

/**
 * Names that must be unique across the grants: the key; a role name (IAM role names are unique in an
 * account whatever their case); a created bucket's name (S3 names are global); a ServiceAccount (a pod
 * can use every role that trusts it); account A's source role names (each binding creates its own).
 * Refuses the later entry, naming the earlier. The grants' resources' URNs: grantResourceNames.ts.
 */
function checkAcrossGrants(
  grants: readonly AccountBGrant[],
  rawEntries: readonly Record<string, unknown>[],
): void {
  const field = (i: number, f: string) => key(`grants[${i}].${f}`);
  const seen = new Map<string, string>();
  const claim = (id: string, where: string, value: unknown, rule: (earlier: string) => string) => {
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new InputError(where, value, rule(earlier));
    seen.set(id, where);
  };
  const claimNames = resourceNameClaims((i) => field(i, "key"));
  grants.forEach((g, i) => {
    claim(`key ${g.key}`, field(i, "key"), g.key, (e) => `is ${e} too: each grant has its own key`);
    // Two keys whose grants' resources get one URN (key `a` with bucket `b-c` and key `a-b` with bucket
    // `c`: one SecureBucket `a-b-c`): refused naming both keys (grantResourceNames.ts).
    claimNames({ index: i, key: g.key, names: grantResourceNames(g) });
    if (g.roleName !== undefined) {
      claim(
        `role ${g.roleName.toLowerCase()}`,
        field(i, "roleName"),
        g.roleName,
        (e) =>
          `is ${e} too (IAM role names are unique in an account, whatever their case): one role per grant`,
      );
    }
    g.buckets.forEach((b, j) => {
      if (!b.create) return;
      claim(
        `bucket ${b.name}`,
        field(i, `buckets[${j}].name`),
        b.name,
        (e) => `is created by ${e} too: create a bucket once (another grant may name it with create: false)`,
      );
    });
    for (const [f, name] of [
      ["sourceRoleName", g.sourceRoleName],
      ["chainedSourceRoleName", g.chainedSourceRoleName],
    ] as const) {
      if (name === undefined) continue;
      const written = rawEntries[i][f] !== undefined;
      claim(
        `source ${name.toLowerCase()}`,
        written ? field(i, f) : field(i, "key"),
        written ? name : g.key,
        (e) =>
          `${written ? "" : `gives ${f} the default "${name}", which `}is ${e} too: account A's source roles are ` +
          "unique in account A (each grant's binding creates its own); name another",
      );
    }
    g.serviceAccounts.forEach((sa, j) => {
      // One ServiceAccount, one grant. With IRSA the pod itself names the role in
      // AssumeRoleWithWebIdentity, which needs no AWS credentials ("Calling AssumeRoleWithWebIdentity
      // does not require the use of AWS security credentials",
      // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html): a
      // ServiceAccount two roles trust can use both, whatever its one role-arn annotation names.
      claim(
        `serviceAccount ${sa.namespace}/${sa.name}`,
        field(i, `serviceAccounts[${j}]`),
        sa,
        (e) =>
          `is ${e} too: one ServiceAccount, one grant. A pod can assume every role that trusts its ` +
          "ServiceAccount (with IRSA it names the role itself, whatever the annotation says), so its grant's " +
          "access must be all it can reach: list both grants' buckets in one grant",
      );
    });
  });
}

/**
 * Parses and checks account-b's config in grants mode (`cross-account-irsa:grants` set): the top-level
 * keys grants mode reads, every grant, and what must be unique across them. Any single-grant key set
 * beside `grants` is refused by name.
 */
export function parseAccountBGrantsConfig(
  settings: StackSettings,
  organization: string,
): AccountBGrantsConfig {
  checkKnownKeys(settings, PROJECT, "the account-b program", ACCOUNT_B_KEYS, {
    name: "account-a",
    keys: ACCOUNT_A_KEYS,
  });
  refuseEmptyGrants(settings);
  refuseSingleGrantKeys(settings);
  refuseSecretGrants(settings);
  const rawGrants = settings.get("grants");
  if (!Array.isArray(rawGrants) || rawGrants.length === 0) {
    throw new InputError(
      key("grants"),
      rawGrants ?? settings.raw(PROJECT, "grants"),
      "must be a non-empty list of grants, each { key, mechanism, serviceAccounts, buckets, ... }",
    );
  }
  const aws = parseAwsSettings(settings);
  const entries = rawGrants.map((g: unknown, i) =>
    entryObject(key(`grants[${i}]`), g, "{ key, mechanism, serviceAccounts, buckets, ... }"),
  );
  const grants = entries.map((g, i) => parseGrant(key(`grants[${i}]`), g, aws));
  checkAcrossGrants(grants, entries);
  const existing = optionalString(settings.get, "existingOidcProviderArn");
  if (existing !== undefined && !grants.some((g) => g.mechanisms.includes(Mechanism.Irsa))) {
    throw new InputError(
      key("existingOidcProviderArn"),
      existing,
      `is read only when a grant of ${key("grants")} lists "irsa" (it is account B's provider for account-a's issuer)`,
    );
  }
  // IRSA's own check of the adopted provider (its partition, and account B when pinned).
  const irsa = STACK_CONFIG_LAYERS[Mechanism.Irsa].accountB.parse(settings, aws);
  return {
    aws,
    accountAStack: qualifyStackName(
      key("accountAStack"),
      optionalString(settings.get, "accountAStack") ?? "account-a",
      organization,
    ),
    ...(irsa.existingOidcProviderArn !== undefined
      ? { existingOidcProviderArn: irsa.existingOidcProviderArn }
      : {}),
    grants,
  };
}
