/**
 * What both stacks' config parsers share: the mechanism, the keys each program reads, stack names.
 * Pure.
 */
import { IrsaInputError } from "../components/errors";
import { PROJECT, key, optionalString, type StackSettings } from "./configSource";

/** How the workload's pods reach account B: IRSA, or EKS Pod Identity cross-account. */
export type Mechanism = "irsa" | "pod-identity";
export const MECHANISMS: readonly Mechanism[] = ["irsa", "pod-identity"];

/**
 * The fully qualified name `<organization>/<project>/<stack>` of the other stack: works on Pulumi
 * Cloud and on self-managed backends (where the organization is `organization`).
 */
export function qualifyStackName(
  field: string,
  value: string,
  organization: string,
  project = PROJECT,
): string {
  const parts = value.split("/");
  const segment = /^[A-Za-z0-9_.-]+$/;
  if (parts.length > 3 || parts.some((p) => !segment.test(p))) {
    throw new IrsaInputError(
      field,
      value,
      "must be a stack name: <stack>, <project>/<stack> or <organization>/<project>/<stack>, each of letters, digits, '_', '.', '-'",
    );
  }
  if (parts.length === 3) return value;
  if (parts.length === 2) return `${organization}/${value}`;
  return `${organization}/${project}/${value}`;
}

/** The keys of the project's namespace each program reads (`program` picks the program). */
export const ACCOUNT_A_KEYS = [
  "accountBStack",
  "cluster",
  "createNamespace",
  "deployProbe",
  "mechanism",
  "program",
  "serviceAccount",
] as const;
export const ACCOUNT_B_KEYS = [
  "access",
  "accountAStack",
  "bucket",
  "conditionTest",
  "existingOidcProviderArn",
  "maxSessionDuration",
  "maxTrustPolicySize",
  "mechanism",
  "prefixes",
  "program",
  "roleName",
  "serviceAccounts",
  "trustWholeNamespaces",
] as const;

/** `cross-account-irsa:mechanism`, `irsa` unless set. */
export function parseMechanism(settings: StackSettings): Mechanism {
  const value = optionalString(settings.get, "mechanism") ?? "irsa";
  if (!(MECHANISMS as readonly string[]).includes(value)) {
    throw new IrsaInputError(key("mechanism"), value, 'must be "irsa" or "pod-identity"');
  }
  return value as Mechanism;
}
