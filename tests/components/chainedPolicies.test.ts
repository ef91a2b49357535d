/**
 * The irsa-chained documents: exact shapes, refusals, and the decisions they give, ours and
 * @cloud-copilot/iam-simulate's (near misses: another service account, another role of account A, a
 * role of the same name in a third account, all denied).
 */
import { expect } from "chai";
import { type Simulation } from "@cloud-copilot/iam-simulate";
import {
  CHAINED_ACTION,
  IRSA_TOKEN_FILE,
  buildChainedProfileConfig,
  buildChainedSourcePermissionPolicy,
  buildChainedSourceTrustPolicy,
  buildChainedTargetTrustPolicy,
  parseProfileConfig,
} from "../../components/chainedPolicies";
import { chainedPodWiring } from "../../components/chainedWiring";
import {
  evaluateAccess,
  evaluateResourcePolicy,
  evaluateTrust,
  type Decision,
} from "../../components/evaluate";
import { PolicySizeError } from "../../components/errors";
import { buildTrustPolicy } from "../../components/trustPolicy";
import { oursAssume, simulateValidated } from "../support/simulator";
import { expectInputError } from "./coreHelpers";

const ACCOUNT_A = "111122223333";
const ACCOUNT_B = "444455556666";
const ACCOUNT_C = "999988887777";
const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const HOST_PATH = ISSUER.slice("https://".length);
const PROVIDER_A = `arn:aws:iam::${ACCOUNT_A}:oidc-provider/${HOST_PATH}`;
const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/chained-source`;
const TARGET = `arn:aws:iam::${ACCOUNT_B}:role/chained-target`;
const READER = { namespace: "team-a", name: "s3-reader" };

describe("irsa-chained: the source role's trust (account A)", () => {
  it("is the IRSA trust on A's own provider, exact sub and aud", () => {
    const doc = buildChainedSourceTrustPolicy({
      oidcProviderArn: PROVIDER_A,
      issuerUrl: ISSUER,
      serviceAccounts: [READER],
    });
    expect(doc).to.deep.equal(
      buildTrustPolicy([{ oidcProviderArn: PROVIDER_A, issuerUrl: ISSUER, serviceAccounts: [READER] }]),
    );
    expect(doc.Statement[0].Condition).to.deep.equal({
      StringEquals: {
        [`${HOST_PATH}:aud`]: "sts.amazonaws.com",
        [`${HOST_PATH}:sub`]: "system:serviceaccount:team-a:s3-reader",
      },
    });
  });

  it("admits the named service account only (another name, another namespace, another audience: deny)", () => {
    const doc = buildChainedSourceTrustPolicy({
      oidcProviderArn: PROVIDER_A,
      issuerUrl: ISSUER,
      serviceAccounts: [READER],
    });
    const ask = (sub: string, aud = "sts.amazonaws.com", provider = PROVIDER_A) =>
      evaluateTrust(doc, { oidcProviderArn: provider, sub, aud }).decision;
    expect(ask("system:serviceaccount:team-a:s3-reader")).to.equal("Allow");
    expect(ask("system:serviceaccount:team-a:other")).to.equal("ImplicitDeny");
    expect(ask("system:serviceaccount:team-b:s3-reader")).to.equal("ImplicitDeny");
    expect(ask("system:serviceaccount:team-a:s3-reader", "other")).to.equal("ImplicitDeny");
    expect(
      ask(
        "system:serviceaccount:team-a:s3-reader",
        "sts.amazonaws.com",
        `arn:aws:iam::${ACCOUNT_C}:oidc-provider/${HOST_PATH}`,
      ),
    ).to.equal("ImplicitDeny");
  });

  it("refuses patterns (exact names only), a provider of another issuer, and no service accounts", () => {
    expectInputError(
      () =>
        buildChainedSourceTrustPolicy({
          oidcProviderArn: PROVIDER_A,
          issuerUrl: ISSUER,
          serviceAccounts: [{ namespace: "team-a", name: "reader-*" }],
        }),
      "clusters[0].serviceAccounts[0].name",
      "reader-*",
      /only allowed with conditionTest "StringLike"/,
    );
    expectInputError(
      () =>
        buildChainedSourceTrustPolicy({
          oidcProviderArn: `arn:aws:iam::${ACCOUNT_A}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/OTHER`,
          issuerUrl: ISSUER,
          serviceAccounts: [READER],
        }),
      "clusters[0].oidcProviderArn",
      `arn:aws:iam::${ACCOUNT_A}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/OTHER`,
      /must be the IAM OIDC provider of clusters\[0\]\.issuerUrl/,
    );
    expectInputError(
      () =>
        buildChainedSourceTrustPolicy({
          oidcProviderArn: PROVIDER_A,
          issuerUrl: ISSUER,
          serviceAccounts: [],
        }),
      "clusters[0].serviceAccounts",
      [],
      /at least one service account/,
    );
    expectInputError(() => buildChainedSourceTrustPolicy(null as never), "options", null, /an object/);
  });
});

describe("irsa-chained: the source role's permission", () => {
  it("is sts:AssumeRole on the target role's exact ARN, nothing else (no sts:TagSession)", () => {
    const doc = buildChainedSourcePermissionPolicy({ targetRoleArn: TARGET });
    expect(doc).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ChainIntoTargetRole", Effect: "Allow", Action: "sts:AssumeRole", Resource: TARGET },
      ],
    });
    const ask = (action: string, resource: string) =>
      evaluateAccess(doc, { action, resource, absent: ["*"] }).decision;
    expect(ask("sts:AssumeRole", TARGET)).to.equal("Allow");
    expect(ask("sts:TagSession", TARGET)).to.equal("ImplicitDeny");
    expect(ask("sts:AssumeRole", `arn:aws:iam::${ACCOUNT_B}:role/other`)).to.equal("ImplicitDeny");
    expect(ask("sts:AssumeRole", `arn:aws:iam::${ACCOUNT_C}:role/chained-target`)).to.equal("ImplicitDeny");
  });

  it("refuses a wildcard or non-role ARN", () => {
    expectInputError(
      () => buildChainedSourcePermissionPolicy({ targetRoleArn: `arn:aws:iam::${ACCOUNT_B}:role/*` }),
      "targetRoleArn",
      `arn:aws:iam::${ACCOUNT_B}:role/*`,
      /IAM role ARN|wildcards/,
    );
    expectInputError(
      () => buildChainedSourcePermissionPolicy({ targetRoleArn: `arn:aws:iam::${ACCOUNT_B}:user/x` }),
      "targetRoleArn",
      `arn:aws:iam::${ACCOUNT_B}:user/x`,
      /must be an IAM role ARN/,
    );
  });
});

describe("irsa-chained: the target role's trust (account B)", () => {
  const trust = buildChainedTargetTrustPolicy({ sourceRoleArn: SOURCE });

  it("names A's root narrowed to the source role by ArnEquals aws:PrincipalArn, sts:AssumeRole only", () => {
    expect(trust).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ChainFromSourceRole",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:root` },
          Action: CHAINED_ACTION,
          Condition: { ArnEquals: { "aws:PrincipalArn": SOURCE } },
        },
      ],
    });
    // The partition follows the source role's.
    const cn = buildChainedTargetTrustPolicy({ sourceRoleArn: `arn:aws-cn:iam::${ACCOUNT_A}:role/s` });
    expect(cn.Statement[0].Principal).to.deep.equal({ AWS: `arn:aws-cn:iam::${ACCOUNT_A}:root` });
  });

  it("our evaluator: the source role only (another role of A, the same name in C, A's root: deny)", () => {
    const ask = (principalArn: string, action = "sts:AssumeRole") =>
      evaluateResourcePolicy(trust, { absent: ["*"], principalArn, action }, "trust").decision;
    expect(ask(SOURCE)).to.equal("Allow");
    expect(ask(SOURCE, "sts:TagSession")).to.equal("ImplicitDeny");
    expect(ask(`arn:aws:iam::${ACCOUNT_A}:role/another-role`)).to.equal("ImplicitDeny");
    expect(ask(`arn:aws:iam::${ACCOUNT_C}:role/chained-source`)).to.equal("ImplicitDeny");
    expect(ask(`arn:aws:iam::${ACCOUNT_A}:role/other-path/chained-source`)).to.equal("ImplicitDeny");
    expect(ask(`arn:aws:iam::${ACCOUNT_A}:user/admin`)).to.equal("ImplicitDeny");
  });

  it("refuses a wildcard ARN, a bad maxSize and a document over it", () => {
    expectInputError(
      () => buildChainedTargetTrustPolicy({ sourceRoleArn: `arn:aws:iam::${ACCOUNT_A}:role/src?` }),
      "sourceRoleArn",
      `arn:aws:iam::${ACCOUNT_A}:role/src?`,
      /IAM role ARN|wildcards/,
    );
    expectInputError(
      () => buildChainedTargetTrustPolicy({ sourceRoleArn: SOURCE, maxSize: 5000 }),
      "maxSize",
      5000,
      /4096/,
    );
    expect(() => buildChainedTargetTrustPolicy({ sourceRoleArn: SOURCE, maxSize: 100 })).to.throw(
      PolicySizeError,
      /sourceRoleArn: the target role's trust policy is \d+ characters .* over the limit of 100 \(maxSize\)/,
    );
  });
});

describe("irsa-chained documents cross-checked with @cloud-copilot/iam-simulate", function () {
  this.timeout(20000);
  const trust = buildChainedTargetTrustPolicy({ sourceRoleArn: SOURCE });
  const permission = buildChainedSourcePermissionPolicy({ targetRoleArn: TARGET });

  /** The simulator's verdict on `roleArn`'s session calling AssumeRole on the target role. */
  async function simulate(roleArn: string, identityPolicy = permission): Promise<Decision> {
    const [, account, name] = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn)!;
    const simulation: Simulation = {
      request: {
        principal: `arn:aws:sts::${account}:assumed-role/${name}/botocore-session-1`,
        action: "sts:AssumeRole",
        resource: { resource: TARGET, accountId: ACCOUNT_B },
        // The simulator does not derive aws:PrincipalArn from the principal (see podIdentitySimulate.test.ts).
        contextVariables: { "aws:PrincipalArn": roleArn, "aws:PrincipalAccount": account },
      },
      identityPolicies: [{ name: "chain", policy: identityPolicy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trust,
    };
    return simulateValidated(simulation);
  }

  /** Ours: the trust AND the caller's permission (a delegation to the account needs both, as in AWS). */
  const ours = (roleArn: string, identityPolicy = permission): Decision =>
    oursAssume(trust, identityPolicy, { principalArn: roleArn, action: "sts:AssumeRole", resource: TARGET });

  const cases: Array<[string, string, Decision]> = [
    ["the source role", SOURCE, "Allow"],
    ["another role of account A", `arn:aws:iam::${ACCOUNT_A}:role/another-role`, "ImplicitDeny"],
    [
      "the source role's name under another path of A",
      `arn:aws:iam::${ACCOUNT_A}:role/x/chained-source`,
      "ImplicitDeny",
    ],
    [
      "a role of the same name in a third account",
      `arn:aws:iam::${ACCOUNT_C}:role/chained-source`,
      "ImplicitDeny",
    ],
  ];
  for (const [what, roleArn, expected] of cases) {
    it(`${what}: ${expected} in both`, async () => {
      expect(await simulate(roleArn), "simulator").to.equal(expected);
      expect(ours(roleArn), "ours").to.equal(expected);
    });
  }

  it("the source role allowed another role only: deny in both (the trust delegates to account A)", async () => {
    const none = buildChainedSourcePermissionPolicy({
      targetRoleArn: `arn:aws:iam::${ACCOUNT_B}:role/other`,
    });
    expect(await simulate(SOURCE, none)).to.equal("ImplicitDeny");
    expect(ours(SOURCE, none)).to.equal("ImplicitDeny");
  });
});

describe("irsa-chained: the SDK config file", () => {
  it("writes the source profile (web identity) and the chained profile (source_profile, 1 hour)", () => {
    const config = buildChainedProfileConfig({ sourceRoleArn: SOURCE, targetRoleArn: TARGET });
    expect(config.profileName).to.equal("cross-account-irsa");
    expect(config.text).to.equal(
      [
        "[profile cross-account-irsa-source]",
        `role_arn = ${SOURCE}`,
        `web_identity_token_file = ${IRSA_TOKEN_FILE}`,
        "",
        "[profile cross-account-irsa]",
        `role_arn = ${TARGET}`,
        "source_profile = cross-account-irsa-source",
        "duration_seconds = 3600",
        "",
      ].join("\n"),
    );
    expect(parseProfileConfig(config.text)).to.deep.equal({
      "cross-account-irsa-source": { role_arn: SOURCE, web_identity_token_file: IRSA_TOKEN_FILE },
      "cross-account-irsa": {
        role_arn: TARGET,
        source_profile: "cross-account-irsa-source",
        duration_seconds: "3600",
      },
    });
  });

  it("takes names, a session name and a shorter session", () => {
    const config = buildChainedProfileConfig({
      sourceRoleArn: SOURCE,
      targetRoleArn: TARGET,
      profileName: "b",
      sourceProfileName: "a",
      roleSessionName: "reports@team-a",
      durationSeconds: 900,
    });
    expect(parseProfileConfig(config.text).b).to.deep.equal({
      role_arn: TARGET,
      source_profile: "a",
      role_session_name: "reports@team-a",
      duration_seconds: "900",
    });
  });

  it("refuses a session over the role-chaining hour, names that could add lines, and one role for both", () => {
    const base = { sourceRoleArn: SOURCE, targetRoleArn: TARGET };
    expectInputError(
      () => buildChainedProfileConfig({ ...base, durationSeconds: 3601 }),
      "durationSeconds",
      3601,
      /3600/,
    );
    expectInputError(
      () => buildChainedProfileConfig({ ...base, durationSeconds: 899 }),
      "durationSeconds",
      899,
      /900/,
    );
    expectInputError(
      () => buildChainedProfileConfig({ ...base, profileName: "x]\nrole_arn = y" }),
      "profileName",
      "x]\nrole_arn = y",
      /profile name/,
    );
    expectInputError(
      () => buildChainedProfileConfig({ ...base, roleSessionName: "a b" }),
      "roleSessionName",
      "a b",
      /role session name/,
    );
    expectInputError(
      () => buildChainedProfileConfig({ ...base, tokenFile: "relative/token" }),
      "tokenFile",
      "relative/token",
      /absolute path/,
    );
    expectInputError(
      () => buildChainedProfileConfig({ ...base, targetRoleArn: SOURCE }),
      "targetRoleArn",
      SOURCE,
      /must differ from sourceRoleArn/,
    );
    expectInputError(
      () => buildChainedProfileConfig({ ...base, sourceProfileName: "cross-account-irsa" }),
      "sourceProfileName",
      "cross-account-irsa",
      /must differ/,
    );
  });

  it("reading a config: a line it cannot read is an error, never skipped", () => {
    expectInputError(() => parseProfileConfig("role_arn = x"), "config line 1", "role_arn = x", /section/);
    expect(parseProfileConfig("# c\n[default]\nregion = eu-west-1\n")).to.deep.equal({
      default: { region: "eu-west-1" },
    });
  });

  it("reading a config: indented lines, repeated keys or sections and unknown keys are errors (F6)", () => {
    const base = "[profile p]\nrole_arn = arn:aws:iam::111122223333:role/r\n";
    expectInputError(
      () => parseProfileConfig(`${base}s3 =\n  role_arn = x\n`),
      "config line 3",
      "s3 =",
      /one of/,
    );
    expectInputError(
      () => parseProfileConfig(`${base}  region = x\n`),
      "config line 3",
      "  region = x",
      /indented/,
    );
    expectInputError(
      () => parseProfileConfig(`${base}role_arn = y\n`),
      "config line 3",
      "role_arn = y",
      /repeat a key/,
    );
    expectInputError(
      () => parseProfileConfig(`${base}[profile p]\n`),
      "config line 3",
      "[profile p]",
      /repeat a section/,
    );
    expectInputError(
      () => parseProfileConfig(`${base}aws_access_key_id = AKIAEXAMPLE\n`),
      "config line 3",
      "aws_access_key_id = AKIAEXAMPLE",
      /one of/,
    );
  });
});

describe("irsa-chained: the pod wiring", () => {
  it("annotates with the source role, mounts the ConfigMap read-only, selects the profile", () => {
    const w = chainedPodWiring({ sourceRoleArn: SOURCE, configMapName: "aws-chained", profileName: "p" });
    expect(w.serviceAccountAnnotations).to.deep.equal({ "eks.amazonaws.com/role-arn": SOURCE });
    expect(w.env).to.deep.equal([
      { name: "AWS_CONFIG_FILE", value: "/etc/cross-account-irsa/aws/config" },
      { name: "AWS_PROFILE", value: "p" },
    ]);
    expect(w.volumes[0].configMap).to.deep.equal({
      name: "aws-chained",
      items: [{ key: "config", path: "config" }],
      defaultMode: 0o444,
    });
    expect(w.volumeMounts).to.deep.equal([
      { name: "aws-chained-config", mountPath: "/etc/cross-account-irsa/aws", readOnly: true },
    ]);
    expect(w.injectionCheckShell).to.include("AWS_WEB_IDENTITY_TOKEN_FILE").and.include("AWS_CONFIG_FILE");
    expectInputError(
      () => chainedPodWiring({ sourceRoleArn: SOURCE, configMapName: "Bad_Name", profileName: "p" }),
      "configMapName",
      "Bad_Name",
      /DNS-1123/,
    );
  });
});
