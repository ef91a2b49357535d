import { expect } from "chai";
import { parseArn, roleArnParts, tryParseArn } from "../../components/arn";
import { IrsaInputError } from "../../components/errors";

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
        .to.throw(IrsaInputError, "roleArn: ")
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
});
