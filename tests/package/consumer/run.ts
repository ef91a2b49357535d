/**
 * Runs the program (./index) under Pulumi's runtime mocks, the way `pulumi up` runs it against an engine,
 * and writes what it registered to the file named by the first argument: each resource's type, name and
 * the inputs the program sent, the URNs (which carry each resource's parent chain), and where the program
 * and the package each resolve @pulumi/pulumi from.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

interface Registration {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
}

const ACCOUNT = "444455556666";

/** What the engine answers: the inputs, plus the id and ARN AWS would assign. */
function answer(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): pulumi.runtime.MockResourceResult {
  switch (type) {
    case "aws:iam/role:Role":
      return {
        id: String(inputs.name),
        state: { ...inputs, arn: `arn:aws:iam::${ACCOUNT}:role/${String(inputs.name)}` },
      };
    case "aws:s3/bucket:Bucket":
      return {
        id: String(inputs.bucket),
        state: { ...inputs, arn: `arn:aws:s3:::${String(inputs.bucket)}` },
      };
    default:
      return { id: `${name}-id`, state: inputs };
  }
}

async function main(resultFile: string): Promise<void> {
  const registrations: Registration[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        registrations.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs });
        return answer(args.type, args.name, inputs);
      },
      call: (args) => args.inputs as Record<string, unknown>,
    },
    "consumer",
    "dev",
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as { resources: Map<string, unknown> };
  const program = await import("./index");
  // Waits until every registration the program started has reached the (mock) engine.
  await pulumi.runtime.disconnect();
  const library = require.resolve("cross-account-irsa");
  const result = {
    registrations,
    urns: [...monitor.resources.keys()],
    exports: Object.keys(program).sort(),
    library,
    pulumi: {
      program: require.resolve("@pulumi/pulumi"),
      library: require.resolve("@pulumi/pulumi", { paths: [path.dirname(library)] }),
    },
  };
  fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
