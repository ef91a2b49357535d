/**
 * The doctor as a reviewer: a live trust that AWS honours for the workload but that lets in more than
 * the chain needs is a broken link (or, for a whole namespace, a warning). The trusts are written into
 * moto as the AWS CLI or Terraform would send them (one Statement object, a string Action, conditions
 * as single values), never through this package's builders.
 */
import { expect } from "chai";
import { UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { ACCOUNT_A, ACCOUNT_B, accountClients } from "./support/moto";
import { world } from "./support/hooks";
import { CHAIN } from "./support/chain";
import { PI_CHAIN } from "./support/podIdentityChain";
import { PI_EXPLICIT, doctor, failing, validate, type Run } from "./support/run";

/** Replaces a role's trust with raw JSON, as `aws iam update-assume-role-policy` would. */
async function writeTrust(account: "a" | "b", roleName: string, json: string): Promise<void> {
  const { iam } = accountClients(world().moto, account);
  try {
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: json }));
  } finally {
    iam.destroy();
  }
}

/** The one check that failed (or warned) on `link`, and that no other link failed. */
function only(r: Run, link: string, status: "fail" | "warn") {
  expect(validate(JSON.parse(r.stdout)), JSON.stringify(validate.errors)).to.equal(true);
  const hits = r.links.filter((l) => l.status === status && l.link === link);
  expect(hits, JSON.stringify(r.links, null, 2)).to.have.length(1);
  expect(
    failing(r).filter((l) => l.link !== link),
    JSON.stringify(failing(r), null, 2),
  ).to.deep.equal([]);
  return hits[0];
}

describe("npm run doctor against moto: an over-broad live trust is a broken link", function () {
  this.timeout(60000);

  /**
   * An IRSA trust as `aws iam create-role` users write it, with the given Condition (JSON text): a string
   * Action, single-value conditions. (Statement as a list: the IRSA evaluator's reading of a Statement
   * object is the evaluation change's, tested there.)
   */
  const irsaTrust = (hostPath: string, condition: string) =>
    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":` +
    `"arn:aws:iam::${ACCOUNT_B}:oidc-provider/${hostPath}"},"Action":"sts:AssumeRoleWithWebIdentity",` +
    `"Condition":${condition}}]}`;
  const hostOf = (issuerUrl: string) => issuerUrl.replace(/^https:\/\//, "");

  it("IRSA: a trust without a sub condition fails link 3 with the sub condition to add", async () => {
    const { issuerUrl } = await world().build();
    const host = hostOf(issuerUrl);
    await writeTrust(
      "b",
      CHAIN.roleName,
      irsaTrust(host, `{"StringEquals":{"${host}:aud":"sts.amazonaws.com"}}`),
    );
    const r = await doctor();
    expect(r.code, r.stderr).to.equal(1);
    const hit = only(r, "trust-policy", "fail");
    expect(hit.detail).to.match(/statement #0 has no oidc\.eks\.[^ ]+:sub condition/);
    expect(hit.fix).to.include(
      `add the condition StringEquals ${host}:sub = system:serviceaccount:apps:reader`,
    );
    expect(hit.fix).to.include("update-assume-role-policy --role-name irsa-reader");
  });

  it("IRSA: a trust without an aud condition fails link 3 with the aud condition to add", async () => {
    const { issuerUrl } = await world().build();
    const host = hostOf(issuerUrl);
    await writeTrust(
      "b",
      CHAIN.roleName,
      irsaTrust(host, `{"StringEquals":{"${host}:sub":["system:serviceaccount:apps:reader"]}}`),
    );
    const r = await doctor();
    expect(r.code, r.stderr).to.equal(1);
    const hit = only(r, "trust-policy", "fail");
    expect(hit.detail).to.match(/has no oidc\.eks\.[^ ]+:aud condition/);
    expect(hit.fix).to.include(`add the condition StringEquals ${host}:aud = sts.amazonaws.com`);
  });

  it("IRSA: a sub pattern that matches every namespace's reader fails link 3", async () => {
    const { issuerUrl } = await world().build();
    const host = hostOf(issuerUrl);
    await writeTrust(
      "b",
      CHAIN.roleName,
      irsaTrust(
        host,
        `{"StringEquals":{"${host}:aud":"sts.amazonaws.com"},"StringLike":{"${host}:sub":"system:serviceaccount:*:reader"}}`,
      ),
    );
    const r = await doctor();
    expect(r.code, r.stderr).to.equal(1);
    const hit = only(r, "trust-policy", "fail");
    expect(hit.detail).to.include(
      "pattern system:serviceaccount:*:reader can match service accounts of more than one namespace",
    );
    expect(hit.fix).to.include("literal namespace");
  });

  it("IRSA: a pattern for one whole namespace is a warning saying so (exit 1: not a pass)", async () => {
    const { issuerUrl } = await world().build();
    const host = hostOf(issuerUrl);
    await writeTrust(
      "b",
      CHAIN.roleName,
      irsaTrust(
        host,
        `{"StringEquals":{"${host}:aud":"sts.amazonaws.com"},"StringLike":{"${host}:sub":"system:serviceaccount:apps:*"}}`,
      ),
    );
    const r = await doctor();
    // An undecided check (warn) is not a pass: the doctor exits 1 (docs/doctor.md, "Exit codes").
    expect(r.code, r.stderr).to.equal(1);
    const hit = only(r, "trust-policy", "warn");
    expect(hit.detail).to.include("match every service account of namespace apps");
    expect(hit.detail).to.include("trustWholeNamespaces");
    expect(hit.fix).to.include("if the whole namespace is not meant");
  });

  /** The doctor on the Pod Identity test chain. */
  const runPi = () => doctor([], { base: [...PI_EXPLICIT, "--kubeconfig", world().kubeconfigFile] });

  it("Pod Identity: a source trust without the cluster condition (AWS's basic example) fails link 3", async () => {
    await world().buildPodIdentity();
    await writeTrust(
      "a",
      PI_CHAIN.sourceRoleName,
      `{"Version":"2012-10-17","Statement":[{"Sid":"AllowEksAuthToAssumeRoleForPodIdentity","Effect":"Allow",` +
        `"Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`,
    );
    const r = await runPi();
    expect(r.code, r.stderr).to.equal(1);
    const hit = only(r, "source-role", "fail");
    expect(hit.detail).to.include(
      "statement AllowEksAuthToAssumeRoleForPodIdentity has no aws:RequestTag/eks-cluster-arn condition",
    );
    expect(hit.fix).to.include(
      `add the condition StringEquals aws:RequestTag/eks-cluster-arn = ${PI_CHAIN.clusterArn}`,
    );
  });

  const targetTrust = (condition: string) =>
    `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${ACCOUNT_A}:root"},` +
    `"Action":["sts:AssumeRole","sts:TagSession"],"Condition":${condition}}}`;

  it("Pod Identity: a target trust for account A's root without aws:PrincipalArn fails link 4", async () => {
    await world().buildPodIdentity();
    await writeTrust(
      "b",
      PI_CHAIN.targetRoleName,
      targetTrust(
        `{"StringEquals":{"aws:RequestTag/eks-cluster-arn":"${PI_CHAIN.clusterArn}",` +
          `"aws:RequestTag/kubernetes-namespace":"apps","aws:RequestTag/kubernetes-service-account":"reader"}}`,
      ),
    );
    const r = await runPi();
    expect(r.code, r.stderr).to.equal(1);
    const hit = only(r, "target-trust", "fail");
    expect(hit.detail).to.include("without an aws:PrincipalArn condition");
    expect(hit.fix).to.include(`add the condition ArnEquals aws:PrincipalArn = ${PI_CHAIN.sourceRoleArn}`);
  });

  it("Pod Identity: a target trust without the namespace and service-account tags fails link 4", async () => {
    await world().buildPodIdentity();
    await writeTrust(
      "b",
      PI_CHAIN.targetRoleName,
      targetTrust(`{"ArnEquals":{"aws:PrincipalARN":"${PI_CHAIN.sourceRoleArn}"}}`),
    );
    const r = await runPi();
    expect(r.code, r.stderr).to.equal(1);
    const hit = only(r, "target-trust", "fail");
    expect(hit.detail).to.include(
      "has no aws:RequestTag/kubernetes-namespace and no aws:RequestTag/kubernetes-service-account condition",
    );
    expect(hit.fix).to.include(
      "add the condition StringEquals aws:RequestTag/kubernetes-namespace = apps and aws:RequestTag/kubernetes-service-account = reader",
    );
  });
});
