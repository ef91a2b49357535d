/**
 * Shared helpers of the pure-core tests (not a test file itself: mocha only runs `*.test.ts`).
 */
import { expect } from "chai";
import fc from "fast-check";
import { InputError, describeValue } from "../../components/errors";
import type { ServiceAccountRef, TrustedCluster } from "../../components/trustPolicy";

/**
 * Runs `fn`, expects it to throw an {@link InputError} for `field` and `value`, and checks that the
 * message names the field, the value (as `describeValue` renders it) and the rule.
 */
export function expectInputError(
  fn: () => unknown,
  field: string,
  value: unknown,
  rule: string | RegExp,
): InputError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected an InputError to be thrown").to.be.instanceOf(InputError);
  const err = caught as InputError;
  expect(err.name).to.equal("InputError");
  expect(err.field, "error.field").to.equal(field);
  expect(err.value, "error.value").to.deep.equal(value);
  expect(err.message, "message names the field").to.include(field);
  expect(err.message, "message names the value").to.include(describeValue(value));
  if (typeof rule === "string") {
    expect(err.rule, "error.rule").to.include(rule);
    expect(err.message, "message names the rule").to.include(rule);
  } else {
    expect(err.rule, "error.rule").to.match(rule);
    expect(err.message, "message names the rule").to.match(rule);
  }
  return err;
}

/** EKS-style issuers and the IAM OIDC provider ARNs for them in account B (222233334444). */
export const ACCOUNT_B = "222233334444";
export const HOST_A = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
export const HOST_B = "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
export const ISSUER_A = `https://${HOST_A}`;
export const ISSUER_B = `https://${HOST_B}`;
export const PROVIDER_A = `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${HOST_A}`;
export const PROVIDER_B = `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${HOST_B}`;

/** Cluster A (issuer A, its provider in account B) trusting `serviceAccounts`. */
export function clusterA(serviceAccounts: ServiceAccountRef[]): TrustedCluster {
  return { oidcProviderArn: PROVIDER_A, issuerUrl: ISSUER_A, serviceAccounts };
}

const LABEL_END = fc.oneof(
  fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz"),
  fc.constantFrom(..."0123456789"),
);
// "-" as often as a letter or a digit, as fc.stringMatching drew them (the glob properties need dashes).
const LABEL_INNER = fc.oneof(fc.constant("-"), LABEL_END);

/**
 * A DNS-1123 label (kept short so that generated policies stay under the size limit): the strings of
 * `^[a-z0-9]([-a-z0-9]{0,maxInner}[a-z0-9])?$`, built from their parts (fc.stringMatching, which
 * generates through the regular expression, was most of the property tests' generation time).
 */
export const dnsLabel = (maxInner = 10): fc.Arbitrary<string> =>
  fc
    .tuple(
      LABEL_END,
      // One-character labels about half the time, as before.
      fc.option(fc.tuple(fc.array(LABEL_INNER, { maxLength: maxInner }), LABEL_END), { freq: 2 }),
    )
    .map(([first, rest]) => (rest === null ? first : `${first}${rest[0].join("")}${rest[1]}`));

/** A DNS-1123 subdomain of one to three short labels. */
export const dnsSubdomain = (): fc.Arbitrary<string> =>
  fc.array(dnsLabel(6), { minLength: 1, maxLength: 3 }).map((labels) => labels.join("."));

/** An EKS-like issuer host/path: `oidc.eks.<region>.amazonaws.com/id/<32 upper-case hex>`. */
export const eksHostPath = (): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom("eu-west-1", "us-east-1", "ap-southeast-2", "eu-central-1"),
      fc.stringMatching(/^[0-9A-F]{32}$/),
    )
    .map(([region, id]) => `oidc.eks.${region}.amazonaws.com/id/${id}`);
