/**
 * Bad input to the five EKS Pod Identity components: plain values are refused in the constructor,
 * with an InputError naming field, value and rule, before anything registers; Output values that
 * turn out bad fail the run, and the resources they feed are never created.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { runOnEngine } from "../../engine/offline";
import { InputError, PolicySizeError, describeValue } from "../../components/errors";
import {
  PodIdentitySourceRole,
  type PodIdentitySourceRoleArgs,
} from "../../components/podIdentitySourceRole";
import {
  PodIdentityTargetRole,
  type PodIdentityTargetRoleArgs,
} from "../../components/podIdentityTargetRole";
import { PodIdentityAgent, type PodIdentityAgentArgs } from "../../components/podIdentityAgent";
import {
  PodIdentityServiceAccount,
  type PodIdentityServiceAccountArgs,
} from "../../components/podIdentityServiceAccount";
import {
  CrossAccountPodIdentity,
  type CrossAccountPodIdentityArgs,
  MAX_POD_IDENTITY_ASSOCIATIONS,
  checkAssociations,
} from "../../components/crossAccountPodIdentity";
import { buildS3AccessPolicy } from "../../components/s3AccessPolicy";
import { DNS1123_LABEL_RULE, DNS1123_SUBDOMAIN_RULE } from "../../components/validation";
import { expectInputError } from "./coreHelpers";
import { settled, valueOf } from "../support/outputs";

const ACCOUNT_A = "111122223333";
const CLUSTER = `arn:aws:eks:eu-west-1:${ACCOUNT_A}:cluster/prod`;
const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/pod-source`;
const TARGET = "arn:aws:iam::222233334444:role/pod-target";
const SA = { namespace: "apps", name: "reader" };
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const CLUSTER_RULE = "must be an EKS cluster ARN";
const CLUSTER_NAME_RULE = "must be an EKS cluster name";
const EXACT_RULE = "must be exact with Pod Identity";
const NO_WILDCARD_RULE = "must not contain '*', '?' or '$'";

/** Each component, built from `good` args patched with the bad value; `make` returns an output. */
type Kind = "source" | "target" | "agent" | "sa" | "cross";
// The args are cast: the point is to pass what the types forbid.
const KINDS: Record<Kind, { make: (args: unknown) => pulumi.Output<unknown>; good: object }> = {
  source: {
    make: (a) => new PodIdentitySourceRole("x", a as PodIdentitySourceRoleArgs).roleArn,
    good: { clusterArn: CLUSTER },
  },
  target: {
    make: (a) => new PodIdentityTargetRole("x", a as PodIdentityTargetRoleArgs).roleArn,
    good: { sourceRoleArn: SOURCE, clusterArn: CLUSTER, serviceAccounts: [SA] },
  },
  agent: {
    make: (a) => new PodIdentityAgent("x", a as PodIdentityAgentArgs).addonName,
    good: { clusterName: "prod" },
  },
  sa: { make: (a) => new PodIdentityServiceAccount("x", a as PodIdentityServiceAccountArgs).name, good: SA },
  cross: {
    make: (a) => new CrossAccountPodIdentity("x", a as CrossAccountPodIdentityArgs).associationArns,
    good: { clusterName: "prod", sourceRoleArn: SOURCE, targetRoleArn: TARGET, serviceAccounts: [SA] },
  },
};
const build = (kind: Kind, patch: object) => KINDS[kind].make({ ...KINDS[kind].good, ...patch });
const later = <T>(value: T) => pulumi.output(value);

/** `n` service accounts spread over `namespaces` namespaces (one trust statement each). */
const sas = (n: number, namespaces = 1) =>
  Array.from({ length: n }, (_, i) => ({ namespace: `team-${i % namespaces}`, name: `account-${i}` }));

/** A valid identity policy of about `size` characters (one long prefix list). */
function bigPolicy(size: number): string {
  const prefixes = Array.from(
    { length: Math.ceil(size / 60) },
    (_, i) => `reports/${String(i).padStart(4, "0")}/`,
  );
  return JSON.stringify(buildS3AccessPolicy({ bucketName: "team-bucket", prefixes }));
}

/** The InputError `make` throws. */
function thrown(make: () => unknown): InputError {
  try {
    make();
  } catch (e) {
    expect(e).to.be.instanceOf(InputError);
    return e as InputError;
  }
  throw new Error("expected an InputError");
}

describe("Pod Identity components: bad plain input is refused before anything registers", () => {
  let engine: MockEngine;
  beforeEach(async () => {
    engine = new MockEngine({ config: { "aws:allowedAccountIds": `["${ACCOUNT_A}"]` } });
    await engine.install();
  });
  /** Nothing reached the engine (waiting for anything the runtime queued). */
  const nothingRegistered = async () => {
    await settled();
    expect(engine.resources, "nothing registered").to.deep.equal([]);
  };

  for (const kind of Object.keys(KINDS) as Kind[]) {
    it(`${kind}: args null, undefined or not an object`, async () => {
      for (const args of [null, undefined, "prod", [SA]]) {
        expectInputError(() => KINDS[kind].make(args), "args", args, "must be an object");
      }
      await nothingRegistered();
    });
  }

  const a64 = "a".repeat(64);
  const wildTarget = "arn:aws:iam::222233334444:role/t?/r";
  const wildSource = `arn:aws:iam::${ACCOUNT_A}:role/t*/s`;
  const cases: Array<[Kind, object, string, unknown, string]> = [
    ["source", { clusterArn: undefined }, "clusterArn", undefined, "must be a string"],
    ["source", { clusterArn: "prod" }, "clusterArn", "prod", CLUSTER_RULE],
    [
      "source",
      { clusterArn: CLUSTER.replace("eu-west-1", "cn-north-1") },
      "clusterArn",
      CLUSTER.replace("eu-west-1", "cn-north-1"),
      CLUSTER_RULE,
    ],
    ["source", { roleName: "a b" }, "roleName", "a b", "must be an IAM role name"],
    ["source", { path: "team" }, "path", "team", "must be an IAM path"],
    [
      "target",
      { serviceAccounts: [{ namespace: "ap*", name: "r" }] },
      "serviceAccounts[0].namespace",
      "ap*",
      EXACT_RULE,
    ],
    [
      "target",
      { serviceAccounts: [SA, { namespace: "apps", name: "*" }] },
      "serviceAccounts[1].name",
      "*",
      EXACT_RULE,
    ],
    ["target", { serviceAccounts: [] }, "serviceAccounts", [], "must list at least 1 item"],
    [
      "target",
      { serviceAccounts: [{ namespace: "Apps", name: "r" }] },
      "serviceAccounts[0].namespace",
      "Apps",
      DNS1123_LABEL_RULE,
    ],
    ["target", { clusterArn: `${CLUSTER}*` }, "clusterArn", `${CLUSTER}*`, CLUSTER_RULE],
    ["target", { sourceRoleArn: TARGET }, "sourceRoleArn", TARGET, "must be in the cluster's account"],
    ["target", { sourceRoleArn: wildSource }, "sourceRoleArn", wildSource, NO_WILDCARD_RULE],
    ["target", { maxTrustPolicySize: "4096" }, "maxTrustPolicySize", "4096", "whole number from 1 to 4096"],
    ["target", { maxSessionDuration: 60 }, "maxSessionDuration", 60, "whole number from 3600 to 43200"],
    ["target", { inlinePolicies: { p: "{}" } }, "inlinePolicies.p", "{}", "IAM policy document"],
    [
      "target",
      { managedPolicyArns: ["ReadOnlyAccess"] },
      "managedPolicyArns[0]",
      "ReadOnlyAccess",
      "managed policy ARN",
    ],
    ["agent", { clusterName: undefined }, "args.clusterName", undefined, "must be a string"],
    ["agent", { clusterName: CLUSTER }, "args.clusterName", CLUSTER, CLUSTER_NAME_RULE],
    ["agent", { addonVersion: "1.3.8" }, "args.addonVersion", "1.3.8", "like v1.3.8-eksbuild.2"],
    ["agent", { addonVersion: "latest" }, "args.addonVersion", "latest", "must be an add-on version"],
    ["agent", { addonVersion: 1.3 }, "args.addonVersion", 1.3, "must be an add-on version"],
    ["sa", { namespace: "Apps" }, "args.namespace", "Apps", DNS1123_LABEL_RULE],
    ["sa", { namespace: a64 }, "args.namespace", a64, DNS1123_LABEL_RULE],
    ["sa", { namespace: "apps/x" }, "args.namespace", "apps/x", DNS1123_LABEL_RULE],
    ["sa", { name: undefined }, "args.name", undefined, "must be a string"],
    ["sa", { name: "Reader" }, "args.name", "Reader", DNS1123_SUBDOMAIN_RULE],
    ["sa", { createNamespace: "true" }, "args.createNamespace", "true", "must be a plain boolean"],
    ["sa", { createNamespace: 1 }, "args.createNamespace", 1, "must be a plain boolean"],
    ["sa", { labels: { "a b": "x" } }, 'args.labels["a b"]', "a b", "label keys"],
    ["cross", { serviceAccounts: undefined }, "args.serviceAccounts", undefined, "must be a list"],
    ["cross", { serviceAccounts: [] }, "args.serviceAccounts", [], "must list at least 1 item"],
    [
      "cross",
      { serviceAccounts: later([SA]) },
      "args.serviceAccounts",
      "[an Output]",
      "must be a plain list",
    ],
    [
      "cross",
      { serviceAccounts: [later(SA)] },
      "args.serviceAccounts",
      "[an Output]",
      "must be a plain list",
    ],
    ["cross", { serviceAccounts: [SA, null] }, "args.serviceAccounts[1]", null, "must be an object"],
    [
      "cross",
      { serviceAccounts: [{ namespace: "*", name: "r" }] },
      "args.serviceAccounts[0].namespace",
      "*",
      "must be exact with Pod Identity",
    ],
    [
      "cross",
      { serviceAccounts: [{ namespace: "apps", name: "read*" }] },
      "args.serviceAccounts[0].name",
      "read*",
      "must be exact with Pod Identity",
    ],
    ["cross", { serviceAccounts: [SA, { ...SA }] }, "args.serviceAccounts[1]", SA, "is listed twice"],
    [
      "cross",
      { serviceAccounts: sas(5001) },
      "args.serviceAccounts",
      "5001 service accounts",
      "must list at most 5000",
    ],
    ["cross", { clusterName: CLUSTER }, "args.clusterName", CLUSTER, CLUSTER_NAME_RULE],
    ["cross", { sourceRoleArn: "pod-source" }, "args.sourceRoleArn", "pod-source", "must be an IAM role ARN"],
    ["cross", { targetRoleArn: wildTarget }, "args.targetRoleArn", wildTarget, NO_WILDCARD_RULE],
  ];
  for (const [i, [kind, patch, field, value, rule]] of cases.entries()) {
    it(`#${i + 1} ${kind}: ${field} ${describeValue(value).slice(0, 60)}`, async () => {
      expectInputError(
        () => build(kind, patch),
        field.startsWith("args") ? field : `args.${field}`,
        value,
        rule,
      );
      await nothingRegistered();
    });
  }

  it("sa: createNamespace an Output (field and rule; an Output has no value to show)", async () => {
    const err = thrown(() => build("sa", { createNamespace: later(true) }));
    expect(err).to.include({ field: "args.createNamespace", rule: "must be a plain boolean" });
    await nothingRegistered();
  });

  it("target: a trust over maxTrustPolicySize (2048 by default) is refused, and fits once raised", async () => {
    const tooBig = { serviceAccounts: sas(8, 8) };
    const err = thrown(() => build("target", tooBig));
    expect(err).to.be.instanceOf(PolicySizeError).and.include({ field: "args.serviceAccounts", limit: 2048 });
    expect(err.message).to.match(
      /^args\.serviceAccounts: the trust policy for 8 service accounts is \d+ characters .* over the limit of 2048 \(args\.maxTrustPolicySize\)/,
    );
    expect(thrown(() => build("target", { maxTrustPolicySize: 200 }))).to.include({ limit: 200 });
    await nothingRegistered();
    await valueOf(build("target", { ...tooBig, maxTrustPolicySize: 4096 }));
  });

  it("target: a bad maxTrustPolicySize is refused before anything registers, also while the ARNs are Outputs", async () => {
    const err = thrown(() =>
      build("target", { sourceRoleArn: later(SOURCE), clusterArn: later(CLUSTER), maxTrustPolicySize: 5000 }),
    );
    expect(err.field).to.equal("args.maxTrustPolicySize");
    expect(err.message).to.include("whole number from 1 to 4096");
    await nothingRegistered();
  });

  it("target: inline policies over IAM's 10,240 characters together", async () => {
    const err = thrown(() => build("target", { inlinePolicies: { a: bigPolicy(6000), b: bigPolicy(6000) } }));
    expect(err).to.be.instanceOf(PolicySizeError).and.include({ field: "args.inlinePolicies", limit: 10240 });
    expect(err.message).to.match(
      /^args\.inlinePolicies: the role's inline policies are \d+ characters .*a: \d+, b: \d+\), over IAM's limit of 10240/,
    );
    await nothingRegistered();
  });

  it("checkAssociations accepts exactly 5000 service accounts (EKS's per-cluster quota)", () => {
    expect(MAX_POD_IDENTITY_ASSOCIATIONS).to.equal(5000);
    expect(checkAssociations("f", sas(5000, 7))).to.have.length(5000);
  });
});

describe("Pod Identity components: Output inputs that turn out bad fail the run, creating nothing they feed", () => {
  const runs: Array<[Kind, object, RegExp, string[]]> = [
    [
      "source",
      { clusterArn: later("prod") },
      /clusterArn: "prod" is invalid: must be an EKS cluster ARN/,
      [ROLE],
    ],
    [
      "target",
      { sourceRoleArn: later(TARGET) },
      /sourceRoleArn: ".*" is invalid: must be in the cluster's account/,
      [ROLE],
    ],
    [
      "target",
      { serviceAccounts: later([{ namespace: "apps", name: "*" }]) },
      /serviceAccounts\[0\]\.name: "\*" is invalid: must be exact/,
      [ROLE],
    ],
    [
      "target",
      { clusterArn: later(CLUSTER), serviceAccounts: sas(8, 8) },
      /serviceAccounts: .* over the limit of 2048/,
      [ROLE],
    ],
    [
      "target",
      { inlinePolicies: { a: later(bigPolicy(6000)), b: later(bigPolicy(6000)) } },
      /over IAM's limit of 10240/,
      [ROLE, ROLE_POLICY],
    ],
    [
      "agent",
      { addonVersion: later("1.3") },
      /args\.addonVersion: "1\.3" is invalid/,
      ["aws:eks/addon:Addon"],
    ],
    [
      "sa",
      { namespace: later("Apps"), createNamespace: true },
      /args\.namespace: "Apps" is invalid/,
      ["kubernetes:core/v1:Namespace", "kubernetes:core/v1:ServiceAccount"],
    ],
    [
      "cross",
      { targetRoleArn: later("arn:aws:iam::222233334444:role/a*/b") },
      /args\.targetRoleArn: .* is invalid/,
      [ROLE_POLICY, ASSOCIATION],
    ],
    [
      "cross",
      { sourceRoleArn: later("pod-source") },
      /args\.sourceRoleArn: "pod-source" is invalid/,
      [ROLE_POLICY, ASSOCIATION],
    ],
    // The permission waits for every check: nothing is created when the cluster name is bad.
    [
      "cross",
      { clusterName: later("no such") },
      /args\.clusterName: "no such" is invalid/,
      [ROLE_POLICY, ASSOCIATION],
    ],
  ];
  for (const [kind, patch, message, notCreated] of runs) {
    const none = notCreated.map((t) => t.slice(t.lastIndexOf(":") + 1)).join(" or ");
    it(`${kind}: ${Object.keys(patch).join(" and ")} resolving bad fails the run; no ${none}`, async () => {
      const engine = new MockEngine({ config: { "aws:allowedAccountIds": `["${ACCOUNT_A}"]` } });
      const error = await runOnEngine(engine, () => Promise.resolve({ out: build(kind, patch) })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, "the run fails with an InputError").to.be.instanceOf(InputError);
      expect(String(error)).to.match(message);
      const types = engine.resources.map((r) => r.type);
      for (const type of notCreated) expect(types, `no ${type}`).to.not.include(type);
    });
  }
});
