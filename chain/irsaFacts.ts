/**
 * Facts derived from an IRSA snapshot that several checks share: the issuer's host/path, the role's
 * partition, the trust policy's Federated principals, the ServiceAccount's audience and (live) the
 * provider ARN STS looks for. Pure.
 */
import { normalizeIssuer } from "../components/issuer";
import { type PolicyDocument } from "../components/policyDocument";
import { AUDIENCE_ANNOTATION } from "../components/serviceAccountAnnotations";
import { STS_AUDIENCE } from "../components/trustPolicy";
import { parseRoleArn } from "../components/validation";
import { type IrsaSnapshot } from "./snapshot";

export function tryNormalize(issuer: string | undefined): string | undefined {
  if (issuer === undefined) return undefined;
  try {
    return normalizeIssuer(issuer);
  } catch {
    return undefined;
  }
}

export function federatedPrincipals(doc: PolicyDocument): string[] {
  const out: string[] = [];
  for (const s of doc.Statement) {
    if (s.Principal === undefined || s.Principal === "*") continue;
    const f = s.Principal.Federated;
    if (f !== undefined) out.push(...(Array.isArray(f) ? f : [f]));
  }
  return out;
}

export function partitionOf(roleArn: string): string {
  try {
    return parseRoleArn("role", roleArn).partition;
  } catch {
    return "aws";
  }
}

/** The audience the ServiceAccount's tokens carry: its annotation, else STS's. */
export function audienceOf(s: IrsaSnapshot): string {
  return s.serviceAccount?.annotations[AUDIENCE_ANNOTATION] ?? STS_AUDIENCE;
}

/** Live: the provider ARN STS maps the issuer to in the role's account. */
export function expectedProviderArn(s: IrsaSnapshot, issuer: string | undefined): string | undefined {
  if (!s.live || issuer === undefined) return undefined;
  return `arn:${s.role ? partitionOf(s.role.arn) : "aws"}:iam::${s.live.roleAccountId}:oidc-provider/${issuer}`;
}
