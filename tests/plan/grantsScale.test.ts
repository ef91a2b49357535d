/**
 * The grants bench's generated stack pairs (bench/grantsScale.ts) are valid grants-mode configs: N
 * grants, the mechanisms in turn, each bound by account-a. Timings are the bench's, never asserted here.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GRANT_SIZES, grantsConfigs } from "../../bench/grantsScale";
import { parsePlanGrantsConfigs } from "../../plan/grantsConfig";
import { loadStackConfig } from "../../stacks/stackFile";

describe("bench/grantsScale: the generated grants-mode stack pairs", () => {
  it("parse as the programs parse them: N grants of each stack, the same keys, the mechanisms in turn", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grants-scale-"));
    try {
      for (const n of GRANT_SIZES) {
        const texts = grantsConfigs(n);
        fs.writeFileSync(path.join(dir, "a.yaml"), texts.a);
        fs.writeFileSync(path.join(dir, "b.yaml"), texts.b);
        const configs = parsePlanGrantsConfigs(
          loadStackConfig(path.join(dir, "a.yaml")),
          loadStackConfig(path.join(dir, "b.yaml")),
        );
        expect(configs.b.grants, `${n}`).to.have.length(n);
        expect(configs.a.grants.map((g) => g.key)).to.deep.equal(configs.b.grants.map((g) => g.key));
        expect(configs.b.grants.slice(0, 3).map((g) => g.mechanisms)).to.deep.equal(
          [["irsa"], ["pod-identity"], ["irsa-chained"]].slice(0, n),
        );
        expect(configs.a.grants.every((g) => g.deployProbe)).to.be.true;
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
