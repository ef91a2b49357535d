/**
 * A live session for trying the doctor by hand (and for docs/doctor.md's transcripts): starts moto and
 * the loopback stand-ins (Kubernetes API, EKS's add-on and Pod Identity reads), builds the chain
 * (healthy, or broken by the JSON variant given as the last argument), prints the environment and the
 * command to run in another shell, and keeps everything up until interrupted.
 *
 *   node -r ./scripts/tsCache.js tests/aws/session.ts '{"provider":"cluster-account"}'
 *   node -r ./scripts/tsCache.js tests/aws/session.ts pod-identity '{"association":"other-target"}'
 */
import { CHAIN } from "./support/chain";
import { PI_CHAIN } from "./support/podIdentityChain";
import { startWorld } from "./support/world";

async function session(): Promise<void> {
  const world = await startWorld();
  const podIdentity = process.argv[2] === "pod-identity";
  const variant = JSON.parse(process.argv[podIdentity ? 3 : 2] ?? "{}") as Record<string, unknown>;
  if (podIdentity) await world.buildPodIdentity(variant);
  else await world.build(variant);
  const exports = Object.entries(world.env).map(([k, v]) => `export ${k}=${v}`);
  const c = podIdentity ? { ...PI_CHAIN, roleArn: PI_CHAIN.targetRoleArn } : CHAIN;
  process.stdout.write(
    [
      ...exports,
      "",
      `npm run doctor -- ${podIdentity ? "--mechanism pod-identity " : ""}--role-arn ${c.roleArn} --cluster ${c.cluster} --cluster-region us-east-1 \\`,
      `  --namespace ${c.namespace} --service-account ${c.serviceAccount} --bucket ${c.bucket} --key ${c.key} \\`,
      "  --profile-a cluster-account --profile-b role-account",
      "",
    ].join("\n"),
  );
  const stop = () => void world.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

void session();
