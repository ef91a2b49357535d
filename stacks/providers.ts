/**
 * What both stack programs share: their config getters, their explicit AWS provider, and reading
 * another stack's outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { PROJECT, configGetters, type AwsSettings, type StackSettings } from "./config";

/**
 * The program's config: every key Pulumi passes to it (`pulumi.runtime.allConfig()`), so that an
 * unknown key can be refused. Secret config is read as plain data here, because validation needs
 * the value; nothing read through these getters is exported, and a secret's value is never shown in
 * an error.
 */
export function programConfigGetters(): StackSettings {
  const all = pulumi.runtime.allConfig();
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  const secretKeys = Object.keys(all).filter((k) => runtime.isConfigSecret?.(k) === true);
  return configGetters(all, secretKeys);
}

/**
 * The stack's one explicit AWS provider. `Pulumi.yaml` disables default providers, so every AWS
 * resource must name this one (components inherit it through `providers`): nothing can land in
 * the wrong account through an ambient profile. `allowedAccountIds` makes the provider refuse any
 * account other than the configured one.
 */
export function awsProvider(name: string, settings: AwsSettings, stack: string): aws.Provider {
  return new aws.Provider(name, {
    region: settings.region as aws.Region,
    profile: settings.profile,
    assumeRoles: settings.assumeRoles,
    allowedAccountIds: settings.allowedAccountIds,
    defaultTags: { tags: { "managed-by": "pulumi", project: PROJECT, stack } },
  });
}

/**
 * Reads the named outputs of another stack as plain values (secret ones too: they are only used to
 * wire resources, never exported in the clear). Missing outputs are left out, so a stack that was
 * never deployed reads as `{}`.
 */
export async function readStackOutputs(
  ref: pulumi.StackReference,
  names: readonly string[],
): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    names.map(async (name): Promise<[string, unknown]> => {
      const details = await ref.getOutputDetails(name);
      return [name, (details.value ?? details.secretValue) as unknown];
    }),
  );
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}
