import { expect } from "chai";
import { ACCOUNT_A } from "./support/moto";
import { world } from "./support/hooks";
import { PERMISSION_BREAKS, itFailsOnlyTheBrokenLink, type BrokenLink } from "./support/broken";
import { PI_CHAIN } from "./support/podIdentityChain";
import { PI_EXPLICIT, doctor, failing } from "./support/run";

/** The doctor on the Pod Identity test chain, with --json and the kubeconfig. */
const run = (extra: string[] = []) =>
  doctor(extra, { base: [...PI_EXPLICIT, "--kubeconfig", world().kubeconfigFile] });

describe("npm run doctor --mechanism pod-identity against moto and the EKS stand-in: one broken link at a time", function () {
  this.timeout(60000);

  const broken: Array<BrokenLink<Parameters<ReturnType<typeof world>["buildPodIdentity"]>[0]>> = [
    {
      name: "no agent add-on",
      changes: { agent: "none" },
      link: "agent",
      check: /runs the eks-pod-identity-agent add-on/,
      detail:
        /^DescribeAddon eks-pod-identity-agent: ResourceNotFoundException: No addon: eks-pod-identity-agent found in cluster: demo/,
      fix: /^install it: aws eks create-addon --cluster-name demo --addon-name eks-pod-identity-agent/,
    },
    {
      name: "agent add-on degraded",
      changes: { agent: "degraded" },
      link: "agent",
      check: /runs the eks-pod-identity-agent add-on/,
      detail: /status DEGRADED; health issues: InsufficientNumberOfReplicas: .* \(eks-pod-identity-agent\)$/,
      fix: /^the add-on is DEGRADED: read its health issues/,
    },
    {
      name: "no association",
      changes: { association: "none" },
      link: "association",
      check: /has a Pod Identity association for apps\/reader/,
      detail: /ListPodIdentityAssociations for namespace apps, service account reader: none/,
      fix: new RegExp(
        `create-pod-identity-association --cluster-name demo --namespace apps --service-account reader --role-arn <source role in the cluster's account> --target-role-arn ${PI_CHAIN.targetRoleArn}`,
      ),
    },
    {
      name: "association into another role",
      changes: { association: "other-target" },
      link: "association",
      check: /chains from the source role into the target role/,
      detail:
        /targetRoleArn "arn:aws:iam::210987654321:role\/another-target" \(the target role arn:aws:iam::210987654321:role\/pod-identity-target\)/,
      fix: /update-pod-identity-association --cluster-name demo --association-id a-0pod1dent1ty0001 --role-arn arn:aws:iam::123456789012:role\/pod-identity-source --target-role-arn arn:aws:iam::210987654321:role\/pod-identity-target/,
    },
    {
      name: "disableSessionTags",
      changes: { disableSessionTags: true },
      link: "association",
      check: /passes session tags/,
      detail: /^disableSessionTags is true$/,
      fix: /--association-id a-0pod1dent1ty0001 --no-disable-session-tags/,
    },
    {
      name: "ServiceAccount annotated for IRSA",
      changes: { annotated: true },
      link: "association",
      check: /has no eks.amazonaws.com\/role-arn annotation/,
      detail: /^annotated arn:aws:iam::210987654321:role\/pod-identity-target$/,
      fix: /kubectl annotate serviceaccount reader -n apps eks.amazonaws.com\/role-arn-/,
    },
    {
      name: "ServiceAccount missing",
      changes: { serviceAccount: false },
      link: "association",
      check: /^ServiceAccount apps\/reader exists$/,
      detail: /no ServiceAccount reader in namespace apps/,
      fix: /kubectl create serviceaccount reader -n apps/,
    },
    {
      name: "pod created before the association",
      changes: { pods: "not-injected" },
      link: "association",
      check: /pods of ServiceAccount apps\/reader have EKS Pod Identity's/,
      detail:
        /^pod reader-5c8d-xyz12 \(created 2025-06-01T10:00:00.000Z\), container reader: no AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE/,
      fix: /^restart them \(kubectl rollout restart deployment\/<name> -n apps/,
    },
    {
      name: "source role trusted for another cluster",
      changes: { sourceTrustCluster: "other" },
      link: "source-role",
      check: /source role trusts pods.eks.amazonaws.com for sts:AssumeRole/,
      detail:
        /condition StringEquals aws:RequestTag\/eks-cluster-arn expects "arn:aws:eks:us-east-1:123456789012:cluster\/other", the request has "arn:aws:eks:us-east-1:123456789012:cluster\/demo"/,
      fix: /update-assume-role-policy --role-name pod-identity-source/,
    },
    {
      name: "source role without permission to chain",
      changes: { sourcePermission: false },
      link: "source-role",
      check: /the source role may sts:AssumeRole on the target role/,
      detail: /source role has no permission policy to chain with/,
      fix: /put-role-policy --role-name pod-identity-source/,
    },
    {
      name: "target trust for another source role",
      changes: { targetTrustSource: "other" },
      link: "target-trust",
      check: /target role trusts the source role to sts:AssumeRole for apps\/reader/,
      detail:
        /condition ArnEquals aws:PrincipalArn expects "arn:aws:iam::123456789012:role\/someone-else", the request has "arn:aws:iam::123456789012:role\/pod-identity-source"/,
      fix: /update-assume-role-policy --role-name pod-identity-target/,
    },
    ...PERMISSION_BREAKS,
  ];
  itFailsOnlyTheBrokenLink(
    broken,
    (changes) => world().buildPodIdentity(changes),
    () => run(),
  );

  it("the cluster not found: link 1 fails with EKS's own error, and what needs the cluster is skipped", async () => {
    await world().buildPodIdentity();
    const r = await run(["--cluster", "nope"]);
    expect(r.code).to.equal(1);
    expect(failing(r).map((l) => l.link)).to.deep.equal(["agent"]);
    expect(failing(r)[0].detail).to.match(/^DescribeCluster nope: ResourceNotFoundException/);
    expect(r.links.filter((l) => l.status === "skip").map((l) => l.link)).to.deep.equal([
      "association",
      "source-role",
      "target-trust",
    ]);
    expect(r.calls).to.not.include("aws EKS:DescribeAddon");
  });

  it("a target role that does not exist: link 4 fails with IAM's own error, link 5 is skipped", async () => {
    await world().buildPodIdentity();
    const r = await run(["--role-arn", "arn:aws:iam::210987654321:role/nope"]);
    expect(r.code).to.equal(1);
    const trust = r.links.find((l) => l.link === "target-trust")!;
    expect(trust.status).to.equal("fail");
    expect(trust.detail).to.match(/^the target role could not be read: GetRole nope: NoSuchEntity/);
    expect(r.links.find((l) => /may s3:GetObject/.test(l.check))!.status).to.equal("skip");
  });

  it("--source-role-arn other than the association's: link 2 fails naming both", async () => {
    await world().buildPodIdentity();
    const expected = `arn:aws:iam::${ACCOUNT_A}:role/expected-source`;
    const r = await run(["--source-role-arn", expected]);
    expect(r.code).to.equal(1);
    expect(failing(r).map((l) => [l.link, l.detail])).to.deep.equal([
      [
        "association",
        `targetRoleArn "${PI_CHAIN.targetRoleArn}" (the target role ${PI_CHAIN.targetRoleArn}); roleArn ` +
          `"${PI_CHAIN.sourceRoleArn}" (the source role ${expected})`,
      ],
    ]);
  });
});
