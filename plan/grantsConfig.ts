/**
 * The plan's input in grants mode (`cross-account-irsa:grants`): both stack files validated exactly as
 * the grants-mode programs validate them (stacks/accountBGrantsConfig.ts, stacks/accountAGrantsConfig.ts),
 * before anything runs, and read into what the plan judges each grant by (`planMode.ts` says which
 * mode a pair of files runs). Pure.
 */
import { type StackConfig } from "../stacks/stackFile";
import { parseAccountAGrantsConfig } from "../stacks/accountAGrantsConfig";
import { parseAccountBGrantsConfig } from "../stacks/accountBGrantsConfig";
import { PlanConfigError, stackConfigGetters } from "./config";
import { PLAN_ORGANIZATION, type PlanBinding, type PlanGrantsConfigs, type StackName } from "./planInput";

/** `parse()`, its error wrapped in a {@link PlanConfigError} naming the stack. */
function inStack<T>(stack: StackName, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new PlanConfigError(stack, e);
  }
}

/**
 * Validates both grants-mode stack configs as the programs will, and reads them into the plan's
 * terms. Throws a {@link PlanConfigError} naming the stack, wrapping the InputError.
 */
export function parsePlanGrantsConfigs(
  configA: StackConfig,
  configB: StackConfig,
  organization = PLAN_ORGANIZATION,
): PlanGrantsConfigs {
  const b = inStack("account-b", () => parseAccountBGrantsConfig(stackConfigGetters(configB), organization));
  const a = inStack("account-a", () => parseAccountAGrantsConfig(stackConfigGetters(configA), organization));
  return {
    mode: "grants",
    a: {
      aws: a.aws,
      accountBStack: a.accountBStack,
      cluster: a.cluster,
      grants: a.grants.map((g): PlanBinding => {
        const grant = b.grants.find((x) => x.key === g.key);
        // The grant's only service account when the binding names none (a grant of several, or a key
        // account-b does not have: the program refuses it, naming the field).
        const serviceAccount = g.serviceAccount ?? grant?.serviceAccounts[0] ?? { namespace: "", name: "" };
        return {
          key: g.key,
          mechanisms: [...g.mechanisms],
          serviceAccount: { namespace: serviceAccount.namespace, name: serviceAccount.name },
          deployProbe: g.deployProbe !== false,
        };
      }),
    },
    b: {
      aws: b.aws,
      accountAStack: b.accountAStack,
      grants: b.grants.map((g) => ({
        key: g.key,
        mechanisms: [...g.mechanisms],
        serviceAccounts: g.serviceAccounts.map((sa) => ({ namespace: sa.namespace, name: sa.name })),
        buckets: g.buckets.map((bucket) => ({
          name: bucket.name,
          create: bucket.create,
          access: bucket.access,
          prefixes: [...bucket.prefixes],
          ...(bucket.kmsKeyArn !== undefined ? { kmsKeyArn: bucket.kmsKeyArn } : {}),
          ...(bucket.objectKey !== undefined ? { objectKey: bucket.objectKey } : {}),
        })),
        maxTrustPolicySize: g.maxTrustPolicySize,
      })),
    },
  };
}
