/**
 * The grants' resource names on both stacks (stacks/grantResourceNames.ts): the catalogue is what the
 * real programs register (each resource's qualified type computed from its parents, as Pulumi's URN
 * has it), and every pair of its naming schemes is enumerated: two schemes of different types never
 * give one URN (the same name is accepted); a scheme whose name is the key and fixed text never gives
 * one name to two keys; a scheme with a value in its name does, and that is refused naming both keys.
 */
import { expect } from "chai";
import { type MockEngine, type RecordedResource } from "../../engine/mockEngine";
import { InputError } from "../../components/errors";
import { MECHANISMS, Mechanism } from "../../components/mechanism";
import {
  BINDING_NAME_SCHEMES,
  GRANT_NAME_SCHEMES,
  bindingResourceNames,
  grantResourceNames,
  nameOf,
  refuseResourceNameClashes,
  type GrantResourceName,
  type NameScheme,
  type NameValues,
} from "../../stacks/grantResourceNames";
import { isGrantKey } from "../../stacks/grantsMode";
import { parseAccountBGrantsConfig } from "../../stacks/accountBGrantsConfig";
import { configGetters } from "../../stacks/configSource";
import * as A from "./accountAGrantsFixtures";
import * as B from "./accountBGrantsFixtures";
import { MockEngine as Engine } from "../../engine/mockEngine";
import { captureConsole, runOnEngine } from "../../engine/offline";
import { accountB } from "../../stacks/accountB";

/** Each recorded resource's qualified type (its parents' types, then its own), as the URN has it. */
function qualifiedTypes(engine: MockEngine): Map<RecordedResource, string> {
  const byUrn = new Map(engine.resources.map((r) => [r.urn, r]));
  const of = (r: RecordedResource): string => {
    const parent = r.parent !== undefined ? byUrn.get(r.parent) : undefined;
    return parent !== undefined && parent.type !== "pulumi:pulumi:Stack" ? `${of(parent)}$${r.type}` : r.type;
  };
  return new Map(engine.resources.map((r) => [r, of(r)]));
}

/** What the engine registered under the top-level component named `key` of `type`, as `type::name`. */
function registeredUnder(engine: MockEngine, type: string, key: string): string[] {
  const types = qualifiedTypes(engine);
  const root = engine.resources.find((r) => r.type === type && r.name === key)!;
  const inside = (r: RecordedResource): boolean =>
    r === root || (r.parent !== undefined && inside(engine.byUrn(r.parent)!));
  return engine.resources
    .filter(inside)
    .map((r) => `${types.get(r)}::${r.name}`)
    .sort();
}

const urns = (names: readonly GrantResourceName[]) => names.map((n) => `${n.type}::${n.name}`).sort();

/** Every scheme of a side's catalogue, once. */
const allSchemes = (catalogue: Record<string, readonly NameScheme[]>) => [
  ...new Set(Object.values(catalogue).flat()),
];

describe("grants' resource names: the catalogue is what the programs register", () => {
  it("account-a: each binding, for every mechanism list a binding takes, with and without the probe", async () => {
    const lists: Mechanism[][] = [
      [Mechanism.Irsa],
      [Mechanism.PodIdentity],
      [Mechanism.IrsaChained],
      [Mechanism.Irsa, Mechanism.PodIdentity],
      [Mechanism.PodIdentity, Mechanism.IrsaChained],
    ];
    const entries = lists.flatMap((mechanisms, i) =>
      [true, false].map((probe) => ({
        key: `g${i}-${probe ? "probe" : "none"}`,
        mechanisms,
        serviceAccount: { namespace: "team", name: `sa-${i}-${probe}` },
        probe,
      })),
    );
    const config = A.grantsConfig(
      entries.map((e) => ({
        key: e.key,
        mechanism: e.mechanisms,
        serviceAccount: e.serviceAccount,
        ...(e.probe ? {} : { deployProbe: false }),
      })),
    );
    const first = await A.firstRun(config);
    const b = A.bOutputs(
      Object.fromEntries(
        entries.map((e) => [
          e.key,
          A.grantOf(first, e.key, e.mechanisms, [e.serviceAccount], e.probe ? `${e.key}/check.txt` : null),
        ]),
      ),
    );
    const { engine } = await A.runA(config, b);
    for (const e of entries) {
      expect(
        registeredUnder(engine, "cross-account-irsa:index:BucketAccessBinding", e.key),
        e.key,
      ).to.deep.equal(urns(bindingResourceNames(e)));
    }
  });

  it("account-b: each grant of a mechanism each, a migration, created and existing buckets", async () => {
    const config = B.grantsConfig(B.MIXED);
    const engine = new Engine({ stack: "account-b", config, stackOutputs: { [B.A_STACK]: B.A_OUTPUTS } });
    const restore = captureConsole([]);
    await runOnEngine(engine, accountB).finally(restore);
    const parsed = parseAccountBGrantsConfig(configGetters(config), "organization");
    for (const g of parsed.grants) {
      expect(
        registeredUnder(engine, "cross-account-irsa:index:BucketAccessGrant", g.key),
        g.key,
      ).to.deep.equal(urns(grantResourceNames(g)));
    }
  });

  it("every scheme's type is inside a binding or grant: the stacks' own resources, top level, never share one", () => {
    for (const s of [...allSchemes(BINDING_NAME_SCHEMES), ...allSchemes(GRANT_NAME_SCHEMES)]) {
      expect(s.type).to.match(/^cross-account-irsa:index:(BucketAccessBinding|BucketAccessGrant)($|\$)/);
    }
  });
});

const VALUES: NameValues = { namespace: "c", name: "d", bucket: "c" };
const KEY_FIELD = (i: number) => `cross-account-irsa:grants[${i}].key`;

/** Two grants' names under `scheme`: `[index, key, values]` each. */
function clash(s: NameScheme, a: [string, NameValues], b: [string, NameValues]): Error | undefined {
  try {
    refuseResourceNameClashes(
      [a, b].map(([key, values], index) => ({ index, key, names: [nameOf(key, s, values)] })),
      KEY_FIELD,
    );
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

/**
 * Two keys and values that give `s` one name, when `s` has a value in its name: the second key is the
 * first, the text before the first value and `b`; the first grant's value is `b`, that text and the
 * second's (key `a` with namespace `b-pod-identity-c` and key `a-pod-identity-b` with `c`).
 */
function collision(s: NameScheme): { first: [string, NameValues]; second: [string, NameValues] } | undefined {
  const at = s.parts.findIndex((p) => typeof p !== "string");
  if (at < 0) return undefined;
  const before = nameOf("", { type: s.type, parts: s.parts.slice(0, at) }).name;
  const variable = (s.parts[at] as { value: keyof NameValues }).value;
  const second: [string, NameValues] = [`a${before}b`, VALUES];
  const first: [string, NameValues] = ["a", { ...VALUES, [variable]: `b${before}${VALUES[variable]}` }];
  return { first, second };
}

for (const [side, catalogue] of [
  ["account-a bindings", BINDING_NAME_SCHEMES],
  ["account-b grants", GRANT_NAME_SCHEMES],
] as const) {
  describe(`${side}: every pair of naming schemes`, () => {
    const schemes = allSchemes(catalogue);

    it("one scheme per qualified type: two schemes of a side never share a type", () => {
      expect(new Set(schemes.map((s) => s.type)).size).to.equal(schemes.length);
    });

    it("two schemes of different types: one name from two keys is two URNs, accepted", () => {
      let sameName = 0;
      schemes.forEach((s1, i) =>
        schemes.slice(i + 1).forEach((s2) => {
          // The names can coincide when one scheme's text ends with the other's: key a and key a<extra>.
          const [t1, t2] = [nameOf("", s1, VALUES).name, nameOf("", s2, VALUES).name];
          const [long, short, tl, ts] = t1.length >= t2.length ? [s1, s2, t1, t2] : [s2, s1, t2, t1];
          const extra = tl.slice(0, tl.length - ts.length);
          if (!tl.endsWith(ts) || !isGrantKey(`a${extra}`)) return;
          const one = nameOf("a", long, VALUES);
          const two = nameOf(`a${extra}`, short, VALUES);
          expect(one.name).to.equal(two.name);
          const grants = [
            { index: 0, key: "a", names: [one] },
            { index: 1, key: `a${extra}`, names: [two] },
          ];
          expect(
            () => refuseResourceNameClashes(grants, KEY_FIELD),
            `${long.type} / ${short.type}`,
          ).to.not.throw();
          sameName++;
        }),
      );
      expect(sameName, "pairs with one name").to.be.greaterThan(0);
    });

    for (const s of schemes) {
      const witness = collision(s);
      if (witness === undefined) {
        it(`${s.type} "<key>${nameOf("", s).name}": two keys never give one name`, () => {
          // <k1><text> = <k2><text> only when k1 = k2; keys of every length up to the text's checked.
          const text = nameOf("", s).name;
          for (let n = 1; n <= text.length + 1; n++) {
            const k1 = "a".repeat(n);
            expect(nameOf(k1, s).name).to.not.equal(nameOf(`${k1}-b`, s).name);
          }
          expect(clash(s, ["a", {}], ["a-b", {}])).to.equal(undefined);
        });
      } else {
        it(`${s.type}: keys ${witness.first[0]} and ${witness.second[0]} give one name, refused naming both keys`, () => {
          const [k1, v1] = witness.first;
          const [k2, v2] = witness.second;
          expect(isGrantKey(k1) && isGrantKey(k2)).to.equal(true);
          const name = nameOf(k1, s, v1).name;
          expect(nameOf(k2, s, v2).name).to.equal(name);
          const error = clash(s, witness.first, witness.second);
          expect(error).to.be.instanceOf(InputError);
          expect(error!.message).to.contain(`cross-account-irsa:grants[1].key: "${k2}" is invalid`);
          expect(error!.message).to.contain(`as cross-account-irsa:grants[0].key "${k1}"`);
          expect(error!.message).to.contain(`"${name}"`);
        });
      }
    }
  });
}

describe("grants' resource names: MECHANISMS all have a catalogue entry", () => {
  it("on both sides", () => {
    for (const m of MECHANISMS) {
      expect(BINDING_NAME_SCHEMES).to.have.property(m);
      expect(GRANT_NAME_SCHEMES).to.have.property(m);
    }
  });
});
