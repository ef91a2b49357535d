import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { arnAccount, arnsIn, isPolicyArn, parseArn, roleArnParts, tryParseArn } from "../../components/arn";
import { InputError } from "../../components/errors";

describe("components/arn: the one ARN parser", () => {
  it("splits an ARN into its five parts; the resource keeps its : and /", () => {
    expect(parseArn("f", "arn:aws-cn:iam::111122223333:role/path/reader")).to.deep.equal({
      partition: "aws-cn",
      service: "iam",
      region: "",
      account: "111122223333",
      resource: "role/path/reader",
    });
    expect(parseArn("f", "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/eks:*").resource).to.equal(
      "log-group:/aws/eks:*",
    );
    expect(parseArn("f", "arn:aws:s3:::bucket").account).to.equal("");
    expect(parseArn("f", "arn:aws:iam::aws:policy/ReadOnlyAccess").account).to.equal("aws");
  });

  const refused: Array<[unknown, string]> = [
    [42, "must be an ARN string"],
    ["role/reader", "must be an ARN, arn:<partition>:<service>:<region>:<account>:<resource>"],
    ["arn::iam::111122223333:role/r", 'its partition "" must be aws or aws-<name>'],
    ["arn:amazon:iam::111122223333:role/r", 'its partition "amazon" must be aws or aws-<name>'],
    ["arn:aws:IAM::111122223333:role/r", 'its service "IAM" must be lowercase letters, digits and -'],
    ["arn:aws:iam::1111-2222-3333:role/r", 'its account "1111-2222-3333" must be 12 digits, aws or empty'],
    ["arn:aws:iam::111122223333:", 'its resource "" must be not empty'],
  ];
  for (const [value, why] of refused) {
    it(`refuses ${JSON.stringify(value)}, naming the part that is wrong (never assumes partition aws)`, () => {
      expect(() => parseArn("roleArn", value))
        .to.throw(InputError, "roleArn: ")
        .with.property("message")
        .that.includes(why);
      expect(tryParseArn(value)).to.equal(undefined);
    });
  }

  it("roleArnParts: the partition and account of an IAM role ARN only", () => {
    expect(roleArnParts("arn:aws-us-gov:iam::111122223333:role/p/r")).to.deep.equal({
      partition: "aws-us-gov",
      account: "111122223333",
    });
    for (const other of [
      "arn:aws:iam::111122223333:user/u",
      "arn:aws:iam::aws:role/r",
      "arn:aws:sts::111122223333:assumed-role/r/s",
      "arn:aws:iam:eu-west-1:111122223333:role/r",
      "role/r",
    ]) {
      expect(roleArnParts(other), other).to.equal(undefined);
    }
  });

  it("arnAccount: the 12-digit account of an ARN of the service only", () => {
    expect(arnAccount("arn:aws:kms:eu-west-1:111122223333:key/abc", "kms")).to.equal("111122223333");
    expect(arnAccount("arn:aws:kms:eu-west-1:111122223333:key/abc", "iam")).to.equal(undefined);
    expect(arnAccount("arn:aws:iam::aws:policy/ReadOnlyAccess", "iam")).to.equal(undefined);
    expect(arnAccount("arn:aws:s3:::bucket", "s3")).to.equal(undefined);
    expect(arnAccount("key/abc", "kms")).to.equal(undefined);
  });

  it("isPolicyArn: an IAM policy ARN, customer or AWS managed, in any partition", () => {
    for (const ok of [
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
      "arn:aws-cn:iam::111122223333:policy/team/reader",
    ]) {
      expect(isPolicyArn(ok), ok).to.equal(true);
    }
    for (const no of [
      "arn:aws:iam::111122223333:policy/",
      "arn:aws:iam::111122223333:role/reader",
      "arn:aws:iam:eu-west-1:111122223333:policy/p",
      "arn:aws:iam:::policy/p",
      "arn:amazon:iam::aws:policy/p",
      "arn:aws:iam::aws:policy/with space",
      42,
    ]) {
      expect(isPolicyArn(no), String(no)).to.equal(false);
    }
  });

  it("arnsIn: the ARNs of a service a message names, in order; words that only look like one are not", () => {
    const error =
      "User: arn:aws:sts::111122223333:assumed-role/r/s is not authorized to perform: kms:Decrypt on resource: " +
      "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd because no identity-based policy allows it " +
      "(arn:aws:kms:bad region:1:key/x, 'arn:aws:kms:eu-west-1:444455556666:key/second')";
    expect(arnsIn(error, "kms")).to.deep.equal([
      "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd",
      "arn:aws:kms:eu-west-1:444455556666:key/second",
    ]);
    expect(arnsIn(error, "sts")).to.deep.equal(["arn:aws:sts::111122223333:assumed-role/r/s"]);
    expect(arnsIn("no ARN here", "kms")).to.deep.equal([]);
  });

  it("is the only ARN parser: no regular expression outside components/ reads an ARN", () => {
    const root = path.resolve(__dirname, "../..");
    const skip = new Set(["node_modules", "tests", "components", "dist", "out", ".git"]);
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (!skip.has(e.name) && !e.name.startsWith(".")) walk(rel);
        } else if (e.name.endsWith(".ts")) {
          fs.readFileSync(path.join(root, rel), "utf8")
            .split("\n")
            .forEach((line, i) => {
              // A regular expression literal that starts matching at arn: (/^arn:.../, /arn:aws.../).
              if (/\/\^?(\\b)?arn:/.test(line)) found.push(`${rel}:${i + 1}: ${line.trim()}`);
            });
        }
      }
    };
    walk(".");
    expect(found).to.deep.equal([]);
    // The search can fail: the parser's own text search is such a literal.
    expect(fs.readFileSync(path.join(root, "components/arn.ts"), "utf8")).to.match(/\/\^?(\\b)?arn:/);
  });
});
