/**
 * A live session for trying the doctor by hand (and for docs/doctor.md's transcript): starts moto and
 * the loopback Kubernetes API stand-in, builds the chain (healthy, or broken by the JSON variant given
 * as the first argument, e.g. '{"provider":"cluster-account"}'), prints the environment and the
 * command to run in another shell, and keeps everything up until interrupted.
 *
 *   node -r sucrase/register/ts tests/aws/session.ts '{"provider":"cluster-account"}'
 */
import { CHAIN, type Variant } from "./support/chain";
import { startWorld } from "./support/world";

async function session(): Promise<void> {
  const world = await startWorld();
  const variant = JSON.parse(process.argv[2] ?? "{}") as Partial<Variant>;
  await world.build(variant);
  const exports = Object.entries(world.env).map(([k, v]) => `export ${k}=${v}`);
  process.stdout.write(
    [
      ...exports,
      "",
      `npm run doctor -- --role-arn ${CHAIN.roleArn} --cluster ${CHAIN.cluster} --cluster-region us-east-1 \\`,
      `  --namespace ${CHAIN.namespace} --service-account ${CHAIN.serviceAccount} --bucket ${CHAIN.bucket} --key ${CHAIN.key} \\`,
      "  --profile-a cluster-account --profile-b role-account",
      "",
    ].join("\n"),
  );
  const stop = () => void world.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

void session();
