import { readFileSync } from "node:fs";
import { expect } from "chai";
import * as yaml from "js-yaml";
import { parseStackConfig, OFFLINE_SECRET } from "../../stacks/stackFile";
import {
  configGetters,
  parseAccountAConfig,
  parseAccountBConfig,
  qualifyStackName,
  type ConfigGetter,
} from "../../stacks/config";
import { selectProgramName } from "../../stacks";

/** Getters over a stack file's text, as the programs see its values. */
function getters(yamlText: string): { get: ConfigGetter; getAws: ConfigGetter } {
  const { config } = parseStackConfig(yamlText, "test");
  return configGetters((namespace, k) => config[`${namespace}:${k}`]);
}

const B_BASE =
  "config:\n  aws:region: eu-west-1\n  cross-account-irsa:serviceAccounts: [{namespace: apps, name: reader}]\n";

function parseB(extra: string) {
  const { get, getAws } = getters(B_BASE + extra);
  return parseAccountBConfig(get, getAws, "acme");
}
function parseA(extra: string) {
  const { get, getAws } = getters("config:\n  aws:region: eu-west-1\n" + extra);
  return parseAccountAConfig(get, getAws, "acme");
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
    expect(() => parseStackConfig("config:\n  region: x\n", "Pulumi.x.yaml")).to.throw(
      /config key "region" must be <namespace>:<key>/,
    );
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
    ["missing region", "", /aws:region: undefined is invalid: must be set/],
    [
      "no service accounts",
      "",
      /cross-account-irsa:serviceAccounts: undefined is invalid: must list the service accounts/,
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
      /cross-account-irsa:bucket\.name: undefined is invalid: must name the existing bucket/,
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
      /cross-account-irsa:accountAStack: "a\/b\/c\/d" is invalid: must be a stack name/,
    ],
    [
      "bad allowed account",
      "  aws:allowedAccountIds: ['123']\n",
      /aws:allowedAccountIds\[0\]: "123" is invalid: must be a 12-digit AWS account id/,
    ],
  ];
  for (const [label, extra, message] of errors) {
    it(`rejects ${label}`, () => {
      const text =
        label === "missing region"
          ? B_BASE.replace("  aws:region: eu-west-1\n", "")
          : label === "no service accounts"
            ? "config:\n  aws:region: eu-west-1\n"
            : (extra.includes("serviceAccounts") ? "config:\n  aws:region: eu-west-1\n" : B_BASE) + extra;
      const { get, getAws } = getters(text);
      expect(() => parseAccountBConfig(get, getAws, "acme")).to.throw(message);
    });
  }
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
      parseA(`  aws:profile: ops\n  aws:assumeRoles: [{roleArn: "${ROLE}", sessionName: s}]\n`).kubeconfig,
    ).to.deep.equal({ profile: "ops", roleArn: ROLE });
  });
  it("refuses a chain of roles, which aws eks get-token --role-arn cannot reproduce", () => {
    expect(() =>
      parseA(`  aws:assumeRoles: [{roleArn: "${ROLE}"}, {roleArn: "${ROLE.replace("Pulumi", "Second")}"}]\n`),
    ).to.throw(/aws:assumeRoles: .* is invalid: must name at most one role on account-a: .*set aws:profile/);
  });
  it("refuses an external id, which aws eks get-token cannot pass", () => {
    expect(() => parseA(`  aws:assumeRoles: [{roleArn: "${ROLE}", externalId: x}]\n`)).to.throw(
      /aws:assumeRoles\[0\]\.externalId: "x" is invalid: cannot be used on account-a/,
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
    expect(qualifyStackName("f", "other/account-a", "acme")).to.equal("acme/other/account-a");
    expect(qualifyStackName("f", "x/y/z", "acme")).to.equal("x/y/z");
  });
  it("selects the program from config or the stack name", () => {
    expect(selectProgramName("prod-account-a", undefined)).to.equal("account-a");
    expect(selectProgramName("account-b", undefined)).to.equal("account-b");
    expect(selectProgramName("dev", "account-b")).to.equal("account-b");
    expect(() => selectProgramName("dev", undefined)).to.throw(
      /cross-account-irsa:program: undefined is invalid: must be set/,
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
