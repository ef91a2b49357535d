/**
 * A plain JavaScript (CommonJS) Pulumi program using the package: it require()s it, builds a trust
 * policy with a pure function, registers an IrsaRole under Pulumi's runtime mocks, and import()s the
 * package as an ES module too. Writes what it saw to the file named by the first argument.
 */
"use strict";
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const irsa = require("cross-account-irsa");

const issuerUrl = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const oidcProviderArn =
  "arn:aws:iam::444455556666:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const cluster = { oidcProviderArn, issuerUrl, serviceAccounts: [{ namespace: "apps", name: "s3-reader" }] };

async function main(resultFile) {
  const registrations = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registrations.push({ type: args.type, name: args.name, custom: args.custom, inputs: args.inputs });
        const arn = `arn:aws:iam::444455556666:role/${args.inputs.name}`;
        return { id: `${args.name}-id`, state: { ...args.inputs, arn } };
      },
      call: (args) => args.inputs,
    },
    "consumer-js",
    "dev",
  );
  const trustPolicy = irsa.buildTrustPolicy([cluster]);
  new irsa.IrsaRole("s3-reader", { clusters: [cluster], roleName: "apps-s3-reader" });
  await pulumi.runtime.disconnect();

  const esm = await import("cross-account-irsa");
  const result = {
    trustPolicy,
    registrations,
    requireExports: Object.keys(irsa).sort(),
    // Node's ESM view of a CommonJS module adds `default`, and on newer Node (24 here) `module.exports`.
    importExports: Object.keys(esm)
      .filter((k) => k !== "default" && k !== "__esModule" && k !== "module.exports")
      .sort(),
    sameClassBothWays: esm.IrsaRole === irsa.IrsaRole,
  };
  fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
}

main(process.argv[2]).catch((err) => {
  console.error(err);
  process.exit(1);
});
