/**
 * The aliases that keep a deployed single-grant account-a's URNs when its resources moved under the
 * one `BucketAccessBinding` (https://www.pulumi.com/docs/iac/concepts/options/aliases/): each names a
 * resource's old name and parent; a resource's children follow it (Pulumi derives their aliases from
 * their parent's, replacing the parent's name where it prefixes theirs).
 */
import * as pulumi from "@pulumi/pulumi";
import { type BindingChildAliases } from "../components/bucketAccessBinding";

/** The name the single-grant program gives its one binding. */
export const SINGLE_GRANT_BINDING = "binding";

/**
 * The URN of a resource registered at the top of the program (the stack its parent) as `name` of
 * `type`: an alias by URN (the binding's args carry URNs, plain strings the schema can describe).
 */
export function topLevel(name: string, type: string): pulumi.Output<string>[] {
  return [pulumi.createUrn(name, type)];
}

/**
 * The ServiceAccount and Namespace a top-level ServiceAccount component (`type`, `name`) registered
 * as its children (`name`, `<name>-namespace`: components/serviceAccountResources.ts's names).
 */
export function serviceAccountComponent(
  type: string,
  name: string,
): Pick<BindingChildAliases, "serviceAccount" | "namespace"> {
  const parent = pulumi.createUrn(name, type);
  return {
    serviceAccount: [pulumi.createUrn(name, "kubernetes:core/v1:ServiceAccount", parent)],
    namespace: [pulumi.createUrn(`${name}-namespace`, "kubernetes:core/v1:Namespace", parent)],
  };
}
