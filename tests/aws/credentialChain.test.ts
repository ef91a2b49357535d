/**
 * The AWS SDK for JavaScript v3's default credential chain, run for real against moto: which of this
 * package's paths a container takes when its environment has more than one. Pins the JavaScript v3
 * row of components/credentialPath.ts (the doctor's per-pod report) to the SDK this package installs.
 * Each case runs in a child process, so the SDK reads exactly that environment and no cached file.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { credentialPathOf } from "../../components/credentialPath";
import { world } from "./support/hooks";
import { ACCOUNT_A, ACCOUNT_B, REGION } from "./support/moto";

/** Resolves the default chain, then asks STS who it is; prints the caller ARN. */
const PROBE = `
const { defaultProvider } = require("@aws-sdk/credential-provider-node");
const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
(async () => {
  const credentials = await defaultProvider()();
  if (credentials.accessKeyId === "CONTAINER") { process.stdout.write("container"); return; }
  const sts = new STSClient({ region: process.env.AWS_REGION, credentials });
  const id = await sts.send(new GetCallerIdentityCommand({}));
  process.stdout.write(id.Arn);
})().catch((e) => { process.stderr.write(String(e && e.message)); process.exit(1); });
`;

const SOURCE = `arn:aws:iam::${ACCOUNT_A}:role/chained-source`;
const WEBHOOK = `arn:aws:iam::${ACCOUNT_A}:role/irsa-webhook`;
const TARGET = `arn:aws:iam::${ACCOUNT_B}:role/chained-target`;

describe("the JavaScript v3 SDK's credential chain against moto: which path a pod with several takes", function () {
  this.timeout(60000);
  let dir: string;
  let container: http.Server;
  let containerHits = 0;
  let containerUri: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "credential-chain-"));
    fs.writeFileSync(path.join(dir, "token"), "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl");
    // The chained profile as ChainedProfileConfigMap writes it: a web identity profile, and the
    // target profile that assumes account B's role from it.
    fs.writeFileSync(
      path.join(dir, "config"),
      [
        "[profile source]",
        `web_identity_token_file = ${path.join(dir, "token")}`,
        `role_arn = ${SOURCE}`,
        "[profile target]",
        `role_arn = ${TARGET}`,
        "source_profile = source",
        "",
      ].join("\n"),
    );
    // A stand-in for the Pod Identity agent: counts requests, answers with recognisable credentials.
    container = http.createServer((_req, res) => {
      containerHits += 1;
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          AccessKeyId: "CONTAINER",
          SecretAccessKey: "container-secret",
          Token: "container-token",
          Expiration: new Date(Date.now() + 3600_000).toISOString(),
        }),
      );
    });
    await new Promise<void>((resolve) => container.listen(0, "127.0.0.1", resolve));
    containerUri = `http://127.0.0.1:${(container.address() as { port: number }).port}/v1/credentials`;
  });
  after(async () => {
    await new Promise((resolve) => container.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const IRSA = () => ({ AWS_ROLE_ARN: WEBHOOK, AWS_WEB_IDENTITY_TOKEN_FILE: path.join(dir, "token") });
  const POD_IDENTITY = () => ({
    AWS_CONTAINER_CREDENTIALS_FULL_URI: containerUri,
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: path.join(dir, "token"),
  });
  const PROFILE = () => ({ AWS_PROFILE: "target", AWS_CONFIG_FILE: path.join(dir, "config") });

  /** The caller ARN (or "container") the SDK ends up with, given only `env` (plus moto's endpoint). */
  function probe(env: Record<string, string>): Promise<string> {
    const clean = {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL: world().moto.endpoint,
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-credentials"),
      AWS_CONFIG_FILE: path.join(dir, "no-config"),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...env,
    };
    return new Promise((resolve, reject) =>
      execFile(
        process.execPath,
        ["-e", PROBE],
        { env: clean, cwd: path.resolve(__dirname, "..", "..") },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${stderr || error.message}`)) : resolve(stdout),
      ),
    );
  }

  const roleOf = (callerArn: string) => /assumed-role\/([^/]+)\//.exec(callerArn)?.[1] ?? callerArn;

  it("IRSA and Pod Identity both injected: the web identity token, and the agent is never asked", async () => {
    const hits = containerHits;
    const env = { ...IRSA(), ...POD_IDENTITY() };
    expect(roleOf(await probe(env))).to.equal("irsa-webhook");
    expect(containerHits).to.equal(hits);
    expect(credentialPathOf(env).bySdk["JavaScript v3"]).to.equal("web-identity");
  });

  it("Pod Identity alone: the agent's endpoint", async () => {
    const hits = containerHits;
    expect(await probe(POD_IDENTITY())).to.equal("container");
    expect(containerHits).to.equal(hits + 1);
    expect(credentialPathOf(POD_IDENTITY()).bySdk["JavaScript v3"]).to.equal("container");
  });

  it("the chained profile beside IRSA's token: AWS_PROFILE wins, the caller is a session of account B's role", async () => {
    const env = { ...IRSA(), ...PROFILE() };
    const caller = await probe(env);
    expect(caller).to.match(new RegExp(`^arn:aws:sts::${ACCOUNT_B}:assumed-role/chained-target/`));
    expect(credentialPathOf(env).bySdk["JavaScript v3"]).to.equal("profile");
  });

  it("static keys are skipped while AWS_PROFILE is set, used first otherwise", async () => {
    const keys = { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "x" };
    expect(roleOf(await probe({ ...keys, ...IRSA(), ...PROFILE() }))).to.equal("chained-target");
    expect(await probe({ ...keys, ...IRSA() })).to.not.match(/assumed-role/);
    expect(credentialPathOf({ ...keys, ...IRSA() }).bySdk["JavaScript v3"]).to.equal("static-keys");
  });
});
