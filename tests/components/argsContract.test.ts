import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import ts from "typescript";
import { MockEngine } from "../../engine/mockEngine";
import {
  BUCKET_ACCESS_GRANT_ROLE_DESCRIPTION,
  ClusterOidcProvider,
  DEFAULT_MAX_SESSION_DURATION,
  DEFAULT_TRUST_POLICY_MAX_SIZE,
  IRSA_ROLE_DESCRIPTION,
  IrsaRole,
  POD_IDENTITY_SOURCE_ROLE_DESCRIPTION,
  POD_IDENTITY_TARGET_ROLE_DESCRIPTION,
  PodIdentitySourceRole,
  PodIdentityTargetRole,
  STS_AUDIENCE,
  SecureBucket,
} from "../../components";
import { settled, settledRun } from "../support/outputs";

/**
 * What the args' JSDoc promises is what the code does: documented `@default` literals equal the
 * defaults the code applies; a refused argument fails the program once (the constructor's throw),
 * never again later as an unhandled rejection; library errors name `args.<field>`, not stack config.
 */
const COMPONENTS = path.resolve(__dirname, "..", "..", "components");
const HOST = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER_ARN = `arn:aws:iam::444455556666:oidc-provider/${HOST}`;

/** The `@default` text of each field of the interface `iface` in `file`. */
function documentedDefaults(file: string, iface: string): Record<string, string> {
  const source = ts.createSourceFile(
    file,
    readFileSync(path.join(COMPONENTS, file), "utf8"),
    ts.ScriptTarget.Latest,
    true,
  );
  const found: Record<string, string> = {};
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== iface) return;
    for (const member of node.members.filter(ts.isPropertySignature)) {
      for (const tag of ts.getJSDocTags(member)) {
        if (tag.tagName.text === "default") {
          found[member.name.getText(source)] = (ts.getTextOfJSDocComment(tag.comment) ?? "").trim();
        }
      }
    }
  });
  return found;
}

/** A documented default as a value, when it is a JSON literal (a string, number, boolean). */
function literal(text: string): unknown {
  return JSON.parse(text) as unknown;
}

describe("args contract: documented defaults, one rejection, errors in args terms", () => {
  const cases: Array<[string, string, Record<string, unknown>]> = [
    [
      "irsaRole.ts",
      "IrsaRoleArgs",
      {
        description: IRSA_ROLE_DESCRIPTION,
        maxSessionDuration: DEFAULT_MAX_SESSION_DURATION,
        maxTrustPolicySize: DEFAULT_TRUST_POLICY_MAX_SIZE,
        audience: STS_AUDIENCE,
        path: "/",
      },
    ],
    [
      "podIdentityTargetRole.ts",
      "PodIdentityTargetRoleArgs",
      {
        description: POD_IDENTITY_TARGET_ROLE_DESCRIPTION,
        maxSessionDuration: DEFAULT_MAX_SESSION_DURATION,
        maxTrustPolicySize: DEFAULT_TRUST_POLICY_MAX_SIZE,
        path: "/",
      },
    ],
    [
      "podIdentitySourceRole.ts",
      "PodIdentitySourceRoleArgs",
      { description: POD_IDENTITY_SOURCE_ROLE_DESCRIPTION, path: "/" },
    ],
    [
      "bucketAccessGrant.ts",
      "BucketAccessGrantArgs",
      {
        description: BUCKET_ACCESS_GRANT_ROLE_DESCRIPTION,
        maxSessionDuration: DEFAULT_MAX_SESSION_DURATION,
        maxTrustPolicySize: DEFAULT_TRUST_POLICY_MAX_SIZE,
        path: "/",
      },
    ],
    [
      "bucketAccessGrantInputs.ts",
      "GrantBucketInput",
      { create: false, access: "read", objects: [], forceDestroy: false },
    ],
    ["bucketAccessBindingInputs.ts", "BindingServiceAccountInput", { create: true, createNamespace: false }],
    ["bucketAccessBindingArgs.ts", "BucketAccessBindingArgs", { installPodIdentityAgent: false }],
  ];
  for (const [file, iface, defaults] of cases) {
    it(`${iface}: each documented @default literal is the code's default`, () => {
      const documented = documentedDefaults(file, iface);
      for (const [field, value] of Object.entries(defaults)) {
        expect(documented[field], `${iface}.${field} has a @default`).to.be.a("string");
        expect(literal(documented[field]), `${iface}.${field}`).to.deep.equal(value);
      }
    });
  }

  it("the role components send their documented description and session duration", async () => {
    const engine = new MockEngine({ config: { "aws:allowedAccountIds": '["444455556666"]' } });
    await engine.install();
    new IrsaRole("irsa", {
      clusters: [
        {
          oidcProviderArn: PROVIDER_ARN,
          issuerUrl: `https://${HOST}`,
          serviceAccounts: [{ namespace: "a", name: "b" }],
        },
      ],
    });
    new PodIdentitySourceRole("source", { clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod" });
    await settled();
    const roles = engine.ofType("aws:iam/role:Role");
    expect(roles.map((r) => [r.name, r.inputs.description, r.inputs.maxSessionDuration])).to.deep.equal([
      ["irsa", IRSA_ROLE_DESCRIPTION, DEFAULT_MAX_SESSION_DURATION],
      ["source", POD_IDENTITY_SOURCE_ROLE_DESCRIPTION, DEFAULT_MAX_SESSION_DURATION],
    ]);
  });

  it("ServiceAccountInput.namespace documents what the code does: no wildcard, even under StringLike", () => {
    const doc = documentedDefaults("irsaRole.ts", "ServiceAccountInput");
    expect(doc.namespace).to.equal("none (required)");
    const text = readFileSync(path.join(COMPONENTS, "irsaRole.ts"), "utf8");
    const namespaceDoc =
      /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*namespace: pulumi\.Input<string>;/.exec(text)?.[1] ?? "";
    expect(namespaceDoc).to.match(/refused under either\s+\* `conditionTest`/);
    expect(
      () =>
        new IrsaRole("r", {
          conditionTest: "StringLike",
          clusters: [
            {
              oidcProviderArn: PROVIDER_ARN,
              issuerUrl: `https://${HOST}`,
              serviceAccounts: [{ namespace: "a*", name: "b" }],
            },
          ],
        }),
    ).to.throw(
      /args\.clusters\[0\]\.serviceAccounts\[0\]\.namespace: "a\*" is invalid: must be named literally/,
    );
  });

  const refused: Array<[string, () => unknown, RegExp]> = [
    [
      "PodIdentityTargetRole: bad path while the source role ARN is an Output",
      () =>
        new PodIdentityTargetRole("t", {
          sourceRoleArn: pulumi.output("not-an-arn"),
          clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod",
          serviceAccounts: [{ namespace: "a", name: "b" }],
          path: "bad",
        }),
      /^InputError: args\.path: "bad" is invalid/,
    ],
    [
      "PodIdentitySourceRole: bad path while the cluster ARN is an Output",
      () => new PodIdentitySourceRole("s", { clusterArn: pulumi.output("prod"), path: "bad" }),
      /^InputError: args\.path: "bad" is invalid/,
    ],
    [
      "SecureBucket: a bad object key while the bucket name is an Output",
      () =>
        new SecureBucket("b", {
          bucketName: pulumi.output("Bad_Name"),
          objects: [{ key: "", content: "x" }],
        }),
      /^InputError: args\.objects\[0\]\.key: "" is invalid/,
    ],
    [
      "ClusterOidcProvider: an existing provider ARN that is not one",
      () => new ClusterOidcProvider("p", { issuerUrl: `https://${HOST}`, existingProviderArn: "nope" }),
      /^InputError: args\.existingProviderArn: "nope" is invalid/,
    ],
    [
      "IrsaRole: a whole-namespace pattern, in args terms (no stack config key)",
      () =>
        new IrsaRole("r", {
          conditionTest: "StringLike",
          maxSessionDuration: pulumi.output(1),
          clusters: [
            {
              oidcProviderArn: PROVIDER_ARN,
              issuerUrl: `https://${HOST}`,
              serviceAccounts: [{ namespace: "a", name: "*" }],
            },
          ],
        }),
      /^InputError: args\.clusters\[0\]\.serviceAccounts: .* say so with trustWholeNamespaces \(args\.trustWholeNamespaces: true\)$/,
    ],
  ];
  for (const [label, make, message] of refused) {
    it(`a refused argument rejects once: ${label}`, async () => {
      const engine = new MockEngine({ config: { "aws:allowedAccountIds": '["444455556666"]' } });
      await engine.install();
      const { thrown, unhandled } = await settledRun(make);
      expect(String(thrown)).to.match(message);
      expect(String(thrown)).to.not.include("cross-account-irsa:");
      expect(unhandled.map(String)).to.deep.equal([]);
      expect(engine.resources).to.have.length(0);
    });
  }
});
