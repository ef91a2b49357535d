import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { runOnEngine } from "../../engine/offline";
import {
  ClusterOidcProvider,
  checkAdoptedProvider,
  normalizeThumbprints,
} from "../../components/clusterOidcProvider";
import { settled, valueOf } from "../support/outputs";

const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const HOST_PATH = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER_ARN = `arn:aws:iam::444455556666:oidc-provider/${HOST_PATH}`;
const TYPE = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";

describe("ClusterOidcProvider", () => {
  let engine: MockEngine;
  beforeEach(async () => {
    engine = new MockEngine({
      config: { "aws:region": "eu-west-1", "aws:allowedAccountIds": '["444455556666"]' },
      onResource: (args) =>
        args.type === TYPE && args.id
          ? { id: args.id, state: { arn: args.id, url: HOST_PATH, clientIdLists: ["sts.amazonaws.com"] } }
          : undefined,
    });
    await engine.install();
  });

  it("creates a provider for the normalised issuer with client id sts.amazonaws.com and no thumbprint", async () => {
    const c = new ClusterOidcProvider("oidc", { issuerUrl: `${ISSUER}/` });
    expect(await valueOf(c.issuerHostPath)).to.equal(HOST_PATH);
    await valueOf(c.arn);
    const p = engine.one(TYPE);
    expect(p.inputs.url).to.equal(`https://${HOST_PATH}`);
    expect(p.inputs.clientIdLists).to.deep.equal(["sts.amazonaws.com"]);
    expect(p.inputs).not.to.have.property("thumbprintLists");
    expect(engine.byUrn(p.parent)?.type).to.equal("cross-account-irsa:index:ClusterOidcProvider");
  });

  it("passes given thumbprints through, normalised (lower case, no colons, sorted, unique)", async () => {
    const upper = "9E99A48A9960B14926BB7F3B02E22DA2B0AB7280";
    const c = new ClusterOidcProvider("oidc", {
      issuerUrl: ISSUER,
      thumbprints: [upper, upper.toLowerCase()],
    });
    await valueOf(c.arn);
    expect(engine.one(TYPE).inputs.thumbprintLists).to.deep.equal([upper.toLowerCase()]);
  });

  it("accepts the issuer as an Output (a StackReference value)", async () => {
    const c = new ClusterOidcProvider("oidc", { issuerUrl: pulumi.output(ISSUER) });
    expect(await valueOf(c.issuerHostPath)).to.equal(HOST_PATH);
  });

  it("adopts an existing provider: reads it, creates none", async () => {
    const c = new ClusterOidcProvider("oidc", { issuerUrl: ISSUER, existingProviderArn: PROVIDER_ARN });
    expect(await valueOf(c.arn)).to.equal(PROVIDER_ARN);
    const read = engine.one(TYPE);
    expect(read.read).to.equal(true);
    expect(read.name).to.equal("oidc-existing");
  });

  describe("rejects bad input before registering anything", () => {
    const cases: Array<[string, () => unknown, RegExp]> = [
      [
        "http issuer",
        () => new ClusterOidcProvider("x", { issuerUrl: "http://oidc.example.com/id/1" }),
        /issuerUrl: "http:\/\/oidc.example.com\/id\/1" is invalid: must use https:\/\//,
      ],
      [
        "empty issuer",
        () => new ClusterOidcProvider("x", { issuerUrl: "" }),
        /issuerUrl: "" is invalid: must not be empty/,
      ],
      [
        "bad thumbprint",
        () => new ClusterOidcProvider("x", { issuerUrl: ISSUER, thumbprints: ["abc"] }),
        /thumbprints\[0\]: "abc" is invalid: must be a SHA-1 fingerprint/,
      ],
      [
        "malformed existing ARN",
        () =>
          new ClusterOidcProvider("x", {
            issuerUrl: ISSUER,
            existingProviderArn: "arn:aws:iam::123:oidc-provider/x",
          }),
        /existingProviderArn: .* is invalid: must be an IAM OIDC provider ARN/,
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

  it("refuses to adopt a provider of another issuer, before registering anything", async () => {
    const other = PROVIDER_ARN.replace("0123456789ABCDEF", "FFFFFFFFFFFFFFFF");
    expect(() => new ClusterOidcProvider("x", { issuerUrl: ISSUER, existingProviderArn: other })).to.throw(
      /args\.existingProviderArn: .* is invalid: must be the IAM OIDC provider of args\.issuerUrl/,
    );
    await settled();
    expect(engine.resources).to.have.length(0);
  });
});

describe("ClusterOidcProvider with the issuer known only at deploy time (a StackReference output)", () => {
  it("fails the run with one error naming existingProviderArn, the value and the rule, and creates nothing", async () => {
    const other = PROVIDER_ARN.replace("0123456789ABCDEF", "FFFFFFFFFFFFFFFF");
    const engine = new MockEngine({
      config: { "aws:region": "eu-west-1" },
      onResource: (args) =>
        args.type === TYPE && args.id
          ? { id: args.id, state: { arn: args.id, url: HOST_PATH, clientIdLists: ["sts.amazonaws.com"] } }
          : undefined,
    });
    // As Pulumi's language host runs a program: an error in a resolved value fails the run.
    const error = await runOnEngine(engine, () => {
      const c = new ClusterOidcProvider("oidc", {
        issuerUrl: pulumi.output(ISSUER),
        existingProviderArn: other,
      });
      return Promise.resolve({ arn: c.arn });
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).to.match(
      /args\.existingProviderArn: "arn:aws:iam::444455556666:oidc-provider\/.*FFFFFFFFFFFFFFFF.*" is invalid: must be the IAM OIDC provider of args\.issuerUrl/,
    );
    expect(engine.resources.filter((r) => r.type === TYPE && !r.read)).to.deep.equal([]);
  });
});

describe("normalizeThumbprints / checkAdoptedProvider", () => {
  it("accepts colon-separated fingerprints and rejects more than five", () => {
    const t = "9e:99:a4:8a:99:60:b1:49:26:bb:7f:3b:02:e2:2d:a2:b0:ab:72:80";
    expect(normalizeThumbprints([t])).to.deep.equal(["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]);
    const six = Array.from({ length: 6 }, (_, i) => String(i).repeat(40));
    expect(() => normalizeThumbprints(six)).to.throw(
      /thumbprints: .* is invalid: IAM accepts at most 5 thumbprints/,
    );
  });

  it("requires sts.amazonaws.com among an adopted provider's client ids", () => {
    expect(checkAdoptedProvider(PROVIDER_ARN, ISSUER, ["sts.amazonaws.com"])).to.equal(PROVIDER_ARN);
    expect(() => checkAdoptedProvider(PROVIDER_ARN, ISSUER, ["other"])).to.throw(
      /must include "sts.amazonaws.com"/,
    );
  });
});
