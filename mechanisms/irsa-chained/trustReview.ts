/**
 * The structure reviews of the IRSA-chained trusts on live state: a trust AWS honours for the chain can
 * still let in more than the chain needs. Unlike a sample of near misses, these look at every Allow
 * statement (any action, any principal type), and fail closed: a statement of a shape they do not
 * understand is a finding, never a pass.
 *
 * - Target trust (account B): every Allow admits only the source role, as its exact ARN in
 *   `Principal.AWS`, or as account A (its root or id) with `ArnEquals`/`StringEquals aws:PrincipalArn`
 *   = the exact source ARN (the policy buildChainedTargetTrustPolicy writes). Naming an account as the
 *   principal delegates to every principal of that account its policies allow
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
 * - Source trust (account A): every Allow names account A's OIDC provider as its only principal
 *   (`Principal.Federated`); `Principal: "*"`, `NotPrincipal`, AWS or Service principals fail.
 *
 * A Deny statement only narrows, so it is not reviewed (and not credited). Pure.
 */
import { roleArnParts, tryParseArn } from "../../components/arn";
import { isRecord } from "../../components/values";
import { type TrustReview } from "../../chain/trustReview";

type Json = Record<string, unknown>;
type Finding = { status: "warn" | "fail"; problem: string; fix: string };

/** The statements of a document (a list or one object); a non-object entry stays, to be reported. */
function statementsOf(doc: unknown): unknown[] {
  const s = isRecord(doc) ? doc.Statement : undefined;
  return Array.isArray(s) ? s : s === undefined ? [] : [s];
}

/** A statement's name in messages: its Sid, else its index. */
function nameOf(statement: Json, index: number): string {
  return typeof statement.Sid === "string" && statement.Sid !== "" ? statement.Sid : `#${index}`;
}

/** A string or a list of strings as a list; undefined for anything else (a shape not understood). */
function stringList(v: unknown): string[] | undefined {
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v;
  return undefined;
}

/**
 * The Allow statements of a document with their names, and findings for the statements not understood
 * (not an object, an Effect other than Allow or Deny).
 */
function allowStatements(doc: unknown, findings: Finding[]): Array<{ s: Json; where: string }> {
  const out: Array<{ s: Json; where: string }> = [];
  statementsOf(doc).forEach((s, i) => {
    if (!isRecord(s) || (s.Effect !== "Allow" && s.Effect !== "Deny")) {
      findings.push({
        status: "fail",
        problem: `statement #${i} is not understood (not an object with Effect Allow or Deny)`,
        fix: `remove statement #${i} or rewrite it as an Allow or Deny statement`,
      });
      return;
    }
    if (s.Effect === "Allow") out.push({ s, where: `statement ${nameOf(s, i)}` });
  });
  return out;
}

/** The principal-level problem of an Allow statement every review shares (undefined: the Principal is an object). */
function principalShape(s: Json, where: string): Finding | undefined {
  if (s.NotPrincipal !== undefined)
    return {
      status: "fail",
      problem: `${where} allows with NotPrincipal (every principal but the named ones)`,
      fix: `remove ${where} (NotPrincipal with Allow)`,
    };
  if (s.Principal === "*")
    return {
      status: "fail",
      problem: `${where} allows Principal "*" (any principal of any account)`,
      fix: `remove ${where} (Principal "*")`,
    };
  if (!isRecord(s.Principal))
    return {
      status: "fail",
      problem: `${where} has no Principal this review understands`,
      fix: `remove ${where} or name its principal`,
    };
  return undefined;
}

/** The review's result from the findings. */
function verdict(findings: Finding[], reviewed: number, passWords: string): TrustReview {
  if (findings.length === 0)
    return { status: "pass", detail: `${reviewed} Allow statement(s) reviewed: ${passWords}`, fixes: [] };
  return {
    status: findings.some((f) => f.status === "fail") ? "fail" : "warn",
    detail: findings.map((f) => f.problem).join("; "),
    fixes: [...new Set(findings.map((f) => f.fix))],
  };
}

/** Whether a statement requires `aws:PrincipalArn` to be exactly `arn` (ArnEquals or StringEquals, no IfExists). */
function requiresPrincipalArn(s: Json, arn: string): boolean {
  const block = s.Condition;
  if (!isRecord(block)) return false;
  return Object.entries(block).some(
    ([operator, entries]) =>
      (operator === "ArnEquals" || operator === "StringEquals") &&
      isRecord(entries) &&
      Object.entries(entries).some(([k, v]) => {
        const values = stringList(v);
        return (
          k.toLowerCase() === "aws:principalarn" &&
          values !== undefined &&
          values.length > 0 &&
          values.every((x) => x === arn)
        );
      }),
  );
}

/**
 * The target role's trust: every Allow statement admits only the source role (its exact ARN as the
 * principal, or account A's root or id with aws:PrincipalArn = that ARN exactly).
 */
export function reviewChainedTargetTrust(doc: unknown, sourceRoleArn: string): TrustReview {
  const account = roleArnParts(sourceRoleArn)?.account;
  const isAccountA = (p: string) => {
    if (account === undefined) return false;
    if (p === account) return true;
    const arn = tryParseArn(p);
    return arn?.service === "iam" && arn.region === "" && arn.account === account && arn.resource === "root";
  };
  const condition = `ArnEquals aws:PrincipalArn = ${sourceRoleArn}`;
  const findings: Finding[] = [];
  const statements = allowStatements(doc, findings);
  for (const { s, where } of statements) {
    const shape = principalShape(s, where);
    if (shape) {
      findings.push(shape);
      continue;
    }
    const principal = s.Principal as Json;
    for (const kind of Object.keys(principal).filter((k) => k !== "AWS")) {
      findings.push({
        status: "fail",
        problem: `${where} admits ${kind} principals ${JSON.stringify(principal[kind])}`,
        fix: `remove the ${kind} principal of ${where}: only the source role may assume the target role`,
      });
    }
    if (principal.AWS === undefined) continue;
    const aws = stringList(principal.AWS);
    if (aws === undefined) {
      findings.push({
        status: "fail",
        problem: `${where}'s Principal.AWS is not a string or a list of strings`,
        fix: `remove ${where} or name the source role ${sourceRoleArn} as its principal`,
      });
      continue;
    }
    const others = aws.filter((p) => p !== sourceRoleArn && !isAccountA(p));
    if (others.length > 0) {
      findings.push({
        status: "fail",
        problem: `${where} admits ${others.join(", ")}, not the source role`,
        fix: `remove ${others.join(", ")} from ${where}`,
      });
    }
    if (aws.some(isAccountA) && !requiresPrincipalArn(s, sourceRoleArn)) {
      findings.push({
        status: "fail",
        problem: `${where} admits account ${account}'s principals without ${condition} (any principal of that account its policies allow may assume it)`,
        fix: `add the condition ${condition} to ${where}`,
      });
    }
  }
  if (statements.length === 0 && findings.length === 0)
    findings.push({
      status: "fail",
      problem: "no Allow statement admits the source role",
      fix: `allow account A's root with the condition ${condition}`,
    });
  return verdict(findings, statements.length, "each admits only the source role");
}

/**
 * The source role's trust: every Allow statement names account A's OIDC provider as its only
 * principal (Federated). The conditions on the provider's tokens are reviewIrsaTrust's.
 */
export function reviewChainedSourceTrust(doc: unknown, providerArn: string): TrustReview {
  const findings: Finding[] = [];
  const statements = allowStatements(doc, findings);
  for (const { s, where } of statements) {
    const shape = principalShape(s, where);
    if (shape) {
      findings.push(shape);
      continue;
    }
    const principal = s.Principal as Json;
    for (const kind of Object.keys(principal).filter((k) => k !== "Federated")) {
      findings.push({
        status: "fail",
        problem: `${where} admits ${kind} principals ${JSON.stringify(principal[kind])}`,
        fix: `remove the ${kind} principal of ${where}: only ${providerArn}'s tokens may assume the source role`,
      });
    }
    const federated = principal.Federated === undefined ? [] : stringList(principal.Federated);
    const others = federated === undefined ? ["(not a string)"] : federated.filter((f) => f !== providerArn);
    if (others.length > 0) {
      findings.push({
        status: "fail",
        problem: `${where} admits Federated ${others.join(", ")}, not account A's provider`,
        fix: `remove Federated ${others.join(", ")} from ${where}`,
      });
    }
  }
  return verdict(findings, statements.length, `each admits only ${providerArn}`);
}

/** The STS actions that assume a role (what a statement on the source role must not grant beyond the target). */
const ASSUME_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"];

/** Whether an IAM action pattern (`*`, `?`, case-insensitive) matches an action. */
function actionMatches(pattern: string, action: string): boolean {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "i").test(action);
}

/**
 * The source role's permission policies: every Allow that grants an sts:AssumeRole* action names only
 * the target role's ARN as its Resource (no wildcard, no other role, no NotResource). A statement of a
 * shape not understood fails.
 */
export function reviewChainedSourcePermission(docs: unknown[], targetRoleArn: string): TrustReview {
  const findings: Finding[] = [];
  let reviewed = 0;
  docs.forEach((doc, d) => {
    const where = (w: string) => (docs.length > 1 ? `policy #${d} ${w}` : w);
    for (const { s, where: w } of allowStatements(doc, findings)) {
      const at = where(w);
      const actions = stringList(s.Action ?? s.NotAction);
      if (actions === undefined) {
        findings.push({
          status: "fail",
          problem: `${at} has no Action this review understands`,
          fix: `remove ${at}`,
        });
        continue;
      }
      const grants = ASSUME_ACTIONS.filter((a) =>
        s.NotAction !== undefined
          ? !actions.some((p) => actionMatches(p, a))
          : actions.some((p) => actionMatches(p, a)),
      );
      if (grants.length === 0) continue;
      reviewed++;
      const resources = s.NotResource !== undefined ? undefined : stringList(s.Resource);
      const others =
        resources === undefined
          ? ["(NotResource or no Resource)"]
          : resources.filter((r) => r !== targetRoleArn);
      if (others.length > 0) {
        findings.push({
          status: "fail",
          problem: `${at} allows ${grants.join(", ")} on ${others.join(", ")}, not only the target role`,
          fix: `narrow ${at}'s Resource to ${targetRoleArn} (remove ${others.join(", ")})`,
        });
      }
    }
  });
  return verdict(findings, reviewed, `each allows assuming only ${targetRoleArn}`);
}
