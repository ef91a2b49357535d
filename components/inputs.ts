/**
 * Helpers for validating `pulumi.Input<T>` args before anything is registered: a plain value can be
 * checked in the constructor; an Output or Promise only once it resolves.
 */
import * as pulumi from "@pulumi/pulumi";
import { IrsaInputError } from "./errors";

/** True when the value holds no Output or Promise anywhere inside (plain config data). */
export function isPlain(value: unknown): boolean {
  if (pulumi.Output.isInstance(value) || value instanceof Promise) return false;
  if (Array.isArray(value)) return value.every(isPlain);
  if (value !== null && typeof value === "object") return Object.values(value).every(isPlain);
  return true;
}

/**
 * Runs `check` now when `value` is plain (so bad input throws before any resource is registered),
 * or once it resolves otherwise; returns the value as an Output either way.
 */
export function checked<T, U>(value: pulumi.Input<T>, check: (plain: T) => U): pulumi.Output<U> {
  if (isPlain(value)) {
    const result = check(value as T);
    return pulumi.output<U>(result as pulumi.Input<U>) as pulumi.Output<U>;
  }
  const output: pulumi.Output<unknown> = pulumi.output(value);
  return output.apply<U>((v) => check(v as T));
}

/** Validators of a component's args, by arg name; each gets `args.<name>` and the value. */
export type ArgChecks = Record<string, (field: string, value: unknown) => unknown>;

/**
 * Checks a component's args: the required ones are present, and every one that is a plain value
 * passes its validator (Outputs are checked again once they resolve). Throws an
 * {@link IrsaInputError} naming `args.<name>`, the value and the rule.
 */
export function checkPlainArgs(args: unknown, checks: ArgChecks, required: readonly string[]): void {
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    throw new IrsaInputError("args", args, "must be an object");
  }
  const record = args as Record<string, unknown>;
  for (const key of required) {
    if (record[key] === undefined || record[key] === null) {
      throw new IrsaInputError(`args.${key}`, record[key], "is required");
    }
  }
  for (const [key, check] of Object.entries(checks)) {
    const value = record[key];
    if (value !== undefined && isPlain(value)) check(`args.${key}`, value);
  }
}

/** Throws an {@link IrsaInputError} unless a component's args are an object. */
export function requireArgs(args: unknown): asserts args is object {
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    throw new IrsaInputError("args", args, "must be an object");
  }
}
