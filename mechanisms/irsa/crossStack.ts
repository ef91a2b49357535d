/**
 * The IRSA chain as account-a is about to build it: account-b's provider, role, trust and
 * permission as exported, and the ServiceAccount annotated with account-b's role; checked with the
 * chain's own checks before anything is registered, and again once the cluster's issuer is known.
 * Pure.
 */
import { InputError } from "../../components/errors";
import { normalizeIssuer } from "../../components/issuer";
import { buildServiceAccountAnnotations } from "../../components/serviceAccountAnnotations";
import { type ServiceAccountRef } from "../../components/trustPolicy";
import { parseOidcProviderArn } from "../../components/validation";
import { type IrsaSnapshot } from "../../chain/snapshot";
import { accountBSnapshotFacts, type AccountBOutputs } from "../../stacks/crossStack";
import { checkChain } from "../registry";
import { assertChain } from "../results";
import { IRSA_CHECKS } from "./catalogue";

/**
 * Checks that account-b's OIDC provider is the provider of account-a's own cluster issuer (link 2),
 * so the role's principal can ever match this cluster's tokens. The fix is the catalogue's.
 */
export function checkProviderMatchesIssuer(bStack: string, oidcProviderArn: string, issuerUrl: string): void {
  const { hostPath } = parseOidcProviderArn(`${bStack} output oidcProviderArn`, oidcProviderArn);
  const issuer = normalizeIssuer(issuerUrl, "oidcIssuerUrl");
  if (hostPath !== issuer) {
    throw new InputError(
      `${bStack} output oidcProviderArn`,
      oidcProviderArn,
      `is for issuer ${hostPath}, but this cluster's issuer is ${issuer}: account-b's accountAStack points at another ` +
        `cluster's stack, or account-b was deployed before this cluster was replaced. Fix: ` +
        `${IRSA_CHECKS.providerForIssuer.fix({})}`,
    );
  }
}

/**
 * The chain as account-a is about to build it: account-b's provider, role, trust and permission as
 * exported, and the ServiceAccount with the annotations `IrsaServiceAccount` will send. The issuer
 * is unknown until the cluster exists, and the workloads are registered after this check: both are
 * marked unavailable, so their checks are skipped here (the issuer is checked again once known).
 */
export function plannedChain(
  b: AccountBOutputs,
  serviceAccount: ServiceAccountRef,
  deployProbe: boolean,
  issuerUrl?: string,
): IrsaSnapshot {
  return {
    mechanism: "irsa",
    ...(issuerUrl !== undefined ? { issuerUrl } : {}),
    ...(b.oidcProviderArn !== undefined ? { provider: { arn: b.oidcProviderArn, adopted: false } } : {}),
    ...accountBSnapshotFacts(b),
    serviceAccount: {
      ...serviceAccount,
      annotations: buildServiceAccountAnnotations({ roleArn: b.roleArn }),
    },
    workloads: [],
    deployProbe,
    unavailable: {
      ...(issuerUrl === undefined ? { issuer: "known once the cluster exists (checked again then)" } : {}),
      workloads: "registered after this check",
      ...(b.trustPolicy === undefined || b.oidcProviderArn === undefined
        ? { trust: "account-b exports no trustPolicy or oidcProviderArn" }
        : {}),
      ...(b.accessPolicy === undefined ? { permission: "account-b exports no accessPolicy" } : {}),
    },
  };
}

/**
 * Checks the chain account-a is about to build and throws a `ChainError` naming every broken link,
 * with the catalogue's fixes, before anything is registered.
 */
export function checkPlannedChain(
  b: AccountBOutputs,
  serviceAccount: ServiceAccountRef,
  deployProbe: boolean,
  issuerUrl?: string,
): void {
  assertChain(
    "account-a, before registering",
    checkChain(plannedChain(b, serviceAccount, deployProbe, issuerUrl)),
  );
}
