import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { IrsaRole, checkPolicyJson } from "../../components/irsaRole";
import { buildS3AccessPolicy } from "../../components/s3AccessPolicy";
import { type PolicyDocument } from "../../components/policyDocument";
import { settled, valueOf } from "../support/outputs";

const HOST_PATH = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const ISSUER = `https://${HOST_PATH}`;
const PROVIDER_ARN = `arn:aws:iam::444455556666:oidc-provider/${HOST_PATH}`;
const SA = { namespace: "irsa-demo", name: "s3-reader" };
const ROLE = "aws:iam/role:Role";

function manyServiceAccounts(n: number) {
  return Array.from({ length: n }, (_, i) => ({ namespace: "apps", name: `service-account-${i}` }));
}

/** A valid identity policy of about `size` characters (one long prefix list). */
function bigPolicy(size: number): string {
  const prefixes = Array.from(
    { length: Math.ceil(size / 60) },
    (_, i) => `reports/${String(i).padStart(4, "0")}/`,
  );
  return JSON.stringify(buildS3AccessPolicy({ bucketName: "team-bucket", prefixes }));
}

describe("IrsaRole", () => {
  let engine: MockEngine;
  beforeEach(async () => {
    engine = new MockEngine({ config: { "aws:allowedAccountIds": '["444455556666"]' } });
    await engine.install();
  });

  it("sends a trust policy with exact sub and aud for the provider, and the inline S3 policy", async () => {
    const s3 = JSON.stringify(buildS3AccessPolicy({ bucketName: "team-bucket" }));
    const role = new IrsaRole("reader", {
      clusters: [{ oidcProviderArn: PROVIDER_ARN, issuerUrl: ISSUER, serviceAccounts: [SA] }],
      roleName: "irsa-reader",
      inlinePolicies: { "s3-access": s3 },
    });
    expect(await valueOf(role.roleArn)).to.equal("arn:aws:iam::444455556666:role/irsa-reader");
    await settled();
    const sent = engine.one(ROLE).inputs;
    const trust = JSON.parse(sent.assumeRolePolicy as string) as PolicyDocument;
    expect(trust.Statement).to.deep.equal([
      {
        Effect: "Allow",
        Principal: { Federated: PROVIDER_ARN },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${HOST_PATH}:aud`]: "sts.amazonaws.com",
            [`${HOST_PATH}:sub`]: "system:serviceaccount:irsa-demo:s3-reader",
          },
        },
      },
    ]);
    expect(sent).to.include({ name: "irsa-reader", path: "/", maxSessionDuration: 3600 });
    const inline = engine.one("aws:iam/rolePolicy:RolePolicy");
    expect(inline.inputs).to.include({ name: "s3-access", policy: s3, role: "irsa-reader" });
    expect(engine.byUrn(inline.parent)?.type).to.equal("cross-account-irsa:index:IrsaRole");
    expect(await valueOf(role.trustPolicy)).to.equal(sent.assumeRolePolicy);
  });

  it("builds the trust policy once Output inputs (StackReference issuer, provider ARN) resolve", async () => {
    const role = new IrsaRole("reader", {
      clusters: [
        {
          oidcProviderArn: pulumi.output(PROVIDER_ARN),
          issuerUrl: pulumi.output(ISSUER),
          serviceAccounts: [SA],
        },
      ],
    });
    const trust = JSON.parse(await valueOf(role.trustPolicy)) as PolicyDocument;
    expect(trust.Statement[0].Principal).to.deep.equal({ Federated: PROVIDER_ARN });
  });

  it("attaches managed policies, a permissions boundary, path and max session", async () => {
    const role = new IrsaRole("reader", {
      clusters: [{ oidcProviderArn: PROVIDER_ARN, issuerUrl: ISSUER, serviceAccounts: [SA] }],
      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      permissionsBoundary: "arn:aws:iam::444455556666:policy/boundary",
      path: "/irsa/",
      maxSessionDuration: 7200,
    });
    await valueOf(role.roleArn);
    await settled();
    expect(engine.one(ROLE).inputs).to.include({
      path: "/irsa/",
      maxSessionDuration: 7200,
      permissionsBoundary: "arn:aws:iam::444455556666:policy/boundary",
    });
    expect(engine.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.policyArn).to.equal(
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
    );
  });

  describe("rejects bad input before registering anything", () => {
    const cluster = { oidcProviderArn: PROVIDER_ARN, issuerUrl: ISSUER, serviceAccounts: [SA] };
    const cases: Array<[string, () => unknown, RegExp]> = [
      [
        "no clusters",
        () => new IrsaRole("r", { clusters: [] }),
        /clusters: \[\] is invalid: must list at least 1 item/,
      ],
      [
        "wildcard under StringEquals, with the provider still an Output",
        () =>
          new IrsaRole("r", {
            clusters: [
              {
                oidcProviderArn: pulumi.output(PROVIDER_ARN),
                issuerUrl: ISSUER,
                serviceAccounts: [{ namespace: "*", name: "x" }],
              },
            ],
          }),
        /clusters\[0\]\.serviceAccounts\[0\]\.namespace: "\*" is invalid: wildcards/,
      ],
      [
        "provider of another issuer",
        () =>
          new IrsaRole("r", {
            clusters: [{ ...cluster, issuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/AB" }],
          }),
        /args\.clusters\[0\]\.oidcProviderArn: .* must be the IAM OIDC provider of args\.clusters\[0\]\.issuerUrl/,
      ],
      [
        "bad role name",
        () => new IrsaRole("r", { clusters: [cluster], roleName: "has space" }),
        /roleName: "has space" is invalid: must be an IAM role name/,
      ],
      [
        "bad path",
        () => new IrsaRole("r", { clusters: [cluster], path: "irsa" }),
        /path: "irsa" is invalid: must be an IAM path/,
      ],
      [
        "session too long",
        () => new IrsaRole("r", { clusters: [cluster], maxSessionDuration: 50000 }),
        /maxSessionDuration: 50000 is invalid: must be a whole number from 3600 to 43200/,
      ],
      [
        "bad inline policy name",
        () => new IrsaRole("r", { clusters: [cluster], inlinePolicies: { "a b": "{}" } }),
        /inlinePolicies\.a b: "a b" is invalid: must be an IAM policy name/,
      ],
      [
        "inline policy not a document",
        () => new IrsaRole("r", { clusters: [cluster], inlinePolicies: { p: "{}" } }),
        /inlinePolicies\.p: "\{\}" is invalid: must be an IAM policy document/,
      ],
      [
        "bad managed policy ARN",
        () => new IrsaRole("r", { clusters: [cluster], managedPolicyArns: ["ReadOnlyAccess"] }),
        /managedPolicyArns\[0\]: "ReadOnlyAccess" is invalid: must be a managed policy ARN/,
      ],
      [
        "bad boundary",
        () => new IrsaRole("r", { clusters: [cluster], permissionsBoundary: "x" }),
        /permissionsBoundary: "x" is invalid: must be a managed policy ARN/,
      ],
      [
        "a trust policy over 2048 characters, with the provider ARN still an Output (issue 9: no longer after the provider exists)",
        () =>
          new IrsaRole("r", {
            clusters: [
              {
                oidcProviderArn: pulumi.output(PROVIDER_ARN),
                issuerUrl: ISSUER,
                serviceAccounts: manyServiceAccounts(60),
              },
            ],
          }),
        /clusters\[\]\.serviceAccounts: the trust policy for 60 service accounts is \d+ characters .* over the limit of 2048/,
      ],
      [
        "StringLike patterns that trust a whole namespace without trustWholeNamespaces",
        () =>
          new IrsaRole("r", {
            clusters: [{ ...cluster, serviceAccounts: [{ namespace: "apps", name: "??*" }] }],
            conditionTest: "StringLike",
          }),
        /clusters\[0\]\.serviceAccounts: .* together match every service account of namespace apps/,
      ],
      [
        "inline policies over IAM's 10,240 characters for a role, together",
        () =>
          new IrsaRole("r", {
            clusters: [cluster],
            inlinePolicies: { a: bigPolicy(6000), b: bigPolicy(6000) },
          }),
        /inlinePolicies: the role's inline policies are \d+ characters as IAM counts them \(whitespace excluded; a: \d+, b: \d+\), over IAM's limit of 10240/,
      ],
      [
        "a character IAM refuses in a policy",
        () =>
          new IrsaRole("r", {
            clusters: [cluster],
            inlinePolicies: {
              p: JSON.stringify(buildS3AccessPolicy({ bucketName: "team-bucket" })).replace(
                'ListBucket"',
                'ListBucket\u200b"',
              ),
            },
          }),
        /inlinePolicies\.p: .* must contain only characters IAM accepts in a policy .* U\+200B/,
      ],
    ];
    for (const [label, make, message] of cases) {
      it(label, async () => {
        expect(make).to.throw(message);
        await settled();
        expect(engine.resources).to.have.length(0);
      });
    }
  });

  it("passes trustWholeNamespaces on: the namespace-wide pattern is then trusted as asked", async () => {
    const role = new IrsaRole("reader", {
      clusters: [
        {
          oidcProviderArn: PROVIDER_ARN,
          issuerUrl: ISSUER,
          serviceAccounts: [{ namespace: "apps", name: "*" }],
        },
      ],
      conditionTest: "StringLike",
      trustWholeNamespaces: true,
    });
    const trust = JSON.parse(await valueOf(role.trustPolicy)) as PolicyDocument;
    expect(trust.Statement[0].Condition?.StringLike).to.deep.equal({
      [`${HOST_PATH}:sub`]: "system:serviceaccount:apps:*",
    });
  });

  it("inline policies that resolve later over the quota: no role and no role policy is created", async () => {
    const role = new IrsaRole("r", {
      clusters: [{ oidcProviderArn: PROVIDER_ARN, issuerUrl: ISSUER, serviceAccounts: [SA] }],
      inlinePolicies: { a: pulumi.output(bigPolicy(6000)), b: pulumi.output(bigPolicy(6000)) },
    });
    let timer: NodeJS.Timeout | undefined;
    const failure = await new Promise<unknown>((resolve) => {
      role.roleArn.apply(() => resolve(undefined));
      process.once("unhandledRejection", resolve);
      timer = setTimeout(() => resolve("no failure within 5 s"), 5000);
    }).finally(() => clearTimeout(timer));
    expect(String(failure)).to.match(/inlinePolicies: the role's inline policies are \d+ characters/);
    await settled();
    expect(engine.resources.filter((r) => r.type !== "cross-account-irsa:index:IrsaRole")).to.deep.equal([]);
  });

  it("checkPolicyJson rejects text that is not JSON, naming the parse error", () => {
    expect(() => checkPolicyJson("inlinePolicies.p", "{")).to.throw(
      /inlinePolicies\.p: "\{" is invalid: must be a JSON policy document/,
    );
  });
});
