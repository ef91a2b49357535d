import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { captureConsole, runOffline, runOnEngine } from "../../engine/offline";
import { loadStackConfig, parseStackConfig } from "../../stacks/stackFile";
import { evaluateAccess, evaluateTrust } from "../../components/evaluate";
import { type PolicyDocument } from "../../components/policyDocument";
import { accountB } from "../../stacks/accountB";

const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const HOST_PATH = ISSUER.slice("https://".length);
const A_STACK = "organization/cross-account-irsa/account-a";
const committed = loadStackConfig("Pulumi.account-b.yaml");

function run(
  config = committed.config,
  aOutputs: Record<string, unknown> = { oidcIssuerUrl: ISSUER, oidcThumbprint: "" },
) {
  return runOffline(accountB, { stack: "account-b", config, stackOutputs: { [A_STACK]: aOutputs } });
}

describe("account-b program (committed Pulumi.account-b.yaml, account-a mocked through its StackReference)", () => {
  it("reads account-a's issuer through a StackReference and trusts exactly the configured service account", async () => {
    const { engine, outputs } = await run();
    expect(engine.stackReferences).to.deep.equal([A_STACK]);
    // The stack's provider (the grant reads it back as adopted: `irsa-role-oidc-cluster-existing`).
    const provider = engine.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "cluster-oidc");
    expect(provider.inputs.url).to.equal(ISSUER);
    expect(provider.inputs).not.to.have.property("thumbprintLists");
    const trust = JSON.parse(
      engine.one("aws:iam/role:Role").inputs.assumeRolePolicy as string,
    ) as PolicyDocument;
    const providerArn = `arn:aws:iam::444455556666:oidc-provider/${HOST_PATH}`;
    expect(trust.Statement).to.have.length(1);
    expect(trust.Statement[0].Principal).to.deep.equal({ Federated: providerArn });
    expect(trust.Statement[0].Condition).to.deep.equal({
      StringEquals: {
        [`${HOST_PATH}:aud`]: "sts.amazonaws.com",
        [`${HOST_PATH}:sub`]: "system:serviceaccount:irsa-demo:s3-reader",
      },
    });
    const ask = (sub: string) =>
      evaluateTrust(trust, { oidcProviderArn: providerArn, sub, aud: "sts.amazonaws.com" }).decision;
    expect(ask("system:serviceaccount:irsa-demo:s3-reader")).to.equal("Allow");
    expect(ask("system:serviceaccount:default:s3-reader")).to.equal("ImplicitDeny");
    expect(outputs.serviceAccount.value).to.deep.equal({ namespace: "irsa-demo", name: "s3-reader" });
    expect(outputs.roleArn.value).to.equal("arn:aws:iam::444455556666:role/irsa-demo-s3-reader");
    expect(outputs.objectKey.value).to.equal("irsa-check.txt");
  });

  it("attaches the least-privilege S3 policy for the created bucket, and seeds the checked object", async () => {
    const { engine, outputs } = await run();
    const bucket = outputs.bucketName.value as string;
    const policy = JSON.parse(
      engine.one("aws:iam/rolePolicy:RolePolicy").inputs.policy as string,
    ) as PolicyDocument;
    const can = (action: string, resource: string) => evaluateAccess(policy, { action, resource }).decision;
    expect(can("s3:GetObject", `arn:aws:s3:::${bucket}/irsa-check.txt`)).to.equal("Allow");
    expect(can("s3:ListBucket", `arn:aws:s3:::${bucket}`)).to.equal("Allow");
    expect(can("s3:PutObject", `arn:aws:s3:::${bucket}/irsa-check.txt`)).to.equal("ImplicitDeny");
    expect(can("s3:GetObject", "arn:aws:s3:::other-bucket/irsa-check.txt")).to.equal("ImplicitDeny");
    expect(engine.one("aws:s3/bucketObjectv2:BucketObjectv2").inputs.key).to.equal("irsa-check.txt");
  });

  it("puts every AWS resource on account-b's explicit provider, pinned to account B", async () => {
    const { engine } = await run();
    const provider = engine.one("pulumi:providers:aws", "account-b");
    expect(provider.inputs.region).to.equal("eu-west-1");
    expect(JSON.parse(provider.inputs.allowedAccountIds as string)).to.deep.equal(["444455556666"]);
    const awsResources = engine.resources.filter((r) => r.type.startsWith("aws:"));
    expect(awsResources.length).to.be.greaterThan(5);
    for (const r of awsResources)
      expect(r.provider?.startsWith(provider.urn), `${r.type} ${r.name}`).to.equal(true);
  });

  it("passes account-a's thumbprint to the provider when account-a exports one", async () => {
    const thumbprint = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";
    const { engine } = await run(committed.config, { oidcIssuerUrl: ISSUER, oidcThumbprint: thumbprint });
    expect(
      engine.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "cluster-oidc").inputs
        .thumbprintLists,
    ).to.deep.equal([thumbprint]);
  });

  it("uses an existing bucket and adopts an existing provider when configured", async () => {
    const { config } = parseStackConfig(
      `config:
  aws:region: eu-west-1
  cross-account-irsa:serviceAccounts: [{namespace: apps, name: reader}]
  cross-account-irsa:bucket: {create: false, name: existing-team-bucket, objectKey: reports/x.txt}
  cross-account-irsa:prefixes: [reports/]
  cross-account-irsa:existingOidcProviderArn: arn:aws:iam::000000000000:oidc-provider/${HOST_PATH}
`,
      "inline",
    );
    const { engine, outputs } = await run(config);
    expect(engine.ofType("aws:s3/bucket:Bucket")).to.have.length(0);
    expect(outputs.bucketName.value).to.equal("existing-team-bucket");
    const provider = engine.one(
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      "cluster-oidc-existing",
    );
    expect(provider.read).to.equal(true);
    // Nothing is created: the stack and the grant both only read it.
    expect(
      engine.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").every((p) => p.read),
    ).to.equal(true);
    const policy = JSON.parse(
      engine.one("aws:iam/rolePolicy:RolePolicy").inputs.policy as string,
    ) as PolicyDocument;
    expect(policy.Statement[1].Resource).to.equal("arn:aws:s3:::existing-team-bucket/reports/*");
  });

  it("previews fresh stacks: with no issuer yet it shows what it will create, the issuer unknown, and says so", async () => {
    // `pulumi preview` (and `npm run preview`) of two new stacks: account-a has no outputs at all.
    const logged: string[] = [];
    // Under mocks, pulumi.log.info writes to console.log.
    const log = console.log;
    console.log = (...args: unknown[]) => logged.push(args.join(" "));
    let run;
    try {
      run = await runOffline(accountB, {
        stack: "account-b",
        config: committed.config,
        stackOutputs: { [A_STACK]: {} },
        preview: true,
      });
    } finally {
      console.log = log;
    }
    const { engine, outputs } = run;
    for (const type of [
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      "aws:iam/role:Role",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:s3/bucket:Bucket",
      "aws:s3/bucketPolicy:BucketPolicy",
    ]) {
      // Created (the grant's read of the stack's OIDC provider creates nothing).
      expect(
        engine.ofType(type).filter((r) => !r.read),
        type,
      ).to.have.length(1);
    }
    // What depends on the issuer is unknown in the preview, not made up.
    expect(outputs.trustPolicy.value).to.equal(undefined);
    expect(outputs.serviceAccounts.value).to.deep.equal([{ namespace: "irsa-demo", name: "s3-reader" }]);
    expect(logged.join("\n")).to.include(
      "account-a has no oidcIssuerUrl output yet: this preview shows what",
    );
  });

  it("fails an update with a clear message when account-a has no issuer yet", async () => {
    let error: Error | undefined;
    try {
      await run(committed.config, {});
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.match(
      /account-a \(organization\/cross-account-irsa\/account-a\) has no oidcIssuerUrl output yet/,
    );
  });

  describe("checks every document before the first registration, in preview and update (issue 9)", () => {
    const many = JSON.stringify(
      Array.from({ length: 60 }, (_, i) => ({ namespace: "apps", name: `service-account-${i}` })),
    );
    const prefixes = JSON.stringify(Array.from({ length: 400 }, (_, i) => `reports/${i}/`));
    const cases: Array<[string, Record<string, string>, Record<string, unknown>, RegExp]> = [
      [
        "a trust policy over 2048 characters, with the issuer known",
        { "cross-account-irsa:serviceAccounts": many },
        { oidcIssuerUrl: ISSUER },
        /^cross-account-irsa:serviceAccounts: the trust policy for 60 service accounts is \d+ characters .* \(cross-account-irsa:maxTrustPolicySize\)\. Ways out: .* set cross-account-irsa:maxTrustPolicySize to it/,
      ],
      [
        "a trust policy over 2048 characters, in a preview before account-a has an issuer",
        { "cross-account-irsa:serviceAccounts": many },
        {},
        /^cross-account-irsa:serviceAccounts: the trust policy for 60 service accounts is at least \d+ characters/,
      ],
      [
        "a permission policy over the role's 10,240 inline characters (400 prefixes)",
        {
          "cross-account-irsa:prefixes": prefixes,
          "cross-account-irsa:bucket": '{"objectKey":"reports/0/x"}',
        },
        { oidcIssuerUrl: ISSUER },
        /^cross-account-irsa:prefixes: the S3 permission policy for 400 prefixes is \d+ characters .* over IAM's limit of 10240/,
      ],
      [
        "a KMS key of another partition, named as the config key",
        { "cross-account-irsa:bucket": '{"kmsKeyArn":"arn:aws-cn:kms:cn-north-1:444455556666:key/abc"}' },
        { oidcIssuerUrl: ISSUER },
        /^cross-account-irsa:bucket\.kmsKeyArn: "arn:aws-cn:.*" is invalid: must be a key of the bucket's region, aws:region eu-west-1 \(partition aws\)/,
      ],
      [
        "an adopted provider of another issuer",
        {
          "cross-account-irsa:existingOidcProviderArn": `arn:aws:iam::444455556666:oidc-provider/${HOST_PATH.replace("0123", "FFFF")}`,
        },
        { oidcIssuerUrl: ISSUER },
        /^cross-account-irsa:existingOidcProviderArn: .* is invalid: must be the IAM OIDC provider of issuerUrl/,
      ],
    ];
    for (const [label, extra, aOutputs, message] of cases) {
      for (const preview of [true, false]) {
        if (!preview && Object.keys(aOutputs).length === 0) continue;
        it(`${label} (${preview ? "preview" : "update"})`, async () => {
          const engine = new MockEngine({
            stack: "account-b",
            config: { ...committed.config, ...extra },
            stackOutputs: { [A_STACK]: aOutputs },
            preview,
          });
          const restore = captureConsole([]); // the preview's log line about the missing issuer
          const error = await runOnEngine(engine, accountB)
            .then(
              () => undefined,
              (e: Error) => e,
            )
            .finally(restore);
          expect(error?.message).to.match(message);
          // Only the stack's provider and the StackReference (which create nothing in AWS) come first.
          expect(engine.resources.map((r) => r.type).filter((t) => !t.startsWith("pulumi:"))).to.deep.equal(
            [],
          );
        });
      }
    }
  });

  it("rejects bad config before registering anything, naming the key", async () => {
    const config = {
      ...committed.config,
      "cross-account-irsa:serviceAccounts": '[{"namespace":"Bad_NS","name":"x"}]',
    };
    let error: Error | undefined;
    const engineRun = run(config).catch((e: Error) => {
      error = e;
      return undefined;
    });
    await engineRun;
    expect(error?.message).to.match(
      /cross-account-irsa:serviceAccounts\[0\]\.namespace: "Bad_NS" is invalid: must be a DNS-1123 label/,
    );
  });
});
