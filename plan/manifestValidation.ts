/**
 * The plan's manifests checked against the Kubernetes API schema (kubernetes-models), and a record on
 * disk of the objects found valid, keyed by their content and by every installed package, so that a
 * plan run again on unchanged manifests need not load the validators (168 modules, about 8% of the
 * plan's CPU: measured x0.92 without them, 9 pairs).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { errorMessage } from "../engine/errors";

/** `valid`, or the schema errors (kubernetes-models). */
export type ManifestValidation = { valid: true } | { valid: false; errors: string };

/** Objects already found valid. Only valid results are kept: an invalid one is validated every time. */
export interface ValidationCache {
  isValid(object: Record<string, unknown>): boolean;
  recordValid(object: Record<string, unknown>): void;
}

/** No cache: every object is validated. */
export const NO_VALIDATION_CACHE: ValidationCache = { isValid: () => false, recordValid: () => undefined };

type Validator = (object: Record<string, unknown>) => void;
/** A kubernetes-models class: built from the object, `validate()` throws what the schema refuses. */
type Model = new (object: Record<string, unknown>) => { validate(): void };

/** A kubernetes-models module: its classes by name. */
type Models = Record<string, Model>;

/** Validates the object with a kubernetes-models class. */
function validateWith(Class: Model, object: Record<string, unknown>): void {
  new Class(object).validate();
}

// Each module is required where its kind is validated, so that a plan whose manifests were all found
// valid before loads none; the module names stay literal, for whatever reads requires (the package
// test checks the dependencies against them).
/* eslint-disable @typescript-eslint/no-require-imports */
const VALIDATORS: Record<string, Validator> = {
  "v1/Namespace": (o) => validateWith((require("kubernetes-models/v1/Namespace") as Models).Namespace, o),
  "v1/ServiceAccount": (o) =>
    validateWith((require("kubernetes-models/v1/ServiceAccount") as Models).ServiceAccount, o),
  "v1/ConfigMap": (o) => validateWith((require("kubernetes-models/v1/ConfigMap") as Models).ConfigMap, o),
  "apps/v1/Deployment": (o) =>
    validateWith((require("kubernetes-models/apps/v1/Deployment") as Models).Deployment, o),
  "batch/v1/Job": (o) => validateWith((require("kubernetes-models/batch/v1/Job") as Models).Job, o),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The Kubernetes kinds the plan validates against the API schema. */
export const VALIDATED_KINDS = Object.keys(VALIDATORS);

/**
 * Validates a manifest against the Kubernetes API schema (kubernetes-models), unless the cache knows
 * it valid. Only an object that is plain JSON is looked up or recorded: one holding what JSON cannot
 * say as it is (NaN, a Date, undefined, a class instance...) could share its JSON with a valid object
 * and is validated every time.
 */
export function validateManifest(
  object: Record<string, unknown>,
  cache: ValidationCache = NO_VALIDATION_CACHE,
): ManifestValidation {
  const validator = VALIDATORS[`${String(object.apiVersion)}/${String(object.kind)}`];
  if (!validator)
    return { valid: false, errors: `no schema for ${String(object.apiVersion)} ${String(object.kind)}` };
  const cacheable = isPlainJson(object);
  if (cacheable && cache.isValid(object)) return { valid: true };
  try {
    validator(object);
  } catch (e) {
    return { valid: false, errors: errorMessage(e) };
  }
  if (cacheable) cache.recordValid(object);
  return { valid: true };
}

/**
 * Whether a value is exactly what its JSON says: null, booleans, strings, finite numbers (not -0),
 * arrays and objects of those with Object's own prototype (or none), no cycles.
 *
 * @internal exported for the tests only
 */
export function isPlainJson(value: unknown, path: Set<object> = new Set()): boolean {
  if (value === null || typeof value === "boolean" || typeof value === "string") return true;
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== "object" || path.has(value)) return false;
  path.add(value);
  let plain: boolean;
  if (Array.isArray(value)) {
    plain = Object.keys(value).length === value.length && value.every((v) => isPlainJson(v, path));
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    plain =
      (proto === Object.prototype || proto === null) &&
      Object.getOwnPropertySymbols(value).length === 0 &&
      Object.values(value).every((v) => isPlainJson(v, path));
  }
  path.delete(value);
  return plain;
}

/** The folder of the package.json nearest above this module: the repository, from source or dist/. */
function packageRoot(dir = __dirname): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, "package.json"))) return d;
    if (path.dirname(d) === d) return dir;
  }
}
const ROOT = packageRoot();
/** Where the plan keeps its record of valid objects. */
export const VALIDATION_CACHE_DIR = path.join(
  ROOT,
  "node_modules",
  ".cache",
  "cross-account-irsa",
  "manifests",
);
/**
 * npm's "hidden lockfile": every installed package with its version and integrity, rewritten by every
 * npm command that changes node_modules (https://docs.npmjs.com/cli/configuring-npm/package-lock-json#hidden-lockfiles;
 * a file edited by hand inside node_modules changes nothing there: delete the cache after doing so).
 */
export const HIDDEN_LOCKFILE = path.join(ROOT, "node_modules", ".package-lock.json");
/** Changes when the record's layout changes (this module's own text is in the key too). */
const CACHE_FORMAT = "cross-account-irsa manifest validation 2";
/**
 * The folders of the installed validators: kubernetes-models and its own scope's packages. npm trusts
 * its hidden lockfile only while no package folder is newer (same page); neither does this cache.
 */
function validatorPackages(nodeModules: string): string[] {
  const scope = path.join(nodeModules, "@kubernetes-models");
  return [
    path.join(nodeModules, "kubernetes-models"),
    ...fs.readdirSync(scope).map((p) => path.join(scope, p)),
  ];
}

/**
 * The record on disk: one empty file per valid object, named by the SHA-256 of the cache format, of
 * this module's own text (how it validates), of npm's hidden lockfile (a new version of
 * kubernetes-models, or of anything it uses, is a new key) and of the object's JSON. Nothing is
 * cached without a readable lockfile (installed by another tool, or this package installed as a
 * dependency) or when a validator package folder is newer than it (changed since npm wrote it). A
 * record that cannot be read or written only costs the validation it would have saved.
 */
export function diskValidationCache(
  dir = VALIDATION_CACHE_DIR,
  lockfile = HIDDEN_LOCKFILE,
  packages?: string[],
): ValidationCache {
  let installed: string;
  try {
    const written = fs.statSync(lockfile).mtimeMs;
    const folders = packages ?? validatorPackages(path.dirname(lockfile));
    if (folders.some((p) => fs.statSync(p).mtimeMs > written)) return NO_VALIDATION_CACHE;
    installed = createHash("sha256")
      .update(`${CACHE_FORMAT}\0`)
      .update(fs.readFileSync(__filename))
      .update("\0")
      .update(fs.readFileSync(lockfile))
      .digest("hex");
  } catch {
    return NO_VALIDATION_CACHE;
  }
  const file = (object: Record<string, unknown>) =>
    path.join(
      dir,
      createHash("sha256").update(`${installed}\0`).update(JSON.stringify(object)).digest("hex"),
    );
  return {
    isValid: (object) => fs.existsSync(file(object)),
    recordValid: (object) => {
      const target = file(object);
      const tmp = `${target}.${process.pid}.tmp`;
      try {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(tmp, "");
        fs.renameSync(tmp, target);
      } catch {
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // Nothing was written there.
        }
      }
    },
  };
}
