/**
 * Facts derived from an IRSA snapshot that several checks share: the issuer's host/path, the role's
 * partition, the trust policy's Federated principals, the ServiceAccount's audience and (live) the
 * provider ARN STS looks for. Pure.
 */
import { type PolicyDocument } from "../../components/policyDocument";
import { AUDIENCE_ANNOTATION } from "../../components/serviceAccountAnnotations";
import { STS_AUDIENCE } from "../../components/trustPolicy";
import { partitionOf } from "../../chain/arns";
import { statementsOf } from "../../chain/evaluation";
import { type IrsaSnapshot } from "../../chain/snapshot";

/** The Federated principals a trust policy names, whatever its shape (a malformed part names none). */
export function federatedPrincipals(doc: PolicyDocument): string[] {
  const out: string[] = [];
  for (const s of statementsOf(doc)) {
    const principal: unknown = (s as { Principal?: unknown } | null)?.Principal;
    if (principal === null || typeof principal !== "object") continue;
    const f = (principal as { Federated?: unknown }).Federated;
    for (const id of Array.isArray(f) ? f : [f]) if (typeof id === "string") out.push(id);
  }
  return out;
}

/** The audience the ServiceAccount's tokens carry: its annotation, else STS's. */
export function audienceOf(s: IrsaSnapshot): string {
  return s.serviceAccount?.annotations[AUDIENCE_ANNOTATION] ?? STS_AUDIENCE;
}

/**
 * Live: the provider ARN STS maps the issuer to in the role's account (in the role's partition, read
 * from the role's ARN, never assumed); undefined when the issuer or that partition is unknown.
 */
export function expectedProviderArn(s: IrsaSnapshot, issuer: string | undefined): string | undefined {
  const partition = partitionOf(s.role?.arn ?? s.live?.roleArn);
  if (!s.live || issuer === undefined || partition === undefined) return undefined;
  return `arn:${partition}:iam::${s.live.roleAccountId}:oidc-provider/${issuer}`;
}
