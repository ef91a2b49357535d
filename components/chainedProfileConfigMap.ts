/**
 * ChainedProfileConfigMap (account A): the SDK config file of IRSA with role chaining
 * (`irsa-chained`) as a ConfigMap in the workloads' namespace, and the pod wiring that mounts it
 * read-only and selects its chained profile (`AWS_CONFIG_FILE`, `AWS_PROFILE`).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { buildChainedProfileConfig, type ChainedProfileConfig } from "./chainedPolicies";
import { CHAINED_CONFIG_KEY, chainedPodWiring, type ChainedPodWiring } from "./chainedWiring";
import { inArgsTerms } from "./errors";
import { argChecks, checked, isPlain, requireArgs } from "./inputs";
import { buildServiceAccountLabels } from "./irsaServiceAccount";
import { validateNamespace, validateObjectName } from "./validation";

/** The ConfigMap's name unless `args.name` says otherwise. */
export const DEFAULT_CHAINED_CONFIG_MAP = "cross-account-irsa-aws-config";

/** Arguments of {@link ChainedProfileConfigMap}. */
export interface ChainedProfileConfigMapArgs {
  /**
   * Namespace of the ConfigMap: the workloads' (a pod mounts ConfigMaps of its own namespace only).
   * @default none (required)
   */
  namespace: pulumi.Input<string>;
  /**
   * The source role in account A (`ChainedSourceRole.roleArn`): the source profile's `role_arn`.
   * @default none (required)
   */
  sourceRoleArn: pulumi.Input<string>;
  /**
   * The target role in account B (account B's `roleArn`): the chained profile's `role_arn`.
   * @default none (required)
   */
  targetRoleArn: pulumi.Input<string>;
  /**
   * The ConfigMap's name (a DNS-1123 subdomain).
   * @default "cross-account-irsa-aws-config"
   */
  name?: string;
  /**
   * The chained profile's name (what `AWS_PROFILE` selects).
   * @default "cross-account-irsa"
   */
  profileName?: string;
  /**
   * The target role's session name (`role_session_name`).
   * @default none (the SDK picks one)
   */
  roleSessionName?: pulumi.Input<string>;
  /**
   * The target role's session length in seconds (`duration_seconds`), 900 to 3600 (role chaining
   * caps it at one hour).
   * @default 3600
   */
  durationSeconds?: pulumi.Input<number>;
  /**
   * Extra labels on the ConfigMap.
   * @default {} (only app.kubernetes.io/part-of)
   */
  labels?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
}

/**
 * The chained profile's config file as a ConfigMap (key `config`), and {@link ChainedPodWiring}:
 * what a workload adds to run as the target role. The ConfigMap's content changes with either role,
 * and the wiring resolves only once the ConfigMap exists, so a workload that uses it waits for it.
 */
export class ChainedProfileConfigMap extends pulumi.ComponentResource {
  /** The ConfigMap's name. */
  public readonly configMapName: pulumi.Output<string>;
  /** The config file's text, exactly as stored. */
  public readonly config: pulumi.Output<string>;
  /** The profile `AWS_PROFILE` selects. */
  public readonly profileName: pulumi.Output<string>;
  /** The pod wiring (annotation, env, volume, mount, injection check) for workloads. */
  public readonly wiring: pulumi.Output<ChainedPodWiring>;

  constructor(name: string, args: ChainedProfileConfigMapArgs, opts?: pulumi.ComponentResourceOptions) {
    const { namespace, configMapName, profile } = argChecks(() => {
      requireArgs(args);
      const configMapName = validateObjectName("args.name", args.name ?? DEFAULT_CHAINED_CONFIG_MAP);
      const namespace = checked(args.namespace, (ns) => validateNamespace("args.namespace", ns));
      const inputs = [args.sourceRoleArn, args.targetRoleArn, args.roleSessionName, args.durationSeconds];
      const build = ([sourceRoleArn, targetRoleArn, roleSessionName, durationSeconds]: unknown[]) =>
        inArgsTerms(
          (): ChainedProfileConfig =>
            buildChainedProfileConfig({
              sourceRoleArn: sourceRoleArn as string,
              targetRoleArn: targetRoleArn as string,
              ...(args.profileName !== undefined ? { profileName: args.profileName } : {}),
              ...(roleSessionName !== undefined ? { roleSessionName: roleSessionName as string } : {}),
              ...(durationSeconds !== undefined ? { durationSeconds: durationSeconds as number } : {}),
            }),
          {
            sourceRoleArn: "args.sourceRoleArn",
            targetRoleArn: "args.targetRoleArn",
            profileName: "args.profileName",
            roleSessionName: "args.roleSessionName",
            durationSeconds: "args.durationSeconds",
          },
        );
      // Plain inputs are checked (and the file written) before anything registers.
      const profile = isPlain(inputs)
        ? pulumi.output(build(inputs))
        : checked(pulumi.all(inputs as pulumi.Input<unknown>[]), build);
      return { namespace, configMapName, profile };
    });
    super("cross-account-irsa:index:ChainedProfileConfigMap", name, {}, opts);

    const labels = pulumi.output(args.labels).apply((l) => buildServiceAccountLabels(l));
    const configMap = new k8s.core.v1.ConfigMap(
      name,
      {
        metadata: { name: configMapName, namespace, labels },
        data: { [CHAINED_CONFIG_KEY]: profile.text },
      },
      { parent: this },
    );
    this.configMapName = configMap.metadata.name;
    this.config = profile.text;
    this.profileName = profile.profileName;
    this.wiring = pulumi
      .all([args.sourceRoleArn, configMap.metadata.name, profile.profileName])
      .apply(([sourceRoleArn, cm, profileName]) =>
        chainedPodWiring({ sourceRoleArn, configMapName: cm, profileName }),
      );
    this.registerOutputs({
      configMapName: this.configMapName,
      config: this.config,
      profileName: this.profileName,
      wiring: this.wiring,
    });
  }
}
