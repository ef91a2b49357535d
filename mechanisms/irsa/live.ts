/**
 * The IRSA links as the doctor checks them on live facts (`snapshot.live`): the live words, and the
 * checks only live facts allow (the issuer's discovery document and JWKS, the provider's thumbprints,
 * the pods' injected environment, the end-to-end test's steps). Each runs only when its fact is in the
 * snapshot; words and fixes come from the catalogue, and the shared checks are irsa.ts's (the live
 * permission link, shared with Pod Identity, is permission.ts's).
 */
import { evaluateTrust } from "../../components/evaluate";
import { describeValue } from "../../components/errors";
import { type PolicyDocument } from "../../components/policyDocument";
import { ROLE_ARN_ANNOTATION } from "../../components/serviceAccountAnnotations";
import { type LinkId } from "../../chain/catalogueBase";
import { IRSA_CHECKS as C } from "./catalogue";
import { check } from "../../chain/catalogueBase";
import { detailOf, statusOf, tryTrust } from "../../chain/evaluation";
import { explainDecision } from "../../chain/explain";
import { IRSA_ENV, checkPods } from "../../chain/livePods";
import { credentialPathOf, credentialPathProblems } from "../../components/credentialPath";
import { tryNormalize } from "../../chain/oidcProvider";
import { audienceOf, expectedProviderArn } from "./facts";
import { runCheck, undecidedRead, type CheckResult } from "../../chain/result";
import { type AssumeStep, type IrsaSnapshot, type TokenFacts } from "../../chain/snapshot";

/** Host names of EKS issuers, whose certificates IAM checks with its own trusted root CAs. */
const EKS_ISSUER_HOST = /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** Problems of a token from the TokenRequest API against the issuer and its JWKS. */
function tokenProblems(token: TokenFacts, issuerUrl: string, keyIds: string[]): string[] {
  const problems: string[] = [];
  if (token.issuer !== issuerUrl) {
    problems.push(`the token's iss is ${describeValue(token.issuer)}, not the cluster's issuer ${issuerUrl}`);
  }
  if (token.keyId === undefined || !keyIds.includes(token.keyId)) {
    problems.push(`the token's kid ${describeValue(token.keyId)} is not in the JWKS`);
  } else if (token.signatureVerified === false) {
    problems.push(`the token's signature does not verify: ${token.verifyError ?? "no reason given"}`);
  }
  return problems;
}

/** Link 1, live: the discovery document and the JWKS are there and agree with the cluster's issuer. */
export function discoveryCheck(s: IrsaSnapshot, issuerUrl: string): CheckResult[] {
  const d = s.live?.discovery;
  if (d === undefined) return [];
  const p = { issuer: issuerUrl };
  if (d.error) {
    return [
      runCheck(
        C.issuerDiscovery,
        { ...p, noRoute: d.error.noRoute },
        d.error.noRoute ? "warn" : false,
        `${d.url}: ${d.error.message}`,
      ),
    ];
  }
  const doc = d.document ?? {};
  if (doc.issuer !== issuerUrl) {
    return [
      runCheck(
        C.issuerDiscovery,
        p,
        false,
        `the discovery document's issuer is ${describeValue(doc.issuer)}, the cluster's is ${issuerUrl}`,
      ),
    ];
  }
  if (doc.jwksUri === undefined) {
    return [runCheck(C.issuerDiscovery, p, false, "the discovery document has no jwks_uri")];
  }
  if (d.jwksError) {
    return [
      runCheck(
        C.issuerDiscovery,
        { ...p, noRoute: d.jwksError.noRoute },
        d.jwksError.noRoute ? "warn" : false,
        `${doc.jwksUri}: ${d.jwksError.message}`,
      ),
    ];
  }
  const keyIds = d.jwksKeyIds ?? [];
  if (keyIds.length === 0) {
    return [runCheck(C.issuerDiscovery, p, false, `the JWKS at ${doc.jwksUri} has no keys`)];
  }
  const token = s.live?.token;
  const problems = token ? tokenProblems(token, issuerUrl, keyIds) : [];
  const keys = `JWKS ${doc.jwksUri} has ${keyIds.length} key(s) (${keyIds.join(", ")})`;
  return [
    runCheck(
      C.issuerDiscovery,
      p,
      problems.length === 0,
      problems.length > 0
        ? problems.join("; ")
        : `issuer ${doc.issuer}; ${keys}` +
            (token ? "; the TokenRequest token's issuer, key id and signature match" : ""),
    ),
  ];
}

/** Link 2, live: STS can verify the issuer's certificate (thumbprints, where IAM still uses them). */
export function thumbprintCheck(s: IrsaSnapshot, issuerHostPath: string): CheckResult[] {
  const thumbprints = s.provider?.thumbprints;
  if (thumbprints === undefined) return [];
  const host = issuerHostPath.split("/")[0];
  const listed = `thumbprints ${describeValue(thumbprints)}`;
  if (EKS_ISSUER_HOST.test(host)) {
    return [
      runCheck(
        C.providerThumbprint,
        {},
        true,
        `${host} is an EKS issuer: IAM verifies its certificate with its library of trusted root CAs (${listed} not used)`,
      ),
    ];
  }
  const chain = s.live?.discovery?.certificates;
  if (chain === undefined) {
    return [
      runCheck(C.providerThumbprint, {}, "skip", `the JWKS host's certificates were not read; ${listed}`),
    ];
  }
  const lower = thumbprints.map((t) => t.toLowerCase());
  const match = chain.thumbprints.find((t) => lower.includes(t));
  if (match !== undefined) {
    return [runCheck(C.providerThumbprint, {}, true, `thumbprint ${match} is in the JWKS host's chain`)];
  }
  if (chain.publicRoot) {
    return [
      runCheck(
        C.providerThumbprint,
        {},
        true,
        `a publicly trusted root CA signs the JWKS host's certificate, which IAM verifies with its trusted CAs (${listed} not used)`,
      ),
    ];
  }
  return [
    runCheck(
      C.providerThumbprint,
      {},
      false,
      `a private CA signs the JWKS host's certificate and none of the provider's ${listed} is in its chain ` +
        `${describeValue(chain.thumbprints)}`,
    ),
  ];
}

/** Link 4, live: the pods that run as the ServiceAccount got the webhook's environment for the role. */
export function podsCheck(s: IrsaSnapshot): CheckResult[] {
  const roleArn = s.role?.arn;
  return checkPods(C.podsInjected, s.serviceAccount, s.live?.pods, (where, env) => {
    const missing = IRSA_ENV.filter((k) => env[k] === undefined);
    if (missing.length > 0) {
      return [`${where}: no ${missing.join(", ")} (started before the annotation, or the webhook missed it)`];
    }
    if (roleArn !== undefined && env.AWS_ROLE_ARN !== roleArn) {
      return [
        `${where}: AWS_ROLE_ARN ${env.AWS_ROLE_ARN} is not the role (started before the annotation changed)`,
      ];
    }
    // Set, but not used: static keys or a profile an SDK reads before the web identity.
    return credentialPathProblems(credentialPathOf(env), "web-identity").map((p) => `${where}: ${p}`);
  });
}

/** A result moved to the link a failure points to. */
function pointed(result: CheckResult, step: AssumeStep): CheckResult {
  const link: LinkId | undefined = step.ok ? undefined : step.pointsTo;
  return link === undefined ? result : { ...result, link };
}

/** The end-to-end test's steps (`--assume`): each one that ran, with the link a failure points to. */
export function assumeChecks(s: IrsaSnapshot): CheckResult[] {
  const steps = s.live?.assume;
  const sa = s.serviceAccount;
  if (steps === undefined) return [];
  const audience = audienceOf(s);
  const results: CheckResult[] = [];
  for (const step of steps) {
    const status = step.ok;
    if (step.step === "token") {
      const p = { namespace: sa?.namespace ?? "?", name: sa?.name ?? "?", audience };
      results.push(pointed(runCheck(C.assumeToken, p, status, step.detail), step));
    } else if (step.step === "sts") {
      const p = { roleArn: s.role?.arn ?? "the role", ...(step.advice ? { advice: step.advice } : {}) };
      results.push(pointed(runCheck(C.assumeWebIdentity, p, status, step.detail), step));
    } else {
      const p = {
        bucket: s.bucketName ?? "?",
        key: s.objectKey ?? "?",
        ...(step.advice ? { advice: step.advice } : {}),
      };
      results.push(pointed(runCheck(C.assumeRead, p, status, step.detail), step));
    }
  }
  return results;
}

/** Link 2, live: the role's account has a provider for the cluster's issuer, with the ServiceAccount's audience. */
export function liveProviderLink(s: IrsaSnapshot, issuer: string | undefined): CheckResult[] {
  const live = s.live!;
  const words = {
    live: true,
    roleAccount: live.roleAccountId,
    issuer: s.issuerUrl,
    ...(live.providerInClusterAccount !== undefined
      ? { inClusterAccount: live.providerInClusterAccount }
      : {}),
  };
  if (issuer === undefined) {
    return [runCheck(C.providerForIssuer, words, "skip", "the cluster's issuer is unknown (link 1)")];
  }
  if (live.providerError !== undefined) {
    return [undecidedRead(C.providerForIssuer, words, live.providerError)];
  }
  const provider = s.provider;
  const found = provider !== undefined && tryNormalize(provider.url) === issuer;
  const detail = found
    ? `provider ${provider.arn}`
    : `account ${live.roleAccountId} has no provider ${expectedProviderArn(s, issuer) ?? `for ${issuer} (the role's partition is unknown)`}` +
      (live.providerInClusterAccount !== undefined
        ? `; the cluster's account has ${live.providerInClusterAccount}, which STS does not use for a role in ${live.roleAccountId}`
        : "");
  const results = [runCheck(C.providerForIssuer, words, found, detail)];
  if (found && provider.clientIds !== undefined) {
    const audience = audienceOf(s);
    results.push(
      runCheck(
        C.providerClientId,
        { live: true, audience },
        provider.clientIds.includes(audience),
        `client ids ${describeValue(provider.clientIds)}; the ServiceAccount's tokens carry aud ${audience}`,
      ),
    );
  }
  if (found) results.push(...thumbprintCheck(s, issuer));
  return results;
}

/** Link 3, live: the trust policy, evaluated for the ServiceAccount's real subject and audience. */
export function liveTrustSubjects(
  s: IrsaSnapshot,
  trustDoc: PolicyDocument,
  providerArn: string,
): CheckResult[] {
  const audience = audienceOf(s);
  return s.trusted.map((sa) => {
    const sub = `system:serviceaccount:${sa.namespace}:${sa.name}`;
    const outcome = tryTrust(trustDoc, providerArn, sub, audience);
    const explained =
      outcome.decision === "Allow" || outcome.unsupported !== undefined
        ? outcome.reason
        : explainDecision(trustDoc, {
            evaluate: (doc) => evaluateTrust(doc, { oidcProviderArn: providerArn, sub, aud: audience }),
            principal: { Federated: providerArn },
            context: {
              [`${providerArn.split(":oidc-provider/")[1]}:sub`]: sub,
              [`${providerArn.split(":oidc-provider/")[1]}:aud`]: audience,
            },
          });
    return runCheck(
      C.trustSubject,
      { live: true, ...sa, audience },
      statusOf(outcome, outcome.decision === "Allow"),
      detailOf(outcome, `sub ${sub}, aud ${audience}, provider ${providerArn}: ${explained}`),
    );
  });
}

/** Link 4, live: the ServiceAccount exists with the annotation, and its pods got the role. */
export function liveServiceAccountLink(s: IrsaSnapshot): CheckResult[] {
  const sa = s.serviceAccount;
  const subject = s.trusted[0] ?? { namespace: sa?.namespace ?? "?", name: sa?.name ?? "?" };
  const roleArn = s.role?.arn ?? "the role";
  if (s.unavailable?.cluster !== undefined) {
    const reason = s.unavailable.cluster;
    return [
      runCheck(
        C.serviceAccountAnnotated,
        { live: true, ...subject },
        "skip",
        `${reason}: would have checked that it exists and is annotated ${ROLE_ARN_ANNOTATION}=${roleArn}`,
      ),
      runCheck(
        C.podsInjected,
        subject,
        "skip",
        `${reason}: would have checked that its pods have AWS_ROLE_ARN=${roleArn} and AWS_WEB_IDENTITY_TOKEN_FILE`,
      ),
    ];
  }
  if (!sa) {
    return [
      runCheck(
        C.serviceAccountPresent,
        { live: true, ...subject },
        false,
        `no ServiceAccount ${subject.name} in namespace ${subject.namespace}`,
      ),
    ];
  }
  const annotated = sa.annotations[ROLE_ARN_ANNOTATION];
  return [
    runCheck(
      C.serviceAccountAnnotated,
      { live: true, namespace: sa.namespace, name: sa.name, ...(s.role ? { roleArn: s.role.arn } : {}) },
      s.role !== undefined && annotated === s.role.arn,
      `annotation ${describeValue(annotated)}; role ${s.role?.arn ?? "none"}`,
    ),
    ...podsCheck(s),
  ];
}

/**
 * Service control policies (SCPs) and resource control policies (RCPs) apply to every request of a
 * member account but cannot be read from it (only the organization's management account lists them):
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 */
const ORGANIZATION_POLICIES = check<{ link: LinkId }>(
  "permission",
  () => "no SCP or RCP of the organization denies what the role's documents allow",
  () =>
    "SCPs and RCPs cannot be read from a member account: ask the organization's administrators " +
    "(its management account: aws organizations list-policies --filter SERVICE_CONTROL_POLICY and " +
    "RESOURCE_CONTROL_POLICY) which one denies the request, then run the doctor with --assume again",
);

/**
 * The one warning about SCPs and RCPs: only where the end-to-end test (`--assume`) got AccessDenied
 * although every other check passed (the documents the doctor can read allow it all). Once per run,
 * on the link of the step that was denied.
 */
export function organizationPolicyNote(checks: CheckResult[], assume: CheckResult[]): CheckResult[] {
  const denied = assume.find(
    (r) => r.status === "fail" && /AccessDenied|not authorized|Forbidden|\b403\b/i.test(r.detail),
  );
  if (denied === undefined || checks.some((r) => r.status === "fail" || r.status === "warn")) return [];
  const result = runCheck(
    ORGANIZATION_POLICIES,
    { link: denied.link },
    "warn",
    `${denied.check} was denied (${denied.detail}), yet every document the doctor can read allows it: ` +
      "an SCP or RCP of the organization may deny it, which a member account cannot read",
  );
  return [{ ...result, link: denied.link }];
}
