/**
 * The irsa-chained components under the mock engine: what each registers (types, parents, exact
 * inputs), its outputs, Output inputs resolved later, and bad input refused before anything
 * registers (plain) or failing the run with nothing it feeds created (Outputs).
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { runOnEngine } from "../../engine/offline";
import { ChainedSourceRole, type ChainedSourceRoleArgs } from "../../components/chainedSourceRole";
import { ChainedTargetRole } from "../../components/chainedTargetRole";
import {
  ChainedProfileConfigMap,
  type ChainedProfileConfigMapArgs,
} from "../../components/chainedProfileConfigMap";
import {
  buildChainedProfileConfig,
  buildChainedSourcePermissionPolicy,
  buildChainedSourceTrustPolicy,
  buildChainedTargetTrustPolicy,
} from "../../components/chainedPolicies";
import { InputError } from "../../components/errors";
import { policyJson } from "../../components/policyDocument";
import { buildS3AccessPolicy } from "../../components/s3AccessPolicy";
import { expectInputError } from "./coreHelpers";
import { settled, valueOf } from "../support/outputs";
import { childrenOf, engineIn } from "../support/componentEngine";

const ACCOUNT_A = "111122223333";
const ACCOUNT_B = "444455556666";
const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const PROVIDER_A = `arn:aws:iam::${ACCOUNT_A}:oidc-provider/${ISSUER.slice(8)}`;
const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/chained-source`;
const TARGET = `arn:aws:iam::${ACCOUNT_B}:role/chained-target`;
const SA = { namespace: "team-a", name: "s3-reader" };
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

describe("ChainedSourceRole (account A)", () => {
  let engine: MockEngine;
  beforeEach(async () => (engine = await engineIn(ACCOUNT_A)));

  it("first update: one role trusting A's provider for the exact service account, no permission yet", async () => {
    const role = new ChainedSourceRole("source", {
      oidcProviderArn: PROVIDER_A,
      issuerUrl: ISSUER,
      serviceAccounts: [SA],
      roleName: "chained-source",
    });
    expect(await valueOf(role.roleArn)).to.equal(SOURCE);
    expect(await valueOf(role.permissionPolicy)).to.equal(undefined);
    await settled();
    const children = childrenOf(engine, "ChainedSourceRole", "source");
    expect(children.map((r) => r.type)).to.deep.equal([ROLE]);
    const trust = policyJson(
      buildChainedSourceTrustPolicy({
        oidcProviderArn: PROVIDER_A,
        issuerUrl: ISSUER,
        serviceAccounts: [SA],
      }),
    );
    expect(children[0].inputs).to.deep.equal({
      name: "chained-source",
      path: "/",
      assumeRolePolicy: trust,
      description: "IRSA source role, chained into another account's role (managed by cross-account-irsa)",
      maxSessionDuration: 3600,
    });
    expect(await valueOf(role.trustPolicy)).to.equal(trust);
  });

  it("second update: the inline policy allows sts:AssumeRole on the target role only (Outputs resolved later)", async () => {
    const role = new ChainedSourceRole("source", {
      oidcProviderArn: pulumi.output(PROVIDER_A),
      issuerUrl: pulumi.output(ISSUER),
      serviceAccounts: [pulumi.output(SA)],
      targetRoleArn: pulumi.output(TARGET),
    });
    const expected = policyJson(buildChainedSourcePermissionPolicy({ targetRoleArn: TARGET }));
    expect(await valueOf(role.permissionPolicy)).to.equal(expected);
    const roleName = await valueOf(role.roleName);
    expect(roleName).to.match(/^source-[0-9a-f]{7}$/);
    await settled();
    const children = childrenOf(engine, "ChainedSourceRole", "source");
    expect(children.map((r) => [r.type, r.name])).to.deep.equal([
      [ROLE, "source"],
      [ROLE_POLICY, "source-assume-target-role"],
    ]);
    expect(children[1].inputs).to.deep.equal({
      role: roleName,
      name: "assume-target-role",
      policy: expected,
    });
  });

  it("refuses bad plain input before anything registers, in its own terms", async () => {
    const good: ChainedSourceRoleArgs = {
      oidcProviderArn: PROVIDER_A,
      issuerUrl: ISSUER,
      serviceAccounts: [SA],
    };
    expectInputError(
      () => new ChainedSourceRole("x", { ...good, serviceAccounts: [{ namespace: "team-a", name: "r-*" }] }),
      "args.serviceAccounts[0].name",
      "r-*",
      /StringLike/,
    );
    expectInputError(
      () => new ChainedSourceRole("x", { ...good, targetRoleArn: `arn:aws:iam::${ACCOUNT_B}:role/*` }),
      "args.targetRoleArn",
      `arn:aws:iam::${ACCOUNT_B}:role/*`,
      /IAM role ARN|wildcards/,
    );
    expectInputError(
      () => new ChainedSourceRole("x", { ...good, maxTrustPolicySize: 0 }),
      "args.maxTrustPolicySize",
      0,
      /between 1 and 4096|at least 1|1 to 4096/,
    );
    expectInputError(() => new ChainedSourceRole("x", null as never), "args", null, /must be an object/);
    await settled();
    expect(engine.resources).to.deep.equal([]);
  });

  it("a provider of another account fails the run: STS looks the provider up in the role's account", async () => {
    const other = new MockEngine({ config: { "aws:allowedAccountIds": `["${ACCOUNT_A}"]` } });
    const wrong = `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${ISSUER.slice(8)}`;
    const error = await runOnEngine(other, () =>
      Promise.resolve({
        out: new ChainedSourceRole("x", { oidcProviderArn: wrong, issuerUrl: ISSUER, serviceAccounts: [SA] })
          .roleArn,
      }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(InputError);
    expect(String(error)).to.match(/args\.oidcProviderArn: .* must be in the source role's account/);
  });
});

describe("ChainedTargetRole (account B)", () => {
  let engine: MockEngine;
  beforeEach(async () => (engine = await engineIn(ACCOUNT_B)));

  it("one role trusting exactly A's source role, with the S3 policy inline", async () => {
    const s3 = JSON.stringify(buildS3AccessPolicy({ bucketName: "reports-b", prefixes: ["reports/"] }));
    const role = new ChainedTargetRole("target", {
      sourceRoleArn: SOURCE,
      roleName: "chained-target",
      inlinePolicies: { s3 },
    });
    expect(await valueOf(role.roleArn)).to.equal(TARGET);
    await settled();
    const children = childrenOf(engine, "ChainedTargetRole", "target");
    expect(children.map((r) => [r.type, r.name])).to.deep.equal([
      [ROLE, "target"],
      [ROLE_POLICY, "target-s3"],
    ]);
    expect(children[0].inputs.assumeRolePolicy).to.equal(
      policyJson(buildChainedTargetTrustPolicy({ sourceRoleArn: SOURCE })),
    );
    expect(children[1].inputs).to.deep.equal({ role: "chained-target", name: "s3", policy: s3 });
  });

  it("refuses a wildcard source role now, and one resolving bad later, creating no role", async () => {
    expectInputError(
      () => new ChainedTargetRole("x", { sourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/*` }),
      "args.sourceRoleArn",
      `arn:aws:iam::${ACCOUNT_A}:role/*`,
      /IAM role ARN|wildcards/,
    );
    await settled();
    expect(engine.resources).to.deep.equal([]);
    const later = new MockEngine({ config: { "aws:allowedAccountIds": `["${ACCOUNT_B}"]` } });
    const error = await runOnEngine(later, () =>
      Promise.resolve({
        out: new ChainedTargetRole("x", { sourceRoleArn: pulumi.output("chained-source") }).roleArn,
      }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).to.match(/args\.sourceRoleArn: "chained-source" is invalid/);
    expect(later.resources.map((r) => r.type)).to.not.include(ROLE);
  });
});

describe("ChainedProfileConfigMap (account A)", () => {
  let engine: MockEngine;
  beforeEach(async () => (engine = await engineIn(ACCOUNT_A)));

  it("stores the chained profile's config file and gives the pod wiring", async () => {
    const cm = new ChainedProfileConfigMap("profile", {
      namespace: "team-a",
      sourceRoleArn: SOURCE,
      targetRoleArn: pulumi.output(TARGET),
      roleSessionName: "team-a",
    });
    const wiring = await valueOf(cm.wiring);
    await settled();
    const [configMap] = childrenOf(engine, "ChainedProfileConfigMap", "profile");
    expect(configMap.type).to.equal(CONFIG_MAP);
    const text = buildChainedProfileConfig({
      sourceRoleArn: SOURCE,
      targetRoleArn: TARGET,
      roleSessionName: "team-a",
    }).text;
    expect(configMap.inputs).to.deep.equal({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "cross-account-irsa-aws-config",
        namespace: "team-a",
        labels: { "app.kubernetes.io/part-of": "cross-account-irsa" },
      },
      data: { config: text },
    });
    expect(await valueOf(cm.config)).to.equal(text);
    expect(wiring.env).to.deep.equal([
      { name: "AWS_CONFIG_FILE", value: "/etc/cross-account-irsa/aws/config" },
      { name: "AWS_PROFILE", value: "cross-account-irsa" },
    ]);
    expect(wiring.volumes[0].configMap.name).to.equal("cross-account-irsa-aws-config");
    expect(wiring.serviceAccountAnnotations).to.deep.equal({ "eks.amazonaws.com/role-arn": SOURCE });
  });

  it("refuses a session over the role-chaining hour now; one resolving bad later creates no ConfigMap", async () => {
    const good: ChainedProfileConfigMapArgs = {
      namespace: "team-a",
      sourceRoleArn: SOURCE,
      targetRoleArn: TARGET,
    };
    expectInputError(
      () => new ChainedProfileConfigMap("x", { ...good, durationSeconds: 7200 }),
      "args.durationSeconds",
      7200,
      /3600/,
    );
    expectInputError(
      () => new ChainedProfileConfigMap("x", { ...good, name: "Bad" }),
      "args.name",
      "Bad",
      /DNS-1123/,
    );
    await settled();
    expect(engine.resources).to.deep.equal([]);
    const later = new MockEngine({ config: { "aws:allowedAccountIds": `["${ACCOUNT_A}"]` } });
    const error = await runOnEngine(later, () =>
      Promise.resolve({
        out: new ChainedProfileConfigMap("x", { ...good, targetRoleArn: pulumi.output(SOURCE) }).config,
      }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).to.match(/args\.targetRoleArn: .* must differ from args\.sourceRoleArn/);
    expect(later.resources.map((r) => r.type)).to.not.include(CONFIG_MAP);
  });
});
