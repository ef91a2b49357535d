import { expect } from "chai";
import { ACCOUNT_A } from "./support/moto";
import { world } from "./support/hooks";
import { PERMISSION_BREAKS, itFailsOnlyTheBrokenLink, type BrokenLink } from "./support/broken";
import { doctor, failing } from "./support/run";

describe("npm run doctor against moto: one broken link at a time", function () {
  this.timeout(60000);

  // The eight broken chains, and more: each breaks one link and must name it, with a fix.
  const broken: Array<BrokenLink<Parameters<ReturnType<typeof world>["build"]>[0]>> = [
    {
      name: "provider missing",
      changes: { provider: "none" },
      link: "oidc-provider",
      check: /has an IAM OIDC provider/,
      detail: /has no provider arn:aws:iam::210987654321:oidc-provider\//,
      fix: /create-open-id-connect-provider/,
    },
    {
      name: "provider in the cluster's account",
      changes: { provider: "cluster-account" },
      link: "oidc-provider",
      check: /has an IAM OIDC provider/,
      detail: /the cluster's account has arn:aws:iam::123456789012:oidc-provider\//,
      fix: /the one in the cluster's account .* does not count/,
    },
    {
      name: "wrong client id",
      changes: { clientIds: ["my-app"] },
      link: "oidc-provider",
      check: /accepts client id sts\.amazonaws\.com/,
      detail: /client ids \["my-app"\]/,
      fix: /add sts\.amazonaws\.com to the provider's client ids/,
    },
    {
      name: "trust sub for another namespace",
      changes: { trustSubject: { namespace: "other", name: "reader" } },
      link: "trust-policy",
      check: /trusts apps\/reader/,
      detail:
        /condition StringEquals .*:sub expects "system:serviceaccount:other:reader", the request has "system:serviceaccount:apps:reader"/,
      fix: /system:serviceaccount:apps:reader/,
    },
    {
      name: "trust without the provider's account",
      changes: { trustProviderAccount: ACCOUNT_A },
      link: "trust-policy",
      check: /Federated principal is that provider/,
      detail: /Principal.Federated \["arn:aws:iam::123456789012:oidc-provider/,
      fix: /provider in the role's account, arn:aws:iam::210987654321:oidc-provider/,
    },
    ...PERMISSION_BREAKS,
    {
      name: "bucket policy deny",
      changes: { bucketPolicy: "deny-role" },
      link: "permission",
      check: /bucket policy of team-data denies/,
      detail: /denied by statement DenyReaderRole/,
      fix: /explicit deny beats every allow/,
    },
    {
      name: "annotation names another role",
      changes: { annotation: "other-role" },
      link: "service-account",
      check: /is annotated eks.amazonaws.com\/role-arn/,
      detail: /someone-else/,
      fix: /kubectl annotate serviceaccount reader -n apps --overwrite/,
    },
    {
      name: "ServiceAccount missing",
      changes: { serviceAccount: false },
      link: "service-account",
      check: /ServiceAccount apps\/reader exists/,
      detail: /no ServiceAccount reader in namespace apps/,
      fix: /kubectl create serviceaccount reader -n apps/,
    },
    {
      name: "pod started before the annotation",
      changes: { pods: "not-injected" },
      link: "service-account",
      check: /pods of ServiceAccount apps\/reader have/,
      detail:
        /pod reader-7d9f-abcde \(created 2025-06-01T10:00:00.000Z\), container reader: no AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE/,
      fix: /rollout restart/,
    },
    {
      name: "KMS key not granted",
      changes: { kms: "not-granted" },
      link: "permission",
      check: /may kms:Decrypt with the object's KMS key/,
      detail: /role's policies: no statement allows kms:Decrypt/,
      fix: /allow kms:Decrypt on arn:aws:kms:/,
    },
  ];
  itFailsOnlyTheBrokenLink(
    broken,
    (changes) => world().build(changes),
    () => doctor(),
  );

  it("an issuer whose discovery document claims another issuer: link 1 fails", async () => {
    const { issuerUrl } = await world().build();
    world().kube.issuer.claimedIssuer = `${issuerUrl}/other`;
    const r = await doctor();
    const hit = failing(r).find((l) => /discovery document/.test(l.check));
    expect(hit?.detail).to.equal(
      `the discovery document's issuer is "${issuerUrl}/other", the cluster's is ${issuerUrl}`,
    );
  });

  it("no route to the issuer: a warning, undecided (exit 1: not a pass)", async () => {
    await world().build();
    const r = await doctor([], {
      deps: { https: { timeoutMs: 2000, resolve: () => ({ host: "127.0.0.1", port: 9 }) } },
    });
    // An undecided check (warn) is not a pass: the doctor exits 1 (docs/doctor.md, "Exit codes").
    expect(r.code).to.equal(1);
    const warned = r.links.filter((l) => l.status === "warn");
    expect(warned.map((l) => l.link)).to.deep.equal(["issuer"]);
    expect(warned[0].detail).to.match(/ECONNREFUSED/);
    expect(warned[0].fix).to.match(/^this machine has no route to the issuer/);
  });

  it("an EKS issuer whose chain this machine does not trust: link 1 undecided (a proxy here), exit 1", async () => {
    // The stand-in serves the EKS issuer's host name with the test CA, which this run is not told to trust.
    const { issuerUrl } = await world().build();
    const r = await doctor([], { deps: { https: { ...world().https, extraCa: [] } } });
    expect(failing(r)).to.deep.equal([]);
    // An undecided check (warn) is not a pass: the doctor exits 1 (docs/doctor.md, "Exit codes").
    expect(r.code).to.equal(1);
    const discovery = r.links.find((l) => l.link === "issuer" && l.status !== "pass")!;
    const prefix = `${issuerUrl}/.well-known/openid-configuration: this machine does not trust the certificate chain it was shown (a TLS-intercepting proxy?): `;
    expect(discovery.status).to.equal("warn");
    expect(discovery.detail.startsWith(prefix), discovery.detail).to.equal(true);
    expect(discovery.detail.slice(prefix.length)).to.match(/^(UNABLE_TO_|SELF_SIGNED_CERT_IN_CHAIN)/);
  });

  it("passes a role whose permission is an attached managed policy, and a KMS key it may use", async () => {
    await world().build({ attached: true, kms: "granted" });
    const r = await doctor();
    expect(r.code, JSON.stringify(failing(r))).to.equal(0);
    const read = r.links.find((l) => /may s3:GetObject/.test(l.check))!;
    expect(read.detail).to.match(/attached \["arn:aws:iam::210987654321:policy\/team-data-read"\]/);
    const kms = r.links.find((l) => /kms:Decrypt/.test(l.check))!;
    expect(kms.status).to.equal("pass");
    expect(kms.detail).to.match(/delegates to account 210987654321/);
  });

  it("a bucket policy statement the evaluator cannot read: a warning naming it, never a pass", async () => {
    await world().build({ bucketPolicy: "not-principal" });
    const r = await doctor();
    const hit = r.links.find((l) => /bucket policy/.test(l.check))!;
    expect(hit.status).to.equal("warn");
    expect(hit.detail).to.match(/statement OnlyAdmins \(.*NotPrincipal is not supported by this evaluator/);
    // An undecided check (warn) is not a pass: the doctor exits 1 (docs/doctor.md, "Exit codes").
    expect(r.code).to.equal(1);
  });

  it("a role that does not exist: link 3 fails with IAM's own error, link 5 is skipped", async () => {
    await world().build();
    const r = await doctor(["--role-arn", "arn:aws:iam::210987654321:role/nope"]);
    expect(r.code).to.equal(1);
    const principal = r.links.find((l) => /Federated principal/.test(l.check))!;
    expect([principal.status, principal.link]).to.deep.equal(["fail", "trust-policy"]);
    expect(principal.detail).to.match(/^the role could not be read: GetRole nope: NoSuchEntity/);
    expect(r.links.find((l) => /may s3:GetObject/.test(l.check))!.status).to.equal("skip");
  });

  it("the cluster not found: link 1 fails with EKS's own error, and the links that need its issuer are skipped", async () => {
    await world().build();
    const r = await doctor(["--cluster", "nope"]);
    expect(r.code).to.equal(1);
    expect(failing(r).map((l) => l.link)).to.deep.equal(["issuer"]);
    expect(failing(r)[0].detail).to.match(/^DescribeCluster nope: ResourceNotFoundException/);
    expect(r.links.filter((l) => l.status === "skip").map((l) => l.link)).to.deep.equal([
      "oidc-provider",
      "trust-policy",
    ]);
  });
});
