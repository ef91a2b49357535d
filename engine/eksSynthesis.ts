/**
 * What the offline engine answers for an EKS cluster it does not create: the `getCluster` fields this
 * package reads, and the outputs of `@pulumi/eks`'s Cluster component, all derived deterministically
 * from the name, the account and the region (placeholders, never a real cluster's values).
 */
import { digest } from "./placeholders";

/** The fields of the EKS `getCluster` result this package reads, derived from the name. */
export function synthesiseEksCluster(
  name: string,
  accountId: string,
  region: string,
  partition: string,
): Record<string, unknown> {
  const id = digest(32, "eks-oidc", accountId, region, name).toUpperCase();
  return {
    id: name,
    name,
    arn: `arn:${partition}:eks:${region}:${accountId}:cluster/${name}`,
    endpoint: `https://${digest(32, "eks-endpoint", name).toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
    version: "1.33",
    status: "ACTIVE",
    certificateAuthorities: [
      { data: Buffer.from(`offline plan placeholder CA for ${name}`).toString("base64") },
    ],
    identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${id}` }] }],
    vpcConfig: { vpcId: `vpc-${digest(17, name)}`, subnetIds: [], securityGroupIds: [] },
    accessConfigs: [{ authenticationMode: "API_AND_CONFIG_MAP" }],
  };
}

export function synthesiseEksComponent(
  name: string,
  inputs: Record<string, unknown>,
  accountId: string,
  region: string,
  partition: string,
): Record<string, unknown> {
  const clusterName = typeof inputs.name === "string" ? inputs.name : `${name}-eksCluster-${digest(7, name)}`;
  const cluster = synthesiseEksCluster(clusterName, accountId, region, partition);
  const issuer = String(
    (cluster.identities as Array<{ oidcs: Array<{ issuer: string }> }>)[0].oidcs[0].issuer,
  );
  const hostPath = issuer.replace(/^https:\/\//, "");
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "kubernetes",
        cluster: { server: cluster.endpoint, "certificate-authority-data": "PLACEHOLDER" },
      },
    ],
    contexts: [{ name: "aws", context: { cluster: "kubernetes", user: "aws" } }],
    "current-context": "aws",
    users: [
      {
        name: "aws",
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", clusterName, "--output", "json"],
          },
        },
      },
    ],
  };
  const createOidc = inputs.createOidcProvider === true;
  return {
    eksCluster: {
      name: clusterName,
      arn: cluster.arn,
      endpoint: cluster.endpoint,
      identities: cluster.identities,
      certificateAuthority: (cluster.certificateAuthorities as Array<{ data: string }>)[0],
    },
    core: {
      cluster: { name: clusterName },
      oidcProvider: createOidc
        ? {
            arn: `arn:${partition}:iam::${accountId}:oidc-provider/${hostPath}`,
            url: hostPath,
            thumbprintLists: [digest(40, "eks-oidc-thumbprint", hostPath)],
          }
        : undefined,
    },
    kubeconfig,
    kubeconfigJson: JSON.stringify(kubeconfig),
    oidcIssuer: hostPath,
    oidcProviderUrl: issuer,
    oidcProviderArn: createOidc ? `arn:${partition}:iam::${accountId}:oidc-provider/${hostPath}` : "",
    clusterSecurityGroupId: `sg-${digest(17, "cluster", name)}`,
    nodeSecurityGroupId: `sg-${digest(17, "node", name)}`,
  };
}
