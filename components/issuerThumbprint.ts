/**
 * The thumbprint of an OIDC issuer's TLS chain, as IAM defines it for an OIDC provider. Pure.
 */

/** A certificate of a TLS chain, as `tls.getCertificate` reports it. */
export interface ChainCertificate {
  sha1Fingerprint: string;
  isCa?: boolean;
  issuer?: string;
  subject?: string;
}

/**
 * The thumbprint IAM means for an issuer: "the thumbprint for the top intermediate certificate
 * authority (CA) that signed the certificate used by the external identity provider" (IAM User
 * Guide, "Obtain the thumbprint for an OpenID Connect identity provider"), that is the top-most
 * certificate of the chain the issuer serves. `tls.getCertificate` lists the chain "with the root of
 * the chain first", so it is the first certificate, whatever it is (a served cross-signed root is
 * still what IAM takes). Its SHA-1 fingerprint, lower-case hex without colons; the empty string for
 * an empty chain, never a made-up value.
 */
export function topCaThumbprint(certificates: readonly ChainCertificate[] | undefined): string {
  const top = certificates?.[0];
  return top === undefined ? "" : (top.sha1Fingerprint ?? "").toLowerCase().replace(/:/g, "");
}
