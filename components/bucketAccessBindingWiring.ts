/**
 * The account-A parts of `BucketAccessBinding` that create AWS resources, one function per mechanism
 * that needs any: Pod Identity (its source role and the association) and IRSA with role chaining (A's
 * OIDC provider and the IRSA source role). Each creates its source role under the name and path the
 * grant's handoff names, and resolves its ARN only when the role created is that one (same account
 * and name), so nothing Kubernetes waits on a role account B does not trust.
 */
import * as pulumi from "@pulumi/pulumi";
import { type BindingPlan } from "./bucketAccessBindingPlan";
import { ChainedSourceRole } from "./chainedSourceRole";
import { checkAdoptedProvider, ClusterOidcProvider } from "./clusterOidcProvider";
import { CrossAccountPodIdentity } from "./crossAccountPodIdentity";
import { InputError } from "./errors";
import { checked } from "./inputs";
import { PodIdentityAgent } from "./podIdentityAgent";
import { PodIdentitySourceRole } from "./podIdentitySourceRole";
import { type ServiceAccountRef } from "./trustPolicy";
import { parseRoleArn } from "./validation";

type Tags = pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;

/**
 * The source role's ARN once it is the one the handoff names (`field` is the handoff's field).
 * `adoptedField`: the argument that adopted the role, when it was adopted rather than created here.
 */
function sameRole(
  created: pulumi.Output<string>,
  expected: pulumi.Output<string>,
  field: string,
  adoptedField?: string,
): pulumi.Output<string> {
  return pulumi.all([created, expected]).apply(([arn, named]) => {
    if (arn === named) return arn;
    if (adoptedField !== undefined) {
      throw new InputError(
        adoptedField,
        arn,
        `must be the source role account B trusts: the handoff names ${named} (${field}); adopt that role, or ` +
          "leave this argument out to let the binding create the one the handoff names",
      );
    }
    throw new InputError(
      "args.handoff",
      named,
      `names the source role account B trusts (${field}), but this binding's source role is ${arn}: run account A ` +
        "with the AWS provider of the cluster's account",
    );
  });
}

/**
 * `value` once the plan is checked: a resource given it registers only after the handoff has been
 * read and checked against the binding's arguments, so a refused handoff registers none.
 */
function afterPlan<T>(plan: pulumi.Output<BindingPlan>, value: pulumi.Input<T>): pulumi.Output<T> {
  return plan.apply(() => pulumi.output(value)) as pulumi.Output<T>;
}

/** What Pod Identity's part needs of the binding's arguments. */
export interface PodIdentityWiringInput {
  clusterName: pulumi.Input<string>;
  installPodIdentityAgent: boolean;
  tags: Tags;
  /** The source role to use, adopted (`args.podIdentitySourceRoleArn`); undefined: created. */
  adoptedSourceRoleArn: pulumi.Input<string> | undefined;
  /** The service accounts to associate (the binding's own among them). */
  serviceAccounts: ServiceAccountRef[];
  /** The associations component's earlier URNs. */
  aliases: pulumi.Input<string | pulumi.Alias>[] | undefined;
}

/**
 * Pod Identity's part: the source role the grant trusts (created under the name and path from the
 * handoff, so that the ARN is the one account B named, or adopted when it is that one), and the
 * associations with the grant's role as `targetRoleArn`.
 */
export function wirePodIdentity(
  parent: pulumi.Resource,
  name: string,
  input: PodIdentityWiringInput,
  plan: pulumi.Output<BindingPlan>,
): CrossAccountPodIdentity {
  const expected = plan.apply((p) => p.podIdentity!.sourceRoleArn);
  let created: pulumi.Output<string>;
  if (input.adoptedSourceRoleArn !== undefined) {
    created = checked(input.adoptedSourceRoleArn, (arn) => {
      parseRoleArn("args.podIdentitySourceRoleArn", arn);
      return arn;
    });
  } else {
    const source = plan.apply((p) =>
      parseRoleArn("args.handoff.clusters[].sourceRoleArn", p.podIdentity!.sourceRoleArn),
    );
    created = new PodIdentitySourceRole(
      `${name}-source`,
      {
        clusterArn: plan.apply((p) => p.podIdentity!.clusterArn),
        roleName: source.apply((s) => s.roleName),
        path: source.apply((s) => s.path),
        ...(input.tags !== undefined ? { tags: input.tags } : {}),
      },
      { parent },
    ).roleArn;
  }
  const sourceRoleArn = sameRole(
    created,
    expected,
    "args.handoff.clusters[].sourceRoleArn",
    input.adoptedSourceRoleArn !== undefined ? "args.podIdentitySourceRoleArn" : undefined,
  );
  const agent = input.installPodIdentityAgent
    ? [
        new PodIdentityAgent(
          `${name}-agent`,
          {
            clusterName: afterPlan(plan, input.clusterName),
            ...(input.tags !== undefined ? { tags: input.tags } : {}),
          },
          { parent },
        ),
      ]
    : [];
  return new CrossAccountPodIdentity(
    `${name}-pod-identity`,
    {
      clusterName: input.clusterName,
      sourceRoleArn,
      targetRoleArn: plan.apply((p) => p.roleArn),
      serviceAccounts: input.serviceAccounts,
      ...(input.tags !== undefined ? { tags: input.tags } : {}),
    },
    { parent, dependsOn: agent, ...(input.aliases ? { aliases: input.aliases } : {}) },
  );
}

/** What IRSA with role chaining's part needs of the binding's arguments. */
export interface ChainedWiringInput {
  /** The cluster's OIDC issuer URL. */
  issuerUrl: pulumi.Input<string>;
  /** Account A's existing IAM OIDC provider for it (adopted), or undefined (created). */
  existingOidcProviderArn: pulumi.Input<string> | undefined;
  tags: Tags;
  /** The source role to use, adopted (`args.chainedSourceRoleArn`): no provider or role registered then. */
  adoptedSourceRoleArn: pulumi.Input<string> | undefined;
}

/** IRSA with role chaining's AWS resources in account A, and the source role's checked ARN. */
export interface ChainedWiring {
  /** Undefined when the source role is adopted. */
  provider?: ClusterOidcProvider;
  /** Undefined when the source role is adopted. */
  sourceRole?: ChainedSourceRole;
  /** The source role's ARN, once it is the one the grant trusts: the ServiceAccount's annotation. */
  sourceRoleArn: pulumi.Output<string>;
}

/**
 * IRSA with role chaining's part in account A: the IAM OIDC provider for the cluster's issuer
 * (created, or adopted: IAM allows one per issuer per account), and the source role under the name
 * and path the grant trusts, trusting exactly the binding's service account and allowed
 * `sts:AssumeRole` on the grant's role only (`ChainedSourceRole`). The provider, like everything else,
 * waits for the checked plan. With an adopted source role, neither: only its ARN, once it is the one
 * the grant trusts.
 */
export function wireChained(
  parent: pulumi.Resource,
  name: string,
  input: ChainedWiringInput,
  plan: pulumi.Output<BindingPlan>,
  serviceAccount: ServiceAccountRef,
): ChainedWiring {
  const expected = plan.apply((p) => p.chained!.sourceRoleArn);
  if (input.adoptedSourceRoleArn !== undefined) {
    const adopted = checked(afterPlan(plan, input.adoptedSourceRoleArn), (arn) => {
      parseRoleArn("args.chainedSourceRoleArn", arn);
      return arn;
    });
    return {
      sourceRoleArn: sameRole(
        adopted,
        expected,
        "args.handoff.clusters[].chainedSourceRoleArn",
        "args.chainedSourceRoleArn",
      ),
    };
  }
  const existing =
    input.existingOidcProviderArn !== undefined ? afterPlan(plan, input.existingOidcProviderArn) : undefined;
  const issuerUrl = afterPlan(plan, input.issuerUrl);
  const provider = new ClusterOidcProvider(
    `${name}-oidc`,
    {
      issuerUrl,
      ...(existing !== undefined
        ? {
            // In the binding's terms: the provider must be the issuer's (the binding checked plain values already).
            existingProviderArn: checked(
              pulumi.all([existing, issuerUrl]) as pulumi.Input<[string, string]>,
              ([arn, issuer]) =>
                checkAdoptedProvider(
                  arn,
                  issuer,
                  undefined,
                  "args.existingOidcProviderArn",
                  "args.issuerUrl",
                ),
            ),
          }
        : {}),
      ...(input.tags !== undefined ? { tags: input.tags } : {}),
    },
    { parent },
  );
  const source = plan.apply((p) =>
    parseRoleArn("args.handoff.clusters[].chainedSourceRoleArn", p.chained!.sourceRoleArn),
  );
  const sourceRole = new ChainedSourceRole(
    `${name}-chained-source`,
    {
      oidcProviderArn: provider.arn,
      issuerUrl,
      serviceAccounts: [serviceAccount],
      targetRoleArn: plan.apply((p) => p.roleArn),
      roleName: source.apply((s) => s.roleName),
      path: source.apply((s) => s.path),
      ...(input.tags !== undefined ? { tags: input.tags } : {}),
    },
    { parent },
  );
  const sourceRoleArn = sameRole(
    sourceRole.roleArn,
    plan.apply((p) => p.chained!.sourceRoleArn),
    "args.handoff.clusters[].chainedSourceRoleArn",
  );
  return { provider, sourceRole, sourceRoleArn };
}
