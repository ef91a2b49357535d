/**
 * What every role this package creates shares (IrsaRole, PodIdentityTargetRole,
 * PodIdentitySourceRole): the role's own arguments and its permission policies, checked before
 * anything registers, then registered as `aws.iam.Role`, `RolePolicy` and `RolePolicyAttachment`
 * children of the component. Not a component itself.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { IrsaInputError } from "./errors";
import { checked, isPlain } from "./inputs";
import { checkInlinePoliciesSize } from "./policyDocument";
import {
  parseRoleArn,
  validateIamPath,
  validateInteger,
  validateManagedPolicyArn,
  validatePolicyText,
  validateRoleName,
} from "./validation";

/** The arguments of a role and its permissions, as the role components take them. */
export interface RoleSettings {
  roleName?: pulumi.Input<string>;
  path?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  inlinePolicies?: Record<string, pulumi.Input<string>>;
  managedPolicyArns?: pulumi.Input<string>[];
  permissionsBoundary?: pulumi.Input<string>;
  maxSessionDuration?: number;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Inline policy names: IAM allows 1-128 of `\w+=,.@-`. */
function validatePolicyName(field: string, value: string): string {
  if (!/^[\w+=,.@-]{1,128}$/.test(value)) {
    throw new IrsaInputError(
      field,
      value,
      "must be an IAM policy name: 1 to 128 letters, digits or any of + = , . @ _ -",
    );
  }
  return value;
}

/**
 * Parses and checks an inline policy document: valid JSON with Version and Statement, only
 * characters IAM accepts in a policy.
 */
export function checkPolicyJson(field: string, json: string): string {
  if (typeof json !== "string") throw new IrsaInputError(field, json, "must be a JSON policy document");
  validatePolicyText(field, json);
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new IrsaInputError(field, json, `must be a JSON policy document (${(e as Error).message})`);
  }
  const d = doc as { Version?: unknown; Statement?: unknown };
  if (d === null || typeof d !== "object" || d.Version !== "2012-10-17" || d.Statement === undefined) {
    throw new IrsaInputError(
      field,
      json,
      'must be an IAM policy document with "Version": "2012-10-17" and a Statement',
    );
  }
  return json;
}

/** A role's settings after the checks, ready to register. */
export interface CheckedRole {
  roleName?: pulumi.Output<string>;
  path: pulumi.Output<string>;
  maxSessionDuration: number;
  inline: Array<readonly [string, pulumi.Output<string>]>;
  managed: pulumi.Output<string>[];
  boundary?: pulumi.Output<string>;
  /**
   * Resolves once every inline policy has been checked together against IAM's quota (at once when
   * they are plain): the role waits for it, so a role whose policies IAM would refuse never exists.
   */
  gate: pulumi.Output<unknown>;
}

/**
 * Checks a role's settings: plain values now (throwing before anything registers), Outputs once
 * they resolve. The inline policies are checked one by one and together against IAM's 10,240
 * characters for all inline policies of a role.
 */
export function checkRoleSettings(settings: RoleSettings): CheckedRole {
  const roleName =
    settings.roleName === undefined
      ? undefined
      : checked(settings.roleName, (n) => validateRoleName("roleName", n));
  const path = checked(settings.path ?? "/", (p) => validateIamPath("path", p));
  const maxSessionDuration = validateInteger(
    "maxSessionDuration",
    settings.maxSessionDuration ?? 3600,
    3600,
    43200,
  );
  let inline = Object.entries(settings.inlinePolicies ?? {}).map(([policyName, doc]) => {
    validatePolicyName(`inlinePolicies.${policyName}`, policyName);
    return [policyName, checked(doc, (d) => checkPolicyJson(`inlinePolicies.${policyName}`, d))] as const;
  });
  const docs = settings.inlinePolicies ?? {};
  let gate: pulumi.Output<unknown> = pulumi.output(true);
  if (isPlain(docs)) {
    checkInlinePoliciesSize("inlinePolicies", docs as Record<string, string>);
  } else {
    const texts = pulumi.all(inline.map(([, doc]) => doc)).apply((all) => {
      checkInlinePoliciesSize("inlinePolicies", Object.fromEntries(inline.map(([n], i) => [n, all[i]])));
      return all;
    });
    inline = inline.map(([policyName], i) => [policyName, texts.apply((all) => all[i])] as const);
    gate = texts;
  }
  const managed = (settings.managedPolicyArns ?? []).map((arn, i) =>
    checked(arn, (a) => validateManagedPolicyArn(`managedPolicyArns[${i}]`, a)),
  );
  const boundary =
    settings.permissionsBoundary === undefined
      ? undefined
      : checked(settings.permissionsBoundary, (b) => validateManagedPolicyArn("permissionsBoundary", b));
  return { roleName, path, maxSessionDuration, inline, managed, boundary, gate };
}

/**
 * Registers the role (with `trustPolicy`, once the gate resolves) and its inline policies and
 * managed policy attachments as children of `parent`. Returns the role and its checked ARN.
 */
export function registerRole(
  name: string,
  parent: pulumi.Resource,
  role: CheckedRole,
  trustPolicy: pulumi.Input<string>,
  description: pulumi.Input<string>,
  tags: RoleSettings["tags"],
): { role: aws.iam.Role; roleArn: pulumi.Output<string> } {
  const created = new aws.iam.Role(
    name,
    {
      name: role.roleName,
      path: role.path,
      assumeRolePolicy: pulumi.all([trustPolicy, role.gate]).apply(([doc]) => doc),
      description,
      maxSessionDuration: role.maxSessionDuration,
      permissionsBoundary: role.boundary,
      tags,
    },
    { parent },
  );
  for (const [policyName, doc] of role.inline) {
    new aws.iam.RolePolicy(
      `${name}-${policyName}`,
      { role: created.name, name: policyName, policy: doc },
      { parent },
    );
  }
  role.managed.forEach((arn, i) => {
    new aws.iam.RolePolicyAttachment(
      `${name}-managed-${i}`,
      { role: created.name, policyArn: arn },
      { parent },
    );
  });
  return { role: created, roleArn: created.arn.apply((arn) => parseRoleArn("roleArn", arn) && arn) };
}
