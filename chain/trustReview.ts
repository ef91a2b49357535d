/**
 * The doctor as a reviewer of live trust policies: a trust AWS would honour for the workload can still
 * be broken, because it lets in more than the chain needs. Each review looks at the Allow statements
 * that admit the hop's principal and asks for the conditions this package's builders always write:
 *
 * - IRSA (`sts:AssumeRoleWithWebIdentity` from the cluster's OIDC provider): `<issuer>:aud` and
 *   `<issuer>:sub`, the `sub` values naming service accounts of literal namespaces (AWS: "Assign IAM
 *   roles to Kubernetes service accounts", https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html,
 *   which scopes the role with StringEquals on both).
 * - Pod Identity source role (`pods.eks.amazonaws.com`): `aws:RequestTag/eks-cluster-arn`, the session
 *   tag EKS sets on every assumption (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html,
 *   https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html); AWS documents no `aws:SourceArn`
 *   for Pod Identity, so that key is not taken for the cluster.
 * - Pod Identity target role: the source role by `aws:PrincipalArn` (or as the Principal itself), and
 *   the ServiceAccount by the `kubernetes-namespace` and `kubernetes-service-account` session tags, or
 *   by the `sts:ExternalId` EKS sets when session tags are off
 *   (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-assign-target-role.html).
 *
 * Whether the `sub` values (or tags) stay within named service accounts is {@link subjectScope}'s
 * rule, the one buildTrustPolicy refuses by at build time: a pattern that can match more than one
 * namespace fails; one that covers a whole namespace (what `trustWholeNamespaces` builds on purpose)
 * warns. Fail closed: a condition under `...IfExists` or `ForAllValues:` (true when the key is absent)
 * does not count as a restriction, and an Allow with `NotPrincipal` or `NotAction` is reviewed as
 * admitting the principal. A Deny that narrows an Allow is not credited. Pure.
 */
import { roleArnParts } from "../components/arn";
import {
  WILDCARD,
  glob,
  grants,
  loose,
  nameOf,
  narrowest,
  principals,
  statementsOf,
  type Json,
} from "./trustStatements";
import { POD_IDENTITY_TAGS } from "../components/podIdentityPolicies";
import { SUBJECT_PREFIX, subjectOf, subjectScope, wholeNamespaceWords } from "../components/nameCoverage";

/** The review of one trust: its status, what was found, and the conditions to add (for the fix). */
export interface TrustReview {
  status: "pass" | "warn" | "fail";
  detail: string;
  /** What to change, one entry per problem (empty when it passes). */
  fixes: string[];
}

/** What the subjects of one statement reach, as a finding (undefined: named service accounts only). */
function scopeFinding(
  where: string,
  refs: Array<{ namespace: string; name: string }>,
  nsLike: boolean,
  nameLike: boolean,
  exact: string,
): { status: "warn" | "fail"; problem: string; fix: string } | undefined {
  const spanning = subjectScope(
    refs.map((r) => ({ namespace: r.namespace, name: "x" })),
    nsLike,
  ).spanning.map((s) => s.slice(SUBJECT_PREFIX.length, -":x".length));
  if (spanning.length > 0) {
    return {
      status: "fail",
      problem: `${where}: the namespace pattern ${spanning.join(", ")} can match more than one namespace`,
      fix: `name the namespace literally: ${exact}`,
    };
  }
  const whole = subjectScope(
    refs.filter((r) => !WILDCARD.test(r.namespace)),
    nameLike,
  ).whole;
  if (whole.length > 0) {
    return {
      status: "warn",
      problem: `${where}: the patterns ${whole.map((w) => wholeNamespaceWords(w.namespace, w.coverage)).join("; ")} (a whole-namespace grant, as trustWholeNamespaces builds it on purpose)`,
      fix: `if the whole namespace is not meant, name the service accounts: ${exact}`,
    };
  }
  return undefined;
}

/** The review's result from the statements' problems. */
function verdict(
  findings: Array<{ status: "warn" | "fail"; problem: string; fix: string }>,
  reviewed: number,
  passWords: string,
): TrustReview {
  if (findings.length === 0) {
    return { status: "pass", detail: `${reviewed} statement(s) reviewed: ${passWords}`, fixes: [] };
  }
  return {
    status: findings.some((f) => f.status === "fail") ? "fail" : "warn",
    detail: findings.map((f) => f.problem).join("; "),
    fixes: [...new Set(findings.map((f) => f.fix))],
  };
}

/**
 * IRSA: every Allow of `sts:AssumeRoleWithWebIdentity` to the provider requires `<issuer>:aud` and
 * names its service accounts by `<issuer>:sub`. `subject` is the ServiceAccount the chain is checked
 * for (the fix's example). Undefined when no statement admits the provider (the principal check says so).
 */
export function reviewIrsaTrust(
  doc: unknown,
  providerArn: string,
  subject: { namespace: string; name: string },
  audience: string,
): TrustReview | undefined {
  const hostPath = providerArn.split(":oidc-provider/")[1] ?? "<issuer>";
  const exactSub = `StringEquals ${hostPath}:sub = ${SUBJECT_PREFIX}${subject.namespace}:${subject.name}`;
  const statements = statementsOf(doc)
    .map((s, i) => ({ s, where: `statement ${nameOf(s, i)}` }))
    .filter(
      ({ s }) =>
        grants(s, "sts:AssumeRoleWithWebIdentity") &&
        principals(s, "Federated").some((p) => p === "*" || p === providerArn),
    );
  if (statements.length === 0) return undefined;
  const findings: Array<{ status: "warn" | "fail"; problem: string; fix: string }> = [];
  for (const { s, where } of statements) {
    if (narrowest(s, `${hostPath}:aud`) === undefined) {
      findings.push({
        status: "fail",
        problem: `${where} has no ${hostPath}:aud condition (any audience's token is accepted)`,
        fix: `add the condition StringEquals ${hostPath}:aud = ${audience}`,
      });
    }
    const sub = narrowest(s, `${hostPath}:sub`);
    if (sub === undefined) {
      findings.push({
        status: "fail",
        problem: `${where} has no ${hostPath}:sub condition (every service account of the cluster may assume the role)`,
        fix: `add the condition ${exactSub}`,
      });
      continue;
    }
    const variables = sub.values.filter((v) => v.includes("${"));
    if (variables.length > 0) {
      findings.push({
        status: "fail",
        problem: `${where}: the ${sub.operator} ${hostPath}:sub value ${variables.join(", ")} holds a policy variable, which AWS fills in from the request (not shown to name a service account)`,
        fix: `replace it by exact subjects with a literal namespace: ${exactSub}`,
      });
      continue;
    }
    const spanning = subjectScope(sub.values, sub.like).spanning;
    if (spanning.length > 0) {
      findings.push({
        status: "fail",
        problem:
          `${where}: the ${sub.operator} ${hostPath}:sub pattern ${spanning.join(", ")} can match service accounts of more ` +
          `than one namespace` +
          (spanning.some((v) => subjectOf(v) === undefined)
            ? ` (a pattern not of the form ${SUBJECT_PREFIX}<namespace>:<name> is not shown to stay within one)`
            : ""),
        fix: `replace it by exact subjects with a literal namespace: ${exactSub}`,
      });
      continue;
    }
    const refs = sub.values.flatMap((v) => {
      const i = v.startsWith(SUBJECT_PREFIX) ? v.indexOf(":", SUBJECT_PREFIX.length) : -1;
      return i < 0 ? [] : [{ namespace: v.slice(SUBJECT_PREFIX.length, i), name: v.slice(i + 1) }];
    });
    const finding = scopeFinding(`${where} (${hostPath}:sub)`, refs, sub.like, sub.like, exactSub);
    if (finding) findings.push(finding);
  }
  return verdict(
    findings,
    statements.length,
    `each requires ${hostPath}:aud and names its service accounts by ${hostPath}:sub`,
  );
}

/**
 * Pod Identity, account A: every Allow of `sts:AssumeRole` to pods.eks.amazonaws.com requires the
 * cluster's `aws:RequestTag/eks-cluster-arn` (exactly). Undefined when no statement admits the service.
 */
export function reviewSourceTrust(
  doc: unknown,
  service: string,
  clusterArn: string,
): TrustReview | undefined {
  const key = POD_IDENTITY_TAGS.clusterArn;
  const statements = statementsOf(doc)
    .map((s, i) => ({ s, where: `statement ${nameOf(s, i)}` }))
    .filter(
      ({ s }) =>
        grants(s, "sts:AssumeRole") && principals(s, "Service").some((p) => p === "*" || p === service),
    );
  if (statements.length === 0) return undefined;
  const findings: Array<{ status: "warn" | "fail"; problem: string; fix: string }> = [];
  // A spelling in another case names no other cluster (EKS sets the tag as the cluster's ARN).
  const sameCluster = (v: string) => v.toLowerCase() === clusterArn.toLowerCase();
  for (const { s, where } of statements) {
    const c = narrowest(s, key);
    const fix = `add the condition StringEquals ${key} = ${clusterArn}`;
    if (c === undefined) {
      findings.push({
        status: "fail",
        problem: `${where} has no ${key} condition (the association of any cluster in the account may use the role)`,
        fix,
      });
    } else if (loose(c).length > 0) {
      findings.push({
        status: "fail",
        problem: `${where}: the ${c.operator} ${key} pattern ${loose(c).join(", ")} can match other clusters`,
        fix,
      });
    } else if (c.values.some(sameCluster) && !c.values.every(sameCluster)) {
      // Other exact cluster ARNs: their associations may use the role too.
      findings.push({
        status: "warn",
        problem: `${where} also admits cluster ${c.values.filter((v) => !sameCluster(v)).join(", ")} beside ${clusterArn}`,
        fix: `${fix} alone (give another cluster's associations their own source role or statement)`,
      });
    }
  }
  return verdict(findings, statements.length, `each requires ${key}`);
}

/** Whether a principal entry names one role exactly (not an account, its root, or a pattern). */
const exactRole = (p: string) => roleArnParts(p) !== undefined && !WILDCARD.test(p);

/**
 * Pod Identity, account B: every Allow of `sts:AssumeRole` that admits the source role names it (as
 * the Principal or by `aws:PrincipalArn`) and names the ServiceAccount (the namespace and
 * service-account session tags, or `sts:ExternalId`). Undefined when no statement admits it.
 */
export function reviewTargetTrust(
  doc: unknown,
  sourceRoleArn: string,
  subject: { namespace: string; name: string },
): TrustReview | undefined {
  const account = roleArnParts(sourceRoleArn)?.account;
  // Role names are not distinguished by case: a spelling in another case is the source role.
  const isSource = (p: string) => p.toLowerCase() === sourceRoleArn.toLowerCase();
  const admits = (p: string) =>
    p === "*" ||
    isSource(p) ||
    (account !== undefined && (p === account || p.endsWith(`:iam::${account}:root`))) ||
    (WILDCARD.test(p) && glob(p).test(sourceRoleArn));
  /** The exact aws:PrincipalArn values a statement requires (one of them), when it requires some. */
  const exactArns = (s: Json) => {
    const c = narrowest(s, "aws:PrincipalArn");
    return c !== undefined && loose(c).length === 0 && !c.values.some((v) => WILDCARD.test(v))
      ? c.values
      : undefined;
  };
  const statements = statementsOf(doc)
    .map((s, i) => ({ s, where: `statement ${nameOf(s, i)}` }))
    .filter(({ s }) => grants(s, "sts:AssumeRole") && principals(s, "AWS").some(admits))
    // A statement that requires another role's ARN is that role's (AWS asks for one statement per
    // role), not this chain's: it cannot admit the source role.
    .filter(({ s }) => exactArns(s)?.some(isSource) !== false);
  if (statements.length === 0) return undefined;
  const nsKey = POD_IDENTITY_TAGS.namespace;
  const saKey = POD_IDENTITY_TAGS.serviceAccount;
  const exact = `StringEquals ${nsKey} = ${subject.namespace} and ${saKey} = ${subject.name}`;
  const findings: Array<{ status: "warn" | "fail"; problem: string; fix: string }> = [];
  for (const { s, where } of statements) {
    const principalArn = narrowest(s, "aws:PrincipalArn");
    const listed = principals(s, "AWS");
    const named = listed.every(exactRole);
    // Other roles the statement admits beside the source role (named as principals, within its exact
    // aws:PrincipalArn values if it has some, or as those values) may assume the role too: AWS asks
    // for one statement per role that uses a target role
    // (https://docs.aws.amazon.com/eks/latest/APIReference/API_PodIdentityAssociation.html, externalId).
    const arns = exactArns(s);
    const admitted = named
      ? listed.filter((p) => arns === undefined || arns.some((v) => v.toLowerCase() === p.toLowerCase()))
      : (arns ?? []);
    const others = admitted.filter((p) => !isSource(p));
    if (others.length > 0) {
      findings.push({
        status: "warn",
        problem: `${where} also admits ${[...new Set(others)].join(", ")} beside the source role`,
        fix: `admit only ${sourceRoleArn} in this statement (give any other role its own statement)`,
      });
    }
    if (!named && (principalArn === undefined || loose(principalArn).length > 0)) {
      findings.push({
        status: "fail",
        problem:
          principalArn === undefined
            ? `${where} admits ${listed.filter((p) => !exactRole(p)).join(", ")} without an aws:PrincipalArn condition (any role ${listed.every((p) => p === account || p.endsWith(`:iam::${account}:root`)) ? "of that account" : "they stand for"} may assume it)`
            : `${where}: the ${principalArn.operator} aws:PrincipalArn pattern ${loose(principalArn).join(", ")} can match roles other than the source role`,
        fix: `add the condition ArnEquals aws:PrincipalArn = ${sourceRoleArn}`,
      });
    }
    const ns = narrowest(s, nsKey);
    const sa = narrowest(s, saKey);
    if (ns === undefined || sa === undefined) {
      if (narrowest(s, "sts:ExternalId") !== undefined) continue;
      const missing = [ns === undefined ? nsKey : "", sa === undefined ? saKey : ""].filter((k) => k !== "");
      findings.push({
        status: "fail",
        problem: `${where} has no ${missing.join(" and no ")} condition (any ServiceAccount whose association names the source role may assume it)`,
        fix: `add the condition ${exact}`,
      });
      continue;
    }
    const variables = [...ns.values, ...sa.values].filter((v) => v.includes("${"));
    if (variables.length > 0) {
      findings.push({
        status: "fail",
        problem: `${where}: the session-tag value ${variables.join(", ")} holds a policy variable, which AWS fills in from the request (not shown to name the ServiceAccount)`,
        fix: `add the condition ${exact}`,
      });
      continue;
    }
    const refs = ns.values
      .filter((n) => ns.like || !WILDCARD.test(n))
      .flatMap((namespace) => sa.values.map((name) => ({ namespace, name })));
    const finding = scopeFinding(`${where} (session tags)`, refs, ns.like, sa.like, exact);
    if (finding) findings.push(finding);
  }
  return verdict(
    findings,
    statements.length,
    "each names the source role and the ServiceAccount's namespace and name",
  );
}
