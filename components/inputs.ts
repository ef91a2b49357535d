/**
 * Helpers for validating `pulumi.Input<T>` args before anything is registered: a plain value can be
 * checked in the constructor; an Output or Promise only once it resolves.
 */
import * as pulumi from "@pulumi/pulumi";
import { InputError } from "./errors";

/** True when the value itself is an Output or a Promise: what it holds is not known yet. */
export function isPending(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/**
 * True when the value holds no Output or Promise anywhere inside (plain config data): null,
 * undefined, primitives, arrays and objects (class instances too) whose every element or own
 * enumerable property is plain.
 */
export function isPlain(value: unknown): boolean {
  if (isPending(value)) return false;
  if (Array.isArray(value)) return value.every(isPlain);
  if (value !== null && typeof value === "object") return Object.values(value).every(isPlain);
  return true;
}

/** True for an arg that is given (not undefined) and plain ({@link isPlain}): it can be validated now. */
export function isPlainGiven(value: unknown): boolean {
  return value !== undefined && isPlain(value);
}

/** The checks of one component's args (see {@link argChecks}); abandoned when the constructor threw. */
interface CheckScope {
  abandoned: boolean;
  outer: CheckScope | undefined;
}

let currentScope: CheckScope | undefined;

function abandoned(scope: CheckScope | undefined): boolean {
  return scope !== undefined && (scope.abandoned || abandoned(scope.outer));
}

/**
 * Runs a component's argument checks (the part of its constructor before anything registers). When
 * `body` throws, the Outputs its {@link checked} calls created are abandoned: nothing will consume
 * them, so a check among them that fails later resolves quietly instead of raising a second,
 * unhandled rejection after the error the program already got.
 */
export function argChecks<T>(body: () => T): T {
  const scope: CheckScope = { abandoned: false, outer: currentScope };
  currentScope = scope;
  try {
    return body();
  } catch (e) {
    scope.abandoned = true;
    throw e;
  } finally {
    currentScope = scope.outer;
  }
}

/**
 * Runs `check` now when `value` is plain (so bad input throws before any resource is registered),
 * or once it resolves otherwise; returns the value as an Output either way. Inside
 * {@link argChecks}, a later failure is silent when the constructor already threw.
 */
export function checked<T, U>(value: pulumi.Input<T>, check: (plain: T) => U): pulumi.Output<U> {
  if (isPlain(value)) {
    const result = check(value as T);
    return pulumi.output<U>(result as pulumi.Input<U>) as pulumi.Output<U>;
  }
  const scope = currentScope;
  const output: pulumi.Output<unknown> = pulumi.output(value);
  return output.apply<U>((v) => {
    try {
      return check(v as T);
    } catch (e) {
      // The component was refused already and this Output has no consumer: one error is enough.
      if (abandoned(scope)) return undefined as U;
      throw e;
    }
  });
}

/** Validators of a component's args, by arg name; each gets `args.<name>` and the value. */
export type ArgChecks = Record<string, (field: string, value: unknown) => unknown>;

/**
 * Checks a component's args: the required ones are present, and every one that is a plain value
 * passes its validator (Outputs are checked again once they resolve). Throws an
 * {@link InputError} naming `args.<name>`, the value and the rule.
 */
export function checkPlainArgs(args: unknown, checks: ArgChecks, required: readonly string[]): void {
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    throw new InputError("args", args, "must be an object");
  }
  const record = args as Record<string, unknown>;
  for (const key of required) {
    if (record[key] === undefined || record[key] === null) {
      throw new InputError(`args.${key}`, record[key], "is required");
    }
  }
  for (const [key, check] of Object.entries(checks)) {
    const value = record[key];
    if (isPlainGiven(value)) check(`args.${key}`, value);
  }
}

/** Throws an {@link InputError} unless a component's args are an object. */
export function requireArgs(args: unknown): asserts args is object {
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    throw new InputError("args", args, "must be an object");
  }
}

/**
 * Throws an {@link InputError} when an argument that decides which resources exist (a list whose
 * entries name child resources, a mechanism list) is an Output or a Promise: it must be known when
 * the program runs. `what` says why, in words.
 */
export function requirePlainArg(field: string, value: unknown, what: string): void {
  if (pulumi.Output.isInstance(value) || value instanceof Promise) {
    throw new InputError(field, "[an Output]", `must be a plain value, not an Output: ${what}`);
  }
}
