/**
 * The check of an IAM OIDC provider adopted instead of created: ClusterOidcProvider's, and the
 * account-b stack's before it registers anything. Pure (no Pulumi or AWS package), so the stack
 * config's checks can load it.
 */
import { InputError } from "./errors";
import { normalizeIssuer } from "./issuer";
import { STS_AUDIENCE } from "./trustPolicy";
import { parseOidcProviderArn } from "./validation";

/**
 * Checks that an adopted provider is the one for the issuer: same host/path and, when the provider's
 * client ids are known, that they include `sts.amazonaws.com`. Returns the ARN.
 */
export function checkAdoptedProvider(
  arn: string,
  issuerUrl: string,
  clientIds?: string[],
  field = "existingProviderArn",
  issuerField = "issuerUrl",
): string {
  const { hostPath } = parseOidcProviderArn(field, arn);
  const issuer = normalizeIssuer(issuerUrl);
  if (hostPath !== issuer) {
    throw new InputError(
      field,
      arn,
      `must be the IAM OIDC provider of ${issuerField}, i.e. end in ":oidc-provider/${issuer}"`,
    );
  }
  if (clientIds !== undefined && !clientIds.includes(STS_AUDIENCE)) {
    throw new InputError(
      field,
      arn,
      `the provider's client ids ${JSON.stringify(clientIds)} must include "${STS_AUDIENCE}" for IRSA; add it with ` +
        `aws iam add-client-id-to-open-id-connect-provider`,
    );
  }
  return arn;
}
