/**
 * The result of a check of a chain link, and the words of a failure. A failure always names its link
 * and carries the catalogue's fix.
 */
import { type Mechanism } from "../components/mechanism";
import { type CheckDefinition, type LinkId } from "./catalogueBase";

/** How a check came out. `warn`: could not be decided (the facts are unreadable, not wrong). */
export type CheckStatus = "pass" | "fail" | "warn" | "skip";

/** The outcome of one check of one link. */
export interface CheckResult {
  /** The link checked (catalogue id). */
  link: LinkId;
  /** What was checked, in words. */
  check: string;
  status: CheckStatus;
  /** What was compared, or why the check was skipped. */
  detail: string;
  /** How to repair it, for a failing (or undecided) check. */
  fix?: string;
}

/** A check result of a whole chain: with the mechanism whose chain (and link numbers) it is of. */
export interface ChainCheckResult extends CheckResult {
  mechanism: Mechanism;
}

/** Runs one catalogue check: its words from the catalogue, its status and detail from the caller. */
export function runCheck<P>(
  definition: CheckDefinition<P>,
  params: P,
  status: CheckStatus | boolean,
  detail: string,
): CheckResult {
  const s: CheckStatus = status === true ? "pass" : status === false ? "fail" : status;
  return {
    link: definition.link,
    check: definition.title(params),
    status: s,
    detail,
    ...(s === "fail" || s === "warn" ? { fix: definition.fix(params) } : {}),
  };
}

/** The AWS service of each read call the doctor makes whose failure leaves a check undecided. */
const READ_CALL_SERVICE: Record<string, string> = {
  DescribeCluster: "eks",
  GetRole: "iam",
  GetRolePolicy: "iam",
  ListRolePolicies: "iam",
  ListAttachedRolePolicies: "iam",
  GetPolicy: "iam",
  GetPolicyVersion: "iam",
  GetOpenIDConnectProvider: "iam",
};

/**
 * A check the doctor could not decide because AWS refused a read (`why`: "<Call> <target>: <AWS's
 * error>"): warn, with the fix of letting the doctor read, not the catalogue's fix for a broken link.
 */
export function undecidedRead<P>(definition: CheckDefinition<P>, params: P, why: string): CheckResult {
  const call = /^[A-Za-z]+/.exec(why)?.[0] ?? "";
  const service = READ_CALL_SERVICE[call];
  const action = service !== undefined ? `${service}:${call}` : "the read";
  return {
    ...runCheck(definition, params, "warn", why),
    fix: `let the doctor's credentials call ${action} (read-only), or run it with credentials that may; then run it again`,
  };
}

/** The failing checks. */
export function failures<R extends CheckResult>(results: readonly R[]): R[] {
  return results.filter((r) => r.status === "fail");
}
