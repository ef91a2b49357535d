/**
 * Issue 9, item 1: the StringLike guard is about the set of patterns, not one pattern. Properties
 * over generated pattern sets, checked against the evaluator and a brute-force enumeration.
 */
import { expect } from "chai";
import fc from "fast-check";
import { InputError } from "../../components/errors";
import { evaluateTrust, globMatch } from "../../components/evaluate";
import { nameCoverage } from "../../components/nameCoverage";
import { STS_AUDIENCE, buildTrustPolicy, wholeNamespaces } from "../../components/trustPolicy";

const HOST = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER = `arn:aws:iam::444455556666:oidc-provider/${HOST}`;
const NAMESPACES = ["apps", "team-a", "default", "kube-system"];

/** Name patterns over a small alphabet, so that sets covering a namespace come up often. */
const patternArb = fc
  .array(fc.constantFrom("a", "b", "1", "-", "*", "?"), { minLength: 1, maxLength: 4 })
  .map((cs) => cs.join(""))
  .filter((p) => /^[a-z0-9*?]/.test(p) && /[a-z0-9*?]$/.test(p));
/** A pattern in a namespace, either may also be a namespace pattern (which must always be refused). */
const entryArb = fc.record({
  namespace: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("apps", "team-a") },
    { weight: 1, arbitrary: fc.constantFrom("*", "app?", "team-*", "?*") },
  ),
  name: patternArb,
});
const setArb = fc.array(entryArb, { minLength: 1, maxLength: 6 });
/** Any valid service account name: letters, digits, '-' and '.' in DNS-1123 form. */
const nameArb = fc
  .array(fc.constantFrom("a", "b", "c", "1", "-", "."), { minLength: 1, maxLength: 8 })
  .map((cs) => cs.join(""))
  .filter((n) => /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(n) && !/\.\.|\.-|-\./.test(n));

function tryBuild(set: Array<{ namespace: string; name: string }>, trustWholeNamespaces = false) {
  try {
    return buildTrustPolicy([{ oidcProviderArn: PROVIDER, issuerUrl: HOST, serviceAccounts: set }], {
      conditionTest: "StringLike",
      maxSize: 4096,
      trustWholeNamespaces,
    });
  } catch (error) {
    expect(error).to.be.instanceOf(InputError);
    return undefined;
  }
}

const allowed = (doc: ReturnType<typeof buildTrustPolicy>, namespace: string, name: string) =>
  evaluateTrust(doc, {
    oidcProviderArn: PROVIDER,
    sub: `system:serviceaccount:${namespace}:${name}`,
    aud: STS_AUDIENCE,
  }).decision === "Allow";

describe("StringLike pattern sets (properties)", () => {
  it("the union never matches a subject in a namespace that is not named literally, with or without the flag", () => {
    fc.assert(
      fc.property(
        setArb,
        fc.boolean(),
        fc.constantFrom(...NAMESPACES),
        nameArb,
        (set, flag, namespace, name) => {
          const doc = tryBuild(set, flag);
          if (set.some((sa) => /[*?]/.test(sa.namespace))) {
            expect(doc, "a namespace pattern is refused").to.equal(undefined);
            return;
          }
          if (doc === undefined) return;
          const named = new Set<string>(set.map((sa) => sa.namespace));
          if (!named.has(namespace)) expect(allowed(doc, namespace, name)).to.equal(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("without trustWholeNamespaces, every namespace of an accepted set keeps a name out, which IAM's evaluation denies", () => {
    fc.assert(
      fc.property(setArb, (set) => {
        const literal = set.filter((sa) => !/[*?]/.test(sa.namespace));
        const doc = tryBuild(literal);
        if (doc === undefined || literal.length === 0) return;
        for (const namespace of new Set(literal.map((sa) => sa.namespace))) {
          const coverage = nameCoverage(
            literal.filter((sa) => sa.namespace === namespace).map((sa) => sa.name),
          );
          // Plain names only can never cover a namespace; patterns were checked to leave names out.
          if (!coverage.wide)
            expect(allowed(doc, namespace, coverage.witness), coverage.witness).to.equal(false);
          else expect.fail(`accepted a set that is namespace-wide in ${namespace}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("a set is refused exactly when it is namespace-wide somewhere, and accepted then with trustWholeNamespaces", () => {
    fc.assert(
      fc.property(setArb, (set) => {
        const literal = set.filter((sa) => !/[*?]/.test(sa.namespace));
        if (literal.length === 0) return;
        const wide = wholeNamespaces(literal, "StringLike");
        const refused = tryBuild(literal) === undefined;
        expect(refused).to.equal(wide.length > 0);
        expect(tryBuild(literal, true)).not.to.equal(undefined);
      }),
      { numRuns: 200 },
    );
  });

  it("nameCoverage agrees with a brute-force enumeration of names", () => {
    // Names over {a, b, c}: c stands for every character no pattern names. With at most 4 patterns
    // of at most 3 characters, whether names of lengths 8 and 9 stay unmatched shows whether
    // infinitely many do (found by enumeration here, not assumed: the property would fail).
    const short = fc
      .array(fc.constantFrom("a", "b", "*", "?"), { minLength: 1, maxLength: 3 })
      .map((cs) => cs.join(""));
    const names = (length: number): string[] =>
      length === 0 ? [""] : names(length - 1).flatMap((n) => ["a", "b", "c"].map((c) => n + c));
    const long = [...names(8), ...names(9)];
    fc.assert(
      fc.property(fc.array(short, { minLength: 1, maxLength: 4 }), (patterns) => {
        const matched = (name: string) => patterns.some((p) => globMatch(p, name, false));
        const coverage = nameCoverage(patterns);
        const longUnmatched = long.filter((n) => !matched(n));
        if (coverage.wide) {
          expect(longUnmatched, "a wide set leaves no long name out").to.deep.equal([]);
          for (const n of coverage.unmatched) expect(matched(n), n).to.equal(false);
        } else {
          expect(matched(coverage.witness), coverage.witness).to.equal(false);
          expect(longUnmatched.length, "a narrow set leaves long names out").to.be.greaterThan(0);
        }
      }),
      { numRuns: 60 },
    );
  });
});
