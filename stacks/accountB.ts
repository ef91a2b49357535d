/**
 * The account-b stack program: the bucket and the role account-a's workload reaches, trusted through
 * IRSA (an OIDC provider for account-a's issuer) or EKS Pod Identity (account-a's source role).
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterOidcProvider } from "../components/clusterOidcProvider";
import { IrsaRole } from "../components/irsaRole";
import { PodIdentityTargetRole } from "../components/podIdentityTargetRole";
import { SecureBucket } from "../components/secureBucket";
import { buildS3AccessPolicy } from "../components/s3AccessPolicy";
import { policyJson } from "../components/policyDocument";
import { BUCKET_RESOURCE_NAME, checkAccountBDocuments } from "./accountBChecks";
import { parseAccountBConfig } from "./config";
import { usesPodIdentity } from "./configShared";
import { Mechanism } from "../components/mechanism";
import { irsaChainedAccountB } from "../mechanisms/irsa-chained/accountB";
import { checkMechanismsMatch } from "./crossStack";
import { exportedMechanism } from "../mechanisms/compat";
import { awsProvider, programConfigGetters, readStackOutputs } from "./providers";

/** What account-b logs when it previews before account-a has the outputs it needs. */
export const PREVIEW_WITHOUT_ISSUER =
  "account-a has no oidcIssuerUrl output yet: this preview shows what account-b will create once account-a " +
  "exists, with the issuer (and what depends on it: the OIDC provider's URL, the trust policy) unknown until then";
export const PREVIEW_WITHOUT_SOURCE_ROLE =
  "account-a has no clusterArn and sourceRoleArn outputs yet: this preview shows what account-b will create once " +
  "account-a exists, with the target role's trust policy unknown until then";

export const PREVIEW_WITHOUT_CHAINED_SOURCE_ROLE =
  "account-a has no sourceRoleArn output yet: this preview shows what account-b will create once account-a " +
  "exists, with the target role's trust policy unknown until then";

/** account-a outputs account-b reads. */
export const ACCOUNT_A_OUTPUTS = [
  "oidcIssuerUrl",
  "oidcThumbprint",
  "clusterArn",
  "sourceRoleArn",
  "mechanism",
];

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
 * policy, trusted by account-a's cluster through IRSA (an OIDC provider for its issuer, a role
 * trusting exact `sub` and `aud`) or EKS Pod Identity (a target role trusting account-a's source
 * role for the exact service accounts' session tags). Reads account-a through a StackReference.
 */
export async function accountB(): Promise<Record<string, unknown>> {
  const config = parseAccountBConfig(programConfigGetters(), pulumi.getOrganization());
  const aws = awsProvider("account-b", config.aws, pulumi.getStack());
  const a = await readStackOutputs(new pulumi.StackReference(config.accountAStack), ACCOUNT_A_OUTPUTS);
  // account-a exports its mechanism (stacks from before Pod Identity only their issuer: see
  // mechanisms/compat.ts); neither output yet: account-a is not deployed.
  if (a.mechanism !== undefined || a.oidcIssuerUrl !== undefined) {
    const theirs = exportedMechanism(`${config.accountAStack} output mechanism`, a.mechanism);
    checkMechanismsMatch("account-b", config.mechanism, config.accountAStack, theirs);
  }
  const podIdentity = usesPodIdentity(config.mechanism);
  const chained = config.mechanism === Mechanism.IrsaChained;
  const facts = chained
    ? await required(
        config.accountAStack,
        ["sourceRoleArn"],
        [a.sourceRoleArn],
        PREVIEW_WITHOUT_CHAINED_SOURCE_ROLE,
      )
    : podIdentity
      ? await required(
          config.accountAStack,
          ["clusterArn", "sourceRoleArn"],
          [a.clusterArn, a.sourceRoleArn],
          PREVIEW_WITHOUT_SOURCE_ROLE,
        )
      : await required(config.accountAStack, ["oidcIssuerUrl"], [a.oidcIssuerUrl], PREVIEW_WITHOUT_ISSUER);
  const known = "known" in facts ? facts.known : undefined;
  // Every document is checked before the first resource registers, in preview too.
  checkAccountBDocuments(
    config,
    chained
      ? { sourceRoleArn: known?.[0] }
      : podIdentity
        ? { clusterArn: known?.[0], sourceRoleArn: known?.[1] }
        : { issuerUrl: known?.[0] },
  );
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

  if (chained) {
    const sourceRoleArn = known?.[0] ?? unknown();
    const target = irsaChainedAccountB({
      sourceRoleArn,
      accountAStack: config.accountAStack,
      serviceAccountCount: config.serviceAccounts.length,
      role,
      aws,
    });
    return {
      ...common,
      roleArn: target.roleArn,
      roleName: target.roleName,
      trustPolicy: target.trustPolicy,
      sourceRoleArn,
    };
  }

  if (podIdentity) {
    const [clusterArn, sourceRoleArn] = known ?? [unknown(), unknown()];
    const target = new PodIdentityTargetRole(
      "pod-identity-target",
      {
        ...role,
        sourceRoleArn,
        clusterArn,
        serviceAccounts: config.serviceAccounts,
        description: `EKS Pod Identity target role for ${config.serviceAccounts.length} service account(s) of ${config.accountAStack} (cross-account-irsa)`,
      },
      { providers: { aws } },
    );
    return {
      ...common,
      roleArn: target.roleArn,
      roleName: target.roleName,
      trustPolicy: target.trustPolicy,
      sourceRoleArn,
      clusterArn,
    };
  }

  const issuerUrl = known?.[0] ?? unknown();
  const thumbprint = a.oidcThumbprint;
  const provider = new ClusterOidcProvider(
    "cluster-oidc",
    {
      issuerUrl,
      thumbprints: typeof thumbprint === "string" && thumbprint.length > 0 ? [thumbprint] : [],
      existingProviderArn: config.existingOidcProviderArn,
    },
    { providers: { aws } },
  );
  const irsaRole = new IrsaRole(
    "irsa-role",
    {
      ...role,
      clusters: [{ oidcProviderArn: provider.arn, issuerUrl, serviceAccounts: config.serviceAccounts }],
      conditionTest: config.conditionTest,
      trustWholeNamespaces: config.trustWholeNamespaces,
      description: `IRSA role for ${config.serviceAccounts.length} service account(s) of ${config.accountAStack} (cross-account-irsa)`,
    },
    { providers: { aws } },
  );
  return {
    ...common,
    roleArn: irsaRole.roleArn,
    roleName: irsaRole.roleName,
    trustPolicy: irsaRole.trustPolicy,
    oidcProviderArn: provider.arn,
  };
}
