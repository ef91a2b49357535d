import { readFileSync } from "node:fs";
import { expect } from "chai";
import * as yaml from "js-yaml";
import { MAX_STACK_FILE_BYTES, parseStackConfig, OFFLINE_SECRET } from "../../stacks/stackFile";
import {
  configGetters,
  parseAccountAConfig,
  parseAccountBConfig,
  qualifyStackName,
  type StackSettings,
} from "../../stacks/config";
import { selectProgramName } from "../../stacks";

/** The settings of a stack file's text, as the programs see its values. */
function getters(yamlText: string): StackSettings {
  const { config, secretKeys } = parseStackConfig(yamlText, "test");
  return configGetters(config, secretKeys);
}

const B_BASE =
  "config:\n  aws:region: eu-west-1\n  cross-account-irsa:serviceAccounts: [{namespace: apps, name: reader}]\n";

function parseB(extra: string) {
  return parseAccountBConfig(getters(B_BASE + extra), "acme");
}
function parseA(extra: string) {
  return parseAccountAConfig(getters("config:\n  aws:region: eu-west-1\n" + extra), "acme");
}

describe("stack config files", () => {
  it("flattens YAML to <namespace>:<key> strings, objects as JSON, secure values marked secret", () => {
    const { config, secretKeys } = parseStackConfig(
      "config:\n  aws:region: eu-west-1\n  p:list: [1, 2]\n  p:pw:\n    secure: AAABAx==\n",
      "f",
    );
    expect(config).to.deep.equal({ "aws:region": "eu-west-1", "p:list": "[1,2]", "p:pw": OFFLINE_SECRET });
    expect(secretKeys).to.deep.equal(["p:pw"]);
  });
  it("names the file on bad YAML and bad keys", () => {
    expect(() => parseStackConfig("config: [", "Pulumi.x.yaml")).to.throw(/^Pulumi.x.yaml: not valid YAML/);
    expect(() => parseStackConfig("config:\n  a:b:region: x\n", "Pulumi.x.yaml")).to.throw(
      /config key "a:b:region" must be <namespace>:<key>/,
    );
  });
  // Without the count, flattening the config never finishes: mocha's timeout is what fails then.
  it("refuses a YAML alias bomb, naming the file (the expansion is counted, not built)", () => {
    // 9 levels of 9 aliases: 658 bytes that stand for 9^9 (387 million) values once expanded.
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const bomb = `config:\n${levels.map((l) => `  p:${l}`).join("\n")}\n`;
    expect(Buffer.byteLength(bomb)).to.be.below(1000);
    expect(() => parseStackConfig(bomb, "Pulumi.bomb.yaml")).to.throw(
      /^Pulumi\.bomb\.yaml: expands to more than 100000 values once its YAML aliases are resolved/,
    );
  });
  it("refuses files larger than any stack file and numbers no config value can be", () => {
    const big = `config:\n  p:k: "${"x".repeat(MAX_STACK_FILE_BYTES)}"\n`;
    expect(() => parseStackConfig(big, "Pulumi.big.yaml")).to.throw(
      /^Pulumi\.big\.yaml: larger than 262144 bytes/,
    );
    expect(() => parseStackConfig("config:\n  p:n: .inf\n", "Pulumi.x.yaml")).to.throw(
      /^Pulumi\.x\.yaml: holds Infinity, which no config value can be/,
    );
    expect(() => parseStackConfig("config:\n  p:n: .nan\n", "Pulumi.x.yaml")).to.throw(/holds NaN/);
  });
});

describe("account-b config", () => {
  it("applies the documented defaults", () => {
    const c = parseB("");
    expect(c.accountAStack).to.equal("acme/cross-account-irsa/account-a");
    expect(c.access).to.equal("read");
    expect(c.conditionTest).to.equal("StringEquals");
    expect(c.bucket).to.include({ create: true, objectKey: "irsa-check.txt", forceDestroy: false });
    expect(c.maxSessionDuration).to.equal(3600);
  });
  it("puts the default object under the first prefix", () => {
    expect(parseB("  cross-account-irsa:prefixes: [reports/, logs/]\n").bucket.objectKey).to.equal(
      "logs/irsa-check.txt",
    );
  });
  const errors: Array<[string, string, RegExp]> = [
    ["missing region", "", /^aws:region is not set: it is the region of this stack/],
    [
      "no service accounts",
      "",
      /^cross-account-irsa:serviceAccounts is not set: it lists the service accounts/,
    ],
    [
      "wildcard without StringLike",
      "  cross-account-irsa:serviceAccounts: [{namespace: '*', name: reader}]\n",
      /serviceAccounts\[0\]\.namespace: "\*" is invalid: wildcards/,
    ],
    [
      "unknown bucket setting",
      "  cross-account-irsa:bucket: {nmae: x}\n",
      /cross-account-irsa:bucket\.nmae: "x" is invalid: is not a known setting/,
    ],
    [
      "existing bucket without a name",
      "  cross-account-irsa:bucket: {create: false}\n",
      /^cross-account-irsa:bucket\.name is not set: it must name the existing bucket/,
    ],
    [
      "object outside the prefixes",
      "  cross-account-irsa:prefixes: [a/]\n  cross-account-irsa:bucket: {objectKey: b/x}\n",
      /cross-account-irsa:bucket\.objectKey: "b\/x" is invalid: must be under one of the granted prefixes/,
    ],
    [
      "bad access",
      "  cross-account-irsa:access: write\n",
      /cross-account-irsa:access: "write" is invalid: must be one of/,
    ],
    [
      "bad prefix",
      "  cross-account-irsa:prefixes: ['/a']\n",
      /cross-account-irsa:prefixes\[0\]: "\/a" is invalid: must not start with '\/'/,
    ],
    [
      "bad stack name",
      "  cross-account-irsa:accountAStack: a/b/c/d\n",
      /cross-account-irsa:accountAStack: "a\/b\/c\/d" is invalid: must be a stack reference/,
    ],
    [
      "bad allowed account",
      "  aws:allowedAccountIds: ['123']\n",
      /aws:allowedAccountIds\[0\]: "123" is invalid: must be a 12-digit AWS account id/,
    ],
    [
      "a trust policy limit beyond IAM's quota",
      "  cross-account-irsa:maxTrustPolicySize: 8192\n",
      /cross-account-irsa:maxTrustPolicySize: 8192 is invalid: must be a whole number from 2048 to 4096/,
    ],
    [
      "an adopted provider that is not a provider ARN",
      "  cross-account-irsa:existingOidcProviderArn: arn:aws:iam::444455556666:role/x\n",
      /cross-account-irsa:existingOidcProviderArn: ".*" is invalid: must be an IAM OIDC provider ARN/,
    ],
    [
      "an adopted provider outside the pinned account B",
      "  aws:allowedAccountIds: ['444455556666']\n  cross-account-irsa:existingOidcProviderArn: arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB\n",
      /cross-account-irsa:existingOidcProviderArn: ".*" is invalid: must be in account B \(aws:allowedAccountIds \["444455556666"\]\)/,
    ],
    [
      "an adopted provider in another partition",
      "  cross-account-irsa:existingOidcProviderArn: arn:aws-cn:iam::444455556666:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB\n",
      /cross-account-irsa:existingOidcProviderArn: ".*" is invalid: must be in the partition of aws:region eu-west-1 \("aws"\)/,
    ],
    // Keys nobody reads would be ignored silently: a misspelt one would widen or skip something.
    [
      "a misspelt key (prefix for prefixes: the whole bucket)",
      "  cross-account-irsa:prefix: [reports/]\n",
      /cross-account-irsa:prefix: "\[\\"reports\/\\"\]" is invalid: is not a setting of the account-b program: did you mean cross-account-irsa:prefixes\?/,
    ],
    [
      "a misspelt key (acess)",
      "  cross-account-irsa:acess: read-write\n",
      /cross-account-irsa:acess: .* did you mean cross-account-irsa:access\?/,
    ],
    [
      "a key in the wrong case (Prefixes)",
      "  cross-account-irsa:Prefixes: [a/]\n",
      /did you mean cross-account-irsa:prefixes\?/,
    ],
    [
      "an account-a key on account-b",
      "  cross-account-irsa:serviceAccount: {namespace: apps, name: reader}\n",
      /cross-account-irsa:serviceAccount: .* is invalid: is a setting of the account-a program; the account-b program does not read it/,
    ],
    [
      "an unknown aws: key (aws:profil: the provider would use other credentials)",
      "  aws:profil: ops\n",
      /aws:profil: "ops" is invalid: is not a setting of the stacks' AWS provider: did you mean aws:profile\?/,
    ],
    [
      "a list for a number",
      "  cross-account-irsa:maxSessionDuration: [3600]\n",
      /maxSessionDuration: \[3600\] is invalid: must be a whole number/,
    ],
    [
      "text for a number",
      "  cross-account-irsa:maxSessionDuration: '3.6e3'\n",
      /maxSessionDuration: 3600 is invalid|maxSessionDuration: "3\.6e3" is invalid/,
    ],
    [
      "a boolean for a number",
      "  cross-account-irsa:maxSessionDuration: true\n",
      /maxSessionDuration: true is invalid: must be a whole number/,
    ],
    [
      "a policy variable in a prefix",
      "  cross-account-irsa:prefixes: ['home/${aws:userid}/']\n",
      /cross-account-irsa:prefixes\[0\]: .* is invalid: must not contain '\$\{'/,
    ],
    [
      "a character IAM refuses in a prefix",
      "  cross-account-irsa:prefixes: ['日本/']\n",
      /cross-account-irsa:prefixes\[0\]: "日本\/" is invalid: must contain only characters IAM accepts in a policy .* U\+65E5/,
    ],
    ["a zero-width space in a prefix", '  cross-account-irsa:prefixes: ["x\\u200b/"]\n', /U\+200B/],
    [
      "a wildcard namespace under StringLike",
      "  cross-account-irsa:conditionTest: StringLike\n  cross-account-irsa:serviceAccounts: [{namespace: '*', name: '??*'}]\n",
      /cross-account-irsa:serviceAccounts\[0\]\.namespace: "\*" is invalid: must be named literally/,
    ],
    [
      "a namespace-wide set of patterns, not asked for",
      "  cross-account-irsa:conditionTest: StringLike\n  cross-account-irsa:serviceAccounts: [{namespace: apps, name: '*'}]\n",
      /cross-account-irsa:serviceAccounts: .* is invalid: together match every service account of namespace apps; .*trustWholeNamespaces: true/,
    ],
    [
      "a misspelt key in a service account entry",
      "  cross-account-irsa:serviceAccounts: [{namespace: apps, name: reader, nmae: writer}]\n",
      /cross-account-irsa:serviceAccounts\[0\]\.nmae: .* is invalid: .*name/,
    ],
    [
      "a wildcard with Pod Identity, naming the mechanism (not conditionTest, which Pod Identity refuses)",
      "  cross-account-irsa:mechanism: pod-identity\n  cross-account-irsa:serviceAccounts: [{namespace: apps, name: 'r*'}]\n",
      /cross-account-irsa:serviceAccounts\[0\]\.name: "r\*" is invalid: cannot hold a wildcard with cross-account-irsa:mechanism "pod-identity"/,
    ],
    [
      'trustWholeNamespaces written as the string "true" with Pod Identity',
      '  cross-account-irsa:mechanism: pod-identity\n  cross-account-irsa:trustWholeNamespaces: "true"\n',
      /cross-account-irsa:trustWholeNamespaces: "?true"? is invalid: cannot be used with cross-account-irsa:mechanism "pod-identity"/,
    ],
    [
      "a region of no known partition",
      "  aws:region: xx-moon-1\n",
      /aws:region: "xx-moon-1" is invalid: is in no AWS partition/,
    ],
  ];
  for (const [label, extra, message] of errors) {
    it(`rejects ${label}`, () => {
      const text =
        label === "missing region"
          ? B_BASE.replace("  aws:region: eu-west-1\n", "")
          : label === "no service accounts"
            ? "config:\n  aws:region: eu-west-1\n"
            : extra.includes("aws:region")
              ? B_BASE.replace("  aws:region: eu-west-1\n", "") + extra
              : (extra.includes("serviceAccounts:") ? "config:\n  aws:region: eu-west-1\n" : B_BASE) + extra;
      expect(() => parseAccountBConfig(getters(text), "acme")).to.throw(message);
    });
  }
});

describe("account-b config: whole namespaces and partitions", () => {
  it("takes a namespace-wide set of patterns when trustWholeNamespaces says so", () => {
    const text =
      "config:\n  aws:region: eu-west-1\n  cross-account-irsa:conditionTest: StringLike\n" +
      "  cross-account-irsa:serviceAccounts: [{namespace: apps, name: '*'}]\n" +
      "  cross-account-irsa:trustWholeNamespaces: true\n";
    const c = parseAccountBConfig(getters(text), "acme");
    expect(c.trustWholeNamespaces).to.equal(true);
    expect(c.serviceAccounts).to.deep.equal([{ namespace: "apps", name: "*" }]);
    expect(parseB("").trustWholeNamespaces).to.equal(false);
  });

  it("derives every ARN's partition from the region's prefix, never guessing aws", () => {
    const partitionOf = (region: string) =>
      parseAccountBConfig(getters(B_BASE.replace("eu-west-1", region)), "acme").aws.partition;
    const expected: Array<[string, string]> = [
      ["eu-west-1", "aws"],
      ["il-central-1", "aws"],
      ["cn-north-1", "aws-cn"],
      ["us-gov-west-1", "aws-us-gov"],
      ["us-iso-east-1", "aws-iso"],
      ["us-isob-east-1", "aws-iso-b"],
      ["eu-isoe-west-1", "aws-iso-e"],
      ["us-isof-south-1", "aws-iso-f"],
      ["eusc-de-east-1", "aws-eusc"],
    ];
    for (const [region, partition] of expected) expect(partitionOf(region), region).to.equal(partition);
  });
});

describe("account-a config", () => {
  it("defaults: account-b in the same organization and project, probe on, no cross-check", () => {
    const c = parseA("");
    expect(c.accountBStack).to.equal("acme/cross-account-irsa/account-b");
    expect(c.deployProbe).to.equal(true);
    expect(c.serviceAccount).to.equal(undefined);
  });
  it("adopts an existing cluster by name", () => {
    expect(parseA("  cross-account-irsa:cluster: {existingName: prod-1}\n").cluster).to.deep.equal({
      existingName: "prod-1",
    });
  });
  const errors: Array<[string, string, RegExp]> = [
    [
      "existingName with creation settings",
      "  cross-account-irsa:cluster: {existingName: c, instanceType: t3.large}\n",
      /cross-account-irsa:cluster\.instanceType: "t3.large" is invalid: cannot be combined with cluster\.existingName/,
    ],
    [
      "bad cluster name",
      "  cross-account-irsa:cluster: {existingName: '-x'}\n",
      /cross-account-irsa:cluster\.existingName: "-x" is invalid: must be an EKS cluster name/,
    ],
    [
      "bad subnet",
      "  cross-account-irsa:cluster: {privateSubnetIds: [x]}\n",
      /cross-account-irsa:cluster\.privateSubnetIds\[0\]: "x" is invalid: must be an EC2 subnet id/,
    ],
    [
      "a version EKS does not take",
      "  cross-account-irsa:cluster: {version: '1.33.2'}\n",
      /cross-account-irsa:cluster\.version: "1.33.2" is invalid: must be a Kubernetes minor version/,
    ],
    [
      "a bad instance type",
      "  cross-account-irsa:cluster: {instanceType: large}\n",
      /cross-account-irsa:cluster\.instanceType: "large" is invalid: must be an EC2 instance type/,
    ],
    [
      "bad service account",
      "  cross-account-irsa:serviceAccount: {namespace: apps, name: Reader}\n",
      /cross-account-irsa:serviceAccount\.name: "Reader" is invalid: must be a DNS-1123 subdomain/,
    ],
    [
      "bad deployProbe",
      "  cross-account-irsa:deployProbe: maybe\n",
      /cross-account-irsa:deployProbe: "maybe" is invalid: must be true or false/,
    ],
  ];
  for (const [label, extra, message] of errors) {
    it(`rejects ${label}`, () => expect(() => parseA(extra)).to.throw(message));
  }
});

describe("account-a's kubeconfig authenticates as its AWS provider does", () => {
  const ROLE = "arn:aws:iam::111122223333:role/PulumiDeploy";
  it("uses no profile or role when the provider uses the environment's credentials", () => {
    expect(parseA("").kubeconfig).to.deep.equal({});
  });
  it("takes aws:profile and the role of aws:assumeRoles", () => {
    expect(
      parseA(`  aws:profile: ops\n  aws:assumeRoles: [{roleArn: "${ROLE}", sessionName: deploy}]\n`)
        .kubeconfig,
    ).to.deep.equal({ profile: "ops", roleArn: ROLE });
  });
  it("refuses a chain of roles, which aws eks get-token --role-arn cannot reproduce", () => {
    expect(() =>
      parseA(`  aws:assumeRoles: [{roleArn: "${ROLE}"}, {roleArn: "${ROLE.replace("Pulumi", "Second")}"}]\n`),
    ).to.throw(/aws:assumeRoles: .* is invalid: must name at most one role on account-a: .*set aws:profile/);
  });
  it("refuses an external id, which aws eks get-token cannot pass", () => {
    expect(() => parseA(`  aws:assumeRoles: [{roleArn: "${ROLE}", externalId: ext-1}]\n`)).to.throw(
      /aws:assumeRoles\[0\]\.externalId: "ext-1" is invalid: cannot be used on account-a/,
    );
  });
  it("refuses static keys in the stack file on both stacks (the explicit provider never reads them), without echoing them", () => {
    for (const key of ["accessKey", "secretKey", "token"]) {
      const error = (() => {
        try {
          parseA(`  aws:${key}: AKIASECRETVALUE\n`);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(error?.message).to.match(new RegExp(`^aws:${key}: .* is invalid: is not used`));
      expect(error?.message).to.not.include("AKIASECRETVALUE");
      expect(() => parseB(`  aws:${key}: x\n`)).to.throw(`aws:${key}`);
    }
  });
});

describe("stack names and program selection", () => {
  it("qualifies StackReference names for Pulumi Cloud and file:// backends alike", () => {
    expect(qualifyStackName("f", "account-a", "organization")).to.equal(
      "organization/cross-account-irsa/account-a",
    );
    // Two parts are <organization>/<stack>, as Pulumi reads them (httpstate/backend.go 1093-1095).
    expect(qualifyStackName("f", "other/account-a", "acme")).to.equal("other/cross-account-irsa/account-a");
    expect(qualifyStackName("f", "xyz/y/z", "acme")).to.equal("xyz/y/z");
  });
  it("refuses what is no stack reference by Pulumi's rules: ../x, ./x, a//b, empty parts, a bad organization", () => {
    for (const bad of ["../x", "./x", "org/../x", "a//b", "", "x/", "-org/p/s", "o/p/s/t", "x y"]) {
      expect(() => qualifyStackName("cross-account-irsa:accountAStack", bad, "acme"), bad).to.throw(
        /^cross-account-irsa:accountAStack: .* is invalid: must be a stack reference/,
      );
    }
  });
  it("selects the program from config or the stack name", () => {
    expect(selectProgramName("prod-account-a", undefined)).to.equal("account-a");
    expect(selectProgramName("account-b", undefined)).to.equal("account-b");
    expect(selectProgramName("dev", "account-b")).to.equal("account-b");
    expect(() => selectProgramName("dev", undefined)).to.throw(
      /^cross-account-irsa:program is not set: set it to "account-a" or "account-b"/,
    );
    expect(() => selectProgramName("dev", "c")).to.throw(/cross-account-irsa:program: "c" is invalid/);
  });
});

describe("Pulumi.yaml", () => {
  it("disables the aws and kubernetes default providers, so every resource needs the stack's explicit one", () => {
    const project = yaml.load(readFileSync("Pulumi.yaml", "utf8")) as {
      name: string;
      main: string;
      config: Record<string, { value: string[] }>;
    };
    expect(project.name).to.equal("cross-account-irsa");
    expect(project.main).to.equal("index.ts");
    expect(project.config["pulumi:disable-default-providers"].value).to.include.members([
      "aws",
      "kubernetes",
    ]);
  });
});
