import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { MockEngine } from "../../engine/mockEngine";
import { digest } from "../../engine/placeholders";
import {
  WorkloadCluster,
  buildEksClusterArgs,
  type WorkloadClusterArgs,
} from "../../components/workloadCluster";
import { expectInputError } from "./coreHelpers";
import { settled, valueOf } from "../support/outputs";
import { type KubeconfigView } from "../support/kubeconfigView";

const TYPE = "cross-account-irsa:index:WorkloadCluster";

describe("WorkloadCluster", () => {
  let engine: MockEngine;
  let awsProvider: aws.Provider;

  async function setUp(options: ConstructorParameters<typeof MockEngine>[0] = {}) {
    engine = new MockEngine({ config: { "aws:region": "us-east-1" }, ...options });
    await engine.install();
    awsProvider = new aws.Provider("account-a", { region: "eu-west-1", allowedAccountIds: ["111111111111"] });
  }

  function create(args: WorkloadClusterArgs) {
    return new WorkloadCluster("cluster", args, { providers: { aws: awsProvider } });
  }

  async function outputsOf(cluster: WorkloadCluster) {
    return {
      clusterName: await valueOf(cluster.clusterName),
      oidcIssuerUrl: await valueOf(cluster.oidcIssuerUrl),
      oidcThumbprint: await valueOf(cluster.oidcThumbprint),
      kubeconfig: JSON.parse(await valueOf(cluster.kubeconfig)) as KubeconfigView,
    };
  }

  describe("creating a cluster", () => {
    beforeEach(() => setUp());

    it("creates an eks.Cluster with API authentication and no IAM OIDC provider in account A, on the component's AWS provider", async () => {
      const cluster = create({});
      const out = await outputsOf(cluster);

      const eksCluster = engine.one("eks:index:Cluster");
      expect(engine.byUrn(eksCluster.parent)?.type).to.equal(TYPE);
      // The provider IRSA needs is in account B; one in account A would be unused (and @pulumi/eks
      // would fetch the issuer's certificate to create it).
      expect(eksCluster.inputs).to.not.have.property("createOidcProvider");
      expect(eksCluster.inputs).to.include({
        authenticationMode: "API",
        version: "1.33",
        instanceType: "t3.medium",
        desiredCapacity: 2,
        minSize: 1,
        maxSize: 3,
        endpointPublicAccess: true,
        endpointPrivateAccess: true,
      });
      expect(eksCluster.inputs.enabledClusterLogTypes).to.deep.equal(["api", "audit", "authenticator"]);
      expect(eksCluster.inputs).to.not.have.property("nodeAssociatePublicIpAddress");
      // A remote component does not inherit providers from its parent: the AWS provider is passed on.
      const awsUrn = await valueOf(awsProvider.urn);
      expect(eksCluster.providers.aws, "providers.aws of the eks.Cluster").to.be.a("string");
      expect(eksCluster.providers.aws.startsWith(`${awsUrn}::`)).to.equal(true);
      expect(engine.calls.map((c) => c.token)).to.not.include("aws:eks/getCluster:getCluster");

      // Outputs come from the eks.Cluster: name, full https issuer; the thumbprint from the issuer's
      // served chain, as for an adopted cluster.
      const state = eksCluster.state as {
        eksCluster: { name: string; endpoint: string };
        oidcProviderUrl: string;
      };
      expect(out.clusterName).to.equal(state.eksCluster.name);
      expect(out.oidcIssuerUrl).to.equal(state.oidcProviderUrl);
      expect(out.oidcIssuerUrl).to.match(/^https:\/\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\/[0-9A-F]+$/);
      const tlsCalls = engine.calls.filter((c) => c.token === "tls:index/getCertificate:getCertificate");
      expect(tlsCalls.map((c) => c.inputs.url)).to.deep.equal([out.oidcIssuerUrl]);
      expect(out.oidcThumbprint).to.equal(digest(40, "tls-root-ca", out.oidcIssuerUrl));

      // The kubeconfig talks to the cluster's endpoint and always names its region.
      expect(out.kubeconfig.clusters[0].cluster.server).to.equal(state.eksCluster.endpoint);
      const exec = out.kubeconfig.users[0].user.exec;
      expect(exec.command).to.equal("aws");
      expect(exec.args).to.include.members(["get-token", "--cluster-name", out.clusterName]);
      expect(exec.args.slice(0, 2)).to.deep.equal(["--region", "eu-west-1"]);
    });

    it("exposes a Kubernetes provider built from the secret kubeconfig", async () => {
      const cluster = create({});
      const kubeconfig = await valueOf(cluster.kubeconfig);
      await valueOf(cluster.kubernetesProvider.urn);
      const provider = engine.one("pulumi:providers:kubernetes");
      expect(provider.name).to.equal("cluster-kubernetes");
      expect(engine.byUrn(provider.parent)?.type).to.equal(TYPE);
      expect(provider.secretInputs, "kubeconfig is sent as a secret").to.deep.equal(["kubeconfig"]);
      // The engine records a secret input in its wire form: { <secret signature>: ..., value }.
      expect(provider.inputs.kubeconfig).to.have.property("value", kubeconfig);
    });

    it("passes network, sizing, logging and tag settings; no public node IPs with private subnets", async () => {
      const cluster = create({
        version: "1.32",
        instanceType: "m7g.large",
        desiredCapacity: 3,
        minSize: 2,
        maxSize: 5,
        vpcId: "vpc-0123456789abcdef0",
        publicSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1"],
        privateSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
        endpointPublicAccess: false,
        enabledClusterLogTypes: ["audit"],
        tags: { project: "irsa" },
        kubeconfigProfile: "account-a",
      });
      const out = await outputsOf(cluster);
      const eksCluster = engine.one("eks:index:Cluster");
      expect(eksCluster.inputs).to.deep.include({
        version: "1.32",
        instanceType: "m7g.large",
        desiredCapacity: 3,
        minSize: 2,
        maxSize: 5,
        vpcId: "vpc-0123456789abcdef0",
        publicSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1"],
        privateSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
        nodeAssociatePublicIpAddress: false,
        endpointPublicAccess: false,
        enabledClusterLogTypes: ["audit"],
        tags: { project: "irsa" },
        providerCredentialOpts: { profileName: "account-a" },
      });
      expect(out.kubeconfig.users[0].user.exec.args.slice(0, 4)).to.deep.equal([
        "--region",
        "eu-west-1",
        "--profile",
        "account-a",
      ]);
    });
  });

  describe("adopting an existing cluster", () => {
    it("reads it with getCluster on the component's AWS provider and creates no cluster", async () => {
      await setUp();
      const cluster = create({ existingClusterName: "shared-eks" });
      const out = await outputsOf(cluster);
      await valueOf(cluster.kubernetesProvider.urn);

      expect(engine.ofType("eks:index:Cluster")).to.have.length(0);
      const getCluster = engine.calls.filter((c) => c.token === "aws:eks/getCluster:getCluster");
      expect(getCluster).to.have.length(1);
      expect(getCluster[0].inputs).to.deep.include({ name: "shared-eks" });
      const awsUrn = await valueOf(awsProvider.urn);
      expect(
        getCluster[0].provider?.startsWith(`${awsUrn}::`),
        "getCluster uses the component's provider",
      ).to.equal(true);

      expect(out.clusterName).to.equal("shared-eks");
      const issuerId = digest(32, "eks-oidc", "111111111111", "eu-west-1", "shared-eks").toUpperCase();
      expect(out.oidcIssuerUrl).to.equal(`https://oidc.eks.eu-west-1.amazonaws.com/id/${issuerId}`);

      // The thumbprint comes from the issuer's TLS chain.
      const tlsCalls = engine.calls.filter((c) => c.token === "tls:index/getCertificate:getCertificate");
      expect(tlsCalls).to.have.length(1);
      expect(tlsCalls[0].inputs).to.deep.include({ url: out.oidcIssuerUrl });
      expect(out.oidcThumbprint).to.equal(digest(40, "tls-root-ca", out.oidcIssuerUrl));

      const exec = out.kubeconfig.users[0].user.exec;
      expect(exec.args).to.deep.equal([
        "--region",
        "eu-west-1",
        "eks",
        "get-token",
        "--cluster-name",
        "shared-eks",
        "--output",
        "json",
      ]);
      expect(out.kubeconfig.clusters[0].cluster["certificate-authority-data"]).to.equal(
        Buffer.from("offline plan placeholder CA for shared-eks").toString("base64"),
      );
      expect(engine.one("pulumi:providers:kubernetes").secretInputs).to.include("kubeconfig");
    });

    it("takes the top of the served chain (what IAM means), not a self-signed root further down", async () => {
      const chain = [
        { subject: "CN=oidc.eks", issuer: "CN=Intermediate", isCa: false, sha1Fingerprint: "1".repeat(40) },
        { subject: "CN=Intermediate", issuer: "CN=Root CA", isCa: true, sha1Fingerprint: "2".repeat(40) },
        {
          subject: "CN=Root CA",
          issuer: "CN=Root CA",
          isCa: true,
          sha1Fingerprint: "ABCDEF".padEnd(40, "3"),
        },
      ];
      await setUp({
        onCall: (call) =>
          call.token === "tls:index/getCertificate:getCertificate"
            ? { id: "chain", url: (call.inputs as { url: string }).url, certificates: chain }
            : undefined,
      });
      const cluster = create({ existingClusterName: pulumi.output("shared-eks") });
      expect(await valueOf(cluster.oidcThumbprint)).to.equal("1".repeat(40));
    });
  });

  describe("rejects bad input before registering anything", () => {
    beforeEach(() => setUp());

    const cases: Array<[string, Record<string, unknown>, string, unknown, string]> = [
      [
        "existingClusterName",
        { existingClusterName: "-bad" },
        "args.existingClusterName",
        "-bad",
        "EKS cluster name",
      ],
      [
        "adoption with creation settings",
        { existingClusterName: "shared", instanceType: "t3.large" },
        "args.instanceType",
        "t3.large",
        "cannot be combined with args.existingClusterName",
      ],
      ["version", { version: "v1.33" }, "args.version", "v1.33", "Kubernetes minor version"],
      ["instanceType", { instanceType: "big" }, "args.instanceType", "big", "EC2 instance type"],
      ["desiredCapacity", { desiredCapacity: 2.5 }, "args.desiredCapacity", 2.5, "whole number"],
      ["minSize above maxSize", { minSize: 4, maxSize: 3 }, "args.minSize", 4, "must not exceed maxSize (3)"],
      [
        "desiredCapacity above maxSize",
        { desiredCapacity: 5 },
        "args.desiredCapacity",
        5,
        "from minSize (1) to maxSize (3)",
      ],
      [
        "vpcId",
        { vpcId: "vpc-xyz", privateSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1"] },
        "args.vpcId",
        "vpc-xyz",
        "EC2 vpc id",
      ],
      [
        "vpcId without subnets",
        { vpcId: "vpc-0123456789abcdef0" },
        "args.vpcId",
        "vpc-0123456789abcdef0",
        "needs publicSubnetIds or privateSubnetIds",
      ],
      [
        "subnets without vpcId",
        { privateSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1"] },
        "args.privateSubnetIds",
        ["subnet-0bbbbbbbbbbbbbbb1"],
        "needs args.vpcId",
      ],
      [
        "a bad subnet id",
        { vpcId: "vpc-0123456789abcdef0", publicSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "sn-1"] },
        "args.publicSubnetIds[1]",
        "sn-1",
        "EC2 subnet id",
      ],
      [
        "empty subnet list",
        { vpcId: "vpc-0123456789abcdef0", privateSubnetIds: [] },
        "args.privateSubnetIds",
        [],
        "at least 1 item",
      ],
      [
        "log type",
        { enabledClusterLogTypes: ["api", "kubelet"] },
        "args.enabledClusterLogTypes[1]",
        "kubelet",
        "EKS log types",
      ],
      [
        "endpointPublicAccess",
        { endpointPublicAccess: "yes" },
        "args.endpointPublicAccess",
        "yes",
        "true or false",
      ],
      [
        "reserved tag key",
        { tags: { "aws:owner": "me" } },
        'args.tags["aws:owner"]',
        "aws:owner",
        "must not start with 'aws:'",
      ],
      [
        "kubeconfigProfile",
        { kubeconfigProfile: "my profile" },
        "args.kubeconfigProfile",
        "my profile",
        "profile name",
      ],
      [
        "kubeconfigRoleArn",
        { kubeconfigRoleArn: "admin" },
        "args.kubeconfigRoleArn",
        "admin",
        "IAM role ARN",
      ],
    ];
    for (const [title, args, field, value, rule] of cases) {
      it(title, async () => {
        expectInputError(() => create(args), field, value, rule);
        await settled();
        // Only the test's own AWS provider is there.
        expect(engine.resources.map((r) => r.type)).to.deep.equal(["pulumi:providers:aws"]);
      });
    }
  });
});

describe("buildEksClusterArgs", () => {
  it("defaults only what is not given", () => {
    const a = buildEksClusterArgs({ minSize: 0 });
    expect(a).to.include({ minSize: 0, maxSize: 3, desiredCapacity: 2 });
    expect(a).to.not.have.property("createOidcProvider");
    expect(a).to.not.have.property("vpcId");
    expect(a).to.not.have.property("providerCredentialOpts");
  });
});
