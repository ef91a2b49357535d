/**
 * cross-account-irsa: the package entry. Exports only; importing it registers nothing.
 */
export { IrsaInputError } from "./errors";
export { normalizeIssuer, issuerUrlOf } from "./issuer";
export {
  policySize,
  policyJson,
  type PolicyDocument,
  type PolicyStatement,
  type PrincipalBlock,
  type ConditionBlock,
} from "./policyDocument";
export {
  buildTrustPolicy,
  serviceAccountSubject,
  STS_AUDIENCE,
  DEFAULT_TRUST_POLICY_MAX_SIZE,
  MAX_TRUST_POLICY_QUOTA,
  type ServiceAccountRef,
  type TrustedCluster,
  type TrustPolicyOptions,
} from "./trustPolicy";
export {
  buildS3AccessPolicy,
  normalizePrefixes,
  OBJECT_ACTIONS,
  KMS_ACTIONS,
  type S3AccessLevel,
  type S3AccessOptions,
} from "./s3AccessPolicy";
export {
  evaluateTrust,
  evaluateAccess,
  globMatch,
  type Decision,
  type EvaluationResult,
  type TrustRequest,
  type AccessRequest,
} from "./evaluate";
