/**
 * The thumbprint of an OIDC issuer's TLS chain, as IAM takes it for an OIDC provider. Pure.
 */

/** A certificate of a TLS chain, as `tls.getCertificate` reports it. */
export interface ChainCertificate {
  sha1Fingerprint: string;
  isCa?: boolean;
  issuer?: string;
  subject?: string;
}

/**
 * The thumbprint IAM would take for an issuer: the SHA-1 fingerprint of the root CA of its TLS
 * chain, lower-case hex. The root is the self-signed CA certificate (issuer equal to subject); when
 * the chain does not say, the first certificate, since `tls.getCertificate` lists the root first.
 * Empty string for an empty chain: never a made-up value (IAM verifies EKS issuers through its own
 * trusted CA library and does not need a thumbprint for them).
 */
export function rootCaThumbprint(certificates: readonly ChainCertificate[] | undefined): string {
  if (!certificates || certificates.length === 0) return "";
  const selfSigned = certificates.find(
    (c) => c.isCa !== false && c.issuer !== undefined && c.issuer !== "" && c.issuer === c.subject,
  );
  const root = selfSigned ?? certificates[0];
  return (root.sha1Fingerprint ?? "").toLowerCase().replace(/:/g, "");
}
