/**
 * The account-b stack program in grants mode (`cross-account-irsa:grants` set): one
 * `BucketAccessGrant` per grant, named by its key, trusting account-a's cluster by the grant's
 * mechanisms, and one stack-level `ClusterOidcProvider` (`cluster-oidc`) for account-a's issuer that
 * every grant listing `irsa` shares (IAM allows one provider per issuer URL per account). Everything
 * is checked before the first resource registers. Thin: the grants are the library's.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  BucketAccessGrant,
  type GrantBucketInput,
  type GrantClusterInput,
} from "../components/bucketAccessGrant";
import { ClusterOidcProvider } from "../components/clusterOidcProvider";
import { Mechanism } from "../components/mechanism";
import { DEFAULT_OBJECT_CONTENT } from "./accountBConfig";
import {
  parseAccountBGrantsConfig,
  type AccountBGrant,
  type AccountBGrantsConfig,
} from "./accountBGrantsConfig";
import {
  GRANTS_OIDC_PROVIDER_NAME,
  accountARoleArn,
  checkGrantsDocuments,
  checkStillTrusted,
  neededAccountAOutputs,
  needsOidcProvider,
  type GrantsAccountAFacts,
} from "./accountBGrantsChecks";
import { type StackSettings } from "./configSource";
import { optionalTextOutput } from "./crossStack";
import { GRANT_CLUSTER_KEY, GRANTS_MODE, MODE_OUTPUTS, checkOtherStackMode } from "./grantsMode";
import { parseAccountAGrants, type AccountBGrantOutput, type GrantProbe } from "./grantsOutputs";
import { awsProvider, readStackOutputs } from "./providers";

/** account-a's outputs account-b reads in grants mode: the facts the trusts name, and its mode. */
export const GRANTS_ACCOUNT_A_OUTPUTS: readonly string[] = [
  "oidcIssuerUrl",
  "oidcThumbprint",
  "clusterArn",
  "mechanism",
  ...MODE_OUTPUTS,
];

/** What account-b logs when it previews before account-a has the outputs the grants need. */
function previewWithout(missing: readonly string[], accountAStack: string): string {
  return (
    `account-a (${accountAStack}) has no ${missing.join(" and ")} output yet: this preview shows what account-b ` +
    "will create once account-a exists, with what depends on it (the OIDC provider's URL, the source role ARNs, " +
    "the trust policies, the handoffs) unknown until then"
  );
}

/** The probe of a grant: its first bucket with an `objectKey` (none: no probe). */
function grantProbe(grant: AccountBGrant): GrantProbe | undefined {
  const bucket = grant.buckets.find((b) => b.objectKey !== undefined);
  return bucket ? { bucketName: bucket.name, objectKey: bucket.objectKey as string } : undefined;
}

/** A grant's buckets as `BucketAccessGrant` takes them: a created bucket gets its `objectKey` written. */
function grantBuckets(grant: AccountBGrant): GrantBucketInput[] {
  return grant.buckets.map((b) => ({
    name: b.name,
    create: b.create,
    access: b.access,
    ...(b.prefixes.length > 0 ? { prefixes: b.prefixes } : {}),
    ...(b.kmsKeyArn !== undefined ? { kmsKeyArn: b.kmsKeyArn } : {}),
    ...(b.create && b.objectKey !== undefined
      ? { objects: [{ key: b.objectKey, content: DEFAULT_OBJECT_CONTENT }] }
      : {}),
    ...(b.forceDestroy !== undefined ? { forceDestroy: b.forceDestroy } : {}),
  }));
}

/** account-a's cluster as one grant trusts it: the fields its mechanisms need, and no other. */
function grantCluster(
  grant: AccountBGrant,
  a: {
    issuerUrl: pulumi.Input<string>;
    clusterArn: pulumi.Input<string>;
    providerArn?: pulumi.Output<string>;
  },
): GrantClusterInput {
  const roleArn = (name: string) => pulumi.output(a.clusterArn).apply((arn) => accountARoleArn(arn, name));
  const cluster: GrantClusterInput = {};
  for (const m of grant.mechanisms) {
    if (m === Mechanism.Irsa) {
      cluster.issuerUrl = a.issuerUrl;
      cluster.oidcProviderArn = a.providerArn;
    } else if (m === Mechanism.PodIdentity) {
      cluster.clusterArn = a.clusterArn;
      cluster.sourceRoleArn = roleArn(grant.sourceRoleName as string);
    } else {
      cluster.chainedSourceRoleArn = roleArn(grant.chainedSourceRoleName as string);
    }
  }
  return cluster;
}

/** account-a's facts the grants need, or (a preview before account-a has them) unknown; an update fails. */
async function accountAFacts(
  config: AccountBGrantsConfig,
  a: Record<string, unknown>,
): Promise<GrantsAccountAFacts> {
  const needed = neededAccountAOutputs(config);
  const missing = needed.filter((n) => typeof a[n] !== "string" || a[n] === "");
  if (missing.length > 0) {
    if (!pulumi.runtime.isDryRun()) {
      throw new Error(
        `account-a (${config.accountAStack}) has no ${missing.join(" and ")} output yet: run account-a's update ` +
          "first (npm run deploy runs both stacks in order), or set cross-account-irsa:accountAStack to the right stack",
      );
    }
    await pulumi.log.info(previewWithout(missing, config.accountAStack));
  }
  const known = (n: string) =>
    needed.includes(n as never) && !missing.includes(n as never) ? (a[n] as string) : undefined;
  const issuerUrl = known("oidcIssuerUrl");
  const clusterArn = known("clusterArn");
  return {
    ...(issuerUrl !== undefined ? { issuerUrl } : {}),
    ...(clusterArn !== undefined ? { clusterArn } : {}),
  };
}

/**
 * account-b in grants mode: reads account-a through a StackReference, checks both stacks run grants
 * mode and every grant's documents, then registers the shared OIDC provider (when a grant lists
 * `irsa`) and one `BucketAccessGrant` per grant. Outputs: `mode: "grants"`, `region`, and `grants`
 * keyed by grant key in config order, each `{ handoff, probe?, kmsKeyPolicyStatements? }`.
 */
export async function accountBGrants(
  settings: StackSettings,
  organization: string,
): Promise<Record<string, unknown>> {
  const config = parseAccountBGrantsConfig(settings, organization);
  const aws = awsProvider("account-b", config.aws, pulumi.getStack());
  const a = await readStackOutputs(new pulumi.StackReference(config.accountAStack), GRANTS_ACCOUNT_A_OUTPUTS);
  const deployed = ["oidcIssuerUrl", "clusterArn", "mechanism"].some((n) => a[n] !== undefined);
  const self = `${organization}/${pulumi.getProject()}/${pulumi.getStack()}`;
  checkOtherStackMode("account-b", self, "grants", config.accountAStack, a, deployed);
  // account-a's optional thumbprint: text or absent, anything else refused (never dropped).
  const thumbprint = needsOidcProvider(config)
    ? optionalTextOutput(config.accountAStack, "oidcThumbprint", a.oidcThumbprint)
    : undefined;
  const facts = await accountAFacts(config, a);
  // Every grant's documents, checked before the first resource registers (in preview too).
  checkGrantsDocuments(config, facts);
  // What account-a's bindings still set up must stay trusted: account-a drops a path first.
  if (a.grants !== undefined) checkStillTrusted(config, parseAccountAGrants(config.accountAStack, a.grants));

  const unknown = () => pulumi.output(pulumi.unknown as unknown as string);
  const issuerUrl = facts.issuerUrl ?? unknown();
  const clusterArn = facts.clusterArn ?? unknown();
  let providerArn: pulumi.Output<string> | undefined;
  if (needsOidcProvider(config)) {
    providerArn = new ClusterOidcProvider(
      GRANTS_OIDC_PROVIDER_NAME,
      {
        issuerUrl,
        thumbprints: thumbprint !== undefined && thumbprint.length > 0 ? [thumbprint] : [],
        ...(config.existingOidcProviderArn !== undefined
          ? { existingProviderArn: config.existingOidcProviderArn }
          : {}),
      },
      { providers: { aws } },
    ).arn;
  }

  const grants: Record<string, pulumi.Output<AccountBGrantOutput>> = {};
  for (const g of config.grants) {
    const grant = new BucketAccessGrant(
      g.key,
      {
        mechanisms: g.mechanisms,
        clusters: { [GRANT_CLUSTER_KEY]: grantCluster(g, { issuerUrl, clusterArn, providerArn }) },
        serviceAccounts: g.serviceAccounts,
        buckets: grantBuckets(g),
        ...(g.roleName !== undefined ? { roleName: g.roleName } : {}),
        ...(g.path !== undefined ? { path: g.path } : {}),
        ...(g.permissionsBoundary !== undefined ? { permissionsBoundary: g.permissionsBoundary } : {}),
        maxSessionDuration: g.maxSessionDuration,
        maxTrustPolicySize: g.maxTrustPolicySize,
        description: `cross-account-irsa grant "${g.key}": S3 access for ${g.serviceAccounts.length} service account(s) of ${config.accountAStack}`,
      },
      { providers: { aws } },
    );
    const probe = grantProbe(g);
    // One value per grant: the key-policy statements only when a key of another account needs them.
    grants[g.key] = pulumi
      .all([grant.handoff, grant.kmsKeyPolicyStatements])
      .apply(([handoff, statements]): AccountBGrantOutput => ({
        handoff,
        ...(probe !== undefined ? { probe } : {}),
        ...(Object.keys(statements).length > 0 ? { kmsKeyPolicyStatements: statements } : {}),
      }));
  }
  return { mode: GRANTS_MODE, region: config.aws.region, grants };
}
