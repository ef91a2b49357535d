/**
 * The end-to-end test (`--assume`, the doctor's only write calls): a token for the ServiceAccount from
 * the Kubernetes TokenRequest API with the audience its pods get, sts:AssumeRoleWithWebIdentity with
 * it, then reading the object with those credentials. Stops at the first step that fails and keeps
 * the service's own error, with the link it points to (the same diagnosis as `npm run verify`).
 */
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { AssumeRoleWithWebIdentityCommand } from "@aws-sdk/client-sts";
import { type JSONWebKeySet } from "jose";
import { type AssumeStep, type TokenFacts } from "../../../chain";
import { accountClients, awsErrorText } from "../../../doctor/aws";
import { kubeErrorText } from "../../../doctor/kube";
import { type CollectorContext } from "../../../doctor/collector";
import { tokenFacts } from "../../../doctor/oidc";
import { Mechanism } from "../../../components/mechanism";
import { type AccessCheckRef } from "../../../deploy/diagnosis";
import { diagnoseStep } from "./facts";

/** Lifetime of the token asked for, in seconds (the API's minimum is 600). */
const TOKEN_SECONDS = 600;

/** Runs the steps; returns them (up to the first failure) and what the token said. */
export async function runAssume(
  ctx: CollectorContext,
  audience: string,
  jwks: JSONWebKeySet | undefined,
): Promise<{ steps: AssumeStep[]; token?: TokenFacts }> {
  const { chain } = ctx;
  const ref: AccessCheckRef = {
    mechanism: Mechanism.Irsa,
    namespace: chain.namespace,
    jobName: "(doctor --assume)",
    expectedRoleArn: chain.roleArn,
    bucketName: chain.bucket,
    objectKey: chain.key,
    serviceAccount: { namespace: chain.namespace, name: chain.serviceAccount },
  };
  const steps: AssumeStep[] = [];
  let token: string;
  try {
    token = await ctx.kube!.requestToken(chain.namespace, chain.serviceAccount, audience, TOKEN_SECONDS);
  } catch (error) {
    steps.push({ step: "token", ok: false, detail: `TokenRequest: ${kubeErrorText(error)}` });
    return { steps };
  }
  const facts = await tokenFacts(token, jwks);
  steps.push({
    step: "token",
    ok: true,
    detail: `sub ${facts.subject ?? "?"}, aud ${facts.audiences.join(",") || "?"}, iss ${facts.issuer ?? "?"}`,
  });

  let credentials;
  let caller: string;
  try {
    const out = await ctx.b.sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: chain.roleArn,
        RoleSessionName: "irsa-doctor",
        WebIdentityToken: token,
        DurationSeconds: 900,
      }),
    );
    caller = out.AssumedRoleUser?.Arn ?? "";
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error("STS returned no credentials");
    credentials = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    };
  } catch (error) {
    const text = awsErrorText(error);
    steps.push({ step: "sts", ok: false, detail: text, ...diagnoseStep("sts", text, ref) });
    return { steps, token: facts };
  }
  steps.push({ step: "sts", ok: true, detail: `assumed ${caller}` });

  const assumed = await accountClients({ credentials, env: ctx.env, record: ctx.record });
  try {
    const out = await assumed
      .s3(ctx.bucketRegion)
      .send(new GetObjectCommand({ Bucket: chain.bucket, Key: chain.key }));
    const bytes = (await out.Body?.transformToByteArray())?.length ?? 0;
    steps.push({ step: "s3", ok: true, detail: `read ${bytes} bytes as ${caller}` });
  } catch (error) {
    const text = awsErrorText(error);
    steps.push({ step: "s3", ok: false, detail: text, ...diagnoseStep("s3", text, ref, caller) });
  } finally {
    assumed.destroy();
  }
  return { steps, token: facts };
}
