/**
 * The whole test world, started once per run: moto, the TLS material, the issuer and Kubernetes API
 * stand-ins, AWS config files with one profile per account (`cluster-account`, `role-account`), a
 * kubeconfig, and the environment that points the AWS SDK at moto (AWS_ENDPOINT_URL) and EKS at the
 * stand-in for the operations moto lacks (AWS_ENDPOINT_URL_EKS; IAM too, AWS_ENDPOINT_URL_IAM, to
 * record its calls and make some fail). Also what the
 * doctor needs to reach the stand-in issuer under the EKS issuer's host name.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type HttpsOptions } from "../../../doctor/oidc";
import { buildChain, type BuiltChain, type Variant } from "./chain";
import { startEks, type EksStandIn } from "./eksStandIn";
import { REGION, startMoto, type Moto } from "./moto";
import { buildGrants } from "./grantsChain";
import { buildPodIdentityChain, type PodIdentityVariant } from "./podIdentityChain";
import { kubeconfigFor, startIssuer, startKube, type KubeStandIn } from "./standIns";
import { makeTls, type TestTls } from "./tls";

/** The EKS issuer host moto gives clusters of {@link REGION}. */
export const ISSUER_HOST = `oidc.eks.${REGION}.amazonaws.com`;

export interface World {
  moto: Moto;
  /**
   * The EKS operations moto lacks (add-ons, Pod Identity associations); the rest of EKS, and IAM, passed
   * on to moto (IAM actions can be made to fail). Reset with each build.
   */
  eks: EksStandIn;
  kube: KubeStandIn;
  tls: TestTls;
  dir: string;
  kubeconfigFile: string;
  /**
   * Environment for the doctor: AWS_ENDPOINT_URL, the config files, no ambient credentials. Also set
   * on process.env (the SDK reads it there): the suite's process is the doctor's.
   */
  env: Record<string, string>;
  /** Routes the EKS issuer's host to the issuer stand-in, trusting the test CA. */
  https: HttpsOptions;
  /** Resets moto and builds the chain (healthy, or with `changes`); refreshes account B's profile. */
  build(changes?: Partial<Variant>): Promise<BuiltChain>;
  /** The same for an EKS Pod Identity chain. */
  buildPodIdentity(changes?: Partial<PodIdentityVariant>): Promise<void>;
  /** The same for two grants of stacks in grants mode (./grantsChain.ts); returns the issuer URL. */
  buildGrants(): Promise<string>;
  stop(): Promise<void>;
}

let generation = 0;

/**
 * Writes the AWS config and credentials files for both accounts. Account B's keys change with every
 * moto reset, and the SDK caches a shared file's content by its path: each call writes new paths.
 */
export function writeAwsFiles(dir: string, moto: Moto): { config: string; credentials: string } {
  generation += 1;
  const config = path.join(dir, `aws-config-${generation}`);
  const credentials = path.join(dir, `aws-credentials-${generation}`);
  fs.writeFileSync(
    config,
    `[profile cluster-account]\nregion = ${REGION}\n\n[profile role-account]\nregion = ${REGION}\n`,
  );
  fs.writeFileSync(
    credentials,
    "[cluster-account]\naws_access_key_id = testing\naws_secret_access_key = testing\n\n" +
      `[role-account]\naws_access_key_id = ${moto.accountB.accessKeyId}\n` +
      `aws_secret_access_key = ${moto.accountB.secretAccessKey}\naws_session_token = ${moto.accountB.sessionToken}\n`,
  );
  return { config, credentials };
}

/** Ambient AWS settings that would leak into the tests. */
const AMBIENT = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
];

/** Starts everything (and points process.env at it). */
export async function startWorld(): Promise<World> {
  const tls = makeTls([ISSUER_HOST]);
  const moto = await startMoto();
  const eks = await startEks(moto.endpoint);
  const issuer = await startIssuer(tls);
  const kube = await startKube(tls, issuer);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-world-"));
  const kubeconfigFile = path.join(dir, "kubeconfig");
  fs.writeFileSync(kubeconfigFile, kubeconfigFor(kube, tls), { mode: 0o600 });
  const files = writeAwsFiles(dir, moto);
  for (const k of AMBIENT) delete process.env[k];
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ENDPOINT_URL_EKS: eks.url,
    AWS_ENDPOINT_URL_IAM: eks.url,
    AWS_CONFIG_FILE: files.config,
    AWS_SHARED_CREDENTIALS_FILE: files.credentials,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    KUBECONFIG: kubeconfigFile,
  };
  Object.assign(process.env, env);
  const refreshProfiles = () => {
    eks.requests.length = 0;
    eks.state.iamFaults.clear();
    eks.state.eksFaults.clear();
    delete eks.state.pageSize;
    const files = writeAwsFiles(dir, moto);
    env.AWS_CONFIG_FILE = files.config;
    env.AWS_SHARED_CREDENTIALS_FILE = files.credentials;
    Object.assign(process.env, env);
  };
  return {
    moto,
    eks,
    kube,
    tls,
    dir,
    kubeconfigFile,
    env,
    https: {
      extraCa: [tls.ca],
      resolve: (host) => (host === ISSUER_HOST ? { host: "127.0.0.1", port: issuer.port } : undefined),
    },
    async build(changes = {}) {
      const built = await buildChain(moto, kube, changes);
      refreshProfiles();
      return built;
    },
    async buildPodIdentity(changes = {}) {
      await buildPodIdentityChain(moto, eks, kube, changes);
      refreshProfiles();
    },
    async buildGrants() {
      const issuerUrl = await buildGrants(moto, eks, kube);
      refreshProfiles();
      return issuerUrl;
    },
    async stop() {
      await eks.close();
      await kube.close();
      await issuer.close();
      await moto.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
