/**
 * An upgrade of a deployed single-grant account-a replaces and deletes nothing: for each variant
 * recorded by tests/fixtures/recordAccountAUrns.ts at the commit before single-grant mode ran
 * through `BucketAccessBinding` (tests/fixtures/accountASingleGrantUrns.json), the current program,
 * given the same config and account-b outputs, registers every old resource under its old URN or
 * under a URN whose aliases (computed as the Pulumi engine does: engine/aliases.ts) include it, with
 * the same type and the same inputs, registers nothing the old program did not (but the binding
 * itself), and exports the same outputs.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { captureConsole, outputValues, runOffline } from "../../engine/offline";
import { type RecordedResource } from "../../engine/mockEngine";
import { urnType } from "../../engine/aliases";
import { accountA } from "../../stacks/accountA";
import { inputsDigest, type RecordedUrn } from "../fixtures/recordAccountAUrns";

const B_STACK = "organization/cross-account-irsa/account-b";

/**
 * Old component resources the binding has no place for: the ServiceAccount wrappers of the old
 * layers. They hold no cloud object (their Namespace and ServiceAccount move under the binding with
 * aliases), so the upgrade drops only their state entry.
 */
const DROPPED_WRAPPERS = [
  "cross-account-irsa:index:IrsaServiceAccount",
  "cross-account-irsa:index:PodIdentityServiceAccount",
];
/** The one new resource: the binding component (no cloud object). */
const NEW_COMPONENTS = ["cross-account-irsa:index:BucketAccessBinding"];

interface Variant {
  name: string;
  config: Record<string, string>;
  accountBOutputs: Record<string, unknown>;
  firstRun: { resources: RecordedUrn[]; outputs: Record<string, unknown> };
  secondRun: { resources: RecordedUrn[]; outputs: Record<string, unknown> };
}

async function run(v: Variant, bOutputs: Record<string, unknown>) {
  const restore = captureConsole([]);
  try {
    return await runOffline(accountA, {
      stack: "account-a",
      config: v.config,
      stackOutputs: { [B_STACK]: bOutputs },
    });
  } finally {
    restore();
  }
}

/** The problems of an upgrade from `old` to `now` (empty: replaces and deletes nothing). */
export function upgradeProblems(old: readonly RecordedUrn[], now: readonly RecordedResource[]): string[] {
  const problems: string[] = [];
  const claimed = new Map<string, string>();
  for (const r of now) {
    for (const urn of [r.urn, ...r.aliases]) {
      const earlier = claimed.get(urn);
      if (earlier !== undefined && earlier !== r.urn)
        problems.push(`${urn} is claimed by ${earlier} and ${r.urn}`);
      claimed.set(urn, r.urn);
    }
  }
  const oldUrns = new Set(old.map((o) => o.urn));
  for (const o of old) {
    const match = now.find((r) => r.urn === o.urn || r.aliases.includes(o.urn));
    if (match === undefined) {
      if (!(DROPPED_WRAPPERS.includes(o.type) && !o.custom)) problems.push(`${o.urn} is gone (deleted)`);
      continue;
    }
    // (The Kubernetes SDK adds aliases of a kind's older API versions: only the one reaching it counts.)
    if (match.type !== o.type || urnType(o.urn) !== o.type)
      problems.push(`${o.urn} is now ${match.urn}, of type ${match.type}`);
    if (o.custom && inputsDigest(match.inputs) !== o.inputs)
      problems.push(`${o.urn} (now ${match.urn}) has new inputs`);
  }
  for (const r of now) {
    const reached = [r.urn, ...r.aliases].filter((u) => oldUrns.has(u));
    if (reached.length === 0 && !NEW_COMPONENTS.includes(r.type)) problems.push(`${r.urn} is new (created)`);
    // The engine takes the first old URN a resource reaches and deletes any other it also reaches.
    if (reached.length > 1)
      problems.push(`${r.urn} reaches ${reached.length} old URNs: ${reached.join(", ")}`);
  }
  return problems;
}

const fixture = JSON.parse(readFileSync("tests/fixtures/accountASingleGrantUrns.json", "utf8")) as {
  variants: Variant[];
};

describe("single-grant account-a: an upgrade to the binding replaces and deletes nothing (fixture from before it)", () => {
  for (const v of fixture.variants) {
    it(`${v.name}: first run (before account-b has outputs), registers exactly what it did`, async () => {
      const { engine, outputs } = await run(v, {});
      expect(upgradeProblems(v.firstRun.resources, engine.resources)).to.deep.equal([]);
      expect(outputValues(outputs)).to.deep.equal(v.firstRun.outputs);
    });

    it(`${v.name}: second run, every old URN reached by a URN or an alias, same types, inputs and outputs`, async () => {
      const { engine, outputs } = await run(v, v.accountBOutputs);
      expect(upgradeProblems(v.secondRun.resources, engine.resources)).to.deep.equal([]);
      expect(outputValues(outputs)).to.deep.equal(v.secondRun.outputs);
      // The move is real: every Kubernetes object and association is under the binding now.
      const binding = engine.one("cross-account-irsa:index:BucketAccessBinding");
      for (const t of ["cross-account-irsa:index:AccessCheckJob", "kubernetes:core/v1:ServiceAccount"]) {
        for (const r of engine.ofType(t)) expect(r.urn, r.name).to.contain(`${binding.type}$`);
      }
    });
  }
});
