/**
 * The IRSA-chained chain's web identity links (1 to 3): the cluster's issuer, account A's OIDC
 * provider for it, and the source role's trust of that provider for the service accounts. Pure.
 */
import { arnAccount } from "../../components/arn";
import { describeValue } from "../../components/errors";
import { type PolicyDocument } from "../../components/policyDocument";
import { AUDIENCE_ANNOTATION } from "../../components/serviceAccountAnnotations";
import { STS_AUDIENCE } from "../../components/trustPolicy";
import { detailOf, statementsOf, statusOf, tryTrust } from "../../chain/evaluation";
import { providerClientIdChecks, providerForIssuer } from "../../chain/oidcProvider";
import { runCheck, undecidedRead, type CheckResult } from "../../chain/result";
import { reviewIrsaTrust, type TrustReview } from "../../chain/trustReview";
import { IRSA_CHAINED_CHECKS as C } from "./catalogue";
import { reviewChainedSourceTrust } from "./trustReview";
import { type IrsaChainedSnapshot } from "./snapshot";

/** Link 1: the cluster has an OIDC issuer. */
export function issuerLink(s: IrsaChainedSnapshot, issuer: string | undefined): CheckResult[] {
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
export function providerLink(s: IrsaChainedSnapshot, issuer: string | undefined): CheckResult[] {
  const words = s.live ? { live: true, account: accountOf(s.sourceRole?.arn), issuer: s.issuerUrl } : {};
  if (s.live?.providerError !== undefined)
    return [undecidedRead(C.providerForIssuer, words, s.live.providerError)];
  const provider = s.provider;
  const { matches, described } = providerForIssuer(
    provider,
    issuer,
    s.live
      ? "the source role's account has no IAM OIDC provider for the issuer"
      : "account-a plans no IAM OIDC provider",
  );
  const results = [
    s.unavailable?.issuer !== undefined
      ? runCheck(C.providerForIssuer, words, "skip", `${described}: ${s.unavailable.issuer}`)
      : runCheck(C.providerForIssuer, words, matches, described),
    ...providerClientIdChecks(C.providerClientId, {}, provider),
  ];
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
export function sourceTrustLink(s: IrsaChainedSnapshot, trust: PolicyDocument | undefined): CheckResult[] {
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
