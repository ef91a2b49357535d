/**
 * The kubeconfig of an EKS cluster: a user that runs `aws eks get-token`, and the region read from
 * the cluster's ARN. Pure: plain values in, the kubeconfig JSON out.
 */
import { InputError } from "./errors";
import { parseRoleArn, validateEksClusterName, validateRegion } from "./validation";

/** The plain values {@link buildKubeconfig} needs. */
export interface KubeconfigOptions {
  clusterName: string;
  /** The API server's `https://` endpoint. */
  endpoint: string;
  /** Base64 PEM of the cluster's certificate authority. */
  caData: string;
  /** The cluster's region (always passed to `aws eks get-token`). */
  region: string;
  /**
   * AWS CLI profile, passed as `--profile` (an argument, not `AWS_PROFILE`: the CLI prefers access
   * keys in the environment to `AWS_PROFILE`, but never to `--profile`).
   */
  profile?: string;
  /** Role `aws eks get-token` assumes (`--role-arn`), with the profile's (or ambient) credentials. */
  roleArn?: string;
}

/**
 * A kubeconfig (JSON) for an EKS cluster whose user runs
 * `aws --region <region> [--profile <profile>] eks get-token --cluster-name <name> --output json
 * [--role-arn <arn>]`. The region is always explicit, so the token is requested from the cluster's
 * region whatever the caller's default region is; the profile and role are the ones the stack's AWS
 * provider authenticates with. Throws an `InputError` for a bad value.
 */
export function buildKubeconfig(options: KubeconfigOptions): string {
  const clusterName = validateEksClusterName("cluster.name", options.clusterName);
  if (typeof options.endpoint !== "string" || !/^https:\/\/[^\s/]+\/?$/.test(options.endpoint)) {
    throw new InputError("cluster.endpoint", options.endpoint, "must be the API server's https:// URL");
  }
  if (typeof options.caData !== "string" || !/^[A-Za-z0-9+/]+=*$/.test(options.caData)) {
    throw new InputError(
      "cluster.certificateAuthority.data",
      options.caData,
      "must be base64 certificate data",
    );
  }
  const region = validateRegion("cluster.region", options.region);
  const args = ["--region", region];
  if (options.profile !== undefined) {
    args.push("--profile", validateProfile("args.kubeconfigProfile", options.profile));
  }
  args.push("eks", "get-token", "--cluster-name", clusterName, "--output", "json");
  if (options.roleArn !== undefined) {
    parseRoleArn("args.kubeconfigRoleArn", options.roleArn);
    args.push("--role-arn", options.roleArn);
  }
  const exec = { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args };
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: clusterName,
        cluster: { server: options.endpoint, "certificate-authority-data": options.caData },
      },
    ],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
    "current-context": clusterName,
    preferences: {},
    users: [{ name: clusterName, user: { exec } }],
  });
}

/** The region of an EKS cluster ARN `arn:<partition>:eks:<region>:<account>:cluster/<name>`. */
export function regionFromClusterArn(arn: string): string {
  const m = /^arn:[a-z-]+:eks:([a-z0-9-]+):\d{12}:cluster\/[^/]+$/.exec(typeof arn === "string" ? arn : "");
  if (!m) {
    throw new InputError(
      "cluster.arn",
      arn,
      "must be an EKS cluster ARN arn:<partition>:eks:<region>:<account>:cluster/<name>",
    );
  }
  return m[1];
}

/** An AWS CLI profile name: 1 to 128 characters without whitespace. */
export function validateProfile(field: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 128 || /\s/.test(value)) {
    throw new InputError(
      field,
      value,
      "must be an AWS CLI profile name: 1 to 128 characters without whitespace",
    );
  }
  return value;
}
