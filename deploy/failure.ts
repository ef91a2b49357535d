/**
 * The failure report of a deploy, preview or destroy: what failed, where, why the state is still
 * consistent, and how to resume.
 */
import { type ErrorDiagnostic, type FailedResource, type Phase, resourceTypeFromUrn } from "./progress";

/** The command a failure happened in. */
export type CommandName = "deploy" | "destroy" | "preview";

/** Everything a failure report needs to say what failed, where, and how to resume. */
export interface FailureContext {
  command: CommandName;
  /** The phase that failed; undefined when the failure came while creating or selecting the stacks. */
  phase?: Phase;
  /** What was being done, e.g. `up account-b` or `create or select stack account-a`. */
  step: string;
  /** The stack the failure belongs to. */
  stack: string;
  /** The last resource operation the engine reported as failed. */
  failedResource?: FailedResource;
  /** The last error diagnostic of the phase. */
  errorDiagnostic?: ErrorDiagnostic;
  /** The error the operation rejected with. */
  error: unknown;
  /** True when the user interrupted the run (Ctrl-C). */
  interrupted: boolean;
  /** The command line that resumes this command, e.g. `npm run deploy -- --stack-a dev-a`. */
  resumeCommand: string;
  /**
   * What to put before `pulumi` in hints so the CLI reaches the same backend and stack config,
   * e.g. `cd /repo && PULUMI_BACKEND_URL=file:///state `.
   */
  pulumiPrefix: string;
}

/** What kind of failure the error text describes, for picking recovery hints. */
export interface FailureKind {
  /** Another update holds the stack's lock (or a killed one left it behind). */
  locked: boolean;
  /** The state records operations that were in flight when an update stopped. */
  pendingOperations: boolean;
  /** The update was interrupted rather than failing on its own. */
  interrupted: boolean;
}

/**
 * The useful part of an error: for the Automation API's `CommandError` (whose message is
 * `code: ...\n stdout: ...\n stderr: ...\n err?: ...`) the `error:` lines of stderr, otherwise the
 * message itself. At most `maxLines` lines.
 */
export function errorText(error: unknown, maxLines = 8): string {
  const message = error instanceof Error ? error.message : String(error);
  const stderrAt = message.indexOf("\n stderr: ");
  let text = message;
  if (message.startsWith("code: ") && stderrAt >= 0) {
    const errAt = message.indexOf("\n err?: ", stderrAt);
    text = message.slice(stderrAt + "\n stderr: ".length, errAt < 0 ? undefined : errAt);
    const errLines = text.split("\n").filter((l) => /\berror:/i.test(l));
    if (errLines.length > 0) text = errLines.join("\n");
    if (text.trim() === "") text = message;
  }
  const lines = text
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "");
  const kept = lines.slice(0, maxLines);
  if (lines.length > maxLines) kept.push(`... (${lines.length - maxLines} more lines)`);
  return kept.join("\n");
}

/** Classifies a failure from its error text (and whether the user interrupted the run). */
export function classifyFailure(text: string, interrupted: boolean): FailureKind {
  const locked =
    /currently locked|another update is currently in progress|\[409\] conflict|ConcurrentUpdateError/i.test(
      text,
    );
  const pendingOperations = /pending operation|pending_operations|interrupted while/i.test(text);
  const wasInterrupted =
    interrupted || /\b(update|destroy) (was )?(canceled|cancelled|interrupted)\b/i.test(text);
  return { locked, pendingOperations, interrupted: wasInterrupted };
}

/** The resource a failure names: the failed operation's resource, else the error diagnostic's. */
export function failedResourceDescription(
  ctx: Pick<FailureContext, "failedResource" | "errorDiagnostic">,
): string {
  if (ctx.failedResource) {
    const r = ctx.failedResource;
    return `${r.type} "${r.name}" (${r.op} failed)`;
  }
  const urn = ctx.errorDiagnostic?.urn;
  if (urn && !urn.includes("::pulumi:pulumi:Stack::")) {
    return `${resourceTypeFromUrn(urn)} "${ctx.errorDiagnostic?.name ?? urn}"`;
  }
  return "no single resource (the error came from the program, the stack configuration or the Pulumi CLI)";
}

/**
 * The failure report: the stack, the phase and the resource that failed, the cause, why the state is
 * still consistent, and how to resume (with `pulumi cancel` / `pulumi refresh --clear-pending-creates`
 * hints when the stack is locked or the update was interrupted).
 */
export function formatFailure(ctx: FailureContext): string[] {
  const where = ctx.phase ? `phase ${ctx.phase.index}/${ctx.phase.total} (${ctx.step})` : ctx.step;
  const cause = ctx.errorDiagnostic?.message ?? errorText(ctx.error);
  const causeText = errorText(cause);
  const kind = classifyFailure(`${causeText}\n${errorText(ctx.error, 50)}`, ctx.interrupted);
  const lines = [
    `${ctx.command} ${kind.interrupted ? "interrupted" : "failed"} in ${where}`,
    `  stack:    ${ctx.stack}`,
    `  resource: ${failedResourceDescription(ctx)}`,
    ...causeText.split("\n").map((l, i) => (i === 0 ? `  cause:    ${l}` : `            ${l}`)),
  ];
  const pulumi = `${ctx.pulumiPrefix}pulumi`;
  if (ctx.command === "preview") {
    lines.push("Nothing was changed: a preview does not touch resources or state.");
    lines.push(`Fix the cause, then run \`${ctx.resumeCommand}\` again.`);
    return lines;
  }
  lines.push(
    `The state is consistent: Pulumi checkpoints ${ctx.stack}'s state after every resource operation, ` +
      "so everything that finished is recorded and will not be done twice.",
  );
  if (kind.locked) {
    lines.push(
      `${ctx.stack} is locked by another update. If no other ${ctx.command} is running (for example it was ` +
        `killed), release the lock with \`${pulumi} cancel --stack ${ctx.stack} --yes\`.`,
    );
  }
  if (kind.interrupted || kind.pendingOperations) {
    lines.push(
      "Operations that were in flight when the update stopped are recorded as pending: a resource may exist " +
        "in AWS without being in the state. Reconcile them with " +
        `\`${pulumi} refresh --clear-pending-creates --stack ${ctx.stack} --yes\` ` +
        "(it drops pending creates that never finished; delete any such orphan in the AWS console or import it).",
    );
  }
  const rerun =
    ctx.command === "deploy"
      ? "it selects both stacks, decides the order again from their config and outputs, and runs its phases; finished work shows as unchanged."
      : "it destroys what is left, stack by stack, in the same order.";
  lines.push(`To resume: fix the cause, then run \`${ctx.resumeCommand}\` again; ${rerun}`);
  return lines;
}
