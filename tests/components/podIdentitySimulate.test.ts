/**
 * Differential test of the EKS Pod Identity documents against an independent IAM policy simulator,
 * @cloud-copilot/iam-simulate (AGPL: a devDependency, used by tests only, never shipped).
 *
 * What the simulator needs, found by reading its engine (0.1.x) and checked by the first tests below:
 * - It does not derive `aws:PrincipalArn` (nor `aws:PrincipalAccount`) from the request principal:
 *   they must be passed as context variables. The request principal is what calls STS: the source
 *   role's session, `arn:aws:sts::<A>:assumed-role/<role>/<session>` (or the role ARN itself), and
 *   `aws:PrincipalArn` is the role's IAM ARN (with its path) in both cases, as in AWS. Our
 *   `evaluateResourcePolicy` sets `aws:PrincipalArn` to the `principalArn` it is given, so it is given
 *   the role ARN.
 * - The trust names account A's root: an account-level match, i.e. a delegation to account A. Cross
 *   account, the simulator then requires the caller's identity policy to allow too (as AWS does), so
 *   the caller gets the generated source permission policy, and our decision is the trust's
 *   (`evaluateResourcePolicy`) AND the permission's (`evaluateAccess`). Every caller gets that same
 *   permission policy, so the trust alone makes the difference between callers.
 * - Unlike the IRSA OIDC keys (see iamSimulate.test.ts), `aws:RequestTag/<key>` and `aws:PrincipalArn`
 *   are keys the simulator knows for `sts:AssumeRole` and `sts:TagSession`: the validated
 *   `runSimulation` keeps them (no ignored keys). It is used to validate the documents and for a sample
 *   of the requests; the bulk goes through `runUnsafeSimulation` (same engine, ~4x faster), whose
 *   resource policy must be a validated-policy envelope, and both are asserted to agree.
 */
import { expect } from "chai";
import fc from "fast-check";
import { runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import {
  evaluateAccess,
  evaluateResourcePolicy,
  evaluateServiceTrust,
  type Decision,
} from "../../components/evaluate";
import {
  buildPodIdentitySourcePermissionPolicy,
  buildPodIdentitySourceTrustPolicy,
  buildPodIdentityTargetTrustPolicy,
  podIdentitySessionTags,
} from "../../components/podIdentityPolicies";
import { type PolicyDocument } from "../../components/policyDocument";
import { type ServiceAccountRef } from "../../components/trustPolicy";
import { SIMULATOR_DECISION, simulateValidated } from "../support/simulator";
import { ACCOUNT_B } from "./coreHelpers";

const ACCOUNT_A = "111122223333";
const ACCOUNT_C = "999988887777";
const CLUSTER = `arn:aws:eks:eu-west-1:${ACCOUNT_A}:cluster/prod`;
const OTHER_CLUSTERS = [
  `arn:aws:eks:eu-west-1:${ACCOUNT_A}:cluster/staging`,
  `arn:aws:eks:eu-west-1:${ACCOUNT_C}:cluster/prod`,
];
const TARGET = `arn:aws:iam::${ACCOUNT_B}:role/pod-target`;
const ACTIONS = ["sts:AssumeRole", "sts:TagSession"];
const PERMISSION = buildPodIdentitySourcePermissionPolicy({ targetRoleArn: TARGET });
/** Property runs: each run checks dozens of requests in both evaluators (the simulator is the slow part). */
const TARGET_RUNS = 15;
const SOURCE_RUNS = 10;

/** A caller: what signs the request (`principal`) and its IAM ARN (`aws:PrincipalArn`). */
interface Caller {
  principal: string;
  roleArn: string;
}

const roleCaller = (roleArn: string): Caller => ({ principal: roleArn, roleArn });
/** The role's session as EKS Pod Identity uses it: the session ARN has no path. */
const sessionCaller = (roleArn: string): Caller => {
  const [, partition, account, name] = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn)!;
  return {
    principal: `arn:${partition}:sts::${account}:assumed-role/${name}/eks-prod-pod-0123456789`,
    roleArn,
  };
};

function targetSimulation(
  trust: PolicyDocument,
  caller: Caller,
  action: string,
  tags: Record<string, string>,
): Simulation {
  const account = caller.roleArn.split(":")[4];
  return {
    request: {
      principal: caller.principal,
      action,
      resource: { resource: TARGET, accountId: ACCOUNT_B },
      contextVariables: { ...tags, "aws:PrincipalArn": caller.roleArn, "aws:PrincipalAccount": account },
    },
    identityPolicies: [{ name: "pod-identity-chain", policy: PERMISSION }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: trust,
  };
}

function simulateUnsafe(simulation: Simulation): Decision {
  const envelope = {
    __validated: true,
    policyDocument: simulation.resourcePolicy as PolicyDocument,
    metadata: { name: "trust" },
    errors: [],
  };
  return SIMULATOR_DECISION[runUnsafeSimulation({ ...simulation, resourcePolicy: envelope }, {})];
}

/** Ours: the target trust for the caller's role ARN, and the caller's permission on the target role. */
function ourTargetDecision(
  trust: PolicyDocument,
  caller: Caller,
  action: string,
  tags: Record<string, string>,
) {
  const viaTrust = evaluateResourcePolicy(
    trust,
    { absent: ["*"], principalArn: caller.roleArn, action, context: tags },
    "trust",
  );
  const viaPermission = evaluateAccess(PERMISSION, { absent: ["*"], action, resource: TARGET });
  return viaTrust.decision === "Allow" && viaPermission.decision === "Allow" ? "Allow" : "ImplicitDeny";
}

describe("EKS Pod Identity documents cross-checked with @cloud-copilot/iam-simulate", function () {
  // The simulator loads its IAM data lazily on the first simulation.
  this.timeout(20000);

  const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/pod-source`;
  const READER = { namespace: "apps", name: "reader" };
  const trust = buildPodIdentityTargetTrustPolicy({
    sourceRoleArn: SOURCE,
    clusterArn: CLUSTER,
    serviceAccounts: [READER],
  });
  const tags = podIdentitySessionTags(CLUSTER, READER);

  it("what the simulator needs: aws:PrincipalArn in the context, and the caller's permission", async () => {
    for (const caller of [roleCaller(SOURCE), sessionCaller(SOURCE)]) {
      for (const action of ACTIONS) {
        const simulation = targetSimulation(trust, caller, action, tags);
        expect(await simulateValidated(simulation), `${caller.principal} ${action}`).to.equal("Allow");
        expect(simulateUnsafe(simulation)).to.equal("Allow");
        expect(ourTargetDecision(trust, caller, action, tags)).to.equal("Allow");
        // Without aws:PrincipalArn the ArnEquals condition fails: the simulator does not derive it.
        const bare = targetSimulation(trust, caller, action, tags);
        bare.request.contextVariables = { ...tags };
        expect(await simulateValidated(bare)).to.equal("ImplicitDeny");
        // Without the identity policy the account-level principal is not enough across accounts.
        expect(await simulateValidated({ ...simulation, identityPolicies: [] })).to.equal("ImplicitDeny");
      }
    }
    // Ours evaluates the trust on its own: the delegation to account A allows it there.
    expect(
      evaluateResourcePolicy(
        trust,
        { absent: ["*"], principalArn: SOURCE, action: "sts:AssumeRole", context: tags },
        "trust",
      ).decision,
    ).to.equal("Allow");
  });

  it("the target trust: same decisions on random trusts and near-miss requests (property)", async () => {
    const pairArb = fc.record({
      namespace: fc.constantFrom("a", "b", "apps"),
      name: fc.constantFrom("a", "b", "reader", "a.b"),
    });
    let allows = 0;
    let denials = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("role/pod-source", "role/eks/pod-source", "role/eks/team-a/pod-source"),
        fc.array(pairArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 3 }),
        async (resource, set, swaps) => {
          const source = `arn:aws:iam::${ACCOUNT_A}:${resource}`;
          const doc = buildPodIdentityTargetTrustPolicy({
            sourceRoleArn: source,
            clusterArn: CLUSTER,
            serviceAccounts: set,
          });
          const configured = new Set(set.map((sa) => `${sa.namespace}/${sa.name}`));
          const callers = [
            roleCaller(source),
            sessionCaller(source),
            sessionCaller(`arn:aws:iam::${ACCOUNT_A}:role/pod-other`),
            roleCaller(`arn:aws:iam::${ACCOUNT_A}:role/elsewhere/pod-source`),
            sessionCaller(source.replace(ACCOUNT_A, ACCOUNT_C)),
          ];
          const swapped: ServiceAccountRef[] = swaps.map(([i, j]) => ({
            namespace: set[i % set.length].namespace,
            name: set[j % set.length].name,
          }));
          // Each distinct pair once: the configured ones (set[0] first), then the swapped ones.
          const pairs = [
            ...new Map([...set, ...swapped].map((sa) => [`${sa.namespace}/${sa.name}`, sa])).values(),
          ];
          const tagSets: Array<Record<string, string>> = [
            ...pairs.map((sa) => podIdentitySessionTags(CLUSTER, sa)),
            ...OTHER_CLUSTERS.map((cluster) => podIdentitySessionTags(cluster, set[0])),
            // A name in another case (not a valid name, so written out: tags are compared case-sensitively).
            {
              ...podIdentitySessionTags(CLUSTER, set[0]),
              "aws:RequestTag/kubernetes-service-account": set[0].name.toUpperCase(),
            },
            {
              "aws:RequestTag/eks-cluster-arn": CLUSTER,
              "aws:RequestTag/kubernetes-namespace": set[0].namespace,
            },
            {},
          ];
          const mismatches: string[] = [];
          for (const caller of callers) {
            for (const requestTags of tagSets) {
              // TagSession for the source role's callers (the statements name both actions alike).
              for (const action of caller.roleArn === source ? ACTIONS : ACTIONS.slice(0, 1)) {
                const ours = ourTargetDecision(doc, caller, action, requestTags);
                const theirs = simulateUnsafe(targetSimulation(doc, caller, action, requestTags));
                if (ours !== theirs) {
                  mismatches.push(
                    `${caller.principal} ${action} ${JSON.stringify(requestTags)}: ours ${ours}, theirs ${theirs}`,
                  );
                }
                if (ours === "Allow") {
                  allows++;
                  // Our model of the intent: the source role, this cluster, a configured pair.
                  const ns = requestTags["aws:RequestTag/kubernetes-namespace"];
                  const name = requestTags["aws:RequestTag/kubernetes-service-account"];
                  expect(caller.roleArn).to.equal(source);
                  expect(requestTags["aws:RequestTag/eks-cluster-arn"]).to.equal(CLUSTER);
                  expect(configured.has(`${ns}/${name}`), `${ns}/${name}`).to.equal(true);
                } else denials++;
              }
            }
          }
          expect(mismatches).to.deep.equal([]);
          // The validated run on a sample (a configured pair; the last swapped or configured pair,
          // another cluster; other roles): the simulator keeps the keys and agrees.
          for (const [caller, requestTags] of [
            [callers[1], tagSets[0]],
            [callers[0], tagSets[pairs.length - 1]],
            [callers[0], tagSets[pairs.length]],
            [callers[2], tagSets[0]],
            [callers[4], tagSets[0]],
          ] as const) {
            const simulation = targetSimulation(doc, caller, "sts:AssumeRole", requestTags);
            expect(await simulateValidated(simulation)).to.equal(simulateUnsafe(simulation));
          }
        },
      ),
      { numRuns: TARGET_RUNS },
    );
    // Not vacuous: both outcomes occurred (every configured pair is allowed to the source role).
    expect(allows).to.be.greaterThanOrEqual(TARGET_RUNS * 2 * 2);
    expect(denials).to.be.greaterThan(allows);
  });

  it("the source trust: same decisions for EKS Pod Identity and near misses (property)", async () => {
    const clusterArb = fc
      .tuple(
        fc.constantFrom("eu-west-1", "us-east-1"),
        fc.constantFrom(ACCOUNT_A, ACCOUNT_C),
        fc.constantFrom("prod", "staging", "Prod_2"),
      )
      .map(([region, account, name]) => `arn:aws:eks:${region}:${account}:cluster/${name}`);
    let allows = 0;
    await fc.assert(
      fc.asyncProperty(clusterArb, fc.array(clusterArb, { maxLength: 3 }), async (cluster, others) => {
        const doc = buildPodIdentitySourceTrustPolicy({ clusterArn: cluster });
        const source = `arn:aws:iam::${cluster.split(":")[4]}:role/pod-source`;
        const contexts: Array<Record<string, string>> = [
          podIdentitySessionTags(cluster, { namespace: "apps", name: "reader" }),
          { "aws:RequestTag/eks-cluster-arn": cluster },
          ...others.map((other) => ({ "aws:RequestTag/eks-cluster-arn": other })),
          { "aws:RequestTag/eks-cluster-arn": cluster.toUpperCase() },
          {},
        ];
        const mismatches: string[] = [];
        for (const service of ["pods.eks.amazonaws.com", "eks.amazonaws.com", "ec2.amazonaws.com"]) {
          for (const action of ACTIONS) {
            for (const context of contexts) {
              const ours = evaluateServiceTrust(doc, { absent: ["*"], service, action, context }).decision;
              const simulation: Simulation = {
                request: {
                  principal: service,
                  action,
                  resource: { resource: source, accountId: source.split(":")[4] },
                  contextVariables: context,
                },
                identityPolicies: [],
                serviceControlPolicies: [],
                resourceControlPolicies: [],
                resourcePolicy: doc,
              };
              const theirs = simulateUnsafe(simulation);
              if (ours !== theirs)
                mismatches.push(
                  `${service} ${action} ${JSON.stringify(context)}: ours ${ours}, theirs ${theirs}`,
                );
              if (ours === "Allow") {
                allows++;
                expect(service).to.equal("pods.eks.amazonaws.com");
                expect(context["aws:RequestTag/eks-cluster-arn"]).to.equal(cluster);
              }
            }
          }
        }
        expect(mismatches).to.deep.equal([]);
        const sample: Simulation = {
          request: {
            principal: "pods.eks.amazonaws.com",
            action: "sts:TagSession",
            resource: { resource: source, accountId: source.split(":")[4] },
            contextVariables: contexts[0],
          },
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: doc,
        };
        expect(await simulateValidated(sample)).to.equal("Allow");
      }),
      { numRuns: SOURCE_RUNS },
    );
    // Not vacuous: the full tags and the cluster tag alone, both actions, every run.
    expect(allows).to.be.greaterThanOrEqual(SOURCE_RUNS * 4);
  });

  it("the source permission: AssumeRole and TagSession on the target role only, as in the simulator", async () => {
    // The target's trust allows everyone of account A here, so the permission policy decides.
    const open: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:root` },
          Action: ["sts:AssumeRole", "sts:TagSession"],
        },
      ],
    };
    const caller = sessionCaller(`arn:aws:iam::${ACCOUNT_A}:role/pod-source`);
    for (const resource of [
      TARGET,
      `arn:aws:iam::${ACCOUNT_B}:role/pod-target-2`,
      `arn:aws:iam::${ACCOUNT_B}:role/x/pod-target`,
    ]) {
      for (const action of ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]) {
        const simulation = targetSimulation(open, caller, action, {});
        simulation.request.resource = { resource, accountId: ACCOUNT_B };
        const theirs = await simulateValidated(simulation);
        const ours = evaluateAccess(PERMISSION, { absent: ["*"], action, resource }).decision;
        expect(ours, `${action} on ${resource}`).to.equal(theirs);
        expect(ours === "Allow").to.equal(resource === TARGET && action !== "sts:SetSourceIdentity");
      }
    }
  });
});
