/**
 * BucketAccessBinding (account A): what a grant's mechanisms need in the cluster's account, from the
 * grant's handoff: the ServiceAccount (created, or adopted and patched), IRSA's annotation, Pod
 * Identity's source role and association, IRSA with role chaining's OIDC provider, source role and
 * SDK config file, and optionally the in-cluster probe. The checks are the pure functions of
 * `bucketAccessHandoff.ts` and `bucketAccessBindingPlan.ts`; this file wires them,
 * `bucketAccessBindingWiring.ts` and the existing components.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
  checkBindingMechanisms,
  checkMechanisms,
  podCredentialPath,
  unhandledMechanism,
} from "./bucketAccess";
import { parseHandoff, type BucketAccessHandoff } from "./bucketAccessHandoff";
import { planBinding } from "./bucketAccessBindingPlan";
import {
  chainedConfigMapName,
  checkChainedArgs,
  checkProbeName,
  probeObjectNames,
  type BindingProbeInput,
  type BindingServiceAccountInput,
} from "./bucketAccessBindingInputs";
import { wireChained, wirePodIdentity } from "./bucketAccessBindingWiring";
import { AccessCheckJob } from "./accessCheckJob";
import { ChainedProfileConfigMap } from "./chainedProfileConfigMap";
import { InputError } from "./errors";
import { buildServiceAccountLabels } from "./irsaServiceAccount";
import { argChecks, checked, isPlain, requireArgs, requirePlainArg } from "./inputs";
import { Mechanism } from "./mechanism";
import { type PodCredentialWiring } from "./podCredentials";
import { type WorkloadMechanism } from "./podSecurity";
import { S3ReaderDeployment } from "./s3ReaderDeployment";
import { buildServiceAccountAnnotations } from "./serviceAccountAnnotations";
import { checkNamespaceCreatable, registerServiceAccount } from "./serviceAccountResources";
import {
  validateBoolean,
  validateEksClusterName,
  validateNamespace,
  validateObjectKey,
  validateObjectName,
} from "./validation";

export { type BindingProbeInput, type BindingServiceAccountInput };

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
   * Tags for the AWS resources (Pod Identity's source role, association and add-on; IRSA with role
   * chaining's OIDC provider and source role).
   * @default {}
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** The probe's mode for each credential path (the probe checks that exactly those credentials were injected). */
const PROBE_MODE: Record<Mechanism, WorkloadMechanism> = {
  [Mechanism.Irsa]: "irsa",
  [Mechanism.PodIdentity]: "pod-identity",
  [Mechanism.IrsaChained]: "irsa-chained",
};

/**
 * Account A's side of a `BucketAccessGrant`: from the grant's handoff, for one ServiceAccount of one
 * cluster, what each listed mechanism needs (IRSA: the role annotation; Pod Identity: the source role
 * the grant trusts and the association naming the grant's role as `targetRoleArn`; IRSA with role
 * chaining: account A's OIDC provider, the source role the grant trusts, the annotation naming it and
 * the SDK config file as a ConfigMap), and the probe. Nothing Kubernetes is registered until the
 * handoff has been checked against these arguments. With two mechanisms listed, pods use the one
 * `podCredentialPath` says (IRSA before Pod Identity; IRSA with role chaining before Pod Identity).
 */
export class BucketAccessBinding extends pulumi.ComponentResource {
  /** The grant's role, once the handoff is checked. */
  public readonly roleArn: pulumi.Output<string>;
  /** The ServiceAccount's namespace. */
  public readonly namespace: pulumi.Output<string>;
  /** The ServiceAccount's name. */
  public readonly serviceAccountName: pulumi.Output<string>;
  /**
   * The mechanism whose credentials the pods' AWS SDK uses with everything this binding sets up, for
   * pods that mount the chained profile and use an SDK that reads `AWS_PROFILE` first: with
   * `irsa-chained` and `pod-identity`, any other pod of the ServiceAccount (no `AWS_PROFILE`, or Java
   * v2 / Go v2) runs as the chained source role and gets S3 AccessDenied (docs/migration.md).
   */
  public readonly podCredentialPath: pulumi.Output<string>;
  /** The probe's access-check Job (`<name>-<hash>`), to wait for or read; undefined without `probe`. */
  public readonly accessCheckJobName?: pulumi.Output<string>;

  constructor(name: string, args: BucketAccessBindingArgs, opts?: pulumi.ComponentResourceOptions) {
    const checks = argChecks(() => {
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
      if (!needsCluster && args.clusterName !== undefined) {
        throw new InputError(
          "args.clusterName",
          isPlain(args.clusterName) ? args.clusterName : "[an Output]",
          `is read only by mechanism "pod-identity", which args.mechanisms does not list: remove it, or add the mechanism`,
        );
      }
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
      checkChainedArgs(args, chained, saName);
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
      const serviceAccount = { namespace, name: saName };
      // The handoff, read and checked against these arguments once known: everything waits for it.
      const plan = checked(
        pulumi.all([args.handoff, args.clusterName, args.existingOidcProviderArn, args.expectedRoleArn]),
        ([handoff, clusterName, existingOidcProviderArn, expectedRoleArn]) =>
          planBinding({
            handoff: parseHandoff("args.handoff", handoff),
            mechanisms,
            serviceAccount,
            ...(clusterName !== undefined ? { clusterName } : {}),
            ...(args.clusterKey !== undefined ? { clusterKey: args.clusterKey } : {}),
            ...(existingOidcProviderArn !== undefined ? { existingOidcProviderArn } : {}),
            ...(expectedRoleArn !== undefined ? { expectedRoleArn } : {}),
            ...(probe?.bucketName !== undefined ? { probeBucket: probe.bucketName } : {}),
          }),
      );
      return { mechanisms, serviceAccount, create, createNamespace, plan };
    });
    super("cross-account-irsa:index:BucketAccessBinding", name, {}, opts);
    const { mechanisms, serviceAccount, create, createNamespace, plan } = checks;
    const roleArn = plan.apply((p) => p.roleArn);

    // The role the ServiceAccount's eks.amazonaws.com/role-arn annotation names, if any.
    let annotated: pulumi.Output<string> | undefined;
    const ready: pulumi.Resource[] = [];
    let associationArn: pulumi.Output<string> | undefined;
    let chainedSourceRoleArn: pulumi.Output<string> | undefined;
    for (const m of mechanisms) {
      switch (m) {
        case Mechanism.Irsa:
          annotated = roleArn;
          break;
        case Mechanism.PodIdentity: {
          const identity = wirePodIdentity(
            this,
            name,
            {
              clusterName: args.clusterName as pulumi.Input<string>,
              installPodIdentityAgent: args.installPodIdentityAgent === true,
              tags: args.tags,
            },
            plan,
            serviceAccount,
          );
          ready.push(identity);
          associationArn = identity.associationArns.apply(
            (arns) => arns[`${serviceAccount.namespace}/${serviceAccount.name}`],
          );
          break;
        }
        case Mechanism.IrsaChained: {
          const wiring = wireChained(
            this,
            name,
            {
              issuerUrl: args.issuerUrl as pulumi.Input<string>,
              existingOidcProviderArn: args.existingOidcProviderArn,
              tags: args.tags,
            },
            plan,
            serviceAccount,
          );
          ready.push(wiring.sourceRole);
          // The webhook mounts the token for account A's source role; the profile chains into B's role.
          chainedSourceRoleArn = annotated = wiring.sourceRoleArn;
          break;
        }
        default:
          unhandledMechanism(m);
      }
    }

    // The ServiceAccount: one resource (one URN) whether annotated or not, so a migration step that
    // drops IRSA updates its annotations instead of replacing it.
    const namespaceGated = plan.apply(() => serviceAccount.namespace);
    const annotations = annotated?.apply((arn) => buildServiceAccountAnnotations({ roleArn: arn }));
    let serviceAccountResource: pulumi.Resource;
    if (create) {
      ready.push(
        (serviceAccountResource = registerServiceAccount(name, this, {
          namespace: namespaceGated,
          name: pulumi.output(serviceAccount.name),
          labels: pulumi.output(buildServiceAccountLabels(undefined)),
          ...(annotations !== undefined ? { annotations } : {}),
          createNamespace,
        })),
      );
    } else {
      // Adopted: a server-side-apply patch owning only the annotation. Applied again without it, the
      // annotation is deleted when no other field manager owns it ("If you remove a field from a
      // manifest and apply that manifest, Server-Side Apply checks for any other field managers that
      // also own the field": https://kubernetes.io/docs/reference/using-api/server-side-apply/); an
      // annotation another manager set conflicts, and the update fails rather than take it over.
      ready.push(
        (serviceAccountResource = new k8s.core.v1.ServiceAccountPatch(
          `${name}-annotation`,
          {
            metadata: {
              name: serviceAccount.name,
              namespace: namespaceGated,
              annotations: annotations ?? {},
            },
          },
          { parent: this },
        )),
      );
    }

    // IRSA with role chaining: the SDK config file, beside the ServiceAccount (its namespace exists then).
    let podCredentials: pulumi.Output<PodCredentialWiring> | undefined;
    if (chainedSourceRoleArn !== undefined) {
      const profile = new ChainedProfileConfigMap(
        `${name}-profile`,
        {
          namespace: namespaceGated,
          name: chainedConfigMapName(serviceAccount.name),
          sourceRoleArn: chainedSourceRoleArn,
          targetRoleArn: roleArn,
        },
        { parent: this, dependsOn: [serviceAccountResource] },
      );
      ready.push(profile);
      podCredentials = profile.wiring;
    }

    const path = podCredentialPath(mechanisms);
    let accessCheckJobName: pulumi.Output<string> | undefined;
    if (args.probe !== undefined) {
      const common = {
        namespace: namespaceGated,
        serviceAccountName: serviceAccount.name,
        bucketName: plan.apply((p) => p.probeBucket as string),
        objectKey: args.probe.objectKey,
        ...(args.probe.region !== undefined ? { region: args.probe.region } : {}),
        mechanism: PROBE_MODE[path],
        ...(path === Mechanism.PodIdentity && associationArn !== undefined ? { associationArn } : {}),
        ...(path === Mechanism.IrsaChained && podCredentials !== undefined ? { podCredentials } : {}),
      };
      const names = probeObjectNames(args.probe.name);
      const check = new AccessCheckJob(
        `${name}-access-check`,
        { ...common, expectedRoleArn: roleArn, ...(names.job !== undefined ? { name: names.job } : {}) },
        { parent: this, dependsOn: ready },
      );
      accessCheckJobName = check.name;
      new S3ReaderDeployment(
        `${name}-reader`,
        { ...common, roleArn, ...(names.deployment !== undefined ? { name: names.deployment } : {}) },
        { parent: this, dependsOn: [...ready, check] },
      );
    }

    this.roleArn = roleArn;
    this.namespace = namespaceGated;
    this.serviceAccountName = pulumi.output(serviceAccount.name);
    this.podCredentialPath = pulumi.output(path);
    this.accessCheckJobName = accessCheckJobName;
    this.registerOutputs({
      roleArn: this.roleArn,
      namespace: this.namespace,
      serviceAccountName: this.serviceAccountName,
      podCredentialPath: this.podCredentialPath,
    });
  }
}

/** Which mechanisms read `args.clusterName`. */
const CLUSTER_NAME_USED: Record<Mechanism, boolean> = {
  [Mechanism.Irsa]: false,
  [Mechanism.PodIdentity]: true,
  [Mechanism.IrsaChained]: false,
};
