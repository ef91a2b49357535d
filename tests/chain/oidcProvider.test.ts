/**
 * chain/oidcProvider.ts: the provider link both web identity chains (IRSA, irsa-chained) check on
 * planned facts, with each mechanism's own catalogue words.
 */
import { expect } from "chai";
import { providerClientIdChecks, providerForIssuer, tryNormalize } from "../../chain/oidcProvider";
import { IRSA_CHECKS } from "../../mechanisms/irsa/catalogue";
import { IRSA_CHAINED_CHECKS } from "../../mechanisms/irsa-chained/catalogue";

const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789";
const ARN = `arn:aws:iam::111122223333:oidc-provider/${ISSUER}`;

describe("chain/oidcProvider: the provider link both web identity chains share", () => {
  it("tryNormalize: an https issuer URL as IAM stores it; anything else is undefined, never thrown", () => {
    expect(tryNormalize(`https://${ISSUER}`)).to.equal(ISSUER);
    expect(tryNormalize(undefined)).to.equal(undefined);
    expect(tryNormalize("not a url")).to.equal(undefined);
  });

  it("providerForIssuer: matches only when the ARN's host/path and the stored URL are both the issuer's", () => {
    expect(providerForIssuer({ arn: ARN, adopted: false }, ISSUER, "none").matches).to.equal(true);
    expect(
      providerForIssuer({ arn: ARN, url: `https://${ISSUER}`, adopted: false }, ISSUER, "none").matches,
    ).to.equal(true);
    // The ARN is the issuer's, the stored URL another cluster's: not this issuer's provider.
    const other = `https://${ISSUER.replace(/[^/]+$/, "0123456789ABCDEF0123456789ABCDEF")}`;
    expect(providerForIssuer({ arn: ARN, url: other, adopted: false }, ISSUER, "none").matches).to.equal(
      false,
    );
    expect(
      providerForIssuer({ arn: "arn:aws:iam::1:role/x", adopted: false }, ISSUER, "none").matches,
    ).to.equal(false);
    expect(providerForIssuer({ arn: ARN, adopted: false }, undefined, "none").matches).to.equal(false);
    expect(providerForIssuer(undefined, ISSUER, "account-x plans none")).to.deep.equal({
      matches: false,
      described: "account-x plans none",
    });
    expect(providerForIssuer({ arn: ARN, adopted: true }, ISSUER, "none").described).to.equal(
      `provider ${ARN} (adopted) for ${ISSUER}; issuer ${ISSUER}`,
    );
  });

  for (const [name, definition] of [
    ["irsa", IRSA_CHECKS.providerClientId],
    ["irsa-chained", IRSA_CHAINED_CHECKS.providerClientId],
  ] as const) {
    it(`providerClientIdChecks (${name}'s words): pass with STS, fail without, warn when adopted and unknown`, () => {
      const pass = providerClientIdChecks(
        definition,
        {},
        { arn: ARN, adopted: false, clientIds: ["sts.amazonaws.com"] },
      );
      expect(pass.map((r) => r.status)).to.deep.equal(["pass"]);
      expect(pass[0].check).to.equal(definition.title({}));
      const fail = providerClientIdChecks(definition, {}, { arn: ARN, adopted: false, clientIds: ["other"] });
      expect(fail.map((r) => [r.status, r.fix])).to.deep.equal([["fail", definition.fix({})]]);
      const adopted = providerClientIdChecks(definition, {}, { arn: ARN, adopted: true });
      expect(adopted.map((r) => r.status)).to.deep.equal(["warn"]);
      expect(adopted[0].detail).to.match(/not known offline: it must already accept sts\.amazonaws\.com/);
      expect(providerClientIdChecks(definition, {}, { arn: ARN, adopted: false })).to.deep.equal([]);
      expect(providerClientIdChecks(definition, {}, undefined)).to.deep.equal([]);
    });
  }
});
