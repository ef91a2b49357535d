/**
 * The account-b stack program: the bucket and the role account-a's workload reaches, trusted as the
 * stack's mechanism trusts (its stack layer, `mechanisms/<name>/accountB.ts`, registers the role).
 * With `cross-account-irsa:grants` set, the grants-mode program runs instead (accountBGrants.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { SecureBucket } from "../components/secureBucket";
import { buildS3AccessPolicy } from "../components/s3AccessPolicy";
import { policyJson } from "../components/policyDocument";
import { MECHANISMS } from "../components/mechanism";
import { STACK_LAYERS } from "../mechanisms/stackRegistry";
import { BUCKET_RESOURCE_NAME, checkAccountBDocuments } from "./accountBChecks";
import { parseAccountBConfig } from "./config";
import { checkMechanismsMatch, optionalTextOutput } from "./crossStack";
import { exportedMechanism } from "../mechanisms/compat";
import { awsProvider, programConfigGetters, readStackOutputs } from "./providers";
import { accountBGrants } from "./accountBGrants";
import { MODE_OUTPUTS, checkOtherStackMode, isGrantsMode } from "./grantsMode";

/**
 * account-a outputs account-b reads: its mechanism (and its issuer: stacks from before Pod Identity
 * export no mechanism, see mechanisms/compat.ts), then every mechanism's account-b layer's (each once).
 */
export const ACCOUNT_A_OUTPUTS: readonly string[] = MECHANISMS.reduce<string[]>(
  (names, m) => {
    const layer = STACK_LAYERS[m].accountB;
    const own = [...layer.accountAOutputs, ...layer.optionalAccountAOutputs];
    return [...names, ...own.filter((n) => !names.includes(n))];
  },
  ["oidcIssuerUrl", "mechanism"],
);

/**
 * A value account-a must export. Before account-a's first update there is none: an update fails
 * (account-b cannot trust what does not exist), but a preview goes on with the value unknown, so it
 * shows what account-b will create, as `pulumi preview` does for any value known only at deploy time.
 */
async function required(
  accountAStack: string,
  names: string[],
  values: unknown[],
  previewMessage: string,
): Promise<{ known: string[] } | { unknown: true }> {
  if (values.every((v) => typeof v === "string" && v.length > 0)) return { known: values as string[] };
  if (pulumi.runtime.isDryRun()) {
    await pulumi.log.info(`${previewMessage} (${accountAStack})`);
    return { unknown: true };
  }
  throw new Error(
    `account-a (${accountAStack}) has no ${names.join(" and ")} output yet: run account-a's update first ` +
      `(npm run deploy runs both stacks in order), or set cross-account-irsa:accountAStack to the right stack`,
  );
}

/**
 * account-b: the hardened bucket (or an existing one) and the role with the least-privilege S3
 * policy, trusted by account-a's cluster as the mechanism's stack layer wires it: IRSA (an OIDC
 * provider for its issuer, a role trusting exact `sub` and `aud`), EKS Pod Identity (a target role
 * trusting account-a's source role for the exact service accounts' session tags) or IRSA with role
 * chaining (a target role trusting account-a's source role). Reads account-a through a
 * StackReference.
 */
export async function accountB(): Promise<Record<string, unknown>> {
  const settings = programConfigGetters();
  // `cross-account-irsa:grants` selects grants mode (accountBGrants.ts).
  if (isGrantsMode(settings)) return accountBGrants(settings, pulumi.getOrganization());
  const config = parseAccountBConfig(settings, pulumi.getOrganization());
  const aws = awsProvider("account-b", config.aws, pulumi.getStack());
  const accountARef = new pulumi.StackReference(config.accountAStack);
  const a = await readStackOutputs(accountARef, ACCOUNT_A_OUTPUTS);
  // An account-a in grants mode exports mode "grants": this single-grant stack cannot serve it.
  const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const modeOutputs = await readStackOutputs(accountARef, MODE_OUTPUTS);
  checkOtherStackMode("account-b", self, "single-grant", config.accountAStack, modeOutputs, false);
  // account-a exports its mechanism (stacks from before Pod Identity only their issuer: see
  // mechanisms/compat.ts); neither output yet: account-a is not deployed.
  if (a.mechanism !== undefined || a.oidcIssuerUrl !== undefined) {
    const theirs = exportedMechanism(`${config.accountAStack} output mechanism`, a.mechanism);
    checkMechanismsMatch("account-b", config.mechanism, config.accountAStack, theirs);
  }
  const layer = STACK_LAYERS[config.mechanism].accountB;
  // account-a's optional outputs the layer reads are text or absent: anything else refused, never dropped.
  for (const n of layer.optionalAccountAOutputs) optionalTextOutput(config.accountAStack, n, a[n]);
  const names = [...layer.accountAOutputs];
  const facts = await required(
    config.accountAStack,
    names,
    names.map((n) => a[n]),
    layer.previewWithout,
  );
  const known = "known" in facts ? facts.known : undefined;
  // Every document is checked before the first resource registers, in preview too.
  checkAccountBDocuments(config, layer.facts(known));
  const unknown = () => pulumi.output(pulumi.unknown as unknown as string);

  const bucket = config.bucket.create
    ? new SecureBucket(
        BUCKET_RESOURCE_NAME,
        {
          bucketName: config.bucket.name,
          kmsKeyArn: config.bucket.kmsKeyArn,
          forceDestroy: config.bucket.forceDestroy,
          objects: [{ key: config.bucket.objectKey, content: config.bucket.objectContent }],
        },
        { providers: { aws } },
      )
    : undefined;
  const bucketName = bucket ? bucket.bucketName : pulumi.output(config.bucket.name!);
  const partition = config.aws.partition;
  const accessPolicy = bucketName.apply((name) =>
    policyJson(
      buildS3AccessPolicy({
        bucketName: name,
        access: config.access,
        prefixes: config.prefixes,
        kmsKeyArn: config.bucket.kmsKeyArn,
        partition,
      }),
    ),
  );
  const role = {
    roleName: config.roleName,
    maxSessionDuration: config.maxSessionDuration,
    maxTrustPolicySize: config.maxTrustPolicySize,
    inlinePolicies: { "s3-access": accessPolicy },
  };
  const common = {
    accessPolicy,
    bucketName,
    objectKey: config.bucket.objectKey,
    region: config.aws.region,
    serviceAccount: config.serviceAccounts[0],
    serviceAccounts: config.serviceAccounts,
    mechanism: config.mechanism,
  };

  // account-a's facts the trust names: unknown in a preview before account-a exists.
  const values = known ?? names.map(unknown);
  return { ...common, ...layer.register({ config, a, values, role, aws }) };
}
