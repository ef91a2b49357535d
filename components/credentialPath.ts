/**
 * Which credentials a container's AWS SDK uses, read from the environment EKS and the workload gave
 * it. Pure: the doctor's pods checks report it for every live pod, so a migration (IRSA and Pod
 * Identity both set up) shows which path each pod actually takes.
 *
 * The SDKs search their default credential chains in order and stop at the first source that is set
 * ("AWS SDKs and Tools standardized credential providers",
 * https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html). The orders differ
 * where a pod can have more than one of this package's paths:
 * - JavaScript v3 (`@aws-sdk/credential-provider-node`'s `defaultProvider`): environment keys
 *   (skipped when `AWS_PROFILE` is set), SSO, the shared config profile (`fromIni`), process, the web
 *   identity token (`fromTokenFile`), then the container and instance endpoints
 *   (https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-credentials-node.html;
 *   pinned against the installed SDK by tests/aws/credentialChain.test.ts).
 * - boto3 and the AWS CLI: environment keys, the assume-role provider (a profile's `role_arn`), the
 *   web identity provider, ..., the container provider, the instance metadata
 *   (https://docs.aws.amazon.com/boto3/latest/guide/credentials.html).
 * - Java v2: system properties, environment keys, the web identity token and role ARN, the shared
 *   files' profile, the container, the instance
 *   (https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/credentials-chain.html).
 * - Go v2: environment keys, the web identity token, then the shared profile (`AWS_PROFILE` in the
 *   environment does not move the profile first; only a profile set in code does), the container,
 *   the instance (aws-sdk-go-v2 `config.resolveCredentialChain`).
 * Every SDK reads the web identity token before the container endpoint, so IRSA wins over Pod Identity
 * everywhere; the chained profile against IRSA's token depends on the SDK.
 *
 * The second half is the binding's side of the same facts: which mechanisms one binding may set up
 * together, and which path its pods take then ({@link podCredentialPath}; a test holds it to
 * {@link credentialPathOf} for every pair a binding accepts).
 */
import { InputError } from "./errors";
import { isRecord } from "./values";
import { MECHANISMS, Mechanism } from "./mechanism";

/** A credential source a pod's environment can select. */
export type CredentialSource = "static-keys" | "profile" | "web-identity" | "container";

/** The SDK families whose chains {@link credentialPathOf} knows. */
export const SDK_FAMILIES = ["JavaScript v3", "boto3 and the AWS CLI", "Java v2", "Go v2"] as const;
export type SdkFamily = (typeof SDK_FAMILIES)[number];

/**
 * Each family's order of the sources ({@link CredentialSource}); `profileFirst` when `AWS_PROFILE`
 * moves the profile before the keys (JavaScript v3 only); `profileVariables` the variables that
 * select a profile in that family (boto3 and the AWS CLI also read `AWS_DEFAULT_PROFILE`).
 */
const ORDERS: Record<
  SdkFamily,
  { order: CredentialSource[]; profileFirst: boolean; profileVariables: readonly string[] }
> = {
  "JavaScript v3": {
    order: ["static-keys", "profile", "web-identity", "container"],
    profileFirst: true,
    profileVariables: ["AWS_PROFILE"],
  },
  "boto3 and the AWS CLI": {
    order: ["static-keys", "profile", "web-identity", "container"],
    profileFirst: false,
    profileVariables: ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"],
  },
  "Java v2": {
    order: ["static-keys", "web-identity", "profile", "container"],
    profileFirst: false,
    profileVariables: ["AWS_PROFILE"],
  },
  "Go v2": {
    order: ["static-keys", "web-identity", "profile", "container"],
    profileFirst: false,
    profileVariables: ["AWS_PROFILE"],
  },
};

/** The words of each source in a report. */
const WORDS: Record<CredentialSource, string> = {
  "static-keys": "static keys (AWS_ACCESS_KEY_ID)",
  profile: "the config profile (AWS_PROFILE)",
  "web-identity": "IRSA's web identity (AWS_ROLE_ARN)",
  container: "Pod Identity's endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI)",
};

/** The source each mechanism's pods are meant to use. */
export const SOURCE_OF_MECHANISM: Record<Mechanism, CredentialSource> = {
  [Mechanism.Irsa]: "web-identity",
  [Mechanism.PodIdentity]: "container",
  [Mechanism.IrsaChained]: "profile",
};

/** A source in words ("IRSA's web identity (AWS_ROLE_ARN)"). */
export function describeSource(source: CredentialSource): string {
  return WORDS[source];
}

/** The mechanism whose path a source is (static keys are none). */
function mechanismOf(source: CredentialSource): { mechanism?: Mechanism } {
  const m = MECHANISMS.find((x) => SOURCE_OF_MECHANISM[x] === source);
  return m === undefined ? {} : { mechanism: m };
}

/** What one container's environment selects. */
export interface CredentialPath {
  /** The sources whose variables are all set, in {@link CredentialSource} order. */
  present: CredentialSource[];
  /** The source each SDK family uses (undefined: none is set). */
  bySdk: Record<SdkFamily, CredentialSource | undefined>;
  /** The source every family uses, when they agree. */
  agreed?: CredentialSource;
  /** The mechanism of {@link agreed}, when it is one. */
  mechanism?: Mechanism;
  /** What breaks a path whatever its order (a key id without its secret; a relative container URI). */
  issues: { source?: CredentialSource; text: string }[];
  /**
   * Why the path cannot be known from the environment the doctor reads (variables from `envFrom`,
   * a shared file whose default profile may hold credentials): such a container is undecided, never
   * passed.
   */
  undecided: string[];
}

const set = (env: Record<string, string>, key: string): boolean =>
  typeof env[key] === "string" && env[key].length > 0;

/**
 * The sources an environment sets (for any family); a source counts only when every variable it needs is set.
 *
 * @internal exported for the tests only
 */
export function credentialSourcesOf(env: Record<string, string>): CredentialSource[] {
  const present: CredentialSource[] = [];
  if (set(env, "AWS_ACCESS_KEY_ID") && set(env, "AWS_SECRET_ACCESS_KEY")) present.push("static-keys");
  if (set(env, "AWS_PROFILE") || set(env, "AWS_DEFAULT_PROFILE")) present.push("profile");
  if (set(env, "AWS_ROLE_ARN") && set(env, "AWS_WEB_IDENTITY_TOKEN_FILE")) present.push("web-identity");
  if (set(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI") || set(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    present.push("container");
  }
  return present;
}

/**
 * A container spec's environment as the credential checks read it (the doctor's pods, verify's Job
 * pod: one reading for both), from kubectl's JSON or the Kubernetes client's objects alike:
 * - `env`: each variable's literal value; a marker when Kubernetes takes it from elsewhere
 *   (`valueFrom`: set, though its value is not read, so a static key from a Secret is still seen);
 *   a variable with neither is empty (Kubernetes leaves `value: ""` out), so unset;
 * - `envFrom`: its sources in words (`secretRef keys`, `configMapRef app with prefix APP_`), whose
 *   variables are not read, when it has any.
 */
export function containerEnvironment(container: unknown): {
  env: Record<string, string>;
  envFrom?: string[];
} {
  const c = isRecord(container) ? container : {};
  const env: Record<string, string> = {};
  for (const e of Array.isArray(c.env) ? c.env.filter(isRecord) : []) {
    if (typeof e.name !== "string") continue;
    if (typeof e.value === "string") env[e.name] = e.value;
    else if (isRecord(e.valueFrom)) {
      const from = e.valueFrom;
      const kinds = Object.keys(from).filter((k) => from[k] !== undefined && from[k] !== null);
      env[e.name] = `(set from ${kinds.length > 0 ? kinds.join(", ") : "valueFrom"})`;
    } else env[e.name] = "";
  }
  const sources = (Array.isArray(c.envFrom) ? c.envFrom.filter(isRecord) : []).map((e) => {
    const ref = isRecord(e.secretRef)
      ? `secretRef ${typeof e.secretRef.name === "string" ? e.secretRef.name : "?"}`
      : isRecord(e.configMapRef)
        ? `configMapRef ${typeof e.configMapRef.name === "string" ? e.configMapRef.name : "?"}`
        : "(unknown source)";
    return typeof e.prefix === "string" && e.prefix !== "" ? `${ref} with prefix ${e.prefix}` : ref;
  });
  return { env, ...(sources.length > 0 ? { envFrom: sources } : {}) };
}

/**
 * Which source each SDK family takes from one container's environment. `envFrom` names the
 * container's `envFrom` sources (their variables are not read): the path is then undecided.
 */
export function credentialPathOf(
  env: Record<string, string>,
  envFrom: readonly string[] = [],
): CredentialPath {
  const present = credentialSourcesOf(env);
  const bySdk = {} as Record<SdkFamily, CredentialSource | undefined>;
  for (const family of SDK_FAMILIES) {
    const { order, profileFirst, profileVariables } = ORDERS[family];
    const here = present.filter((s) => s !== "profile" || profileVariables.some((v) => set(env, v)));
    const profileSet = here.includes("profile");
    const effective =
      profileFirst && profileSet
        ? ["profile" as const, ...order.filter((s) => s !== "static-keys" && s !== "profile")]
        : order;
    bySdk[family] = effective.find((s) => here.includes(s));
  }
  const used = new Set(Object.values(bySdk));
  const agreed = used.size === 1 ? [...used][0] : undefined;
  const issues: CredentialPath["issues"] = [];
  // botocore's environment provider raises PartialCredentialsError for a key id without its secret
  // (a secret without a key id is skipped like no keys at all).
  if (set(env, "AWS_ACCESS_KEY_ID") && !set(env, "AWS_SECRET_ACCESS_KEY")) {
    issues.push({
      text:
        "AWS_ACCESS_KEY_ID without AWS_SECRET_ACCESS_KEY: boto3 and the AWS CLI stop with " +
        "PartialCredentialsError instead of going on down their chain",
    });
  }
  if (set(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    issues.push({
      source: "container",
      text:
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is set: the SDKs that read it before the full URI (JavaScript " +
        "v3, boto3) call the ECS endpoint 169.254.170.2, not Pod Identity's agent",
    });
  }
  const undecided = envFrom.map(
    (from) => `variables from envFrom ${from} are not read: an AWS_* variable there could change the path`,
  );
  if (!set(env, "AWS_PROFILE")) {
    for (const file of ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"]) {
      if (set(env, file)) {
        undecided.push(
          `${file} names ${env[file]}, whose default profile the SDKs read without AWS_PROFILE (JavaScript v3 ` +
            "before the web identity token, every SDK before the container endpoint); its content is not read",
        );
      }
    }
  }
  return {
    present,
    bySdk,
    ...(agreed !== undefined ? { agreed, ...mechanismOf(agreed) } : {}),
    issues,
    undecided,
  };
}

/** The path in words: "IRSA's web identity (AWS_ROLE_ARN)", or each family's when they differ. */
export function describeCredentialPath(path: CredentialPath): string {
  if (path.present.length === 0) return "no AWS credentials in its environment";
  if (path.agreed !== undefined) return WORDS[path.agreed];
  const groups = new Map<CredentialSource | undefined, SdkFamily[]>();
  for (const family of SDK_FAMILIES) {
    const s = path.bySdk[family];
    groups.set(s, [...(groups.get(s) ?? []), family]);
  }
  return [...groups]
    .map(([s, families]) => `${families.join(", ")}: ${s === undefined ? "none" : WORDS[s]}`)
    .join("; ");
}

/** The issues of a path ({@link CredentialPath.issues}) that break `expected`, in words. */
export function credentialIssues(path: CredentialPath, expected: CredentialSource): string[] {
  return path.issues.filter((i) => i.source === undefined || i.source === expected).map((i) => i.text);
}

/**
 * What stops a container from using `expected` (the source of the mechanism being checked): its
 * issues, and the sources some SDK family takes instead, in words; empty when every family takes
 * `expected`. Families that take a source in `ignore` are not counted (a source the caller reports in
 * its own words, or a documented limit).
 */
export function credentialPathProblems(
  path: CredentialPath,
  expected: CredentialSource,
  ignore: readonly CredentialSource[] = [],
): string[] {
  const issues = credentialIssues(path, expected);
  const others = SDK_FAMILIES.filter((f) => {
    const s = path.bySdk[f];
    return s !== undefined && s !== expected && !ignore.includes(s);
  });
  const bySource = new Map<CredentialSource, SdkFamily[]>();
  for (const f of others) bySource.set(path.bySdk[f]!, [...(bySource.get(path.bySdk[f]!) ?? []), f]);
  return [
    ...issues,
    ...[...bySource].map(
      ([s, families]) =>
        `${families.length === SDK_FAMILIES.length ? "every AWS SDK" : families.join(", ")} would use ${WORDS[s]}, ` +
        `not ${WORDS[expected]}`,
    ),
  ];
}

/**
 * Which credentials a pod uses when several mechanisms hand it some (lower first; see
 * {@link podCredentialPath}). The SDKs search their chain in order and stop at the first source that
 * gives credentials (https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html):
 * - IRSA before Pod Identity: every SDK tries web identity (`AWS_ROLE_ARN` and
 *   `AWS_WEB_IDENTITY_TOKEN_FILE`, injected by the IRSA webhook) before the container credential
 *   provider (Pod Identity's agent endpoint,
 *   https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html).
 * - IRSA with role chaining before Pod Identity: with `AWS_PROFILE` set, the JavaScript SDK v3 reads
 *   the profile (`fromIni`) before the web identity variables and the container provider
 *   (https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-credentials-node.html;
 *   `defaultProvider` in @aws-sdk/credential-provider-node), boto3 and the AWS CLI take the profile's
 *   assume-role provider before web identity and the container provider
 *   (https://docs.aws.amazon.com/boto3/latest/guide/credentials.html). The Java v2 and Go v2 SDKs read
 *   the webhook's variables first (https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/credentials-chain.html)
 *   and run as the source role, which can only assume the grant's role: that is irsa-chained's own
 *   limit (the probe fails on it), and still not Pod Identity.
 * - IRSA and IRSA with role chaining never meet in one pod: {@link checkBindingMechanisms} refuses the
 *   pair (one `eks.amazonaws.com/role-arn` annotation names one role).
 */
export const CREDENTIAL_PRECEDENCE: Record<Mechanism, number> = {
  [Mechanism.Irsa]: 0,
  [Mechanism.IrsaChained]: 1,
  [Mechanism.PodIdentity]: 2,
};

/**
 * The mechanisms one binding may set up together, for one ServiceAccount: `irsa` and `irsa-chained`
 * are refused as a pair (the ServiceAccount's one `eks.amazonaws.com/role-arn` annotation names
 * either the grant's role, for IRSA, or account A's source role, for the chain: never both,
 * https://docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html). A grant may trust both
 * (its clusters' bindings then pick one each): moving a binding from one to the other is one update.
 *
 * @throws InputError naming `field`, the list and the rule.
 */
export function checkBindingMechanisms(field: string, mechanisms: readonly Mechanism[]): Mechanism[] {
  if (mechanisms.includes(Mechanism.Irsa) && mechanisms.includes(Mechanism.IrsaChained)) {
    throw new InputError(
      field,
      mechanisms,
      'must not list both "irsa" and "irsa-chained": the ServiceAccount has one eks.amazonaws.com/role-arn ' +
        "annotation, which names the grant's role for IRSA but account A's source role for the chain; " +
        "to move from one to the other, list only the new one (the grant may trust both meanwhile)",
    );
  }
  return [...mechanisms];
}

/**
 * The path a pod's AWS SDK takes when the listed mechanisms are all set up for its service account,
 * for pods that mount the chained profile and use an SDK that reads `AWS_PROFILE` first. With
 * `irsa-chained` and `pod-identity` the ServiceAccount's annotation makes the IRSA webhook inject
 * `AWS_ROLE_ARN` (account A's source role) into every pod of it: a pod without `AWS_CONFIG_FILE` and
 * `AWS_PROFILE`, and any Java v2 or Go v2 pod, takes web identity before the container provider and
 * runs as the source role (S3 AccessDenied: it may only assume the grant's role), not Pod Identity
 * (docs/migration.md, the pairs).
 */
export function podCredentialPath(mechanisms: readonly Mechanism[]): Mechanism {
  if (mechanisms.length === 0)
    throw new InputError("mechanisms", mechanisms, "must name at least one mechanism");
  return [...mechanisms].sort((a, b) => CREDENTIAL_PRECEDENCE[a] - CREDENTIAL_PRECEDENCE[b])[0];
}
