import { expect } from "chai";
import { world } from "./support/hooks";
import { PI_CHAIN } from "./support/podIdentityChain";
import { PI_EXPLICIT, doctor, failing } from "./support/run";

/** The doctor on the Pod Identity test chain, with --json and the kubeconfig. */
const runPodIdentity = () => doctor([], { base: [...PI_EXPLICIT, "--kubeconfig", world().kubeconfigFile] });
const statusOf = (r: Awaited<ReturnType<typeof doctor>>, check: RegExp) =>
  r.links.filter((l) => check.test(l.check)).map((l) => [l.link, l.status, l.detail]);

describe("npm run doctor: facts AWS would not give (AccessDenied) are undecided, not broken links", function () {
  this.timeout(60000);

  it("IRSA, GetRole AccessDenied: link 3 and the permission undecided (warn) naming GetRole, link 2 is still checked, exit 1", async () => {
    await world().build();
    world().eks.state.iamFaults.set("GetRole irsa-reader", "AccessDenied");
    const r = await doctor();
    expect(failing(r)).to.deep.equal([]);
    // An undecided check (warn) is not a pass: the doctor exits 1 (docs/doctor.md, "Exit codes").
    expect(r.code, r.stderr).to.equal(1);
    const principal = r.links.find((l) => /Federated principal/.test(l.check))!;
    expect([principal.link, principal.status]).to.deep.equal(["trust-policy", "warn"]);
    expect(principal.fix).to.equal(
      "let the doctor's credentials call iam:GetRole (read-only), or run it with credentials that may; then run it again",
    );
    expect(principal.detail).to.match(/^GetRole irsa-reader: AccessDenied: User is not authorized/);
    expect(r.links.find((l) => /has an IAM OIDC provider/.test(l.check))!.status).to.equal("pass");
    expect(statusOf(r, /may s3:GetObject/)).to.deep.equal([["permission", "warn", principal.detail]]);
  });

  it("DescribeCluster AccessDenied: link 1 undecided (warn) with EKS's error, for both mechanisms", async () => {
    await world().build();
    world().eks.state.eksFaults.set("GET /clusters/demo", "AccessDeniedException");
    const irsa = await doctor();
    const issuer = irsa.links.find((l) => l.link === "issuer")!;
    expect([issuer.status, issuer.detail]).to.deep.equal([
      "warn",
      "DescribeCluster demo: AccessDeniedException: User is not authorized to perform this operation (AccessDeniedException)",
    ]);
    expect(failing(irsa)).to.deep.equal([]);
    // An undecided check (warn) is not a pass: the doctor exits 1 (docs/doctor.md, "Exit codes").
    expect(irsa.code, irsa.stderr).to.equal(1);

    await world().buildPodIdentity();
    world().eks.state.eksFaults.set(`GET /clusters/${PI_CHAIN.cluster}`, "AccessDeniedException");
    const pi = await runPodIdentity();
    const agent = pi.links.find((l) => l.link === "agent")!;
    expect([agent.status, agent.detail]).to.deep.equal([
      "warn",
      `DescribeCluster ${PI_CHAIN.cluster}: AccessDeniedException: User is not authorized to perform this operation (AccessDeniedException)`,
    ]);
    expect(failing(pi)).to.deep.equal([]);
    // An undecided check (warn) is not a pass: the doctor exits 1 (docs/doctor.md, "Exit codes").
    expect(pi.code, pi.stderr).to.equal(1);
  });

  it("IRSA, GetRole AccessDenied and the object missing: the bucket side is still checked, exit 1 on the object", async () => {
    await world().build({ putObject: false });
    world().eks.state.iamFaults.set("GetRole irsa-reader", "AccessDenied");
    const r = await doctor();
    expect(r.code, r.stderr).to.equal(1);
    expect(failing(r).map((l) => [l.link, l.check])).to.deep.equal([
      ["permission", "object s3://team-data/reports/q3.csv exists"],
    ]);
  });

  it("IRSA, GetOpenIDConnectProvider AccessDenied: link 2 undecided (warn) naming it, the rest still checked, JSON on stdout", async () => {
    await world().build();
    world().eks.state.iamFaults.set("GetOpenIDConnectProvider", "AccessDenied");
    const r = await doctor();
    expect(r.stderr).to.equal("");
    expect(failing(r)).to.deep.equal([]);
    // An undecided check (warn) is not a pass: the doctor exits 1 (docs/doctor.md, "Exit codes").
    expect(r.code).to.equal(1);
    const provider = r.links.filter((l) => l.link === "oidc-provider");
    expect(provider.map((l) => l.status)).to.deep.equal(["warn"]);
    expect(provider[0].detail).to.match(
      /^GetOpenIDConnectProvider arn:aws:iam::210987654321:oidc-provider\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/\w+: AccessDenied: /,
    );
    expect(r.links.find((l) => /Federated principal/.test(l.check))!.status).to.equal("pass");
    expect(r.links.find((l) => /may s3:GetObject/.test(l.check))!.status).to.equal("pass");
  });

  it("IRSA, GetPolicy AccessDenied on an attached policy: the trust is checked (pass), the permission undecided naming GetPolicy", async () => {
    await world().build({ attached: true });
    world().eks.state.iamFaults.set("GetPolicy", "AccessDenied");
    const r = await doctor();
    expect(failing(r)).to.deep.equal([]);
    expect(r.links.find((l) => /Federated principal/.test(l.check))!.status).to.equal("pass");
    expect(r.links.find((l) => /the role trusts apps\/reader/.test(l.check))!.status).to.equal("pass");
    const read = r.links.find((l) => /may s3:GetObject/.test(l.check))!;
    expect(read.status).to.equal("warn");
    expect(read.fix).to.match(/^let the doctor's credentials call iam:GetPolicy \(read-only\)/);
    expect(read.detail).to.match(
      /^GetPolicy arn:aws:iam::210987654321:policy\/team-data-read: AccessDenied: /,
    );
  });

  it("Pod Identity, the source role's GetRole AccessDenied: link 3 undecided naming it, link 4 still evaluated", async () => {
    await world().buildPodIdentity();
    world().eks.state.iamFaults.set("GetRole pod-identity-source", "AccessDenied");
    const r = await runPodIdentity();
    expect(failing(r)).to.deep.equal([]);
    // An undecided check (warn) is not a pass: the doctor exits 1 (docs/doctor.md, "Exit codes").
    expect(r.code).to.equal(1);
    const source = r.links.filter((l) => l.link === "source-role");
    expect(source.map((l) => l.status)).to.deep.equal(["warn"]);
    expect(source[0].detail).to.match(/^GetRole pod-identity-source: AccessDenied: /);
    expect(r.links.filter((l) => l.link === "target-trust").map((l) => l.status)).to.deep.equal([
      "pass",
      "pass",
      "pass",
    ]);
  });

  it("Pod Identity, the target role's GetRole AccessDenied: link 4 and the permission undecided naming it, exit 1", async () => {
    await world().buildPodIdentity();
    world().eks.state.iamFaults.set("GetRole pod-identity-target", "AccessDenied");
    const r = await runPodIdentity();
    expect(failing(r)).to.deep.equal([]);
    // An undecided check (warn) is not a pass: the doctor exits 1 (docs/doctor.md, "Exit codes").
    expect(r.code).to.equal(1);
    const target = r.links.filter((l) => l.link === "target-trust");
    expect(target.map((l) => l.status)).to.deep.equal(["warn"]);
    expect(target[0].detail).to.match(/^GetRole pod-identity-target: AccessDenied: /);
    expect(r.links.find((l) => /may s3:GetObject/.test(l.check))!.status).to.equal("warn");
    expect(PI_CHAIN.targetRoleArn).to.match(/role\/pod-identity-target$/);
  });
});
