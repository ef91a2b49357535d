/**
 * The request contexts of a live chain's hops, from its snapshot: what AWS sets for each request
 * (components/requestContext.ts says which keys, with AWS's documentation), filled with the live
 * facts (the roles' ids, the provider, the cluster, the ServiceAccount and its pods). A Pod Identity
 * request differs per pod (two of its session tags name the pod): one variant per live pod, or one
 * without the pod's tags when no pod is known (a condition on them is then undecided). Pure.
 */
import { Mechanism, assertNever } from "../components/mechanism";
import { type RequestKeys } from "../components/evaluate";
import {
  mergeKeys,
  podIdentityTags,
  roleSessionKeys,
  type RequestContext,
} from "../components/requestContext";
import { type PolicyDocument } from "../components/policyDocument";
import { POD_IDENTITY_SERVICE } from "../components/podIdentityPolicies";
import { type Outcome, tryAccessWithin, tryRoleTrust, tryServiceTrust, worstOf } from "./evaluation";
import { type LivePod, type PodIdentitySnapshot } from "./snapshot";

/** One request of a hop: the context and keys, and (when there are several pods) the pod it is for. */
export interface Variant {
  label?: string;
  context: Record<string, string>;
  keys: RequestKeys;
}

function variant(label: string | undefined, c: RequestContext): Variant {
  const { context, ...keys } = c;
  return { ...(label !== undefined ? { label } : {}), context, keys };
}

/** The pods a Pod Identity request may come from: each live pod, or one unknown pod. */
function pods(s: { live?: { pods?: LivePod[] } }): Array<LivePod | undefined> {
  const list = s.live?.pods ?? [];
  return list.length > 0 ? list : [undefined];
}

const label = (pod: LivePod | undefined, many: boolean) =>
  pod !== undefined && many ? `pod ${pod.name}` : undefined;

/** What the variants are made of: the parts of a snapshot of either mechanism they read. */
export interface VariantFacts {
  mechanism: Mechanism;
  role?: { arn: string; id?: string };
  provider?: { arn: string };
  cluster?: { arn: string };
  serviceAccount?: { namespace: string; name: string };
  trusted?: Array<{ namespace: string; name: string }>;
  live?: { roleArn?: string; pods?: LivePod[] };
}

/** The ServiceAccount of a Pod Identity chain (read, else asked about). */
function subjectOf(s: VariantFacts): { namespace: string; name: string } | undefined {
  return s.serviceAccount ?? s.trusted?.[0];
}

/**
 * The session tags EKS Pod Identity sets for each pod (pod-id-abac), or none when the cluster or the
 * ServiceAccount is unknown.
 */
export function podTagVariants(s: VariantFacts): Array<{ label?: string; tags: Record<string, string> }> {
  const sa = subjectOf(s);
  if (s.cluster === undefined || sa === undefined) return [];
  const all = pods(s);
  return all.map((pod) => ({
    ...(label(pod, all.length > 1) !== undefined ? { label: label(pod, all.length > 1) } : {}),
    tags: podIdentityTags(s.cluster!.arn, sa, pod),
  }));
}

/**
 * Requests made with the session of the role the pod ends up as (IRSA's role, Pod Identity's target
 * role) straight to S3: one per pod for Pod Identity.
 */
export function permissionVariants(s: VariantFacts): Variant[] {
  const roleArn = s.role?.arn ?? s.live?.roleArn;
  if (roleArn === undefined) return [];
  const id = s.role?.id !== undefined ? { roleId: s.role.id } : {};
  switch (s.mechanism) {
    case Mechanism.Irsa: {
      // A web identity session: the OIDC provider it was federated through.
      const provider = s.provider?.arn !== undefined ? { federatedProvider: s.provider.arn } : {};
      return [variant(undefined, roleSessionKeys({ roleArn, ...id, ...provider }))];
    }
    case Mechanism.PodIdentity: {
      // A session EKS made: tagged with the pod's session tags (one variant per pod's tags).
      const tagged = podTagVariants(s);
      if (tagged.length === 0) return [variant(undefined, roleSessionKeys({ roleArn, ...id }))];
      return tagged.map((t) => variant(t.label, roleSessionKeys({ roleArn, ...id, sessionTags: t.tags })));
    }
    case Mechanism.IrsaChained:
      // A session of the target role its source role's session made (AssumeRole, no session tags).
      return [variant(undefined, roleSessionKeys({ roleArn, ...id }))];
    default:
      return assertNever(s.mechanism, "mechanism");
  }
}

/**
 * The source role's session calling sts:AssumeRole / sts:TagSession on the target role, as EKS makes
 * it: the session's tags passed on (transitive) as request tags, the association's external id.
 *
 * @internal exported for the tests only
 */
export function chainedAssumeVariants(s: PodIdentitySnapshot, externalId?: string): Variant[] {
  const source = s.sourceRole;
  if (source === undefined) return [];
  const target = s.live?.targetRoleArn ?? s.role?.arn;
  const targetAccount = target !== undefined ? /::(\d{12}):/.exec(target)?.[1] : undefined;
  const extra: RequestContext = {
    context: {
      ...(externalId !== undefined ? { "sts:ExternalId": externalId } : {}),
      ...(targetAccount !== undefined ? { "aws:ResourceAccount": targetAccount } : {}),
    },
  };
  const id = source.id !== undefined ? { roleId: source.id } : {};
  return podTagVariants(s).map((t) =>
    variant(
      t.label,
      byEks(mergeKeys(roleSessionKeys({ roleArn: source.arn, ...id, sessionTags: t.tags }, t.tags), extra)),
    ),
  );
}

/** Keys of a request that may differ when a service makes it with the caller's session (see {@link byEks}). */
const SERVICE_SET_KEYS = [
  "aws:ViaAWSService",
  "aws:CalledVia",
  "aws:CalledViaFirst",
  "aws:CalledViaLast",
  "aws:SourceArn",
  "aws:SourceAccount",
  "aws:SourceOrgID",
  "aws:SourceOrgPaths",
].map((k) => k.toLowerCase());

/**
 * The chained AssumeRole is made by EKS with the source role's session, not by the SDK in the pod:
 * whether AWS then sets aws:ViaAWSService, aws:CalledVia* or aws:Source* is not documented
 * (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html says only that EKS assumes the
 * role, with session tags), so a condition on them is undecided, never read as a direct call's.
 */
function byEks(c: RequestContext): RequestContext {
  const unknown = (k: string) => SERVICE_SET_KEYS.includes(k.toLowerCase());
  return {
    ...c,
    context: Object.fromEntries(Object.entries(c.context).filter(([k]) => !unknown(k))),
    absent: (c.absent ?? []).filter((k) => !unknown(k)),
  };
}

/** EKS (its service principal) calling sts:AssumeRole / sts:TagSession on the source role, with the tags. */
export function serviceAssumeVariants(s: PodIdentitySnapshot): Variant[] {
  return podTagVariants(s).map((t) => ({
    ...(t.label !== undefined ? { label: t.label } : {}),
    context: Object.fromEntries(Object.entries(t.tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
    keys: {},
  }));
}

/** Runs one evaluation per variant; the worst outcome decides (see worstOf). */
export function acrossVariants(variants: Variant[], run: (v: Variant) => Outcome): Outcome {
  return worstOf(variants.map((v) => ({ ...(v.label ? { label: v.label } : {}), outcome: run(v) })));
}

/**
 * Link 3, live: EKS assuming the source role, once per pod (the tags the plan's check passes, and
 * the pod's two); without a cluster or ServiceAccount, the one request with the given tags.
 */
export function liveServiceTrust(
  s: PodIdentitySnapshot,
  trust: PolicyDocument,
  action: string,
  tags: Record<string, string>,
): Outcome {
  const variants = serviceAssumeVariants(s);
  return acrossVariants(variants.length > 0 ? variants : [{ context: {}, keys: {} }], (v) =>
    tryServiceTrust(trust, POD_IDENTITY_SERVICE, action, { ...v.context, ...tags }, v.keys),
  );
}

/** Link 3, live: the source role's policies (through its boundary) allow the chained call on the target role. */
export function liveSourcePermission(
  s: PodIdentitySnapshot,
  docs: PolicyDocument[],
  action: string,
  target: string,
): Outcome {
  const externalId = s.associations.find(
    (a) => a.namespace === subjectOf(s)?.namespace && a.serviceAccount === subjectOf(s)?.name,
  )?.externalId;
  const variants = chainedAssumeVariants(s, externalId);
  return acrossVariants(variants.length > 0 ? variants : [{ context: {}, keys: {} }], (v) =>
    tryAccessWithin(docs, s.sourceRole?.boundary, action, target, v),
  );
}

/** Link 4, live: the target role's trust, for the source role's session as EKS calls it, per pod. */
export function liveRoleTrust(
  s: PodIdentitySnapshot,
  trust: PolicyDocument,
  sourceRoleArn: string,
  action: string,
  context: Record<string, string>,
  externalId: string | undefined,
): Outcome {
  const variants = chainedAssumeVariants(s, externalId);
  return acrossVariants(variants.length > 0 ? variants : [{ context: {}, keys: {} }], (v) =>
    tryRoleTrust(trust, sourceRoleArn, action, { ...v.context, ...context }, v.keys),
  );
}
