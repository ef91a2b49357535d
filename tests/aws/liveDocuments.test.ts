/**
 * The doctor on documents written as the AWS CLI or Terraform write them (raw JSON strings through
 * the IAM API, not this package's builders): `Statement` as one object, string `Action`, conditions
 * on keys AWS sets, permissions boundaries. It must never pass a link AWS would deny (issue 17 §1):
 * a key it cannot settle is a `warn` naming the key, a boundary that does not allow is a failure.
 */
import {
  CreatePolicyCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { PutBucketPolicyCommand } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { CHAIN } from "./support/chain";
import { world } from "./support/hooks";
import { accountClients, ACCOUNT_A, ACCOUNT_B } from "./support/moto";
import { PI_CHAIN } from "./support/podIdentityChain";
import { PI_EXPLICIT, doctor, failing, type Run } from "./support/run";

const iamB = () => accountClients(world().moto, "b").iam;
const iamA = () => accountClients(world().moto, "a").iam;
const check = (r: Run, pattern: RegExp) => r.links.find((l) => pattern.test(l.check));
const READ = /may s3:GetObject s3:\/\/team-data\/reports\/q3\.csv/;

/** Replaces the IRSA role's inline policy with a raw JSON document. */
async function inline(policy: string, role = CHAIN.roleName): Promise<void> {
  await iamB().send(
    new PutRolePolicyCommand({ RoleName: role, PolicyName: "s3-access", PolicyDocument: policy }),
  );
}

/** Creates a managed policy in account B and makes it the IRSA role's permissions boundary; its ARN. */
async function setBoundary(name: string, document: string): Promise<string> {
  const created = await iamB().send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: document }));
  await iamB().send(
    new PutRolePermissionsBoundaryCommand({
      RoleName: CHAIN.roleName,
      PermissionsBoundary: created.Policy!.Arn!,
    }),
  );
  return created.Policy!.Arn!;
}

/** The role's inline policy as a CLI user writes it: one statement object, strings everywhere. */
const READ_STATEMENT = `{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::team-data","arn:aws:s3:::team-data/*"]}`;
const withDeny = (condition: string) =>
  `{"Version":"2012-10-17","Statement":[${READ_STATEMENT},{"Sid":"Guard","Effect":"Deny","Action":"s3:*","Resource":"*","Condition":${condition}}]}`;

describe("the doctor on live documents written as the CLI and Terraform write them (moto)", function () {
  this.timeout(60000);

  describe("IRSA", () => {
    it("a trust policy whose Statement is one object, with string values, passes (was: a crash)", async () => {
      const { issuerUrl } = await world().build();
      const host = issuerUrl.replace(/^https:\/\//, "");
      await iamB().send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: CHAIN.roleName,
          PolicyDocument: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::${ACCOUNT_B}:oidc-provider/${host}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"${host}:sub":"system:serviceaccount:apps:reader","${host}:aud":"sts.amazonaws.com"}}}}`,
        }),
      );
      const r = await doctor();
      expect(r.code, r.stderr + r.stdout).to.equal(0);
      expect(check(r, /trusts apps\/reader/)?.status).to.equal("pass");
    });

    it("the same trust for another namespace fails link trust-policy, explained (was: a crash)", async () => {
      const { issuerUrl } = await world().build();
      const host = issuerUrl.replace(/^https:\/\//, "");
      await iamB().send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: CHAIN.roleName,
          PolicyDocument: `{"Version":"2012-10-17","Statement":{"Sid":"Irsa","Effect":"Allow","Principal":{"Federated":"arn:aws:iam::${ACCOUNT_B}:oidc-provider/${host}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"${host}:sub":"system:serviceaccount:other:reader"}}}}`,
        }),
      );
      const r = await doctor();
      expect(r.code, r.stderr).to.equal(1);
      const hit = check(r, /trusts apps\/reader/);
      expect(hit?.status).to.equal("fail");
      expect(hit?.detail).to.match(/statement Irsa: condition StringEquals .*:sub expects/);
    });

    it("a Deny on aws:PrincipalType AssumedRole fails the permission link (was: pass)", async () => {
      await world().build();
      await inline(withDeny(`{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}`));
      const r = await doctor();
      expect(r.code).to.equal(1);
      expect(check(r, READ)?.status).to.equal("fail");
      expect(check(r, READ)?.detail).to.match(/denied by statement Guard/);
    });

    it("a Deny on aws:userid by the role's id (GetRole's RoleId) fails; on another id passes", async () => {
      await world().build();
      await inline(withDeny(`{"StringLike":{"aws:userid":"AROA*:*"}}`));
      const r = await doctor();
      expect(check(r, READ)?.status, JSON.stringify(check(r, READ))).to.equal("fail");
      await inline(withDeny(`{"StringLike":{"aws:userid":"AIDANOTTHISROLE:*"}}`));
      expect(check(await doctor(), READ)?.status).to.equal("pass");
    });

    it("a Deny unless the session came through the cluster's provider: decided with aws:FederatedProvider", async () => {
      const { issuerUrl } = await world().build();
      const provider = `arn:aws:iam::${ACCOUNT_B}:oidc-provider/${issuerUrl.replace(/^https:\/\//, "")}`;
      await inline(withDeny(`{"StringNotEquals":{"aws:FederatedProvider":"${provider}"}}`));
      expect(check(await doctor(), READ)?.status).to.equal("pass");
      await inline(
        withDeny(
          `{"StringNotEquals":{"aws:FederatedProvider":"arn:aws:iam::${ACCOUNT_B}:oidc-provider/other"}}`,
        ),
      );
      expect(check(await doctor(), READ)?.status).to.equal("fail");
    });

    for (const [key, condition] of [
      ["aws:EpochTime", `{"NumericLessThan":{"aws:EpochTime":"1700000000"}}`],
      ["aws:RequestedRegion", `{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}`],
      ["aws:MultiFactorAuthPresent", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`],
    ] as const) {
      it(`a Deny on ${key}, which the doctor cannot know: warn naming the key, never pass (was: pass)`, async () => {
        await world().build();
        await inline(withDeny(condition));
        const r = await doctor();
        const hit = check(r, READ);
        expect(hit?.status, JSON.stringify(hit)).to.equal("warn");
        expect(hit?.detail).to.contain(key);
      });
    }

    it("an Allow with a negated operator on an unknown key: warn, never pass (was: pass)", async () => {
      await world().build();
      await inline(
        `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::team-data/*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}}}`,
      );
      const hit = check(await doctor(), READ);
      expect(hit?.status).to.equal("warn");
      expect(hit?.detail).to.contain("aws:SourceVpc");
    });

    it("a permissions boundary that does not allow S3 fails the permission link (was: pass)", async () => {
      await world().build();
      const boundary = await setBoundary(
        "ec2-only-boundary",
        `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}`,
      );
      const r = await doctor();
      expect(r.code).to.equal(1);
      const hit = check(r, READ);
      expect(hit?.status).to.equal("fail");
      expect(hit?.detail).to.contain(`permissions boundary ${boundary} does not allow it`);
      expect(failing(r).map((l) => l.link)).to.include("permission");
    });

    it("the role's policies unreadable: the boundary read with the role still refuses the object's KMS key (was: skip)", async () => {
      await world().build({ kms: "granted" });
      const boundary = await setBoundary(
        "s3-only-boundary",
        `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
      );
      world().eks.state.iamFaults.set(`ListRolePolicies ${CHAIN.roleName}`, "AccessDenied");
      const r = await doctor();
      expect(r.code).to.equal(1);
      // The S3 read needs the unread policies: undecided, naming the call.
      expect(check(r, READ)?.status).to.equal("warn");
      expect(check(r, READ)?.detail).to.match(/^ListRolePolicies irsa-reader: AccessDenied/);
      // The key: no policy of the role can grant kms:Decrypt past the boundary GetRole named.
      const key = r.links.find((l) => /kms:Decrypt/.test(l.check))!;
      expect(key.status).to.equal("fail");
      expect(key.detail).to.contain(`permissions boundary ${boundary} does not allow kms:Decrypt`);
    });

    it("a permissions boundary that allows S3 passes, and says it was evaluated", async () => {
      await world().build();
      const boundary = await setBoundary(
        "s3-boundary",
        `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
      );
      const r = await doctor();
      expect(r.code, r.stdout).to.equal(0);
      expect(check(r, READ)?.detail).to.contain(`boundary ${boundary}`);
    });
  });

  describe("--assume denied where every readable document allows", () => {
    it("says once that an SCP or RCP may deny it (moto denies plain HTTP under a TLS-only bucket policy)", async () => {
      await world().build();
      // The doctor evaluates S3 requests as HTTPS (the SDK's default); moto is reached over HTTP and
      // enforces the bucket policy, so S3 denies what every document the doctor reads allows.
      await accountClients(world().moto, "b").s3.send(
        new PutBucketPolicyCommand({
          Bucket: CHAIN.bucket,
          Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"${CHAIN.roleArn}"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::${CHAIN.bucket}/*"},{"Sid":"TlsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::${CHAIN.bucket}/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
        }),
      );
      const r = await doctor(["--assume"]);
      const read = r.links.find((l) => /those credentials read/.test(l.check));
      expect(read?.status, r.stdout).to.equal("fail");
      expect(read?.detail).to.match(/AccessDenied|403 Forbidden/);
      const notes = r.links.filter((l) => /SCP or RCP/.test(l.check));
      expect(notes.map((l) => [l.link, l.status])).to.deep.equal([["permission", "warn"]]);
      expect(notes[0].fix).to.match(/cannot be read from a member account/);
    });

    it("no such warning when a readable document already explains the denial", async () => {
      await world().build({ putObject: false });
      const r = await doctor(["--assume"]);
      expect(r.links.filter((l) => /SCP or RCP/.test(l.check))).to.deep.equal([]);
    });
  });

  describe("EKS Pod Identity", () => {
    const piRun = () => doctor([], { base: [...PI_EXPLICIT, "--kubeconfig", world().kubeconfigFile] });
    const TARGET = /target role .* trusts|trusts the source role/;

    it("a target trust that denies other pods by kubernetes-pod-name: decided per live pod (was: pass)", async () => {
      await world().buildPodIdentity();
      const trust = (pattern: string) =>
        `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"${PI_CHAIN.sourceRoleArn}"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"aws:RequestTag/kubernetes-namespace":"${PI_CHAIN.namespace}","aws:RequestTag/kubernetes-service-account":"${PI_CHAIN.serviceAccount}"}}},{"Sid":"OnlyApi","Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringNotLike":{"aws:RequestTag/kubernetes-pod-name":"${pattern}"}}}]}`;
      await iamB().send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: PI_CHAIN.targetRoleName,
          PolicyDocument: trust("api-*"),
        }),
      );
      let r = await piRun();
      const denied = r.links.filter((l) => l.link === "target-trust" && l.status === "fail");
      expect(denied.length, r.stdout).to.be.greaterThan(0);
      expect(denied[0].detail).to.match(/denied by statement OnlyApi/);
      await iamB().send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: PI_CHAIN.targetRoleName,
          PolicyDocument: trust("reader-*"),
        }),
      );
      r = await piRun();
      expect(r.links.filter((l) => l.link === "target-trust").map((l) => l.status)).to.not.include("fail");
      void TARGET;
    });

    it("a condition on the pod's uid, which the stand-in's pods do not have: warn naming it, never pass", async () => {
      await world().buildPodIdentity();
      await inline(
        `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::${PI_CHAIN.bucket}/*"},{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/kubernetes-pod-uid":"0000"}}}]}`,
        PI_CHAIN.targetRoleName,
      );
      const r = await piRun();
      const hit = r.links.find((l) => /may s3:GetObject/.test(l.check));
      expect(hit?.status, JSON.stringify(hit)).to.equal("warn");
      expect(hit?.detail).to.contain("aws:PrincipalTag/kubernetes-pod-uid");
    });

    it("the source role's permissions boundary without sts:AssumeRole fails link source-role (was: pass)", async () => {
      await world().buildPodIdentity();
      const boundary = await iamA().send(
        new CreatePolicyCommand({
          PolicyName: "no-sts-boundary",
          PolicyDocument: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
        }),
      );
      await iamA().send(
        new PutRolePermissionsBoundaryCommand({
          RoleName: PI_CHAIN.sourceRoleName,
          PermissionsBoundary: boundary.Policy!.Arn!,
        }),
      );
      const r = await piRun();
      expect(r.code).to.equal(1);
      const hit = failing(r).find((l) => l.link === "source-role");
      expect(hit, r.stdout).to.not.equal(undefined);
      expect(hit!.detail).to.contain(`arn:aws:iam::${ACCOUNT_A}:policy/no-sts-boundary`);
    });
  });
});
