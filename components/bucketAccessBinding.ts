/**
 * BucketAccessBinding (account A): what a grant's mechanisms need in the cluster's account, from the
 * grant's handoff: the ServiceAccount (created, or adopted and patched), IRSA's annotation, Pod
 * Identity's source role and association, IRSA with role chaining's OIDC provider, source role and
 * SDK config file, and optionally the in-cluster probe. The checks are the pure functions of
 * `bucketAccessHandoff.ts`, `bucketAccessBindingArgs.ts` (the arguments) and
 * `bucketAccessBindingPlan.ts`; this file wires them, `bucketAccessBindingWiring.ts` and the
 * existing components.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { podCredentialPath, unhandledMechanism } from "./bucketAccess";
import { checkBindingArgs, type BucketAccessBindingArgs } from "./bucketAccessBindingArgs";
import { parseHandoff } from "./bucketAccessHandoff";
import { planBinding } from "./bucketAccessBindingPlan";
import {
  chainedConfigMapName,
  probeObjectNames,
  type BindingProbeInput,
  type BindingServiceAccountInput,
} from "./bucketAccessBindingInputs";
import { wireChained, wirePodIdentity } from "./bucketAccessBindingWiring";
import { AccessCheckJob } from "./accessCheckJob";
import { ChainedProfileConfigMap } from "./chainedProfileConfigMap";
import { buildServiceAccountLabels } from "./irsaServiceAccount";
import { argChecks, checked } from "./inputs";
import { Mechanism } from "./mechanism";
import { type PodCredentialWiring } from "./podCredentials";
import { type WorkloadMechanism } from "./podSecurity";
import { S3ReaderDeployment } from "./s3ReaderDeployment";
import { buildServiceAccountAnnotations } from "./serviceAccountAnnotations";
import { registerServiceAccount } from "./serviceAccountResources";

export { type BindingProbeInput, type BindingServiceAccountInput, type BucketAccessBindingArgs };
export { type BindingChildAliases } from "./bucketAccessBindingInputs";

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
 * A source role that exists already (registered before account B's grant, under a generated name)
 * is adopted rather than created (`podIdentitySourceRoleArn`, `chainedSourceRoleArn`), and resources
 * a program registered before under other URNs move under the binding through `childAliases`.
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
  /** The probe's reader Deployment's name; undefined without `probe`. */
  public readonly readerDeploymentName?: pulumi.Output<string>;

  constructor(name: string, args: BucketAccessBindingArgs, opts?: pulumi.ComponentResourceOptions) {
    const checks = argChecks(() => {
      const { mechanisms, serviceAccount, create, createNamespace, podIdentityServiceAccounts } =
        checkBindingArgs(args);
      const probe = args.probe;
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
            ...(args.podIdentityServiceAccounts !== undefined ? { podIdentityServiceAccounts } : {}),
          }),
      );
      return { mechanisms, serviceAccount, create, createNamespace, podIdentityServiceAccounts, plan };
    });
    super("cross-account-irsa:index:BucketAccessBinding", name, {}, opts);
    const { mechanisms, serviceAccount, create, createNamespace, podIdentityServiceAccounts, plan } = checks;
    const aliases = args.childAliases ?? {};
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
              adoptedSourceRoleArn: args.podIdentitySourceRoleArn,
              serviceAccounts: podIdentityServiceAccounts,
              aliases: aliases.podIdentity,
            },
            plan,
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
              adoptedSourceRoleArn: args.chainedSourceRoleArn,
            },
            plan,
            serviceAccount,
          );
          if (wiring.sourceRole) ready.push(wiring.sourceRole);
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
          ...(aliases.serviceAccount ? { aliases: aliases.serviceAccount } : {}),
          ...(aliases.namespace ? { namespaceAliases: aliases.namespace } : {}),
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
          { parent: this, ...(aliases.serviceAccount ? { aliases: aliases.serviceAccount } : {}) },
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
          name: args.chainedConfigMapName ?? chainedConfigMapName(serviceAccount.name),
          sourceRoleArn: chainedSourceRoleArn,
          targetRoleArn: roleArn,
        },
        {
          parent: this,
          dependsOn: [serviceAccountResource],
          ...(aliases.profile ? { aliases: aliases.profile } : {}),
        },
      );
      ready.push(profile);
      podCredentials = profile.wiring;
    }

    const path = podCredentialPath(mechanisms);
    let accessCheckJobName: pulumi.Output<string> | undefined;
    let readerDeploymentName: pulumi.Output<string> | undefined;
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
        { parent: this, dependsOn: ready, ...(aliases.accessCheck ? { aliases: aliases.accessCheck } : {}) },
      );
      accessCheckJobName = check.name;
      readerDeploymentName = new S3ReaderDeployment(
        `${name}-reader`,
        { ...common, roleArn, ...(names.deployment !== undefined ? { name: names.deployment } : {}) },
        {
          parent: this,
          dependsOn: [...ready, check],
          ...(aliases.reader ? { aliases: aliases.reader } : {}),
        },
      ).name;
    }

    this.roleArn = roleArn;
    this.namespace = namespaceGated;
    this.serviceAccountName = pulumi.output(serviceAccount.name);
    this.podCredentialPath = pulumi.output(path);
    this.accessCheckJobName = accessCheckJobName;
    this.readerDeploymentName = readerDeploymentName;
    this.registerOutputs({
      roleArn: this.roleArn,
      namespace: this.namespace,
      serviceAccountName: this.serviceAccountName,
      podCredentialPath: this.podCredentialPath,
    });
  }
}
