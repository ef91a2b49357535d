import { expect } from "chai";
import {
  PULUMI_INSTALL_URL,
  PreflightError,
  checkPulumiCli,
  explicitBackendUrl,
  isSelfManagedBackend,
  normalizeBackendUrl,
  readProjectName,
} from "../../cli/shared/pulumiCli";
import { stackNameProblem } from "../../cli/shared/stacks";
import {
  type StackFile,
  checkAwsCredentials,
  checkPassphrase,
  currentBackendUrl,
  environmentCredentialSources,
  readStackFile,
  stackConfigFileName,
  usesPassphrase,
  fileBackendDirectory,
  parseAwsCliVersion,
} from "../../deploy/preflight";
import { MemoryFileSystem, scriptedRunner } from "./fakeSystem";

const HOME = "/home/u";
const REPO = "/repo";

function stackFile(stack: string, overrides: Partial<StackFile> = {}): StackFile {
  return {
    stack,
    path: `${REPO}/Pulumi.${stack}.yaml`,
    exists: true,
    config: {},
    hasEncryptionSalt: false,
    ...overrides,
  };
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

async function rejected(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("automation up-front checks", () => {
  describe("Pulumi CLI", () => {
    it("says how to install the CLI when `pulumi` is not on PATH", async () => {
      const run = scriptedRunner({});
      const error = await rejected(checkPulumiCli(run));
      expect(error).to.be.instanceOf(PreflightError);
      expect(error.message).to.include("was not found on PATH");
      expect(error.message).to.include(PULUMI_INSTALL_URL);
      expect(run.runs.map((r) => [r.command, ...r.args].join(" "))).to.deep.equal(["pulumi version"]);
    });

    it("returns the version when the CLI runs", async () => {
      expect(await checkPulumiCli(scriptedRunner({ pulumi: { stdout: "v3.248.0\n" } }))).to.equal("v3.248.0");
    });

    it("reports a CLI that fails", async () => {
      const error = await rejected(checkPulumiCli(scriptedRunner({ pulumi: { code: 1, stderr: "boom\n" } })));
      expect(error.message).to.equal("`pulumi version` failed (exit 1): boom");
    });

    it("passes on errors other than a missing command", async () => {
      const run = () => Promise.reject(new Error("EACCES"));
      const error = await rejected(checkPulumiCli(run));
      expect(error).not.to.be.instanceOf(PreflightError);
    });
  });

  describe("backend", () => {
    it("prefers --backend over PULUMI_BACKEND_URL, and uses neither when unset", () => {
      const env = { PULUMI_BACKEND_URL: "s3://state-bucket" };
      expect(explicitBackendUrl("file:///state", env, "/cwd")).to.equal("file:///state");
      expect(explicitBackendUrl(undefined, env, "/cwd")).to.equal("s3://state-bucket");
      expect(explicitBackendUrl(undefined, { PULUMI_BACKEND_URL: "" }, "/cwd")).to.equal(undefined);
      expect(explicitBackendUrl(undefined, {}, "/cwd")).to.equal(undefined);
    });

    it("makes relative file:// paths absolute and keeps absolute and home paths", () => {
      expect(normalizeBackendUrl("file://./state", "/work/dir")).to.equal("file:///work/dir/state");
      expect(normalizeBackendUrl("file://state/x", "/work/dir")).to.equal("file:///work/dir/state/x");
      expect(normalizeBackendUrl("file:///abs", "/work/dir")).to.equal("file:///abs");
      expect(normalizeBackendUrl("file://~", "/work/dir")).to.equal("file://~");
      expect(normalizeBackendUrl("https://api.pulumi.com", "/w")).to.equal("https://api.pulumi.com");
    });

    it("rejects a backend without a scheme", () => {
      const error = thrown(() => normalizeBackendUrl("./state", "/w"));
      expect(error.message).to.include('backend "./state" is not a URL: use file://<directory>');
    });

    it("tells self-managed backends from Pulumi Cloud", () => {
      for (const url of ["file:///s", "file://~", "s3://b", "gs://b", "azblob://c", "postgres://h/db"]) {
        expect(isSelfManagedBackend(url), url).to.be.true;
      }
      expect(isSelfManagedBackend("https://api.pulumi.com")).to.be.false;
      expect(isSelfManagedBackend("https://pulumi.example.com")).to.be.false;
    });

    it("reads the current login's URL from `pulumi whoami --json`", async () => {
      const run = scriptedRunner({
        "pulumi whoami": {
          stdout: JSON.stringify({ user: "me", url: "https://api.pulumi.com", organizations: [] }),
        },
      });
      expect(await currentBackendUrl(run)).to.equal("https://api.pulumi.com");
      expect(run.runs[0].args).to.deep.equal(["whoami", "--json", "--non-interactive"]);
    });

    it("says how to log in when the CLI is not logged in", async () => {
      const run = scriptedRunner({
        "pulumi whoami": {
          code: 255,
          stderr: "error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions\n",
        },
      });
      const error = await rejected(currentBackendUrl(run));
      expect(error.message).to.include("not logged in to a backend (error: PULUMI_ACCESS_TOKEN must be set");
      expect(error.message).to.include("pass --backend file://<directory>");
    });
  });

  describe("project and stack files", () => {
    it("reads the project name from Pulumi.yaml and fails clearly without one", () => {
      const fs = new MemoryFileSystem({
        [`${REPO}/Pulumi.yaml`]: "name: cross-account-irsa\nruntime: nodejs\n",
      });
      expect(readProjectName(fs, REPO)).to.equal("cross-account-irsa");
      expect(thrown(() => readProjectName(new MemoryFileSystem(), REPO)).message).to.equal(
        "no Pulumi.yaml in /repo: the automation runs the Pulumi project found there",
      );
      const nameless = new MemoryFileSystem({ [`${REPO}/Pulumi.yaml`]: "runtime: nodejs\n" });
      expect(thrown(() => readProjectName(nameless, REPO)).message).to.include("has no project name");
    });

    it("names the config file after the short stack name", () => {
      expect(stackConfigFileName("account-a")).to.equal("Pulumi.account-a.yaml");
      expect(stackConfigFileName("my-org/cross-account-irsa/dev-a")).to.equal("Pulumi.dev-a.yaml");
    });

    it("reads config, secrets provider and encryption salt; a missing file is empty", () => {
      const fs = new MemoryFileSystem({
        [`${REPO}/Pulumi.account-a.yaml`]:
          "secretsprovider: passphrase\nencryptionsalt: v1:abc\nconfig:\n  aws:region: eu-west-1\n  aws:profile: a-admin\n",
      });
      const file = readStackFile(fs, REPO, "account-a");
      expect(file).to.deep.include({ exists: true, secretsProvider: "passphrase", hasEncryptionSalt: true });
      expect(file.config).to.deep.equal({ "aws:region": "eu-west-1", "aws:profile": "a-admin" });
      expect(readStackFile(fs, REPO, "account-b")).to.deep.include({
        exists: false,
        config: {},
        hasEncryptionSalt: false,
      });
    });

    it("names the file when it is not valid YAML", () => {
      const fs = new MemoryFileSystem({ [`${REPO}/Pulumi.account-a.yaml`]: "config:\n  a: [\n" });
      expect(thrown(() => readStackFile(fs, REPO, "account-a")).message).to.match(
        /^\/repo\/Pulumi\.account-a\.yaml: not valid YAML/,
      );
    });

    it("validates stack names", () => {
      for (const ok of ["account-a", "org/account-a", "org/cross-account-irsa/dev_a.1"]) {
        expect(stackNameProblem(ok), ok).to.equal(undefined);
      }
      for (const bad of ["", "a b", "a/b/c/d", "x;rm", "-/a"]) {
        expect(stackNameProblem(bad), bad).to.include("is not a valid stack name");
      }
    });
  });

  describe("passphrase", () => {
    const files = [stackFile("account-a"), stackFile("account-b")];
    const fs = new MemoryFileSystem({ "/secrets/pass": "p" });

    it("fails before anything runs on a self-managed backend without a passphrase", () => {
      const error = thrown(() => checkPassphrase(files, true, "file:///state", {}, fs));
      expect(error).to.be.instanceOf(PreflightError);
      expect(error.message).to.include(
        "Stacks account-a and account-b on file:///state encrypt secrets with a passphrase",
      );
      expect(error.message).to.include(
        "neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set",
      );
      expect(error.message).to.include("export PULUMI_CONFIG_PASSPHRASE=");
    });

    it("accepts PULUMI_CONFIG_PASSPHRASE (even empty) or an existing PULUMI_CONFIG_PASSPHRASE_FILE", () => {
      expect(() =>
        checkPassphrase(files, true, "file:///s", { PULUMI_CONFIG_PASSPHRASE: "" }, fs),
      ).not.to.throw();
      expect(() =>
        checkPassphrase(files, true, "file:///s", { PULUMI_CONFIG_PASSPHRASE_FILE: "/secrets/pass" }, fs),
      ).not.to.throw();
    });

    it("rejects a PULUMI_CONFIG_PASSPHRASE_FILE that does not exist", () => {
      const error = thrown(() =>
        checkPassphrase(files, true, "file:///s", { PULUMI_CONFIG_PASSPHRASE_FILE: "/nope" }, fs),
      );
      expect(error.message).to.equal("PULUMI_CONFIG_PASSPHRASE_FILE names /nope, which does not exist.");
    });

    it("needs no passphrase on Pulumi Cloud, unless a stack file has an encryption salt", () => {
      expect(() => checkPassphrase(files, false, "https://api.pulumi.com", {}, fs)).not.to.throw();
      const salted = [stackFile("account-a", { hasEncryptionSalt: true }), stackFile("account-b")];
      expect(thrown(() => checkPassphrase(salted, false, "https://api.pulumi.com", {}, fs)).message).to.match(
        /^Stack account-a on https:\/\/api\.pulumi\.com encrypt/,
      );
    });

    it("follows the stack's declared secrets provider", () => {
      expect(usesPassphrase(stackFile("a", { secretsProvider: "awskms://alias/x" }), true)).to.be.false;
      expect(usesPassphrase(stackFile("a", { secretsProvider: "passphrase" }), false)).to.be.true;
      expect(usesPassphrase(stackFile("a"), true)).to.be.true;
      expect(usesPassphrase(stackFile("a"), false)).to.be.false;
    });
  });

  describe("AWS credentials", () => {
    const empty = new MemoryFileSystem();
    const files = [stackFile("account-a"), stackFile("account-b")];

    it("fails with what to set when there is no credential source at all", () => {
      const error = thrown(() => checkAwsCredentials(files, {}, empty, HOME));
      expect(error).to.be.instanceOf(PreflightError);
      expect(error.message).to.include("No AWS credentials found for account-a and account-b.");
      expect(error.message).to.include("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
      expect(error.message).to.include("AWS_PROFILE");
      expect(error.message).to.include("`pulumi config set aws:profile <profile> --stack account-b`");
      expect(error.message).to.include("--skip-aws-check");
    });

    const sources: Array<[string, Record<string, string>, MemoryFileSystem, string]> = [
      [
        "access keys",
        { AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "x" },
        empty,
        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
      ],
      ["a profile", { AWS_PROFILE: "dev" }, empty, "AWS_PROFILE=dev"],
      [
        "web identity",
        { AWS_WEB_IDENTITY_TOKEN_FILE: "/t", AWS_ROLE_ARN: "arn" },
        empty,
        "AWS_WEB_IDENTITY_TOKEN_FILE",
      ],
      [
        "container credentials",
        { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/creds" },
        empty,
        "container credentials",
      ],
      [
        "~/.aws/credentials",
        {},
        new MemoryFileSystem({ [`${HOME}/.aws/credentials`]: "[default]" }),
        `${HOME}/.aws/credentials`,
      ],
      [
        "~/.aws/config",
        {},
        new MemoryFileSystem({ [`${HOME}/.aws/config`]: "[default]" }),
        `${HOME}/.aws/config`,
      ],
      [
        "AWS_CONFIG_FILE",
        { AWS_CONFIG_FILE: "/etc/aws" },
        new MemoryFileSystem({ "/etc/aws": "" }),
        "/etc/aws",
      ],
    ];
    for (const [name, env, fs, described] of sources) {
      it(`accepts ${name}`, () => {
        const lines = checkAwsCredentials(files, env, fs, HOME);
        expect(lines).to.have.length(2);
        expect(lines[0]).to.include(described);
      });
    }

    it("accepts aws:profile or aws:assumeRoles in each stack's config", () => {
      const withConfig = [
        stackFile("account-a", { config: { "aws:profile": "a-admin" } }),
        stackFile("account-b", { config: { "aws:assumeRoles": [{ roleArn: "arn:aws:iam::1:role/r" }] } }),
      ];
      expect(checkAwsCredentials(withConfig, {}, empty, HOME)).to.deep.equal([
        "account-a: AWS credentials from aws:profile in Pulumi.account-a.yaml",
        "account-b: AWS credentials from aws:assumeRoles in Pulumi.account-b.yaml",
      ]);
    });

    it("names only the stack that lacks credentials", () => {
      const oneSided = [stackFile("account-a", { config: { "aws:profile": "a" } }), stackFile("account-b")];
      const error = thrown(() => checkAwsCredentials(oneSided, {}, empty, HOME));
      expect(error.message).to.match(/^No AWS credentials found for account-b\./);
    });

    it("rejects an access key id without its secret", () => {
      const error = thrown(() => environmentCredentialSources({ AWS_ACCESS_KEY_ID: "AKIA" }, empty, HOME));
      expect(error.message).to.equal(
        "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or unset both.",
      );
    });
  });

  describe("AWS CLI version and state directory", () => {
    it("reads the AWS CLI's version from `aws --version`, v1 and v2", () => {
      expect(
        parseAwsCliVersion("aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22"),
      ).to.deep.equal([2, 15, 30]);
      expect(parseAwsCliVersion("aws-cli/1.32.1 Python/3.8.10 Linux/5.15.0 botocore/1.34.1")).to.deep.equal([
        1, 32, 1,
      ]);
      expect(parseAwsCliVersion("command not found")).to.equal(undefined);
    });

    it("finds the directory of a file:// backend, ~ as the home directory", () => {
      expect(fileBackendDirectory("file:///srv/state", "/home/me")).to.equal("/srv/state");
      expect(fileBackendDirectory("file://~/.pulumi", "/home/me")).to.equal("/home/me/.pulumi");
      expect(fileBackendDirectory("file://~", "/home/me")).to.equal("/home/me");
      expect(fileBackendDirectory("s3://bucket", "/home/me")).to.equal(undefined);
    });
  });
});
