/**
 * What makes a first deploy converge although EKS and IAM are eventually consistent: the workloads'
 * scripts (run under /bin/sh with a stub `aws`) tell a pod EKS injected nothing into (admitted before
 * the association or annotation took effect: only a new pod helps) from credentials IAM does not honour
 * yet (the same pod asks again), and speak of the mechanism in use; the Job retries in new pods; the
 * pod templates change with the Pod Identity association.
 */
import { join } from "node:path";
import { expect } from "chai";
import { MockEngine } from "../../engine/mockEngine";
import {
  AccessCheckJob,
  buildAccessCheckScript,
  parseAccessCheckResult,
  resolveAccessCheckSettings,
  accessCheckJobName,
} from "../../components/accessCheckJob";
import { S3ReaderDeployment, buildS3ReaderScript } from "../../components/s3ReaderDeployment";
import { IrsaServiceAccount } from "../../components/irsaServiceAccount";
import { PodIdentityServiceAccount } from "../../components/podIdentityServiceAccount";
import {
  ASSOCIATION_POD_ANNOTATION,
  CREDENTIALS_WAIT_SECONDS,
  ROLE_ARN_POD_ANNOTATION,
} from "../../components/podSecurity";
import { diagnose } from "../../mechanisms/diagnose";
import { type AccessCheckRef } from "../../mechanisms/diagnosis";
import { runWithAwsStub } from "../support/awsStub";
import { settled } from "../support/outputs";
import { expectInputError } from "./coreHelpers";

const ROLE = "arn:aws:iam::222222222222:role/pod-identity-s3-reader";
const CALLER = "arn:aws:sts::222222222222:assumed-role/pod-identity-s3-reader/eks-cluster-s3-reader-0a1b";
const NODE = "arn:aws:sts::111122223333:assumed-role/eks-node-role/i-0abc";
const ASSOCIATION = "arn:aws:eks:eu-west-1:111122223333:podidentityassociation/demo/a-0123456789abcdef0";
const DENIED_CHAIN =
  "Error when retrieving credentials from container-role: Error retrieving metadata: Received error when attempting to retrieve container metadata: AccessDenied: not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/pod-identity-s3-reader";
const IRSA_ENV = {
  AWS_ROLE_ARN: ROLE,
  AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
};
const POD_IDENTITY_ENV = {
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:
    "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
};
const BASE_ENV = { EXPECTED_ROLE_ARN: ROLE, S3_BUCKET: "account-b-data", S3_OBJECT_KEY: "probe/hello.txt" };
const CHECK: AccessCheckRef = {
  mechanism: "irsa",
  namespace: "team-a",
  jobName: "access-check-abc",
  expectedRoleArn: ROLE,
  bucketName: "account-b-data",
  objectKey: "probe/hello.txt",
  serviceAccount: { namespace: "team-a", name: "s3-reader" },
};

const job = (mechanism: "irsa" | "pod-identity") => (dir: string) =>
  buildAccessCheckScript({ resultPath: join(dir, "result.json"), mechanism });

describe("the access check converges: a pod without injected credentials fails at once, late IAM is waited for", () => {
  it("IRSA, no web identity injected (pod admitted before the annotation): stage sts at once, no AWS call; verify points to link 4", async () => {
    const run = await runWithAwsStub(job("irsa"), BASE_ENV, { callerArn: NODE, object: "x" }, "result.json");
    expect(run.status).to.equal(1);
    const result = parseAccessCheckResult(run.resultFile ?? "");
    expect(result).to.include({ ok: false, stage: "sts", callerArn: "" });
    expect(result.reason).to.include("AWS_WEB_IDENTITY_TOKEN_FILE");
    expect(result.reason).to.include("the Job's next attempt is a new pod");
    expect(run.awsCalls, "asks nothing: the node's role would only mislead").to.deep.equal([]);
    expect(diagnose(result, { ...CHECK, mechanism: "irsa" }).link).to.equal("service-account");
  });

  it("Pod Identity, no agent endpoint injected (pod admitted before the association): stage sts at once; verify points to the association", async () => {
    const run = await runWithAwsStub(
      job("pod-identity"),
      { ...BASE_ENV, ...IRSA_ENV },
      { callerArn: NODE },
      "result.json",
    );
    expect(run.status).to.equal(1);
    const result = parseAccessCheckResult(run.resultFile ?? "");
    expect(result).to.include({ ok: false, stage: "sts" });
    expect(result.reason).to.include("AWS_CONTAINER_CREDENTIALS_FULL_URI is not set");
    expect(result.reason).to.include("association");
    expect(result.reason).to.not.match(/IRSA|role-arn annotation|web identity/);
    expect(run.awsCalls).to.deep.equal([]);
    const d = diagnose(result, { ...CHECK, mechanism: "pod-identity" });
    expect(d).to.include({ mechanism: "pod-identity", link: "association" });
  });

  it("credentials IAM does not honour yet: the same pod asks again until they work, then reads", async () => {
    const run = await runWithAwsStub(
      job("pod-identity"),
      { ...BASE_ENV, ...POD_IDENTITY_ENV, CREDENTIALS_WAIT_SECONDS: "60", CREDENTIALS_RETRY_SECONDS: "5" },
      { stsError: DENIED_CHAIN, stsFailures: 2, callerArn: CALLER, object: "hello", sleepInstant: true },
      "result.json",
    );
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    expect(parseAccessCheckResult(run.stdout)).to.include({ ok: true, stage: "done", callerArn: CALLER });
    expect(run.sleeps).to.deep.equal(["5", "5"]);
    expect(run.awsCalls.map((c) => c.slice(0, 2).join(" "))).to.deep.equal([
      "sts get-caller-identity",
      "sts get-caller-identity",
      "sts get-caller-identity",
      "s3 cp",
    ]);
  });

  it("gives up after CREDENTIALS_WAIT_SECONDS with the last error, in the words of Pod Identity", async () => {
    const run = await runWithAwsStub(
      job("pod-identity"),
      { ...BASE_ENV, ...POD_IDENTITY_ENV, CREDENTIALS_WAIT_SECONDS: "10", CREDENTIALS_RETRY_SECONDS: "5" },
      { stsError: DENIED_CHAIN, sleepInstant: true },
      "result.json",
    );
    expect(run.status).to.equal(1);
    const result = parseAccessCheckResult(run.resultFile ?? "");
    expect(result).to.include({ ok: false, stage: "sts" });
    expect(result.reason).to.match(/^no AWS credentials after 10s: /);
    expect(result.reason).to.include("Pod Identity: check the association").and.include(DENIED_CHAIN);
    expect(result.reason).to.not.match(/IRSA|role annotation|OIDC/);
    expect(run.sleeps).to.deep.equal(["5", "5"]);
    expect(diagnose(result, { ...CHECK, mechanism: "pod-identity" }).link).to.equal("target-trust");
  });

  it("the wrong identity under Pod Identity blames the association, not a role annotation", async () => {
    const run = await runWithAwsStub(
      job("pod-identity"),
      { ...BASE_ENV, ...POD_IDENTITY_ENV },
      { callerArn: NODE, object: "x" },
      "result.json",
    );
    const result = parseAccessCheckResult(run.stdout);
    expect(result).to.include({ ok: false, stage: "identity" });
    expect(result.reason).to.include("does the association for this ServiceAccount name that role");
    expect(result.reason).to.not.include("is the ServiceAccount annotated with that role");
  });

  it("the pod spec asks for the wait, and the Job's default retries cover the association's delay", () => {
    const settings = resolveAccessCheckSettings({
      ...BASE_ENV,
      namespace: "team-a",
      serviceAccountName: "s3-reader",
      expectedRoleArn: ROLE,
      bucketName: "account-b-data",
      objectKey: "probe/hello.txt",
      mechanism: "pod-identity",
      associationArn: ASSOCIATION,
    });
    expect(settings.backoffLimit).to.equal(3);
    expect(settings.mechanism).to.equal("pod-identity");
    // A new association is a new check: the Job's name (its spec's hash) changes with it.
    const other = { ...settings, associationArn: ASSOCIATION.replace("a-0123", "a-9999") };
    expect(accessCheckJobName(other)).to.not.equal(accessCheckJobName(settings));
    expect(CREDENTIALS_WAIT_SECONDS).to.be.at.least(30);
  });
});

describe("the reader converges: says when its pod can never get credentials, retries soon when unhealthy", () => {
  const script = (mechanism: "irsa" | "pod-identity") => (dir: string) =>
    `READY_FILE='${dir}/ready'\n${buildS3ReaderScript(mechanism)}`;
  const env = { ...BASE_ENV, POLL_INTERVAL_SECONDS: "60", UNHEALTHY_RETRY_SECONDS: "10" };

  it("Pod Identity, nothing injected: not ready, says the pod must be replaced, next round in 10 s", async () => {
    const run = await runWithAwsStub(
      script("pod-identity"),
      env,
      { callerArn: NODE, object: "x", sleepTerminates: true },
      "ready",
    );
    expect(run.stdout).to.include("credentials NOT INJECTED: EKS injected no Pod Identity credentials");
    expect(run.stdout).to.include("delete it (kubectl delete pod)");
    expect(run.resultFile, "no ready file").to.equal(undefined);
    expect(run.sleeps).to.deep.equal(["10"]);
  });

  it("Pod Identity, wrong identity: blames the association's target role, not a role annotation", async () => {
    const run = await runWithAwsStub(
      script("pod-identity"),
      { ...env, ...POD_IDENTITY_ENV },
      { callerArn: NODE, object: "x", sleepTerminates: true },
      "ready",
    );
    expect(run.stdout).to.include(`identity WRONG: ${NODE} is not a session of ${ROLE}`);
    expect(run.stdout).to.include("the association for the ServiceAccount names another target role");
    expect(run.stdout).to.not.include("no role annotation on the ServiceAccount");
    expect(run.stdout).to.not.include("NOT INJECTED");
  });

  it("healthy: ready, and the next round after the whole interval", async () => {
    const run = await runWithAwsStub(
      script("irsa"),
      { ...env, ...IRSA_ENV },
      {
        callerArn: CALLER.replace("pod-identity-s3-reader/eks-cluster", "pod-identity-s3-reader/botocore"),
        object: "x",
        sleepTerminates: true,
      },
      "ready",
    );
    expect(run.resultFile).to.equal("");
    expect(run.sleeps).to.deep.equal(["60"]);
  });
});

describe("the workloads' pod templates change with the Pod Identity association", () => {
  let engine: MockEngine;
  beforeEach(async () => {
    engine = new MockEngine({ config: { "aws:region": "eu-west-1" } });
    await engine.install();
  });

  const common = {
    namespace: "team-a",
    serviceAccountName: "s3-reader",
    bucketName: "account-b-data",
    objectKey: "probe/hello.txt",
    mechanism: "pod-identity" as const,
    associationArn: ASSOCIATION,
  };

  it("both templates carry the association's ARN next to the role's", async () => {
    new S3ReaderDeployment("reader", { ...common, roleArn: ROLE });
    new AccessCheckJob("check", { ...common, expectedRoleArn: ROLE });
    await settled();
    for (const type of ["kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:Job"]) {
      const spec = engine.one(type).inputs.spec as {
        template: { metadata: { annotations: Record<string, string> } };
      };
      expect(spec.template.metadata.annotations, type).to.deep.equal({
        [ROLE_ARN_POD_ANNOTATION]: ROLE,
        [ASSOCIATION_POD_ANNOTATION]: ASSOCIATION,
      });
    }
  });

  it("refuses an association ARN with IRSA, and a malformed one, before registering anything", async () => {
    expectInputError(
      () => new S3ReaderDeployment("reader", { ...common, mechanism: "irsa", roleArn: ROLE }),
      "args.associationArn",
      ASSOCIATION,
      'is for mechanism "pod-identity" only',
    );
    expectInputError(
      () => new AccessCheckJob("check", { ...common, associationArn: "a-0123", expectedRoleArn: ROLE }),
      "args.associationArn",
      "a-0123",
      "must be an EKS Pod Identity association ARN",
    );
    expectInputError(
      () => new AccessCheckJob("check", { ...common, mechanism: "oidc" as never, expectedRoleArn: ROLE }),
      "args.mechanism",
      "oidc",
      'must be "irsa", "pod-identity" or "irsa-chained"',
    );
    await settled();
    expect(engine.resources, "nothing registered").to.deep.equal([]);
  });
});

describe("the ServiceAccount components never create a namespace every cluster has", () => {
  let engine: MockEngine;
  beforeEach(async () => {
    engine = new MockEngine({ config: { "aws:region": "eu-west-1" } });
    await engine.install();
  });

  for (const namespace of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    it(`createNamespace: true in "${namespace}" is refused before anything registers`, async () => {
      const rule = `cannot create namespace "${namespace}"`;
      expectInputError(
        () =>
          new IrsaServiceAccount("sa", {
            namespace,
            name: "s3-reader",
            roleArn: ROLE,
            createNamespace: true,
          }),
        "args.createNamespace",
        true,
        rule,
      );
      expectInputError(
        () => new PodIdentityServiceAccount("sa", { namespace, name: "s3-reader", createNamespace: true }),
        "args.createNamespace",
        true,
        rule,
      );
      await settled();
      expect(engine.resources, "nothing registered").to.deep.equal([]);
    });
  }

  it("without createNamespace, a ServiceAccount in default is fine (and no Namespace is registered)", async () => {
    new PodIdentityServiceAccount("sa", { namespace: "default", name: "s3-reader" });
    await settled();
    expect(engine.ofType("kubernetes:core/v1:Namespace")).to.deep.equal([]);
    expect(engine.ofType("kubernetes:core/v1:ServiceAccount")).to.have.length(1);
  });
});
