/**
 * What every role this package creates shares (IrsaRole, PodIdentityTargetRole,
 * PodIdentitySourceRole): the role's own arguments and its permission policies, checked before
 * anything registers, then registered as `aws.iam.Role`, `RolePolicy` and `RolePolicyAttachment`
 * children of the component. Not a component itself.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { InputError } from "./errors";
import { checked, isPlain } from "./inputs";
import { checkInlinePoliciesSize } from "./policyDocument";
import { isRecord } from "./values";
import {
  parseRoleArn,
  validateIamPath,
  validateInteger,
  validateManagedPolicyArn,
  validatePolicyText,
  validateRoleName,
} from "./validation";

/**
 * An inline policy document as the role components take it: JSON text, or a document object
 * (`aws.iam.PolicyDocument`, whose fields may hold Outputs), which is serialised with sorted keys.
 */
export type InlinePolicyInput = string | aws.iam.PolicyDocument;

/** The arguments of a role and its permissions, as the role components take them. */
export interface RoleSettings {
  roleName?: pulumi.Input<string>;
  path?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  inlinePolicies?: Record<string, pulumi.Input<InlinePolicyInput>>;
  managedPolicyArns?: pulumi.Input<string>[];
  managedPolicies?: Record<string, pulumi.Input<string>>;
  permissionsBoundary?: pulumi.Input<string>;
  maxSessionDuration?: pulumi.Input<number>;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** The default of every role's `maxSessionDuration`, in seconds (IAM's own default). */
export const DEFAULT_MAX_SESSION_DURATION = 3600;

/**
 * JSON with object keys sorted at every level (arrays keep their order): the same document always
 * gives the same text, whatever order a program built it in, so a policy never shows a spurious diff.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** An inline policy's text: a string as given, a document object as {@link canonicalJson}. */
function inlinePolicyText(field: string, doc: unknown): string {
  if (typeof doc === "string") return doc;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new InputError(field, doc, "must be a JSON policy document or an aws.iam.PolicyDocument object");
  }
  let text: string;
  try {
    text = canonicalJson(doc);
  } catch (e) {
    throw new InputError(field, "[unserialisable]", `must be plain JSON data (${(e as Error).message})`);
  }
  return text;
}

/** Keys of `managedPolicies` (they name child resources): 1 to 64 letters, digits, `.`, `_` or `-`. */
const POLICY_KEY = /^[A-Za-z0-9][\w.-]{0,63}$/;

/**
 * The stable key of a managed policy attachment: the policy's name (the ARN's last path segment)
 * and the first 8 hex digits of the ARN's SHA-256 (two policies of one name in different accounts
 * or paths stay apart). It depends on the ARN alone, so reordering the list renames nothing.
 */
export function managedPolicyKey(arn: string): string {
  // IAM policy names are `[\w+=,.@-]`; anything else the ARN check lets through becomes `_`.
  const policyName = arn.slice(arn.lastIndexOf("/") + 1).replace(/[^\w+=,.@-]/g, "_");
  return `${policyName}-${createHash("sha256").update(arn).digest("hex").slice(0, 8)}`;
}

/** Inline policy names: IAM allows 1-128 of `\w+=,.@-`. */
function validatePolicyName(field: string, value: string): string {
  if (!/^[\w+=,.@-]{1,128}$/.test(value)) {
    throw new InputError(
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
  if (typeof json !== "string") throw new InputError(field, json, "must be a JSON policy document");
  validatePolicyText(field, json);
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new InputError(field, json, `must be a JSON policy document (${(e as Error).message})`);
  }
  const d = doc as { Version?: unknown; Statement?: unknown };
  if (d === null || typeof d !== "object" || d.Version !== "2012-10-17" || d.Statement === undefined) {
    throw new InputError(
      field,
      json,
      'must be an IAM policy document with "Version": "2012-10-17" and a Statement',
    );
  }
  return json;
}

/** One managed policy attachment to register as `<role>-managed-<key>`. */
export interface ManagedAttachment {
  /** The key in the child resource's name. */
  key: string;
  /** The key 0.2.0 named the same attachment with (its list index), when it differs: an alias. */
  previousKey?: string;
  arn: pulumi.Output<string>;
}

/** A role's settings after the checks, ready to register. */
export interface CheckedRole {
  roleName?: pulumi.Output<string>;
  path: pulumi.Output<string>;
  maxSessionDuration: pulumi.Output<number>;
  inline: Array<readonly [string, pulumi.Output<string>]>;
  /** The managed policy attachments, each with its stable key and the 0.2.0 name's key (an alias). */
  managed: ManagedAttachment[];
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
      : checked(settings.roleName, (n) => validateRoleName("args.roleName", n));
  const path = checked(settings.path ?? "/", (p) => validateIamPath("args.path", p));
  const maxSessionDuration = checked(settings.maxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION, (d) =>
    validateInteger("args.maxSessionDuration", d, 3600, 43200),
  );
  const inlineArg = settings.inlinePolicies ?? {};
  if (
    inlineArg === null ||
    typeof inlineArg !== "object" ||
    Array.isArray(inlineArg) ||
    !isPlainRecord(inlineArg)
  ) {
    throw new InputError(
      "args.inlinePolicies",
      inlineArg,
      "must be an object of policies by name (each policy may be an Output; the names name child resources, so they must be known now)",
    );
  }
  let inline = Object.entries(inlineArg).map(([policyName, doc]) => {
    const field = `args.inlinePolicies.${policyName}`;
    validatePolicyName(field, policyName);
    return [policyName, checked(doc, (d) => checkPolicyJson(field, inlinePolicyText(field, d)))] as const;
  });
  let gate: pulumi.Output<unknown> = pulumi.output(true);
  if (isPlain(inlineArg)) {
    const texts = Object.fromEntries(
      Object.entries(inlineArg).map(([n, d]) => [n, inlinePolicyText(`args.inlinePolicies.${n}`, d)]),
    );
    checkInlinePoliciesSize("args.inlinePolicies", texts);
  } else {
    const texts = checked(pulumi.all(inline.map(([, doc]) => doc)), (all) => {
      checkInlinePoliciesSize("args.inlinePolicies", Object.fromEntries(inline.map(([n], i) => [n, all[i]])));
      return all;
    });
    inline = inline.map(
      ([policyName], i) => [policyName, texts.apply((all) => (all === undefined ? "" : all[i]))] as const,
    );
    gate = texts;
  }
  const managed = checkManagedPolicies(settings);
  const boundary =
    settings.permissionsBoundary === undefined
      ? undefined
      : checked(settings.permissionsBoundary, (b) => validateManagedPolicyArn("args.permissionsBoundary", b));
  return { roleName, path, maxSessionDuration, inline, managed, boundary, gate };
}

/** True for an object that is neither an Output nor a Promise (its values may be). */
function isPlainRecord(value: object): boolean {
  return !pulumi.Output.isInstance(value) && !(value instanceof Promise);
}

/**
 * The managed policy attachments, keyed by what names them stably: a plain ARN by
 * {@link managedPolicyKey} (aliased to its 0.2.0 name `<role>-managed-<index>`), a `managedPolicies`
 * entry by its key. An ARN that is an Output inside the list keeps its index (its value, hence its
 * key, is unknown when the attachment registers): `managedPolicies` gives such ARNs a stable key.
 */
function checkManagedPolicies(settings: RoleSettings): ManagedAttachment[] {
  const list = settings.managedPolicyArns ?? [];
  if (!Array.isArray(list)) {
    throw new InputError(
      "args.managedPolicyArns",
      pulumi.Output.isInstance(list) ? "[Output]" : list,
      "must be a list (its ARNs may be Outputs; the list itself must be known, as each ARN becomes a child " +
        "resource): for ARNs computed together, pass them by stable key in args.managedPolicies",
    );
  }
  const attachments: ManagedAttachment[] = list.map((arn, i) => {
    const field = `args.managedPolicyArns[${i}]`;
    if (isPlain(arn)) {
      const plain = validateManagedPolicyArn(field, arn);
      return { key: managedPolicyKey(plain), previousKey: String(i), arn: pulumi.output(plain) };
    }
    return { key: String(i), arn: checked(arn, (a) => validateManagedPolicyArn(field, a)) };
  });
  const keyed = settings.managedPolicies ?? {};
  if (keyed === null || typeof keyed !== "object" || Array.isArray(keyed) || !isPlainRecord(keyed)) {
    throw new InputError(
      "args.managedPolicies",
      keyed,
      "must be an object of managed policy ARNs by stable key (the ARNs may be Outputs; the keys must be known now)",
    );
  }
  for (const [key, arn] of Object.entries(keyed)) {
    const field = `args.managedPolicies.${key}`;
    if (!POLICY_KEY.test(key)) {
      throw new InputError(
        field,
        key,
        "the key names a child resource: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
      );
    }
    attachments.push({ key, arn: checked(arn, (a) => validateManagedPolicyArn(field, a)) });
  }
  const seen = new Map<string, string>();
  attachments.forEach((a, i) => {
    const where = i < list.length ? `args.managedPolicyArns[${i}]` : `args.managedPolicies.${a.key}`;
    const earlier = seen.get(a.key);
    if (earlier !== undefined) {
      throw new InputError(
        where,
        a.key,
        `attaches the same policy (or key) as ${earlier}: list each policy once`,
      );
    }
    seen.set(a.key, where);
  });
  return attachments;
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
  for (const { key, previousKey, arn } of role.managed) {
    new aws.iam.RolePolicyAttachment(
      `${name}-managed-${key}`,
      { role: created.name, policyArn: arn },
      // 0.2.0 named attachments by list index: the alias keeps an upgraded stack's attachment.
      {
        parent,
        aliases: previousKey === undefined ? undefined : [{ name: `${name}-managed-${previousKey}` }],
      },
    );
  }
  return { role: created, roleArn: created.arn.apply((arn) => parseRoleArn("roleArn", arn) && arn) };
}
