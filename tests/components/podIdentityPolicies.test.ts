/**
 * The EKS Pod Identity cross-account documents: exact shapes, determinism, and the pairing property
 * of the target trust (exactly the configured (namespace, name) pairs of this cluster, through the
 * source role only), checked with the package's evaluators; and the input errors.
 */
import { expect } from "chai";
import fc from "fast-check";
import { InputError, PolicySizeError } from "../../components/errors";
import { evaluateAccess, evaluateResourcePolicy, evaluateServiceTrust } from "../../components/evaluate";
import {
  buildPodIdentitySourcePermissionPolicy,
  buildPodIdentitySourceTrustPolicy,
  buildPodIdentityTargetTrustPolicy,
  parseEksClusterArn,
  podIdentitySessionTags,
} from "../../components/podIdentityPolicies";
import { policyJson, policySize, type PolicyDocument } from "../../components/policyDocument";
import { type ServiceAccountRef } from "../../components/trustPolicy";
import { DNS1123_LABEL_RULE, DNS1123_SUBDOMAIN_RULE } from "../../components/validation";
import { ACCOUNT_B, expectInputError } from "./coreHelpers";

const ACCOUNT_A = "111122223333";
const ACCOUNT_C = "999988887777";
const CLUSTER = `arn:aws:eks:eu-west-1:${ACCOUNT_A}:cluster/prod`;
const OTHER_CLUSTER = `arn:aws:eks:eu-west-1:${ACCOUNT_A}:cluster/staging`;
const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/pod-source`;
const TARGET = `arn:aws:iam::${ACCOUNT_B}:role/pod-target`;
const ACTIONS = ["sts:AssumeRole", "sts:TagSession"];
const READER = { namespace: "apps", name: "reader" };
const CLUSTER_RULE =
  "must be an EKS cluster ARN: arn:<partition>:eks:<region>:<12-digit account>:cluster/<name>";
const ROLE_RULE = "must be an IAM role ARN";
const EXACT_RULE = "must be exact with Pod Identity";

const target = (serviceAccounts: ServiceAccountRef[], extra: Record<string, unknown> = {}) =>
  buildPodIdentityTargetTrustPolicy({
    sourceRoleArn: SOURCE,
    clusterArn: CLUSTER,
    serviceAccounts,
    ...extra,
  });

/** Each value makes `build` throw an InputError naming `field`, the value and `rule`. */
function rejectsAll(build: (value: unknown) => unknown, field: string, values: unknown[], rule: string) {
  for (const value of values) expectInputError(() => build(value), field, value, rule);
}

/**
 * Whether the target trust lets a caller (its IAM ARN: aws:PrincipalArn) in with these request tags,
 * for both actions EKS calls (asserted to agree), and never for another STS action.
 */
function targetAllows(doc: PolicyDocument, principalArn: string, context: Record<string, string>): boolean {
  const decide = (action: string) =>
    evaluateResourcePolicy(doc, { absent: ["*"], principalArn, action, context }, "trust").decision;
  expect(decide("sts:AssumeRoleWithWebIdentity")).to.equal("ImplicitDeny");
  const assume = decide("sts:AssumeRole");
  expect(decide("sts:TagSession"), `${principalArn} ${JSON.stringify(context)}`).to.equal(assume);
  return assume === "Allow";
}

describe("parseEksClusterArn and podIdentitySessionTags", () => {
  it("parses the parts of a cluster ARN in any partition", () => {
    const parts = { partition: "aws", region: "eu-west-1", accountId: ACCOUNT_A, clusterName: "prod" };
    expect(parseEksClusterArn("c", CLUSTER)).to.deep.equal(parts);
    const cn = `arn:aws-cn:eks:cn-north-1:${ACCOUNT_A}:cluster/Prod_2`;
    expect(parseEksClusterArn("c", cn)).to.include({ partition: "aws-cn", clusterName: "Prod_2" });
  });

  it("names the field, the value and the rule for anything else", () => {
    const names = ["*", "pro?", "a/b", "", "-prod", "a".repeat(101)];
    const bad = [
      ...names.map((name) => `arn:aws:eks:eu-west-1:${ACCOUNT_A}:cluster/${name}`),
      ...["EU-WEST-1", "*"].map((region) => `arn:aws:eks:${region}:${ACCOUNT_A}:cluster/prod`),
      CLUSTER.replace(ACCOUNT_A, "11112222333"),
      CLUSTER.replace("arn:aws:", "arn:aws-xx:"),
      `arn:aws:iam::${ACCOUNT_A}:role/prod`,
      `arn:aws:eks:eu-west-1:${ACCOUNT_A}:nodegroup/prod/ng/1`,
      `${CLUSTER} `,
      "prod",
    ];
    const parse = (value: unknown) => parseEksClusterArn("clusterArn", value);
    rejectsAll(parse, "clusterArn", bad, CLUSTER_RULE);
    rejectsAll(parse, "clusterArn", [undefined, null, 42, [CLUSTER]], "must be a string");
  });

  it("podIdentitySessionTags gives the three request tags the trusts test", () => {
    expect(podIdentitySessionTags(CLUSTER, READER)).to.deep.equal({
      "aws:RequestTag/eks-cluster-arn": CLUSTER,
      "aws:RequestTag/kubernetes-namespace": "apps",
      "aws:RequestTag/kubernetes-service-account": "reader",
    });
  });
});

describe("buildPodIdentitySourceTrustPolicy", () => {
  const doc = buildPodIdentitySourceTrustPolicy({ clusterArn: CLUSTER });

  it("lets pods.eks.amazonaws.com AssumeRole and TagSession with this cluster's tag only", () => {
    expect(doc).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "EksPodIdentityForThisCluster",
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Condition: { StringEquals: { "aws:RequestTag/eks-cluster-arn": CLUSTER } },
        },
      ],
    });
  });

  it("evaluates to Allow for EKS Pod Identity of this cluster, and to a deny otherwise", () => {
    const allows = (service: string, action: string, context: Record<string, string>) =>
      evaluateServiceTrust(doc, { absent: ["*"], service, action, context }).decision === "Allow";
    const pods = "pods.eks.amazonaws.com";
    const tags = podIdentitySessionTags(CLUSTER, READER);
    const clusterTag = (arn: string) => ({ ...tags, "aws:RequestTag/eks-cluster-arn": arn });
    for (const action of ACTIONS) {
      expect(allows(pods, action, tags)).to.equal(true);
      expect(allows(pods, action, { "aws:RequestTag/eks-cluster-arn": CLUSTER })).to.equal(true);
      for (const service of ["eks.amazonaws.com", "ec2.amazonaws.com", "pods.eks.amazonaws.com.cn"]) {
        expect(allows(service, action, tags), service).to.equal(false);
      }
      const others = [OTHER_CLUSTER, CLUSTER.replace(ACCOUNT_A, ACCOUNT_C), CLUSTER.toUpperCase()];
      for (const other of [...others, CLUSTER.replace("eu-west-1", "us-east-1"), `${CLUSTER}-2`]) {
        expect(allows(pods, action, clusterTag(other)), other).to.equal(false);
      }
      expect(allows(pods, action, {})).to.equal(false);
    }
    for (const action of ["sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity"]) {
      expect(allows(pods, action, tags), action).to.equal(false);
    }
  });

  it("rejects a bad cluster ARN and non-object options with an InputError", () => {
    const build = (value: unknown) => buildPodIdentitySourceTrustPolicy(value as never);
    rejectsAll((v) => build({ clusterArn: v }), "clusterArn", ["prod", `${CLUSTER}/x`], CLUSTER_RULE);
    const bad = [null, undefined, [], [{ clusterArn: CLUSTER }], "x", 1];
    rejectsAll(build, "options", bad, "must be an object { clusterArn }");
  });
});

describe("buildPodIdentitySourcePermissionPolicy", () => {
  const doc = buildPodIdentitySourcePermissionPolicy({ targetRoleArn: TARGET });

  it("allows AssumeRole and TagSession on the target role only", () => {
    expect(doc).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ChainIntoTargetRole",
          Effect: "Allow",
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Resource: TARGET,
        },
      ],
    });
    for (const action of ACTIONS) {
      expect(evaluateAccess(doc, { absent: ["*"], action, resource: TARGET }).decision).to.equal("Allow");
      for (const other of [
        `arn:aws:iam::${ACCOUNT_B}:role/pod-target-2`,
        `arn:aws:iam::${ACCOUNT_B}:role/team/pod-target`,
        `arn:aws:iam::${ACCOUNT_B}:role/POD-TARGET`,
        TARGET.replace(ACCOUNT_B, ACCOUNT_C),
        SOURCE,
      ]) {
        expect(evaluateAccess(doc, { absent: ["*"], action, resource: other }).decision, other).to.equal(
          "ImplicitDeny",
        );
      }
    }
    for (const action of ["sts:AssumeRoleWithWebIdentity", "iam:PassRole", "sts:SetSourceIdentity"]) {
      expect(evaluateAccess(doc, { absent: ["*"], action, resource: TARGET }).decision, action).to.equal(
        "ImplicitDeny",
      );
    }
  });

  it("rejects anything but a role ARN, and non-object options", () => {
    const build = (value: unknown) => buildPodIdentitySourcePermissionPolicy(value as never);
    const bad = [
      ...["role/*", "role/pod-?", "user/pod-target", "root"].map((r) => `arn:aws:iam::${ACCOUNT_B}:${r}`),
      `arn:aws:sts::${ACCOUNT_B}:assumed-role/pod-target/s`,
      "pod-target",
    ];
    rejectsAll((v) => build({ targetRoleArn: v }), "targetRoleArn", bad, ROLE_RULE);
    rejectsAll(build, "options", [null, undefined, [], "x"], "must be an object { targetRoleArn }");
  });
});

describe("buildPodIdentityTargetTrustPolicy", () => {
  it("one statement per namespace, names sorted and de-duplicated, one name as a string", () => {
    const doc = target([
      { namespace: "zeta", name: "writer" },
      { namespace: "apps", name: "writer" },
      { namespace: "apps", name: "reader" },
      { namespace: "apps", name: "writer" },
    ]);
    const statement = (namespace: string, names: string | string[]) => ({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:root` },
      Action: ["sts:AssumeRole", "sts:TagSession"],
      Condition: {
        ArnEquals: { "aws:PrincipalArn": SOURCE },
        StringEquals: {
          "aws:RequestTag/eks-cluster-arn": CLUSTER,
          "aws:RequestTag/kubernetes-namespace": namespace,
          "aws:RequestTag/kubernetes-service-account": names,
        },
      },
    });
    expect(doc).to.deep.equal({
      Version: "2012-10-17",
      Statement: [statement("apps", ["reader", "writer"]), statement("zeta", "writer")],
    });
    // The partition and account of the principal come from the source role (its path is kept).
    const sourceRoleArn = `arn:aws-cn:iam::${ACCOUNT_A}:role/eks/pod-source`;
    const clusterArn = `arn:aws-cn:eks:cn-north-1:${ACCOUNT_A}:cluster/prod`;
    const [cn] = buildPodIdentityTargetTrustPolicy({
      sourceRoleArn,
      clusterArn,
      serviceAccounts: [READER],
    }).Statement;
    expect(cn.Principal).to.deep.equal({ AWS: `arn:aws-cn:iam::${ACCOUNT_A}:root` });
    expect(cn.Condition!.ArnEquals).to.deep.equal({ "aws:PrincipalArn": sourceRoleArn });
  });

  const pairArb = fc.record({
    namespace: fc.constantFrom("a", "b", "apps", "a1"),
    name: fc.constantFrom("a", "b", "reader", "a.b"),
  });

  it("gives the same JSON whatever the order and duplication of the service accounts (property)", () => {
    fc.assert(
      fc.property(
        fc
          .array(pairArb, { minLength: 1, maxLength: 8 })
          .chain((list) =>
            fc.tuple(
              fc.constant(list),
              fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }),
              fc.subarray(list),
            ),
          ),
        ([list, shuffled, dups]) => {
          const json = policyJson(target(list));
          expect(policyJson(target([...shuffled, ...dups]))).to.equal(json);
          const reordered = list.map((sa) => ({ name: sa.name, namespace: sa.namespace }));
          expect(policyJson(target(reordered))).to.equal(json);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("allows exactly the configured pairs, for the source role, with this cluster's tags (property)", () => {
    const namespaces = ["a", "b", "apps", "a1"];
    const names = ["a", "b", "reader", "a.b"];
    const others = [
      `arn:aws:iam::${ACCOUNT_A}:role/pod-other`,
      `arn:aws:iam::${ACCOUNT_A}:role/team/pod-source`,
      `arn:aws:iam::${ACCOUNT_A}:user/pod-source`,
      SOURCE.replace(ACCOUNT_A, ACCOUNT_C),
      SOURCE.replace(ACCOUNT_A, ACCOUNT_B),
    ];
    fc.assert(
      fc.property(fc.array(pairArb, { minLength: 1, maxLength: 6 }), (set) => {
        const doc = target(set);
        const configured = new Set(set.map((sa) => `${sa.namespace}/${sa.name}`));
        expect(doc.Statement).to.have.length(new Set(set.map((sa) => sa.namespace)).size);
        // Every pair of the universe, also the swapped ones (namespace of one, name of another).
        for (const namespace of namespaces) {
          for (const name of names) {
            const tags = podIdentitySessionTags(CLUSTER, { namespace, name });
            expect(targetAllows(doc, SOURCE, tags), `${namespace}/${name}`).to.equal(
              configured.has(`${namespace}/${name}`),
            );
          }
        }
        for (const sa of set) {
          const tags = podIdentitySessionTags(CLUSTER, sa);
          for (const other of others) expect(targetAllows(doc, other, tags), other).to.equal(false);
          for (const cluster of [OTHER_CLUSTER, CLUSTER.replace(ACCOUNT_A, ACCOUNT_C), `${CLUSTER}x`]) {
            expect(targetAllows(doc, SOURCE, podIdentitySessionTags(cluster, sa)), cluster).to.equal(false);
          }
          for (const key of Object.keys(tags)) {
            const missing = { ...tags };
            delete missing[key];
            expect(targetAllows(doc, SOURCE, missing), `without ${key}`).to.equal(false);
          }
          expect(targetAllows(doc, SOURCE, {})).to.equal(false);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("a swapped pair across two namespaces is denied", () => {
    const doc = target([READER, { namespace: "jobs", name: "writer" }]);
    const allows = (namespace: string, name: string) =>
      targetAllows(doc, SOURCE, podIdentitySessionTags(CLUSTER, { namespace, name }));
    expect([allows("apps", "reader"), allows("jobs", "writer")]).to.deep.equal([true, true]);
    expect([allows("apps", "writer"), allows("jobs", "reader")]).to.deep.equal([false, false]);
  });

  describe("errors", () => {
    /** Builds the target trust from valid options with `patch` applied. */
    const withPatch = (patch: Record<string, unknown>) => () => target([READER], patch);
    /** Each value of option `key` is refused, naming the key, the value and the rule. */
    const rejects = (key: string, values: unknown[], rule: string) =>
      rejectsAll((v) => withPatch({ [key]: v })(), key, values, rule);

    it("bad ARNs, and a source role outside the cluster's account or partition", () => {
      const badRoles = ["role/*", "role/pod-?", "user/x"].map((r) => `arn:aws:iam::${ACCOUNT_A}:${r}`);
      rejects("sourceRoleArn", [...badRoles, `${SOURCE}/x:y`, "pod-source"], ROLE_RULE);
      rejects("clusterArn", ["prod", `${CLUSTER}/x`], CLUSTER_RULE);
      rejects(
        "sourceRoleArn",
        [SOURCE.replace(ACCOUNT_A, ACCOUNT_C), SOURCE.replace("arn:aws:", "arn:aws-cn:")],
        `must be in the cluster's account and partition (arn:aws:iam::${ACCOUNT_A}:role/...)`,
      );
    });

    it("wildcards in a namespace or name: exact with Pod Identity", () => {
      for (const part of ["namespace", "name"] as const) {
        for (const pattern of ["*", "app?", "team-*", "?"]) {
          const sa = { namespace: "apps", name: "reader", [part]: pattern };
          const build = withPatch({ serviceAccounts: [READER, sa] });
          const err = expectInputError(build, `serviceAccounts[1].${part}`, pattern, EXACT_RULE);
          expect(err.message).to.include("StringLike");
        }
      }
    });

    it("invalid names, entries and lists", () => {
      const entries = (key: "namespace" | "name", values: unknown[], rule: string) => {
        const list = values.map((v) => [{ namespace: "apps", name: "r", [key]: v }]);
        for (const [i, v] of values.entries()) {
          expectInputError(withPatch({ serviceAccounts: list[i] }), `serviceAccounts[0].${key}`, v, rule);
        }
      };
      entries("namespace", ["Apps", "a.b", "", "-a", "a".repeat(64)], DNS1123_LABEL_RULE);
      entries("name", ["R", "r_1", "", "a..b", "r-"], DNS1123_SUBDOMAIN_RULE);
      entries("namespace", [7, undefined, null], "must be a string");
      const entry = (v: unknown) => withPatch({ serviceAccounts: [READER, v] })();
      rejectsAll(
        entry,
        "serviceAccounts[1]",
        [null, "apps/reader", 3],
        "must be an object { namespace, name }",
      );
      rejects("serviceAccounts", [[]], "must list at least 1 item");
      rejects("serviceAccounts", [undefined, null, "apps/reader", READER], "must be a list");
      rejects("maxSize", [0, 4097, 1.5, "2048", Number.NaN], "must be a whole number from 1 to 4096");
    });

    it("non-object options: an InputError, never a TypeError (also for any junk, property)", () => {
      rejectsAll(
        (v) => buildPodIdentityTargetTrustPolicy(v as never),
        "options",
        [null, undefined, [], [{ sourceRoleArn: SOURCE }], "x", 0],
        "must be an object { sourceRoleArn, clusterArn, serviceAccounts, maxSize? }",
      );
      const junk = fc.oneof(fc.anything(), fc.constantFrom(SOURCE, CLUSTER, TARGET));
      const saJunk = fc.oneof(pairArb, fc.anything(), fc.record({ namespace: junk, name: junk }));
      const run = (fn: () => unknown) => {
        try {
          fn();
        } catch (e) {
          expect(e, String(e)).to.be.instanceOf(InputError);
        }
      };
      const listArb = fc.oneof(junk, fc.array(saJunk, { maxLength: 4 }));
      fc.assert(
        fc.property(junk, junk, listArb, junk, (a, b, c, d) => {
          run(withPatch({ sourceRoleArn: a, clusterArn: b, serviceAccounts: c, maxSize: d }));
          run(withPatch({ serviceAccounts: c }));
          run(() => buildPodIdentityTargetTrustPolicy(a as never));
          run(() => buildPodIdentitySourceTrustPolicy({ clusterArn: b } as never));
          run(() => buildPodIdentitySourceTrustPolicy(b as never));
          run(() => buildPodIdentitySourcePermissionPolicy({ targetRoleArn: a } as never));
          run(() => buildPodIdentitySourcePermissionPolicy(d as never));
        }),
        { numRuns: 150 },
      );
    });

    it("over maxSize: a PolicySizeError on serviceAccounts with the size, the limit and the ways out", () => {
      const many = Array.from({ length: 6 }, (_, i) => ({ namespace: `team-${i}`, name: `reader-${i}` }));
      const big = target([...many, many[0]], { maxSize: 4096 });
      const size = policySize(big);
      expect(size).to.be.greaterThan(2048);
      let e: PolicySizeError | undefined;
      try {
        target([...many, many[0]]);
      } catch (error) {
        e = error as PolicySizeError;
      }
      expect(e)
        .to.be.instanceOf(PolicySizeError)
        .and.include({
          field: "serviceAccounts",
          value: "6 service accounts",
          rule: `policy size ${size} exceeds the limit of 2048`,
          size,
          limit: 2048,
        });
      for (const part of [
        `serviceAccounts: the trust policy for 6 service accounts is ${size} characters`,
        "over the limit of 2048 (maxSize)",
        "Ways out: split the service accounts across several target roles",
        "Service Quotas (up to 4096) and pass that as maxSize",
      ]) {
        expect(e!.message).to.include(part);
      }
      // The limit is inclusive.
      expect(policyJson(target(many, { maxSize: size }))).to.equal(policyJson(big));
      expect(() => target(many, { maxSize: size - 1 })).to.throw(PolicySizeError);
    });
  });
});

describe("Pod Identity inputs that would widen a grant (found by the simulator cross-check)", () => {
  it("refuses '*', '?' and '$' in a role ARN a policy names: IAM reads them as wildcards or a variable", () => {
    for (const path of ["*/", "team?/", "${aws:PrincipalTag/team}/"]) {
      const source = `arn:aws:iam::${ACCOUNT_A}:role/${path}pod-source`;
      expect(() =>
        buildPodIdentityTargetTrustPolicy({
          sourceRoleArn: source,
          clusterArn: CLUSTER,
          serviceAccounts: [READER],
        }),
      ).to.throw(InputError, /^sourceRoleArn: .* must not contain '\*', '\?' or '\$'/);
      const target = `arn:aws:iam::${ACCOUNT_B}:role/${path}pod-target`;
      expect(() => buildPodIdentitySourcePermissionPolicy({ targetRoleArn: target })).to.throw(
        InputError,
        /^targetRoleArn: .* must not contain/,
      );
    }
  });

  it("podIdentitySessionTags refuses a missing service account with an InputError, not a TypeError", () => {
    expect(() => podIdentitySessionTags(CLUSTER, null as unknown as ServiceAccountRef)).to.throw(
      InputError,
      /^serviceAccount: null is invalid: must be an object/,
    );
  });

  it("parseEksClusterArn refuses a region of another partition", () => {
    expect(() =>
      parseEksClusterArn("clusterArn", `arn:aws:eks:cn-north-1:${ACCOUNT_A}:cluster/prod`),
    ).to.throw(InputError, /region cn-north-1 is in partition "aws-cn", not "aws"/);
  });
});
