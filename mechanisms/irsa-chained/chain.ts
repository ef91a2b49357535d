/**
 * The IRSA-chained link set (`irsa-chained`): the seven links of its catalogue, checked on an
 * {@link IrsaChainedSnapshot}. Words and fixes come from the catalogue; this file decides only pass or
 * fail and what was compared. The permission link is the planned permission link all mechanisms
 * share (on the target role). Pure.
 */
import { arnAccount } from "../../components/arn";
import { describeValue } from "../../components/errors";
import { parseProfileConfig, ROLE_CHAINING_MAX_SESSION_SECONDS } from "../../components/chainedPolicies";
import { type PolicyDocument } from "../../components/policyDocument";
import { type RequestKeys } from "../../components/evaluate";
import { roleSessionKeys } from "../../components/requestContext";
import { CHAINED_CONFIG_KEY } from "../../components/chainedWiring";
import { AUDIENCE_ANNOTATION, ROLE_ARN_ANNOTATION } from "../../components/serviceAccountAnnotations";
import { STS_AUDIENCE } from "../../components/trustPolicy";
import { parseOidcProviderArn, parseRoleArn } from "../../components/validation";
import {
  DESCRIBED,
  detailOf,
  parsePolicy,
  statementsOf,
  statusOf,
  tryAccess,
  tryAccessWithin,
  tryRoleTrust,
  tryTrust,
} from "../../chain/evaluation";
import { tryNormalize } from "../irsa/facts";
import { livePermissionLink } from "../../chain/permission";
import { plannedPermissionLink } from "../../chain/plannedPermission";
import { runCheck, undecidedRead, type CheckResult } from "../../chain/result";
import { workloadChecks } from "../../chain/workloads";
import { reviewIrsaTrust, type TrustReview } from "../../chain/trustReview";
import { IRSA_CHAINED_CHECKS as C } from "./catalogue";
import {
  reviewChainedSourcePermission,
  reviewChainedSourceTrust,
  reviewChainedTargetTrust,
} from "./trustReview";
import { type ChainedWorkload, type IrsaChainedSnapshot } from "./snapshot";

const CHAINED_ACTION = "sts:AssumeRole";

/** Link 1: the cluster has an OIDC issuer. */
function issuerLink(s: IrsaChainedSnapshot, issuer: string | undefined): CheckResult[] {
  if (s.unavailable?.issuer !== undefined)
    return [runCheck(C.issuerExported, {}, "skip", s.unavailable.issuer)];
  const words = s.live ? { live: true, cluster: `${s.live.cluster.name} (${s.live.cluster.region})` } : {};
  return [
    runCheck(
      C.issuerExported,
      words,
      issuer !== undefined,
      issuer !== undefined
        ? `issuer ${s.issuerUrl}`
        : (s.live?.cluster.error ??
            `oidcIssuerUrl is ${describeValue(s.issuerUrl)}, not an https issuer URL`),
    ),
  ];
}

/** The account of an ARN of IAM, or undefined. */
function accountOf(arn: string | undefined): string | undefined {
  return arnAccount(arn, "iam");
}

/** Link 2: account A's OIDC provider is for that issuer, accepts STS, and is in the source role's account. */
function providerLink(s: IrsaChainedSnapshot, issuer: string | undefined): CheckResult[] {
  const words = s.live ? { live: true, account: accountOf(s.sourceRole?.arn), issuer: s.issuerUrl } : {};
  if (s.live?.providerError !== undefined)
    return [undecidedRead(C.providerForIssuer, words, s.live.providerError)];
  const provider = s.provider;
  let hostPath: string | undefined;
  try {
    hostPath = provider ? parseOidcProviderArn("provider", provider.arn).hostPath : undefined;
  } catch {
    hostPath = undefined;
  }
  const url = provider?.url !== undefined ? tryNormalize(provider.url) : hostPath;
  const described =
    provider === undefined
      ? s.live
        ? "the source role's account has no IAM OIDC provider for the issuer"
        : "account-a plans no IAM OIDC provider"
      : `provider ${provider.arn}${provider.adopted ? " (adopted)" : ""} for ${provider.url ?? hostPath ?? "?"}; issuer ${issuer ?? "?"}`;
  const results = [
    s.unavailable?.issuer !== undefined
      ? runCheck(C.providerForIssuer, words, "skip", `${described}: ${s.unavailable.issuer}`)
      : runCheck(
          C.providerForIssuer,
          words,
          provider !== undefined && issuer !== undefined && url === issuer && hostPath === issuer,
          described,
        ),
  ];
  if (provider?.clientIds !== undefined) {
    results.push(
      runCheck(
        C.providerClientId,
        {},
        provider.clientIds.includes(STS_AUDIENCE),
        `client ids ${describeValue(provider.clientIds)}`,
      ),
    );
  } else if (provider?.adopted) {
    results.push(
      runCheck(
        C.providerClientId,
        {},
        "warn",
        `the provider is adopted and its client ids are not known offline: it must already accept ${STS_AUDIENCE}`,
      ),
    );
  }
  if (provider && s.sourceRole) {
    const same = accountOf(provider.arn) === accountOf(s.sourceRole.arn);
    results.push(
      runCheck(
        C.providerInSourceAccount,
        { providerArn: provider.arn, sourceRoleArn: s.sourceRole.arn },
        same,
        `provider in account ${accountOf(provider.arn) ?? "?"}, source role in account ${accountOf(s.sourceRole.arn) ?? "?"}`,
      ),
    );
  }
  return results;
}

/** The Federated principals of a trust policy's statements (a Statement object or a list, as IAM takes both). */
function federatedPrincipals(doc: PolicyDocument): string[] {
  return statementsOf(doc).flatMap((st) => {
    const p = st.Principal;
    if (p === undefined || p === null || p === "*" || typeof p !== "object") return [];
    const f = p.Federated;
    return f === undefined ? [] : Array.isArray(f) ? f : [f];
  });
}

/** The subjects the chain is checked for: the ServiceAccount the workloads run as, or every one account-b grants. */
function subjects(s: IrsaChainedSnapshot) {
  return s.serviceAccount ? [s.serviceAccount] : s.trusted;
}

/** Link 3: the source role trusts A's provider for the service accounts, with the STS audience. */
function sourceTrustLink(s: IrsaChainedSnapshot, trust: PolicyDocument | undefined): CheckResult[] {
  const live = s.live ? { live: true, sourceRoleArn: s.sourceRole?.arn } : {};
  const why = s.unavailable?.sourceRole;
  if (why !== undefined) {
    return [
      s.live
        ? undecidedRead(C.sourceTrustPrincipal, live, why)
        : runCheck(C.sourceTrustPrincipal, live, "skip", why),
    ];
  }
  if (s.sourceRole === undefined) {
    return [
      runCheck(
        C.sourceTrustPrincipal,
        live,
        false,
        s.live
          ? `the source role could not be read: ${s.live.sourceRoleError ?? "unknown error"}`
          : "account-a plans no source role",
      ),
    ];
  }
  const provider = s.provider?.arn;
  const federated = trust ? federatedPrincipals(trust) : [];
  const results = [
    runCheck(
      C.sourceTrustPrincipal,
      { ...live, providerArn: provider },
      provider !== undefined && federated.length > 0 && federated.every((f) => f === provider),
      trust === undefined
        ? "the source role's trust policy is unknown, not JSON or has a key twice"
        : `Principal.Federated ${describeValue(federated)}; provider ${provider ?? "none"}`,
    ),
  ];
  if (trust && provider) {
    for (const sa of subjects(s)) {
      const sub = `system:serviceaccount:${sa.namespace}:${sa.name}`;
      const audience =
        ("annotations" in sa ? (sa.annotations as Record<string, string>)[AUDIENCE_ANNOTATION] : undefined) ??
        STS_AUDIENCE;
      const outcome = tryTrust(trust, provider, sub, audience);
      results.push(
        runCheck(
          C.sourceTrustSubject,
          { ...live, namespace: sa.namespace, name: sa.name, audience },
          statusOf(outcome, outcome.decision === "Allow"),
          detailOf(outcome),
        ),
      );
    }
  }
  if (s.live && trust && provider) results.push(reviewedSourceTrust(s, trust, provider));
  return results;
}

/** Two reviews as one: the worse status, both details and all fixes. */
function combined(a: TrustReview, b: TrustReview | undefined): TrustReview {
  if (b === undefined || b.status === "pass") return a;
  if (a.status === "pass") return b;
  return {
    status: a.status === "fail" || b.status === "fail" ? "fail" : "warn",
    detail: `${a.detail}; ${b.detail}`,
    fixes: [...new Set([...a.fixes, ...b.fixes])],
  };
}

/**
 * Link 3, live: the source trust admits only account A's provider (chained reviewer), and its tokens only
 * with an aud condition and for named service accounts (IRSA's reviewer, chain/trustReview.ts).
 */
function reviewedSourceTrust(s: IrsaChainedSnapshot, trust: PolicyDocument, provider: string): CheckResult {
  const subject = subjects(s)[0] ?? { namespace: "<namespace>", name: "<name>" };
  const audience =
    ("annotations" in subject
      ? (subject.annotations as Record<string, string>)[AUDIENCE_ANNOTATION]
      : undefined) ?? STS_AUDIENCE;
  const review = combined(
    reviewChainedSourceTrust(trust, provider),
    reviewIrsaTrust(trust, provider, subject, audience),
  );
  return runCheck(
    C.sourceTrustNarrow,
    { live: true, sourceRoleArn: s.sourceRole?.arn, fixes: review.fixes },
    review.status,
    review.detail,
  );
}

/** What is wrong with the SDK config file's profiles, in words (empty: it chains the roles). */
export function profileProblems(
  text: string | undefined,
  profile: string | undefined,
  sourceRoleArn: string | undefined,
  targetRoleArn: string | undefined,
): string[] {
  if (text === undefined) return ["the ConfigMap has no config file"];
  let profiles: ReturnType<typeof parseProfileConfig>;
  try {
    profiles = parseProfileConfig(text);
  } catch (e) {
    return [`the SDK cannot be relied on to read it: ${(e as Error).message}`];
  }
  if (profile === undefined) return ["no workload selects a profile (AWS_PROFILE)"];
  const chained = profiles[profile];
  if (chained === undefined) return [`it has no profile ${profile}`];
  const problems: string[] = [];
  if (chained.role_arn !== targetRoleArn) {
    problems.push(`profile ${profile} has role_arn ${describeValue(chained.role_arn)}, not the target role`);
  }
  if (chained.web_identity_token_file !== undefined) {
    problems.push(`profile ${profile} has its own web_identity_token_file: it would not chain`);
  }
  const duration = chained.duration_seconds === undefined ? undefined : Number(chained.duration_seconds);
  if (
    duration !== undefined &&
    !(Number.isInteger(duration) && duration >= 900 && duration <= ROLE_CHAINING_MAX_SESSION_SECONDS)
  ) {
    problems.push(
      `profile ${profile} asks for duration_seconds ${chained.duration_seconds}: role chaining allows 900 to 3600`,
    );
  }
  const sourceName = chained.source_profile;
  const source = sourceName === undefined ? undefined : profiles[sourceName];
  if (source === undefined) {
    problems.push(
      `profile ${profile} has source_profile ${describeValue(sourceName)}, not a profile of the file`,
    );
  } else {
    if (source.role_arn !== sourceRoleArn) {
      problems.push(
        `source profile ${sourceName} has role_arn ${describeValue(source.role_arn)}, not the source role`,
      );
    }
    if (source.web_identity_token_file === undefined) {
      problems.push(`source profile ${sourceName} has no web_identity_token_file`);
    }
  }
  return problems;
}

/** The one profile of a config file that chains (has a source_profile), or undefined. */
function chainedProfileOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const chained = Object.entries(parseProfileConfig(text)).filter(
      ([, p]) => p.source_profile !== undefined,
    );
    return chained.length === 1 ? chained[0][0] : undefined;
  } catch {
    return undefined;
  }
}

/** The profile a workload selects and whether it mounts the ConfigMap read-only where AWS_CONFIG_FILE points. */
function workloadProfile(
  w: ChainedWorkload,
  configMap: string | undefined,
  selected: string | undefined,
): { profile?: string; ok: boolean; detail: string } {
  const file = w.env.AWS_CONFIG_FILE;
  const profile = w.env.AWS_PROFILE;
  // The file is the ConfigMap's config key where it is mounted, exactly (not another file under the mount).
  const mount = w.configMapMounts.find(
    (m) => m.configMap === configMap && file === `${m.mountPath.replace(/\/$/, "")}/${CHAINED_CONFIG_KEY}`,
  );
  return {
    profile,
    ok:
      file !== undefined &&
      profile !== undefined &&
      profile === selected &&
      mount !== undefined &&
      mount.readOnly,
    detail:
      `AWS_CONFIG_FILE ${describeValue(file)}, AWS_PROFILE ${describeValue(profile)}; ConfigMap mounts ` +
      `${describeValue(w.configMapMounts.map((m) => `${m.configMap} at ${m.mountPath}${m.readOnly ? " (read-only)" : ""}`))}`,
  };
}

/** Link 4: the ServiceAccount names the source role, the config file chains the roles, the workloads use both. */
function serviceAccountLink(s: IrsaChainedSnapshot): CheckResult[] {
  const live = s.live ? { live: true } : {};
  const sa = s.serviceAccount;
  if (!sa)
    return [
      runCheck(C.serviceAccountPresent, live, false, "the final account-a run registers no ServiceAccount"),
    ];
  const annotated = sa.annotations[ROLE_ARN_ANNOTATION];
  const results: CheckResult[] = [
    runCheck(
      C.serviceAccountAnnotated,
      { ...live, ...sa, sourceRoleArn: s.sourceRole?.arn },
      s.sourceRole !== undefined && annotated === s.sourceRole.arn,
      `annotation ${describeValue(annotated)}; source role ${s.sourceRole?.arn ?? "none"}` +
        (annotated !== undefined && annotated === s.role?.arn
          ? " (the annotation names account-b's target role)"
          : ""),
    ),
  ];
  if (!s.live) {
    results.push(
      runCheck(
        C.serviceAccountTrusted,
        sa,
        s.trusted.some((t) => t.namespace === sa.namespace && t.name === sa.name),
        `account-b grants ${s.trusted.map((t) => `${t.namespace}/${t.name}`).join(", ") || "none"}`,
      ),
    );
  }
  const chainWords = { ...live, sourceRoleArn: s.sourceRole?.arn, targetRoleArn: s.role?.arn };
  // The profile the workloads select; with none planned, the file's one chained profile (its source_profile).
  const selected =
    s.workloads.map((w) => w.env.AWS_PROFILE).find((p) => p !== undefined) ??
    chainedProfileOf(s.profile?.text);
  if (s.unavailable?.profile !== undefined) {
    results.push(runCheck(C.profilePresent, live, "skip", s.unavailable.profile));
  } else if (s.profile === undefined) {
    results.push(runCheck(C.profilePresent, live, false, "no ConfigMap holds the SDK config file"));
  } else {
    results.push(
      runCheck(
        C.profilePresent,
        { ...live, ...s.profile },
        s.profile.namespace === sa.namespace,
        `ConfigMap ${s.profile.namespace}/${s.profile.configMap}; the ServiceAccount's namespace ${sa.namespace}`,
      ),
    );
    const problems = profileProblems(s.profile.text, selected, s.sourceRole?.arn, s.role?.arn);
    results.push(
      runCheck(
        C.profileChains,
        { ...chainWords, problems },
        problems.length === 0,
        problems.length === 0
          ? `profile ${selected} chains ${s.sourceRole?.arn} into ${s.role?.arn}`
          : problems.join("; "),
      ),
    );
  }
  if (s.unavailable?.workloads !== undefined) return results;
  // Live, the workloads are the pods that run as the ServiceAccount (no Deployment or Job to expect).
  if (!s.live) results.push(...workloadChecks(s, sa, C));
  for (const w of s.live ? s.workloads : []) {
    const expected = w.env.EXPECTED_ROLE_ARN;
    if (expected === undefined) continue;
    results.push(
      runCheck(
        C.workloadExpectsRole,
        { workload: w },
        s.role !== undefined && expected === s.role.arn,
        `EXPECTED_ROLE_ARN ${describeValue(expected)}; role ${s.role?.arn ?? "none"}`,
      ),
    );
  }
  for (const w of s.workloads) {
    const { profile, ok, detail } = workloadProfile(w, s.profile?.configMap, selected);
    results.push(
      runCheck(C.workloadUsesProfile, { workload: w, configMap: s.profile?.configMap, profile }, ok, detail),
    );
  }
  return results;
}

/**
 * The request a source role session makes (sts:AssumeRole of the target role): live, the keys AWS
 * sets for a web identity session's direct call (components/requestContext.ts), so a condition on a
 * key not known (a principal tag) is undecided, not read as absent; planned, the described request.
 */
function sessionOf(
  s: IrsaChainedSnapshot,
  roleArn: string,
): { context: Record<string, string>; keys: RequestKeys } {
  if (!s.live) return { context: {}, keys: DESCRIBED };
  const provider = roleArn === s.sourceRole?.arn && s.provider ? { federatedProvider: s.provider.arn } : {};
  const { context, ...keys } = roleSessionKeys({ roleArn, ...provider });
  return { context, keys };
}

/** Link 5: the source role may assume the target role. */
function sourcePermissionLink(s: IrsaChainedSnapshot): CheckResult[] {
  const words = {
    ...(s.live ? { live: true } : {}),
    sourceRoleArn: s.sourceRole?.arn,
    targetRoleArn: s.role?.arn,
  };
  const why = s.unavailable?.sourcePermission ?? s.unavailable?.sourceRole;
  if (why !== undefined) return [runCheck(C.sourcePermission, words, s.live ? "warn" : "skip", why)];
  const docs = Object.values(s.sourceRole?.permissionPolicies ?? {}).map((json) => parsePolicy(json));
  const readable = docs.filter((d) => d !== undefined);
  const target = s.role?.arn;
  const session = sessionOf(s, s.sourceRole?.arn ?? "");
  const outcome =
    target !== undefined && readable.length > 0
      ? readable.length === docs.length
        ? s.live
          ? tryAccessWithin(readable, s.sourceRole?.boundary, CHAINED_ACTION, target, session)
          : tryAccess(readable, CHAINED_ACTION, target, session.context, session.keys)
        : {
            decision: "ImplicitDeny" as const,
            reason: "cannot evaluate: a permission policy is not JSON or has a key twice",
          }
      : {
          decision: "ImplicitDeny" as const,
          reason:
            target === undefined
              ? "there is no target role to chain into"
              : "the source role has no permission policy to chain with",
        };
  const results = [
    runCheck(C.sourcePermission, words, statusOf(outcome, outcome.decision === "Allow"), detailOf(outcome)),
  ];
  if (s.live && target !== undefined && readable.length === docs.length && readable.length > 0) {
    const review = reviewChainedSourcePermission(readable, target);
    results.push(
      runCheck(C.sourcePermissionNarrow, { ...words, fixes: review.fixes }, review.status, review.detail),
    );
  }
  return results;
}

/** The near misses the target trust must refuse: another role of the source's account, the same name in another account. */
export function nearMissRoles(sourceRoleArn: string): Array<{ other: string; arn: string }> {
  const { partition, accountId, roleName } = parseRoleArn("sourceRoleArn", sourceRoleArn);
  const otherAccount = accountId === "999988887777" ? "999988887776" : "999988887777";
  const otherName = roleName === "another-role" ? "another-role-2" : "another-role";
  return [
    {
      other: `another role of account ${accountId}`,
      arn: `arn:${partition}:iam::${accountId}:role/${otherName}`,
    },
    {
      other: `a role of the same name in another account (${otherAccount})`,
      arn: `arn:${partition}:iam::${otherAccount}:role/${roleName}`,
    },
  ];
}

/** {@link nearMissRoles}, none for a source ARN that is no role's (the trust check above already fails). */
function safeNearMisses(sourceRoleArn: string): ReturnType<typeof nearMissRoles> {
  try {
    return nearMissRoles(sourceRoleArn);
  } catch {
    return [];
  }
}

/** Link 6: the target role trusts the source role, and only it. */
function targetTrustLink(s: IrsaChainedSnapshot): CheckResult[] {
  const words = {
    ...(s.live ? { live: true } : {}),
    sourceRoleArn: s.sourceRole?.arn,
    targetRoleArn: s.role?.arn,
  };
  const why = s.unavailable?.trust ?? s.unavailable?.sourceRole;
  if (why !== undefined) {
    return [
      s.live && s.unavailable?.trust !== undefined
        ? undecidedRead(C.targetTrust, words, why)
        : runCheck(C.targetTrust, words, "skip", why),
    ];
  }
  if (s.role === undefined) {
    return [
      runCheck(
        C.targetTrust,
        words,
        false,
        s.live
          ? `the target role could not be read: ${s.live.roleError ?? "unknown error"}`
          : "account-b plans no target role",
      ),
    ];
  }
  const trust = parsePolicy(s.role.trustPolicy);
  const source = s.sourceRole?.arn;
  if (trust === undefined || source === undefined) {
    return [
      runCheck(
        C.targetTrust,
        words,
        false,
        trust === undefined
          ? "the target role's trust policy is unknown, not JSON or has a key twice"
          : "there is no source role",
      ),
    ];
  }
  const session = sessionOf(s, source);
  const outcome = tryRoleTrust(trust, source, CHAINED_ACTION, session.context, session.keys);
  const results = [
    runCheck(C.targetTrust, words, statusOf(outcome, outcome.decision === "Allow"), detailOf(outcome)),
  ];
  if (s.live) {
    const review = reviewChainedTargetTrust(trust, source);
    results.push(
      runCheck(C.targetTrustOnlySource, { ...words, fixes: review.fixes }, review.status, review.detail),
    );
  }
  for (const miss of safeNearMisses(source)) {
    const missSession = sessionOf(s, miss.arn);
    const other = tryRoleTrust(trust, miss.arn, CHAINED_ACTION, missSession.context, missSession.keys);
    results.push(
      runCheck(
        C.targetTrustNarrow,
        { ...words, other: miss.other },
        other.unsupported !== undefined ? "warn" : other.decision !== "Allow",
        detailOf(other, `${miss.arn}: ${other.reason}`),
      ),
    );
  }
  return results;
}

/**
 * Checks the seven links of the IRSA-chained chain on a snapshot. Every failing check names its link
 * and carries the catalogue's fix; facts the snapshot marks unavailable give skipped checks.
 */
export function checkIrsaChainedChain(s: IrsaChainedSnapshot): CheckResult[] {
  const issuer = tryNormalize(s.issuerUrl);
  const sourceTrust = parsePolicy(s.sourceRole?.trustPolicy);
  return [
    ...issuerLink(s, issuer),
    ...providerLink(s, issuer),
    ...sourceTrustLink(s, sourceTrust),
    ...serviceAccountLink(s),
    ...sourcePermissionLink(s),
    ...targetTrustLink(s),
    // Live: the role's attached policies and boundary, the bucket policy, the object and its KMS key.
    ...(s.live ? livePermissionLink(s, 6) : plannedPermissionLink(s)),
  ];
}
