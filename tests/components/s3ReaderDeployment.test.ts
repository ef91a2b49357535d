import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { MockEngine } from "../../engine/mockEngine";
import {
  S3ReaderDeployment,
  buildS3ReaderDeploymentSpec,
  buildS3ReaderScript,
  resolveS3ReaderSettings,
  type S3ReaderDeploymentArgs,
} from "../../components/s3ReaderDeployment";
import { DEFAULT_AWS_CLI_IMAGE } from "../../components/podSecurity";
import { expectInputError } from "./coreHelpers";
import { runWithAwsStub } from "../support/awsStub";
import { settled, valueOf } from "../support/outputs";

const TYPE = "cross-account-irsa:index:S3ReaderDeployment";
const ROLE = "arn:aws:iam::222222222222:role/irsa/s3-reader";
const ARGS = {
  namespace: "apps",
  serviceAccountName: "s3-reader",
  roleArn: ROLE,
  bucketName: "account-b-data",
  objectKey: "probe/hello.txt",
} satisfies S3ReaderDeploymentArgs;

interface EnvVar {
  name: string;
  value: string;
}
interface ContainerView {
  env: EnvVar[];
  command: string[];
}

function envOf(container: ContainerView): Record<string, string> {
  return Object.fromEntries(container.env.map((e) => [e.name, e.value]));
}

describe("S3ReaderDeployment", () => {
  let engine: MockEngine;

  beforeEach(async () => {
    engine = new MockEngine({ config: { "aws:region": "eu-west-1" } });
    await engine.install();
  });

  it("creates one Deployment, named exactly, that runs as the ServiceAccount, non-root and read-only", async () => {
    const reader = new S3ReaderDeployment("reader", ARGS);
    expect(await valueOf(reader.name)).to.equal("s3-reader");

    const d = engine.one("kubernetes:apps/v1:Deployment");
    expect(engine.byUrn(d.parent)?.type).to.equal(TYPE);
    expect(d.inputs).to.have.nested.property("metadata.name", "s3-reader");
    expect(d.inputs).to.have.nested.property("metadata.namespace", "apps");
    expect(d.inputs).to.have.nested.property(
      "metadata.labels.app\\.kubernetes\\.io/part-of",
      "cross-account-irsa",
    );
    expect(d.inputs).to.have.nested.property("metadata.labels.app\\.kubernetes\\.io/name", "s3-reader");
    expect(d.inputs).to.have.nested.property("spec.replicas", 1);
    expect(d.inputs).to.have.nested.property("spec.template.spec.serviceAccountName", "s3-reader");
    expect(d.inputs).to.have.nested.property(
      "spec.template.metadata.annotations.cross-account-irsa/role-arn",
      ROLE,
    );
    const spec = d.inputs.spec as {
      selector: { matchLabels: Record<string, string> };
      template: { metadata: { labels: Record<string, string> }; spec: { containers: ContainerView[] } };
    };
    expect(spec.template.metadata.labels).to.deep.include(spec.selector.matchLabels);

    const pod = "spec.template.spec";
    expect(d.inputs).to.have.nested.property(`${pod}.securityContext.runAsNonRoot`, true);
    expect(d.inputs).to.have.nested.property(`${pod}.securityContext.runAsUser`, 1000);
    expect(d.inputs).to.have.nested.property(`${pod}.securityContext.fsGroup`, 1000);
    expect(d.inputs).to.have.nested.property(`${pod}.securityContext.seccompProfile.type`, "RuntimeDefault");
    const c = `${pod}.containers[0]`;
    expect(d.inputs).to.have.nested.property(`${c}.image`, DEFAULT_AWS_CLI_IMAGE);
    expect(d.inputs).to.have.nested.property(`${c}.securityContext.allowPrivilegeEscalation`, false);
    expect(d.inputs).to.have.nested.property(`${c}.securityContext.readOnlyRootFilesystem`, true);
    expect(d.inputs).to.have.deep.nested.property(`${c}.securityContext.capabilities.drop`, ["ALL"]);
    expect(d.inputs).to.have.nested.property(`${c}.resources.requests.memory`);
    expect(d.inputs).to.have.nested.property(`${c}.resources.limits.memory`);
    expect(d.inputs).to.have.deep.nested.property(`${c}.volumeMounts[0]`, {
      name: "scratch",
      mountPath: "/tmp",
    });
    expect(d.inputs).to.have.deep.nested.property(`${pod}.volumes[0]`, {
      name: "scratch",
      emptyDir: { sizeLimit: "64Mi" },
    });

    const container = spec.template.spec.containers[0];
    expect(container.command.slice(0, 2)).to.deep.equal(["/bin/sh", "-c"]);
    const env = envOf(container);
    expect(env).to.include({
      S3_BUCKET: "account-b-data",
      S3_OBJECT_KEY: "probe/hello.txt",
      POLL_INTERVAL_SECONDS: "60",
      HOME: "/tmp",
      EXPECTED_ROLE_ARN: ROLE,
      READY_FILE: "/tmp/ready",
    });
    expect(env, "no region given: nothing pinned").to.not.have.property("AWS_REGION");
    // Ready only while the pod runs as the role and reads the object (the script keeps the file).
    expect(d.inputs).to.have.deep.nested.property(`${c}.readinessProbe.exec.command`, [
      "test",
      "-f",
      "/tmp/ready",
    ]);

    // The whole object is a valid apps/v1 Deployment by the Kubernetes OpenAPI schema.
    new Deployment(d.inputs).validate();
  });

  it("applies name, replicas, image, interval, identity and region", async () => {
    const reader = new S3ReaderDeployment("reader", {
      ...ARGS,
      name: "reader-b",
      replicas: 3,
      image: "registry.example.com/tools/aws-cli:2.27.50",
      pollIntervalSeconds: 15,
      runAsUser: 4242,
      fsGroup: 4343,
      region: "eu-central-1",
    });
    expect(await valueOf(reader.name)).to.equal("reader-b");
    const d = engine.one("kubernetes:apps/v1:Deployment");
    expect(d.inputs).to.have.nested.property("metadata.name", "reader-b");
    expect(d.inputs).to.have.nested.property("spec.replicas", 3);
    expect(d.inputs).to.have.nested.property(
      "spec.selector.matchLabels.app\\.kubernetes\\.io/name",
      "reader-b",
    );
    expect(d.inputs).to.have.nested.property("spec.template.spec.securityContext.runAsUser", 4242);
    expect(d.inputs).to.have.nested.property("spec.template.spec.securityContext.fsGroup", 4343);
    const container = (d.inputs as { spec: { template: { spec: { containers: ContainerView[] } } } }).spec
      .template.spec.containers[0];
    expect(d.inputs).to.have.nested.property(
      "spec.template.spec.containers[0].image",
      "registry.example.com/tools/aws-cli:2.27.50",
    );
    expect(envOf(container)).to.include({
      AWS_REGION: "eu-central-1",
      AWS_DEFAULT_REGION: "eu-central-1",
      AWS_STS_REGIONAL_ENDPOINTS: "regional",
      POLL_INTERVAL_SECONDS: "15",
    });
  });

  it("accepts Outputs for every value (account B's stack outputs)", async () => {
    const reader = new S3ReaderDeployment("reader", {
      namespace: pulumi.output("apps"),
      serviceAccountName: pulumi.output("s3-reader"),
      roleArn: pulumi.output(ROLE),
      bucketName: pulumi.output("account-b-data"),
      objectKey: pulumi.output("probe/hello.txt"),
      region: pulumi.output("eu-west-1"),
    });
    expect(await valueOf(reader.name)).to.equal("s3-reader");
    const d = engine.one("kubernetes:apps/v1:Deployment");
    expect(d.inputs).to.have.nested.property(
      "spec.template.metadata.annotations.cross-account-irsa/role-arn",
      ROLE,
    );
  });

  describe("rejects bad input before registering anything", () => {
    const cases: Array<[string, Record<string, unknown>, string, unknown, string]> = [
      ["namespace", { namespace: "Apps" }, "args.namespace", "Apps", "DNS-1123 label"],
      [
        "serviceAccountName",
        { serviceAccountName: "bad_name" },
        "args.serviceAccountName",
        "bad_name",
        "DNS-1123 subdomain",
      ],
      ["roleArn missing", { roleArn: undefined }, "args.roleArn", undefined, "is required"],
      ["roleArn", { roleArn: "role/s3-reader" }, "args.roleArn", "role/s3-reader", "IAM role ARN"],
      ["bucketName", { bucketName: "Bad_Bucket" }, "args.bucketName", "Bad_Bucket", "S3 bucket names"],
      ["objectKey", { objectKey: "/leading" }, "args.objectKey", "/leading", "must not start with '/'"],
      ["image latest", { image: "amazon/aws-cli:latest" }, "args.image", "amazon/aws-cli:latest", "pinned"],
      ["image untagged", { image: "amazon/aws-cli" }, "args.image", "amazon/aws-cli", "pinned"],
      ["replicas", { replicas: -1 }, "args.replicas", -1, "whole number from 0 to 50"],
      ["region", { region: "Europe" }, "args.region", "Europe", "AWS region"],
      [
        "pollIntervalSeconds",
        { pollIntervalSeconds: 1 },
        "args.pollIntervalSeconds",
        1,
        "whole number from 5 to 86400",
      ],
      ["name", { name: "a".repeat(64) }, "args.name", "a".repeat(64), "DNS-1123 label"],
      ["runAsUser root", { runAsUser: 0 }, "args.runAsUser", 0, "whole number from 1 to"],
      ["fsGroup", { fsGroup: 1.5 }, "args.fsGroup", 1.5, "whole number from 0 to"],
    ];
    for (const [title, patch, field, value, rule] of cases) {
      it(title, async () => {
        const args = { ...ARGS, ...patch } as S3ReaderDeploymentArgs;
        expectInputError(() => new S3ReaderDeployment("reader", args), field, value, rule);
        await settled();
        expect(engine.resources, "nothing registered").to.deep.equal([]);
      });
    }
  });
});

describe("buildS3ReaderDeploymentSpec", () => {
  it("changes only the pod template's role annotation and the expected role when the role changes (so the pods roll)", () => {
    const a = buildS3ReaderDeploymentSpec(resolveS3ReaderSettings(ARGS));
    const b = buildS3ReaderDeploymentSpec(
      resolveS3ReaderSettings({ ...ARGS, roleArn: "arn:aws:iam::222222222222:role/irsa/other" }),
    );
    expect(a).to.not.deep.equal(b);
    const strip = (s: typeof a) => {
      const copy = JSON.parse(JSON.stringify(s)) as {
        template: {
          metadata: { annotations?: unknown };
          spec: { containers: Array<{ env: Array<{ name: string }> }> };
        };
      };
      delete copy.template.metadata.annotations;
      const container = copy.template.spec.containers[0];
      container.env = container.env.filter((e) => e.name !== "EXPECTED_ROLE_ARN");
      return copy;
    };
    expect(strip(a)).to.deep.equal(strip(b));
  });
});

describe("the reader script (run under /bin/sh with a stub aws)", () => {
  const ROLE = "arn:aws:iam::222222222222:role/irsa/s3-reader";
  const env = {
    EXPECTED_ROLE_ARN: ROLE,
    S3_BUCKET: "account-b-data",
    S3_OBJECT_KEY: "probe/$(touch pwned) hello.txt",
    POLL_INTERVAL_SECONDS: "60",
    // What the EKS pod identity webhook injects into a pod of an annotated ServiceAccount.
    AWS_ROLE_ARN: ROLE,
    AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
  };
  // The ready file in the run's own directory; read back after the run (undefined when absent).
  const script = (dir: string) => `READY_FILE='${dir}/ready'\n${buildS3ReaderScript("irsa")}`;

  it("logs that it runs as a session of the role and the object size, is ready, then stops at once on SIGTERM", async () => {
    const run = await runWithAwsStub(
      script,
      env,
      {
        callerArn: "arn:aws:sts::222222222222:assumed-role/s3-reader/botocore-session-1",
        object: "hello, account A\n",
        sleepTerminates: true,
      },
      "ready",
    );
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(
      /identity ok: arn:aws:sts::222222222222:assumed-role\/s3-reader\/botocore-session-1 is a session of arn:aws:iam::222222222222:role\/irsa\/s3-reader\n/,
    );
    expect(run.stdout).to.include("read ok: s3://account-b-data/probe/$(touch pwned) hello.txt (17 bytes)");
    expect(run.resultFile, "the ready file the readiness probe tests").to.equal("");
    // The key reaches the CLI as one argument, verbatim: values are data, never shell code.
    expect(run.awsCalls).to.deep.equal([
      ["sts", "get-caller-identity", "--query", "Arn", "--output", "text"],
      ["s3", "cp", "s3://account-b-data/probe/$(touch pwned) hello.txt", "-"],
    ]);
  });

  it("is not ready when it runs as another identity (the node's role: the webhook injected nothing), even if it can read", async () => {
    const node = "arn:aws:sts::222222222222:assumed-role/eks-node-role/i-0abc";
    const run = await runWithAwsStub(
      script,
      env,
      { callerArn: node, object: "x", sleepTerminates: true },
      "ready",
    );
    expect(run.status).to.equal(0);
    expect(run.stdout).to.include(`identity WRONG: ${node} is not a session of ${ROLE}`);
    expect(run.stdout).to.not.include("identity ok");
    expect(run.resultFile, "no ready file").to.equal(undefined);
  });

  it("logs failures, is not ready, and keeps polling", async () => {
    const run = await runWithAwsStub(
      script,
      env,
      {
        stsError: "Unable to locate credentials",
        s3Error: "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
        sleepTerminates: true,
      },
      "ready",
    );
    expect(run.status).to.equal(0);
    expect(run.stdout).to.include("identity FAILED: Unable to locate credentials");
    expect(run.stdout).to.include(
      "read FAILED: s3://account-b-data/probe/$(touch pwned) hello.txt: An error occurred (AccessDenied)",
    );
    expect(run.resultFile, "no ready file").to.equal(undefined);
  });
});
