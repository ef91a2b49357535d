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
import type { Namespace } from "kubernetes-models/v1/Namespace";
import type { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { Deployment } from "kubernetes-models/apps/v1/Deployment";
import type { Job } from "kubernetes-models/batch/v1/Job";

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
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use: a cached plan needs none */
const VALIDATORS: Record<string, Validator> = {
  "v1/Namespace": (o) => {
    const { Namespace: Model } = require("kubernetes-models/v1/Namespace") as { Namespace: typeof Namespace };
    new Model(o).validate();
  },
  "v1/ServiceAccount": (o) => {
    const { ServiceAccount: Model } = require("kubernetes-models/v1/ServiceAccount") as {
      ServiceAccount: typeof ServiceAccount;
    };
    new Model(o).validate();
  },
  "v1/ConfigMap": (o) => {
    const { ConfigMap: Model } = require("kubernetes-models/v1/ConfigMap") as { ConfigMap: typeof ConfigMap };
    new Model(o).validate();
  },
  "apps/v1/Deployment": (o) => {
    const { Deployment: Model } = require("kubernetes-models/apps/v1/Deployment") as {
      Deployment: typeof Deployment;
    };
    new Model(o).validate();
  },
  "batch/v1/Job": (o) => {
    const { Job: Model } = require("kubernetes-models/batch/v1/Job") as { Job: typeof Job };
    new Model(o).validate();
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The Kubernetes kinds the plan validates against the API schema. */
export const VALIDATED_KINDS = Object.keys(VALIDATORS);

/** Validates a manifest against the Kubernetes API schema (kubernetes-models), unless the cache knows it valid. */
export function validateManifest(
  object: Record<string, unknown>,
  cache: ValidationCache = NO_VALIDATION_CACHE,
): ManifestValidation {
  const validator = VALIDATORS[`${String(object.apiVersion)}/${String(object.kind)}`];
  if (!validator)
    return { valid: false, errors: `no schema for ${String(object.apiVersion)} ${String(object.kind)}` };
  if (cache.isValid(object)) return { valid: true };
  try {
    validator(object);
  } catch (e) {
    return { valid: false, errors: errorMessage(e) };
  }
  cache.recordValid(object);
  return { valid: true };
}

const ROOT = path.resolve(__dirname, "..");
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
/** Changes when what this module validates with, or how, changes. */
const CACHE_FORMAT = "cross-account-irsa manifest validation 1";

/**
 * The record on disk: one empty file per valid object, named by the SHA-256 of the cache format, of
 * npm's hidden lockfile (a new version of kubernetes-models, or of anything it uses, is a new key) and
 * of the object's JSON. Without a readable lockfile (installed by another tool) nothing is cached. A
 * record that cannot be read or written only costs the validation it would have saved.
 */
export function diskValidationCache(dir = VALIDATION_CACHE_DIR, lockfile = HIDDEN_LOCKFILE): ValidationCache {
  let installed: string;
  try {
    installed = createHash("sha256").update(fs.readFileSync(lockfile)).digest("hex");
  } catch {
    return NO_VALIDATION_CACHE;
  }
  const file = (object: Record<string, unknown>) =>
    path.join(
      dir,
      createHash("sha256")
        .update(`${CACHE_FORMAT}\0${installed}\0`)
        .update(JSON.stringify(object))
        .digest("hex"),
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
