/**
 * The offline engine's answers (engine/mockEngine.ts): what AWS, EKS and Kubernetes would return for
 * a resource the program registers or a provider function it calls, as deterministic placeholders
 * derived from the inputs and from where the provider points (account, region, partition).
 */
import type * as pulumi from "@pulumi/pulumi";
import { synthesiseEksCluster, synthesiseEksComponent } from "./eksSynthesis";
import { digest } from "./placeholders";

/** Where a provider's resources land. */
export interface Placement {
  accountId: string;
  region: string;
  partition: string;
}

/**
 * The state a resource of this type gets: ids, ARNs and the names AWS or Pulumi would choose
 * (`autoName` where the inputs name none); `importId` when the program reads an existing resource.
 */
export function resourceAnswer(
  type: string,
  name: string,
  autoName: string,
  inputs: Record<string, unknown>,
  importId: string | undefined,
  { accountId, region, partition }: Placement,
): pulumi.runtime.MockResourceResult {
  switch (type) {
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
      if (importId) {
        // Reading an existing provider: only what its ARN says (its URL). Its client ids are not
        // known offline, so none are invented (the plan's chain then warns instead of passing).
        const hostPath = importId.slice(importId.indexOf(":oidc-provider/") + ":oidc-provider/".length);
        return { id: importId, state: { arn: importId, url: hostPath } };
      }
      const hostPath = (text(inputs.url) ?? "").replace(/^https:\/\//, "");
      const arn = `arn:${partition}:iam::${accountId}:oidc-provider/${hostPath}`;
      return { id: arn, state: { ...inputs, arn } };
    }
    case "aws:iam/role:Role": {
      const roleName = typeof inputs.name === "string" ? inputs.name : autoName;
      const path = typeof inputs.path === "string" ? inputs.path : "/";
      const arn = `arn:${partition}:iam::${accountId}:role${path}${roleName}`;
      return {
        id: roleName,
        state: { ...inputs, name: roleName, path, arn, uniqueId: `AROA${digest(17, arn).toUpperCase()}` },
      };
    }
    case "aws:iam/policy:Policy": {
      const policyName = typeof inputs.name === "string" ? inputs.name : autoName;
      const path = typeof inputs.path === "string" ? inputs.path : "/";
      const arn = `arn:${partition}:iam::${accountId}:policy${path}${policyName}`;
      return { id: arn, state: { ...inputs, name: policyName, arn } };
    }
    case "aws:iam/rolePolicy:RolePolicy": {
      const policyName = typeof inputs.name === "string" ? inputs.name : autoName;
      return { id: `${String(inputs.role)}:${policyName}`, state: { ...inputs, name: policyName } };
    }
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2": {
      const bucket = typeof inputs.bucket === "string" ? inputs.bucket : autoName.toLowerCase();
      return {
        id: bucket,
        state: {
          ...inputs,
          bucket,
          arn: `arn:${partition}:s3:::${bucket}`,
          region,
          bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
        },
      };
    }
    case "aws:kms/key:Key": {
      const keyId = `${digest(8, name)}-${digest(4, "a", name)}-${digest(4, "b", name)}-${digest(4, "c", name)}-${digest(12, "d", name)}`;
      return {
        id: keyId,
        state: { ...inputs, keyId, arn: `arn:${partition}:kms:${region}:${accountId}:key/${keyId}` },
      };
    }
    case "aws:eks/addon:Addon": {
      // EKS picks the default version of the add-on for the cluster's Kubernetes version.
      const clusterName = text(inputs.clusterName) ?? "";
      const addonName = text(inputs.addonName) ?? "";
      return {
        id: `${clusterName}:${addonName}`,
        state: {
          ...inputs,
          addonVersion: text(inputs.addonVersion) ?? "v1.3.8-eksbuild.2",
          arn: `arn:${partition}:eks:${region}:${accountId}:addon/${clusterName}/${addonName}/${digest(8, name)}`,
        },
      };
    }
    case "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
      const clusterName = text(inputs.clusterName) ?? "";
      const associationId = `a-${digest(17, name)}`;
      return {
        id: `${clusterName},${associationId}`,
        state: {
          ...inputs,
          associationId,
          associationArn: `arn:${partition}:eks:${region}:${accountId}:podidentityassociation/${clusterName}/${associationId}`,
          disableSessionTags: inputs.disableSessionTags ?? false,
          // EKS generates an external id for an association with a target role.
          externalId:
            inputs.targetRoleArn !== undefined ? `${digest(8, "external", name)}-${digest(4, name)}` : "",
        },
      };
    }
    case "eks:index:Cluster":
      return { id: undefined, state: synthesiseEksComponent(name, inputs, accountId, region, partition) };
    default: {
      if (type.startsWith("kubernetes:")) {
        const metadata = { ...((inputs.metadata as Record<string, unknown> | undefined) ?? {}) };
        if (metadata.name === undefined) metadata.name = autoName;
        const namespace = text(metadata.namespace);
        const id = namespace ? `${namespace}/${text(metadata.name)}` : text(metadata.name);
        return { id, state: { ...inputs, metadata } };
      }
      return { id: importId ?? `${name}-id`, state: { ...inputs } };
    }
  }
}

/** The answer of a provider function the programs call (caller identity, partition, region, an EKS cluster, a certificate). */
export function providerFunctionAnswer(
  token: string,
  inputs: Record<string, unknown>,
  { accountId, region, partition }: Placement,
): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId,
        arn: `arn:${partition}:iam::${accountId}:user/plan`,
        userId: "PLANPLACEHOLDER",
        id: accountId,
      };
    case "aws:index/getPartition:getPartition":
      return { partition, dnsSuffix: "amazonaws.com", id: partition };
    case "aws:index/getRegion:getRegion":
    case "aws:index/region:getRegion":
      return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
    case "aws:eks/getCluster:getCluster":
      return synthesiseEksCluster(String(inputs.name), accountId, region, partition);
    case "tls:index/getCertificate:getCertificate":
      return {
        id: String(inputs.url),
        url: inputs.url,
        certificates: [{ sha1Fingerprint: digest(40, "tls-root-ca", String(inputs.url)), isCa: true }],
      };
    default:
      throw new Error(`the offline engine has no answer for the provider function ${token}`);
  }
}

/** The value when it is a string, else undefined. */
function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
