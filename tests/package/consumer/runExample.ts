/**
 * Runs programs of examples/library/ (compiled next to this file, from the packed package) under
 * Pulumi's runtime mocks, one after the other in this one process (loading the Pulumi SDKs once), and
 * writes what each registered, its stack outputs and any error to its JSON file. Usage:
 * `node bin/runExample.js <runs JSON file>`, the file a list of `{ example, result, config?, stacks? }`
 * (example: the compiled module; config: `<namespace>:<key>` to string values; stacks: stack name to
 * its outputs, for the program's StackReferences). Each run gets a fresh mock engine and loads its
 * module afresh, so one example can run twice (the migration's steps).
 *
 * The answers are what AWS would assign: role and provider ARNs in the account the resource's AWS
 * provider pins (`allowedAccountIds`; for the default provider, the config's `aws:allowedAccountIds`;
 * else 222233334444), bucket ARNs, association ARNs.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

interface Registration {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  read: boolean;
}

const DEFAULT_ACCOUNT = "222233334444";

/** One program to run, as the runs file lists it. */
interface Run {
  example: string;
  result: string;
  config?: Record<string, string>;
  stacks?: Record<string, Record<string, unknown>>;
}

/** Rejections nobody handled during the current run (a program's failed check, for example). */
let failures: unknown[] = [];
process.on("unhandledRejection", (reason) => failures.push(reason));

async function runOne({ example, result: resultFile, config = {}, stacks = {} }: Run): Promise<void> {
  const registrations: Registration[] = [];
  const providerAccounts = new Map<string, string>();
  const stackOutputs = stacks;
  const settings = config;
  pulumi.runtime.setAllConfig(settings);
  // The default provider's account: the stack's aws:allowedAccountIds, as for an explicit provider.
  const stackAccount =
    (JSON.parse(settings["aws:allowedAccountIds"] ?? "[]") as string[])[0] ?? DEFAULT_ACCOUNT;
  const accountOf = (provider: string | undefined): string => {
    const urn = provider?.slice(0, provider.lastIndexOf("::"));
    return (urn && providerAccounts.get(urn)) || stackAccount;
  };
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        registrations.push({
          type: args.type,
          name: args.name,
          inputs,
          read: args.id !== undefined && args.id !== "",
        });
        const account = accountOf(args.provider);
        switch (args.type) {
          case "pulumi:providers:aws": {
            const raw = inputs.allowedAccountIds ?? "[]";
            const ids = (Array.isArray(raw) ? raw : JSON.parse(String(raw))) as string[];
            const urn = `urn:pulumi:dev::consumer::pulumi:providers:aws::${args.name}`;
            if (ids[0]) providerAccounts.set(urn, ids[0]);
            return { id: `${args.name}-id`, state: inputs };
          }
          case "pulumi:pulumi:StackReference": {
            const name = String(inputs.name ?? args.name);
            return { id: name, state: { name, outputs: stackOutputs[name] ?? {}, secretOutputNames: [] } };
          }
          case "aws:iam/role:Role": {
            const roleName = String(inputs.name ?? `${args.name}-generated`);
            const arn = `arn:aws:iam::${account}:role${String(inputs.path ?? "/")}${roleName}`;
            return { id: roleName, state: { ...inputs, name: roleName, arn } };
          }
          case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
            if (args.id) {
              const hostPath = args.id.slice(args.id.indexOf("oidc-provider/") + "oidc-provider/".length);
              return {
                id: args.id,
                state: { arn: args.id, url: hostPath, clientIdLists: ["sts.amazonaws.com"] },
              };
            }
            const hostPath = String(inputs.url).replace(/^https:\/\//, "");
            return {
              id: hostPath,
              state: { ...inputs, arn: `arn:aws:iam::${account}:oidc-provider/${hostPath}` },
            };
          }
          case "aws:s3/bucket:Bucket":
            return {
              id: String(inputs.bucket),
              state: { ...inputs, arn: `arn:aws:s3:::${String(inputs.bucket)}` },
            };
          case "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
            const arn = `arn:aws:eks:eu-west-1:${account}:podidentityassociation/${String(inputs.clusterName)}/a-${args.name.length}abcdefghijklm`;
            return { id: arn, state: { ...inputs, associationArn: arn } };
          }
          default:
            return { id: `${args.name}-id`, state: inputs };
        }
      },
      call(args) {
        if (args.token === "aws:index/getPartition:getPartition")
          return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        return args.inputs as Record<string, unknown>;
      },
    },
    "consumer",
    "dev",
  );
  let error: string | undefined;
  let outputs: Record<string, unknown> = {};
  failures = [];
  try {
    // Afresh: a module already run (an earlier step of the same example) would not register again.
    const modulePath = require.resolve(path.resolve(example));
    delete require.cache[modulePath];
    const program = (await import(modulePath)) as Record<string, unknown>;
    for (const [key, value] of Object.entries(program)) {
      outputs[key] = pulumi.Output.isInstance(value)
        ? await new Promise((resolve) => (value as pulumi.Output<unknown>).apply(resolve))
        : value;
    }
    await pulumi.runtime.disconnect();
  } catch (e) {
    error = String(e);
    outputs = {};
  }
  if (failures.length > 0) error = [error, ...failures.map(String)].filter(Boolean).join("\n");
  fs.writeFileSync(resultFile, JSON.stringify({ registrations, outputs, error }, null, 2));
}

async function main(runsFile: string): Promise<void> {
  for (const run of JSON.parse(fs.readFileSync(runsFile, "utf8")) as Run[]) await runOne(run);
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
