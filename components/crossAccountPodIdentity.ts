/**
 * CrossAccountPodIdentity (account A, once the target role exists): the source role's permission to
 * chain into the target role, and one EKS Pod Identity association per service account with the
 * source role (`roleArn`) and the target role (`targetRoleArn`).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { InputError } from "./errors";
import { checked, isPlain, requireArgs } from "./inputs";
import { policyJson } from "./policyDocument";
import { buildPodIdentitySourcePermissionPolicy } from "./podIdentityPolicies";
import { type ServiceAccountRef } from "./trustPolicy";
import {
  parseRoleArn,
  requireArray,
  validateEksClusterName,
  validateNamespace,
  validateObjectName,
} from "./validation";

/**
 * The Amazon EKS service quota of Pod Identity associations per cluster (its default; "Amazon EKS service quotas").
 *
 * @internal exported for the tests only
 */
export const MAX_POD_IDENTITY_ASSOCIATIONS = 5000;

/** Arguments of {@link CrossAccountPodIdentity}. */
export interface CrossAccountPodIdentityArgs {
  /**
   * The cluster's name (the associations are the cluster's).
   * @default none (required)
   */
  clusterName: pulumi.Input<string>;
  /**
   * The source role in the cluster's account (`PodIdentitySourceRole.roleArn`).
   * @default none (required)
   */
  sourceRoleArn: pulumi.Input<string>;
  /**
   * The target role in the other account (`PodIdentityTargetRole.roleArn`, account B's `roleArn`).
   * @default none (required)
   */
  targetRoleArn: pulumi.Input<string>;
  /**
   * The service accounts to associate: exact namespace and name each, at least one. A plain list
   * (not an Input): each becomes a resource, so the list must be known when the program runs.
   * @default none (required)
   */
  serviceAccounts: ServiceAccountRef[];
  /**
   * Tags for the associations.
   * @default {}
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * Checks the association list: exact, valid, unique pairs within EKS's per-cluster quota.
 *
 * @internal exported for the tests only
 */
export function checkAssociations(field: string, serviceAccounts: unknown): ServiceAccountRef[] {
  const list = requireArray(field, serviceAccounts, 1);
  if (list.length > MAX_POD_IDENTITY_ASSOCIATIONS) {
    throw new InputError(
      field,
      `${list.length} service accounts`,
      `must list at most ${MAX_POD_IDENTITY_ASSOCIATIONS}: EKS's default service quota of Pod Identity associations per cluster; with a raised quota, split the list over several CrossAccountPodIdentity components`,
    );
  }
  const seen = new Set<string>();
  return list.map((sa, i) => {
    if (sa === null || typeof sa !== "object") {
      throw new InputError(`${field}[${i}]`, sa, "must be an object { namespace, name }");
    }
    const ref = sa as Partial<ServiceAccountRef>;
    for (const part of ["namespace", "name"] as const) {
      if (typeof ref[part] === "string" && /[*?]/.test(ref[part])) {
        throw new InputError(
          `${field}[${i}].${part}`,
          ref[part],
          "must be exact with Pod Identity: an association names one service account",
        );
      }
    }
    const namespace = validateNamespace(`${field}[${i}].namespace`, ref.namespace);
    const name = validateObjectName(`${field}[${i}].name`, ref.name);
    const key = `${namespace}/${name}`;
    // EKS maps one IAM role to each service account of a cluster ("You can associate one IAM role to
    // each Kubernetes service account in each cluster",
    // https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html#pod-id-considerations).
    if (seen.has(key)) {
      throw new InputError(
        `${field}[${i}]`,
        sa,
        "is listed twice: EKS allows one association per service account",
      );
    }
    seen.add(key);
    return { namespace, name };
  });
}

/** Runs `build`, restating an InputError of field `from` as field `to` (the component's arg name). */
function renamed<T>(from: string, to: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof InputError && error.field === from) {
      throw new InputError(to, error.value, error.rule);
    }
    throw error;
  }
}

/**
 * The account-A side of EKS Pod Identity cross-account, once the target role exists: an inline
 * policy on the source role allowing `sts:AssumeRole` and `sts:TagSession` on the target role only,
 * and an `aws.eks.PodIdentityAssociation` per service account naming both roles. Session tags stay
 * on (the target role's trust depends on them). The associations wait for the policy, so EKS never
 * hands a pod a chain it cannot complete.
 *
 * Both are eventually consistent: an association "may take several seconds to be effective after the
 * initial API call returns successfully"
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_CreatePodIdentityAssociation.html), and the
 * policy likewise (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
 * A pod admitted before its association takes effect never gets credentials
 * (https://github.com/aws/eks-pod-identity-agent/issues/52), so workloads that depend on this
 * component must tolerate the delay: `AccessCheckJob` retries in new pods and waits in-pod for IAM,
 * and account-a's reader Deployment waits for that Job and carries `associationArns` in its pod
 * template.
 */
export class CrossAccountPodIdentity extends pulumi.ComponentResource {
  /** The associations' ARNs, by `<namespace>/<name>`. */
  public readonly associationArns: pulumi.Output<Record<string, string>>;
  /** The source role's inline policy, exactly as sent. */
  public readonly sourcePermissionPolicy: pulumi.Output<string>;

  constructor(name: string, args: CrossAccountPodIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    requireArgs(args);
    if (!isPlain(args.serviceAccounts)) {
      throw new InputError(
        "args.serviceAccounts",
        "[an Output]",
        "must be a plain list: each service account becomes an association, so the list must be known when the program runs",
      );
    }
    const serviceAccounts = checkAssociations("args.serviceAccounts", args.serviceAccounts);
    const clusterName = checked(args.clusterName, (n) => validateEksClusterName("args.clusterName", n));
    const sourceRoleName = checked(
      args.sourceRoleArn,
      (arn) => parseRoleArn("args.sourceRoleArn", arn).roleName,
    );
    const sourcePolicy = checked(args.targetRoleArn, (targetRoleArn) =>
      renamed("targetRoleArn", "args.targetRoleArn", () =>
        policyJson(buildPodIdentitySourcePermissionPolicy({ targetRoleArn })),
      ),
    );
    // The permission waits for every check, so a bad Output fails before anything is created.
    const checkedPolicy = pulumi.all([sourcePolicy, clusterName, sourceRoleName]).apply(([policy]) => policy);
    super("cross-account-irsa:index:CrossAccountPodIdentity", name, {}, opts);

    const permission = new aws.iam.RolePolicy(
      `${name}-assume-target`,
      { role: sourceRoleName, name: "assume-target-role", policy: checkedPolicy },
      { parent: this },
    );
    const arns: Record<string, pulumi.Output<string>> = {};
    for (const sa of serviceAccounts) {
      const association = new aws.eks.PodIdentityAssociation(
        `${name}-${sa.namespace}-${sa.name}`,
        {
          clusterName,
          namespace: sa.namespace,
          serviceAccount: sa.name,
          roleArn: args.sourceRoleArn,
          targetRoleArn: args.targetRoleArn,
          tags: args.tags,
        },
        { parent: this, dependsOn: [permission] },
      );
      arns[`${sa.namespace}/${sa.name}`] = association.associationArn;
    }
    this.associationArns = pulumi.all(arns);
    this.sourcePermissionPolicy = sourcePolicy;
    this.registerOutputs({
      associationArns: this.associationArns,
      sourcePermissionPolicy: this.sourcePermissionPolicy,
    });
  }
}
