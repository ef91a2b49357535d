/**
 * The live permission link's KMS check: the object's key may be used by the role, by its key policy
 * (directly or by delegation to the role's account) and its identity policies, within its
 * permissions boundary. Pure.
 */
import { arnAccount } from "../components/arn";
import { isRecord } from "../components/values";
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
import { roleNames, type PermissionTarget } from "./permissionTarget";

/**
 * The request context KMS sees when S3 decrypts for the role: the caller and its account. What the
 * S3 request carried (`aws:SecureTransport`, `s3:TlsVersion`) is not documented to reach KMS, so a key
 * policy condition on it stays undecided rather than read from the S3 request.
 */
function kmsContext(t: PermissionTarget, account: string): Record<string, string> {
  return { "aws:PrincipalArn": t.roleArn, "aws:PrincipalAccount": account, "kms:CallerAccount": account };
}

/** Why a check that needs the role's identity policies is not decided without them. */
const UNREAD = "the role's policies could not be read";

/** The check when a policy it needs is not JSON or has a key twice. */
const unparsed = (p: { keyArn: string }): CheckResult =>
  runCheck(
    C.kmsKeyAllowed,
    p,
    "warn",
    "the key policy or a policy of the role is not JSON or has a key twice: not decided",
  );

/**
 * The key policy split by how an Allow could reach the role: `byArn` keeps the Allows naming its ARN
 * exactly in `Principal.AWS`, `others` the other Allows (`"*"`); each keeps every Deny, and is
 * undefined without an Allow. A boundary limits a grant naming the role's ARN; whether it limits one
 * to every principal is not documented.
 */
function splitGrants(
  doc: PolicyDocument,
  roleArn: string,
): { byArn?: PolicyDocument; others?: PolicyDocument } {
  const raw: unknown = doc.Statement;
  const list = (Array.isArray(raw) ? (raw as unknown[]) : [raw]).filter(isRecord);
  // A statement naming the role beside "*" grants to everyone: it counts with the others.
  const namesRole = (st: Record<string, unknown>) => {
    const aws = isRecord(st.Principal) ? st.Principal.AWS : undefined;
    const listed: unknown[] = typeof aws === "string" ? [aws] : Array.isArray(aws) ? aws : [];
    return listed.includes(roleArn) && !listed.includes("*");
  };
  const part = (allow: (st: Record<string, unknown>) => boolean) => {
    const kept = list.filter((st) => st.Effect !== "Allow" || allow(st));
    return kept.some((st) => st.Effect === "Allow")
      ? { ...doc, Statement: kept as unknown as PolicyDocument["Statement"] }
      : undefined;
  };
  const byArn = part(namesRole);
  const others = part((st) => !namesRole(st));
  return { ...(byArn ? { byArn } : {}), ...(others ? { others } : {}) };
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
      const context = kmsContext(t, account);
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
    if (!same) {
      return [
        runCheck(
          C.kmsKeyAllowed,
          p,
          false,
          `an AWS managed key of account ${keyAccount ?? "?"}: no other account (the role's is ${account}) may use it`,
        ),
      ];
    }
    // Its key policy allows every principal of the account through S3, but an explicit deny in the
    // role's own policies still refuses (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
    // unread policies leave it undecided.
    const granted = "an AWS managed key of the role's account: its principals may use it through S3";
    if (t.policies === undefined) {
      return [
        runCheck(C.kmsKeyAllowed, p, "skip", `${granted}, unless the role's policies deny it: ${UNREAD}`),
      ];
    }
    if (t.policies.some((d) => d === undefined)) return [unparsed(p)];
    const context = kmsContext(t, account);
    const identity = tryAccess(t.policies as PolicyDocument[], "kms:Decrypt", key.arn, context);
    if (identity.decision === "ExplicitDeny" || identity.unsupported !== undefined) {
      return [
        runCheck(C.kmsKeyAllowed, p, statusOf(identity, false), `role's policies: ${detailOf(identity)}`),
      ];
    }
    return [runCheck(C.kmsKeyAllowed, p, true, `${granted}; no policy of the role denies kms:Decrypt`)];
  }
  if (key.policy === undefined) {
    return [runCheck(C.kmsKeyAllowed, p, "skip", t.unavailable?.kmsKey ?? "the key policy was not read")];
  }
  const doc = parsePolicy(key.policy);
  if (doc === undefined || t.policies?.some((d) => d === undefined)) return [unparsed(p)];
  const context = kmsContext(t, account);
  // The role's permissions boundary limits both grants: a key policy naming the role's ARN (not one
  // of its sessions) cannot grant past it, and a delegation needs the role's IAM policies, which it
  // bounds (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
  const bound = (o: Outcome): Outcome =>
    t.boundary === undefined
      ? o
      : throughBoundary(o, boundaryOutcome(t.boundary, "kms:Decrypt", key.arn, context));
  // Whether the key policy names the role itself or everyone (a grant that needs nothing else in its
  // account). Statements naming the role's account are left out here only: see `delegated`.
  // The key policy's statements naming the role or everyone, before the boundary.
  const unbounded = tryResourcePolicy(doc, t.roleArn, "kms:Decrypt", key.arn, context, false);
  const direct = directGrant(doc, unbounded, t, key.arn, context, bound);
  // Whether the key policy allows the role by any statement, those naming its account (root ARN or id)
  // included: in a key policy such a statement lets the account's IAM policies decide
  // (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam).
  // Evaluated for the role's own ARN, as AWS does: aws:PrincipalArn is the role, never the account's
  // root, and a Deny naming the account applies to the role
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html, "AWS account principals").
  const delegated = tryResourcePolicy(doc, t.roleArn, "kms:Decrypt", key.arn, context, true);
  if (t.policies === undefined) {
    // Without the role's own policies the key policy can only refuse: even a grant to the role itself
    // stands only if no policy of the role denies kms:Decrypt, which the unread policies may.
    for (const o of [direct, delegated]) {
      if (o.decision === "ExplicitDeny" || o.unsupported !== undefined) {
        return [runCheck(C.kmsKeyAllowed, p, statusOf(o, false), detailOf(o))];
      }
    }
    // A boundary read with the role that does not allow kms:Decrypt settles it: it bounds a grant to
    // the role's ARN and the role's own policies alike.
    const b =
      t.boundary !== undefined ? boundaryOutcome(t.boundary, "kms:Decrypt", key.arn, context) : undefined;
    if (b?.outcome !== undefined && b.outcome.unsupported === undefined && b.outcome.decision !== "Allow") {
      return [
        runCheck(
          C.kmsKeyAllowed,
          p,
          false,
          `the permissions boundary ${b.arn} does not allow kms:Decrypt (${b.outcome.reason}): no policy can grant past it`,
        ),
      ];
    }
    return [
      runCheck(
        C.kmsKeyAllowed,
        p,
        "skip",
        direct.decision === "Allow" && keyAccount === account
          ? `key policy: ${direct.reason}, unless the role's policies deny it: ${UNREAD}`
          : `${UNREAD}: needed to decide`,
      ),
    ];
  }
  const identity = bound(tryAccess(t.policies as PolicyDocument[], "kms:Decrypt", key.arn, context));
  for (const o of [direct, delegated, identity]) {
    if (o.decision === "ExplicitDeny" || o.unsupported !== undefined) {
      return [runCheck(C.kmsKeyAllowed, p, statusOf(o, false), detailOf(o))];
    }
  }
  const keyAllows = delegated.decision === "Allow";
  const ok =
    (direct.decision === "Allow" && keyAccount === account) || (keyAllows && identity.decision === "Allow");
  // A grant to the role itself (its ARN or everyone) is named as such, bounded or not; only a grant
  // through the account's statements is a delegation.
  const keyWords =
    direct.decision === "Allow" || unbounded.decision === "Allow"
      ? direct.reason
      : delegated.decision === "Allow"
        ? `delegates to account ${account} (${delegated.reason})`
        : "no statement allows the role or its account";
  const words = [`key policy: ${keyWords}`, `role's policies: ${identity.reason}`];
  return [runCheck(C.kmsKeyAllowed, p, ok, words.join("; "))];
}

/**
 * The key policy's grant to the role itself, through the role's boundary: a grant naming the role's
 * ARN is bounded by it (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html);
 * for a grant to every principal (`"*"`) AWS documents no rule, so a boundary that does not allow
 * kms:Decrypt leaves it undecided, as for an AWS managed key (an explicit deny in it still refuses).
 * `any` is the whole key policy's answer for the role without its account's statements.
 */
function directGrant(
  doc: PolicyDocument,
  any: Outcome,
  t: PermissionTarget,
  keyArn: string,
  context: Record<string, string>,
  bound: (o: Outcome) => Outcome,
): Outcome {
  const run = (d: PolicyDocument) => tryResourcePolicy(d, t.roleArn, "kms:Decrypt", keyArn, context, false);
  const clean = (o: Outcome | undefined) => o?.decision === "Allow" && o.unsupported === undefined;
  if (t.boundary === undefined || !clean(any)) return bound(any);
  const split = splitGrants(doc, t.roleArn);
  const bounded = split.byArn && bound(run(split.byArn));
  // A grant naming the role's ARN that the boundary lets through, or an explicit deny, decides.
  if (bounded !== undefined && (clean(bounded) || bounded.decision === "ExplicitDeny")) return bounded;
  const viaOthers = split.others && run(split.others);
  const b = boundaryOutcome(t.boundary, "kms:Decrypt", keyArn, context);
  if (viaOthers !== undefined && clean(viaOthers) && clean(b.outcome)) return viaOthers;
  if (b.outcome?.decision === "ExplicitDeny") return bound(any);
  // Without a grant to everyone that may stand, the grant naming the role (bounded) is the answer.
  if (viaOthers === undefined || (viaOthers.decision !== "Allow" && viaOthers.unsupported === undefined)) {
    return bounded ?? bound(any);
  }
  if (viaOthers.unsupported !== undefined) return viaOthers; // the grant to everyone is itself undecided
  const why = b.outcome !== undefined ? detailOf(b.outcome) : (b.unreadable ?? "not read");
  return {
    decision: "ImplicitDeny",
    reason: `${viaOthers.reason}, a grant to every principal; the permissions boundary ${b.arn} does not allow kms:Decrypt (${why})`,
    unsupported: `whether the permissions boundary ${b.arn} limits a key policy's grant to every principal (not documented)`,
  };
}
