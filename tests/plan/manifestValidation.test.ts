/**
 * plan/manifestValidation.ts: manifests checked against the Kubernetes API schema, and the record on
 * disk of objects found valid (keyed by the object and by npm's hidden lockfile), in a temporary folder.
 */
import { expect } from "chai";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  NO_VALIDATION_CACHE,
  VALIDATED_KINDS,
  diskValidationCache,
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
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "manifest-validation-"));
    lockfile = path.join(dir, "package-lock.json");
    writeFileSync(lockfile, '{"packages":{"node_modules/kubernetes-models":{"version":"4.5.1"}}}');
  });
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
    const first = diskValidationCache(path.join(dir, "cache"), lockfile);
    expect(first.isValid(serviceAccount("a"))).to.equal(false);
    validateManifest(serviceAccount("a"), first);
    validateManifest(badDeployment, first);
    expect(entries()).to.have.length(1);
    expect(entries()[0]).to.match(/^[0-9a-f]{64}$/);

    const later = diskValidationCache(path.join(dir, "cache"), lockfile);
    expect(later.isValid(serviceAccount("a"))).to.equal(true);
    expect(later.isValid(serviceAccount("b"))).to.equal(false);
    expect(later.isValid(badDeployment)).to.equal(false);
  });

  it("on disk: another install (a changed hidden lockfile) finds nothing; no lockfile caches nothing", () => {
    validateManifest(serviceAccount("a"), diskValidationCache(path.join(dir, "cache"), lockfile));
    writeFileSync(lockfile, '{"packages":{"node_modules/kubernetes-models":{"version":"4.6.0"}}}');
    expect(diskValidationCache(path.join(dir, "cache"), lockfile).isValid(serviceAccount("a"))).to.equal(
      false,
    );

    const none = diskValidationCache(path.join(dir, "cache"), path.join(dir, "missing.json"));
    expect(none).to.equal(NO_VALIDATION_CACHE);
  });

  it("on disk: a folder that cannot be written costs only the saving", () => {
    const file = path.join(dir, "not-a-folder");
    writeFileSync(file, "");
    const cache = diskValidationCache(file, lockfile);
    expect(validateManifest(serviceAccount("a"), cache)).to.deep.equal({ valid: true });
    expect(cache.isValid(serviceAccount("a"))).to.equal(false);
  });
});
