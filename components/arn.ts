/**
 * The one ARN parser: `arn:<partition>:<service>:<region>:<account>:<resource>` ("Amazon Resource
 * Names (ARNs)", https://docs.aws.amazon.com/general/latest/gr/aws-arns-and-namespaces.html: the
 * region, the account or both are empty for some resources; the resource may hold `:` and `/`).
 * It checks the shape only (no service's own rules) and never assumes a partition: an ARN without a
 * readable partition is refused, naming the field of the ARN that is wrong.
 *
 * Pure: no Pulumi or AWS package is imported.
 */
import { IrsaInputError } from "./errors";

/** The parts of an ARN. `region` and `account` are empty strings where the ARN has none. */
export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  /** 12 digits, `aws` (AWS managed policies), or empty. */
  account: string;
  resource: string;
}

const PARTS: ReadonlyArray<{ name: keyof ArnParts; rule: RegExp; words: string }> = [
  { name: "partition", rule: /^aws(-[a-z]+)*$/, words: "aws or aws-<name> (aws-cn, aws-us-gov, ...)" },
  { name: "service", rule: /^[a-z0-9-]+$/, words: "lowercase letters, digits and -" },
  { name: "region", rule: /^([a-z0-9-]+)?$/, words: "a region code or empty" },
  { name: "account", rule: /^(\d{12}|aws)?$/, words: "12 digits, aws or empty" },
  { name: "resource", rule: /^\S+$/, words: "not empty, no whitespace" },
];

/** Why `value` is no ARN (the field of the ARN that is wrong), or undefined with its parts. */
function parse(value: unknown): { parts: ArnParts } | { why: string } {
  if (typeof value !== "string") return { why: "must be an ARN string" };
  const fields = value.split(":");
  if (fields[0] !== "arn" || fields.length < 6) {
    return { why: "must be an ARN, arn:<partition>:<service>:<region>:<account>:<resource>" };
  }
  const values = [...fields.slice(1, 5), fields.slice(5).join(":")];
  const parts = {} as ArnParts;
  for (const [i, p] of PARTS.entries()) {
    if (!p.rule.test(values[i])) {
      return { why: `its ${p.name} ${JSON.stringify(values[i])} must be ${p.words}` };
    }
    parts[p.name] = values[i];
  }
  return { parts };
}

/** The parts of an ARN; throws an `IrsaInputError` naming `field`, the value and the ARN's wrong part. */
export function parseArn(field: string, value: unknown): ArnParts {
  const r = parse(value);
  if ("why" in r) throw new IrsaInputError(field, value, r.why);
  return r.parts;
}

/** The parts of an ARN, or undefined when `value` is none (for facts read from AWS, judged elsewhere). */
export function tryParseArn(value: unknown): ArnParts | undefined {
  const r = parse(value);
  return "parts" in r ? r.parts : undefined;
}

/** The partition and account of an IAM role ARN (`arn:<partition>:iam::<12 digits>:role/<path><name>`), or undefined. */
export function roleArnParts(value: unknown): { partition: string; account: string } | undefined {
  const arn = tryParseArn(value);
  if (arn?.service !== "iam" || arn.region !== "" || !/^\d{12}$/.test(arn.account)) return undefined;
  return arn.resource.startsWith("role/") ? { partition: arn.partition, account: arn.account } : undefined;
}
