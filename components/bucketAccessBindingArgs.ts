/**
 * `BucketAccessBinding`'s arguments, each field documented with its default, and their checks that
 * need no handoff (plain values are checked before anything registers; the handoff's checks are
 * `bucketAccessBindingPlan.ts`'s).
 */
import type * as pulumi from "@pulumi/pulumi";
import { checkBindingMechanisms, checkMechanisms } from "./bucketAccess";
import { type BucketAccessHandoff } from "./bucketAccessHandoff";
import {
  BINDING_ALIAS_PARTS,
  checkChainedArgs,
  checkProbeName,
  type BindingChildAliases,
  type BindingProbeInput,
  type BindingServiceAccountInput,
} from "./bucketAccessBindingInputs";
import { InputError } from "./errors";
import { isPlain, requireArgs, requirePlainArg } from "./inputs";
import { Mechanism } from "./mechanism";
import { checkNamespaceCreatable } from "./serviceAccountResources";
import { type ServiceAccountRef } from "./trustPolicy";
import {
  parseRoleArn,
  validateBoolean,
  validateEksClusterName,
  validateNamespace,
  validateObjectKey,
  validateObjectName,
} from "./validation";

/** Arguments of {@link BucketAccessBinding}. */
export interface BucketAccessBindingArgs {
  /**
   * The grant's handoff (`BucketAccessGrant.handoff`), typically `stackRef.getOutput("handoff")`.
   * Read strictly once known: version 1, no unknown field.
   * @default none (required)
   */
  handoff: pulumi.Input<BucketAccessHandoff>;
  /**
   * The grant's role the handoff must name (its `roleArn`), pinned in account A: a handoff naming
   * another role is refused before anything is registered. The handoff is refused anyway when its role
   * is in the cluster's account or another partition.
   * @default none (any role of another account the handoff names)
   */
  expectedRoleArn?: pulumi.Input<string>;
  /**
   * The paths this binding sets up: each must be one the grant trusts. During a migration, two, then
   * the new one (docs/migration.md). Never `irsa` with `irsa-chained` (one ServiceAccount annotation
   * names one role). A plain list: it decides which resources exist.
   * @default none (required)
   */
  mechanisms: Mechanism[];
  /**
   * The EKS cluster's name (an `eks.Cluster`'s `eksCluster.name`): where Pod Identity's association is
   * made, and which of the grant's clusters this is. Required with `pod-identity`, refused without it.
   * @default none
   */
  clusterName?: pulumi.Input<string>;
  /**
   * IRSA with role chaining: the cluster's OIDC issuer URL (an `eks.Cluster`'s
   * `eksCluster.identities[0].oidcs[0].issuer`), for account A's IAM OIDC provider and the source
   * role's trust. Required with `irsa-chained`, refused without it.
   * @default none
   */
  issuerUrl?: pulumi.Input<string>;
  /**
   * IRSA with role chaining: account A's existing IAM OIDC provider for `issuerUrl`, adopted (read and
   * checked, never modified; IAM allows one provider per issuer per account, so a cluster that already
   * uses IRSA in its own account has one). It must be in the source role's account. Refused without
   * `irsa-chained`.
   * @default none (the binding creates the provider)
   */
  existingOidcProviderArn?: pulumi.Input<string>;
  /**
   * IRSA with role chaining: which of the grant's clusters this is, by its key in the grant's
   * `clusters` (its `chainedSourceRoleArn` is the source role the binding creates). A plain string.
   * Refused without `irsa-chained`.
   * @default the cluster `clusterName` names (with `pod-identity`), else the grant's only cluster
   */
  clusterKey?: string;
  /**
   * The ServiceAccount, created or adopted.
   * @default none (required)
   */
  serviceAccount: BindingServiceAccountInput;
  /**
   * Deploy the probe (an access-check Job the update waits for, and a reader Deployment).
   * @default none (no probe)
   */
  probe?: BindingProbeInput;
  /**
   * Pod Identity: also install the cluster's `eks-pod-identity-agent` add-on (`PodIdentityAgent`), and
   * make the association wait for it. Leave it out when the cluster has the agent already (EKS Auto
   * Mode, an add-on its owner manages). Refused without `pod-identity`. A plain boolean.
   * @default false
   */
  installPodIdentityAgent?: boolean;
  /**
   * Pod Identity: the source role in account A to use, adopted rather than created (a role this
   * program or another registered already, e.g. on an update before account B's grant existed, under
   * a generated name). It must be the handoff's `sourceRoleArn` for the binding's cluster (checked
   * once both are known) and trust `pods.eks.amazonaws.com` for the cluster (`PodIdentitySourceRole`
   * does); the binding gives it the permission to chain into the grant's role, as it does a role it
   * creates. Refused without `pod-identity`.
   * @default none (the binding creates the source role under the name and path the handoff names)
   */
  podIdentitySourceRoleArn?: pulumi.Input<string>;
  /**
   * Pod Identity: the service accounts the binding makes associations for, each one the grant trusts
   * (the ServiceAccounts other than `serviceAccount` are not created here: their owner does). It must
   * list `serviceAccount`. A plain list. Refused without `pod-identity`.
   * @default [serviceAccount]
   */
  podIdentityServiceAccounts?: ServiceAccountRef[];
  /**
   * IRSA with role chaining: account A's source role to use, adopted rather than created (a role
   * registered already, e.g. by a `ChainedSourceRole` under a generated name before account B's grant
   * existed). It must be the handoff's `chainedSourceRoleArn` (checked once both are known), trust the
   * binding's ServiceAccount through account A's OIDC provider and be allowed `sts:AssumeRole` on the
   * grant's role (`ChainedSourceRole` with `targetRoleArn` is): the binding then registers neither
   * the provider nor the role, only the annotation naming it and the SDK config file, so `issuerUrl`
   * and `existingOidcProviderArn` are refused with it. Refused without `irsa-chained`.
   * @default none (the binding creates account A's OIDC provider and the source role)
   */
  chainedSourceRoleArn?: pulumi.Input<string>;
  /**
   * IRSA with role chaining: the name of the SDK config file's ConfigMap. A plain string (a DNS-1123
   * subdomain). Refused without `irsa-chained`.
   * @default `<serviceAccount.name>-aws-config`
   */
  chainedConfigMapName?: string;
  /**
   * Earlier URNs of the binding's own resources, by part, passed to each as Pulumi `aliases`
   * (https://www.pulumi.com/docs/iac/concepts/options/aliases/): resources a program registered
   * before under other names or parents move under the binding without being replaced (the
   * single-grant stack program's move into the binding uses it). A resource's children follow it.
   * A plain object.
   * @default none (no aliases)
   */
  childAliases?: BindingChildAliases;
  /**
   * Tags for the AWS resources (Pod Identity's source role, association and add-on; IRSA with role
   * chaining's OIDC provider and source role).
   * @default {}
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A binding's plain arguments, checked (what the binding registers from; not an argument type). */
export type CheckedBindingArgs = {
  mechanisms: Mechanism[];
  serviceAccount: ServiceAccountRef;
  create: boolean;
  createNamespace: boolean;
  /** Pod Identity: the service accounts to associate (`serviceAccount` among them). */
  podIdentityServiceAccounts: ServiceAccountRef[];
};

/** Which mechanisms read `args.clusterName`. */
const CLUSTER_NAME_USED: Record<Mechanism, boolean> = {
  [Mechanism.Irsa]: false,
  [Mechanism.PodIdentity]: true,
  [Mechanism.IrsaChained]: false,
};

/** Refuses a field only `mechanism` reads when the binding does not set it up. */
function onlyWith(field: string, value: unknown, mechanism: Mechanism, listed: boolean): void {
  if (value !== undefined && !listed) {
    throw new InputError(
      field,
      isPlain(value) ? value : "[an Output]",
      `is read only by mechanism "${mechanism}", which args.mechanisms does not list: remove it, or add the mechanism`,
    );
  }
}

/**
 * Checks a binding's arguments that need no handoff, in the terms the caller wrote them
 * (`args.<field>`); plain values fully, Outputs once known (by the binding).
 */
export function checkBindingArgs(args: BucketAccessBindingArgs): CheckedBindingArgs {
  requireArgs(args);
  requirePlainArg("args.mechanisms", args.mechanisms, "it decides which resources exist");
  const mechanisms = checkBindingMechanisms(
    "args.mechanisms",
    checkMechanisms("args.mechanisms", args.mechanisms),
  );
  const chained = mechanisms.includes(Mechanism.IrsaChained);
  const sa = args.serviceAccount as unknown;
  if (sa === null || typeof sa !== "object" || Array.isArray(sa) || !isPlain(sa)) {
    throw new InputError(
      "args.serviceAccount",
      sa,
      "must be a plain object { namespace, name, create?, createNamespace? }",
    );
  }
  for (const key of Object.keys(sa)) {
    if (!["namespace", "name", "create", "createNamespace"].includes(key)) {
      throw new InputError(
        `args.serviceAccount.${key}`,
        (sa as Record<string, unknown>)[key],
        "is not a field of it (namespace, name, create, createNamespace)",
      );
    }
  }
  const namespace = validateNamespace("args.serviceAccount.namespace", args.serviceAccount.namespace);
  const saName = validateObjectName("args.serviceAccount.name", args.serviceAccount.name);
  const create =
    args.serviceAccount.create === undefined
      ? true
      : validateBoolean("args.serviceAccount.create", args.serviceAccount.create);
  const createNamespace =
    args.serviceAccount.createNamespace === undefined
      ? false
      : validateBoolean("args.serviceAccount.createNamespace", args.serviceAccount.createNamespace);
  if (createNamespace && !create) {
    throw new InputError(
      "args.serviceAccount.createNamespace",
      true,
      "is only for a ServiceAccount the binding creates (create: true)",
    );
  }
  if (createNamespace) checkNamespaceCreatable("args.serviceAccount.createNamespace", namespace);
  const needsCluster = mechanisms.some((m) => CLUSTER_NAME_USED[m]);
  if (needsCluster && args.clusterName === undefined) {
    throw new InputError(
      "args.clusterName",
      undefined,
      'is required by mechanism "pod-identity" (the association is the cluster\'s)',
    );
  }
  onlyWith("args.clusterName", args.clusterName, Mechanism.PodIdentity, needsCluster);
  if (args.installPodIdentityAgent !== undefined) {
    validateBoolean("args.installPodIdentityAgent", args.installPodIdentityAgent);
    if (args.installPodIdentityAgent && !needsCluster) {
      throw new InputError(
        "args.installPodIdentityAgent",
        true,
        `is for mechanism "pod-identity", which args.mechanisms does not list`,
      );
    }
  }
  if (args.clusterName !== undefined && isPlain(args.clusterName))
    validateEksClusterName("args.clusterName", args.clusterName);
  onlyWith(
    "args.podIdentitySourceRoleArn",
    args.podIdentitySourceRoleArn,
    Mechanism.PodIdentity,
    needsCluster,
  );
  if (args.podIdentitySourceRoleArn !== undefined && isPlain(args.podIdentitySourceRoleArn))
    parseRoleArn("args.podIdentitySourceRoleArn", args.podIdentitySourceRoleArn);
  onlyWith(
    "args.podIdentityServiceAccounts",
    args.podIdentityServiceAccounts,
    Mechanism.PodIdentity,
    needsCluster,
  );
  const serviceAccount = { namespace, name: saName };
  const podIdentityServiceAccounts =
    args.podIdentityServiceAccounts === undefined
      ? [serviceAccount]
      : checkAssociated(args.podIdentityServiceAccounts, serviceAccount);
  checkChainedArgs(args, chained, saName);
  checkChildAliases(args.childAliases);
  const probe = args.probe;
  if (probe !== undefined) {
    if (probe === null || typeof probe !== "object")
      throw new InputError(
        "args.probe",
        probe,
        "must be an object { objectKey, bucketName?, name?, region? }",
      );
    if (isPlain(probe.objectKey)) validateObjectKey("args.probe.objectKey", probe.objectKey);
    if (probe.name !== undefined) checkProbeName("args.probe.name", probe.name);
    if (probe.bucketName !== undefined && typeof probe.bucketName !== "string") {
      throw new InputError(
        "args.probe.bucketName",
        "[not a plain string]",
        "must be a plain string: one of the grant's buckets",
      );
    }
  }
  return { mechanisms, serviceAccount, create, createNamespace, podIdentityServiceAccounts };
}

/** `args.podIdentityServiceAccounts`: a plain list of distinct `{ namespace, name }` with the binding's own. */
function checkAssociated(value: unknown, own: ServiceAccountRef): ServiceAccountRef[] {
  const field = "args.podIdentityServiceAccounts";
  requirePlainArg(field, value, "it decides which associations exist");
  if (!Array.isArray(value) || value.length === 0) {
    throw new InputError(field, value, "must be a non-empty list of { namespace, name }");
  }
  const seen = new Set<string>();
  const list = value.map((entry: unknown, i) => {
    const where = `${field}[${i}]`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      throw new InputError(where, entry, "must be an object { namespace, name }");
    }
    for (const key of Object.keys(entry)) {
      if (key !== "namespace" && key !== "name")
        throw new InputError(
          `${where}.${key}`,
          (entry as Record<string, unknown>)[key],
          "is not a field of it (namespace, name)",
        );
    }
    const o = entry as Record<string, unknown>;
    const ref = {
      namespace: validateNamespace(`${where}.namespace`, o.namespace),
      name: validateObjectName(`${where}.name`, o.name),
    };
    const id = `${ref.namespace}/${ref.name}`;
    if (seen.has(id))
      throw new InputError(where, ref, "is listed twice: one association per service account");
    seen.add(id);
    return ref;
  });
  if (!seen.has(`${own.namespace}/${own.name}`)) {
    throw new InputError(
      field,
      value,
      `must list args.serviceAccount (${own.namespace}/${own.name}): the binding's own ServiceAccount needs its association`,
    );
  }
  return list;
}

/** `args.childAliases`: a plain object of the known parts, each a list (of URNs: the type says so). */
function checkChildAliases(value: unknown): void {
  if (value === undefined) return;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(
      "args.childAliases",
      value,
      `must be an object { ${BINDING_ALIAS_PARTS.join("?, ")}? }`,
    );
  }
  for (const [key, list] of Object.entries(value)) {
    if (!(BINDING_ALIAS_PARTS as readonly string[]).includes(key)) {
      throw new InputError(
        `args.childAliases.${key}`,
        "[aliases]",
        `is not a part of the binding (${BINDING_ALIAS_PARTS.join(", ")})`,
      );
    }
    if (!Array.isArray(list)) {
      throw new InputError(`args.childAliases.${key}`, "[not a list]", "must be a list of earlier URNs");
    }
  }
}
