/**
 * account-a in grants mode: two bindings whose Pod Identity associations would get one resource name
 * (`<key>-pod-identity-<namespace>-<name>`) are refused before any binding registers, naming both
 * entries; the name the check computes is the one the real program gives the association.
 */
import { expect } from "chai";
import { associationResourceName } from "../../stacks/accountAGrantsLinks";
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
      'cross-account-irsa:grants[1].key: "a-pod-identity-b" is invalid: with ServiceAccount c/d names its Pod Identity ' +
        'association "a-pod-identity-b-pod-identity-c-d", as grants[0] (key "a", ServiceAccount b-pod-identity-c/d) does: ' +
        "Pulumi names each resource once; change one of the keys (a key names the grant's resources)",
    );
    for (const t of [BINDING, ASSOCIATION, "kubernetes:core/v1:Namespace"]) expect(types).to.not.include(t);
  });

  it("the name checked is the one the real program gives each association", async () => {
    const config2 = grantsConfig([clash[0]]);
    const { engine } = await runA(config2, bOutputs({ a: (b.grants as Record<string, unknown>).a }));
    expect(engine.ofType(ASSOCIATION).map((r) => r.name)).to.deep.equal([
      associationResourceName("a", { namespace: "b-pod-identity-c", name: "d" }),
    ]);
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
