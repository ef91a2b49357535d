/**
 * The Pod Identity link set on snapshots: a healthy chain passes, and each link fails on its own
 * break with the catalogue's fix.
 */
import { expect } from "chai";
import { type PodIdentitySnapshot } from "../../../chain";
import { assertChain, checkChain, POD_IDENTITY_CHECKS } from "../../../mechanisms";
import { policyJson } from "../../../components/policyDocument";
import {
  buildPodIdentitySourceTrustPolicy,
  buildPodIdentityTargetTrustPolicy,
} from "../../../components/podIdentityPolicies";
import { buildS3AccessPolicy } from "../../../components/s3AccessPolicy";
import { CLUSTER, SA, SOURCE, TARGET, plannedPodIdentity as healthy } from "./snapshot";

/** The failing checks of a snapshot, as "link: check". */
const failing = (s: PodIdentitySnapshot) =>
  checkChain(s)
    .filter((r) => r.status === "fail")
    .map((r) => `${r.link}: ${r.check}`);

describe("the Pod Identity chain (mechanisms/pod-identity/chain.ts)", () => {
  it("passes a healthy chain; an adopted cluster's agent is a warning with the fix, never a pass", () => {
    expect(failing(healthy())).to.deep.equal([]);
    const adopted = { ...healthy(), agent: { adopted: true } };
    const agent = checkChain(adopted).find((r) => r.link === "agent")!;
    expect(agent.status).to.equal("warn");
    expect(agent.fix).to.include(
      "aws eks create-addon --cluster-name prod --addon-name eks-pod-identity-agent",
    );
    expect(agent.fix).to.include("Fargate or Windows");
  });

  const breaks: Array<[string, (s: PodIdentitySnapshot) => void, RegExp]> = [
    ["no agent", (s) => (s.agent = { installed: false, adopted: false }), /^agent: /],
    [
      "no association",
      (s) => (s.associations = []),
      /^association: a Pod Identity association for team-a\/s3-reader/,
    ],
    [
      "an association into another role",
      (s) => (s.associations[0].targetRoleArn = "arn:aws:iam::444455556666:role/other"),
      /^association: the association of team-a\/s3-reader chains into/,
    ],
    [
      "session tags disabled",
      (s) => (s.associations[0].disableSessionTags = true),
      /^association: the association of team-a\/s3-reader passes session tags/,
    ],
    [
      "an annotated ServiceAccount",
      (s) => (s.serviceAccount!.annotations = { "eks.amazonaws.com/role-arn": TARGET }),
      /^association: ServiceAccount team-a\/s3-reader has no eks.amazonaws.com\/role-arn annotation/,
    ],
    [
      "a source role trusting another cluster",
      (s) =>
        (s.sourceRole!.trustPolicy = policyJson(
          buildPodIdentitySourceTrustPolicy({ clusterArn: CLUSTER.replace("prod", "dev") }),
        )),
      /^source-role: the source role trusts pods.eks.amazonaws.com for sts:AssumeRole/,
    ],
    [
      "a source role without the permission to chain",
      (s) => (s.sourceRole!.permissionPolicies = {}),
      /^source-role: the source role may sts:AssumeRole on the target role/,
    ],
    [
      "a target trust for another source role",
      (s) =>
        (s.role!.trustPolicy = policyJson(
          buildPodIdentityTargetTrustPolicy({
            sourceRoleArn: "arn:aws:iam::111122223333:role/old-source",
            clusterArn: CLUSTER,
            serviceAccounts: [SA],
          }),
        )),
      /^target-trust: the target role trusts the source role to sts:AssumeRole for team-a\/s3-reader/,
    ],
    [
      "a permission policy on another bucket",
      (s) =>
        (s.permissionPolicies = {
          "s3-access": policyJson(buildS3AccessPolicy({ bucketName: "other-bucket" })),
        }),
      /^permission: the role may s3:GetObject/,
    ],
  ];
  for (const [label, brk, expected] of breaks) {
    it(`fails the right link: ${label}`, () => {
      const s = healthy();
      brk(s);
      const failed = failing(s);
      expect(failed.length, failed.join("\n")).to.be.greaterThan(0);
      // Every failure is on the broken link (the regex starts with it), and the expected check is among them.
      const link = /^\^([\w-]+):/.exec(expected.source)![1];
      expect(
        failed.every((f) => f.startsWith(`${link}: `)),
        failed.join("\n"),
      ).to.be.true;
      expect(
        failed.some((f) => expected.test(f)),
        failed.join("\n"),
      ).to.be.true;
    });
  }

  it("names a broken permission link by Pod Identity's title (the link id both chains share)", () => {
    const s = healthy();
    s.permissionPolicies = { "s3-access": policyJson(buildS3AccessPolicy({ bucketName: "other-bucket" })) };
    expect(() => assertChain("account-a", checkChain(s))).to.throw(
      /link 5 broken \(the target role's permission policy and the bucket policy in account B\)/,
    );
  });

  it("a changed catalogue fix shows in the results (one definition)", () => {
    const saved = POD_IDENTITY_CHECKS.associationPresent.fix;
    POD_IDENTITY_CHECKS.associationPresent.fix = () => "a fix from the catalogue";
    try {
      const r = checkChain({ ...healthy(), associations: [] }).find((x) => x.status === "fail")!;
      expect(r.fix).to.equal("a fix from the catalogue");
    } finally {
      POD_IDENTITY_CHECKS.associationPresent.fix = saved;
    }
  });

  const status = (s: PodIdentitySnapshot, title: RegExp) =>
    checkChain(s)
      .filter((r) => title.test(r.check))
      .map((r) => `${r.status}: ${r.detail}`);

  it("no source role is no match for an association without roleArn: links 2 and 3 fail (two unknowns are not equal)", () => {
    const s = healthy();
    s.sourceRole = undefined;
    delete s.associations[0].roleArn;
    expect(status(s, /chains into account-b's role/)).to.deep.equal([
      `fail: targetRoleArn "${TARGET}" (account-b's role ${TARGET}); roleArn undefined (the source role ?)`,
    ]);
    expect(status(s, /the source role trusts pods/)).to.deep.equal([
      "fail: account-a exports no sourceRoleArn",
    ]);
    // Unknown for a stated reason (account-a before its source role exists): skipped, with the reason.
    s.unavailable = { issuer: "known once the source role exists" };
    expect(status(s, /chains into account-b's role/)).to.deep.equal([
      `skip: targetRoleArn "${TARGET}" (account-b's role ${TARGET}); roleArn undefined (the source role ?): known once the source role exists`,
    ]);
    expect(status(s, /the source role trusts pods/)).to.deep.equal([
      "skip: known once the source role exists",
    ]);
    // An association into another target role still fails, whatever is unknown about the source role.
    s.associations[0].targetRoleArn = SOURCE;
    expect(status(s, /chains into account-b's role/)[0]).to.match(/^fail: /);
  });

  it("an undecided source permission (a statement the evaluator cannot read) warns, never passes, and says why", () => {
    const s = healthy();
    s.sourceRole!.permissionPolicies.odd = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Odd",
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Resource: "*",
          Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
        },
      ],
    });
    const results = status(s, /the source role may sts:/);
    expect(results).to.have.length(2);
    for (const r of results)
      expect(r).to.match(/^warn: the evaluator cannot read statement Odd .*: not decided$/);
  });

  it("reports, never throws, when there is no ServiceAccount to check or no session tag can carry a name", () => {
    const none = { ...healthy(), serviceAccount: undefined, trusted: [] };
    expect(() => checkChain(none)).to.not.throw();
    expect(failing(none)).to.include("association: account-a plans the ServiceAccount");
    expect(status(none, /the source role trusts pods/)).to.deep.equal([
      "skip: no ServiceAccount to check: account-a runs none and account-b trusts none (link 2)",
    ]);
    expect(status(none, /the target role trusts the source role/)).to.deep.equal([
      "skip: no ServiceAccount to check: account-a runs none and account-b trusts none (link 2)",
    ]);
    const badCluster = { ...healthy(), cluster: { arn: "arn:aws:eks:eu-west-1:111122223333:prod" } };
    expect(() => checkChain(badCluster)).to.not.throw();
    expect(failing(badCluster).filter((f) => /^(source-role|target-trust): /.test(f))).to.have.length(2);
  });
});
