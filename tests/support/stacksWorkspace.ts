/**
 * The stacks as the doctor reads them when no chain flag is given (not a test file): an injected
 * workspace that answers `select`, `outputs` and `aws:region`, and refuses everything that would
 * change a stack (the doctor never calls those).
 */
import { type StackOutputs, type StackWorkspace } from "../../cli/shared/workspace";

/** The stacks' outputs, by stack name, behind the Automation API's workspace interface. */
export function stacksWorkspace(outputs: Record<string, StackOutputs>, region?: string): StackWorkspace {
  const no = () => Promise.reject(new Error("not used by the doctor"));
  return {
    select: (s) => Promise.resolve(s in outputs),
    outputs: (s) => Promise.resolve(outputs[s]),
    getConfig: (_s, k) => Promise.resolve(k === "aws:region" ? region : undefined),
    createOrSelect: no,
    up: no,
    preview: no,
    destroy: no,
    qualifiedName: no,
    setConfig: no,
    getAllConfig: no,
  };
}

/** A stack output as the Automation API gives it, not secret. */
export const plain = (value: unknown) => ({ value, secret: false });
