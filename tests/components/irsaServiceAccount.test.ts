import { expect } from "chai";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { MockEngine } from "../../engine/mockEngine";
import {
  IrsaServiceAccount,
  buildServiceAccountAnnotations,
  buildServiceAccountLabels,
  type IrsaServiceAccountArgs,
} from "../../components/irsaServiceAccount";
import { expectInputError } from "./coreHelpers";
import { settled, valueOf } from "../support/outputs";

const TYPE = "cross-account-irsa:index:IrsaServiceAccount";
const ROLE = "arn:aws:iam::222222222222:role/irsa/s3-reader";

describe("IrsaServiceAccount", () => {
  let engine: MockEngine;

  beforeEach(async () => {
    engine = new MockEngine({ config: { "aws:region": "eu-west-1" } });
    await engine.install();
  });

  async function deploy(args: IrsaServiceAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    const sa = new IrsaServiceAccount("reader", args, opts);
    const outputs = {
      name: await valueOf(sa.name),
      namespace: await valueOf(sa.namespace),
      roleArn: await valueOf(sa.roleArn),
    };
    return { sa, outputs };
  }

  it("creates one ServiceAccount, named exactly, annotated with the role and regional STS", async () => {
    const { outputs } = await deploy({ namespace: "apps", name: "s3-reader", roleArn: ROLE });

    const component = engine.one(TYPE, "reader");
    expect(component.custom).to.equal(false);
    const sa = engine.one("kubernetes:core/v1:ServiceAccount");
    expect(engine.byUrn(sa.parent)?.type).to.equal(TYPE);
    expect(sa.inputs).to.have.nested.property("metadata.name", "s3-reader");
    expect(sa.inputs).to.have.nested.property("metadata.namespace", "apps");
    expect((sa.inputs.metadata as { annotations: unknown }).annotations).to.deep.equal({
      "eks.amazonaws.com/role-arn": ROLE,
      "eks.amazonaws.com/sts-regional-endpoints": "true",
    });
    expect((sa.inputs.metadata as { labels: unknown }).labels).to.deep.equal({
      "app.kubernetes.io/part-of": "cross-account-irsa",
    });
    expect(engine.ofType("kubernetes:core/v1:Namespace")).to.have.length(0);
    expect(outputs).to.deep.equal({ name: "s3-reader", namespace: "apps", roleArn: ROLE });
  });

  it("adds token-expiration and audience annotations, and honours stsRegionalEndpoints: false", async () => {
    await deploy({
      namespace: "apps",
      name: "s3-reader",
      roleArn: ROLE,
      stsRegionalEndpoints: false,
      tokenExpiration: 3600,
      audience: "sts.amazonaws.com",
      labels: { team: "data" },
    });
    const sa = engine.one("kubernetes:core/v1:ServiceAccount");
    expect((sa.inputs.metadata as { annotations: unknown }).annotations).to.deep.equal({
      "eks.amazonaws.com/audience": "sts.amazonaws.com",
      "eks.amazonaws.com/role-arn": ROLE,
      "eks.amazonaws.com/sts-regional-endpoints": "false",
      "eks.amazonaws.com/token-expiration": "3600",
    });
    expect((sa.inputs.metadata as { labels: unknown }).labels).to.deep.equal({
      "app.kubernetes.io/part-of": "cross-account-irsa",
      team: "data",
    });
  });

  it("creates the Namespace first when createNamespace is true", async () => {
    await deploy({ namespace: "apps", name: "s3-reader", roleArn: ROLE, createNamespace: true });
    const ns = engine.one("kubernetes:core/v1:Namespace");
    expect(ns.name).to.equal("reader-namespace");
    expect(engine.byUrn(ns.parent)?.type).to.equal(TYPE);
    expect(ns.inputs).to.have.nested.property("metadata.name", "apps");
    const sa = engine.one("kubernetes:core/v1:ServiceAccount");
    expect(sa.inputs).to.have.nested.property("metadata.namespace", "apps");
    // The ServiceAccount takes its namespace from the Namespace resource, so it waits for it.
    expect(engine.resources.indexOf(ns)).to.be.lessThan(engine.resources.indexOf(sa));
  });

  it("accepts Outputs (a StackReference's values) and uses them unchanged", async () => {
    const { outputs } = await deploy({
      namespace: pulumi.output("apps"),
      name: pulumi.output("s3-reader"),
      roleArn: pulumi.output(ROLE),
      tokenExpiration: pulumi.output(7200),
    });
    const sa = engine.one("kubernetes:core/v1:ServiceAccount");
    expect(sa.inputs).to.have.nested.property("metadata.annotations.eks\\.amazonaws\\.com/role-arn", ROLE);
    expect(sa.inputs).to.have.nested.property(
      "metadata.annotations.eks\\.amazonaws\\.com/token-expiration",
      "7200",
    );
    expect(outputs.roleArn).to.equal(ROLE);
  });

  it("uses the kubernetes provider passed on the component's options", async () => {
    const provider = new k8s.Provider("cluster-a", { kubeconfig: "{}" });
    await deploy(
      { namespace: "apps", name: "s3-reader", roleArn: ROLE },
      { providers: { kubernetes: provider } },
    );
    const providerUrn = await valueOf(provider.urn);
    const sa = engine.one("kubernetes:core/v1:ServiceAccount");
    expect(sa.provider, "the ServiceAccount's provider reference").to.be.a("string");
    expect(sa.provider?.startsWith(`${providerUrn}::`)).to.equal(true);
  });

  describe("rejects bad input before registering anything", () => {
    const good: IrsaServiceAccountArgs = { namespace: "apps", name: "s3-reader", roleArn: ROLE };
    const cases: Array<
      [string, Partial<Record<keyof IrsaServiceAccountArgs, unknown>>, string, unknown, string]
    > = [
      ["namespace not a DNS-1123 label", { namespace: "Apps" }, "args.namespace", "Apps", "DNS-1123 label"],
      [
        "namespace too long",
        { namespace: "a".repeat(64) },
        "args.namespace",
        "a".repeat(64),
        "DNS-1123 label",
      ],
      ["namespace not a string", { namespace: 7 }, "args.namespace", 7, "must be a string"],
      ["name with upper case", { name: "S3Reader" }, "args.name", "S3Reader", "DNS-1123 subdomain"],
      ["name missing", { name: undefined }, "args.name", undefined, "is required"],
      [
        "roleArn not a role",
        { roleArn: "arn:aws:iam::222222222222:user/bob" },
        "args.roleArn",
        "arn:aws:iam::222222222222:user/bob",
        "IAM role ARN",
      ],
      [
        "roleArn short account",
        { roleArn: "arn:aws:iam::2222:role/r" },
        "args.roleArn",
        "arn:aws:iam::2222:role/r",
        "IAM role ARN",
      ],
      [
        "tokenExpiration below 600",
        { tokenExpiration: 599 },
        "args.tokenExpiration",
        599,
        "whole number from 600 to 86400",
      ],
      [
        "tokenExpiration above 86400",
        { tokenExpiration: 86401 },
        "args.tokenExpiration",
        86401,
        "whole number from 600 to 86400",
      ],
      [
        "tokenExpiration fractional",
        { tokenExpiration: 3600.5 },
        "args.tokenExpiration",
        3600.5,
        "whole number",
      ],
      [
        "audience with whitespace",
        { audience: "sts amazonaws" },
        "args.audience",
        "sts amazonaws",
        "without whitespace",
      ],
      ["audience empty", { audience: "" }, "args.audience", "", "1 to 256 characters"],
      [
        "stsRegionalEndpoints a string",
        { stsRegionalEndpoints: "yes" },
        "args.stsRegionalEndpoints",
        "yes",
        "true or false",
      ],
      [
        "label key with space",
        { labels: { "my label": "x" } },
        'args.labels["my label"]',
        "my label",
        "label keys",
      ],
      [
        "label value too long",
        { labels: { team: "x".repeat(64) } },
        'args.labels["team"]',
        "x".repeat(64),
        "label keys",
      ],
      [
        "createNamespace an Output",
        { createNamespace: pulumi.output(true) },
        "args.createNamespace",
        undefined,
        "plain boolean",
      ],
    ];
    for (const [title, patch, field, value, rule] of cases) {
      it(title, async () => {
        const args = { ...good, ...patch } as IrsaServiceAccountArgs;
        if (field === "args.createNamespace") {
          // An Output cannot be rendered as a value: check field and rule only.
          expect(() => new IrsaServiceAccount("reader", args)).to.throw(
            /args\.createNamespace: .* is invalid: must be a plain boolean/,
          );
        } else {
          expectInputError(() => new IrsaServiceAccount("reader", args), field, value, rule);
        }
        await settled();
        expect(engine.resources, "nothing registered").to.deep.equal([]);
      });
    }
  });
});

describe("buildServiceAccountAnnotations", () => {
  it("is exactly the role and regional-STS annotations by default, keys sorted", () => {
    const a = buildServiceAccountAnnotations({ roleArn: ROLE });
    expect(Object.keys(a)).to.deep.equal([
      "eks.amazonaws.com/role-arn",
      "eks.amazonaws.com/sts-regional-endpoints",
    ]);
    expect(a["eks.amazonaws.com/sts-regional-endpoints"]).to.equal("true");
  });

  it("accepts the webhook's token-expiration bounds and nothing outside them", () => {
    expect(buildServiceAccountAnnotations({ roleArn: ROLE, tokenExpiration: 600 })).to.have.property(
      "eks.amazonaws.com/token-expiration",
      "600",
    );
    expect(buildServiceAccountAnnotations({ roleArn: ROLE, tokenExpiration: 86400 })).to.have.property(
      "eks.amazonaws.com/token-expiration",
      "86400",
    );
    expectInputError(
      () => buildServiceAccountAnnotations({ roleArn: ROLE, tokenExpiration: 0 }),
      "args.tokenExpiration",
      0,
      "600 to 86400",
    );
  });

  it("keeps any valid role ARN verbatim (with paths and partitions)", () => {
    const roleArn = fc
      .tuple(
        fc.constantFrom("aws", "aws-cn", "aws-us-gov"),
        fc.stringMatching(/^\d{12}$/),
        fc.constantFrom("", "team/", "a/b/c/"),
        fc.stringMatching(/^[\w+=,.@-]{1,64}$/),
      )
      .map(([p, acct, path, name]) => `arn:${p}:iam::${acct}:role/${path}${name}`);
    fc.assert(
      fc.property(roleArn, (arn) => {
        expect(buildServiceAccountAnnotations({ roleArn: arn })["eks.amazonaws.com/role-arn"]).to.equal(arn);
      }),
      { numRuns: 100 },
    );
  });
});

describe("buildServiceAccountLabels", () => {
  it("always carries part-of, which the user cannot override", () => {
    expect(buildServiceAccountLabels({ "app.kubernetes.io/part-of": "other", tier: "batch" })).to.deep.equal({
      "app.kubernetes.io/part-of": "cross-account-irsa",
      tier: "batch",
    });
  });
});
