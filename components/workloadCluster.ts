/**
 * WorkloadCluster (account A): the EKS cluster, created with `@pulumi/eks` or adopted by name, with
 * its issuer, thumbprint, kubeconfig and Kubernetes provider; and the checks of its args.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as tls from "@pulumi/tls";
import { InputError } from "./errors";
import { isPlain } from "./inputs";
import { buildKubeconfig, regionFromClusterArn, validateProfile } from "./kubeconfig";
import { topCaThumbprint } from "./issuerThumbprint";
import {
  parseRoleArn,
  requireArray,
  validateEc2Id,
  validateEksClusterName,
  validateInstanceType,
  validateInteger,
  validateKubernetesVersion,
  validateTags,
} from "./validation";

/** The EKS control-plane log types. */
export const ClusterLogType = {
  api: "api",
  audit: "audit",
  authenticator: "authenticator",
  controllerManager: "controllerManager",
  scheduler: "scheduler",
} as const;
/** The EKS control-plane log types. */
export type ClusterLogType = (typeof ClusterLogType)[keyof typeof ClusterLogType];

/** Every {@link ClusterLogType}, in EKS's order. */
export const CLUSTER_LOG_TYPES: readonly ClusterLogType[] = [
  "api",
  "audit",
  "authenticator",
  "controllerManager",
  "scheduler",
];

/**
 * Defaults of a created cluster.
 *
 * @internal exported for the tests only
 */
export const WORKLOAD_CLUSTER_DEFAULTS = {
  version: "1.33",
  instanceType: "t3.medium",
  desiredCapacity: 2,
  minSize: 1,
  maxSize: 3,
  endpointPublicAccess: true,
  enabledClusterLogTypes: ["api", "audit", "authenticator"] as ClusterLogType[],
} as const;

/**
 * The cluster's authentication mode: access entries only. `@pulumi/eks` creates the `EC2_LINUX`
 * access entry for the default node group's instance role, and EKS gives the identity that creates
 * the cluster an admin access entry; the deprecated `aws-auth` ConfigMap is not used.
 */
export const AUTHENTICATION_MODE = "API";

/** Arguments of {@link WorkloadCluster}. */
export interface WorkloadClusterArgs {
  /**
   * Adopt this existing EKS cluster (read with `aws.eks.getCluster`, never modified) instead of
   * creating one. Cannot be combined with the creation settings below.
   * @default none (a cluster is created)
   */
  existingClusterName?: pulumi.Input<string>;
  /**
   * Kubernetes version of a created cluster.
   * @default "1.33"
   */
  version?: pulumi.Input<string>;
  /**
   * EC2 instance type of the default node group.
   * @default "t3.medium"
   */
  instanceType?: pulumi.Input<string>;
  /**
   * Nodes the default node group starts with.
   * @default 2
   */
  desiredCapacity?: pulumi.Input<number>;
  /**
   * Fewest nodes of the default node group.
   * @default 1
   */
  minSize?: pulumi.Input<number>;
  /**
   * Most nodes of the default node group.
   * @default 3
   */
  maxSize?: pulumi.Input<number>;
  /**
   * VPC of a created cluster; requires subnets. Without it the account's default VPC is used.
   * @default none (the default VPC)
   */
  vpcId?: pulumi.Input<string>;
  /**
   * Public subnets (for internet-facing load balancers; for the nodes too when no private subnets are given).
   * @default none
   */
  publicSubnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Private subnets for the nodes. When given, nodes get no public IP address.
   * @default none
   */
  privateSubnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Whether the API server has a public endpoint (the private endpoint is always on, so nodes reach
   * the API server inside the VPC).
   * @default true
   */
  endpointPublicAccess?: pulumi.Input<boolean>;
  /**
   * Control-plane log types sent to CloudWatch Logs.
   * @default ["api", "audit", "authenticator"]
   */
  enabledClusterLogTypes?: pulumi.Input<pulumi.Input<ClusterLogType>[]>;
  /**
   * Tags for the AWS resources of a created cluster.
   * @default {}
   */
  tags?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
  /**
   * AWS CLI profile the kubeconfig's `aws eks get-token` runs with (`--profile`). Give the profile
   * the component's AWS provider uses: with access entries only the cluster's creator is admin, so
   * the kubeconfig must authenticate as the provider does. Also used by `@pulumi/eks` for its own
   * Kubernetes calls.
   * @default none (the AWS CLI's default credential chain)
   */
  kubeconfigProfile?: pulumi.Input<string>;
  /**
   * Role the kubeconfig's `aws eks get-token` assumes (`--role-arn`): the role the component's AWS
   * provider assumes, when it assumes one.
   * @default none (the credentials' own identity)
   */
  kubeconfigRoleArn?: pulumi.Input<string>;
}

const CREATION_KEYS = [
  "version",
  "instanceType",
  "desiredCapacity",
  "minSize",
  "maxSize",
  "vpcId",
  "publicSubnetIds",
  "privateSubnetIds",
  "endpointPublicAccess",
  "enabledClusterLogTypes",
  "tags",
] as const;

/**
 * Validates every argument that is a plain value (Outputs are used as they resolve) and the
 * combinations: adoption excludes creation settings, `vpcId` and subnets go together,
 * `minSize <= desiredCapacity <= maxSize`. Throws an `InputError` naming `args.<field>`.
 */
export function validateWorkloadClusterArgs(args: WorkloadClusterArgs): void {
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    throw new InputError("args", args, "must be an object");
  }
  const a = args as Record<string, unknown>;
  const known = (key: string) => a[key] !== undefined && isPlain(a[key]);

  if (a.existingClusterName !== undefined) {
    if (known("existingClusterName"))
      validateEksClusterName("args.existingClusterName", a.existingClusterName);
    const creation = CREATION_KEYS.find((k) => a[k] !== undefined);
    if (creation !== undefined) {
      throw new InputError(
        `args.${creation}`,
        isPlain(a[creation]) ? a[creation] : "<output>",
        "cannot be combined with args.existingClusterName: an adopted cluster is read, never changed",
      );
    }
  }
  if (known("version")) validateKubernetesVersion("args.version", a.version);
  if (known("instanceType")) validateInstanceType("args.instanceType", a.instanceType);
  if (known("desiredCapacity")) validateInteger("args.desiredCapacity", a.desiredCapacity, 0, 1000);
  if (known("minSize")) validateInteger("args.minSize", a.minSize, 0, 1000);
  if (known("maxSize")) validateInteger("args.maxSize", a.maxSize, 1, 1000);
  const sizes = ["minSize", "desiredCapacity", "maxSize"] as const;
  if (sizes.every((k) => a[k] === undefined || isPlain(a[k]))) {
    const min = (a.minSize as number | undefined) ?? WORKLOAD_CLUSTER_DEFAULTS.minSize;
    const desired = (a.desiredCapacity as number | undefined) ?? WORKLOAD_CLUSTER_DEFAULTS.desiredCapacity;
    const max = (a.maxSize as number | undefined) ?? WORKLOAD_CLUSTER_DEFAULTS.maxSize;
    if (min > max) {
      throw new InputError("args.minSize", min, `must not exceed maxSize (${max})`);
    }
    if (desired < min || desired > max) {
      throw new InputError(
        "args.desiredCapacity",
        desired,
        `must be from minSize (${min}) to maxSize (${max})`,
      );
    }
  }
  if (known("vpcId")) validateEc2Id("args.vpcId", a.vpcId, "vpc");
  for (const key of ["publicSubnetIds", "privateSubnetIds"] as const) {
    if (known(key)) {
      requireArray(`args.${key}`, a[key], 1).forEach((s, i) =>
        validateEc2Id(`args.${key}[${i}]`, s, "subnet"),
      );
    }
  }
  const hasSubnets = a.publicSubnetIds !== undefined || a.privateSubnetIds !== undefined;
  if (a.vpcId !== undefined && !hasSubnets) {
    throw new InputError(
      "args.vpcId",
      isPlain(a.vpcId) ? a.vpcId : "<output>",
      "needs publicSubnetIds or privateSubnetIds: the cluster's subnets must be in the VPC given",
    );
  }
  if (a.vpcId === undefined && hasSubnets) {
    const key = a.privateSubnetIds !== undefined ? "privateSubnetIds" : "publicSubnetIds";
    throw new InputError(
      `args.${key}`,
      isPlain(a[key]) ? a[key] : "<output>",
      "needs args.vpcId: subnets are only used together with the VPC they belong to",
    );
  }
  if (known("endpointPublicAccess") && typeof a.endpointPublicAccess !== "boolean") {
    throw new InputError("args.endpointPublicAccess", a.endpointPublicAccess, "must be true or false");
  }
  if (known("enabledClusterLogTypes")) {
    requireArray("args.enabledClusterLogTypes", a.enabledClusterLogTypes).forEach((t, i) => {
      if (!(CLUSTER_LOG_TYPES as readonly unknown[]).includes(t)) {
        throw new InputError(
          `args.enabledClusterLogTypes[${i}]`,
          t,
          `must be one of the EKS log types ${CLUSTER_LOG_TYPES.join(", ")}`,
        );
      }
    });
  }
  if (known("tags")) validateTags("args.tags", a.tags);
  if (known("kubeconfigProfile")) validateProfile("args.kubeconfigProfile", a.kubeconfigProfile);
  if (known("kubeconfigRoleArn")) parseRoleArn("args.kubeconfigRoleArn", a.kubeconfigRoleArn);
}

/**
 * The `eks.Cluster` arguments of a created cluster, defaults applied: access-entry authentication,
 * private endpoint always on, no public node IPs when the nodes are in private subnets. No IAM OIDC
 * provider in account A: the role that trusts the issuer is in account B, and so is its provider
 * (an account-A provider would be unused, and `@pulumi/eks` would fetch the issuer's certificate
 * to create it). Every EKS cluster has an issuer without one.
 *
 * @internal exported for the tests only
 */
export function buildEksClusterArgs(args: WorkloadClusterArgs): eks.ClusterArgs {
  const d = WORKLOAD_CLUSTER_DEFAULTS;
  const clusterArgs: eks.ClusterArgs = {
    version: args.version ?? d.version,
    instanceType: args.instanceType ?? d.instanceType,
    desiredCapacity: args.desiredCapacity ?? d.desiredCapacity,
    minSize: args.minSize ?? d.minSize,
    maxSize: args.maxSize ?? d.maxSize,
    endpointPublicAccess: args.endpointPublicAccess ?? d.endpointPublicAccess,
    endpointPrivateAccess: true,
    enabledClusterLogTypes: args.enabledClusterLogTypes ?? [...d.enabledClusterLogTypes],
    authenticationMode: AUTHENTICATION_MODE,
  };
  if (args.vpcId !== undefined) clusterArgs.vpcId = args.vpcId;
  if (args.publicSubnetIds !== undefined) clusterArgs.publicSubnetIds = args.publicSubnetIds;
  if (args.privateSubnetIds !== undefined) {
    clusterArgs.privateSubnetIds = args.privateSubnetIds;
    clusterArgs.nodeAssociatePublicIpAddress = false;
  }
  if (args.tags !== undefined) clusterArgs.tags = args.tags;
  if (args.kubeconfigProfile !== undefined || args.kubeconfigRoleArn !== undefined) {
    clusterArgs.providerCredentialOpts = {
      profileName: args.kubeconfigProfile,
      roleArn: args.kubeconfigRoleArn,
    };
  }
  return clusterArgs;
}

/**
 * Each cluster's Kubernetes provider, behind the `kubernetesProvider` getter. Pulumi's schema analyzer makes
 * every field of a component an output, and a provider cannot be one (it has no resource token).
 */
const kubernetesProviders = new WeakMap<WorkloadCluster, k8s.Provider>();

/**
 * Account A's EKS cluster: created with `@pulumi/eks` (with an IAM OIDC provider), or an existing
 * one adopted by name. Exposes what account B needs to trust the cluster (`oidcIssuerUrl`,
 * `oidcThumbprint`) and what account A needs to deploy into it (`kubeconfig`, `kubernetesProvider`).
 *
 * AWS calls use the component's AWS provider (`providers: { aws }` on its options), which is also
 * handed to the `eks.Cluster` remote component explicitly (remote components do not inherit
 * providers from their parent).
 */
export class WorkloadCluster extends pulumi.ComponentResource {
  /** The EKS cluster's name. */
  public readonly clusterName: pulumi.Output<string>;
  /** The cluster's OIDC issuer, the full `https://oidc.eks.<region>.amazonaws.com/id/<ID>` URL. */
  public readonly oidcIssuerUrl: pulumi.Output<string>;
  /**
   * SHA-1 thumbprint (40 lower-case hex digits) of what IAM calls the issuer's "top intermediate CA":
   * the top-most certificate of the chain the issuer serves, read the same way for a created and an
   * adopted cluster (`tls.getCertificate`, which lists the top of the chain first). Optional for
   * IAM, which retrieves it itself when none is given and verifies EKS issuers through its library
   * of trusted CAs; account B passes it to its OIDC provider so the provider shows what it trusts.
   * Empty when the chain is empty.
   */
  public readonly oidcThumbprint: pulumi.Output<string>;
  /** A kubeconfig (JSON, secret) that authenticates with `aws eks get-token`. */
  public readonly kubeconfig: pulumi.Output<string>;
  /** The cluster's ARN (EKS Pod Identity's `eks-cluster-arn` session tag). */
  public readonly clusterArn: pulumi.Output<string>;
  /**
   * A Kubernetes provider for the cluster, built from `kubeconfig`. A getter, not a field: the package
   * schema cannot reference a provider, so other languages build their own from `kubeconfig`.
   */
  public get kubernetesProvider(): k8s.Provider {
    const provider = kubernetesProviders.get(this);
    if (provider === undefined)
      throw new Error("WorkloadCluster: kubernetesProvider read before it was created");
    return provider;
  }

  constructor(name: string, args: WorkloadClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    validateWorkloadClusterArgs(args);
    super("cross-account-irsa:index:WorkloadCluster", name, {}, opts);

    let endpoint: pulumi.Output<string>;
    let caData: pulumi.Output<string>;
    let clusterArn: pulumi.Output<string>;

    if (args.existingClusterName !== undefined) {
      const existingName = pulumi
        .output(args.existingClusterName)
        .apply((n) => validateEksClusterName("args.existingClusterName", n));
      const existing = aws.eks.getClusterOutput({ name: existingName }, { parent: this });
      this.clusterName = existing.name;
      this.oidcIssuerUrl = existing.apply((c) => {
        const issuer = c.identities?.[0]?.oidcs?.[0]?.issuer;
        if (!issuer) {
          throw new InputError(
            "args.existingClusterName",
            c.name,
            "must name a cluster with an OIDC issuer (every EKS cluster has one; IRSA needs it)",
          );
        }
        return issuer;
      });
      endpoint = existing.endpoint;
      caData = existing.certificateAuthorities.apply((cas) => cas[0]?.data ?? "");
      clusterArn = existing.arn;
    } else {
      const awsProvider = this.getProvider("aws::Provider");
      const cluster = new eks.Cluster(name, buildEksClusterArgs(args), {
        parent: this,
        ...(awsProvider ? { providers: { aws: awsProvider } } : {}),
      });
      this.clusterName = cluster.eksCluster.apply((c) => c.name);
      this.oidcIssuerUrl = cluster.oidcProviderUrl;
      endpoint = cluster.eksCluster.apply((c) => c.endpoint);
      caData = cluster.eksCluster.apply((c) => c.certificateAuthority.data);
      clusterArn = cluster.eksCluster.apply((c) => c.arn);
    }

    const chain = tls.getCertificateOutput({ url: this.oidcIssuerUrl }, { parent: this });
    this.oidcThumbprint = chain.certificates.apply((certs) => topCaThumbprint(certs));

    this.kubeconfig = pulumi.secret(
      pulumi
        .all([this.clusterName, endpoint, caData, clusterArn, args.kubeconfigProfile, args.kubeconfigRoleArn])
        .apply(([clusterName, server, ca, arn, profile, roleArn]) =>
          buildKubeconfig({
            clusterName,
            endpoint: server,
            caData: ca,
            region: regionFromClusterArn(arn),
            profile,
            roleArn,
          }),
        ),
    );
    this.clusterArn = clusterArn;
    kubernetesProviders.set(
      this,
      new k8s.Provider(`${name}-kubernetes`, { kubeconfig: this.kubeconfig }, { parent: this }),
    );

    this.registerOutputs({
      clusterName: this.clusterName,
      oidcIssuerUrl: this.oidcIssuerUrl,
      oidcThumbprint: this.oidcThumbprint,
      kubeconfig: this.kubeconfig,
      clusterArn: this.clusterArn,
    });
  }
}
