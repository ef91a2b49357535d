import { expect } from "chai";
import { type IAMClient } from "@aws-sdk/client-iam";
import { readRole } from "../../doctor/readers";

const TRUST = { Version: "2012-10-17", Statement: [] };
const doc = (sid: string) =>
  encodeURIComponent(JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: sid }] }));

/** An AWS SDK error as the IAM client throws it. */
function awsError(name: string): Error {
  return Object.assign(new Error(`${name} from the fake`), { name, $metadata: { httpStatusCode: 403 } });
}

/**
 * A fake IAM client: inline policies in two pages (a, b | c), attached ones in two (p1 | p2), and
 * every command it got with its input; `fail` makes one command (by name) throw.
 */
function fakeIam(fail?: { command: string; error: Error }) {
  const sent: Array<[string, Record<string, unknown>]> = [];
  const iam = {
    send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name.replace(/Command$/, "");
      const input = command.input;
      sent.push([name, input]);
      if (fail?.command === name) return Promise.reject(fail.error);
      switch (name) {
        case "GetRole":
          return Promise.resolve({
            Role: {
              Arn: "arn:aws:iam::111122223333:role/r",
              AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(TRUST)),
            },
          });
        case "ListRolePolicies":
          return Promise.resolve(
            input.Marker === undefined
              ? { PolicyNames: ["a", "b"], IsTruncated: true, Marker: "inline-2" }
              : { PolicyNames: ["c"], IsTruncated: false },
          );
        case "GetRolePolicy":
          return Promise.resolve({ PolicyDocument: doc(String(input.PolicyName)) });
        case "ListAttachedRolePolicies":
          return Promise.resolve(
            input.Marker === undefined
              ? {
                  AttachedPolicies: [{ PolicyArn: "arn:aws:iam::111122223333:policy/p1" }],
                  IsTruncated: true,
                  Marker: "attached-2",
                }
              : {
                  AttachedPolicies: [{ PolicyArn: "arn:aws:iam::111122223333:policy/p2" }],
                  IsTruncated: false,
                },
          );
        case "GetPolicy":
          return Promise.resolve({ Policy: { DefaultVersionId: "v3" } });
        case "GetPolicyVersion":
          return Promise.resolve({ PolicyVersion: { Document: doc(String(input.PolicyArn).split("/")[1]) } });
        default:
          return Promise.reject(new Error(`unexpected ${name}`));
      }
    },
  };
  return { iam: iam as unknown as IAMClient, sent };
}

describe("doctor: readRole", () => {
  it("reads every page of both lists, each list from its own first page", async () => {
    const { iam, sent } = fakeIam();
    const read = await readRole(iam, "r");
    expect(read.ok).to.equal(true);
    if (!read.ok) return;
    expect(Object.keys(read.inline)).to.deep.equal(["a", "b", "c"]);
    expect(Object.keys(read.attached)).to.deep.equal([
      "arn:aws:iam::111122223333:policy/p1",
      "arn:aws:iam::111122223333:policy/p2",
    ]);
    const markers = (op: string) => sent.filter(([n]) => n === op).map(([, i]) => i.Marker);
    expect(markers("ListRolePolicies")).to.deep.equal([undefined, "inline-2"]);
    expect(markers("ListAttachedRolePolicies")).to.deep.equal([undefined, "attached-2"]);
    expect(sent.filter(([n]) => n === "GetPolicyVersion").map(([, i]) => i.VersionId)).to.deep.equal([
      "v3",
      "v3",
    ]);
  });

  it("GetRole's NoSuchEntity: the role is missing", async () => {
    const { iam } = fakeIam({ command: "GetRole", error: awsError("NoSuchEntity") });
    const read = await readRole(iam, "r");
    expect(read).to.deep.include({ ok: false, call: "GetRole r", missing: true });
  });

  it("GetRole's AccessDenied: not read, the role is not missing", async () => {
    const { iam } = fakeIam({ command: "GetRole", error: awsError("AccessDenied") });
    const read = await readRole(iam, "r");
    expect(read).to.deep.include({ ok: false, call: "GetRole r", missing: false });
    expect(read.ok === false && read.role).to.equal(undefined);
  });

  for (const [command, call] of [
    ["ListRolePolicies", "ListRolePolicies r"],
    ["GetRolePolicy", "GetRolePolicy r a"],
    ["ListAttachedRolePolicies", "ListAttachedRolePolicies r"],
    ["GetPolicy", "GetPolicy arn:aws:iam::111122223333:policy/p1"],
    ["GetPolicyVersion", "GetPolicyVersion arn:aws:iam::111122223333:policy/p1 v3"],
  ]) {
    it(`${command} fails (even with NoSuchEntity): names that call, and keeps the trust policy GetRole read`, async () => {
      const { iam } = fakeIam({ command, error: awsError("NoSuchEntity") });
      const read = await readRole(iam, "r");
      expect(read).to.deep.include({ ok: false, call, missing: false });
      expect(read.ok === false && read.role).to.deep.equal({
        arn: "arn:aws:iam::111122223333:role/r",
        trustPolicy: JSON.stringify(TRUST),
      });
    });
  }
});
