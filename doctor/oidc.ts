/**
 * The issuer side of the chain, fetched live: the OIDC discovery document and the JWKS over HTTPS
 * (with the certificate chain the JWKS host presents), and the check of a TokenRequest token against
 * that JWKS with `jose`. No route to the issuer is a fact (`noRoute`), not an error; a certificate
 * that does not verify is the issuer's failure. I/O shell.
 */
import { createHash, X509Certificate } from "node:crypto";
import * as https from "node:https";
import {
  createSecureContext,
  rootCertificates,
  type DetailedPeerCertificate,
  type SecureContext,
  type TLSSocket,
} from "node:tls";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import { type IssuerDiscovery, type TokenFacts } from "../chain";
import { isRecord } from "../components/values";

/** How the doctor reaches HTTPS hosts; tests send an issuer's host to a loopback server. */
export interface HttpsOptions {
  /** CA certificates (PEM) trusted besides the system's. */
  extraCa?: string[];
  /** Where to connect instead of a host name (the TLS name stays the host's). */
  resolve?: (host: string) => { host: string; port: number } | undefined;
  /** Milliseconds before a request is given up as no route (default 5000). */
  timeoutMs?: number;
}

/** A failed fetch: the message, and whether there was no answer at all. */
export interface FetchFailure {
  message: string;
  noRoute: boolean;
}

/** Error codes that mean the host could not be reached from here. */
const NO_ROUTE = /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE)$/;

/**
 * Error codes of a certificate the host presented that does not verify (expired, wrong name, unknown
 * CA): the issuer answered, and what it answered is wrong, so it is a failure, not a missing route.
 */
const CERTIFICATE =
  /^(ERR_TLS_CERT_ALTNAME_INVALID|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/;

/**
 * Codes that say this machine does not trust the chain it was shown, rather than that the chain is
 * wrong: for an EKS-hosted issuer (which IAM verifies with its own trusted CAs) that is most often a
 * TLS-intercepting proxy here, so it says nothing about the chain and is treated like no route.
 */
const LOCAL_TRUST =
  /^(UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)$/;

/** Host names of EKS-hosted issuers. */
const EKS_ISSUER_HOST = /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/**
 * What a request error means: no route (warn, says nothing about the chain), a certificate that does
 * not verify (a fact about the issuer), or, for an EKS-hosted issuer, a chain this machine does not
 * trust (most often a proxy here; treated as no route).
 *
 * @internal exported for the tests only
 */
export function fetchFailure(code: string, message: string, hostname: string): FetchFailure {
  if (EKS_ISSUER_HOST.test(hostname) && LOCAL_TRUST.test(code)) {
    return {
      message: `this machine does not trust the certificate chain it was shown (a TLS-intercepting proxy?): ${message}`,
      noRoute: true,
    };
  }
  if (CERTIFICATE.test(code))
    return { message: `the host's TLS certificate does not verify: ${message}`, noRoute: false };
  return { message, noRoute: NO_ROUTE.test(code) };
}

const PUBLIC_ROOTS = new Set(rootCertificates.map((pem) => new X509Certificate(pem).fingerprint256));

function chainOf(socket: TLSSocket): { thumbprints: string[]; publicRoot: boolean } {
  const thumbprints: string[] = [];
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  let last: DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    thumbprints.push(createHash("sha1").update(cert.raw).digest("hex"));
    last = cert;
    cert = cert.issuerCertificate;
  }
  return { thumbprints, publicRoot: last !== undefined && PUBLIC_ROOTS.has(last.fingerprint256) };
}

/**
 * The TLS context trusting the system's roots and `extraCa`, made once per set of certificates: a new
 * context parses every root certificate again (about 140 PEMs, tens of milliseconds of CPU a request),
 * and one context serves any number of connections (tls.connect's `secureContext`,
 * https://nodejs.org/api/tls.html#tlsconnectoptions-callback).
 */
const contexts = new Map<string, SecureContext>();
/** @internal exported for the tests only */
export function trusting(extraCa: readonly string[]): SecureContext {
  const key = extraCa.join("\0");
  let context = contexts.get(key);
  if (context === undefined) {
    context = createSecureContext({ ca: [...rootCertificates, ...extraCa] });
    contexts.set(key, context);
  }
  return context;
}

/** GETs a JSON document over HTTPS; resolves with it or with why not, never rejects. */
function getJson(
  url: string,
  options: HttpsOptions,
): Promise<{ body?: unknown; failure?: FetchFailure; certificates?: IssuerDiscovery["certificates"] }> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ failure: { message: `not a URL: ${url}`, noRoute: false } });
      return;
    }
    if (target.protocol !== "https:") {
      resolve({ failure: { message: `${url} is not https`, noRoute: false } });
      return;
    }
    const to = options.resolve?.(target.hostname);
    const request = https.request(
      {
        host: to?.host ?? target.hostname,
        port: to?.port ?? (target.port !== "" ? Number(target.port) : 443),
        path: `${target.pathname}${target.search}`,
        method: "GET",
        servername: target.hostname,
        headers: { host: target.host, accept: "application/json" },
        ...(options.extraCa ? { secureContext: trusting(options.extraCa) } : {}),
        timeout: options.timeoutMs ?? 5000,
        agent: false,
      },
      (response) => {
        const certificates = chainOf(response.socket as TLSSocket);
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (response.statusCode !== 200) {
            resolve({ certificates, failure: { message: `HTTP ${response.statusCode}`, noRoute: false } });
            return;
          }
          try {
            resolve({ certificates, body: JSON.parse(text) as unknown });
          } catch {
            resolve({ certificates, failure: { message: "the answer is not JSON", noRoute: false } });
          }
        });
      },
    );
    request.on("timeout", () =>
      request.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })),
    );
    request.on("error", (error: Error & { code?: string }) => {
      const code = error.code ?? "";
      const message = `${code ? `${code}: ` : ""}${error.message}`;
      resolve({ failure: fetchFailure(code, message, target.hostname) });
    });
    request.end();
  });
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** The discovery document and JWKS of an issuer, as facts, and the JWKS itself (to verify tokens). */
export async function fetchDiscovery(
  issuerUrl: string,
  options: HttpsOptions,
): Promise<{ discovery: IssuerDiscovery; jwks?: JSONWebKeySet }> {
  const url = `${issuerUrl.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  const doc = await getJson(url, options);
  if (doc.failure) return { discovery: { url, error: doc.failure } };
  const body = record(doc.body);
  const document = {
    ...(typeof body.issuer === "string" ? { issuer: body.issuer } : {}),
    ...(typeof body.jwks_uri === "string" ? { jwksUri: body.jwks_uri } : {}),
  };
  const discovery: IssuerDiscovery = { url, document };
  if (document.jwksUri === undefined) return { discovery };
  const jwks = await getJson(document.jwksUri, options);
  if (jwks.certificates) discovery.certificates = jwks.certificates;
  if (jwks.failure) return { discovery: { ...discovery, jwksError: jwks.failure } };
  const keys = record(jwks.body).keys;
  if (!Array.isArray(keys)) {
    return {
      discovery: { ...discovery, jwksError: { message: "the answer has no keys array", noRoute: false } },
    };
  }
  discovery.jwksKeyIds = keys.map((k) => record(k).kid).filter((k): k is string => typeof k === "string");
  return { discovery, jwks: { keys: keys as JSONWebKeySet["keys"] } };
}

/** What a token says (unverified), and whether its signature verifies against the JWKS. */
export async function tokenFacts(token: string, jwks: JSONWebKeySet | undefined): Promise<TokenFacts> {
  let facts: TokenFacts;
  try {
    const claims = decodeJwt(token);
    const header = decodeProtectedHeader(token);
    const aud = claims.aud;
    facts = {
      ...(typeof claims.iss === "string" ? { issuer: claims.iss } : {}),
      ...(typeof claims.sub === "string" ? { subject: claims.sub } : {}),
      audiences: Array.isArray(aud) ? aud : typeof aud === "string" ? [aud] : [],
      ...(typeof header.kid === "string" ? { keyId: header.kid } : {}),
    };
  } catch (error) {
    return { audiences: [], signatureVerified: false, verifyError: `not a JWT: ${String(error)}` };
  }
  if (jwks === undefined) return facts;
  try {
    await jwtVerify(token, createLocalJWKSet(jwks));
    return { ...facts, signatureVerified: true };
  } catch (error) {
    return {
      ...facts,
      signatureVerified: false,
      verifyError: error instanceof Error ? error.message : String(error),
    };
  }
}
