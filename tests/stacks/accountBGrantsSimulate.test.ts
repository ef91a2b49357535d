/**
 * The documents the account-b program registers in grants mode, cross-checked with
 * @cloud-copilot/iam-simulate: a migration grant's trust on the Pod Identity path (account A's source
 * role of the configured name, the exact session tags; the IRSA statement beside it admits no AWS
 * principal) and its S3 policy. Decisions are the simulator's and ours, each compared with the
 * expected one. (The simulator ignores IRSA's OIDC condition keys: iamSimulate.test.ts; the web
 * identity path is checked with our evaluator in accountBGrants.test.ts.)
 */
import { expect } from "chai";
import { captureConsole, runOffline } from "../../engine/offline";
import { evaluateAccess, type Decision } from "../../components/evaluate";
import { type PolicyDocument } from "../../components/policyDocument";
import {
  buildPodIdentitySourcePermissionPolicy,
  podIdentitySessionTags,
} from "../../components/podIdentityPolicies";
import { accountB } from "../../stacks/accountB";
import { oursAssume, simulateValidated } from "../support/simulator";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  A_OUTPUTS,
  A_STACK,
  CLUSTER_ARN,
  grantsConfig,
} from "./accountBGrantsFixtures";

const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/migrating-pod-identity-source`;
const ROLE = `arn:aws:iam::${ACCOUNT_B}:role/team-d-data`;

describe("grants mode's registered documents cross-checked with @cloud-copilot/iam-simulate", function () {
  this.timeout(30000);
  let trust: PolicyDocument;
  let s3: PolicyDocument;
  before(async () => {
    const config = grantsConfig([
      {
        key: "migrating",
        mechanism: ["irsa", "pod-identity"],
        serviceAccounts: [
          { namespace: "team-d", name: "reader" },
          { namespace: "jobs", name: "export" },
        ],
        buckets: [{ name: "team-d-data", prefixes: ["shared/"] }],
        roleName: "team-d-data",
      },
    ]);
    const restore = captureConsole([]);
    const { engine } = await runOffline(accountB, {
      stack: "account-b",
      config,
      stackOutputs: { [A_STACK]: A_OUTPUTS },
    }).finally(restore);
    trust = JSON.parse(engine.one("aws:iam/role:Role").inputs.assumeRolePolicy as string) as PolicyDocument;
    s3 = JSON.parse(engine.one("aws:iam/rolePolicy:RolePolicy").inputs.policy as string) as PolicyDocument;
  });

  it("the trust: account A's source role of the default name, for each configured pair only (both agree)", async () => {
    const permission = buildPodIdentitySourcePermissionPolicy({ targetRoleArn: ROLE });
    const cases: Array<[string, string, string, Decision]> = [
      [SOURCE, "team-d", "reader", "Allow"],
      [SOURCE, "jobs", "export", "Allow"],
      [SOURCE, "team-d", "export", "ImplicitDeny"],
      [SOURCE, "jobs", "reader", "ImplicitDeny"],
      [`arn:aws:iam::${ACCOUNT_A}:role/other`, "team-d", "reader", "ImplicitDeny"],
    ];
    for (const [roleArn, namespace, name, expected] of cases) {
      const tags = podIdentitySessionTags(CLUSTER_ARN, { namespace, name });
      for (const action of ["sts:AssumeRole", "sts:TagSession"]) {
        const where = `${roleArn} ${namespace}/${name} ${action}`;
        const theirs = await simulateValidated({
          request: {
            principal: roleArn,
            action,
            resource: { resource: ROLE, accountId: ACCOUNT_B },
            contextVariables: { ...tags, "aws:PrincipalArn": roleArn, "aws:PrincipalAccount": ACCOUNT_A },
          },
          identityPolicies: [{ name: "pod-identity-chain", policy: permission }],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: trust,
        });
        const ours = oursAssume(trust, permission, {
          principalArn: roleArn,
          action,
          resource: ROLE,
          context: tags,
        });
        expect(theirs, `simulator: ${where}`).to.equal(expected);
        expect(ours, `ours: ${where}`).to.equal(expected);
      }
    }
  });

  it("the S3 policy: objects under the granted prefix only, listing with the prefix only (both agree)", async () => {
    const bucket = "arn:aws:s3:::team-d-data";
    const cases: Array<[string, string, Record<string, string>, Decision]> = [
      ["s3:GetObject", `${bucket}/shared/report.csv`, {}, "Allow"],
      ["s3:GetObject", `${bucket}/private/report.csv`, {}, "ImplicitDeny"],
      ["s3:PutObject", `${bucket}/shared/report.csv`, {}, "ImplicitDeny"],
      ["s3:ListBucket", bucket, { "s3:prefix": "shared/" }, "Allow"],
      ["s3:ListBucket", bucket, { "s3:prefix": "private/" }, "ImplicitDeny"],
      ["s3:GetObject", "arn:aws:s3:::other-bucket/shared/report.csv", {}, "ImplicitDeny"],
    ];
    for (const [action, resource, context, expected] of cases) {
      const where = `${action} ${resource} ${JSON.stringify(context)}`;
      const theirs = await simulateValidated({
        request: {
          principal: ROLE,
          action,
          resource: { resource, accountId: ACCOUNT_B },
          contextVariables: { ...context, "aws:PrincipalArn": ROLE, "aws:PrincipalAccount": ACCOUNT_B },
        },
        identityPolicies: [{ name: "s3-team-d-data", policy: s3 }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      });
      const ours = evaluateAccess(s3, { action, resource, context }).decision;
      expect(theirs, `simulator: ${where}`).to.equal(expected);
      expect(ours, `ours: ${where}`).to.equal(expected);
    }
  });
});
