/**
 * The IRSA-chained chain's role chaining links (5 and 6): the source role may assume the target role,
 * and the target role trusts the source role and only it (near misses: another role of the source's
 * account, the same name in another account). Pure.
 */
import { type RequestKeys } from "../../components/evaluate";
import { roleSessionKeys } from "../../components/requestContext";
import { parseRoleArn } from "../../components/validation";
import {
  DESCRIBED,
  detailOf,
  parsePolicy,
  statusOf,
  tryAccess,
  tryAccessWithin,
  tryRoleTrust,
} from "../../chain/evaluation";
import { runCheck, undecidedRead, type CheckResult } from "../../chain/result";
import { IRSA_CHAINED_CHECKS as C } from "./catalogue";
import { reviewChainedSourcePermission, reviewChainedTargetTrust } from "./trustReview";
import { type IrsaChainedSnapshot } from "./snapshot";

const CHAINED_ACTION = "sts:AssumeRole";

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
function nearMissRoles(sourceRoleArn: string): Array<{ other: string; arn: string }> {
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

/** Links 5 and 6. */
export function roleChainLinks(s: IrsaChainedSnapshot): CheckResult[] {
  return [...sourcePermissionLink(s), ...targetTrustLink(s)];
}
