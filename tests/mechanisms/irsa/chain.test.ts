import { expect } from "chai";
import { type IrsaSnapshot } from "../../../chain";
import {
  ChainError,
  IRSA_LINKS,
  assertChain,
  checkChain,
  describeFailure,
  linkOf,
} from "../../../mechanisms";
import { buildS3AccessPolicy } from "../../../components/s3AccessPolicy";
import { buildTrustPolicy } from "../../../components/trustPolicy";
import { type AccountBOutputs } from "../../../stacks/crossStack";
import { checkPlannedChain, plannedChain } from "../../../mechanisms/irsa/crossStack";

const HOST = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER = `arn:aws:iam::444455556666:oidc-provider/${HOST}`;
const ROLE = "arn:aws:iam::444455556666:role/reader";
const SA = { namespace: "apps", name: "reader" };

/** account-b's outputs as the account-b program exports them, for one service account. */
function accountB(overrides: Partial<AccountBOutputs> = {}): AccountBOutputs {
  return {
    mechanism: "irsa",
    roleArn: ROLE,
    bucketName: "team-data",
    objectKey: "irsa-check.txt",
    serviceAccounts: [SA],
    trustPolicy: JSON.stringify(
      buildTrustPolicy([{ oidcProviderArn: PROVIDER, issuerUrl: `https://${HOST}`, serviceAccounts: [SA] }]),
    ),
    oidcProviderArn: PROVIDER,
    accessPolicy: JSON.stringify(buildS3AccessPolicy({ bucketName: "team-data" })),
    ...overrides,
  };
}

const statuses = (snapshot: IrsaSnapshot) =>
  checkChain(snapshot).map((r) => `${linkOf(r.link, r.mechanism).number} ${r.status} ${r.check}`);

describe("the IRSA chain (mechanisms/irsa/chain.ts)", () => {
  it("numbers its five links 1 to 5, in the order of design.md", () => {
    expect(IRSA_LINKS.map((l) => `${l.number} ${l.id}`)).to.deep.equal([
      "1 issuer",
      "2 oidc-provider",
      "3 trust-policy",
      "4 service-account",
      "5 permission",
    ]);
  });

  it("account-a's planned chain passes, with the issuer and the workloads skipped until they exist", () => {
    expect(statuses(plannedChain(accountB(), SA, true))).to.deep.equal([
      "1 skip account-a's cluster exports an OIDC issuer",
      "2 skip account-b's OIDC provider URL is account-a's issuer",
      "3 pass the role's Federated principal is that provider",
      "3 pass the role trusts apps/reader with audience sts.amazonaws.com",
      "4 pass ServiceAccount apps/reader is annotated eks.amazonaws.com/role-arn = the role ARN",
      "4 pass ServiceAccount apps/reader is a subject the role trusts",
      "5 pass the role may s3:GetObject what account-b's objectKey reads",
    ]);
  });

  it("checks the issuer once it is known: another cluster's issuer breaks link 2", () => {
    const results = checkChain(
      plannedChain(accountB(), SA, true, "https://oidc.eks.eu-west-1.amazonaws.com/id/FFFF"),
    );
    expect(results.filter((r) => r.status === "fail").map((r) => r.link)).to.deep.equal(["oidc-provider"]);
    expect(
      checkChain(plannedChain(accountB(), SA, true, `https://${HOST}`)).map((r) => r.status),
    ).to.not.include("fail");
  });

  it("skips what account-b does not export instead of failing it", () => {
    const b = accountB({ trustPolicy: undefined, oidcProviderArn: undefined, accessPolicy: undefined });
    const results = checkChain(plannedChain(b, SA, true));
    expect(results.filter((r) => r.status === "fail")).to.deep.equal([]);
    expect(results.filter((r) => r.status === "skip").map((r) => r.link)).to.include.members([
      "oidc-provider",
      "trust-policy",
      "permission",
    ]);
  });

  it("refuses, before anything is registered, a trust policy that names a provider in account A", () => {
    const inA = PROVIDER.replace(":444455556666:", ":111122223333:");
    const b = accountB({ trustPolicy: accountB().trustPolicy!.replace(PROVIDER, inA) });
    let caught: unknown;
    try {
      checkPlannedChain(b, SA, true);
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(ChainError);
    const error = caught as ChainError;
    expect(error.results.map((r) => r.check)).to.include("the role's Federated principal is that provider");
    expect(error.message).to.match(/^account-a, before registering: link 3 broken \(the role's trust policy/);
    expect(error.message).to.include("Fix: the trust policy must name account-b's OIDC provider");
  });

  it("refuses a permission policy that does not let the role read the object", () => {
    const b = accountB({
      accessPolicy: JSON.stringify(buildS3AccessPolicy({ bucketName: "team-data", prefixes: ["reports/"] })),
    });
    expect(() => checkPlannedChain(b, SA, true)).to.throw(ChainError, /link 5 broken/);
  });

  it("describes a failure with its link, what was found and the catalogue's fix; passes stay silent", () => {
    const [failure] = checkChain({ ...plannedChain(accountB(), SA, true), serviceAccount: undefined }).filter(
      (r) => r.status === "fail",
    );
    expect(describeFailure(failure)).to.equal(
      "link 4 broken (the ServiceAccount's eks.amazonaws.com/role-arn annotation and the token the webhook injects (account A)): " +
        "account-a plans the IRSA ServiceAccount: the final account-a run registers no ServiceAccount. " +
        "Fix: account-a creates the ServiceAccount once account-b has outputs: check account-a's accountBStack points at account-b.",
    );
    expect(() => assertChain("here", checkChain(plannedChain(accountB(), SA, true)))).to.not.throw();
    for (const r of checkChain(plannedChain(accountB(), SA, true))) expect(r).to.not.have.property("fix");
  });

  it("never passes the client id of an adopted provider whose client ids were not read: a warning with the fix", () => {
    const planned = plannedChain(accountB(), SA, true, `https://${HOST}`);
    const clientId = (provider: IrsaSnapshot["provider"]) =>
      checkChain({ ...planned, provider }).filter((r) => r.check.includes("accepts client id"));
    const [adopted] = clientId({ arn: PROVIDER, adopted: true });
    expect(adopted.status).to.equal("warn");
    expect(adopted.detail).to.include("not known offline");
    expect(adopted.fix).to.include("aws iam add-client-id-to-open-id-connect-provider");
    expect(clientId({ arn: PROVIDER, adopted: true, clientIds: ["sts.amazonaws.com"] })[0].status).to.equal(
      "pass",
    );
    expect(clientId({ arn: PROVIDER, adopted: true, clientIds: ["other"] })[0].status).to.equal("fail");
  });
});
