/**
 * Config that was accepted, dropped or coerced before and is now refused by name (issue 18): each
 * case names the key as written in the stack file.
 */
import { expect } from "chai";
import { parseStackConfig } from "../../stacks/stackFile";
import { configGetters, parseAccountAConfig, parseAccountBConfig } from "../../stacks/config";
import { checkAccountBDocuments } from "../../stacks/accountBChecks";
import { parsePlanConfigs, PlanConfigError } from "../../plan/config";
import { errorMessage } from "../../engine/errors";

const B_BASE =
  "config:\n  aws:region: eu-west-1\n  cross-account-irsa:serviceAccounts: [{namespace: apps, name: reader}]\n";
const PI_B =
  "config:\n  aws:region: eu-west-1\n  cross-account-irsa:mechanism: pod-identity\n" +
  "  cross-account-irsa:serviceAccounts:\n    - {namespace: team-a, name: s3-reader}\n";
const PI_A = "config:\n  aws:region: eu-west-1\n  cross-account-irsa:mechanism: pod-identity\n";

const settings = (text: string) => {
  const { config, secretKeys } = parseStackConfig(text, "t");
  return configGetters(config, secretKeys);
};
const parseB = (text: string) => parseAccountBConfig(settings(text), "acme");
const parseA = (text: string) => parseAccountAConfig(settings(text), "acme");

describe("config refused by name instead of dropped, coerced or accepted", () => {
  it("prefixes: [] (which granted the whole bucket) is refused; leaving it out grants the bucket", () => {
    expect(() => parseB(B_BASE + "  cross-account-irsa:prefixes: []\n")).to.throw(
      /^cross-account-irsa:prefixes: \[\] is invalid: must list at least one prefix: leave prefixes out to grant the whole bucket/,
    );
    expect(parseB(B_BASE).prefixes).to.deep.equal([]);
  });

  it("a CR, LF or other control character in a prefix or the object key is refused at parse", () => {
    for (const [escaped, code] of [
      ["\\r", "000D"],
      ["\\n", "000A"],
      ["\\t", "0009"],
      ["\\u0085", "0085"],
    ]) {
      expect(() => parseB(B_BASE + `  cross-account-irsa:prefixes: [ok/, "rep${escaped}orts/"]\n`)).to.throw(
        new RegExp(
          `^cross-account-irsa:prefixes\\[1\\]: .* is invalid: must not contain a control character \\(U\\+${code}`,
        ),
      );
    }
    expect(() => parseB(B_BASE + '  cross-account-irsa:bucket: {objectKey: "a\\nb.txt"}\n')).to.throw(
      /^cross-account-irsa:bucket\.objectKey: "a\\nb\.txt" is invalid: must not contain a control character/,
    );
  });

  it("an unknown field of account-a's serviceAccount is refused, with the field meant", () => {
    expect(() =>
      parseA(
        "config:\n  aws:region: eu-west-1\n  cross-account-irsa:serviceAccount: {namespace: a, name: b, nmae: x}\n",
      ),
    ).to.throw(
      /^cross-account-irsa:serviceAccount\.nmae: "x" is invalid: .*did you mean cross-account-irsa:serviceAccount\.name\?/,
    );
  });

  it("a KMS key in another region (or partition) than the bucket is refused", () => {
    const key = (region: string) =>
      `arn:aws:kms:${region}:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    expect(() =>
      parseB(B_BASE + `  cross-account-irsa:bucket: {kmsKeyArn: "${key("us-east-1")}"}\n`),
    ).to.throw(
      /^cross-account-irsa:bucket\.kmsKeyArn: .* is invalid: must be a key of the bucket's region, aws:region eu-west-1/,
    );
    expect(
      parseB(B_BASE + `  cross-account-irsa:bucket: {kmsKeyArn: "${key("eu-west-1")}"}\n`).bucket.kmsKeyArn,
    ).to.equal(key("eu-west-1"));
  });

  it("a repeated Pod Identity service account is refused in account-b's file, naming the entry", () => {
    expect(() => parseB(PI_B + "    - {namespace: team-a, name: s3-reader}\n")).to.throw(
      /^cross-account-irsa:serviceAccounts\[1\]: .* is invalid: repeats cross-account-irsa:serviceAccounts\[0\]/,
    );
  });

  it("Pod Identity in a China region is refused on both stacks (EKS does not offer it there); IRSA is not", () => {
    const china = (text: string) => text.replace("eu-west-1", "cn-north-1");
    expect(() => parseB(china(PI_B))).to.throw(
      /^cross-account-irsa:mechanism: "pod-identity" is invalid: cannot be used in aws:region cn-north-1: EKS Pod Identity is not available in the China Regions/,
    );
    expect(() => parseA(china(PI_A))).to.throw(/cannot be used in aws:region cn-north-1/);
    expect(parseB(china(B_BASE)).aws.partition).to.equal("aws-cn");
  });

  it("Pod Identity across partitions is refused in the plan, naming both stacks' aws:region", () => {
    const a = parseStackConfig(PI_A, "a");
    const b = parseStackConfig(PI_B.replace("eu-west-1", "us-gov-west-1"), "b");
    let error: unknown;
    try {
      parsePlanConfigs(a, b);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(PlanConfigError);
    expect(errorMessage((error as PlanConfigError).cause)).to.match(
      /^aws:region: "us-gov-west-1" is invalid: account-b's aws:region us-gov-west-1 is in partition aws-us-gov, account-a's aws:region is eu-west-1, partition aws/,
    );
  });

  it("Pod Identity across partitions is refused by account-b's program once account-a's cluster is known", () => {
    const b = parseB(PI_B.replace("eu-west-1", "us-gov-west-1"));
    expect(() =>
      checkAccountBDocuments(b, {
        clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/demo",
        sourceRoleArn: "arn:aws:iam::111122223333:role/source",
      }),
    ).to.throw(
      /account-a's cluster \(acme\/cross-account-irsa\/account-a output clusterArn\) is in eu-west-1, partition aws/,
    );
  });

  it("the plan reads cross-account-irsa:program as stacks/index.ts does: another program's file is refused", () => {
    const a = parseStackConfig("config:\n  aws:region: eu-west-1\n", "a");
    const b = parseStackConfig(B_BASE + "  cross-account-irsa:program: account-a\n", "b");
    expect(() => parsePlanConfigs(a, b)).to.throw(
      /^account-b: cross-account-irsa:program: "account-a" is invalid: makes the stack run the account-a program, but this file is given as account-b's config/,
    );
    const empty = parseStackConfig(B_BASE + '  cross-account-irsa:program: ""\n', "b");
    expect(() => parsePlanConfigs(a, empty)).to.throw(
      /cross-account-irsa:program: "" is invalid: must be "account-a" or "account-b"/,
    );
  });

  it("errors name config keys, never a component's argument (args.minSize, args.privateSubnetIds, ...)", () => {
    const A = "config:\n  aws:region: eu-west-1\n";
    const cases: Array<[string, RegExp]> = [
      [
        "  cross-account-irsa:cluster: {minSize: 5}\n",
        /^cross-account-irsa:cluster\.minSize: 5 is invalid: must not exceed cross-account-irsa:cluster\.maxSize \(default 3\)/,
      ],
      [
        "  cross-account-irsa:cluster: {desiredCapacity: 9, maxSize: 4}\n",
        /^cross-account-irsa:cluster\.desiredCapacity: 9 is invalid: must be from/,
      ],
      [
        "  cross-account-irsa:cluster: {maxSize: 0, minSize: 0, desiredCapacity: 0}\n",
        /^cross-account-irsa:cluster\.maxSize: 0 is invalid/,
      ],
      [
        "  cross-account-irsa:cluster: {vpcId: vpc-0123456789abcdef0, privateSubnetIds: []}\n",
        /^cross-account-irsa:cluster\.privateSubnetIds: \[\] is invalid/,
      ],
      [
        "  cross-account-irsa:cluster: {privateSubnetIds: [subnet-0123456789abcdef0]}\n",
        /^cross-account-irsa:cluster\.privateSubnetIds: .* is invalid: needs cluster\.vpcId/,
      ],
      [
        '  aws:assumeRoles: [{roleArn: "arn:aws:iam::111122223333:role/bad name"}]\n',
        /^aws:assumeRoles\[0\]\.roleArn: .* is invalid: must be an IAM role ARN/,
      ],
      [
        '  aws:profile: "two words"\n',
        /^aws:profile: "two words" is invalid: must be an AWS CLI profile name/,
      ],
    ];
    for (const [extra, message] of cases) {
      expect(() => parseA(A + extra), extra).to.throw(message);
    }
  });

  it("the default node sizes are WorkloadCluster's", async () => {
    const { WORKLOAD_CLUSTER_DEFAULTS } = await import("../../components/workloadCluster");
    const { DEFAULT_NODE_SIZES } = await import("../../stacks/accountAConfig");
    expect(DEFAULT_NODE_SIZES).to.deep.equal({
      minSize: WORKLOAD_CLUSTER_DEFAULTS.minSize,
      desiredCapacity: WORKLOAD_CLUSTER_DEFAULTS.desiredCapacity,
      maxSize: WORKLOAD_CLUSTER_DEFAULTS.maxSize,
    });
  });

  it("a !!binary value is shown as the text it decodes to, never as a byte map", () => {
    expect(() => parseB(B_BASE + "  cross-account-irsa:access: !!binary YWRtaW4=\n")).to.throw(
      /^cross-account-irsa:access: "admin" is invalid/,
    );
  });
});
