/**
 * account-b in grants mode never stops trusting what account-a's bindings still set up (account-a's
 * `grants` output): dropping a mechanism account-a still uses, or a grant it still binds, would cut
 * the live pods off; the program refuses before anything registers, naming the field and the order
 * that keeps them working (account-a first). Through the mock engine, the real program.
 */
import { expect } from "chai";
import { podCredentialPath } from "../../components/bucketAccess";
import { type Mechanism } from "../../components/mechanism";
import { A_OUTPUTS, A_STACK, MIXED, failed, grantsConfig, runB } from "./accountBGrantsFixtures";

const ROLE_ARN = "arn:aws:iam::444455556666:role/team-a-reports";

/** account-a's outputs once it binds grant `reports` with `mechanisms` (as its program exports them). */
function boundBy(mechanisms: Mechanism[], key = "reports") {
  return {
    ...A_OUTPUTS,
    grants: {
      [key]: {
        mechanisms,
        roleArn: ROLE_ARN,
        serviceAccount: { namespace: "team-a", name: "reports-reader" },
        podCredentialPath: podCredentialPath(mechanisms),
      },
    },
  };
}

const reports = (mechanism: unknown) => [{ ...MIXED[0], mechanism }, ...MIXED.slice(1)];

describe("account-b program, grants mode: what account-a still binds stays trusted", () => {
  it("refuses to drop a mechanism account-a still sets up, before any AWS resource, naming the order", async () => {
    const { error, cloud } = await failed(
      grantsConfig(reports("pod-identity")),
      boundBy(["irsa", "pod-identity"]),
    );
    expect(error.message).to.include("cross-account-irsa:grants[0].mechanism");
    expect(error.message).to.include(
      `no longer trusts "irsa", which account-a (${A_STACK}) still sets up for grant "reports"`,
    );
    expect(error.message).to.include("update account-a first");
    expect(cloud).to.deep.equal([]);
  });

  it("refuses to drop a grant account-a still binds, before any AWS resource", async () => {
    const { error, cloud } = await failed(grantsConfig(MIXED.slice(1)), boundBy(["irsa"]));
    expect(error.message).to.include(
      `no longer lists grant "reports", which account-a (${A_STACK}) still binds (irsa)`,
    );
    expect(cloud).to.deep.equal([]);
  });

  it("accepts trusting more than account-a sets up (migration steps 1 and 3 in their order)", async () => {
    // Step 1 (account-b first): the grant trusts both, account-a still binds IRSA alone.
    const step1 = await runB(grantsConfig(reports(["irsa", "pod-identity"])), boundBy(["irsa"]));
    expect(step1.engine.ofType("cross-account-irsa:index:BucketAccessGrant")).to.have.length(MIXED.length);
    // Step 3 (after account-a's step 2): the grant drops IRSA, account-a binds Pod Identity alone.
    const step3 = await runB(grantsConfig(reports(["pod-identity"])), boundBy(["pod-identity"]));
    expect(step3.engine.ofType("cross-account-irsa:index:BucketAccessGrant")).to.have.length(MIXED.length);
  });

  it("reads account-a's grants strictly: an entry it does not understand is refused, not ignored", async () => {
    const tampered = boundBy(["irsa"]);
    (tampered.grants.reports as Record<string, unknown>).extra = true;
    const { error, cloud } = await failed(grantsConfig(MIXED), tampered);
    expect(error.message).to.include(`${A_STACK} output grants.reports`);
    expect(cloud).to.deep.equal([]);
  });
});
