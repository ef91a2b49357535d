import * as pulumi from "@pulumi/pulumi";

/**
 * Helpers for validating `pulumi.Input<T>` args before anything is registered: a plain value can be
 * checked in the constructor; an Output or Promise only once it resolves.
 */

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
