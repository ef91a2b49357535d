/**
 * components/inputs.ts: the one "is it a plain value" check a component's args use (isPending,
 * isPlain, isPlainGiven), on the edge cases: arrays, null, undefined, Outputs, Promises, class
 * instances; and what IrsaRole and IrsaServiceAccount do with them (they used to each have their
 * own check).
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import { InputError } from "../../components/errors";
import { isPending, isPlain, isPlainGiven } from "../../components/inputs";
import { IrsaRole } from "../../components/irsaRole";
import { validateIrsaServiceAccountArgs } from "../../components/irsaServiceAccount";
import { isRecord } from "../../components/values";

class Holder {
  constructor(public readonly value: unknown) {}
}

describe("components/inputs: the one plain-value check", () => {
  let engine: MockEngine;
  beforeEach(async () => {
    engine = new MockEngine({});
    await engine.install();
  });

  it("isPending: an Output or a Promise itself, nothing else (not an object holding one)", () => {
    const output = pulumi.output("x");
    const promise = Promise.resolve("x");
    expect(isPending(output)).to.equal(true);
    expect(isPending(promise)).to.equal(true);
    const noes = [null, undefined, "x", 1, [], [output], { a: output }, new Holder(output)];
    noes.forEach((no, i) => expect(isPending(no), `case ${i}`).to.equal(false));
  });

  it("isPlain: deep; null, undefined, arrays and class instances are plain unless they hold an Output or Promise", () => {
    for (const yes of [null, undefined, "x", 0, false, [], [1, [2]], {}, { a: { b: [1] } }, new Holder(1)])
      expect(isPlain(yes), JSON.stringify(yes)).to.equal(true);
    const output = pulumi.output("x");
    for (const no of [
      output,
      Promise.resolve(1),
      [output],
      [[Promise.resolve(1)]],
      { a: output },
      { a: [{ b: output }] },
      new Holder(output),
    ])
      expect(isPlain(no)).to.equal(false);
  });

  it("isPlainGiven: isPlain and not undefined (null is given: its validator refuses it)", () => {
    expect(isPlainGiven(undefined)).to.equal(false);
    expect(isPlainGiven(null)).to.equal(true);
    expect(isPlainGiven([])).to.equal(true);
    expect(isPlainGiven(pulumi.output("x"))).to.equal(false);
  });

  it("a readable cluster is a record that is not pending: arrays, null and Outputs are not", () => {
    const readable = (v: unknown) => isRecord(v) && !isPending(v);
    expect(readable({ issuerUrl: pulumi.output("x") })).to.equal(true);
    expect(readable(new Holder(1))).to.equal(true);
    for (const no of [[], ["x"], null, 5, pulumi.output({})]) expect(readable(no)).to.equal(false);
  });

  it("IrsaRole refuses a cluster that is an array, null or a number as not an object, naming args.clusters[i]", () => {
    for (const cluster of [["x"], null, 5]) {
      expect(
        () =>
          new IrsaRole(`r${JSON.stringify(cluster)}`, { clusters: [cluster as never], inlinePolicies: {} }),
        JSON.stringify(cluster),
      )
        .to.throw(InputError)
        .with.property(
          "message",
          `args.clusters[0]: ${JSON.stringify(cluster)} is invalid: must be an object { oidcProviderArn, issuerUrl, serviceAccounts }`,
        );
    }
  });

  it("IrsaServiceAccount validates a given plain arg now, and leaves an Output to its resolution", () => {
    const base = { namespace: "ns", name: "sa", roleArn: "arn:aws:iam::111122223333:role/r" };
    expect(() => validateIrsaServiceAccountArgs({ ...base, tokenExpiration: 1 })).to.throw(
      InputError,
      /args\.tokenExpiration/,
    );
    expect(() =>
      validateIrsaServiceAccountArgs({ ...base, tokenExpiration: pulumi.output(1) }),
    ).to.not.throw();
    expect(() => validateIrsaServiceAccountArgs({ ...base, tokenExpiration: undefined })).to.not.throw();
  });
});
