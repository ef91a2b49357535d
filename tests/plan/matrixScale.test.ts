/**
 * What keeps the access matrices linear in the fleet (bench/scale.ts times it): the swapped pair found
 * in one pass, and documents checked against IAM's grammar once (sealDocument) with the same answers.
 */
import { expect } from "chai";
import fc from "fast-check";
import { evaluateTrust } from "../../components/evaluate";
import { type PolicyDocument } from "../../components/policyDocument";
import { sealDocument } from "../../components/policyGrammar";
import { type ServiceAccountRef } from "../../components/trustPolicy";
import { swappedPair } from "../../mechanisms/pod-identity/matrix";

/** The definition: the first trusted namespace, then the first trusted name, that are not trusted together. */
function swappedPairByDefinition(trusted: ServiceAccountRef[]): ServiceAccountRef | undefined {
  for (const x of trusted) {
    for (const y of trusted) {
      if (!trusted.some((t) => t.namespace === x.namespace && t.name === y.name)) {
        return { namespace: x.namespace, name: y.name };
      }
    }
  }
  return undefined;
}

describe("plan matrices: linear in the service accounts", () => {
  it("swappedPair gives the definition's pair (or none) for any list of service accounts", () => {
    const sa = fc.record({ namespace: fc.constantFrom("a", "b", "c"), name: fc.constantFrom("x", "y", "z") });
    fc.assert(
      fc.property(fc.array(sa, { maxLength: 12 }), (trusted) => {
        expect(swappedPair(trusted)).to.deep.equal(swappedPairByDefinition(trusted));
      }),
    );
  });

  it("swappedPair: none when every namespace trusts every name; the first untrusted name otherwise", () => {
    const all = ["a", "b"].flatMap((namespace) => ["x", "y"].map((name) => ({ namespace, name })));
    expect(swappedPair(all)).to.equal(undefined);
    expect(swappedPair(all.slice(1))).to.deep.equal({ namespace: "a", name: "x" });
    const oneNamespace = Array.from({ length: 212 }, (_, i) => ({ namespace: "team-a", name: `r-${i}` }));
    expect(swappedPair(oneNamespace)).to.equal(undefined);
  });

  const trust: PolicyDocument = {
    Version: "2012-10-17",
    Statement: {
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::444455556666:oidc-provider/oidc.example.com/id/AB" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { "oidc.example.com/id/AB:sub": "system:serviceaccount:apps:reader" } },
    },
  } as unknown as PolicyDocument;

  it("a sealed document is a frozen copy that evaluates as the original, every time", () => {
    const sealed = sealDocument(trust);
    expect(sealed).to.deep.equal(trust);
    expect(sealed).to.not.equal(trust);
    expect(Object.isFrozen(trust)).to.equal(false);
    expect(() => {
      (sealed as unknown as { Version: string }).Version = "2008-10-17";
    }).to.throw(TypeError);
    for (const sub of ["system:serviceaccount:apps:reader", "system:serviceaccount:apps:other"]) {
      const request = {
        oidcProviderArn: "arn:aws:iam::444455556666:oidc-provider/oidc.example.com/id/AB",
        sub,
        aud: "x",
      };
      const once = evaluateTrust(trust, request);
      expect(evaluateTrust(sealed, request)).to.deep.equal(once);
      expect(evaluateTrust(sealed, request)).to.deep.equal(once);
    }
  });

  it("a sealed document the grammar refuses is refused on every evaluation", () => {
    const bad = sealDocument({ ...trust, Unknown: 1 } as unknown as PolicyDocument);
    const request = {
      oidcProviderArn: "arn:aws:iam::444455556666:oidc-provider/oidc.example.com/id/AB",
      sub: "s",
      aud: "a",
    };
    expect(() => evaluateTrust(bad, request)).to.throw(/policy.Unknown/);
    expect(() => evaluateTrust(bad, request)).to.throw(/policy.Unknown/);
  });
});
