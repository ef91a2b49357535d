/**
 * OIDC issuer URLs: the normalised `host/path` form IAM keys providers and conditions by.
 */
import { InputError } from "./errors";
import { requireString } from "./validation";

/**
 * Normalises an OIDC issuer URL to the `host/path` form IAM uses in OIDC provider ARNs and in
 * condition keys (`<host/path>:sub`, `<host/path>:aud`): the `https://` scheme and any trailing
 * slashes removed, the host lower-cased. The path is kept as is: issuer paths are case-sensitive
 * (the EKS cluster id is upper-case hex).
 *
 * Accepts an issuer with or without `https://` (the EKS API gives it with, `@pulumi/eks`'s
 * `oidcIssuer` without). Rejects `http://` and any other scheme, a query or fragment, user info,
 * a port, an empty host, and whitespace anywhere.
 *
 * @example normalizeIssuer("https://OIDC.eks.eu-west-1.amazonaws.com/id/ABC/") === "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
 */
export function normalizeIssuer(issuerUrl: string, field = "issuerUrl"): string {
  const raw = requireString(field, issuerUrl);
  const fail = (rule: string): never => {
    throw new InputError(field, issuerUrl, rule);
  };
  if (raw.length === 0)
    fail(
      "must not be empty: give the cluster's OIDC issuer URL, https://oidc.eks.<region>.amazonaws.com/id/<ID>",
    );
  if (/\s/.test(raw)) fail("must not contain whitespace");
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(raw);
  if (scheme && scheme[1].toLowerCase() !== "https") {
    fail(`must use https:// (IAM only trusts HTTPS issuers), not ${scheme[1]}://`);
  }
  const rest = scheme ? raw.slice(scheme[0].length) : raw;
  if (rest.includes("?")) fail("must not have a query string");
  if (rest.includes("#")) fail("must not have a fragment");
  const trimmed = rest.replace(/\/+$/, "");
  const slash = trimmed.indexOf("/");
  const host = (slash === -1 ? trimmed : trimmed.slice(0, slash)).toLowerCase();
  const path = slash === -1 ? "" : trimmed.slice(slash);
  if (host.length === 0) fail("must have a host name");
  if (host.includes("@")) fail("must not contain user information");
  if (host.includes(":")) fail("must not name a port: IAM OIDC providers use the default HTTPS port");
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host)) {
    fail("must have a valid DNS host name (ASCII letters, digits, '-' and '.')");
  }
  if (/^[0-9.]+$/.test(host) || /\.[0-9]+$/.test(host)) {
    fail("must name its host, not an IP address: IAM OIDC providers are keyed by a DNS name");
  }
  if (path.includes("//")) fail("must not contain empty path segments ('//')");
  // The host/path becomes part of condition keys (`<host/path>:sub`) and of the provider's ARN:
  // only URL-unreserved characters, so that no wildcard, policy variable or quote reaches a policy.
  if (path !== "" && !/^(\/[A-Za-z0-9._~-]+)+$/.test(path)) {
    fail(
      "must have a path of segments of letters, digits, '.', '_', '~' and '-' only: it becomes part of IAM " +
        "condition keys, where '*', '?', '${' or quotes would change their meaning",
    );
  }
  return host + path;
}

/** The full `https://` issuer URL for a host/path or URL, normalised. */
export function issuerUrlOf(issuer: string, field = "issuerUrl"): string {
  return `https://${normalizeIssuer(issuer, field)}`;
}
