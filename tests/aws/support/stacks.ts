/**
 * The doctor's view of the two stacks when no chain flag is given: an injected workspace that answers
 * `select`, `outputs` and account-a's `aws:region`, and refuses everything that would change a stack
 * (the doctor never calls those).
 */
import { type StackOutputs, type StackWorkspace } from "../../../deploy/workspace";

/** account-a's and account-b's outputs behind the Automation API's workspace interface. */
export function stacksWorkspace(a: StackOutputs, b: StackOutputs): StackWorkspace {
  const outputs: Record<string, StackOutputs> = { "account-a": a, "account-b": b };
  const no = () => Promise.reject(new Error("not used by the doctor"));
  return {
    select: (s) => Promise.resolve(s in outputs),
    outputs: (s) => Promise.resolve(outputs[s]),
    getConfig: (s, k) => Promise.resolve(s === "account-a" && k === "aws:region" ? "us-east-1" : undefined),
    createOrSelect: no,
    up: no,
    preview: no,
    destroy: no,
    qualifiedName: no,
    setConfig: no,
  };
}

/** A stack output as the Automation API gives it, not secret. */
export const plain = (value: unknown) => ({ value, secret: false });
