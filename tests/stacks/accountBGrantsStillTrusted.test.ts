/**
 * account-b in grants mode never stops trusting what account-a's bindings still set up (account-a's
 * `grants` output): dropping a mechanism account-a still uses, or a grant it still binds, would cut
 * the live pods off; the program refuses before anything registers, naming the field and the order
 * that keeps them working (account-a first). Through the mock engine, the real program.
 */
import { expect } from "chai";
import { podCredentialPath } from "../../components/bucketAccess";
import { InputError } from "../../components/errors";
import { type Mechanism } from "../../components/mechanism";
import { checkStillTrusted } from "../../stacks/accountBGrantsChecks";
import { A_OUTPUTS, A_STACK, MIXED, failed, grantsConfig, parse, runB, sa } from "./accountBGrantsFixtures";

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

/** MIXED with grant `reports` trusting `serviceAccounts` instead of team-a/reports-reader. */
const reportsTrusting = (serviceAccounts: unknown[]) => [{ ...MIXED[0], serviceAccounts }, ...MIXED.slice(1)];

/** account-a's binding of `reports` with IRSA on `serviceAccount` (checkStillTrusted's input). */
const bindingOn = (serviceAccount: { namespace: string; name: string }) => [
  { key: "reports", mechanisms: ["irsa"] as Mechanism[], serviceAccount },
];

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

  it("refuses (pure check) to drop the ServiceAccount account-a binds from the grant's serviceAccounts, naming the field and the order", () => {
    const config = parse(reportsTrusting([sa("team-a", "other-reader")]));
    let error: unknown;
    try {
      checkStillTrusted(config, bindingOn(sa("team-a", "reports-reader")));
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(InputError);
    const message = (error as InputError).message;
    expect(message).to.include("cross-account-irsa:grants[0].serviceAccounts");
    expect(message).to.include('["team-a/other-reader"]');
    expect(message).to.include(
      `no longer lists team-a/reports-reader, which account-a (${config.accountAStack}) still binds for grant "reports"`,
    );
    expect(message).to.include("update account-a first, then account-b");
    // Same name, another namespace: not the bound ServiceAccount either.
    expect(() =>
      checkStillTrusted(
        parse(reportsTrusting([sa("team-b", "reports-reader")])),
        bindingOn(sa("team-a", "reports-reader")),
      ),
    ).to.throw(InputError, /grants\[0\]\.serviceAccounts/);
  });

  it("accepts (pure check) dropping a ServiceAccount no binding uses, and adding one", () => {
    const both = parse(reportsTrusting([sa("team-a", "reports-reader"), sa("team-a", "other-reader")]));
    expect(() => checkStillTrusted(both, bindingOn(sa("team-a", "reports-reader")))).not.to.throw();
    const other = parse(reportsTrusting([sa("team-a", "other-reader")]));
    expect(() => checkStillTrusted(other, bindingOn(sa("team-a", "other-reader")))).not.to.throw();
  });

  it("refuses to drop the ServiceAccount account-a binds, before any AWS resource (the program)", async () => {
    const { error, cloud } = await failed(
      grantsConfig(reportsTrusting([sa("team-a", "other-reader")])),
      boundBy(["irsa"]),
    );
    expect(error.message).to.include("cross-account-irsa:grants[0].serviceAccounts");
    expect(error.message).to.include(
      `no longer lists team-a/reports-reader, which account-a (${A_STACK}) still binds for grant "reports"`,
    );
    expect(cloud).to.deep.equal([]);
    // Once account-a binds the other ServiceAccount, the same config passes.
    const rebound = boundBy(["irsa"]);
    rebound.grants.reports.serviceAccount = { namespace: "team-a", name: "other-reader" };
    const ok = await runB(grantsConfig(reportsTrusting([sa("team-a", "other-reader")])), rebound);
    expect(ok.engine.ofType("cross-account-irsa:index:BucketAccessGrant")).to.have.length(MIXED.length);
  });
});
