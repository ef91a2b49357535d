/**
 * cross-account-irsa: the package entry. Exports only; importing it registers nothing.
 */
export { InputError, IrsaInputError, PolicySizeError } from "./errors";
export {
  canonicalJson,
  managedPolicyKey,
  DEFAULT_MAX_SESSION_DURATION,
  type InlinePolicyInput,
} from "./roleResources";
export { normalizeIssuer, issuerUrlOf } from "./issuer";
export {
  policySize,
  policyJson,
  checkInlinePoliciesSize,
  ROLE_INLINE_POLICIES_QUOTA,
  type PolicyDocument,
  type PolicyStatement,
  type PrincipalBlock,
  type ConditionBlock,
} from "./policyDocument";
export {
  buildTrustPolicy,
  serviceAccountSubject,
  wholeNamespaces,
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
  evaluateResourcePolicy,
  evaluateServiceTrust,
  globMatch,
  UndecidedError,
  type Decision,
  type EvaluationResult,
  type RequestKeys,
  type TrustRequest,
  type AccessRequest,
  type PrincipalRequest,
  type ServiceRequest,
} from "./evaluate";
export { parseAccessCheckResult, assumedRoleMatches, type AccessCheckResult } from "./accessCheckResult";
export {
  buildPodIdentitySourceTrustPolicy,
  buildPodIdentitySourcePermissionPolicy,
  buildPodIdentityTargetTrustPolicy,
  parseEksClusterArn,
  podIdentitySessionTags,
  POD_IDENTITY_SERVICE,
  POD_IDENTITY_TAGS,
  type EksClusterArnParts,
  type PodIdentitySourceTrustOptions,
  type PodIdentitySourcePermissionOptions,
  type PodIdentityTargetTrustOptions,
} from "./podIdentityPolicies";

// ComponentResources: one per file. `pulumi package add` reads this list (package.json `main`).
export { ClusterOidcProvider, type ClusterOidcProviderArgs } from "./clusterOidcProvider";
export {
  IrsaRole,
  ConditionTest,
  IRSA_ROLE_DESCRIPTION,
  type IrsaRoleArgs,
  type ServiceAccountInput,
  type TrustedClusterInput,
} from "./irsaRole";
export { SecureBucket, type SecureBucketArgs, type SeedObject } from "./secureBucket";
export { WorkloadCluster, ClusterLogType, type WorkloadClusterArgs } from "./workloadCluster";
export { Mechanism, MECHANISMS, isMechanism } from "./mechanism";
export { WorkloadMechanism, type AwsCliPodArgs } from "./podSecurity";
export { IrsaServiceAccount, type IrsaServiceAccountArgs } from "./irsaServiceAccount";
export { S3ReaderDeployment, type S3ReaderDeploymentArgs } from "./s3ReaderDeployment";
export { AccessCheckJob, type AccessCheckJobArgs } from "./accessCheckJob";
// EKS Pod Identity cross-account (the second mechanism).
export {
  PodIdentitySourceRole,
  POD_IDENTITY_SOURCE_ROLE_DESCRIPTION,
  type PodIdentitySourceRoleArgs,
} from "./podIdentitySourceRole";
export {
  PodIdentityTargetRole,
  POD_IDENTITY_TARGET_ROLE_DESCRIPTION,
  type PodIdentityTargetRoleArgs,
} from "./podIdentityTargetRole";
export { PodIdentityAgent, type PodIdentityAgentArgs } from "./podIdentityAgent";
export { PodIdentityServiceAccount, type PodIdentityServiceAccountArgs } from "./podIdentityServiceAccount";
export { CrossAccountPodIdentity, type CrossAccountPodIdentityArgs } from "./crossAccountPodIdentity";
// One grant, any mechanism: the two components a program needs (account B, account A).
export {
  BucketAccessGrant,
  BucketAccess,
  BUCKET_ACCESS_GRANT_ROLE_DESCRIPTION,
  type BucketAccessGrantArgs,
  type GrantClusterInput,
  type GrantBucketInput,
  type GrantBucketObjectInput,
  type GrantServiceAccountInput,
} from "./bucketAccessGrant";
export {
  BucketAccessBinding,
  type BucketAccessBindingArgs,
  type BindingServiceAccountInput,
  type BindingProbeInput,
  type BindingChildAliases,
} from "./bucketAccessBinding";
export {
  HANDOFF_VERSION,
  buildHandoff,
  parseHandoff,
  type BucketAccessHandoff,
  type HandoffCluster,
  type HandoffBucket,
  type HandoffServiceAccount,
} from "./bucketAccessHandoff";
export { planBinding, type BindingPlan } from "./bucketAccessBindingPlan";
export {
  buildGrantTrustPolicy,
  podCredentialPath,
  CREDENTIAL_PRECEDENCE,
  checkBindingMechanisms,
  type GrantTrustOptions,
  type GrantCluster,
} from "./bucketAccess";
export { buildKmsKeyPolicyStatement, foreignKeyStatements, type GrantBucket } from "./bucketAccessBuckets";
