/**
 * account-a in grants mode: two bindings whose Pod Identity associations would get one URN
 * (`<key>-pod-identity-<namespace>-<name>`) are refused before any binding registers, naming both
 * keys; one name under two types (Pod Identity's `<key>-source`, irsa-chained's `<key>-chained-source`)
 * is two URNs, and the real program registers both.
 */
import { expect } from "chai";
import { bOutputs, failedA, firstRun, grantOf, grantsConfig, runA } from "./accountAGrantsFixtures";

const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const BINDING = "cross-account-irsa:index:BucketAccessBinding";

describe("account-a grants mode: Pod Identity association names are unique across grant keys", () => {
  const clash = [
    { key: "a", mechanism: "pod-identity" },
    { key: "a-pod-identity-b", mechanism: "pod-identity" },
  ];
  const config = grantsConfig(clash);
  let b: Record<string, unknown>;
  before(async () => {
    const first = await firstRun(config);
    b = bOutputs({
      a: grantOf(first, "a", ["pod-identity"], [{ namespace: "b-pod-identity-c", name: "d" }]),
      "a-pod-identity-b": grantOf(
        first,
        "a-pod-identity-b",
        ["pod-identity"],
        [{ namespace: "c", name: "d" }],
      ),
    });
  });

  it("refuses key a with b-pod-identity-c/d beside key a-pod-identity-b with c/d, naming both, before any binding", async () => {
    const { error, types } = await failedA(config, b);
    expect(error.message).to.equal(
      'cross-account-irsa:grants[1].key: "a-pod-identity-b" is invalid: with ServiceAccount c/d names its ' +
        'PodIdentityAssociation "a-pod-identity-b-pod-identity-c-d", as cross-account-irsa:grants[0].key "a" with ' +
        "ServiceAccount b-pod-identity-c/d does (one URN: type cross-account-irsa:index:BucketAccessBinding$" +
        "cross-account-irsa:index:CrossAccountPodIdentity$aws:eks/podIdentityAssociation:PodIdentityAssociation, " +
        'name "a-pod-identity-b-pod-identity-c-d"): Pulumi registers a URN once, and the update would fail half-done; ' +
        "change one of the keys (a key names the grant's resources)",
    );
    for (const t of [BINDING, ASSOCIATION, "kubernetes:core/v1:Namespace"]) expect(types).to.not.include(t);
  });

  it("key a-chained with pod-identity beside key a with irsa-chained: one name a-chained-source, two types, both registered", async () => {
    const mixed = grantsConfig([
      { key: "a-chained", mechanism: "pod-identity" },
      { key: "a", mechanism: "irsa-chained" },
    ]);
    const first = await firstRun(mixed);
    const { engine } = await runA(
      mixed,
      bOutputs({
        "a-chained": grantOf(first, "a-chained", ["pod-identity"], [{ namespace: "x", name: "p" }]),
        a: grantOf(first, "a", ["irsa-chained"], [{ namespace: "x", name: "c" }]),
      }),
    );
    const named = engine.resources.filter((r) => r.name === "a-chained-source").map((r) => r.type);
    expect(named.sort()).to.deep.equal([
      "aws:iam/role:Role",
      "aws:iam/role:Role",
      "cross-account-irsa:index:ChainedSourceRole",
      "cross-account-irsa:index:PodIdentitySourceRole",
    ]);
    // The two roles' URNs differ by their parents' types (the mock engine keeps the closest parent's).
    const roles = engine.ofType("aws:iam/role:Role").filter((r) => r.name === "a-chained-source");
    expect(new Set(roles.map((r) => r.urn)).size).to.equal(2);
  });

  it("irsa bindings register no association: the same names are not a clash", async () => {
    const irsa = grantsConfig([
      { key: "a", mechanism: "irsa" },
      { key: "a-pod-identity-b", mechanism: "irsa" },
    ]);
    const first = await firstRun(irsa);
    const { engine } = await runA(
      irsa,
      bOutputs({
        a: grantOf(first, "a", ["irsa"], [{ namespace: "b-pod-identity-c", name: "d" }]),
        "a-pod-identity-b": grantOf(first, "a-pod-identity-b", ["irsa"], [{ namespace: "c", name: "d" }]),
      }),
    );
    expect(engine.ofType(BINDING).map((r) => r.name)).to.deep.equal(["a", "a-pod-identity-b"]);
  });
});
