import { expect } from "chai";
import fc from "fast-check";
import { InputError } from "../../components/errors";
import { issuerUrlOf, normalizeIssuer } from "../../components/issuer";
import { dnsLabel, expectInputError, HOST_A, ISSUER_A } from "./coreHelpers";

describe("normalizeIssuer", () => {
  describe("accepts", () => {
    const cases: Array<[string, string]> = [
      [ISSUER_A, HOST_A],
      [HOST_A, HOST_A],
      [`${ISSUER_A}/`, HOST_A],
      [`${ISSUER_A}///`, HOST_A],
      [`${HOST_A}/`, HOST_A],
      [
        "https://OIDC.EKS.EU-WEST-1.AMAZONAWS.COM/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
        "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
      ],
      ["HTTPS://Token.Example.COM/Path/MixedCase/", "token.example.com/Path/MixedCase"],
      ["https://token.actions.githubusercontent.com", "token.actions.githubusercontent.com"],
      ["https://token.actions.githubusercontent.com/", "token.actions.githubusercontent.com"],
      ["localhost", "localhost"],
      ["https://a-b.example.com/x_y/z~w.v", "a-b.example.com/x_y/z~w.v"],
    ];
    for (const [input, expected] of cases) {
      it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
        expect(normalizeIssuer(input)).to.equal(expected);
      });
    }

    it("keeps the path's case (EKS cluster ids are upper-case hex) but lower-cases the host", () => {
      expect(normalizeIssuer("https://OIDC.eks.eu-west-1.amazonaws.com/id/AbCd")).to.equal(
        "oidc.eks.eu-west-1.amazonaws.com/id/AbCd",
      );
      expect(normalizeIssuer("https://oidc.eks.eu-west-1.amazonaws.com/id/abcd")).to.not.equal(
        normalizeIssuer("https://oidc.eks.eu-west-1.amazonaws.com/id/ABCD"),
      );
    });

    it("is idempotent, and gives the same result with or without https:// and trailing slashes", () => {
      // A host name's last label is never all digits (that would be an IP address).
      const hostArb = fc
        .tuple(fc.array(dnsLabel(8), { maxLength: 3 }), fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/))
        .map(([labels, top]) => [...labels, top].join("."));
      const pathArb = fc.array(fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/), { maxLength: 3 });
      fc.assert(
        fc.property(
          hostArb,
          pathArb,
          fc.boolean(),
          fc.boolean(),
          fc.nat({ max: 3 }),
          (host, segments, scheme, upper, slashes) => {
            const hostPath = [host, ...segments].join("/");
            const input =
              (scheme ? "https://" : "") +
              (upper ? host.toUpperCase() : host) +
              segments.map((s) => `/${s}`).join("") +
              "/".repeat(slashes);
            const normalized = normalizeIssuer(input);
            expect(normalized).to.equal(hostPath);
            expect(normalizeIssuer(normalized)).to.equal(normalized);
            expect(normalizeIssuer(`https://${normalized}/`)).to.equal(normalized);
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  describe("rejects, naming the field, the value and the rule", () => {
    const cases: Array<[string, string, string | RegExp]> = [
      ["http scheme", `http://${HOST_A}`, "must use https:// (IAM only trusts HTTPS issuers), not http://"],
      ["upper-case HTTP scheme", `HTTP://${HOST_A}`, "not HTTP://"],
      ["ftp scheme", "ftp://oidc.example.com/id/1", "must use https://"],
      ["wss scheme", "wss://oidc.example.com", "not wss://"],
      ["a query string", `${ISSUER_A}?x=1`, "must not have a query string"],
      ["an empty query string", `${ISSUER_A}?`, "must not have a query string"],
      ["a fragment", `${ISSUER_A}#frag`, "must not have a fragment"],
      ["an empty string", "", "must not be empty"],
      ["a leading space", ` ${ISSUER_A}`, "must not contain whitespace"],
      ["a trailing newline", `${ISSUER_A}\n`, "must not contain whitespace"],
      ["a space in the path", "https://oidc.example.com/id/A B", "must not contain whitespace"],
      ["a tab", "https://oidc.example.com\t/id", "must not contain whitespace"],
      ["only whitespace", "   ", "must not contain whitespace"],
      ["a port", "https://oidc.example.com:443/id/1", "must not name a port"],
      ["a port without scheme", "oidc.example.com:8443", "must not name a port"],
      ["user info", "https://user@oidc.example.com/id/1", "must not contain user information"],
      ["user and password", "https://user:pw@oidc.example.com/id/1", "must not contain user information"],
      ["no host (scheme only)", "https://", "must have a host name"],
      ["no host (path only)", "https:///id/1", "must have a host name"],
      ["a host with '_'", "https://bad_host.example.com/id/1", "must have a valid DNS host name"],
      ["a host starting with '-'", "https://-bad.example.com/id/1", "must have a valid DNS host name"],
      ["a host ending with '-'", "https://bad-.example.com", "must have a valid DNS host name"],
      ["an empty host label", "https://a..example.com/id/1", "must have a valid DNS host name"],
      ["a trailing dot on the host", "https://example.com./id/1", "must have a valid DNS host name"],
      ["a '*' in the host", "https://*.example.com/id/1", "must have a valid DNS host name"],
      ["'//' in the path", "https://oidc.example.com/id//1", "must not contain empty path segments ('//')"],
      ["'//' right after the host", "https://oidc.example.com//id", "must not contain empty path segments"],
      // The host/path becomes part of IAM condition keys: nothing that means something there.
      ["a wildcard in the path", "https://oidc.example.com/id/*", "must have a path of segments of letters"],
      ["a '?' (a query) in the path", "oidc.example.com/id/a?", "must not have a query string"],
      ["a policy variable", "https://oidc.example.com/id/${aws:username}", "'${'"],
      ["a quote", 'https://oidc.example.com/a"b', "quotes"],
      ["a ':' in the path", "https://oidc.example.com/x:sub", "must have a path of segments"],
      ["an IPv4 host", "https://10.0.0.1/id/1", "must name its host, not an IP address"],
      ["a numeric last label", "https://oidc.123/id/1", "not an IP address"],
      ["a non-ASCII host", "https://exämple.com/id/1", "must have a valid DNS host name"],
      ["a non-ASCII path", "https://oidc.example.com/id/ä", "must have a path of segments"],
    ];
    for (const [what, input, rule] of cases) {
      it(`${what}: ${JSON.stringify(input)}`, () => {
        expectInputError(() => normalizeIssuer(input), "issuerUrl", input, rule);
      });
    }

    it("names the caller's field", () => {
      expectInputError(
        () => normalizeIssuer("http://x.example.com", "clusters[2].issuerUrl"),
        "clusters[2].issuerUrl",
        "http://x.example.com",
        "must use https://",
      );
    });

    it("rejects a value that is not a string", () => {
      for (const value of [undefined, null, 42, { url: ISSUER_A }]) {
        expectInputError(
          () => normalizeIssuer(value as unknown as string),
          "issuerUrl",
          value,
          "must be a string",
        );
      }
    });

    it("never returns a value that still has a scheme, a trailing slash or upper-case host", () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 40 }), (input) => {
          let out: string;
          try {
            out = normalizeIssuer(input);
          } catch (e) {
            expect(e).to.be.instanceOf(InputError);
            return;
          }
          expect(out).to.not.match(/^[a-z][a-z0-9+.-]*:\/\//i);
          expect(out).to.not.match(/\/$/);
          expect(out).to.not.match(/\s|\?|#/);
          const host = out.split("/")[0];
          expect(host).to.equal(host.toLowerCase());
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe("issuerUrlOf", () => {
  it("gives the https:// URL of a normalised issuer", () => {
    expect(issuerUrlOf(HOST_A)).to.equal(ISSUER_A);
    expect(issuerUrlOf(`HTTPS://OIDC.EKS.EU-WEST-1.AMAZONAWS.COM/id/X/`)).to.equal(
      "https://oidc.eks.eu-west-1.amazonaws.com/id/X",
    );
  });

  it("rejects what normalizeIssuer rejects, under the caller's field", () => {
    expectInputError(
      () => issuerUrlOf("http://a.example.com", "oidcIssuerUrl"),
      "oidcIssuerUrl",
      "http://a.example.com",
      "must use https://",
    );
  });
});
