/**
 * The IRSA-chained chain's ServiceAccount link (4): the ServiceAccount names the source role, the SDK
 * config file (a ConfigMap) chains the source role into the target role, and the workloads mount it
 * and select its profile. Pure.
 */
import { describeValue } from "../../components/errors";
import { parseProfileConfig, ROLE_CHAINING_MAX_SESSION_SECONDS } from "../../components/chainedPolicies";
import { CHAINED_CONFIG_KEY } from "../../components/chainedWiring";
import { ROLE_ARN_ANNOTATION } from "../../components/serviceAccountAnnotations";
import { credentialPathOf, credentialPathProblems } from "../../components/credentialPath";
import { runCheck, type CheckResult } from "../../chain/result";
import { workloadChecks } from "../../chain/workloads";
import { IRSA_CHAINED_CHECKS as C } from "./catalogue";
import { type ChainedWorkload, type IrsaChainedSnapshot } from "./snapshot";

/**
 * What is wrong with the SDK config file's profiles, in words (empty: it chains the roles).
 *
 * @internal exported for the tests only
 */
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
): { profile?: string; ok: boolean | "warn"; detail: string } {
  const file = w.env.AWS_CONFIG_FILE;
  const profile = w.env.AWS_PROFILE;
  // The file is the ConfigMap's config key where it is mounted, exactly (not another file under the mount).
  const mount = w.configMapMounts.find(
    (m) => m.configMap === configMap && file === `${m.mountPath.replace(/\/$/, "")}/${CHAINED_CONFIG_KEY}`,
  );
  // What else in its environment an SDK would take before the profile (static keys, half a pair).
  // IRSA's web identity is left out: the webhook injects it for the source role in every chained pod,
  // and the SDKs that read it first (Java v2, Go v2) are irsa-chained's documented limit.
  const path = credentialPathOf(w.env, w.envFrom);
  const problems = credentialPathProblems(path, "profile", ["web-identity"]);
  const wired =
    file !== undefined &&
    profile !== undefined &&
    profile === selected &&
    mount !== undefined &&
    mount.readOnly;
  return {
    profile,
    ok: wired && problems.length === 0 ? (path.undecided.length === 0 ? true : "warn") : false,
    detail:
      `AWS_CONFIG_FILE ${describeValue(file)}, AWS_PROFILE ${describeValue(profile)}; ConfigMap mounts ` +
      `${describeValue(w.configMapMounts.map((m) => `${m.configMap} at ${m.mountPath}${m.readOnly ? " (read-only)" : ""}`))}` +
      [...problems, ...path.undecided].map((p) => `; ${p}`).join(""),
  };
}

/** Link 4: the ServiceAccount names the source role, the config file chains the roles, the workloads use both. */
export function serviceAccountLink(s: IrsaChainedSnapshot): CheckResult[] {
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
