/**
 * The Pod Identity link set on live facts (the doctor's): a healthy live chain passes with the live
 * words, each break fails on its own link with a live fix, and what could not be read is skipped or
 * undecided, never a guess.
 */
import { expect } from "chai";
import { type CheckResult, type PodIdentitySnapshot } from "../../../chain";
import { checkChain } from "../../../mechanisms";
import { policyJson } from "../../../components/policyDocument";
import {
  buildPodIdentitySourceTrustPolicy,
  buildPodIdentityTargetTrustPolicy,
} from "../../../components/podIdentityPolicies";
import { buildS3AccessPolicy } from "../../../components/s3AccessPolicy";
import { A, B, CLUSTER, SA, SOURCE, TARGET, plannedPodIdentity } from "./snapshot";

const INJECTED = {
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:
    "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
};

/** A healthy live snapshot, as the doctor's collector fills it; `change` breaks one fact. */
function live(change: (s: PodIdentitySnapshot) => void = () => undefined): PodIdentitySnapshot {
  const s: PodIdentitySnapshot = {
    ...plannedPodIdentity(),
    agent: { installed: true, adopted: true },
    associations: [
      {
        namespace: SA.namespace,
        serviceAccount: SA.name,
        roleArn: SOURCE,
        targetRoleArn: TARGET,
        disableSessionTags: false,
        associationId: "a-0123456789abcdef0",
        externalId: "2c7f0b6e-0000-4000-8000-000000000000",
      },
    ],
    objectKey: "reports/q3.csv",
    unavailable: { workloads: "the doctor reads pods, not Deployments and Jobs" },
    live: {
      cluster: { name: "prod", region: "eu-west-1", accountId: A },
      roleAccountId: B,
      targetRoleArn: TARGET,
      addon: { status: "ACTIVE", version: "v1.3.4-eksbuild.1", issues: [] },
      pods: [{ name: "s3-reader-1", containers: [{ name: "app", env: { ...INJECTED } }] }],
      attachedPolicies: {},
      bucketPolicy: null,
      object: { exists: true, detail: "22 bytes, no server-side encryption" },
    },
  };
  change(s);
  return s;
}

const failing = (s: PodIdentitySnapshot) => checkChain(s).filter((r) => r.status === "fail");
function only(s: PodIdentitySnapshot): CheckResult {
  const f = failing(s);
  expect(f, JSON.stringify(f, null, 2)).to.have.length(1);
  return f[0];
}

describe("the Pod Identity chain on live facts", () => {
  it("passes a healthy chain, every check with its live words, and no stacks' words", () => {
    const results = checkChain(live());
    expect(
      results.filter((r) => r.status !== "pass"),
      JSON.stringify(results, null, 2),
    ).to.deep.equal([]);
    expect(results.map((r) => [r.link, r.check])).to.deep.equal([
      ["agent", "cluster prod (eu-west-1) is found in the cluster's account"],
      ["agent", "cluster prod runs the eks-pod-identity-agent add-on"],
      ["association", "cluster prod has a Pod Identity association for team-a/s3-reader"],
      [
        "association",
        `the association of team-a/s3-reader chains from the source role into the target role ${TARGET}`,
      ],
      ["association", "the association of team-a/s3-reader passes session tags"],
      ["association", "ServiceAccount team-a/s3-reader has no eks.amazonaws.com/role-arn annotation"],
      [
        "association",
        "pods of ServiceAccount team-a/s3-reader have EKS Pod Identity's AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
      ],
      [
        "source-role",
        "the source role's trust admits pods.eks.amazonaws.com only for one cluster (aws:RequestTag/eks-cluster-arn)",
      ],
      [
        "source-role",
        "the source role trusts pods.eks.amazonaws.com for sts:AssumeRole with this cluster's session tags",
      ],
      [
        "source-role",
        "the source role trusts pods.eks.amazonaws.com for sts:TagSession with this cluster's session tags",
      ],
      ["source-role", "the source role may sts:AssumeRole on the target role"],
      ["source-role", "the source role may sts:TagSession on the target role"],
      [
        "target-trust",
        "the target role's trust admits only the source role (aws:PrincipalArn) for named ServiceAccounts (the namespace and service-account session tags)",
      ],
      [
        "target-trust",
        "the target role trusts the source role to sts:AssumeRole for team-a/s3-reader of this cluster",
      ],
      [
        "target-trust",
        "the target role trusts the source role to sts:TagSession for team-a/s3-reader of this cluster",
      ],
      ["permission", "the role may s3:GetObject s3://team-data/reports/q3.csv"],
      ["permission", "the role may s3:ListBucket on bucket team-data"],
      ["permission", "the bucket policy of team-data denies the role neither s3:GetObject nor s3:ListBucket"],
      ["permission", "object s3://team-data/reports/q3.csv exists"],
    ]);
  });

  it("the cluster not found: link 1 fails with EKS's error, and what needs the cluster is skipped", () => {
    const s = live((x) => {
      x.live!.cluster.error =
        "DescribeCluster prod: ResourceNotFoundException: No cluster found for name: prod.";
      delete x.cluster;
    });
    expect(only(s)).to.deep.include({ link: "agent", detail: s.live!.cluster.error });
    const skipped = checkChain(s).filter((r) => r.status === "skip");
    expect(skipped.map((r) => r.link)).to.deep.equal(["association", "source-role", "target-trust"]);
  });

  it("a cluster the doctor may not read: link 1 is undecided (warn), never a broken link", () => {
    const s = live((x) => {
      x.live!.cluster.error =
        "DescribeCluster prod: AccessDeniedException: not authorized to perform eks:DescribeCluster";
      x.live!.cluster.unreadable = true;
      delete x.cluster;
    });
    const first = checkChain(s)[0];
    expect([first.link, first.status, first.detail]).to.deep.equal(["agent", "warn", s.live!.cluster.error]);
    expect(failing(s)).to.deep.equal([]);
    const skipped = checkChain(s).filter((r) => r.status === "skip");
    expect(skipped.map((r) => [r.link, r.detail])).to.deep.include([
      "association",
      "the cluster could not be read (link 1)",
    ]);
  });

  it("no add-on: link 1 fails with create-addon; EKS Auto Mode runs the agent itself", () => {
    const none = live((x) => {
      delete x.live!.addon;
      x.live!.addonMissing = "DescribeAddon eks-pod-identity-agent: ResourceNotFoundException: No addon";
    });
    const f = only(none);
    expect([f.link, f.detail]).to.deep.equal(["agent", none.live!.addonMissing]);
    expect(f.fix).to.match(
      /^install it: aws eks create-addon --cluster-name prod --addon-name eks-pod-identity-agent/,
    );
    none.live!.cluster.autoMode = true;
    expect(failing(none)).to.deep.equal([]);
  });

  it("an add-on that is DEGRADED fails with its health issues; one still CREATING is undecided", () => {
    const degraded = live(
      (x) => (x.live!.addon = { status: "DEGRADED", issues: ["InsufficientNumberOfReplicas: 0/2"] }),
    );
    expect(only(degraded).detail).to.match(/status DEGRADED; health issues: InsufficientNumberOfReplicas/);
    expect(only(degraded).fix).to.match(/^the add-on is DEGRADED/);
    const creating = live((x) => (x.live!.addon = { status: "CREATING", issues: [] }));
    expect(checkChain(creating).find((r) => r.link === "agent" && r.status === "warn")).to.not.equal(
      undefined,
    );
  });

  it("no association: link 2 fails with create-pod-identity-association naming both roles", () => {
    const f = only(live((x) => (x.associations = [])));
    expect(f.link).to.equal("association");
    expect(f.fix).to.include(
      `create-pod-identity-association --cluster-name prod --namespace team-a --service-account s3-reader --role-arn <source role in the cluster's account> --target-role-arn ${TARGET}`,
    );
  });

  it("an association into another role, or from another source role than the one named, fails link 2", () => {
    const other = live((x) => (x.associations[0].targetRoleArn = `arn:aws:iam::${B}:role/other`));
    const f = only(other);
    expect([f.link, f.detail]).to.deep.equal([
      "association",
      `targetRoleArn "arn:aws:iam::${B}:role/other" (the target role ${TARGET}); roleArn "${SOURCE}" (the source role, link 3)`,
    ]);
    expect(f.fix).to.match(
      /update-pod-identity-association --cluster-name prod --association-id a-0123456789abcdef0 --role-arn/,
    );
    const named = live((x) => (x.live!.expectedSourceRoleArn = `arn:aws:iam::${A}:role/expected`));
    expect(only(named).check).to.match(/chains from the source role into the target role/);
  });

  it("disableSessionTags: link 2 fails with --no-disable-session-tags", () => {
    const f = only(live((x) => (x.associations[0].disableSessionTags = true)));
    expect(f.fix).to.match(/--association-id a-0123456789abcdef0 --no-disable-session-tags/);
  });

  it("the ServiceAccount annotated for IRSA, or its pods with IRSA's variables, fail link 2", () => {
    const annotated = live((x) => (x.serviceAccount!.annotations["eks.amazonaws.com/role-arn"] = TARGET));
    expect(only(annotated).check).to.match(/has no eks.amazonaws.com\/role-arn annotation/);
    const both = live((x) => {
      x.live!.pods![0].containers[0].env.AWS_ROLE_ARN = TARGET;
      x.live!.pods![0].containers[0].env.AWS_WEB_IDENTITY_TOKEN_FILE = "/var/run/x";
    });
    expect(only(both).detail).to.match(/also has AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE \(IRSA\)/);
  });

  it("a pod whose SDKs would take static keys or a profile before the agent fails link 2; a healthy one says its path", () => {
    const healthy = checkChain(live()).find((r) => /pods of/.test(r.check));
    expect(healthy).to.include({ status: "pass" });
    expect(healthy!.detail).to.match(/ uses Pod Identity's endpoint \(AWS_CONTAINER_CREDENTIALS_FULL_URI\)$/);
    const keys = only(
      live((x) => {
        x.live!.pods![0].containers[0].env.AWS_ACCESS_KEY_ID = "AKIAEXAMPLE";
        x.live!.pods![0].containers[0].env.AWS_SECRET_ACCESS_KEY = "secret";
      }),
    );
    expect(keys.detail).to.match(
      /every AWS SDK would use static keys \(AWS_ACCESS_KEY_ID\), not Pod Identity's endpoint/,
    );
    const profile = only(live((x) => (x.live!.pods![0].containers[0].env.AWS_PROFILE = "p")));
    expect(profile.detail).to.match(
      /would use the config profile \(AWS_PROFILE\), not Pod Identity's endpoint/,
    );
    expect(profile.detail).to.not.match(/also has/);
    const relative = only(
      live(
        (x) =>
          (x.live!.pods![0].containers[0].env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = "/v2/credentials/x"),
      ),
    );
    expect(relative.detail).to.match(
      /AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is set: .* not Pod Identity's agent/,
    );
  });

  it("a pod created before the association fails link 2 with a restart", () => {
    const s = live((x) => {
      x.live!.pods = [
        { name: "old-1", createdAt: "2025-06-01T10:00:00.000Z", containers: [{ name: "app", env: {} }] },
      ];
    });
    const f = only(s);
    expect(f.detail).to.equal(
      "pod old-1 (created 2025-06-01T10:00:00.000Z), container app: no AWS_CONTAINER_CREDENTIALS_FULL_URI, " +
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (created before the association, or EKS did not inject it)",
    );
    expect(f.fix).to.match(/^restart them/);
    const wrongUri = live(
      (x) => (x.live!.pods![0].containers[0].env.AWS_CONTAINER_CREDENTIALS_FULL_URI = "http://x"),
    );
    expect(only(wrongUri).detail).to.match(/is "http:\/\/x", not the agent's http:\/\/169\.254\.170\.23/);
  });

  it("--no-cluster skips the ServiceAccount and its pods, saying what it would have checked; a missing one fails", () => {
    const s = live((x) => {
      delete x.serviceAccount;
      x.unavailable = { ...x.unavailable, cluster: "--no-cluster" };
    });
    const skipped = checkChain(s).filter((r) => r.status === "skip");
    expect(skipped.map((r) => r.detail)).to.deep.equal([
      "--no-cluster: would have checked that it exists without an eks.amazonaws.com/role-arn annotation",
      "--no-cluster: would have checked that its pods have AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    ]);
    const missing = only(live((x) => delete x.serviceAccount));
    expect([missing.check, missing.fix]).to.deep.equal([
      "ServiceAccount team-a/s3-reader exists",
      "create it (kubectl create serviceaccount s3-reader -n team-a), or name the right one with --namespace, --service-account and --context",
    ]);
  });

  it("the source role's trust for another cluster, or without the chaining permission, fails link 3 with IAM commands", () => {
    const otherCluster = live((x) => {
      x.sourceRole!.trustPolicy = policyJson(
        buildPodIdentitySourceTrustPolicy({ clusterArn: `arn:aws:eks:eu-west-1:${A}:cluster/other` }),
      );
    });
    const trust = failing(otherCluster);
    expect(trust.map((r) => r.link)).to.deep.equal(["source-role", "source-role"]);
    expect(trust[0].fix).to.match(/aws iam update-assume-role-policy --role-name pod-source/);
    expect(trust[0].detail).to.equal(
      "no statement allows sts:AssumeRole: statement EksPodIdentityForThisCluster: condition StringEquals " +
        `aws:RequestTag/eks-cluster-arn expects "arn:aws:eks:eu-west-1:${A}:cluster/other", the request has "${CLUSTER}"`,
    );
    const noChain = live((x) => (x.sourceRole!.permissionPolicies = {}));
    expect(failing(noChain).map((r) => r.check)).to.deep.equal([
      "the source role may sts:AssumeRole on the target role",
      "the source role may sts:TagSession on the target role",
    ]);
    expect(failing(noChain)[0].fix).to.match(/aws iam put-role-policy --role-name pod-source/);
  });

  it("a source role that cannot be read fails link 3 with IAM's error", () => {
    const s = live((x) => (x.live!.sourceRoleError = "GetRole pod-source: NoSuchEntity: not found"));
    expect(only(s)).to.deep.include({
      link: "source-role",
      detail: "the source role could not be read: GetRole pod-source: NoSuchEntity: not found",
    });
  });

  it("the target trust for another source role fails link 4; a trust that requires the association's external id passes", () => {
    const other = live((x) => {
      x.role!.trustPolicy = policyJson(
        buildPodIdentityTargetTrustPolicy({
          sourceRoleArn: `arn:aws:iam::${A}:role/someone-else`,
          clusterArn: CLUSTER,
          serviceAccounts: [SA],
        }),
      );
    });
    const f = failing(other);
    expect(f.map((r) => r.link)).to.deep.equal(["target-trust", "target-trust"]);
    expect(f[0].fix).to.include(`ArnEquals aws:PrincipalArn = ${SOURCE}`);
    expect(f[0].detail).to.match(
      /^no statement allows sts:AssumeRole: statement #0: condition ArnEquals aws:PrincipalArn expects "arn:aws:iam::111122223333:role\/someone-else", the request has "arn:aws:iam::111122223333:role\/pod-source"/,
    );
    expect(f[0].fix).to.match(/update-assume-role-policy --role-name pod-target/);
    const withExternalId = (id: string) =>
      live((x) => {
        const doc = JSON.parse(x.role!.trustPolicy!) as {
          Statement: Array<{ Condition: Record<string, Record<string, string>> }>;
        };
        doc.Statement[0].Condition.StringEquals["sts:ExternalId"] = id;
        x.role!.trustPolicy = JSON.stringify(doc);
      });
    expect(failing(withExternalId("2c7f0b6e-0000-4000-8000-000000000000"))).to.deep.equal([]);
    expect(failing(withExternalId("another")).map((r) => r.link)).to.deep.equal([
      "target-trust",
      "target-trust",
    ]);
  });

  it("a target role that cannot be read fails link 4, and link 5 is skipped", () => {
    const s = live((x) => {
      x.live!.roleError = "GetRole pod-target: NoSuchEntity";
      delete x.role;
      x.permissionPolicies = {};
    });
    expect(only(s)).to.deep.include({ link: "target-trust" });
    expect(checkChain(s).find((r) => r.link === "permission")).to.deep.include({
      status: "skip",
      detail: "the role could not be read (link 4)",
    });
  });

  it("permission on another bucket, and a missing object, fail link 5 (the live permission checks)", () => {
    const other = live(
      (x) => (x.permissionPolicies = { p: policyJson(buildS3AccessPolicy({ bucketName: "other" })) }),
    );
    expect(failing(other).map((r) => r.check)).to.deep.equal([
      "the role may s3:GetObject s3://team-data/reports/q3.csv",
      "the role may s3:ListBucket on bucket team-data",
    ]);
    const gone = only(
      live((x) => (x.live!.object = { exists: false, detail: "HeadObject: NotFound (HTTP 404)" })),
    );
    expect([gone.link, gone.check]).to.deep.equal([
      "permission",
      "object s3://team-data/reports/q3.csv exists",
    ]);
  });
});
