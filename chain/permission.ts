/**
 * The permission-side checks that only live facts allow, for any mechanism: the listing on the
 * bucket, the bucket policy's explicit denies, the object's existence and its KMS key. Each runs only
 * when its fact is present. Policy constructs the evaluator cannot read give `warn`, naming the
 * statement, never a guess.
 */
import { roleArnParts } from "../components/arn";
import { describeValue } from "../components/errors";
import { type PolicyDocument } from "../components/policyDocument";
import { PERMISSION_CHECKS as C } from "./permissionCatalogue";
import { detailOf, parsePolicy, statusOf, tryAccess, tryAccessWithin, tryResourcePolicy } from "./evaluation";
import { explainIdentityPolicies } from "./explain";
import { partitionOf } from "./arns";
import { acrossVariants, permissionVariants, type VariantFacts } from "./liveContext";
import { runCheck, undecidedRead, type CheckResult } from "./result";
import { kmsCheck } from "./permissionKms";
import { UNKNOWN, requestContext, roleNames, type PermissionTarget } from "./permissionTarget";
import { type IrsaSnapshot, type PermissionLiveFacts } from "./snapshot";

/**
 * The checks that read the role's partition or account, when its ARN gives neither: each that would
 * run is not decided (warn), saying why.
 */
function unknownRoleChecks(facts: PermissionLiveFacts, t: PermissionTarget): CheckResult[] {
  const why = `the role's ARN ${t.roleArn} is no IAM role ARN, so its partition and account are unknown: not decided`;
  const p = { bucket: t.bucket, key: t.key };
  return [
    ...(facts.attachedPolicies !== undefined && t.policies !== undefined
      ? [runCheck(C.permissionList, p, "warn", why)]
      : []),
    ...(t.unavailable?.bucketPolicy === undefined && typeof facts.bucketPolicy === "string"
      ? [runCheck(C.bucketPolicyAllows, p, "warn", why)]
      : bucketPolicyCheck(facts, t)),
    ...objectCheck(facts, t),
    ...(facts.kmsKey !== undefined
      ? [runCheck(C.kmsKeyAllowed, { keyArn: facts.kmsKey.arn }, "warn", why)]
      : kmsCheck(facts, t)),
  ];
}

/** s3:ListBucket on exactly the bucket, by the role's identity policies (when they were all read). */
function listCheck(facts: PermissionLiveFacts, t: PermissionTarget): CheckResult[] {
  if (facts.attachedPolicies === undefined || t.policies === undefined) return [];
  const p = { bucket: t.bucket, key: t.key };
  const { partition } = roleNames(t.roleArn);
  if (t.policies.some((d) => d === undefined)) {
    return [
      runCheck(
        C.permissionList,
        p,
        "warn",
        "a policy of the role is not JSON or has a key twice: not decided",
      ),
    ];
  }
  const outcome = acrossVariants(t.variants ?? [UNKNOWN], (v) =>
    tryAccessWithin(
      t.policies as PolicyDocument[],
      t.boundary,
      "s3:ListBucket",
      `arn:${partition}:s3:::${t.bucket}`,
      v,
      { "s3:prefix": t.key },
    ),
  );
  return [
    runCheck(
      C.permissionList,
      p,
      statusOf(outcome, outcome.decision === "Allow"),
      `${detailOf(outcome)} (listing with s3:prefix=${t.key})`,
    ),
  ];
}

/** The bucket policy denies the role neither the object read nor the listing. */
function bucketPolicyCheck(facts: PermissionLiveFacts, t: PermissionTarget): CheckResult[] {
  const p = { bucket: t.bucket, key: t.key };
  if (t.unavailable?.bucketPolicy !== undefined) {
    return [runCheck(C.bucketPolicyAllows, p, "skip", t.unavailable.bucketPolicy)];
  }
  if (facts.bucketPolicy === undefined) return [];
  if (facts.bucketPolicy === null)
    return [runCheck(C.bucketPolicyAllows, p, true, "the bucket has no policy")];
  const doc = parsePolicy(facts.bucketPolicy);
  if (doc === undefined) {
    return [
      runCheck(
        C.bucketPolicyAllows,
        p,
        "warn",
        "the bucket policy is not JSON or has a key twice: not decided",
      ),
    ];
  }
  const { partition, account } = roleNames(t.roleArn);
  const bucketArn = `arn:${partition}:s3:::${t.bucket}`;
  const variants = t.variants ?? [UNKNOWN];
  const read = acrossVariants(variants, (v) =>
    tryResourcePolicy(
      doc,
      t.roleArn,
      "s3:GetObject",
      `${bucketArn}/${t.key}`,
      requestContext(t, account, v.context),
      true,
      v.keys,
    ),
  );
  const list = acrossVariants(variants, (v) =>
    tryResourcePolicy(
      doc,
      t.roleArn,
      "s3:ListBucket",
      bucketArn,
      requestContext(t, account, { ...v.context, "s3:prefix": t.key }),
      true,
      v.keys,
    ),
  );
  const worst = [read, list].find((o) => o.decision === "ExplicitDeny") ??
    [read, list].find((o) => o.unsupported !== undefined) ?? { ...read, reason: "no statement denies it" };
  return [
    runCheck(
      C.bucketPolicyAllows,
      p,
      statusOf(worst, true),
      `${detailOf(worst)} (evaluated for ${t.roleArn} over HTTPS, TLS 1.2)`,
    ),
  ];
}

/** The object exists. */
function objectCheck(facts: PermissionLiveFacts, t: PermissionTarget): CheckResult[] {
  if (t.unavailable?.object !== undefined) {
    return [runCheck(C.objectExists, { bucket: t.bucket, key: t.key }, "skip", t.unavailable.object)];
  }
  if (facts.object === undefined) return [];
  return [
    runCheck(C.objectExists, { bucket: t.bucket, key: t.key }, facts.object.exists, facts.object.detail),
  ];
}

/** The live permission checks, in order: listing, bucket policy, object, KMS key. */
export function permissionLiveChecks(facts: PermissionLiveFacts, target: PermissionTarget): CheckResult[] {
  if (roleArnParts(target.roleArn) === undefined) return unknownRoleChecks(facts, target);
  return [
    ...listCheck(facts, target),
    ...bucketPolicyCheck(facts, target),
    ...objectCheck(facts, target),
    ...kmsCheck(facts, target),
  ];
}

/**
 * What the live permission link reads from a snapshot of either mechanism: the role account B grants
 * (IRSA's role, Pod Identity's target role), its inline policies, the object, and the live facts.
 */
export type LivePermissionFacts = Pick<
  IrsaSnapshot,
  "unavailable" | "permissionPolicies" | "bucketName" | "objectKey" | "role"
> & { live?: PermissionLiveFacts } & Omit<VariantFacts, "live" | "role">;

/**
 * The permission link on live facts (both mechanisms): the role's inline and attached policies, the
 * bucket policy, the object and its key. `roleLink`: the link whose check says why the role could not
 * be read (IRSA's 3, Pod Identity's 4).
 */
export function livePermissionLink(s: LivePermissionFacts, roleLink = 3): CheckResult[] {
  const bucket = s.bucketName ?? "?";
  const key = s.objectKey ?? "?";
  const reader = `s3://${bucket}/${key}`;
  const unavailable = s.unavailable !== undefined ? { unavailable: s.unavailable } : {};
  if (s.role === undefined || s.unavailable?.permission !== undefined) {
    // The role's policies are unknown; the bucket side (its policy, the object, the key) is still checked.
    const why = s.unavailable?.permission ?? `the role could not be read (link ${roleLink})`;
    const roleArn = s.role?.arn ?? s.live?.roleArn;
    // A boundary read with the role still bounds what the bucket side's checks may grant.
    const boundary = s.role?.boundary !== undefined ? { boundary: s.role.boundary } : {};
    return [
      s.unavailable?.permission !== undefined
        ? undecidedRead(C.permissionRead, { live: true, reader }, why)
        : runCheck(C.permissionRead, { live: true, reader }, "skip", why),
      ...(s.live !== undefined && roleArn !== undefined
        ? permissionLiveChecks(s.live, { roleArn, bucket, key, ...unavailable, ...boundary })
        : []),
    ];
  }
  const json = [...Object.values(s.permissionPolicies), ...Object.values(s.live?.attachedPolicies ?? {})];
  const policies = json.map((j) => parsePolicy(j));
  // The object's ARN is in the role's partition: read from its ARN, never assumed.
  const partition = partitionOf(s.role.arn);
  const resource = `arn:${partition}:s3:::${bucket}/${key}`;
  const variants = permissionVariants(s);
  const boundary = s.role.boundary;
  const results: CheckResult[] = [];
  if (partition === undefined) {
    results.push(
      runCheck(
        C.permissionRead,
        { live: true, reader },
        "warn",
        `the role's ARN ${s.role.arn} is no IAM role ARN, so the object's partition is unknown: not decided`,
      ),
    );
  } else if (policies.some((d) => d === undefined)) {
    results.push(
      runCheck(
        C.permissionRead,
        { live: true, reader },
        "warn",
        "a policy of the role is not JSON or has a key twice: not decided",
      ),
    );
  } else {
    const docs = policies as PolicyDocument[];
    const outcome = acrossVariants(variants, (v) =>
      tryAccessWithin(docs, boundary, "s3:GetObject", resource, v),
    );
    const identityOnly = acrossVariants(variants, (v) =>
      tryAccess(docs, "s3:GetObject", resource, v.context, v.keys),
    );
    const names = [...Object.keys(s.permissionPolicies), ...Object.keys(s.live?.attachedPolicies ?? {})];
    const why =
      identityOnly.decision === "ImplicitDeny" && identityOnly.unsupported === undefined
        ? explainIdentityPolicies(
            names.map((n, i) => [n, docs[i]]),
            "s3:GetObject",
            resource,
            variants[0]?.context,
            variants[0]?.keys,
          )
        : outcome.reason;
    const bounded = boundary !== undefined ? `, boundary ${boundary.arn}` : "";
    results.push(
      runCheck(
        C.permissionRead,
        { live: true, reader },
        statusOf(outcome, outcome.decision === "Allow"),
        detailOf(
          outcome,
          `${why} (${json.length} polic${json.length === 1 ? "y" : "ies"}: inline ${describeValue(Object.keys(s.permissionPolicies))}, attached ${describeValue(Object.keys(s.live?.attachedPolicies ?? {}))}${bounded})`,
        ),
      ),
    );
  }
  results.push(
    ...permissionLiveChecks(s.live!, {
      roleArn: s.role.arn,
      bucket,
      key,
      policies,
      variants,
      ...(boundary !== undefined ? { boundary } : {}),
      ...unavailable,
    }),
  );
  return results;
}
