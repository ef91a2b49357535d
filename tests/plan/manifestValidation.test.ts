/**
 * plan/manifestValidation.ts: manifests checked against the Kubernetes API schema, and the record on
 * disk of objects found valid (keyed by the object and by npm's hidden lockfile), in a temporary folder.
 */
import { expect } from "chai";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  NO_VALIDATION_CACHE,
  VALIDATED_KINDS,
  diskValidationCache,
  isPlainJson,
  validateManifest,
  type ValidationCache,
} from "../../plan/manifestValidation";

const serviceAccount = (name: string): Record<string, unknown> => ({
  apiVersion: "v1",
  kind: "ServiceAccount",
  metadata: { name, namespace: "irsa-demo" },
});
const badDeployment: Record<string, unknown> = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "s3-reader" },
  spec: { replicas: "two", selector: { matchLabels: { app: "r" } }, template: {} },
};

/** A cache that counts what it is asked, over a set of keys. */
function countingCache(): ValidationCache & { asked: number; recorded: string[] } {
  const known = new Set<string>();
  const cache = {
    asked: 0,
    recorded: [] as string[],
    isValid: (o: Record<string, unknown>) => {
      cache.asked++;
      return known.has(JSON.stringify(o));
    },
    recordValid: (o: Record<string, unknown>) => {
      known.add(JSON.stringify(o));
      cache.recorded.push(JSON.stringify(o));
    },
  };
  return cache;
}

describe("plan/manifestValidation.ts", () => {
  let dir: string;
  let lockfile: string;
  let packages: string[];
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "manifest-validation-"));
    packages = [path.join(dir, "kubernetes-models"), path.join(dir, "@kubernetes-models", "validate")];
    for (const p of packages) {
      mkdirSync(p, { recursive: true });
      utimesSync(p, new Date(1_000_000), new Date(1_000_000));
    }
    lockfile = path.join(dir, "package-lock.json");
    writeFileSync(lockfile, '{"packages":{"node_modules/kubernetes-models":{"version":"4.5.1"}}}');
  });
  const disk = (lock = lockfile) => diskValidationCache(path.join(dir, "cache"), lock, packages);
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const entries = () => readdirSync(path.join(dir, "cache"));

  it("validates the kinds the plan writes, and names what an invalid object breaks", () => {
    expect(VALIDATED_KINDS).to.have.members([
      "v1/Namespace",
      "v1/ServiceAccount",
      "v1/ConfigMap",
      "apps/v1/Deployment",
      "batch/v1/Job",
    ]);
    expect(validateManifest(serviceAccount("s3-reader"))).to.deep.equal({ valid: true });
    const bad = validateManifest(badDeployment);
    expect(bad.valid).to.equal(false);
    expect(bad.valid === false && bad.errors).to.match(/replicas/);
    expect(validateManifest({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } })).to.deep.equal({
      valid: false,
      errors: "no schema for v1 Pod",
    });
  });

  it("loads each kind's schema: a minimal object of each is valid, one with a wrong field type is not", () => {
    const podSpec = { containers: [{ name: "c", image: "i" }], restartPolicy: "Never" };
    const minimal: Record<string, Record<string, unknown>> = {
      "v1/Namespace": {},
      "v1/ServiceAccount": {},
      "v1/ConfigMap": { data: { k: "v" } },
      "apps/v1/Deployment": {
        spec: {
          selector: { matchLabels: { a: "b" } },
          template: { metadata: { labels: { a: "b" } }, spec: podSpec },
        },
      },
      "batch/v1/Job": { spec: { template: { spec: podSpec } } },
    };
    expect(Object.keys(minimal)).to.have.members(VALIDATED_KINDS);
    for (const kind of VALIDATED_KINDS) {
      const slash = kind.lastIndexOf("/");
      const base = { apiVersion: kind.slice(0, slash), kind: kind.slice(slash + 1), metadata: { name: "x" } };
      expect(validateManifest({ ...base, ...minimal[kind] }), kind).to.deep.equal({ valid: true });
      const wrong = validateManifest({ ...base, ...minimal[kind], metadata: { name: 7 } });
      expect(wrong.valid, kind).to.equal(false);
      expect(wrong.valid === false && wrong.errors, kind).to.match(/name/);
    }
  });

  it("records valid objects only, and trusts the record for the same object", () => {
    const cache = countingCache();
    expect(validateManifest(serviceAccount("a"), cache).valid).to.equal(true);
    expect(validateManifest(badDeployment, cache).valid).to.equal(false);
    expect(cache.recorded).to.deep.equal([JSON.stringify(serviceAccount("a"))]);
    // Invalid objects are validated (and refused) again every time.
    expect(validateManifest(badDeployment, cache).valid).to.equal(false);
    expect(cache.recorded).to.have.length(1);
    // A kind without a schema is refused before the cache is asked.
    const asked = cache.asked;
    expect(validateManifest({ apiVersion: "v1", kind: "Pod" }, cache).valid).to.equal(false);
    expect(cache.asked).to.equal(asked);
    expect(NO_VALIDATION_CACHE.isValid(serviceAccount("a"))).to.equal(false);
  });

  it("on disk: one entry per valid object, found by a later process's cache", () => {
    const first = disk();
    expect(first.isValid(serviceAccount("a"))).to.equal(false);
    validateManifest(serviceAccount("a"), first);
    validateManifest(badDeployment, first);
    expect(entries()).to.have.length(1);
    expect(entries()[0]).to.match(/^[0-9a-f]{64}$/);

    const later = disk();
    expect(later.isValid(serviceAccount("a"))).to.equal(true);
    expect(later.isValid(serviceAccount("b"))).to.equal(false);
    expect(later.isValid(badDeployment)).to.equal(false);
  });

  it("on disk: another install (a changed hidden lockfile) finds nothing; no lockfile caches nothing", () => {
    validateManifest(serviceAccount("a"), disk());
    writeFileSync(lockfile, '{"packages":{"node_modules/kubernetes-models":{"version":"4.6.0"}}}');
    expect(disk().isValid(serviceAccount("a"))).to.equal(false);

    expect(disk(path.join(dir, "missing.json"))).to.equal(NO_VALIDATION_CACHE);
    // A validator package folder changed after npm wrote the lockfile: npm no longer trusts it, nor this.
    utimesSync(packages[1], new Date(), new Date(Date.now() + 60_000));
    expect(disk()).to.equal(NO_VALIDATION_CACHE);
  });

  it("on disk: a folder that cannot be written costs only the saving", () => {
    const file = path.join(dir, "not-a-folder");
    writeFileSync(file, "");
    const cache = diskValidationCache(file, lockfile, packages);
    expect(validateManifest(serviceAccount("a"), cache)).to.deep.equal({ valid: true });
    expect(cache.isValid(serviceAccount("a"))).to.equal(false);
  });
  it("trusts a recorded object without validating it again (what saves loading the validators)", () => {
    const cache = disk();
    const sa = serviceAccount("a");
    validateManifest(sa, cache);
    // The same JSON, recorded valid: not validated again (an entry is only ever written after a pass).
    const recorded = readdirSync(path.join(dir, "cache"));
    expect(validateManifest(structuredClone(sa), cache)).to.deep.equal({ valid: true });
    expect(readdirSync(path.join(dir, "cache"))).to.deep.equal(recorded);
    const trusting: ValidationCache = { isValid: () => true, recordValid: () => undefined };
    expect(validateManifest(badDeployment, trusting)).to.deep.equal({ valid: true });
  });

  it("never lets a value JSON cannot say share a valid object's record", () => {
    const cache = disk();
    const deployment = (replicas: unknown): Record<string, unknown> => ({
      ...badDeployment,
      spec: { replicas, selector: { matchLabels: { app: "r" } }, template: {} },
    });
    // null is a valid replicas; NaN and Infinity are not, though all three are null in JSON.
    expect(validateManifest(deployment(null), cache).valid).to.equal(true);
    expect(validateManifest(deployment(NaN), cache).valid).to.equal(false);
    expect(validateManifest(deployment(Infinity), cache).valid).to.equal(false);
    // A string label value is valid; a Date is not, though its JSON is a string.
    const labelled = (value: unknown) => ({
      ...serviceAccount("a"),
      metadata: { name: "a", labels: { at: value } },
    });
    const when = new Date(0);
    expect(validateManifest(labelled(when.toJSON()), cache).valid).to.equal(true);
    expect(validateManifest(labelled(when), cache).valid).to.equal(false);
    // What JSON cannot hold is never looked up, so nothing of it throws either.
    expect(validateManifest(labelled(10n), cache).valid).to.equal(false);
  });

  it("isPlainJson: exactly what JSON says as it is", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const plain of [null, true, "s", 0, 1.5, [], {}, { a: [1, { b: null }] }, Object.create(null)])
      expect(isPlainJson(plain), JSON.stringify(plain)).to.equal(true);
    const shared = { x: 1 };
    expect(isPlainJson({ a: shared, b: shared })).to.equal(true);
    [
      undefined,
      NaN,
      Infinity,
      -0,
      10n,
      new Date(0),
      { a: undefined },
      [1, undefined],
      // eslint-disable-next-line no-sparse-arrays
      [1, , 2],
      { toJSON: () => "x" },
      new Map(),
      { [Symbol("s")]: 1 },
      cyclic,
      () => 1,
    ].forEach((odd, i) => expect(isPlainJson(odd), `case ${i}`).to.equal(false));
  });
});
