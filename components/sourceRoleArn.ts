/**
 * The source roles a binding creates in account A, as a grant names them: not on a path AWS manages,
 * and compared as IAM compares role names. No Pulumi or AWS package is imported.
 */
import { InputError } from "./errors";
import { parsePolicyRoleArn } from "./podIdentityPolicies";

/**
 * The IAM paths of roles AWS creates and manages: service-linked roles (`/aws-service-role/`,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html) and IAM Identity
 * Center's (`/aws-reserved/sso.amazonaws.com/`,
 * https://docs.aws.amazon.com/singlesignon/latest/userguide/using-service-linked-roles.html). A binding
 * creates its source roles, so a source role on these paths is one it can never create: refused.
 */
const AWS_MANAGED_ROLE_PATHS = ["/aws-service-role/", "/aws-reserved/"] as const;

/** A source role ARN a binding creates: an IAM role ARN without wildcards, not on an AWS-managed path. */
export function sourceRoleParts(field: string, value: string): ReturnType<typeof parsePolicyRoleArn> {
  const parts = parsePolicyRoleArn(field, value);
  const reserved = AWS_MANAGED_ROLE_PATHS.find((p) => parts.path.startsWith(p));
  if (reserved !== undefined) {
    throw new InputError(
      field,
      value,
      `must not be on the path ${reserved}: AWS creates and manages the roles there, and the binding creates this one`,
    );
  }
  return parts;
}

/**
 * The identity of a role in its account: IAM role names are unique in an account whatever their
 * path, and "not distinguished by case" (CreateRole's RoleName:
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html), so two ARNs differing
 * only in the name's case or the path are one role name the binding could create only once.
 */
export function roleIdentity(arn: string): string {
  const { partition, accountId, roleName } = parsePolicyRoleArn("roleArn", arn);
  return `${partition}:${accountId}:${roleName.toLowerCase()}`;
}
