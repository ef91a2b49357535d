/**
 * IRSA-chained's config keys: account-a's own keys checked, refused under another mechanism;
 * account-b's settings that mean nothing with role chaining refused by name, with why.
 */
import { expect } from "chai";
import {
  IRSA_CHAINED_STACK_CONFIG,
  parseIrsaChainedAccountA,
  refuseOnAccountB,
} from "../../../mechanisms/irsa-chained/config";
import { type AwsSettings } from "../../../stacks/config";
import { refuseOtherMechanismKeys } from "../../../stacks/configKeys";
import { expectInputError } from "../../components/coreHelpers";

const A = "111122223333";
const PROVIDER = `arn:aws:iam::${A}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC`;
const getter = (values: Record<string, unknown>) => (k: string) => values[k];
const AWS_A = { region: "eu-west-1", partition: "aws", allowedAccountIds: [A] };

describe("irsa-chained config", () => {
  it("account-a: adopts A's provider and names the source role", () => {
    expect(
      parseIrsaChainedAccountA(getter({ existingOidcProviderArn: PROVIDER, sourceRoleName: "src" }), AWS_A),
    ).to.deep.equal({ existingOidcProviderArn: PROVIDER, sourceRoleName: "src" });
    expect(parseIrsaChainedAccountA(getter({}), AWS_A)).to.deep.equal({});
  });

  it("account-a: refuses a provider of another account, a bad ARN and a bad role name", () => {
    const other = PROVIDER.replace(A, "444455556666");
    expectInputError(
      () => parseIrsaChainedAccountA(getter({ existingOidcProviderArn: other }), AWS_A),
      "cross-account-irsa:existingOidcProviderArn",
      other,
      /must be a provider of account A \(111122223333/,
    );
    expectInputError(
      () => parseIrsaChainedAccountA(getter({ existingOidcProviderArn: "arn:aws:iam::1:role/x" }), AWS_A),
      "cross-account-irsa:existingOidcProviderArn",
      "arn:aws:iam::1:role/x",
      /IAM OIDC provider ARN/,
    );
    expectInputError(
      () => parseIrsaChainedAccountA(getter({ sourceRoleName: "a b" }), AWS_A),
      "cross-account-irsa:sourceRoleName",
      "a b",
      /IAM role name/,
    );
    const china = PROVIDER.replace("arn:aws:", "arn:aws-cn:");
    expectInputError(
      () => parseIrsaChainedAccountA(getter({ existingOidcProviderArn: china }), AWS_A),
      "cross-account-irsa:existingOidcProviderArn",
      china,
      /must be in the partition of aws:region eu-west-1 \("aws"\)/,
    );
    // Any of the allowed accounts is account A; without allowedAccountIds the account is not checked.
    const second = PROVIDER.replace(A, "444455556666");
    expect(
      parseIrsaChainedAccountA(getter({ existingOidcProviderArn: second }), {
        ...AWS_A,
        allowedAccountIds: [A, "444455556666"],
      }),
    ).to.deep.equal({ existingOidcProviderArn: second });
    expect(
      parseIrsaChainedAccountA(getter({ existingOidcProviderArn: second }), {
        region: "eu-west-1",
        partition: "aws",
      }),
    ).to.deep.equal({ existingOidcProviderArn: second });
  });

  it("account-a: its keys are refused under another mechanism, naming it", () => {
    expectInputError(
      () => refuseOtherMechanismKeys("account-a", "irsa", getter({ sourceRoleName: "src" })),
      "cross-account-irsa:sourceRoleName",
      "src",
      /only with cross-account-irsa:mechanism "irsa-chained" \(this stack uses "irsa"\)/,
    );
    // Under its own mechanism the keys are its layer's to parse, never refused.
    expect(() =>
      refuseOtherMechanismKeys("account-a", "irsa-chained", getter({ sourceRoleName: "src" })),
    ).to.not.throw();
    expect(
      IRSA_CHAINED_STACK_CONFIG.accountA.parse(
        getter({ sourceRoleName: "src" }),
        { region: "eu-west-1", partition: "aws", allowedAccountIds: [A] } satisfies AwsSettings,
        {},
      ),
    ).to.deep.equal({ irsaChained: { sourceRoleName: "src" } });
  });

  it("account-b: refuses a provider in B, patterns, whole namespaces and sessions over an hour", () => {
    const cases: Array<[Record<string, unknown>, number | undefined, string, unknown, RegExp]> = [
      [
        { existingOidcProviderArn: PROVIDER },
        undefined,
        "existingOidcProviderArn",
        PROVIDER,
        /no OIDC provider/,
      ],
      [{ conditionTest: "StringLike" }, undefined, "conditionTest", "StringLike", /exact service accounts/],
      [{ trustWholeNamespaces: "true" }, undefined, "trustWholeNamespaces", "true", /exact service accounts/],
      [{}, 7200, "maxSessionDuration", 7200, /caps the target role's sessions at 3600 seconds/],
    ];
    for (const [values, max, k, value, rule] of cases) {
      expectInputError(() => refuseOnAccountB(getter(values), max), `cross-account-irsa:${k}`, value, rule);
    }
    expect(() => refuseOnAccountB(getter({ conditionTest: "StringEquals" }), 3600)).to.not.throw();
  });
});
