/**
 * The stacks' outputs and modes as the doctor's grants tests read them (not a test file).
 */
import { outputValues, type StackOutputs } from "../../cli/shared/workspace";
import { exportedMode, pairMode as pairModeOfValues } from "../../stacks/grantsMode";
import { plain } from "../support/stacksWorkspace";
import { type STACKS } from "../support/grantOutputs";

export const SINGLE_A: StackOutputs = {
  clusterName: plain("demo"),
  serviceAccount: plain({ namespace: "apps", name: "reader" }),
};
export const SINGLE_B: StackOutputs = {
  roleArn: plain("arn:aws:iam::444455556666:role/reader"),
  bucketName: plain("team-data"),
  objectKey: plain("irsa-check.txt"),
};

/** A deep copy with `edit` applied. */
export function edited<T>(value: T, edit: (copy: T) => void): T {
  const copy = structuredClone(value);
  edit(copy);
  return copy;
}

export type Entry = Record<string, unknown>;

/** A stack's mode as the doctor and verify read it (no outputs: not deployed). */
export const stackMode = (stack: string, outputs: StackOutputs) =>
  exportedMode(stack, outputValues(outputs), Object.keys(outputs).length > 0);
export const pairMode = (stacks: typeof STACKS, a: StackOutputs, b: StackOutputs) =>
  pairModeOfValues(stacks, outputValues(a), outputValues(b));
