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

/** A resource registered at the top of the program (the stack its parent) as `name`. */
export function topLevel(name: string): pulumi.Alias[] {
  // `parent: undefined` given explicitly is Pulumi's "no parent" alias, equivalent to
  // `parent: pulumi.rootStackResource` (https://www.pulumi.com/docs/reference/pkg/nodejs/pulumi/pulumi/interfaces/Alias.html).
  return [{ name, parent: undefined }];
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
    serviceAccount: [{ name, parent }],
    namespace: [{ name: `${name}-namespace`, parent }],
  };
}
