import { expect } from "chai";
import {
  SDK_FAMILIES,
  credentialPathOf,
  credentialPathProblems,
  checkBindingMechanisms,
  containerEnvironment,
  credentialSourcesOf,
  describeCredentialPath,
  podCredentialPath,
  SOURCE_OF_MECHANISM,
} from "../../components/credentialPath";
import { MECHANISMS, type Mechanism } from "../../components/mechanism";
import { describePod } from "../../chain/livePods";

const IRSA = { AWS_ROLE_ARN: "arn:aws:iam::111122223333:role/r", AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/t" };
const POD_IDENTITY = {
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/var/run/p",
};
const PROFILE = { AWS_PROFILE: "target", AWS_CONFIG_FILE: "/etc/aws/config" };
const KEYS = { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" };

const every = (source: string | undefined) => Object.fromEntries(SDK_FAMILIES.map((f) => [f, source]));

describe("credentialPathOf: which credentials a container's AWS SDK uses", () => {
  it("one path: every SDK takes it, and it names the mechanism", () => {
    expect(credentialPathOf(IRSA)).to.deep.equal({
      present: ["web-identity"],
      bySdk: every("web-identity"),
      agreed: "web-identity",
      mechanism: "irsa",
      issues: [],
      undecided: [],
    });
    expect(credentialPathOf(POD_IDENTITY).mechanism).to.equal("pod-identity");
    expect(credentialPathOf(PROFILE).mechanism).to.equal("irsa-chained");
  });

  it("IRSA and Pod Identity both injected (a migration's first step): every SDK uses IRSA", () => {
    const path = credentialPathOf({ ...IRSA, ...POD_IDENTITY });
    expect(path.present).to.deep.equal(["web-identity", "container"]);
    expect(path.bySdk).to.deep.equal(every("web-identity"));
    expect(path.mechanism).to.equal("irsa");
    expect(describeCredentialPath(path)).to.equal("IRSA's web identity (AWS_ROLE_ARN)");
  });

  it("a profile beside IRSA's token: JavaScript v3, boto3 and the CLI take the profile, Java v2 and Go v2 the token", () => {
    const path = credentialPathOf({ ...IRSA, ...PROFILE });
    expect(path.bySdk).to.deep.equal({
      "JavaScript v3": "profile",
      "boto3 and the AWS CLI": "profile",
      "Java v2": "web-identity",
      "Go v2": "web-identity",
    });
    expect(path.agreed).to.equal(undefined);
    expect(path.mechanism).to.equal(undefined);
    expect(describeCredentialPath(path)).to.equal(
      "JavaScript v3, boto3 and the AWS CLI: the config profile (AWS_PROFILE); " +
        "Java v2, Go v2: IRSA's web identity (AWS_ROLE_ARN)",
    );
  });

  it("static keys come first, except in JavaScript v3 when AWS_PROFILE is set", () => {
    expect(credentialPathOf({ ...KEYS, ...IRSA }).bySdk).to.deep.equal(every("static-keys"));
    expect(credentialPathOf({ ...KEYS, ...PROFILE }).bySdk).to.deep.equal({
      ...every("static-keys"),
      "JavaScript v3": "profile",
    });
  });

  it("a source counts only with every variable it needs; empty values are unset", () => {
    expect(credentialSourcesOf({ AWS_ROLE_ARN: "arn:aws:iam::1:role/r" })).to.deep.equal([]);
    expect(credentialSourcesOf({ AWS_ACCESS_KEY_ID: "AKIA" })).to.deep.equal([]);
    expect(credentialSourcesOf({ AWS_PROFILE: "" })).to.deep.equal([]);
    expect(describeCredentialPath(credentialPathOf({}))).to.equal("no AWS credentials in its environment");
  });

  it("AWS_DEFAULT_PROFILE selects a profile for boto3 and the AWS CLI only", () => {
    expect(credentialPathOf({ ...IRSA, AWS_DEFAULT_PROFILE: "ops" }).bySdk).to.deep.equal({
      ...every("web-identity"),
      "boto3 and the AWS CLI": "profile",
    });
  });

  it("half a key pair and a relative container URI are issues; files without AWS_PROFILE and envFrom are undecided", () => {
    expect(credentialPathOf({ ...IRSA, AWS_ACCESS_KEY_ID: "AKIA" }).issues.map((i) => i.text)).to.deep.equal([
      "AWS_ACCESS_KEY_ID without AWS_SECRET_ACCESS_KEY: boto3 and the AWS CLI stop with PartialCredentialsError " +
        "instead of going on down their chain",
    ]);
    const relative = credentialPathOf({ ...POD_IDENTITY, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/x" });
    expect(credentialPathProblems(relative, "container")).to.have.length(1);
    expect(credentialPathProblems(relative, "container")[0]).to.match(/ECS endpoint 169\.254\.170\.2/);
    expect(
      credentialPathProblems(
        credentialPathOf({ ...IRSA, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/x" }),
        "web-identity",
      ),
    ).to.deep.equal([]);
    expect(
      credentialPathOf({ ...POD_IDENTITY, AWS_SHARED_CREDENTIALS_FILE: "/etc/creds" }).undecided,
    ).to.deep.equal([
      "AWS_SHARED_CREDENTIALS_FILE names /etc/creds, whose default profile the SDKs read without AWS_PROFILE " +
        "(JavaScript v3 before the web identity token, every SDK before the container endpoint); its content is not read",
    ]);
    expect(credentialPathOf(PROFILE).undecided).to.deep.equal([]);
    expect(credentialPathOf(IRSA, ["secretRef static-keys"]).undecided).to.deep.equal([
      "variables from envFrom secretRef static-keys are not read: an AWS_* variable there could change the path",
    ]);
  });

  it("credentialPathProblems names the SDKs that would take another source", () => {
    expect(
      credentialPathProblems(credentialPathOf({ ...IRSA, ...POD_IDENTITY }), "web-identity"),
    ).to.deep.equal([]);
    expect(credentialPathProblems(credentialPathOf({ ...IRSA, ...KEYS }), "web-identity")).to.deep.equal([
      "every AWS SDK would use static keys (AWS_ACCESS_KEY_ID), not IRSA's web identity (AWS_ROLE_ARN)",
    ]);
    expect(credentialPathProblems(credentialPathOf({ ...IRSA, ...PROFILE }), "web-identity")).to.deep.equal([
      "JavaScript v3, boto3 and the AWS CLI would use the config profile (AWS_PROFILE), not IRSA's web identity (AWS_ROLE_ARN)",
    ]);
  });

  it("containerEnvironment: literal values, valueFrom marked as set, an entry with neither unset; envFrom in words", () => {
    const read = containerEnvironment({
      env: [
        { name: "AWS_ROLE_ARN", value: "arn:aws:iam::1:role/r" },
        { name: "AWS_ACCESS_KEY_ID" },
        {
          name: "AWS_SECRET_ACCESS_KEY",
          valueFrom: { secretKeyRef: { name: "s", key: "k" }, fieldRef: undefined },
        },
        { value: "no name" },
      ],
      envFrom: [{ secretRef: { name: "keys" } }, { configMapRef: { name: "app" }, prefix: "APP_" }, {}],
    });
    expect(read).to.deep.equal({
      env: {
        AWS_ROLE_ARN: "arn:aws:iam::1:role/r",
        AWS_ACCESS_KEY_ID: "",
        AWS_SECRET_ACCESS_KEY: "(set from secretKeyRef)",
      },
      envFrom: ["secretRef keys", "configMapRef app with prefix APP_", "(unknown source)"],
    });
    // Kubernetes leaves `value: ""` out: such a key is unset, so only half a pair is set.
    expect(credentialPathOf(read.env).present).to.deep.equal([]);
    expect(containerEnvironment(undefined)).to.deep.equal({ env: {} });
  });

  it("describePod: one path per pod, or each container's when they differ", () => {
    expect(
      describePod({
        name: "p",
        containers: [
          { name: "a", env: IRSA },
          { name: "b", env: { ...IRSA } },
        ],
      }),
    ).to.equal("p uses IRSA's web identity (AWS_ROLE_ARN)");
    expect(
      describePod({
        name: "p",
        containers: [
          { name: "a", env: IRSA },
          { name: "b", env: POD_IDENTITY },
        ],
      }),
    ).to.equal(
      "p: container a uses IRSA's web identity (AWS_ROLE_ARN), " +
        "container b uses Pod Identity's endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI)",
    );
  });

  it("podCredentialPath (the binding's) agrees with credentialPathOf for every set of mechanisms a binding accepts", () => {
    // What each mechanism puts in its pods' environment: irsa-chained's pods also get the webhook's
    // variables (for account A's source role) beside the profile that chains into account B.
    const injected: Record<Mechanism, Record<string, string>> = {
      irsa: IRSA,
      "pod-identity": POD_IDENTITY,
      "irsa-chained": { ...IRSA, ...PROFILE },
    };
    const subsets = MECHANISMS.reduce<Mechanism[][]>(
      (all, m) => [...all, ...all.map((s) => [...s, m])],
      [[]],
    ).filter((s) => s.length > 0);
    let accepted = 0;
    for (const mechanisms of subsets) {
      try {
        checkBindingMechanisms("mechanisms", mechanisms);
      } catch {
        continue;
      }
      accepted += 1;
      const env = Object.assign({}, ...mechanisms.map((m) => injected[m])) as Record<string, string>;
      const path = credentialPathOf(env);
      const expected = SOURCE_OF_MECHANISM[podCredentialPath(mechanisms)];
      // The probe is the AWS CLI and the examples' readers JavaScript: both families take that path.
      expect(path.bySdk["JavaScript v3"], mechanisms.join("+")).to.equal(expected);
      expect(path.bySdk["boto3 and the AWS CLI"], mechanisms.join("+")).to.equal(expected);
    }
    expect(accepted).to.equal(5); // 7 non-empty subsets, less the two that hold irsa and irsa-chained
  });
});
