/**
 * The IRSA link set: the five links of design.md's "Mechanism 1", checked on an {@link IrsaSnapshot}.
 * Words and fixes come from the catalogue; this file decides only pass or fail and what was compared.
 * Facts read from the live chain (`snapshot.live`, the doctor's) add the checks of irsaLive.ts and
 * permission.ts and the live words; without them the results are the plan's, unchanged.
 */
import { describeValue } from "../../components/errors";
import { type PolicyDocument } from "../../components/policyDocument";
import { STS_AUDIENCE } from "../../components/trustPolicy";
import { AUDIENCE_ANNOTATION, ROLE_ARN_ANNOTATION } from "../../components/serviceAccountAnnotations";
import { IRSA_CHECKS as C } from "./catalogue";
import { runCheck, undecidedRead, type CheckResult } from "../../chain/result";
import { workloadChecks } from "../../chain/workloads";
import { parsePolicy, tryTrust } from "../../chain/evaluation";
import { plannedPermissionLink } from "../../chain/plannedPermission";
import { providerClientIdChecks, providerForIssuer, tryNormalize } from "../../chain/oidcProvider";
import { audienceOf, expectedProviderArn, federatedPrincipals } from "./facts";
import { reviewIrsaTrust } from "../../chain/trustReview";
import {
  assumeChecks,
  discoveryCheck,
  organizationPolicyNote,
  liveProviderLink,
  liveServiceAccountLink,
  liveTrustSubjects,
} from "./live";
import { livePermissionLink } from "../../chain/permission";
import { type IrsaSnapshot } from "../../chain/snapshot";

/** Link 1: the cluster has an OIDC issuer (live: and serves a consistent discovery document). */
function issuerLink(s: IrsaSnapshot, issuer: string | undefined): CheckResult[] {
  if (s.unavailable?.issuer !== undefined) {
    return [runCheck(C.issuerExported, {}, "skip", s.unavailable.issuer)];
  }
  if (s.live) {
    const { cluster } = s.live;
    const words = { live: true, cluster: `${cluster.name} (${cluster.region})` };
    if (issuer === undefined && cluster.unreadable && cluster.error !== undefined) {
      return [undecidedRead(C.issuerExported, words, cluster.error)];
    }
    const result = runCheck(
      C.issuerExported,
      words,
      issuer !== undefined,
      issuer !== undefined
        ? `issuer ${s.issuerUrl}`
        : (cluster.error ??
            `DescribeCluster gives issuer ${describeValue(s.issuerUrl)}, not an https issuer URL`),
    );
    return [result, ...(issuer !== undefined ? discoveryCheck(s, s.issuerUrl!) : [])];
  }
  return [
    runCheck(
      C.issuerExported,
      {},
      issuer !== undefined,
      issuer !== undefined
        ? `oidcIssuerUrl ${s.issuerUrl}`
        : `oidcIssuerUrl is ${describeValue(s.issuerUrl)}, not an https issuer URL`,
    ),
  ];
}

/** Link 2: account B's OIDC provider is for that issuer, with client id sts.amazonaws.com. */
function providerLink(s: IrsaSnapshot, issuer: string | undefined): CheckResult[] {
  // Live, `unavailable.trust` is the role's trust alone: the provider is read on its own.
  if (s.live) return liveProviderLink(s, issuer);
  if (s.unavailable?.trust !== undefined) {
    return [runCheck(C.providerForIssuer, {}, "skip", s.unavailable.trust)];
  }
  const { matches, described } = providerForIssuer(
    s.provider,
    issuer,
    "account-b plans no IAM OIDC provider",
  );
  return [
    s.unavailable?.issuer !== undefined && s.provider !== undefined
      ? runCheck(C.providerForIssuer, {}, "skip", `${described}: ${s.unavailable.issuer}`)
      : runCheck(C.providerForIssuer, {}, matches, described),
    ...providerClientIdChecks(C.providerClientId, {}, s.provider),
  ];
}

/** Link 3: the role trusts that provider, for the trusted subjects and the STS audience. */
function trustLink(
  s: IrsaSnapshot,
  trustDoc: PolicyDocument | undefined,
  issuer: string | undefined,
): CheckResult[] {
  if (s.unavailable?.trust !== undefined) {
    return [
      s.live
        ? undecidedRead(C.trustPrincipal, {}, s.unavailable.trust)
        : runCheck(C.trustPrincipal, {}, "skip", s.unavailable.trust),
    ];
  }
  const provider = s.provider;
  const expected = expectedProviderArn(s, issuer);
  if (s.live && issuer === undefined && s.role !== undefined) {
    return [runCheck(C.trustPrincipal, { live: true }, "skip", "the cluster's issuer is unknown (link 1)")];
  }
  const federated = trustDoc ? federatedPrincipals(trustDoc) : [];
  const results = [
    runCheck(
      C.trustPrincipal,
      s.live ? { live: true, ...(expected !== undefined ? { providerArn: expected } : {}) } : {},
      s.live
        ? expected !== undefined &&
            federated.length > 0 &&
            federated.every((f) => f === (provider?.arn ?? expected))
        : provider !== undefined && federated.length > 0 && federated.every((f) => f === provider.arn),
      s.role === undefined
        ? s.live
          ? `the role could not be read: ${s.live.roleError ?? "unknown error"}`
          : "account-b plans no IAM role"
        : `Principal.Federated ${describeValue(federated)}; provider ${provider?.arn ?? (s.live ? `none (expected ${expected ?? "?"})` : "none")}`,
    ),
  ];
  if (s.live) {
    const providerArn = provider?.arn ?? expected;
    if (trustDoc && providerArn !== undefined) {
      results.push(
        ...reviewedTrust(s, trustDoc, providerArn),
        ...liveTrustSubjects(s, trustDoc, providerArn),
      );
    }
    return results;
  }
  if (trustDoc && provider) {
    for (const sa of s.trusted.filter((t) => !/[*?]/.test(t.namespace + t.name))) {
      const sub = `system:serviceaccount:${sa.namespace}:${sa.name}`;
      const result = tryTrust(trustDoc, provider.arn, sub, STS_AUDIENCE);
      results.push(
        runCheck(
          C.trustSubject,
          { ...sa, audience: STS_AUDIENCE },
          result.decision === "Allow",
          result.reason,
        ),
      );
    }
  }
  return results;
}

/** Link 3, live: the trust is not broader than the chain needs (chain/trustReview.ts). */
function reviewedTrust(s: IrsaSnapshot, trustDoc: PolicyDocument, providerArn: string): CheckResult[] {
  const subject = s.trusted[0] ?? s.serviceAccount ?? { namespace: "<namespace>", name: "<name>" };
  const review = reviewIrsaTrust(trustDoc, providerArn, subject, audienceOf(s));
  if (review === undefined) return [];
  const roleName = s.role?.arn.split("/").pop() ?? "<role>";
  return [runCheck(C.trustNarrow, { fixes: review.fixes, roleName }, review.status, review.detail)];
}

/** Link 4: the ServiceAccount is annotated with the role, is a trusted subject, and the workloads use it. */
function serviceAccountLink(s: IrsaSnapshot, trustDoc: PolicyDocument | undefined): CheckResult[] {
  if (s.live) return liveServiceAccountLink(s);
  const sa = s.serviceAccount;
  if (!sa) {
    return [
      runCheck(C.serviceAccountPresent, {}, false, "the final account-a run registers no ServiceAccount"),
    ];
  }
  const results: CheckResult[] = [];
  const annotated = sa.annotations[ROLE_ARN_ANNOTATION];
  results.push(
    runCheck(
      C.serviceAccountAnnotated,
      sa,
      s.role !== undefined && annotated === s.role.arn,
      `annotation ${describeValue(annotated)}; role ${s.role?.arn ?? "none"}`,
    ),
  );
  const sub = `system:serviceaccount:${sa.namespace}:${sa.name}`;
  const audience = sa.annotations[AUDIENCE_ANNOTATION] ?? STS_AUDIENCE;
  const trusted = trustDoc && s.provider ? tryTrust(trustDoc, s.provider.arn, sub, audience) : undefined;
  results.push(
    runCheck(
      C.serviceAccountTrusted,
      sa,
      s.unavailable?.trust !== undefined ? "skip" : trusted?.decision === "Allow",
      s.unavailable?.trust !== undefined
        ? `${sub}: ${s.unavailable.trust}`
        : trusted
          ? `${sub}, aud ${audience}: ${trusted.reason}`
          : `${sub}: no trust policy or provider to check against`,
    ),
  );
  if (s.unavailable?.workloads !== undefined) return results;
  results.push(...workloadChecks(s, sa, C));
  return results;
}

/** Link 5: the permission policy lets the role read what the workloads read. */
function permissionLink(s: IrsaSnapshot): CheckResult[] {
  return s.live ? livePermissionLink(s) : plannedPermissionLink(s);
}

/**
 * Checks the five links of the IRSA chain on a snapshot. Every failing check names its link and
 * carries the catalogue's fix; facts the snapshot marks unavailable give skipped checks. With live
 * facts, the end-to-end test's steps (`--assume`) come last.
 */
export function checkIrsaChain(s: IrsaSnapshot): CheckResult[] {
  const issuer = tryNormalize(s.issuerUrl);
  const trustDoc = parsePolicy(s.role?.trustPolicy);
  const checks = [
    ...issuerLink(s, issuer),
    ...providerLink(s, issuer),
    ...trustLink(s, trustDoc, issuer),
    ...serviceAccountLink(s, trustDoc),
    ...permissionLink(s),
  ];
  const assume = assumeChecks(s);
  return [...checks, ...assume, ...organizationPolicyNote(checks, assume)];
}
