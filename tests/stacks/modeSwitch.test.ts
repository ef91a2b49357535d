/**
 * The switch of a deployed single-grant pair to grants mode (stacks/modeSwitch.ts): which account-b
 * outputs are a deployed single-grant stack's, and the warning of account-a's first update. Pure.
 */
import { expect } from "chai";
import { InputError } from "../../components/errors";
import { singleGrantAccountB, switchToGrantsWarning } from "../../stacks/modeSwitch";

const B = "organization/cross-account-irsa/account-b";
const ROLE = "arn:aws:iam::444455556666:role/irsa-demo-s3-reader";

describe("stacks/modeSwitch: account-b still deployed in single-grant mode", () => {
  it("is a single-grant account-b when it exports roleArn or mechanism and no mode", () => {
    expect(singleGrantAccountB(B, { roleArn: ROLE, mechanism: "pod-identity" })).to.deep.equal({
      mechanism: "pod-identity",
      roleArn: ROLE,
    });
    // A stack from before Pod Identity exports no mechanism: IRSA.
    expect(singleGrantAccountB(B, { roleArn: ROLE })).to.deep.equal({ mechanism: "irsa", roleArn: ROLE });
    expect(singleGrantAccountB(B, { mechanism: "irsa-chained" })).to.deep.equal({
      mechanism: "irsa-chained",
    });
  });

  it("is not one with no outputs, or in grants mode", () => {
    expect(singleGrantAccountB(B, {})).to.equal(undefined);
    expect(singleGrantAccountB(B, { mode: "grants", grants: {}, region: "eu-west-1" })).to.equal(undefined);
  });

  it("refuses outputs it does not understand, naming them: a mode other than grants, grants without mode, an unknown mechanism", () => {
    expect(() => singleGrantAccountB(B, { mode: "single", roleArn: ROLE })).to.throw(
      InputError,
      `${B} output mode`,
    );
    expect(() => singleGrantAccountB(B, { grants: {}, roleArn: ROLE })).to.throw(
      InputError,
      `${B} output grants`,
    );
    expect(() => singleGrantAccountB(B, { roleArn: ROLE, mechanism: "kiam" })).to.throw(
      InputError,
      `${B} output mechanism`,
    );
  });

  it("warns what account-a's first update deletes, by mechanism, the downtime, and what to run next", () => {
    const irsa = switchToGrantsWarning(B, { mechanism: "irsa", roleArn: ROLE });
    expect(irsa).to.include(
      `account-b (${B}) is still deployed in single-grant mode (it exports roleArn ${ROLE}`,
    );
    expect(irsa).to.include(
      "It DELETES account-a's single-grant resources for irsa: the binding (binding) with its annotated ServiceAccount",
    );
    expect(irsa).to.include("the ServiceAccount's namespace when the stack created it");
    expect(irsa).to.include("pods have no credentials for account-b's buckets");
    expect(irsa).to.include("Next: update account-b with its grants-mode config, then account-a again");
    const podIdentity = switchToGrantsWarning(B, { mechanism: "pod-identity" });
    expect(podIdentity).to.include("(it exports its mechanism and no mode");
    expect(podIdentity).to.include(
      "the Pod Identity source role (pod-identity-source), the binding (binding) with its associations",
    );
    expect(podIdentity).to.include("the agent add-on (pod-identity-agent)");
    expect(switchToGrantsWarning(B, { mechanism: "irsa-chained" })).to.include(
      "account A's OIDC provider (irsa-chained-oidc), the source role (irsa-chained-source)",
    );
  });
});
