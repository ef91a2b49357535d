/**
 * The chain's names read from the two stacks: account-a's and account-b's outputs (and account-a's
 * region from its config) through the StackWorkspace (cli/shared/workspace.ts). The mapping from outputs is pure; only
 * {@link readStackInputs} talks to the workspace.
 */
import { type ChainInputs } from "./args";
import { isRecord } from "../components/values";
import { exportedMechanism } from "../mechanisms/compat";
import { type StackPair } from "../cli/shared/stacks";
import { type StackOutputs, type StackWorkspace } from "../cli/shared/workspace";

/** Why the stacks do not name a chain: said to the user, who can also name it explicitly. */
export class StackInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackInputError";
  }
}

const EXPLICIT_HINT =
  "deploy the stacks (npm run deploy), or name the chain with --role-arn, --cluster, --namespace, " +
  "--service-account, --bucket and --key";

function str(outputs: StackOutputs, key: string): string | undefined {
  const v = outputs[key]?.value;
  return typeof v === "string" && v !== "" ? v : undefined;
}

function serviceAccountOf(outputs: StackOutputs): { namespace: string; name: string } | undefined {
  const v = outputs.serviceAccount?.value;
  if (isRecord(v)) {
    const { namespace, name } = v;
    if (typeof namespace === "string" && typeof name === "string") return { namespace, name };
  }
  return undefined;
}

/**
 * The chain the two stacks describe: the cluster and kubeconfig from account-a, the role, bucket,
 * object and region from account-b, the ServiceAccount from account-a (else the one account-b
 * trusts); with Pod Identity, the source role from account-a (else the one account-b trusts) and the
 * mechanism from account-a. Throws a {@link StackInputError} naming the missing output, and an
 * `InputError` naming account-a's `mechanism` output when it is no mechanism this version knows.
 *
 * @internal exported for the tests only
 */
export function chainFromStacks(
  stacks: StackPair,
  a: StackOutputs,
  b: StackOutputs,
  clusterRegion: string | undefined,
): ChainInputs {
  const need = (outputs: StackOutputs, stack: string, key: string): string => {
    const v = str(outputs, key);
    if (v === undefined) throw new StackInputError(`stack ${stack} has no ${key} output: ${EXPLICIT_HINT}`);
    return v;
  };
  const sa = serviceAccountOf(a) ?? serviceAccountOf(b);
  if (sa === undefined) {
    throw new StackInputError(
      `neither ${stacks.a} nor ${stacks.b} has a serviceAccount output: ${EXPLICIT_HINT}`,
    );
  }
  const kubeconfig = a.kubeconfig?.value;
  const bucketRegion = str(b, "region");
  const sourceRoleArn = str(a, "sourceRoleArn") ?? str(b, "sourceRoleArn");
  // No output: the stacks do not say (--mechanism decides, else IRSA, mechanisms/compat.ts's rule).
  // One this version does not know (a newer stack's, or a typo) is refused by name, never ignored.
  const exported = a.mechanism?.value;
  const mechanism =
    exported === undefined ? undefined : exportedMechanism(`${stacks.a} output mechanism`, exported);
  return {
    roleArn: need(b, stacks.b, "roleArn"),
    ...(sourceRoleArn !== undefined ? { sourceRoleArn } : {}),
    ...(mechanism !== undefined ? { mechanism } : {}),
    clusterName: need(a, stacks.a, "clusterName"),
    ...(clusterRegion !== undefined ? { clusterRegion } : {}),
    namespace: sa.namespace,
    serviceAccount: sa.name,
    bucket: need(b, stacks.b, "bucketName"),
    key: need(b, stacks.b, "objectKey"),
    ...(bucketRegion !== undefined ? { bucketRegion } : {}),
    ...(typeof kubeconfig === "string" && kubeconfig !== ""
      ? { kubeconfig }
      : kubeconfig !== null && typeof kubeconfig === "object"
        ? { kubeconfig: JSON.stringify(kubeconfig) }
        : {}),
  };
}

/**
 * Reads both stacks' outputs and account-a's `aws:region` (unless `clusterRegion` is given); throws a
 * {@link StackInputError} for a stack that does not exist.
 */
export async function readStackOutputs(
  workspace: StackWorkspace,
  stacks: StackPair,
  clusterRegion: string | undefined,
): Promise<{ a: StackOutputs; b: StackOutputs; region: string | undefined }> {
  for (const stack of [stacks.a, stacks.b]) {
    if (!(await workspace.select(stack))) {
      throw new StackInputError(`stack ${stack} does not exist: ${EXPLICIT_HINT}`);
    }
  }
  const a = await workspace.outputs(stacks.a);
  const b = await workspace.outputs(stacks.b);
  const region = clusterRegion ?? (await workspace.getConfig(stacks.a, "aws:region"));
  return { a, b, region };
}

/** Reads both stacks' outputs (and account-a's `aws:region`) and maps them to the chain. */
export async function readStackInputs(
  workspace: StackWorkspace,
  stacks: StackPair,
  clusterRegion: string | undefined,
): Promise<ChainInputs> {
  const { a, b, region } = await readStackOutputs(workspace, stacks, clusterRegion);
  return chainFromStacks(stacks, a, b, region);
}
