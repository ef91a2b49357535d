import { expect } from "chai";
import { type StackWorkspace } from "../../cli/shared/workspace";
import { world } from "./support/hooks";
import { PI_CHAIN } from "./support/podIdentityChain";
import {
  PI_EXPLICIT,
  READ_ONLY,
  READ_ONLY_REQUEST,
  byStatus,
  doctor,
  doctorProcess,
  failing,
  motoState,
  validate,
} from "./support/run";
import { plain, stacksWorkspace } from "../support/stacksWorkspace";
import { kubeconfigFor } from "./support/standIns";

/** The doctor on the Pod Identity test chain, with --json and the kubeconfig. */
const run = (extra: string[] = []) =>
  doctor(extra, { base: [...PI_EXPLICIT, "--kubeconfig", world().kubeconfigFile] });

describe("npm run doctor --mechanism pod-identity against moto and the EKS stand-in", function () {
  this.timeout(60000);

  it("a healthy chain: exits 0, every check passing, only read calls, EKS read with the cluster's account", async () => {
    await world().buildPodIdentity();
    const before = await motoState();
    const r = await run();
    expect(await motoState(), "moto's state changed").to.equal(before);
    expect(r.code, r.stderr).to.equal(0);
    expect(byStatus(r, "fail"), r.stdout).to.deep.equal([]);
    expect(byStatus(r, "warn")).to.deep.equal([]);
    expect(byStatus(r, "skip")).to.deep.equal([]);
    expect(r.links.map((l) => l.link)).to.deep.equal([
      ...["agent", "agent"],
      ...["association", "association", "association", "association", "association"],
      ...["source-role", "source-role", "source-role", "source-role", "source-role"],
      ...["target-trust", "target-trust", "target-trust"],
      ...["permission", "permission", "permission", "permission"],
    ]);
    expect(r.calls.filter((c) => !READ_ONLY.test(c))).to.deep.equal([]);
    expect(r.calls).to.include.members([
      "aws EKS:DescribeCluster",
      "aws EKS:DescribeAddon",
      "aws EKS:ListPodIdentityAssociations",
      "aws EKS:DescribePodIdentityAssociation",
      "aws IAM:GetRole",
      "aws S3:GetBucketPolicy",
      "aws S3:HeadObject",
    ]);
    // The stand-in answered the three operations moto lacks, signed with account A's key (moto's "testing"),
    // and passed DescribeCluster and IAM's reads on to moto: every request it saw is a read.
    const eks = world().eks.requests.filter((q) => q.startsWith("GET /clusters"));
    expect(eks).to.deep.equal([
      "GET /clusters/demo (testing)",
      "GET /clusters/demo/addons/eks-pod-identity-agent (testing)",
      "GET /clusters/demo/pod-identity-associations?namespace=apps&serviceAccount=reader (testing)",
      `GET /clusters/demo/pod-identity-associations/${PI_CHAIN.associationId} (testing)`,
    ]);
    expect(world().eks.requests).to.include("POST / GetRole (testing)");
    expect(world().eks.requests.filter((q) => !READ_ONLY_REQUEST.test(q))).to.deep.equal([]);
    expect(world().kube.requests).to.deep.equal([
      "GET /api/v1/namespaces/apps/serviceaccounts/reader",
      "GET /api/v1/namespaces/apps/pods",
    ]);
    expect(validate(JSON.parse(r.stdout)), JSON.stringify(validate.errors)).to.equal(true);
  });

  it("follows ListPodIdentityAssociations' nextToken to the last page (one association a page)", async () => {
    await world().buildPodIdentity();
    const eks = world().eks.state;
    const [real] = eks.associations.get(PI_CHAIN.cluster)!;
    const ids = [real.associationId, "a-0pod1dent1ty0002", "a-0pod1dent1ty0003"];
    eks.associations.set(PI_CHAIN.cluster, [
      real,
      { ...real, associationId: ids[1] },
      { ...real, associationId: ids[2] },
    ]);
    eks.pageSize = 1;
    const r = await run();
    expect(r.code, JSON.stringify(failing(r))).to.equal(0);
    const list = (token = "") =>
      `GET /clusters/demo/pod-identity-associations?namespace=apps${token}&serviceAccount=reader (testing)`;
    expect(world().eks.requests.filter((q) => q.includes("/pod-identity-associations"))).to.deep.equal([
      list(),
      `GET /clusters/demo/pod-identity-associations/${ids[0]} (testing)`,
      list("&nextToken=1"),
      `GET /clusters/demo/pod-identity-associations/${ids[1]} (testing)`,
      list("&nextToken=2"),
      `GET /clusters/demo/pod-identity-associations/${ids[2]} (testing)`,
    ]);
  });

  it("prints the table with the chain it read, without --json", async () => {
    await world().buildPodIdentity();
    const { code, stdout: out } = await doctor([], {
      json: false,
      base: [...PI_EXPLICIT, "--kubeconfig", world().kubeconfigFile],
    });
    expect(code).to.equal(0);
    expect(out).to.match(
      new RegExp(
        `^EKS Pod Identity chain links \\(live\\): cluster demo \\(us-east-1, account 123456789012\\), source role ` +
          `${PI_CHAIN.sourceRoleArn}, target role ${PI_CHAIN.targetRoleArn}, ServiceAccount apps/reader, s3://team-data/reports/q3.csv`,
      ),
    );
    expect(out).to.include("Doctor: no broken link (19 passed, 0 failed, 0 warned, 0 skipped)");
  });

  it("--no-cluster skips the Kubernetes side, saying what it would have checked, and calls no Kubernetes API", async () => {
    await world().buildPodIdentity({ pods: "not-injected" });
    const r = await doctor(["--no-cluster"], { base: PI_EXPLICIT });
    expect(r.code, r.stderr + JSON.stringify(failing(r))).to.equal(0);
    const skipped = r.links.filter((l) => l.status === "skip");
    expect(skipped.map((l) => [l.link, l.detail])).to.deep.equal([
      [
        "association",
        "--no-cluster: would have checked that it exists without an eks.amazonaws.com/role-arn annotation",
      ],
      [
        "association",
        "--no-cluster: would have checked that its pods have AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
      ],
    ]);
    expect(world().kube.requests).to.deep.equal([]);
  });

  it("refuses --assume (exit 2), saying why, before any AWS or Kubernetes call", async () => {
    await world().buildPodIdentity();
    const r = await run(["--assume"]);
    expect(r.code).to.equal(2);
    expect((JSON.parse(r.stdout) as { ok: boolean }).ok).to.equal(false);
    expect(r.stderr).to.match(
      /^doctor: --assume is not available with --mechanism pod-identity: .*AssumeRoleForPodIdentity/,
    );
    expect(r.calls).to.deep.equal([]);
  });

  describe("inputs from the stacks (an injected workspace stands in for the Automation API)", () => {
    const stacks = (sourceRoleArn: string) =>
      stacksWorkspace(
        {
          "account-a": {
            clusterName: plain(PI_CHAIN.cluster),
            clusterArn: plain(PI_CHAIN.clusterArn),
            sourceRoleArn: plain(sourceRoleArn),
            mechanism: plain("pod-identity"),
            kubeconfig: { value: kubeconfigFor(world().kube, world().tls), secret: true },
            serviceAccount: plain({ namespace: PI_CHAIN.namespace, name: PI_CHAIN.serviceAccount }),
          },
          "account-b": {
            roleArn: plain(PI_CHAIN.targetRoleArn),
            bucketName: plain(PI_CHAIN.bucket),
            objectKey: plain(PI_CHAIN.key),
            region: plain("us-east-1"),
            mechanism: plain("pod-identity"),
          },
        },
        "us-east-1",
      );
    const deps = (ws: StackWorkspace) => ({
      run: () => Promise.resolve({ code: 0, stdout: "v3.248.0\n", stderr: "" }),
      createWorkspace: () => Promise.resolve(ws),
    });
    const profiles = ["--profile-a", "cluster-account", "--profile-b", "role-account"];

    it("reads the chain, the source role the association must name and the cluster from the outputs", async () => {
      await world().buildPodIdentity();
      const ok = await doctor([], {
        base: ["--mechanism", "pod-identity", ...profiles],
        deps: deps(stacks(PI_CHAIN.sourceRoleArn)),
      });
      expect(ok.code, ok.stderr + JSON.stringify(failing(ok))).to.equal(0);
      const other = await doctor([], {
        base: ["--mechanism", "pod-identity", ...profiles],
        deps: deps(stacks("arn:aws:iam::123456789012:role/another-source")),
      });
      expect(failing(other).map((l) => l.link)).to.deep.equal(["association"]);
    });

    it("without --mechanism, the stacks' mechanism output is used", async () => {
      await world().buildPodIdentity();
      const r = await doctor([], { base: profiles, deps: deps(stacks(PI_CHAIN.sourceRoleArn)) });
      expect(r.code, r.stderr + JSON.stringify(failing(r))).to.equal(0);
      expect(r.links[0].link).to.equal("agent");
    });

    it("without --mechanism, --assume on stacks that deploy Pod Identity: exit 2 saying why, before any AWS call", async () => {
      await world().buildPodIdentity();
      const r = await doctor(["--assume"], { base: profiles, deps: deps(stacks(PI_CHAIN.sourceRoleArn)) });
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/^doctor: --assume is not available with --mechanism pod-identity/);
      expect(r.calls).to.deep.equal([]);
    });

    it("stacks that deploy Pod Identity, read with --mechanism irsa: exit 2 naming the mechanism to pass", async () => {
      await world().buildPodIdentity();
      const r = await doctor(["--mechanism", "irsa"], {
        base: profiles,
        deps: deps(stacks(PI_CHAIN.sourceRoleArn)),
      });
      expect(r.code).to.equal(2);
      expect(r.stderr).to.equal(
        "doctor: the stacks deploy pod-identity (account-a's mechanism output), not irsa: pass --mechanism pod-identity\n",
      );
    });
  });

  it("runs as `npm run doctor` in its own process: exit code, and only JSON on stdout", async () => {
    await world().buildPodIdentity({ association: "none" });
    const result = await doctorProcess([...PI_EXPLICIT, "--no-cluster"]);
    expect(result.code).to.equal(1);
    const { report } = result;
    expect(validate(report)).to.equal(true);
    expect(report.links.filter((l) => l.status === "fail").map((l) => l.link)).to.deep.equal(["association"]);
  });
});
