/**
 * The account-b stack program: the bucket and the role account-a's workload reaches, trusted as the
 * stack's mechanism trusts, as one `BucketAccessGrant` (single-grant mode; what each mechanism reads
 * and how its grant is named: accountBSingleGrant.ts). With `cross-account-irsa:grants` set, the
 * grants-mode program runs instead (accountBGrants.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { BucketAccessGrant } from "../components/bucketAccessGrant";
import { ClusterOidcProvider } from "../components/clusterOidcProvider";
import { Mechanism, MECHANISMS } from "../components/mechanism";
import { SecureBucket } from "../components/secureBucket";
import { type ServiceAccountRef } from "../components/trustPolicy";
import { buildS3AccessPolicy } from "../components/s3AccessPolicy";
import { policyJson } from "../components/policyDocument";
import { BUCKET_RESOURCE_NAME, checkAccountBDocuments } from "./accountBChecks";
import { GRANTS_OIDC_PROVIDER_NAME } from "./accountBGrantsChecks";
import { parseAccountBConfig } from "./config";
import { checkMechanismsMatch, optionalTextOutput } from "./crossStack";
import { exportedMechanism } from "../mechanisms/compat";
import { awsProvider, programConfigGetters, readStackOutputs } from "./providers";
import { accountBGrants } from "./accountBGrants";
import { GRANT_CLUSTER_KEY, MODE_OUTPUTS, checkOtherStackMode, isGrantsMode } from "./grantsMode";
import { SINGLE_GRANT_B } from "./accountBSingleGrant";

/**
 * account-a outputs account-b reads: its mechanism (and its issuer: stacks from before Pod Identity
 * export no mechanism, see mechanisms/compat.ts), then every mechanism's single grant's (each once).
 */
export const ACCOUNT_A_OUTPUTS: readonly string[] = MECHANISMS.reduce<string[]>(
  (names, m) => {
    const single = SINGLE_GRANT_B[m];
    const own = [...single.accountAOutputs, ...single.optionalAccountAOutputs];
    return [...names, ...own.filter((n) => !names.includes(n))];
  },
  ["oidcIssuerUrl", "mechanism"],
);

/**
 * The service accounts, each once: single-grant mode accepts one listed twice where its mechanism
 * allows it (IRSA's trust lists each subject once; Pod Identity refuses it: one association each),
 * and the grant refuses it, so it gets the list without repeats (the trust policy is the same).
 */
function listedOnce(serviceAccounts: readonly ServiceAccountRef[]): ServiceAccountRef[] {
  const seen = new Set<string>();
  return serviceAccounts.filter((sa) => {
    const key = `${sa.namespace}/${sa.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The name of the S3 policy on the role: single-grant stacks named it so. */
const SINGLE_GRANT_POLICY_NAME = "s3-access";

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
 * account-b: the hardened bucket (or an existing one), IRSA's OIDC provider for account-a's issuer
 * (created, or adopted), both stack-level as before, and one `BucketAccessGrant`: the role with the
 * least-privilege S3 policy, trusted by account-a's cluster by the stack's mechanism (IRSA: exact
 * `sub` and `aud`, or the patterns asked for; EKS Pod Identity: account-a's source role for the exact
 * service accounts' session tags; IRSA with role chaining: account-a's source role). The grant is
 * named, and aliased, as the mechanism's role component was, so a deployed stack replaces nothing.
 * Reads account-a through a StackReference.
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
  const single = SINGLE_GRANT_B[config.mechanism];
  // account-a's optional outputs the grant reads are text or absent: anything else refused, never dropped.
  for (const n of single.optionalAccountAOutputs) optionalTextOutput(config.accountAStack, n, a[n]);
  const names = [...single.accountAOutputs];
  const facts = await required(
    config.accountAStack,
    names,
    names.map((n) => a[n]),
    single.previewWithout,
  );
  const known = "known" in facts ? facts.known : undefined;
  // Every document is checked before the first resource registers, in preview too.
  checkAccountBDocuments(config, single.facts(known));
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

  // account-a's facts the trust names: unknown in a preview before account-a exists.
  const values = known ?? names.map(unknown);
  // IRSA's provider for account-a's issuer: stack-level, as in grants mode (one per issuer per account).
  let providerArn: pulumi.Output<string> | undefined;
  if (config.mechanism === Mechanism.Irsa) {
    const thumbprint = a.oidcThumbprint;
    providerArn = new ClusterOidcProvider(
      GRANTS_OIDC_PROVIDER_NAME,
      {
        issuerUrl: values[0],
        thumbprints: typeof thumbprint === "string" && thumbprint.length > 0 ? [thumbprint] : [],
        existingProviderArn: config.existingOidcProviderArn,
      },
      { providers: { aws } },
    ).arn;
  }
  const grant = new BucketAccessGrant(
    single.grantName,
    {
      mechanisms: [config.mechanism],
      clusters: { [GRANT_CLUSTER_KEY]: single.cluster(values, providerArn) },
      serviceAccounts: listedOnce(config.serviceAccounts),
      buckets: [
        {
          // The bucket's policy keeps the name single-grant stacks gave it.
          name: bucketName,
          policyName: SINGLE_GRANT_POLICY_NAME,
          access: config.access,
          ...(config.prefixes.length > 0 ? { prefixes: config.prefixes } : {}),
          ...(config.bucket.kmsKeyArn !== undefined ? { kmsKeyArn: config.bucket.kmsKeyArn } : {}),
        },
      ],
      ...(config.roleName !== undefined ? { roleName: config.roleName } : {}),
      maxSessionDuration: config.maxSessionDuration,
      maxTrustPolicySize: config.maxTrustPolicySize,
      description: single.description(config),
      conditionTest: config.conditionTest,
      trustWholeNamespaces: config.trustWholeNamespaces,
      chainedStatementSid: single.chainedStatementSid,
    },
    // The role component single-grant stacks registered before, under this name: its role and policy move under the grant.
    { providers: { aws }, aliases: [{ type: single.previousType }] },
  );
  return {
    accessPolicy,
    bucketName,
    objectKey: config.bucket.objectKey,
    region: config.aws.region,
    serviceAccount: config.serviceAccounts[0],
    serviceAccounts: config.serviceAccounts,
    mechanism: config.mechanism,
    roleArn: grant.roleArn,
    roleName: grant.roleName,
    trustPolicy: grant.trustPolicy,
    ...single.outputs(values, providerArn),
  };
}
