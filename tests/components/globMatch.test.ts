import { expect } from "chai";
import fc from "fast-check";
import { globMatch } from "../../components/evaluate";

describe("globMatch", () => {
  const cases: Array<[string, string, boolean, boolean]> = [
    ["", "", false, true],
    ["", "a", false, false],
    ["*", "", false, true],
    ["*", "anything:at/all", false, true],
    ["?", "", false, false],
    ["?", "a", false, true],
    ["?", "ab", false, false],
    ["a*", "a", false, true],
    ["a*", "ba", false, false],
    ["*a", "ba", false, true],
    ["*a", "ab", false, false],
    ["a*b*c", "aXbYc", false, true],
    ["a*b*c", "abc", false, true],
    ["a*b*c", "acb", false, false],
    ["a*b", "aXbXb", false, true],
    ["a*b", "aXbXbX", false, false],
    ["*?", "", false, false],
    ["*?", "x", false, true],
    ["??*", "x", false, false],
    ["a**b", "ab", false, true],
    ["s3:Get*", "S3:GETOBJECT", true, true],
    ["s3:Get*", "S3:GETOBJECT", false, false],
    ["arn:aws:s3:::b/reports/*", "arn:aws:s3:::b/reports/", false, true],
    ["arn:aws:s3:::b/reports/*", "arn:aws:s3:::b/reports", false, false],
    ["a.b", "axb", false, false], // no regex semantics
    ["a+", "aa", false, false],
    ["[ab]", "a", false, false],
    ["[ab]", "[ab]", false, true],
    // A '*' in the pattern is a wildcard even where the value holds a literal '*' (S3 keys may).
    ["*", "*a", false, true],
    ["a*", "a*b", false, true],
    ["arn:aws:s3:::b/*", "arn:aws:s3:::b/*x", false, true],
    ["*b", "*ab", false, true],
    ["?", "*", false, true],
    ["*", "*", false, true],
    ["a?", "a*", false, true],
  ];
  for (const [pattern, value, ignoreCase, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? "matches" : "does not match"} ${JSON.stringify(value)}${ignoreCase ? " (ignoring case)" : ""}`, () => {
      expect(globMatch(pattern, value, ignoreCase)).to.equal(expected);
    });
  }

  /** Reference implementation: the glob as an anchored regular expression. */
  const reference = (pattern: string, value: string, ignoreCase: boolean): boolean => {
    const source = pattern
      .split("")
      .map((c) =>
        c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"),
      )
      .join("");
    return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
  };

  it("agrees with a reference regular-expression implementation (property)", () => {
    const alphabet = fc.constantFrom("a", "b", "A", "*", "?", ".", "/", ":", "\\", "[", "+", "$");
    const str = (max: number) => fc.array(alphabet, { maxLength: max }).map((cs) => cs.join(""));
    fc.assert(
      fc.property(str(8), str(12), fc.boolean(), (pattern, value, ignoreCase) => {
        expect(globMatch(pattern, value, ignoreCase)).to.equal(reference(pattern, value, ignoreCase));
      }),
      { numRuns: 400 },
    );
  });

  it("a pattern always matches itself with wildcards replaced, and '*' + s + '*' matches any superstring", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 10 }),
        fc.string({ maxLength: 5 }),
        fc.string({ maxLength: 5 }),
        (s, pre, post) => {
          const literal = s.replace(/[*?]/g, "");
          expect(globMatch(`*${literal}*`, `${pre}${literal}${post}`, false)).to.equal(true);
          expect(globMatch(s, s.replace(/\*/g, "").replace(/\?/g, "x"), false)).to.equal(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is fast on pathological patterns (no exponential backtracking)", () => {
    const start = Date.now();
    expect(globMatch(`${"*a".repeat(50)}b`, "a".repeat(5000), false)).to.equal(false);
    expect(Date.now() - start).to.be.below(500);
  });
});
