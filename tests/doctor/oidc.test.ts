import { rootCertificates } from "node:tls";
import { expect } from "chai";
import { fetchFailure, trusting } from "../../doctor/oidc";

const EKS = "oidc.eks.eu-west-1.amazonaws.com";

describe("doctor: what an HTTPS error to the issuer means", () => {
  it("no answer at all is no route (warn): it says nothing about the chain", () => {
    for (const code of ["ENOTFOUND", "ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH"]) {
      expect(fetchFailure(code, `${code}: x`, EKS)).to.deep.equal({ message: `${code}: x`, noRoute: true });
    }
  });

  it("a certificate that does not verify is a fact about the issuer (fail), whatever the host", () => {
    for (const code of ["CERT_HAS_EXPIRED", "ERR_TLS_CERT_ALTNAME_INVALID", "DEPTH_ZERO_SELF_SIGNED_CERT"]) {
      expect(fetchFailure(code, `${code}: x`, EKS)).to.deep.equal({
        message: `the host's TLS certificate does not verify: ${code}: x`,
        noRoute: false,
      });
    }
    expect(fetchFailure("SELF_SIGNED_CERT_IN_CHAIN", "m", "issuer.example.com").noRoute).to.equal(false);
    expect(fetchFailure("UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "m", "issuer.example.com").noRoute).to.equal(
      false,
    );
  });

  it("an EKS-hosted issuer whose chain this machine does not trust is this machine's problem (a proxy): no route", () => {
    for (const code of [
      "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "SELF_SIGNED_CERT_IN_CHAIN",
    ]) {
      const f = fetchFailure(code, `${code}: m`, EKS);
      expect(f.noRoute, code).to.equal(true);
      expect(f.message).to.match(/^this machine does not trust the certificate chain it was shown/);
    }
    expect(
      fetchFailure("SELF_SIGNED_CERT_IN_CHAIN", "m", "oidc.eks.cn-north-1.amazonaws.com.cn").noRoute,
    ).to.equal(true);
  });
});

describe("doctor: the TLS context of an extra CA", () => {
  // Two real certificates (any PEM would do; these are at hand): parsing them is what a context costs.
  const [CA_A, CA_B] = rootCertificates;

  it("is made once per set of certificates, not once per request (each parses all the roots again)", () => {
    const a = trusting([CA_A]);
    expect(trusting([CA_A]), "the same certificates in a new array").to.equal(a);
    expect(trusting([]), "none beside the system's").to.equal(trusting([]));
  });

  it("is another context for other certificates", () => {
    const a = trusting([CA_A]);
    expect(trusting([CA_B])).to.not.equal(a);
    expect(trusting([CA_A, CA_B])).to.not.equal(a);
    expect(trusting([])).to.not.equal(a);
  });
});
