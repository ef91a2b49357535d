/**
 * The account-b program in grants mode, through the mock engine: a preview before account-a exists,
 * an update then, the two stacks' modes (a mismatch fails naming both stacks, either way), and every
 * document checked before the first resource registers.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { outputValues, runOffline } from "../../engine/offline";
import { accountB } from "../../stacks/accountB";
import { parseStackConfig } from "../../stacks/stackFile";
import {
  A_OUTPUTS,
  A_STACK,
  B_STACK,
  ISSUER,
  CLUSTER_ARN,
  MIXED,
  OIDC,
  PROVIDER_ARN,
  ROLE,
  failed,
  grantsConfig,
  quietly,
  sa,
} from "./accountBGrantsFixtures";

describe("account-b program, grants mode: before account-a exists, and the two stacks' modes", () => {
  it("previews before account-a exists: every resource, account-a's facts unknown, and says so", async () => {
    const logged: string[] = [];
    const { engine, outputs } = await quietly(
      () =>
        runOffline(accountB, {
          stack: "account-b",
          config: grantsConfig(MIXED),
          stackOutputs: { [A_STACK]: {} },
          preview: true,
        }),
      logged,
    );
    expect(engine.ofType("cross-account-irsa:index:BucketAccessGrant")).to.have.length(MIXED.length);
    expect(engine.ofType(ROLE)).to.have.length(MIXED.length);
    expect(engine.ofType("aws:s3/bucket:Bucket")).to.have.length(3);
    expect(
      engine
        .ofType(OIDC)
        .filter((r) => !r.read)
        .map((r) => r.name),
    ).to.deep.equal(["cluster-oidc"]);
    // The trusts name account-a's facts: unknown in the preview, not made up.
    for (const role of engine.ofType(ROLE)) {
      expect(pulumi.isUnknown(role.inputs.assumeRolePolicy), role.name).to.equal(true);
    }
    expect(pulumi.isUnknown(engine.one(OIDC, "cluster-oidc").inputs.url)).to.equal(true);
    expect(outputValues(outputs).mode).to.equal("grants");
    expect(logged.join("\n")).to.include(
      `account-a (${A_STACK}) has no oidcIssuerUrl and clusterArn output yet: this preview shows what account-b will create`,
    );
  });

  it("fails an update before account-a exists, naming the outputs and what to run, before any AWS resource", async () => {
    const { error, cloud } = await failed(grantsConfig(MIXED), {});
    expect(error.message).to.equal(
      `account-a (${A_STACK}) has no oidcIssuerUrl and clusterArn output yet: run account-a's update first ` +
        "(npm run deploy runs both stacks in order), or set cross-account-irsa:accountAStack to the right stack",
    );
    expect(cloud).to.deep.equal([]);
  });

  it("fails reading an account-a in single-grant mode, naming both stacks and what to change", async () => {
    for (const single of [
      { oidcIssuerUrl: ISSUER, clusterArn: CLUSTER_ARN, mechanism: "irsa" },
      { oidcIssuerUrl: ISSUER }, // a stack from before 0.2.0
    ]) {
      for (const preview of [false, true]) {
        const { error, cloud } = await failed(grantsConfig(MIXED), single, preview);
        expect(error.message).to.equal(
          `cross-account-irsa:grants: account-b (${B_STACK}) runs in grants mode (cross-account-irsa:grants) but ` +
            `account-a (${A_STACK}) in single-grant mode (account-a's outputs have no mode "grants"): both stacks must run ` +
            `the same mode. Set cross-account-irsa:grants on account-a (${A_STACK}) too (the same grant keys), or ` +
            `remove it from account-b (${B_STACK}) and use the single-grant keys on both.`,
        );
        expect(cloud).to.deep.equal([]);
      }
    }
  });

  it("a single-grant account-b fails reading an account-a in grants mode, naming both stacks", async () => {
    const single = parseStackConfig(
      `config:\n  aws:region: eu-west-1\n  cross-account-irsa:serviceAccounts: [{namespace: apps, name: reader}]\n`,
      "inline",
    ).config;
    const { error, cloud } = await failed(single, A_OUTPUTS);
    expect(error.message).to.match(
      new RegExp(
        `^cross-account-irsa:grants: account-a \\(${A_STACK}\\) runs in grants mode \\(cross-account-irsa:grants\\) ` +
          `but account-b \\(${B_STACK}\\) in single-grant mode \\(account-a exports mode "grants"\\)`,
      ),
    );
    expect(cloud).to.deep.equal([]);
    // A grants output without mode: refused naming the output (stricter since the stacks and the
    // doctor read the mode with one function: the doctor's rule).
    const unmoded = await failed(single, { ...A_OUTPUTS, mode: undefined, grants: {} });
    expect(unmoded.error.message).to.match(
      new RegExp(`^${A_STACK} output grants: \\{\\} is invalid: is exported without mode: "grants"`),
    );
    expect(unmoded.cloud).to.deep.equal([]);
  });

  it("refuses an account-a mode it does not know, naming the output", async () => {
    const { error } = await failed(grantsConfig(MIXED), { ...A_OUTPUTS, mode: "grants-v2" });
    expect(error.message).to.match(
      /^organization\/cross-account-irsa\/account-a output mode: "grants-v2" is invalid: must be "grants" when exported/,
    );
  });
});

describe("account-b program, grants mode: every document checked before the first resource registers", () => {
  const many = Array.from({ length: 40 }, (_, i) => sa("apps", `service-account-${i}`));
  const prefixes = Array.from({ length: 400 }, (_, i) => `reports/${i}/`);
  const cases: Array<[string, unknown[], Record<string, unknown>, RegExp, string?]> = [
    [
      "a trust over its grant's size limit, account-a known",
      [MIXED[0], { ...MIXED[3], serviceAccounts: many }],
      A_OUTPUTS,
      /^cross-account-irsa:grants\[1\]\.serviceAccounts: the trust policy for 40 service accounts is \d+ characters .* over the limit of 2048 \(cross-account-irsa:grants\[1\]\.maxTrustPolicySize\), for mechanisms irsa, pod-identity\. Ways out: split the service accounts across several grants; .* set cross-account-irsa:grants\[1\]\.maxTrustPolicySize to it\./,
    ],
    [
      "a trust over its grant's size limit, in a preview before account-a exists",
      [{ ...MIXED[0], serviceAccounts: many }],
      {},
      /^cross-account-irsa:grants\[0\]\.serviceAccounts: the trust policy for 40 service accounts is at least \d+ characters/,
    ],
    [
      "S3 policies over the role's inline quota",
      [{ ...MIXED[2], buckets: [{ name: "company-archive", prefixes }] }],
      A_OUTPUTS,
      /^cross-account-irsa:grants\[0\]\.buckets: the grant's S3 policies \(one per bucket\) are \d+ characters .* over IAM's limit of 10240 .* split the buckets across several grants/,
    ],
    [
      "an adopted provider of another issuer",
      [MIXED[0]],
      A_OUTPUTS,
      /^cross-account-irsa:existingOidcProviderArn: ".*" is invalid: must be the IAM OIDC provider of/,
      `  cross-account-irsa:existingOidcProviderArn: ${PROVIDER_ARN.replace("0123", "FFFF")}\n`,
    ],
    [
      "a cluster of another partition",
      [MIXED[1]],
      { ...A_OUTPUTS, clusterArn: "arn:aws-cn:eks:cn-north-1:111122223333:cluster/platform" },
      /^aws:region: "eu-west-1" is invalid: account-b's aws:region eu-west-1 is in partition aws, account-a's cluster \(organization\/cross-account-irsa\/account-a output clusterArn\) is in cn-north-1, partition aws-cn/,
    ],
    [
      "a malformed clusterArn output",
      [MIXED[1]],
      { ...A_OUTPUTS, clusterArn: "arn:aws:eks:eu-west-1:111122223333:nodegroup/x" },
      /^organization\/cross-account-irsa\/account-a output clusterArn: ".*" is invalid/,
    ],
    [
      "a bad grant",
      [MIXED[0], { ...MIXED[1], key: "Exports" }],
      A_OUTPUTS,
      /^cross-account-irsa:grants\[1\]\.key: "Exports" is invalid/,
    ],
  ];
  for (const [label, grants, aOutputs, message, extra] of cases) {
    const previews = Object.keys(aOutputs).length === 0 ? [true] : [true, false];
    for (const preview of previews) {
      it(`${label} (${preview ? "preview" : "update"}): refused, nothing in AWS`, async () => {
        const { error, cloud } = await failed(grantsConfig(grants, extra), aOutputs, preview);
        expect(error.message).to.match(message);
        expect(cloud).to.deep.equal([]);
      });
    }
  }
});
