import * as pulumi from "@pulumi/pulumi";
import type * as aws from "@pulumi/aws";
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { runOnEngine } from "../../engine/offline";
// Everything a program names comes from the package entry, as an npm user imports it.
import {
  ClusterOidcProvider,
  ConditionTest,
  InputError,
  IrsaRole,
  PodIdentitySourceRole,
  PodIdentityTargetRole,
  SecureBucket,
  canonicalJson,
  type ClusterOidcProviderArgs,
  type InlinePolicyInput,
  type IrsaRoleArgs,
  type PodIdentitySourceRoleArgs,
  type PodIdentityTargetRoleArgs,
  type SecureBucketArgs,
  type SeedObject,
  type ServiceAccountInput,
  type TrustedClusterInput,
} from "../../components";
import { settled, valueOf } from "../support/outputs";

/**
 * Every argument a program may compute takes an `Input`: these assignments are checked by
 * `npm run typecheck` (tsconfig includes tests/), and fail to compile on 0.2.0, whose
 * `maxSessionDuration` was a plain number and whose inline policies were strings only (their values are
 * typed `any` for Pulumi's schema analyzer, so the runtime refuses what is neither). The
 * arguments that stay plain are the ones that decide, before anything registers, which child
 * resources exist or which guard applies: see `@ts-expect-error` below.
 */
const HOST = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const ISSUER = `https://${HOST}`;
const PROVIDER_ARN = `arn:aws:iam::444455556666:oidc-provider/${HOST}`;
const CLUSTER_ARN = "arn:aws:eks:eu-west-1:111122223333:cluster/prod";
const SOURCE_ROLE_ARN = "arn:aws:iam::111122223333:role/pod-source";
const POLICY_ARN = "arn:aws:iam::444455556666:policy/reports-read";

const document: aws.iam.PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: pulumi.output("arn:aws:s3:::team/*") }],
};

/** Compiled, never called: the type-level test. */
export function typeLevel(): unknown[] {
  const serviceAccount: ServiceAccountInput = {
    namespace: pulumi.output("apps"),
    name: pulumi.output("reader"),
  };
  const cluster: TrustedClusterInput = {
    oidcProviderArn: pulumi.output(PROVIDER_ARN),
    issuerUrl: pulumi.output(ISSUER),
    serviceAccounts: pulumi.output([{ namespace: "apps", name: "reader" }]),
  };
  const inline: InlinePolicyInput = document;
  const irsa: IrsaRoleArgs = {
    clusters: pulumi.output([cluster]),
    conditionTest: ConditionTest.StringEquals,
    audience: pulumi.output("sts.amazonaws.com"),
    roleName: pulumi.output("reader"),
    path: pulumi.output("/"),
    description: pulumi.output("reader"),
    inlinePolicies: { json: pulumi.output("{}"), doc: pulumi.output(document), plain: inline },
    managedPolicyArns: [pulumi.output(POLICY_ARN), POLICY_ARN],
    managedPolicies: { reports: pulumi.output(POLICY_ARN) },
    permissionsBoundary: pulumi.output(POLICY_ARN),
    maxSessionDuration: pulumi.output(7200),
    tags: pulumi.output({ team: pulumi.output("a") }),
  };
  const refused: IrsaRoleArgs = {
    clusters: [cluster],
    // @ts-expect-error the list names the child attachments, so it must be known: use managedPolicies.
    managedPolicyArns: pulumi.output([POLICY_ARN]),
  };
  const target: PodIdentityTargetRoleArgs = {
    sourceRoleArn: pulumi.output(SOURCE_ROLE_ARN),
    clusterArn: pulumi.output(CLUSTER_ARN),
    serviceAccounts: pulumi.output([serviceAccount]),
    roleName: pulumi.output("target"),
    path: pulumi.output("/"),
    description: pulumi.output("target"),
    inlinePolicies: { doc: pulumi.output(document) },
    managedPolicyArns: [pulumi.output(POLICY_ARN)],
    managedPolicies: { reports: pulumi.output(POLICY_ARN) },
    permissionsBoundary: pulumi.output(POLICY_ARN),
    maxSessionDuration: pulumi.output(3600),
    tags: pulumi.output({ team: "a" }),
  };
  const source: PodIdentitySourceRoleArgs = {
    clusterArn: pulumi.output(CLUSTER_ARN),
    roleName: pulumi.output("source"),
    path: pulumi.output("/"),
    description: pulumi.output("source"),
    permissionsBoundary: pulumi.output(POLICY_ARN),
    tags: pulumi.output({ team: "a" }),
  };
  const seed: SeedObject = {
    key: pulumi.output("k"),
    content: pulumi.output("c"),
    contentType: pulumi.output("t"),
  };
  const bucket: SecureBucketArgs = {
    bucketName: pulumi.output("team-bucket"),
    kmsKeyArn: pulumi.output("arn:aws:kms:eu-west-1:444455556666:key/0"),
    versioning: pulumi.output(true),
    forceDestroy: pulumi.output(false),
    objects: [seed],
    tags: pulumi.output({ team: "a" }),
  };
  const oidc: ClusterOidcProviderArgs = {
    issuerUrl: pulumi.output(ISSUER),
    thumbprints: pulumi.output(["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]),
    existingProviderArn: pulumi.output(PROVIDER_ARN),
    tags: pulumi.output({ team: "a" }),
  };
  return [irsa, refused, target, source, bucket, oidc];
}

const ROLE = "aws:iam/role:Role";

function engine(): MockEngine {
  return new MockEngine({ config: { "aws:allowedAccountIds": '["444455556666"]' } });
}

describe("component args as Outputs (computed by the program)", () => {
  it("IrsaRole: Output service accounts, session duration, policy document and managed ARNs resolve into the resources", async () => {
    const e = engine();
    const run = await runOnEngine(e, () => {
      const role = new IrsaRole("reader", {
        clusters: [
          {
            oidcProviderArn: PROVIDER_ARN,
            issuerUrl: ISSUER,
            serviceAccounts: pulumi.output([{ namespace: "apps", name: "reader" }]),
          },
        ],
        maxSessionDuration: pulumi.output(7200),
        inlinePolicies: { s3: pulumi.output(document) },
        managedPolicies: { reports: pulumi.output(POLICY_ARN) },
      });
      return Promise.resolve({ trust: role.trustPolicy });
    });
    expect(String(run.outputs.trust.value)).to.include("system:serviceaccount:apps:reader");
    expect(e.one(ROLE).inputs).to.include({ maxSessionDuration: 7200 });
    expect(e.one("aws:iam/rolePolicy:RolePolicy").inputs.policy).to.equal(
      '{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"arn:aws:s3:::team/*"}],"Version":"2012-10-17"}',
    );
    expect(
      e.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "reader-managed-reports").inputs,
    ).to.include({
      policyArn: POLICY_ARN,
    });
  });

  const refusals: Array<[string, () => unknown, RegExp]> = [
    [
      "IrsaRole maxSessionDuration",
      () =>
        new IrsaRole("r", {
          clusters: [
            {
              oidcProviderArn: PROVIDER_ARN,
              issuerUrl: ISSUER,
              serviceAccounts: [{ namespace: "a", name: "b" }],
            },
          ],
          maxSessionDuration: pulumi.output(60),
        }),
      /args\.maxSessionDuration: 60 is invalid: must be a whole number from 3600 to 43200/,
    ],
    [
      "IrsaRole service accounts",
      () =>
        new IrsaRole("r", {
          clusters: [
            {
              oidcProviderArn: PROVIDER_ARN,
              issuerUrl: ISSUER,
              serviceAccounts: pulumi.output([{ namespace: "Apps", name: "b" }]),
            },
          ],
        }),
      /args\.clusters\[0\]\.serviceAccounts\[0\]\.namespace: "Apps" is invalid/,
    ],
    [
      "IrsaRole inline policy document",
      () =>
        new IrsaRole("r", {
          clusters: [
            {
              oidcProviderArn: PROVIDER_ARN,
              issuerUrl: ISSUER,
              serviceAccounts: [{ namespace: "a", name: "b" }],
            },
          ],
          inlinePolicies: { s3: pulumi.output({ Statement: [] } as unknown as aws.iam.PolicyDocument) },
        }),
      /args\.inlinePolicies\.s3: .* is invalid: must be an IAM policy document with "Version": "2012-10-17"/,
    ],
    [
      "IrsaRole managedPolicies",
      () =>
        new IrsaRole("r", {
          clusters: [
            {
              oidcProviderArn: PROVIDER_ARN,
              issuerUrl: ISSUER,
              serviceAccounts: [{ namespace: "a", name: "b" }],
            },
          ],
          managedPolicies: { reports: pulumi.output("ReadOnlyAccess") },
        }),
      /args\.managedPolicies\.reports: "ReadOnlyAccess" is invalid: must be a managed policy ARN/,
    ],
    [
      "PodIdentityTargetRole maxSessionDuration",
      () =>
        new PodIdentityTargetRole("t", {
          sourceRoleArn: SOURCE_ROLE_ARN,
          clusterArn: CLUSTER_ARN,
          serviceAccounts: [{ namespace: "a", name: "b" }],
          maxSessionDuration: pulumi.output(50000),
        }),
      /args\.maxSessionDuration: 50000 is invalid/,
    ],
    [
      "SecureBucket versioning",
      () => new SecureBucket("b", { versioning: pulumi.output("yes" as unknown as boolean) }),
      /args\.versioning: "yes" is invalid: must be true or false/,
    ],
  ];
  for (const [label, make, message] of refusals) {
    it(`validates an Output once it resolves: ${label}`, async () => {
      await engine().install();
      // As Pulumi's language host does, take the rejections nobody handles: the run fails with them.
      const seen = new Set<string>();
      let matched = () => undefined as void;
      const listener = (reason: unknown) => {
        seen.add(String(reason));
        if (message.test(String(reason))) matched();
      };
      process.on("unhandledRejection", listener);
      try {
        make();
        // Until the rejection arrives (at most 5 s), not a fixed wait.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5000);
          matched = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      } finally {
        process.off("unhandledRejection", listener);
      }
      expect(
        [...seen].some((m) => message.test(m)),
        [...seen].join("\n"),
      ).to.equal(true);
    });
  }

  it("an inline policy object is serialised with sorted keys, whatever order the program built it in", async () => {
    const e = engine();
    await e.install();
    const a = {
      Version: "2012-10-17",
      Statement: [{ Resource: "*", Effect: "Allow", Action: "s3:ListBucket" }],
    };
    const b = {
      Statement: [{ Action: "s3:ListBucket", Effect: "Allow", Resource: "*" }],
      Version: "2012-10-17",
    };
    expect(canonicalJson(a)).to.equal(canonicalJson(b));
    const role = (doc: object, name: string) =>
      new IrsaRole(name, {
        clusters: [
          {
            oidcProviderArn: PROVIDER_ARN,
            issuerUrl: ISSUER,
            serviceAccounts: [{ namespace: "a", name: "b" }],
          },
        ],
        inlinePolicies: { s3: doc as aws.iam.PolicyDocument },
      });
    role(a, "one");
    role(b, "two");
    await settled();
    const sent = e.ofType("aws:iam/rolePolicy:RolePolicy").map((r) => r.inputs.policy);
    expect(sent).to.deep.equal([
      '{"Statement":[{"Action":"s3:ListBucket","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}',
      '{"Statement":[{"Action":"s3:ListBucket","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}',
    ]);
  });

  it("refuses a managedPolicyArns list that is itself an Output, naming args.managedPolicies as the way", async () => {
    await engine().install();
    expect(
      () =>
        new IrsaRole("r", {
          clusters: [
            {
              oidcProviderArn: PROVIDER_ARN,
              issuerUrl: ISSUER,
              serviceAccounts: [{ namespace: "a", name: "b" }],
            },
          ],
          managedPolicyArns: pulumi.output([POLICY_ARN]) as unknown as string[],
        }),
    )
      .to.throw(InputError, /args\.managedPolicyArns: .* must be a list .* args\.managedPolicies/)
      .with.property("field", "args.managedPolicyArns");
  });

  it("refuses inline policies that are an Output as a whole, or neither JSON text nor a document", async () => {
    await engine().install();
    const clusters = [
      { oidcProviderArn: PROVIDER_ARN, issuerUrl: ISSUER, serviceAccounts: [{ namespace: "a", name: "b" }] },
    ];
    expect(() => new IrsaRole("r", { clusters, inlinePolicies: pulumi.output({ s3: "{}" }) })).to.throw(
      /args\.inlinePolicies: .* must be an object of policies by name/,
    );
    expect(() => new IrsaRole("r", { clusters, inlinePolicies: { s3: 42 } })).to.throw(
      /args\.inlinePolicies\.s3: 42 is invalid: must be a JSON policy document or an aws\.iam\.PolicyDocument object/,
    );
  });

  it("the role's trust policy output is the document sent (an Output service account list)", async () => {
    await engine().install();
    const role = new IrsaRole("r", {
      clusters: pulumi.output([
        {
          oidcProviderArn: PROVIDER_ARN,
          issuerUrl: ISSUER,
          serviceAccounts: [{ namespace: "a", name: "b" }],
        },
      ]),
    });
    expect(await valueOf(role.trustPolicy)).to.include("system:serviceaccount:a:b");
    const source = new PodIdentitySourceRole("s", { clusterArn: pulumi.output(CLUSTER_ARN) });
    expect(await valueOf(source.trustPolicy)).to.include(CLUSTER_ARN);
    const oidc = new ClusterOidcProvider("o", { issuerUrl: pulumi.output(ISSUER) });
    expect(await valueOf(oidc.issuerHostPath)).to.equal(HOST);
  });
});
