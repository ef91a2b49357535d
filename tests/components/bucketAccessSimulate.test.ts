/**
 * The migration's one trust (IRSA and Pod Identity statements in one document, buildGrantTrustPolicy)
 * cross-checked with @cloud-copilot/iam-simulate on the Pod Identity path: the IRSA statement beside
 * it admits no AWS principal, and the decisions are the simulator's. (The simulator ignores IRSA's
 * OIDC condition keys, see iamSimulate.test.ts: the web identity path is checked with our evaluator
 * in bucketAccess.test.ts.) How the simulator is driven: podIdentitySimulate.test.ts.
 */
import { expect } from "chai";
import { type Simulation } from "@cloud-copilot/iam-simulate";
import { buildGrantTrustPolicy } from "../../components/bucketAccess";
import { type Decision } from "../../components/evaluate";
import {
  buildPodIdentitySourcePermissionPolicy,
  podIdentitySessionTags,
} from "../../components/podIdentityPolicies";
import { oursAssume, simulateValidated } from "../support/simulator";
import { ACCOUNT_A, ACCOUNT_B, HOST, CLUSTER, ROLE } from "./bucketAccessWorld";

const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/reports-source`;
const PERMISSION = buildPodIdentitySourcePermissionPolicy({ targetRoleArn: ROLE });

describe("the migration's trust cross-checked with @cloud-copilot/iam-simulate (Pod Identity path)", function () {
  this.timeout(20000);
  const serviceAccounts = [
    { namespace: "apps", name: "reports" },
    { namespace: "jobs", name: "export" },
  ];
  const trust = buildGrantTrustPolicy({
    mechanisms: ["irsa", "pod-identity"],
    clusters: [
      [
        "prod",
        {
          issuerUrl: `https://${HOST}`,
          oidcProviderArn: `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${HOST}`,
          clusterArn: CLUSTER,
          sourceRoleArn: SOURCE,
        },
      ],
    ],
    serviceAccounts,
    maxSize: 4096,
  });

  it("same decisions as ours for the source role and another role, each configured and swapped pair", async () => {
    const cases: Array<[string, string, string, Decision]> = [
      [SOURCE, "apps", "reports", "Allow"],
      [SOURCE, "jobs", "export", "Allow"],
      [SOURCE, "apps", "export", "ImplicitDeny"],
      [SOURCE, "jobs", "reports", "ImplicitDeny"],
      [`arn:aws:iam::${ACCOUNT_A}:role/other`, "apps", "reports", "ImplicitDeny"],
    ];
    for (const [roleArn, namespace, name, expected] of cases) {
      const tags = podIdentitySessionTags(CLUSTER, { namespace, name });
      for (const action of ["sts:AssumeRole", "sts:TagSession"]) {
        const simulation: Simulation = {
          request: {
            principal: roleArn,
            action,
            resource: { resource: ROLE, accountId: ACCOUNT_B },
            contextVariables: { ...tags, "aws:PrincipalArn": roleArn, "aws:PrincipalAccount": ACCOUNT_A },
          },
          identityPolicies: [{ name: "pod-identity-chain", policy: PERMISSION }],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: trust,
        };
        const ours = oursAssume(trust, PERMISSION, {
          principalArn: roleArn,
          action,
          resource: ROLE,
          context: tags,
        });
        const where = `${roleArn} ${namespace}/${name} ${action}`;
        expect(await simulateValidated(simulation), `simulator: ${where}`).to.equal(expected);
        expect(ours, `ours: ${where}`).to.equal(expected);
      }
    }
  });
});
