import { expect } from "chai";
import { buildKubeconfig, regionFromClusterArn } from "../../components/kubeconfig";
import { topCaThumbprint } from "../../components/issuerThumbprint";
import { expectInputError } from "./coreHelpers";
import { type KubeconfigView } from "../support/kubeconfigView";

const CA = Buffer.from("test CA").toString("base64");

describe("buildKubeconfig", () => {
  const base = {
    clusterName: "irsa-a",
    endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
    caData: CA,
    region: "eu-west-1",
  };

  it("builds one cluster, context and exec user, region first, no profile or role by default", () => {
    const k = JSON.parse(buildKubeconfig(base)) as KubeconfigView & { contexts: unknown[] };
    expect(k.clusters).to.deep.equal([
      { name: "irsa-a", cluster: { server: base.endpoint, "certificate-authority-data": CA } },
    ]);
    expect(k.contexts).to.deep.equal([{ name: "irsa-a", context: { cluster: "irsa-a", user: "irsa-a" } }]);
    expect(k["current-context"]).to.equal("irsa-a");
    expect(k.users[0].user.exec).to.deep.equal({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["--region", "eu-west-1", "eks", "get-token", "--cluster-name", "irsa-a", "--output", "json"],
    });
  });

  it("passes the profile as --profile (an argument, which access keys in the environment cannot override) and the role as --role-arn", () => {
    const role = "arn:aws:iam::111111111111:role/eks-admin";
    const k = JSON.parse(buildKubeconfig({ ...base, roleArn: role, profile: "ops" })) as KubeconfigView;
    expect(k.users[0].user.exec.args).to.deep.equal([
      "--region",
      "eu-west-1",
      "--profile",
      "ops",
      "eks",
      "get-token",
      "--cluster-name",
      "irsa-a",
      "--output",
      "json",
      "--role-arn",
      role,
    ]);
    // AWS_PROFILE in the exec environment would lose to AWS_ACCESS_KEY_ID in the caller's environment.
    expect(k.users[0].user.exec).to.not.have.property("env");
  });

  it("rejects a plain-http endpoint, bad CA data and a bad region", () => {
    expectInputError(
      () => buildKubeconfig({ ...base, endpoint: "http://x.example.com" }),
      "cluster.endpoint",
      "http://x.example.com",
      "https:// URL",
    );
    expectInputError(
      () => buildKubeconfig({ ...base, caData: "not base64!" }),
      "cluster.certificateAuthority.data",
      "not base64!",
      "base64",
    );
    expectInputError(
      () => buildKubeconfig({ ...base, region: "mars" }),
      "cluster.region",
      "mars",
      "AWS region",
    );
  });

  it("reads the region from a cluster ARN, in any partition", () => {
    expect(regionFromClusterArn("arn:aws:eks:eu-west-1:111111111111:cluster/irsa-a")).to.equal("eu-west-1");
    expect(regionFromClusterArn("arn:aws-cn:eks:cn-north-1:111111111111:cluster/x")).to.equal("cn-north-1");
    expectInputError(
      () => regionFromClusterArn("arn:aws:iam::111111111111:role/x"),
      "cluster.arn",
      "arn:aws:iam::111111111111:role/x",
      "EKS cluster ARN",
    );
  });
});

describe("topCaThumbprint", () => {
  it("never invents a thumbprint: empty for an empty chain", () => {
    expect(topCaThumbprint([])).to.equal("");
    expect(topCaThumbprint(undefined)).to.equal("");
  });

  it("takes the top of the served chain (tls lists it first), lower-case without colons, even when a later certificate is self-signed", () => {
    // What IAM means: the top intermediate CA of the chain the issuer serves, not a self-signed root
    // found further down the list.
    const chain = [
      { sha1Fingerprint: `AA:BB${"C".repeat(36)}`, isCa: true, subject: "CN=Starfield", issuer: "CN=Other" },
      { sha1Fingerprint: "d".repeat(40), isCa: true, subject: "CN=Root", issuer: "CN=Root" },
    ];
    expect(topCaThumbprint(chain)).to.equal("aabb".padEnd(40, "c"));
  });
});
