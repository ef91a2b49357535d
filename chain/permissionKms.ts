/**
 * The live permission link's KMS check: the object's key may be used by the role, by its key policy
 * (directly or by delegation to the role's account) and its identity policies, within its
 * permissions boundary. Pure.
 */
import { arnAccount } from "../components/arn";
import { type PolicyDocument } from "../components/policyDocument";
import { PERMISSION_CHECKS as C } from "./permissionCatalogue";
import {
  boundaryOutcome,
  detailOf,
  parsePolicy,
  statusOf,
  throughBoundary,
  tryAccess,
  tryResourcePolicy,
  type Outcome,
} from "./evaluation";
import { runCheck, type CheckResult } from "./result";
import { type PermissionLiveFacts } from "./snapshot";
import { requestContext, roleNames, type PermissionTarget } from "./permissionTarget";

/** The root ARN of a role's account: what a key policy names to delegate to the account's IAM policies. */
function rootOf(roleArn: string): string {
  const { partition, account } = roleNames(roleArn);
  return `arn:${partition}:iam::${account}:root`;
}

/** The object's KMS key may be used by the role: key policy (directly or by delegation) and identity policy. */
export function kmsCheck(facts: PermissionLiveFacts, t: PermissionTarget): CheckResult[] {
  const key = facts.kmsKey;
  if (key === undefined) {
    const arn = facts.object?.kmsKeyArn;
    return t.unavailable?.kmsKey !== undefined && arn !== undefined
      ? [runCheck(C.kmsKeyAllowed, { keyArn: arn }, "skip", t.unavailable.kmsKey)]
      : [];
  }
  const p = { keyArn: key.arn };
  const { account } = roleNames(t.roleArn);
  const keyAccount = arnAccount(key.arn, "kms");
  if (key.awsManaged) {
    const same = keyAccount === account;
    if (same && t.boundary !== undefined) {
      // The key policy grants every principal of the account through S3; whether the role's boundary
      // limits such a grant is not documented: only a boundary that allows kms:Decrypt settles it.
      const context = { ...requestContext(t, account), "kms:CallerAccount": account };
      const b = boundaryOutcome(t.boundary, "kms:Decrypt", key.arn, context);
      if (b.outcome?.decision !== "Allow" || b.outcome.unsupported !== undefined) {
        const why = b.outcome !== undefined ? detailOf(b.outcome) : (b.unreadable ?? "not read");
        return [
          runCheck(
            C.kmsKeyAllowed,
            p,
            b.outcome?.decision === "ExplicitDeny" ? "fail" : "warn",
            `an AWS managed key of the role's account, but the permissions boundary ${b.arn} does not allow kms:Decrypt (${why}): not decided`,
          ),
        ];
      }
    }
    return [
      runCheck(
        C.kmsKeyAllowed,
        p,
        same,
        same
          ? "an AWS managed key of the role's account: its principals may use it through S3"
          : `an AWS managed key of account ${keyAccount ?? "?"}: no other account (the role's is ${account}) may use it`,
      ),
    ];
  }
  if (key.policy === undefined) {
    return [runCheck(C.kmsKeyAllowed, p, "skip", t.unavailable?.kmsKey ?? "the key policy was not read")];
  }
  const doc = parsePolicy(key.policy);
  if (doc === undefined || t.policies?.some((d) => d === undefined)) {
    return [
      runCheck(
        C.kmsKeyAllowed,
        p,
        "warn",
        "the key policy or a policy of the role is not JSON or has a key twice: not decided",
      ),
    ];
  }
  const context = { ...requestContext(t, account), "kms:CallerAccount": account };
  // The role's permissions boundary limits both grants: a key policy naming the role's ARN (not one
  // of its sessions) cannot grant past it, and a delegation needs the role's IAM policies, which it
  // bounds (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
  const bound = (o: Outcome): Outcome =>
    t.boundary === undefined
      ? o
      : throughBoundary(o, boundaryOutcome(t.boundary, "kms:Decrypt", key.arn, context));
  // Whether the key policy names the role itself (a grant that needs nothing else in its account).
  const direct = bound(tryResourcePolicy(doc, t.roleArn, "kms:Decrypt", key.arn, context, false));
  // Whether the key policy delegates to the role's account (its root), so that IAM policies decide.
  const delegated = tryResourcePolicy(doc, rootOf(t.roleArn), "kms:Decrypt", key.arn, context);
  if (t.policies === undefined) {
    // Without the role's own policies only the key policy can decide: a grant to the role itself in
    // its account, or an explicit deny; a delegation to the account needs the unread policies.
    for (const o of [direct, delegated]) {
      if (o.decision === "ExplicitDeny" || o.unsupported !== undefined) {
        return [runCheck(C.kmsKeyAllowed, p, statusOf(o, false), detailOf(o))];
      }
    }
    return direct.decision === "Allow" && keyAccount === account
      ? [runCheck(C.kmsKeyAllowed, p, true, `key policy: ${direct.reason}`)]
      : [runCheck(C.kmsKeyAllowed, p, "skip", "the role's policies could not be read: needed to decide")];
  }
  const identity = bound(tryAccess(t.policies as PolicyDocument[], "kms:Decrypt", key.arn, context));
  for (const o of [direct, delegated, identity]) {
    if (o.decision === "ExplicitDeny" || o.unsupported !== undefined) {
      return [runCheck(C.kmsKeyAllowed, p, statusOf(o, false), detailOf(o))];
    }
  }
  const keyAllows = direct.decision === "Allow" || delegated.decision === "Allow";
  const ok =
    (direct.decision === "Allow" && keyAccount === account) || (keyAllows && identity.decision === "Allow");
  const words = [
    `key policy: ${direct.decision === "Allow" ? direct.reason : delegated.decision === "Allow" ? `delegates to account ${account} (${delegated.reason})` : "no statement allows the role or its account"}`,
    `role's policies: ${identity.reason}`,
  ];
  return [runCheck(C.kmsKeyAllowed, p, ok, words.join("; "))];
}
