/**
 * The words both catalogues share are defined once (chain/catalogueBase.ts): the same titles and
 * fixes on each mechanism's own link, and each catalogue's entry its own object.
 */
import { expect } from "chai";
import { IRSA_CHECKS, POD_IDENTITY_CHECKS } from "../../mechanisms";
import { undecidedRead } from "../../chain/result";

const SA = { namespace: "team-a", name: "s3-reader" };
const WORKLOAD = { workload: { kind: "Job", name: "check", namespace: "team-a" }, serviceAccount: SA };

describe("the catalogues' shared words (chain/catalogueBase.ts)", () => {
  it("word the shared checks alike, each on its own mechanism's link", () => {
    expect(IRSA_CHECKS.workloadPresent.link).to.equal("service-account");
    expect(POD_IDENTITY_CHECKS.workloadPresent.link).to.equal("association");
    expect(POD_IDENTITY_CHECKS.workloadPresent.title({ kind: "Job" })).to.equal(
      IRSA_CHECKS.workloadPresent.title({ kind: "Job" }),
    );
    expect(POD_IDENTITY_CHECKS.workloadPresent.fix({ kind: "Job" })).to.equal(
      IRSA_CHECKS.workloadPresent.fix({ kind: "Job" }),
    );
    expect(POD_IDENTITY_CHECKS.serviceAccountTrusted.fix(SA)).to.equal(
      IRSA_CHECKS.serviceAccountTrusted.fix(SA),
    );
    expect(POD_IDENTITY_CHECKS.serviceAccountPresent.fix({})).to.equal(
      IRSA_CHECKS.serviceAccountPresent.fix({}),
    );
    expect(POD_IDENTITY_CHECKS.workloadServiceAccount.title(WORKLOAD)).to.equal(
      "Job team-a/check runs as ServiceAccount team-a/s3-reader",
    );
    expect(IRSA_CHECKS.workloadServiceAccount.fix(WORKLOAD)).to.equal(
      "set spec.template.spec.serviceAccountName to s3-reader and deploy the Job into namespace team-a: the webhook " +
        "injects the role only into pods of the annotated ServiceAccount",
    );
    expect(POD_IDENTITY_CHECKS.workloadServiceAccount.fix(WORKLOAD)).to.equal(
      "set spec.template.spec.serviceAccountName to s3-reader and deploy the Job into namespace team-a: EKS hands " +
        "credentials only to pods of the associated ServiceAccount, created after the association",
    );
  });

  it("keeps each catalogue's entry its own object (a change to one does not reach the other)", () => {
    expect(POD_IDENTITY_CHECKS.workloadPresent).to.not.equal(IRSA_CHECKS.workloadPresent);
    const saved = IRSA_CHECKS.workloadPresent.fix;
    IRSA_CHECKS.workloadPresent.fix = () => "changed";
    try {
      expect(POD_IDENTITY_CHECKS.workloadPresent.fix({ kind: "Job" })).to.not.equal("changed");
    } finally {
      IRSA_CHECKS.workloadPresent.fix = saved;
    }
  });
});

describe("undecidedRead: a read AWS refused leaves a check undecided", () => {
  it("warns with AWS's words and the read-only permission the doctor needs, not the link's repair", () => {
    const r = undecidedRead(IRSA_CHECKS.trustPrincipal, {}, "GetRole reader: AccessDenied: not authorized");
    expect(r).to.deep.include({
      link: "trust-policy",
      status: "warn",
      detail: "GetRole reader: AccessDenied: not authorized",
    });
    expect(r.fix).to.equal(
      "let the doctor's credentials call iam:GetRole (read-only), or run it with credentials that may; then run it again",
    );
    const eks = undecidedRead(
      POD_IDENTITY_CHECKS.clusterFound,
      { cluster: "prod (eu-west-1)" },
      "DescribeCluster prod: x",
    );
    expect(eks.fix).to.match(/call eks:DescribeCluster/);
    expect(undecidedRead(IRSA_CHECKS.trustPrincipal, {}, "odd: x").fix).to.match(
      /call the read \(read-only\)/,
    );
  });
});
