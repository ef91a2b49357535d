/**
 * Progress of a stack operation from the engine's events: one line per resource operation, the
 * change summary, and the outputs with secrets masked.
 */
import type { EngineEvent, OpMap, SummaryEvent } from "@pulumi/pulumi/automation";
import type { StackOutputs } from "../cli/shared/workspace";

/** The three kinds of stack operation the orchestration runs. */
export type OperationKind = "up" | "preview" | "destroy";

/** One step of a command: which stack, which operation, and where it sits in the sequence. */
export interface Phase {
  /** 1-based position in the command's sequence. */
  index: number;
  /** Number of phases in the command. */
  total: number;
  /** The stack name as the user gave it. */
  stack: string;
  kind: OperationKind;
}

/** A resource operation that the engine reported as failed. */
export interface FailedResource {
  op: string;
  type: string;
  name: string;
  urn: string;
}

/** An error diagnostic, with the resource it is about when the engine said. */
export interface ErrorDiagnostic {
  message: string;
  urn?: string;
  /** The resource's name, taken from the URN. */
  name?: string;
}

/** Resource counts of a finished operation, grouped the way the summary line shows them. */
export interface ChangeCounts {
  created: number;
  updated: number;
  replaced: number;
  deleted: number;
  unchanged: number;
}

/** The phase label that prefixes every line of a phase, e.g. `[2/3 account-b]`. */
export function phaseLabel(phase: Phase): string {
  return `[${phase.index}/${phase.total} ${phase.stack}]`;
}

/**
 * The resource name in a URN (`urn:pulumi:<stack>::<project>::<type path>::<name>`).
 *
 * @internal exported for the tests only
 */
export function resourceNameFromUrn(urn: string): string {
  const at = urn.lastIndexOf("::");
  return at < 0 ? urn : urn.slice(at + 2);
}

/** The resource type in a URN: the last `$`-separated element of the type path. */
export function resourceTypeFromUrn(urn: string): string {
  const parts = urn.split("::");
  if (parts.length < 4) return "";
  const typePath = parts[parts.length - 2];
  return typePath.slice(typePath.lastIndexOf("$") + 1);
}

const ANSI_ESCAPE = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*[A-Za-z]", "g");
const PULUMI_COLOR_TAG = /<\{%[^%]*%\}>/g;

/**
 * Removes ANSI escapes and Pulumi's `<{%...%}>` colour tags from engine text.
 *
 * @internal exported for the tests only
 */
export function stripColor(text: string): string {
  return text.replace(PULUMI_COLOR_TAG, "").replace(ANSI_ESCAPE, "");
}

/** Seconds with one decimal, e.g. `12.3s`. */
export function formatSeconds(milliseconds: number): string {
  return `${(Math.max(0, milliseconds) / 1000).toFixed(1)}s`;
}

/** The fields of one progress line. */
export interface ResourceLine {
  label: string;
  /** Time since the phase started. */
  elapsedMs: number;
  op: string;
  type: string;
  name: string;
  /** How long the operation itself took, when known. */
  durationMs?: number;
  failed?: boolean;
}

/**
 * One progress line per resource operation:
 * `[2/3 account-b]  +14.2s create  aws:iam/role:Role irsa-role (3.1s)`.
 *
 * @internal exported for the tests only
 */
export function formatResourceLine(line: ResourceLine): string {
  const elapsed = `+${formatSeconds(line.elapsedMs)}`.padStart(8);
  const op = (line.failed ? `${line.op} FAILED` : line.op).padEnd(7);
  const took = line.durationMs === undefined ? "" : ` (${formatSeconds(line.durationMs)})`;
  return `${line.label} ${elapsed} ${op} ${line.type} ${line.name}${took}`;
}

/**
 * Groups an engine op map into the counts the summary line shows.
 *
 * @internal exported for the tests only
 */
export function countChanges(changes: OpMap): ChangeCounts {
  const n = (op: keyof OpMap): number => changes[op] ?? 0;
  return {
    created: n("create") + n("import"),
    updated: n("update"),
    replaced: n("replace"),
    deleted: n("delete"),
    unchanged: n("same"),
  };
}

/**
 * The final line of a phase:
 * `[2/3 account-b] up done in 14.2s: 2 created, 1 updated, 0 deleted, 5 unchanged`.
 * Previews say what would happen (`2 to create, ...`); replacements are listed only when there are
 * any. For a phase that failed (`stopped`), the counts are what finished before the failure.
 */
export function formatChangeSummary(
  phase: Phase,
  changes: OpMap,
  durationMs?: number,
  stopped = false,
): string {
  const c = countChanges(changes);
  const label = `${phaseLabel(phase)} ${phase.kind} ${stopped ? "stopped" : "done"}`;
  const took = durationMs === undefined ? "" : ` ${stopped ? "after" : "in"} ${formatSeconds(durationMs)}`;
  if (phase.kind === "preview") {
    const parts = [`${c.created} to create`, `${c.updated} to update`];
    if (c.replaced > 0) parts.push(`${c.replaced} to replace`);
    parts.push(`${c.deleted} to delete`, `${c.unchanged} unchanged`);
    return `${label}${took}: ${parts.join(", ")}`;
  }
  const parts = [`${c.created} created`, `${c.updated} updated`];
  if (c.replaced > 0) parts.push(`${c.replaced} replaced`);
  parts.push(`${c.deleted} deleted`, `${c.unchanged} unchanged`);
  return `${label}${took}: ${parts.join(", ")}`;
}

/**
 * How an output is shown: `[secret]` for secrets, strings as they are, anything else as JSON.
 *
 * @internal exported for the tests only
 */
export function displayOutputValue(value: unknown, secret: boolean): string {
  if (secret) return "[secret]";
  if (typeof value === "string") return value;
  if (value === undefined) return "undefined";
  return JSON.stringify(value);
}

/** A stack's outputs as printed at the end of a deploy, sorted by name, secrets masked. */
export function formatOutputs(stack: string, outputs: StackOutputs): string[] {
  const names = Object.keys(outputs).sort();
  if (names.length === 0) return [`${stack} outputs: (none)`];
  return [
    `${stack} outputs:`,
    ...names.map((name) => `  ${name}: ${displayOutputValue(outputs[name].value, outputs[name].secret)}`),
  ];
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The engine's closing error on the stack resource, which says nothing about the cause. */
const GENERIC_FAILURE = /^(update|preview|destroy|refresh) failed\.?$/i;

/**
 * Turns the engine events of one phase into progress lines, and remembers what a failure report
 * needs: the last failed resource operation, the error diagnostics and the summary event.
 *
 * Updates and destroys print a line when a resource operation finishes (with how long it took) or
 * fails; previews print a line per planned step. Warnings and errors are printed as they come.
 */
export class ProgressTracker {
  readonly phase: Phase;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly startedSteps = new Map<string, number>();
  /** The last resource operation the engine reported as failed. */
  lastFailure: FailedResource | undefined;
  /** Every error diagnostic of the phase, in order. */
  readonly errors: ErrorDiagnostic[] = [];
  /** The engine's summary event, when it sent one. */
  summary: SummaryEvent | undefined;

  /** Starts timing the phase now. */
  constructor(phase: Phase, now: () => number) {
    this.phase = phase;
    this.now = now;
    this.startedAt = now();
  }

  /** Milliseconds since the phase started. */
  elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  /** Records an engine event and returns the lines to print for it (often none). */
  handle(event: EngineEvent): string[] {
    const label = phaseLabel(this.phase);
    if (event.resourcePreEvent) {
      const meta = event.resourcePreEvent.metadata;
      this.startedSteps.set(stepKey(meta.op, meta.urn), this.now());
      if (this.phase.kind === "preview" && meta.type !== ROOT_STACK_TYPE) {
        return [this.line(meta.op, meta.type, meta.urn)];
      }
      return [];
    }
    if (event.resOutputsEvent) {
      const meta = event.resOutputsEvent.metadata;
      if (this.phase.kind === "preview" || event.resOutputsEvent.planning || meta.type === ROOT_STACK_TYPE) {
        return [];
      }
      return [this.line(meta.op, meta.type, meta.urn, this.took(meta.op, meta.urn))];
    }
    if (event.resOpFailedEvent) {
      const meta = event.resOpFailedEvent.metadata;
      this.lastFailure = {
        op: meta.op,
        type: meta.type,
        name: resourceNameFromUrn(meta.urn),
        urn: meta.urn,
      };
      return [this.line(meta.op, meta.type, meta.urn, this.took(meta.op, meta.urn), true)];
    }
    if (event.diagnosticEvent) {
      const diag = event.diagnosticEvent;
      if (diag.ephemeral) return [];
      const message = stripColor(diag.message).trim();
      if (message === "") return [];
      const name = diag.urn ? resourceNameFromUrn(diag.urn) : undefined;
      if (diag.severity === "error") {
        this.errors.push({ message, urn: diag.urn, name });
      }
      const about = diag.urn && !diag.urn.includes(`::${ROOT_STACK_TYPE}::`) ? ` ${name}` : "";
      const severity = diag.severity === "info#err" ? "info" : diag.severity;
      const [first, ...rest] = message.split("\n");
      return [`${label} ${severity}${about}: ${first}`, ...rest.map((l) => `${label}   ${l}`)];
    }
    if (event.summaryEvent) {
      this.summary = event.summaryEvent;
    }
    return [];
  }

  /**
   * The error that explains the failure: the last one about the failed resource; else the last one
   * that is not the engine's closing `update failed` on the stack; else the last one.
   */
  get lastError(): ErrorDiagnostic | undefined {
    const failedUrn = this.lastFailure?.urn;
    const about = failedUrn ? this.errors.filter((e) => e.urn === failedUrn) : [];
    if (about.length > 0) return about[about.length - 1];
    const specific = this.errors.filter((e) => !GENERIC_FAILURE.test(e.message));
    return specific[specific.length - 1] ?? this.errors[this.errors.length - 1];
  }

  private took(op: string, urn: string): number | undefined {
    const started = this.startedSteps.get(stepKey(op, urn));
    return op === "same" || started === undefined ? undefined : this.now() - started;
  }

  private line(op: string, type: string, urn: string, durationMs?: number, failed = false): string {
    return formatResourceLine({
      label: phaseLabel(this.phase),
      elapsedMs: this.elapsedMs(),
      op,
      type: type || resourceTypeFromUrn(urn),
      name: resourceNameFromUrn(urn),
      durationMs,
      failed,
    });
  }
}

function stepKey(op: string, urn: string): string {
  return `${op} ${urn}`;
}
