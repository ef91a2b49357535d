/**
 * The IAM OIDC provider link as both web identity chains check it on planned facts (IRSA's provider
 * in account B, irsa-chained's in account A): whether the provider is for the cluster's issuer, and
 * whether it accepts STS's audience. The words of each check are its catalogue's. Pure.
 */
import { describeValue } from "../components/errors";
import { normalizeIssuer } from "../components/issuer";
import { STS_AUDIENCE } from "../components/trustPolicy";
import { parseOidcProviderArn } from "../components/validation";
import { type CheckDefinition } from "./catalogueBase";
import { runCheck, type CheckResult } from "./result";

/** An issuer URL normalized as IAM stores it (host and path), or undefined when it is none. */
export function tryNormalize(issuer: string | undefined): string | undefined {
  if (issuer === undefined) return undefined;
  try {
    return normalizeIssuer(issuer);
  } catch {
    return undefined;
  }
}

/** A provider as a chain's snapshot holds it (planned: the program's inputs, or the adopted one's state). */
export interface ProviderFacts {
  arn: string;
  url?: string;
  clientIds?: string[];
  adopted: boolean;
}

/**
 * Whether the provider is for the issuer (its ARN's host/path and the URL it stores, both the
 * issuer's), and what was compared in words; `absent` is the words when there is no provider.
 */
export function providerForIssuer(
  provider: ProviderFacts | undefined,
  issuer: string | undefined,
  absent: string,
): { matches: boolean; described: string } {
  let hostPath: string | undefined;
  try {
    hostPath = provider ? parseOidcProviderArn("provider", provider.arn).hostPath : undefined;
  } catch {
    hostPath = undefined;
  }
  const url = provider?.url !== undefined ? tryNormalize(provider.url) : hostPath;
  return {
    matches: provider !== undefined && issuer !== undefined && url === issuer && hostPath === issuer,
    described:
      provider === undefined
        ? absent
        : `provider ${provider.arn}${provider.adopted ? " (adopted)" : ""} for ${provider.url ?? hostPath ?? "?"}; issuer ${issuer ?? "?"}`,
  };
}

/**
 * The provider's client ids accept STS's audience: checked when they are known; an adopted provider's
 * are not known offline, so it warns that the provider must already accept it (never assumes it does);
 * none for a provider planned without client ids or no provider (the provider check has failed).
 */
export function providerClientIdChecks<P>(
  definition: CheckDefinition<P>,
  params: P,
  provider: ProviderFacts | undefined,
): CheckResult[] {
  if (provider?.clientIds !== undefined) {
    return [
      runCheck(
        definition,
        params,
        provider.clientIds.includes(STS_AUDIENCE),
        `client ids ${describeValue(provider.clientIds)}`,
      ),
    ];
  }
  if (provider?.adopted) {
    return [
      runCheck(
        definition,
        params,
        "warn",
        `the provider is adopted and its client ids are not known offline: it must already accept ${STS_AUDIENCE}`,
      ),
    ];
  }
  return [];
}
