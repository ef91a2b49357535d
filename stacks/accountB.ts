/**
 * The account-b stack program: the OIDC provider for account-a's issuer, the bucket and the role.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterOidcProvider } from "../components/clusterOidcProvider";
import { IrsaRole } from "../components/irsaRole";
import { SecureBucket } from "../components/secureBucket";
import { buildS3AccessPolicy } from "../components/s3AccessPolicy";
import { policyJson } from "../components/policyDocument";
import { BUCKET_RESOURCE_NAME, checkAccountBDocuments } from "./accountBChecks";
import { parseAccountBConfig } from "./config";
import { awsProvider, programConfigGetters, readStackOutputs } from "./providers";

/** What account-b logs when it previews before account-a has an issuer. */
export const PREVIEW_WITHOUT_ISSUER =
  "account-a has no oidcIssuerUrl output yet: this preview shows what account-b will create once account-a " +
  "exists, with the issuer (and what depends on it: the OIDC provider's URL, the trust policy) unknown until then";

/**
 * account-a's issuer. Before account-a's first update there is none: an update fails (account-b
 * cannot trust an issuer that does not exist), but a preview goes on with the issuer unknown, so it
 * shows what account-b will create, as `pulumi preview` does for any value known only at deploy time.
 */
async function issuerOf(accountAStack: string, value: unknown): Promise<pulumi.Input<string>> {
  if (typeof value === "string" && value.length > 0) return value;
  if (pulumi.runtime.isDryRun()) {
    await pulumi.log.info(`${PREVIEW_WITHOUT_ISSUER} (${accountAStack})`);
    return pulumi.output(pulumi.unknown as unknown as string);
  }
  throw new Error(
    `account-a (${accountAStack}) has no oidcIssuerUrl output yet: run account-a's update first ` +
      `(npm run deploy runs both stacks in order), or set cross-account-irsa:accountAStack to the right stack`,
  );
}

/**
 * account-b: the OIDC provider for account-a's cluster issuer, the hardened bucket (or an existing
 * one), and the IRSA role that trusts exactly the configured service accounts with a least-privilege
 * S3 policy. Reads account-a's issuer through a StackReference.
 */
export async function accountB(): Promise<Record<string, unknown>> {
  const config = parseAccountBConfig(programConfigGetters(), pulumi.getOrganization());
  const aws = awsProvider("account-b", config.aws, pulumi.getStack());

  const accountA = new pulumi.StackReference(config.accountAStack);
  const a = await readStackOutputs(accountA, ["oidcIssuerUrl", "oidcThumbprint"]);
  const issuerUrl = await issuerOf(config.accountAStack, a.oidcIssuerUrl);
  const thumbprintValue = a.oidcThumbprint;
  // Every document is checked before the first resource registers, in preview too.
  checkAccountBDocuments(config, typeof issuerUrl === "string" ? issuerUrl : undefined);

  const provider = new ClusterOidcProvider(
    "cluster-oidc",
    {
      issuerUrl,
      thumbprints: typeof thumbprintValue === "string" && thumbprintValue.length > 0 ? [thumbprintValue] : [],
      existingProviderArn: config.existingOidcProviderArn,
    },
    { providers: { aws } },
  );

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

  const role = new IrsaRole(
    "irsa-role",
    {
      clusters: [{ oidcProviderArn: provider.arn, issuerUrl, serviceAccounts: config.serviceAccounts }],
      conditionTest: config.conditionTest,
      trustWholeNamespaces: config.trustWholeNamespaces,
      maxTrustPolicySize: config.maxTrustPolicySize,
      roleName: config.roleName,
      maxSessionDuration: config.maxSessionDuration,
      inlinePolicies: { "s3-access": accessPolicy },
      description: `IRSA role for ${config.serviceAccounts.length} service account(s) of ${config.accountAStack} (cross-account-irsa)`,
    },
    { providers: { aws } },
  );

  return {
    roleArn: role.roleArn,
    roleName: role.roleName,
    trustPolicy: role.trustPolicy,
    accessPolicy,
    oidcProviderArn: provider.arn,
    bucketName,
    objectKey: config.bucket.objectKey,
    region: config.aws.region,
    serviceAccount: config.serviceAccounts[0],
    serviceAccounts: config.serviceAccounts,
  };
}
