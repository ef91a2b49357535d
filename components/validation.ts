/**
 * Pure validators shared by the policy core and the components. Each one returns the (possibly
 * normalised) value or throws an {@link InputError} naming the field, the value and the rule.
 */
import { InputError } from "./errors";
import { AWS_PARTITIONS } from "./partitions";

export { AWS_PARTITIONS } from "./partitions";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** @internal exported for the tests only */
export const DNS1123_LABEL_RULE =
  "must be a DNS-1123 label: 1 to 63 lower-case letters, digits or '-', starting and ending with a letter or digit";
export const DNS1123_SUBDOMAIN_RULE =
  "must be a DNS-1123 subdomain: at most 253 characters of lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit";

/** Throws unless `value` is a string (config read from YAML can be anything). */
export function requireString(field: string, value: unknown): string {
  if (typeof value !== "string") throw new InputError(field, value, "must be a string");
  return value;
}

/**
 * Text that goes into an IAM policy document: IAM accepts only tab, line feed, carriage return and
 * U+0020 to U+00FF there ("Policy documents can contain only the following Unicode characters",
 * IAM User Guide, IAM and AWS STS quotas). Throws naming the first character it refuses, so the
 * error comes before deploy, not from IAM.
 */
export function validatePolicyText(field: string, value: string): string {
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    const allowed = code === 0x09 || code === 0x0a || code === 0x0d || (code >= 0x20 && code <= 0xff);
    if (!allowed) {
      throw new InputError(
        field,
        value,
        `must contain only characters IAM accepts in a policy (tab, line feed, carriage return, U+0020 to U+00FF); ` +
          `it contains U+${code.toString(16).toUpperCase().padStart(4, "0")}`,
      );
    }
  }
  return value;
}

/**
 * Refuses an IAM policy variable (`${...}`): IAM substitutes it in Resource and Condition values
 * (`${aws:userid}`, `${$}`), while the offline evaluator, the plan's access matrix and the chain's
 * checks read it literally, so they would show a decision IAM does not make.
 */
export function refusePolicyVariables(field: string, value: string): string {
  if (value.includes("${")) {
    throw new InputError(
      field,
      value,
      "must not contain '${': IAM reads it as a policy variable and substitutes it, so the grant would not be " +
        "what this package checks and shows; name the exact prefix or key",
    );
  }
  return value;
}

/** Throws unless `value` is a boolean. */
export function validateBoolean(field: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new InputError(field, value, "must be true or false");
  return value;
}

/** A Kubernetes namespace name (DNS-1123 label). */
export function validateNamespace(field: string, value: unknown): string {
  const s = requireString(field, value);
  if (s.length > 63 || !DNS1123_LABEL.test(s)) throw new InputError(field, value, DNS1123_LABEL_RULE);
  return s;
}

/** A Kubernetes object name such as a ServiceAccount's (DNS-1123 subdomain). */
export function validateObjectName(field: string, value: unknown): string {
  const s = requireString(field, value);
  if (s.length > 253 || !DNS1123_SUBDOMAIN.test(s)) {
    throw new InputError(field, value, DNS1123_SUBDOMAIN_RULE);
  }
  return s;
}

/**
 * A Kubernetes object name that is also used as a DNS-1123 label (Deployment and Job names end up
 * in pod host names and label values, so they are held to the stricter 63-character label rule).
 */
export function validateLabelName(field: string, value: unknown): string {
  const s = requireString(field, value);
  if (s.length > 63 || !DNS1123_LABEL.test(s)) throw new InputError(field, value, DNS1123_LABEL_RULE);
  return s;
}

/** An AWS partition name (`aws`, `aws-cn`, `aws-us-gov`, ...). */
export function validatePartition(field: string, value: unknown): string {
  const s = requireString(field, value);
  if (!AWS_PARTITIONS.includes(s)) {
    throw new InputError(field, value, `must be one of the AWS partitions ${AWS_PARTITIONS.join(", ")}`);
  }
  return s;
}

/** A 12-digit AWS account id. */
export function validateAccountId(field: string, value: unknown): string {
  const s = requireString(field, value);
  if (!/^\d{12}$/.test(s)) throw new InputError(field, value, "must be a 12-digit AWS account id");
  return s;
}

/** The parts of an IAM OIDC provider ARN. */
export interface OidcProviderArnParts {
  partition: string;
  accountId: string;
  /** The issuer's host/path as IAM stores it (no scheme, no trailing slash). */
  hostPath: string;
}

const OIDC_PROVIDER_ARN = /^arn:([a-z-]+):iam::(\d{12}):oidc-provider\/(.+)$/;

/** Parses `arn:<partition>:iam::<12 digits>:oidc-provider/<host/path>`. */
export function parseOidcProviderArn(field: string, value: unknown): OidcProviderArnParts {
  const s = requireString(field, value);
  const m = OIDC_PROVIDER_ARN.exec(s);
  const rule =
    "must be an IAM OIDC provider ARN: arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host/path>";
  if (!m || /\s/.test(s) || m[3].endsWith("/") || m[3].includes("://")) {
    throw new InputError(field, value, rule);
  }
  if (!AWS_PARTITIONS.includes(m[1])) {
    throw new InputError(field, value, `${rule}; partition must be one of ${AWS_PARTITIONS.join(", ")}`);
  }
  return { partition: m[1], accountId: m[2], hostPath: m[3] };
}

/** The parts of an IAM role ARN. */
export interface RoleArnParts {
  partition: string;
  accountId: string;
  /** The role path, `/` when none. */
  path: string;
  roleName: string;
}

const ROLE_ARN = /^arn:([a-z-]+):iam::(\d{12}):role(\/(?:[\x21-\x7e]+\/)?)([\w+=,.@-]{1,64})$/;

/** Parses `arn:<partition>:iam::<12 digits>:role/<path/><name>`. */
export function parseRoleArn(field: string, value: unknown): RoleArnParts {
  const s = requireString(field, value);
  const m = ROLE_ARN.exec(s);
  if (!m || !AWS_PARTITIONS.includes(m[1])) {
    throw new InputError(
      field,
      value,
      "must be an IAM role ARN: arn:<partition>:iam::<12-digit account>:role/[<path>/]<name>",
    );
  }
  return { partition: m[1], accountId: m[2], path: m[3] ?? "/", roleName: m[4] };
}

/** An IAM role name: 1-64 characters of letters, digits and `+=,.@_-`. */
export function validateRoleName(field: string, value: unknown): string {
  const s = requireString(field, value);
  if (!/^[\w+=,.@-]{1,64}$/.test(s)) {
    throw new InputError(
      field,
      value,
      "must be an IAM role name: 1 to 64 letters, digits or any of + = , . @ _ -",
    );
  }
  return s;
}

/** An IAM path: `/` or `/segments/`, at most 512 printable ASCII characters. */
export function validateIamPath(field: string, value: unknown): string {
  const s = requireString(field, value);
  if (s.length > 512 || !/^\/([\x21-\x7e]*\/)?$/.test(s) || s.includes("//")) {
    throw new InputError(
      field,
      value,
      "must be an IAM path: '/' or '/<segments>/', starting and ending with '/', at most 512 printable characters",
    );
  }
  return s;
}

const BUCKET_RULES: Array<[RegExp | ((s: string) => boolean), string]> = [
  [(s) => s.length >= 3 && s.length <= 63, "must be 3 to 63 characters long"],
  [/^[a-z0-9.-]+$/, "may contain only lower-case letters, digits, '.' and '-'"],
  [/^[a-z0-9].*[a-z0-9]$/, "must begin and end with a lower-case letter or digit"],
  [(s) => !s.includes(".."), "must not contain two adjacent periods"],
  [(s) => !/^\d{1,3}(\.\d{1,3}){3}$/.test(s), "must not be formatted as an IP address"],
  [
    (s) => !/^(xn--|sthree-|amzn-s3-demo-)/.test(s),
    "must not start with the reserved prefixes 'xn--', 'sthree-' or 'amzn-s3-demo-'",
  ],
  [
    (s) => !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(s),
    "must not end with the reserved suffixes '-s3alias', '--ol-s3', '.mrap', '--x-s3' or '--table-s3'",
  ],
];

/** A general-purpose S3 bucket name, by S3's own naming rules. */
export function validateBucketName(field: string, value: unknown): string {
  const s = requireString(field, value);
  for (const [test, rule] of BUCKET_RULES) {
    const ok = typeof test === "function" ? test(s) : test.test(s);
    if (!ok) throw new InputError(field, value, `S3 bucket names ${rule}`);
  }
  return s;
}

/** An S3 object key: 1 to 1024 bytes of UTF-8, no leading `/`, no IAM policy variable. */
export function validateObjectKey(field: string, value: unknown): string {
  const s = requireString(field, value);
  refusePolicyVariables(field, s);
  const bytes = Buffer.byteLength(s, "utf8");
  if (bytes < 1 || bytes > 1024)
    throw new InputError(field, value, "S3 object keys must be 1 to 1024 bytes of UTF-8");
  if (s.startsWith("/")) {
    throw new InputError(field, value, "must not start with '/': S3 keys are relative to the bucket");
  }
  return s;
}

/** A KMS key ARN (aliases are rejected: IAM matches the key ARN, never the alias, in `Resource`). */
export function validateKmsKeyArn(field: string, value: unknown): string {
  const s = requireString(field, value);
  const m = /^arn:([a-z-]+):kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.exec(s);
  if (!m || !AWS_PARTITIONS.includes(m[1])) {
    throw new InputError(
      field,
      value,
      "must be a KMS key ARN arn:<partition>:kms:<region>:<account>:key/<key id> (not an alias: IAM matches the key ARN in Resource)",
    );
  }
  return s;
}

/** An AWS region name such as `eu-west-1`. */
export function validateRegion(field: string, value: unknown): string {
  const s = requireString(field, value);
  if (!/^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(s)) {
    throw new InputError(field, value, "must be an AWS region name such as eu-west-1");
  }
  return s;
}

/** Throws unless `value` is an array with at least `min` items. */
export function requireArray(field: string, value: unknown, min = 0): unknown[] {
  if (!Array.isArray(value)) throw new InputError(field, value, "must be a list");
  if (value.length < min) {
    throw new InputError(field, value, `must list at least ${min} item${min === 1 ? "" : "s"}`);
  }
  return value;
}

/** Throws unless `value` is a whole number within [min, max]. */
export function validateInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(field, value, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const LABEL_RULE =
  "Kubernetes label keys are an optional DNS-1123 subdomain prefix and '/', then a name of 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit; values are empty or follow the same rule as the name";

/** Kubernetes labels (or any string map used as labels): keys and values by the API server's rules. */
export function validateLabels(field: string, value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(field, value, "must be a map of label names to string values");
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix));
    if (!prefixOk || name.length > 63 || !LABEL_NAME.test(name)) {
      throw new InputError(`${field}[${JSON.stringify(key)}]`, key, LABEL_RULE);
    }
    if (typeof v !== "string" || (v !== "" && (v.length > 63 || !LABEL_NAME.test(v)))) {
      throw new InputError(`${field}[${JSON.stringify(key)}]`, v, LABEL_RULE);
    }
  }
  return value as Record<string, string>;
}

/** An EKS cluster name: 1 to 100 letters, digits, '-' or '_', starting with a letter or digit. */
export function validateEksClusterName(field: string, value: unknown): string {
  const s = requireString(field, value);
  if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(s)) {
    throw new InputError(
      field,
      value,
      "must be an EKS cluster name: 1 to 100 letters, digits, '-' or '_', starting with a letter or digit",
    );
  }
  return s;
}

/** A Kubernetes minor version as EKS takes it, such as `1.33`. */
export function validateKubernetesVersion(field: string, value: unknown): string {
  const s = requireString(field, value);
  if (!/^1\.\d{1,3}$/.test(s)) {
    throw new InputError(field, value, "must be a Kubernetes minor version as EKS takes it, such as 1.33");
  }
  return s;
}

/** An EC2 instance type such as `t3.medium` or `m7g.large`. */
export function validateInstanceType(field: string, value: unknown): string {
  const s = requireString(field, value);
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/.test(s)) {
    throw new InputError(field, value, "must be an EC2 instance type such as t3.medium");
  }
  return s;
}

/** An EC2 resource id with the given prefix, such as `vpc-0abc...` or `subnet-0abc...`. */
export function validateEc2Id(field: string, value: unknown, prefix: "vpc" | "subnet"): string {
  const s = requireString(field, value);
  if (!new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(s)) {
    throw new InputError(
      field,
      value,
      `must be an EC2 ${prefix} id: '${prefix}-' followed by 8 to 17 hex digits`,
    );
  }
  return s;
}

/** A managed policy ARN: `arn:<partition>:iam::<account or "aws">:policy/[<path>/]<name>`. */
export function validateManagedPolicyArn(field: string, value: unknown): string {
  const s = requireString(field, value);
  const m = /^arn:([a-z-]+):iam::(aws|\d{12}):policy\/[\x21-\x7e]+$/.exec(s);
  if (!m || !AWS_PARTITIONS.includes(m[1])) {
    throw new InputError(
      field,
      value,
      "must be a managed policy ARN arn:<partition>:iam::<account or aws>:policy/[<path>/]<name>",
    );
  }
  return s;
}

/**
 * A container image reference: non-empty, no whitespace, and pinned (a tag other than `latest`, or
 * a digest), so the same program deploys the same bits.
 */
export function validateContainerImage(field: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 1024 || /\s/.test(value)) {
    throw new InputError(field, value, "must be a container image reference such as registry/repository:tag");
  }
  const lastSegment = value.slice(value.lastIndexOf("/") + 1);
  const pinned =
    value.includes("@sha256:") || (lastSegment.includes(":") && !lastSegment.endsWith(":latest"));
  if (!pinned) {
    throw new InputError(
      field,
      value,
      "must be pinned to a tag other than 'latest' or to a digest (registry/repository:tag or registry/repository@sha256:...)",
    );
  }
  return value;
}

/** AWS resource tags: keys of 1 to 128 characters not starting with `aws:`, string values of at most 256. */
export function validateTags(field: string, value: unknown): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(field, value, "must be a map of tag keys to string values");
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key.length === 0 || key.length > 128 || key.startsWith("aws:")) {
      throw new InputError(
        `${field}[${JSON.stringify(key)}]`,
        key,
        "tag keys are 1 to 128 characters and must not start with 'aws:'",
      );
    }
    if (typeof v !== "string" || v.length > 256) {
      throw new InputError(
        `${field}[${JSON.stringify(key)}]`,
        v,
        "tag values are strings of at most 256 characters",
      );
    }
  }
}
