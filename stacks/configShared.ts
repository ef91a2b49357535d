/**
 * What both stacks' config parsers share: the mechanism, the keys each program reads, stack names.
 * Pure.
 */
import { InputError } from "../components/errors";
import { Mechanism, isMechanism, mechanismRule } from "../components/mechanism";
import { PROJECT, key, notSet, optionalString, type StackSettings } from "./configSource";

export { MECHANISMS, type Mechanism } from "../components/mechanism";

/**
 * The mechanism of a stack whose file does not set `cross-account-irsa:mechanism`: IRSA, the only
 * mechanism before 0.2.0 (documented user-facing behaviour, README "Configuration"). The one default
 * of a mechanism in the stacks.
 */
export const DEFAULT_STACK_MECHANISM: Mechanism = Mechanism.Irsa;

/**
 * The fully qualified name `<organization>/<project>/<stack>` of the other stack, from a stack
 * reference as Pulumi reads one (pulumi/pulumi 1b5949891b3cefcb9974752b24a5ecef0acc86c8,
 * pkg/backend/httpstate/backend.go 1086-1105 and pkg/backend/diy/store.go 138-176): `<stack>`,
 * `<organization>/<stack>` (the project is this one) or `<organization>/<project>/<stack>`. Each part
 * follows Pulumi's rules: an organization as Pulumi Cloud's `stackOwnerRegexp` (backend.go 140; a
 * file:// backend's is `organization`), a project as `tokens.IsName` of at most 100 characters
 * (sdk/go/common/tokens/project.go 28-38), a stack of at most 100 letters, digits, `_`, `.`, `-`
 * (tokens/stack_name.go 51-84). `.` and `..` are refused although Pulumi's pattern admits them: on a
 * file:// backend they are path segments (`.pulumi/stacks/<project>/<stack>.json`).
 */
export function qualifyStackName(
  field: string,
  value: string,
  organization: string,
  project = PROJECT,
): string {
  const parts = value.split("/");
  const refuse = (why: string): never => {
    throw new InputError(
      field,
      value,
      `must be a stack reference <stack>, <organization>/<stack> or <organization>/<project>/<stack>: ${why}`,
    );
  };
  if (parts.length > 3) refuse(`${parts.length} parts`);
  const stack = parts[parts.length - 1];
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(stack)) {
    refuse("a stack name is 1 to 100 letters, digits, '_', '.', '-'");
  }
  if (parts.length === 3 && !/^[A-Za-z0-9_.-]{1,100}$/.test(parts[1])) {
    refuse("a project name is 1 to 100 letters, digits, '_', '.', '-'");
  }
  if (parts.length > 1 && !/^[a-zA-Z0-9][a-zA-Z0-9-_]{1,38}[a-zA-Z0-9]$/.test(parts[0])) {
    refuse(
      "an organization name is 3 to 40 letters, digits, '-', '_', starting and ending with a letter or digit",
    );
  }
  if (parts.some((p) => p === "." || p === "..")) refuse("'.' and '..' are path segments, not names");
  if (parts.length === 3) return value;
  if (parts.length === 2) return `${parts[0]}/${project}/${parts[1]}`;
  return `${organization}/${project}/${value}`;
}

/**
 * The keys of the project's namespace each program reads whatever the mechanism (`program` picks
 * the program). Each mechanism's own keys are its stack config layer's (`mechanisms/<name>/config.ts`);
 * configKeys.ts composes both.
 */
export const ACCOUNT_A_SHARED_KEYS = [
  "accountBStack",
  "cluster",
  "createNamespace",
  "deployProbe",
  // Grants mode (stacks/accountAGrantsConfig.ts): one entry per grant of account-b.
  "grants",
  "mechanism",
  "program",
  "serviceAccount",
] as const;
export const ACCOUNT_B_SHARED_KEYS = [
  "access",
  "accountAStack",
  "bucket",
  "conditionTest",
  "grants",
  "maxSessionDuration",
  "maxTrustPolicySize",
  "mechanism",
  "prefixes",
  "program",
  "roleName",
  "serviceAccounts",
  "trustWholeNamespaces",
] as const;
/** The fields of account-a's `cluster` object every mechanism reads (each mechanism's own: its layer's). */
export const CLUSTER_SHARED_KEYS = [
  "existingName",
  "version",
  "instanceType",
  "desiredCapacity",
  "minSize",
  "maxSize",
  "vpcId",
  "publicSubnetIds",
  "privateSubnetIds",
] as const;

/** `cross-account-irsa:mechanism`, {@link DEFAULT_STACK_MECHANISM} unless set. */
export function parseMechanism(settings: StackSettings): Mechanism {
  const value = optionalString(settings.get, "mechanism") ?? DEFAULT_STACK_MECHANISM;
  if (!isMechanism(value)) throw new InputError(key("mechanism"), value, mechanismRule());
  return value;
}

/**
 * Both stacks must be in one partition: IAM is separate in each, and "you cannot use IAM credentials
 * from one partition to interact with resources in a different partition"
 * (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html).
 * `a` is account-a's region (from its config, or its cluster's ARN), `b` account-b's.
 */
export function partitionMismatch(
  a: { region: string; partition: string; from: string },
  b: { region: string; partition: string },
): InputError | undefined {
  if (a.partition === b.partition) return undefined;
  return new InputError(
    "aws:region",
    b.region,
    `account-b's aws:region ${b.region} is in partition ${b.partition}, account-a's ${a.from} ${a.region}, ` +
      `partition ${a.partition}: EKS Pod Identity cannot chain into a role of another partition (IAM is separate in ` +
      'each; AWS Fault Isolation Boundaries, "Partitions"). Put both stacks in one partition',
  );
}

/** The two stack programs of the project. */
export type ProgramName = "account-a" | "account-b";

/**
 * Which program a stack runs: `cross-account-irsa:program` when set, otherwise the stack name when it
 * is or ends with `account-a` / `account-b` (so `prod-account-a` works without extra config).
 */
export function selectProgramName(stack: string, configured: string | undefined): ProgramName {
  if (configured !== undefined) {
    if (configured === "account-a" || configured === "account-b") return configured;
    throw new InputError(`${PROJECT}:program`, configured, 'must be "account-a" or "account-b"');
  }
  if (stack.endsWith("account-a")) return "account-a";
  if (stack.endsWith("account-b")) return "account-b";
  throw notSet(
    `${PROJECT}:program`,
    `set it to "account-a" or "account-b": stack "${stack}" does not end in account-a or account-b`,
  );
}
