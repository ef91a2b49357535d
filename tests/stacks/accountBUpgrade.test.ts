/**
 * An upgrade of a deployed single-grant account-b stack replaces and deletes nothing: every resource
 * the program registered before single-grant mode ran through `BucketAccessGrant` (recorded at
 * 4787b0f into tests/fixtures/singleGrant/accountBUrns.json) is registered again under its URN or
 * one of its aliases (as Pulumi computes them: engine/aliases.ts, recorded by the engine), with the same type and
 * inputs, and nothing new appears but the grant's check of IRSA's adopted provider.
 */
import { expect } from "chai";
import { captureConsole, runOffline } from "../../engine/offline";
import { type MockEngine, type RecordedResource } from "../../engine/mockEngine";
import { accountB } from "../../stacks/accountB";
import { SINGLE_GRANT_B_VARIANTS } from "../fixtures/singleGrant/accountBVariants";
import recorded from "../fixtures/singleGrant/accountBUrns.json";
import { urnType } from "../../engine/aliases";

interface OldResource {
  type: string;
  name: string;
  urn: string;
  custom: boolean;
  read: boolean;
  inputs: Record<string, unknown>;
}

const OLD = (
  recorded as unknown as { variants: Record<string, { resources: OldResource[]; outputs: unknown }> }
).variants;

/**
 * What the new program registers that the old one did not, and why: the grant reads IRSA's
 * provider (the stack-level `cluster-oidc`) as an adopted one, to check its URL and client ids, as
 * it does in grants mode. A read creates nothing and its deletion deletes nothing.
 */
const NEW_AND_JUSTIFIED = new Set([
  "cross-account-irsa:index:ClusterOidcProvider::irsa-role-oidc-cluster",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider::irsa-role-oidc-cluster-existing",
]);

/** Which old URN each new resource takes over (its own, or one of its aliases'). */
function matchOld(engine: MockEngine, old: OldResource[]): Map<string, RecordedResource> {
  const byOldUrn = new Map<string, RecordedResource>();
  for (const r of engine.resources) {
    // The engine takes the first old URN a resource reaches and deletes any other it also reaches.
    const reached = [r.urn, ...r.aliases].filter((urn) => old.some((o) => o.urn === urn));
    expect(reached.length, `${r.urn} reaches ${reached.join(", ")}`).to.be.at.most(1);
    for (const urn of [r.urn, ...r.aliases]) {
      if (!old.some((o) => o.urn === urn)) continue;
      const earlier = byOldUrn.get(urn);
      expect(earlier, `${urn} claimed by ${earlier?.urn} and ${r.urn}`).to.equal(undefined);
      byOldUrn.set(urn, r);
    }
  }
  return byOldUrn;
}

describe("account-b single-grant upgrade: every resource of the old program kept (aliases), none new", () => {
  for (const variant of SINGLE_GRANT_B_VARIANTS) {
    it(`${variant.name}: the same resources, URNs or aliases, types and inputs; the same outputs`, async () => {
      const before = OLD[variant.name];
      expect(before, `fixture has ${variant.name}`).to.not.equal(undefined);
      const log: string[] = [];
      const restore = captureConsole(log);
      const { engine, outputs } = await runOffline(accountB, {
        stack: "account-b",
        config: variant.config,
        stackOutputs: { [variant.accountAStack]: variant.accountAOutputs },
        preview: variant.preview,
      }).finally(restore);
      // A preview before account-a exists says so (info); nothing warns.
      expect(
        log.filter((l) => !l.startsWith("info: ")),
        log.join("\n"),
      ).to.deep.equal([]);
      const taken = matchOld(engine, before.resources);
      for (const o of before.resources) {
        const now = taken.get(o.urn);
        expect(
          now,
          `old ${o.urn} is neither a new URN nor an alias of one: a deployed stack would lose it`,
        ).to.not.equal(undefined);
        // A custom resource keeps its type and inputs (a component may change type: its alias names the old one).
        if (o.custom) {
          expect(now!.type, o.urn).to.equal(o.type);
          expect(now!.read, o.urn).to.equal(o.read);
          expect(now!.inputs, `inputs of ${o.urn}`).to.deep.equal(o.inputs);
        } else {
          expect(urnType(o.urn)).to.equal(o.type);
        }
      }
      const claimed = new Set(taken.values());
      const added = engine.resources
        .filter((r) => !claimed.has(r))
        .map((r) => `${r.type}::${r.name}`)
        .filter((r) => !NEW_AND_JUSTIFIED.has(r));
      expect(added, "resources the old program did not register").to.deep.equal([]);
      // As recorded: through JSON (an output unknown in a preview is left out).
      const values = JSON.parse(
        JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.value]))),
      ) as Record<string, unknown>;
      expect(values).to.deep.equal(before.outputs);
      expect(Object.keys(values)).to.deep.equal(Object.keys(before.outputs as object));
    });
  }
});
