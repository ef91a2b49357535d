/**
 * The IRSA annotations of a ServiceAccount: their keys, their limits, and the pure builder that
 * validates the values. No Pulumi import, so the chain checks and the stack programs can use the
 * same keys and builder without loading the Kubernetes SDK.
 */
import { InputError } from "./errors";
import { parseRoleArn, validateBoolean, validateInteger } from "./validation";

/** The annotation the EKS pod identity webhook reads the role ARN from. */
export const ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn";
/** The annotation that makes the webhook point the SDKs at the regional STS endpoint. */
export const STS_REGIONAL_ENDPOINTS_ANNOTATION = "eks.amazonaws.com/sts-regional-endpoints";
/** The annotation that sets the projected token's lifetime, in seconds. */
export const TOKEN_EXPIRATION_ANNOTATION = "eks.amazonaws.com/token-expiration";
/** The annotation that sets the projected token's audience. */
export const AUDIENCE_ANNOTATION = "eks.amazonaws.com/audience";

/** Shortest token lifetime the EKS pod identity webhook accepts, in seconds. */
export const MIN_TOKEN_EXPIRATION_SECONDS = 600;
/** Longest token lifetime the EKS pod identity webhook accepts, in seconds. */
export const MAX_TOKEN_EXPIRATION_SECONDS = 86400;

/** The plain values {@link buildServiceAccountAnnotations} turns into annotations. */
export interface ServiceAccountAnnotationOptions {
  roleArn: string;
  /** @default true */
  stsRegionalEndpoints?: boolean;
  tokenExpiration?: number;
  audience?: string;
}

/**
 * The IRSA annotations of the ServiceAccount, keys sorted. Validates every value and throws an
 * {@link InputError} naming the `args.*` field.
 */
export function buildServiceAccountAnnotations(
  options: ServiceAccountAnnotationOptions,
): Record<string, string> {
  parseRoleArn("args.roleArn", options.roleArn);
  const annotations: Record<string, string> = {
    [ROLE_ARN_ANNOTATION]: options.roleArn,
    [STS_REGIONAL_ENDPOINTS_ANNOTATION]: String(
      validateBoolean("args.stsRegionalEndpoints", options.stsRegionalEndpoints ?? true),
    ),
  };
  if (options.tokenExpiration !== undefined) {
    annotations[TOKEN_EXPIRATION_ANNOTATION] = String(
      validateInteger(
        "args.tokenExpiration",
        options.tokenExpiration,
        MIN_TOKEN_EXPIRATION_SECONDS,
        MAX_TOKEN_EXPIRATION_SECONDS,
      ),
    );
  }
  if (options.audience !== undefined) {
    annotations[AUDIENCE_ANNOTATION] = validateAudience("args.audience", options.audience);
  }
  return sortKeys(annotations);
}

/** A token audience: 1 to 256 characters without whitespace. */
export function validateAudience(field: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 256 || /\s/.test(value)) {
    throw new InputError(field, value, "must be a token audience: 1 to 256 characters without whitespace");
  }
  return value;
}

/** A copy with the keys in code-point order, so the same input always sends the same object. */
export function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
