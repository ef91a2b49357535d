/**
 * The request context AWS sets for each request of the two chains, as far as it is known without
 * AWS's own records: the evaluators read a condition on any other key as undecided (never as absent).
 * Each key is set only where AWS's documentation says it is, for the hop in question. Pure.
 *
 * Sources (checked when this was written):
 * - AWS global condition context keys, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 *   (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType `AssumedRole` for a role session,
 *   aws:userid `<role id>:<role session name>` for a role session, aws:PrincipalTag/*, aws:FederatedProvider
 *   for a session issued through an IAM OIDC provider (its ARN), aws:ResourceAccount, aws:RequestTag/*
 *   and aws:TagKeys only for requests that pass tags, aws:SourceArn/aws:SourceAccount only when an AWS
 *   service principal calls the resource directly, aws:PrincipalIsAWSService, aws:ViaAWSService).
 * - EKS Pod Identity session tags, https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
 *   (six tags on EKS's AssumeRole: eks-cluster-arn, eks-cluster-name, kubernetes-namespace,
 *   kubernetes-service-account, kubernetes-pod-name, kubernetes-pod-uid; all transitive, so they
 *   reach the target role's AssumeRole as request tags and its sessions as principal tags).
 * - IRSA's AssumeRoleWithWebIdentity keys (`<issuer host/path>:sub`, `:aud`),
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
 */
import { type RequestKeys } from "./evaluate";

/** A request context: the values AWS sets, the keys it does not set, and values known by their start. */
export interface RequestContext extends RequestKeys {
  context: Record<string, string>;
}

/** The account id of an IAM or STS ARN. */
function accountOf(arn: string): string | undefined {
  return /^arn:[a-z-]+:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
}

/**
 * IRSA's AssumeRoleWithWebIdentity (the trust policy of the role; `sub` and `aud` are the
 * evaluator's): the role's account is the provider's (STS uses the provider of the role's account).
 * A Kubernetes service account token carries no `https://aws.amazon.com/tags` claim, so the request
 * has no session tags.
 */
export function webIdentityKeys(providerArn: string): RequestContext {
  const account = accountOf(providerArn);
  return {
    context: account !== undefined ? { "aws:ResourceAccount": account } : {},
    absent: ["aws:RequestTag/", "aws:TagKeys"],
  };
}

/** A role session's identity: the role, its unique id (GetRole's RoleId) when read, its session tags. */
export interface RoleSession {
  roleArn: string;
  /** GetRole's RoleId (`AROA...`): aws:userid is `<RoleId>:<session name>`, the session name the SDK's. */
  roleId?: string;
  /** The session's tags (Pod Identity's six), which IAM gives as aws:PrincipalTag/<key>. */
  sessionTags?: Record<string, string>;
  /** The IAM OIDC provider the session came through (IRSA): aws:FederatedProvider. */
  federatedProvider?: string;
}

/**
 * A request made with a role session's credentials straight to a service by the SDK in the pod (S3
 * GetObject, STS AssumeRole of the chained role): the principal keys, no service in between, no
 * service principal calling (no aws:SourceArn/SourceAccount), no tags passed unless `requestTags`.
 */
export function roleSessionKeys(session: RoleSession, requestTags?: Record<string, string>): RequestContext {
  const account = accountOf(session.roleArn);
  const context: Record<string, string> = {
    "aws:PrincipalArn": session.roleArn,
    ...(account !== undefined ? { "aws:PrincipalAccount": account } : {}),
    "aws:PrincipalType": "AssumedRole",
    "aws:PrincipalIsAWSService": "false",
    "aws:ViaAWSService": "false",
  };
  for (const [k, v] of Object.entries(session.sessionTags ?? {})) context[`aws:PrincipalTag/${k}`] = v;
  if (session.federatedProvider !== undefined) context["aws:FederatedProvider"] = session.federatedProvider;
  for (const [k, v] of Object.entries(requestTags ?? {})) context[`aws:RequestTag/${k}`] = v;
  const absent = [
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    ...(requestTags === undefined ? ["aws:RequestTag/", "aws:TagKeys"] : []),
    // An IRSA session is not a federated OIDC session only when no provider is given for it.
  ];
  return {
    context,
    absent,
    ...(session.roleId !== undefined ? { prefixes: { "aws:userid": `${session.roleId}:` } } : {}),
  };
}

/** The six session tags EKS Pod Identity sets (pod-id-abac), without the `aws:RequestTag/` prefix. */
export const POD_IDENTITY_SESSION_TAG_KEYS = [
  "eks-cluster-arn",
  "eks-cluster-name",
  "kubernetes-namespace",
  "kubernetes-service-account",
  "kubernetes-pod-name",
  "kubernetes-pod-uid",
] as const;

/** One pod that runs as the ServiceAccount, as its session tags name it. */
export interface PodRef {
  name: string;
  uid?: string;
}

/**
 * Pod Identity's session tags for one pod (all six when the pod is known; without the pod's two
 * otherwise, which then stay unknown: a condition on them is undecided).
 */
export function podIdentityTags(
  clusterArn: string,
  sa: { namespace: string; name: string },
  pod?: PodRef,
): Record<string, string> {
  const tags: Record<string, string> = {
    "eks-cluster-arn": clusterArn,
    "eks-cluster-name": clusterArn.slice(clusterArn.lastIndexOf("/") + 1),
    "kubernetes-namespace": sa.namespace,
    "kubernetes-service-account": sa.name,
  };
  if (pod !== undefined) {
    tags["kubernetes-pod-name"] = pod.name;
    if (pod.uid !== undefined) tags["kubernetes-pod-uid"] = pod.uid;
  }
  return tags;
}

/** Merges request contexts: later values win, absent keys and prefixes add up. */
export function mergeKeys(...parts: Array<RequestContext | undefined>): RequestContext {
  const out: RequestContext = { context: {}, absent: [], prefixes: {} };
  for (const p of parts) {
    if (p === undefined) continue;
    Object.assign(out.context, p.context);
    out.absent = [...(out.absent ?? []), ...(p.absent ?? [])];
    Object.assign(out.prefixes!, p.prefixes ?? {});
  }
  // A key given a value is not absent.
  const given = new Set(Object.keys(out.context).map((k) => k.toLowerCase()));
  out.absent = out.absent!.filter((a) => !given.has(a.toLowerCase()));
  return out;
}
