/**
 * The IRSA-chained link set: every link passes on a good snapshot; breaking one fact fails the link
 * it belongs to (and only checks of that link), with the catalogue's fix; unavailable facts skip.
 */
import { expect } from "chai";
import { policyJson } from "../../../components/policyDocument";
import {
  buildChainedProfileConfig,
  buildChainedSourcePermissionPolicy,
} from "../../../components/chainedPolicies";
import { checkIrsaChainedChain } from "../../../mechanisms/irsa-chained/chain";
import { profileProblems } from "../../../mechanisms/irsa-chained/serviceAccountLink";
import { IRSA_CHAINED_LINKS, irsaChainedLink } from "../../../mechanisms/irsa-chained/catalogue";
import { type IrsaChainedSnapshot } from "../../../mechanisms/irsa-chained/snapshot";
import { type CheckResult } from "../../../chain/result";
import { ACCOUNT_A, ACCOUNT_B, PROVIDER_A, SOURCE, TARGET, goodSnapshot } from "./snapshot";

const failed = (results: CheckResult[]) => results.filter((r) => r.status === "fail");
const linksOf = (results: CheckResult[]) => [...new Set(failed(results).map((r) => r.link))];
function broken(patch: (s: IrsaChainedSnapshot) => void): CheckResult[] {
  const s = goodSnapshot();
  patch(s);
  return checkIrsaChainedChain(s);
}

describe("irsa-chained link set", () => {
  it("a good chain passes every check, on all seven links, in order", () => {
    const results = checkIrsaChainedChain(goodSnapshot());
    expect(
      results.filter((r) => r.status !== "pass"),
      JSON.stringify(results, null, 1),
    ).to.deep.equal([]);
    const numbers = results.map((r) => irsaChainedLink(r.link as never).number);
    expect([...new Set(numbers)]).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
    expect(numbers).to.deep.equal([...numbers].sort((a, b) => a - b));
    expect(IRSA_CHAINED_LINKS.map((l) => l.id)).to.deep.equal([
      "issuer",
      "oidc-provider",
      "trust-policy",
      "service-account",
      "source-role",
      "target-trust",
      "permission",
    ]);
    // The target trust's near misses are checked by name.
    expect(results.map((r) => r.check)).to.include.members([
      `the target role's trust refuses another role of account ${ACCOUNT_A}`,
      "the target role's trust refuses a role of the same name in another account (999988887777)",
    ]);
  });

  const cases: Array<[string, (s: IrsaChainedSnapshot) => void, string, RegExp]> = [
    ["no issuer", (s) => delete s.issuerUrl, "issuer", /export oidcIssuerUrl/],
    [
      "the provider is account B's (IRSA's layout, not this one's)",
      (s) => (s.provider!.arn = PROVIDER_A.replace(ACCOUNT_A, ACCOUNT_B)),
      "oidc-provider",
      /STS looks the provider up/,
    ],
    [
      "the provider lacks the STS client id",
      (s) => (s.provider!.clientIds = ["other"]),
      "oidc-provider",
      /add-client-id/,
    ],
    [
      "the source role trusts another service account",
      (s) => (s.sourceRole!.trustPolicy = s.sourceRole!.trustPolicy!.replace("s3-reader", "other")),
      "trust-policy",
      /StringEquals must hold <issuer>:sub = system:serviceaccount:team-a:s3-reader/,
    ],
    [
      "the ServiceAccount names account B's role (IRSA's annotation, not the chain's)",
      (s) => (s.serviceAccount!.annotations["eks.amazonaws.com/role-arn"] = TARGET),
      "service-account",
      /never account B's role/,
    ],
    [
      "the profile chains into another role",
      (s) =>
        (s.profile!.text = buildChainedProfileConfig({
          sourceRoleArn: SOURCE,
          targetRoleArn: `arn:aws:iam::${ACCOUNT_B}:role/other`,
        }).text),
      "service-account",
      /the chained profile needs role_arn = .*chained-target/,
    ],
    [
      "the profile asks for two hours",
      (s) =>
        (s.profile!.text = s.profile!.text!.replace("duration_seconds = 3600", "duration_seconds = 7200")),
      "service-account",
      /duration_seconds <= 3600/,
    ],
    [
      "a workload does not select the profile",
      (s) => delete s.workloads[1].env.AWS_PROFILE,
      "service-account",
      /AWS_PROFILE=/,
    ],
    [
      "a workload mounts the ConfigMap writable",
      (s) => (s.workloads[0].configMapMounts[0].readOnly = false),
      "service-account",
      /mount ConfigMap cross-account-irsa-aws-config read-only/,
    ],
    [
      "a workload expects the source role (a probe that would pass on A's role)",
      (s) => (s.workloads[1].env.EXPECTED_ROLE_ARN = SOURCE),
      "service-account",
      /not of the source role/,
    ],
    [
      "the source role may assume another role",
      (s) =>
        (s.sourceRole!.permissionPolicies = {
          p: policyJson(
            buildChainedSourcePermissionPolicy({ targetRoleArn: `arn:aws:iam::${ACCOUNT_B}:role/x` }),
          ),
        }),
      "source-role",
      /allow sts:AssumeRole on .*chained-target/,
    ],
    [
      "the target role trusts another role of A",
      (s) => (s.role!.trustPolicy = s.role!.trustPolicy!.replace("chained-source", "other")),
      "target-trust",
      /ArnEquals aws:PrincipalArn = .*chained-source/,
    ],
    [
      "the target role trusts account A as a whole",
      (s) =>
        (s.role!.trustPolicy = JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:root` },
              Action: "sts:AssumeRole",
            },
          ],
        })),
      "target-trust",
      /not the account alone/,
    ],
    ["the target role may not read the object", (s) => (s.permissionPolicies = {}), "permission", /./],
  ];
  for (const [what, patch, link, fix] of cases) {
    it(`${what}: link ${link} is the first broken one, with its fix`, () => {
      const results = broken(patch);
      expect(linksOf(results)[0], JSON.stringify(failed(results), null, 1)).to.equal(link);
      const first = irsaChainedLink(link as never).number;
      for (const l of linksOf(results)) expect(irsaChainedLink(l as never).number).to.be.at.least(first);
      expect(
        failed(results).some((r) => fix.test(r.fix ?? "")),
        JSON.stringify(failed(results)),
      ).to.equal(true);
    });
  }

  it("account A's first update (no source role, no ConfigMap yet): skipped with the reason, not failed", () => {
    const s = goodSnapshot();
    delete s.sourceRole;
    delete s.profile;
    s.unavailable = {
      sourceRole: "account-a has not run yet",
      sourcePermission: "account-a's second update adds it",
      profile: "account-a's second update creates it",
    };
    const results = checkIrsaChainedChain(s);
    const skipped = results.filter((r) => r.status === "skip").map((r) => r.link);
    expect(skipped).to.include.members(["trust-policy", "service-account", "source-role", "target-trust"]);
    // The annotation cannot match a source role nobody knows: it fails (fail closed), and says so.
    expect(linksOf(results)).to.deep.equal(["service-account"]);
  });

  it("a condition the chain does not set (aws:SourceVpc) never passes the target trust", () => {
    const results = broken(
      (s) =>
        (s.role!.trustPolicy = JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:root` },
              Action: "sts:AssumeRole",
              Condition: { StringEquals: { "aws:SourceVpc": "vpc-1" } },
            },
          ],
        })),
    );
    const trust = results.filter(
      (r) => r.check === "the target role trusts the source role to sts:AssumeRole",
    );
    expect(trust.map((r) => r.status)).to.deep.equal(["fail"]);
  });

  it("profileProblems names each problem of a hand-written file", () => {
    expect(profileProblems("[profile p]\nrole_arn = x\n", "p", SOURCE, TARGET)).to.deep.equal([
      'profile p has role_arn "x", not the target role',
      "profile p has source_profile undefined, not a profile of the file",
    ]);
    expect(profileProblems("nonsense", "p", SOURCE, TARGET)[0]).to.match(/cannot be relied on/);
    expect(profileProblems(undefined, "p", SOURCE, TARGET)).to.deep.equal([
      "the ConfigMap has no config file",
    ]);
  });
});
