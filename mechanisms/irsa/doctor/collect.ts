/**
 * The IRSA collector: fills the chain's snapshot from live state, read-only. EKS DescribeCluster in
 * the cluster's account (A); the issuer's discovery document and JWKS; the IAM OIDC provider, the
 * role, its inline and attached policies in the role's account (B), and the provider for the same
 * issuer in A (the usual mistake); the ServiceAccount and its pods; the bucket policy, the object and
 * its KMS key (the readers both mechanisms share are ../readers.ts). With `--assume`, the end-to-end
 * steps (assume.ts). The checks are chain/'s.
 */
import { parseArn } from "../../../components/arn";
import { GetOpenIDConnectProviderCommand, type IAMClient } from "@aws-sdk/client-iam";
import { type IrsaSnapshot, type Unavailable } from "../../../chain";
import { normalizeIssuer } from "../../../components/issuer";
import { AUDIENCE_ANNOTATION } from "../../../components/serviceAccountAnnotations";
import { STS_AUDIENCE } from "../../../components/trustPolicy";
import { awsErrorCode, awsErrorText } from "../../../doctor/aws";
import { type CollectorContext } from "../../../doctor/collector";
import { fetchDiscovery } from "../../../doctor/oidc";
import { describeCluster, liveBase, orUndefined, readRoleClusterAndBucket } from "../../../doctor/readers";
import { runAssume } from "./assume";
import { providerFacts } from "./facts";

/** The provider for a host/path in an account: its facts, none (NoSuchEntity), or why it could not be read. */
async function providerIn(
  iam: IAMClient,
  arn: string,
): Promise<{ provider?: ReturnType<typeof providerFacts>; error?: string }> {
  const out = await orUndefined(
    iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
  );
  if (out.error === undefined) return { provider: providerFacts(arn, out.value!) };
  if (awsErrorCode(out.error).code === "NoSuchEntity") return {};
  return { error: `GetOpenIDConnectProvider ${arn}: ${awsErrorText(out.error)}` };
}

/** Reads the live IRSA chain into a snapshot (and runs the end-to-end steps with --assume). */
export async function collectIrsa(ctx: CollectorContext): Promise<IrsaSnapshot> {
  const { chain } = ctx;
  const unavailable: Unavailable = { workloads: "the doctor reads pods, not Deployments and Jobs" };
  const snapshot: IrsaSnapshot = { mechanism: "irsa", ...liveBase(ctx) };
  const live = snapshot.live!;

  // Link 1: the cluster's issuer, and what the issuer serves.
  const issuer = (await describeCluster(ctx, live))?.identity?.oidc?.issuer;
  if (issuer !== undefined) snapshot.issuerUrl = issuer;
  let jwks: Awaited<ReturnType<typeof fetchDiscovery>>["jwks"];
  let hostPath: string | undefined;
  if (snapshot.issuerUrl !== undefined) {
    try {
      hostPath = normalizeIssuer(snapshot.issuerUrl);
    } catch {
      hostPath = undefined;
    }
  }
  if (hostPath !== undefined) {
    const fetched = await fetchDiscovery(snapshot.issuerUrl!, ctx.https);
    live.discovery = fetched.discovery;
    jwks = fetched.jwks;
  }

  // Links 2 and 3: the provider in B (and in A), the role and its policies.
  // The role's own partition (doctor/cli.ts checked its account is B's); never a guessed one.
  const partition = parseArn("the role ARN", chain.roleArn).partition;
  if (hostPath !== undefined) {
    const inB = await providerIn(
      ctx.b.iam,
      `arn:${partition}:iam::${ctx.accounts.b}:oidc-provider/${hostPath}`,
    );
    if (inB.provider !== undefined) snapshot.provider = inB.provider;
    else if (inB.error !== undefined) live.providerError = inB.error;
    else if (ctx.accounts.a !== ctx.accounts.b) {
      const inA = await providerIn(
        ctx.a.iam,
        `arn:${partition}:iam::${ctx.accounts.a}:oidc-provider/${hostPath}`,
      );
      if (inA.provider !== undefined) live.providerInClusterAccount = inA.provider.arn;
    }
  }
  // Link 3's role, link 4 and link 5's bucket side.
  await readRoleClusterAndBucket(ctx, snapshot, unavailable);

  if (ctx.assume && ctx.kube !== undefined) {
    const audience = snapshot.serviceAccount?.annotations[AUDIENCE_ANNOTATION] ?? STS_AUDIENCE;
    const outcome = await runAssume(ctx, audience, jwks);
    live.assume = outcome.steps;
    if (outcome.token !== undefined) live.token = outcome.token;
  }
  snapshot.unavailable = unavailable;
  return snapshot;
}
