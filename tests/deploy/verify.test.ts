import { expect } from "chai";
import {
  type AccessCheckRef,
  findJobResult,
  formatVerifyReport,
  kubectlFailure,
  parseTerminationMessage,
  readVerifyInputs,
  runVerify,
} from "../../deploy/verify";
import { diagnose } from "../../mechanisms/diagnose";
import { linkOf } from "../../mechanisms";
import { type AccessCheckResult } from "../../components/accessCheckResult";
import { MemoryFileSystem, scriptedRunner } from "./fakeSystem";

const ROLE = "arn:aws:iam::222222222222:role/irsa/NAME";
const CALLER = "arn:aws:sts::222222222222:assumed-role/NAME/botocore-session-1";
const CHECK: AccessCheckRef = {
  mechanism: "irsa",
  namespace: "irsa-demo",
  jobName: "access-check-abc",
  expectedRoleArn: ROLE,
  bucketName: "b",
  objectKey: "k",
};
const OK_RESULT: AccessCheckResult = {
  ok: true,
  stage: "done",
  reason: `read 42 bytes of s3://b/k as ${CALLER}`,
  expectedRoleArn: ROLE,
  callerArn: CALLER,
  bucket: "b",
  key: "k",
  bytes: 42,
};
const OK_MESSAGE = JSON.stringify(OK_RESULT);

/** A failed result of the check, in the shape its script writes (callerArn empty when STS failed). */
function failed(stage: "sts" | "identity" | "s3", reason: string, callerArn = ""): AccessCheckResult {
  return { ok: false, stage, reason, expectedRoleArn: ROLE, callerArn, bucket: "b", key: "k", bytes: null };
}

function pod(name: string, created: string, status: Record<string, unknown>) {
  return { metadata: { name, creationTimestamp: created }, status };
}

function terminated(message: string, phase = "Succeeded") {
  return { phase, containerStatuses: [{ name: "check", state: { terminated: { exitCode: 0, message } } }] };
}

function podList(...items: unknown[]): string {
  return JSON.stringify({ apiVersion: "v1", kind: "List", items });
}

describe("automation verify", () => {
  describe("reading account-a's outputs", () => {
    const outputs = {
      accessCheck: { value: CHECK, secret: false },
      kubeconfig: { value: '{"apiVersion":"v1"}', secret: true },
    };

    it("returns the access check and the kubeconfig", () => {
      expect(readVerifyInputs(outputs, "account-a", "npm run deploy")).to.deep.equal({
        ok: true,
        check: CHECK,
        kubeconfig: '{"apiVersion":"v1"}',
      });
    });

    it("serialises a kubeconfig object", () => {
      const r = readVerifyInputs({ ...outputs, kubeconfig: { value: { a: 1 }, secret: true } }, "a", "x");
      expect(r.ok && r.kubeconfig).to.equal('{"a":1}');
    });

    it("explains a stack that was never deployed, or whose workload was skipped", () => {
      expect(readVerifyInputs({}, "account-a", "npm run deploy")).to.deep.equal({
        ok: false,
        reason: "account-a has no outputs: it was never deployed. Run `npm run deploy` first.",
      });
      const skipped = readVerifyInputs(
        {
          clusterName: { value: "c", secret: false },
          workload: { value: "skipped: account-b has no outputs yet", secret: false },
        },
        "account-a",
        "npm run deploy",
      );
      expect(skipped.ok).to.be.false;
      expect(!skipped.ok && skipped.reason).to.include(
        'account-a has no accessCheck output (its workload reports "skipped: account-b has no outputs yet")',
      );
    });

    it("names missing accessCheck fields and a missing kubeconfig", () => {
      const partial = readVerifyInputs(
        { accessCheck: { value: { namespace: "n" }, secret: false } },
        "a",
        "x",
      );
      expect(!partial.ok && partial.reason).to.equal(
        "a's accessCheck output lacks jobName, expectedRoleArn, bucketName, objectKey",
      );
      const noKube = readVerifyInputs({ accessCheck: { value: CHECK, secret: false } }, "a", "x");
      expect(!noKube.ok && noKube.reason).to.include("has no kubeconfig output");
    });
  });

  describe("termination messages", () => {
    it("parses the one-line JSON result", () => {
      expect(parseTerminationMessage(`${OK_MESSAGE}\n`)).to.deep.equal(OK_RESULT);
    });

    it("takes the last result line after log lines, and ignores non-results", () => {
      const denied = JSON.stringify(failed("s3", "AccessDenied", CALLER));
      expect(parseTerminationMessage(`starting\n{"ok":false}\n${denied}\nshutting down\n`)).to.deep.equal(
        JSON.parse(denied),
      );
      expect(parseTerminationMessage(`${OK_MESSAGE}\n${denied}`)).to.include({ ok: false, stage: "s3" });
      expect(parseTerminationMessage("Error: something crashed")).to.equal(undefined);
      expect(parseTerminationMessage('{"ok":"yes"}')).to.equal(undefined);
      expect(parseTerminationMessage(""), "empty").to.equal(undefined);
    });

    it("rejects the old invented format (step, roleMatches) and inconsistent results", () => {
      const invented = '{"ok":true,"callerArn":"x","roleMatches":true,"bucket":"b","key":"k","bytes":1}';
      expect(parseTerminationMessage(invented)).to.equal(undefined);
      expect(parseTerminationMessage('{"ok":false,"step":"get-object","reason":"AccessDenied"}')).to.equal(
        undefined,
      );
      expect(
        parseTerminationMessage(JSON.stringify({ ...OK_RESULT, stage: "s3" })),
        "ok at stage s3",
      ).to.equal(undefined);
      expect(parseTerminationMessage(JSON.stringify({ ...OK_RESULT, callerArn: undefined }))).to.equal(
        undefined,
      );
    });
  });

  describe("pods", () => {
    it("picks the newest pod that has a result, reading state or lastState", () => {
      const failedFirst = pod(
        "job-1",
        "2025-01-01T00:00:00Z",
        terminated(JSON.stringify(failed("sts", "x")), "Failed"),
      );
      const retried = pod("job-2", "2025-01-01T00:01:00Z", {
        phase: "Running",
        containerStatuses: [
          { name: "check", state: { running: {} }, lastState: { terminated: { message: OK_MESSAGE } } },
        ],
      });
      const pending = pod("job-3", "2025-01-01T00:02:00Z", {
        phase: "Pending",
        containerStatuses: [{ name: "check", state: { waiting: { reason: "ContainerCreating" } } }],
      });
      const found = findJobResult(podList(failedFirst, pending, retried));
      expect(found.count).to.equal(3);
      expect(found.chosen?.podName).to.equal("job-2");
      expect(found.chosen?.result?.ok).to.be.true;
    });

    it("falls back to the newest pod and its waiting reason when no pod has a result", () => {
      const waiting = pod("job-1", "2025-01-01T00:00:00Z", {
        phase: "Pending",
        containerStatuses: [{ name: "check", state: { waiting: { reason: "ImagePullBackOff" } } }],
      });
      const found = findJobResult(podList(waiting));
      expect(found.chosen).to.deep.include({
        podName: "job-1",
        phase: "Pending",
        waitingReason: "ImagePullBackOff",
      });
      expect(findJobResult(podList())).to.deep.equal({ count: 0, chosen: undefined });
    });

    it("rejects output that is not JSON", () => {
      expect(() => findJobResult("error: the server doesn't have a resource type")).to.throw(
        /kubectl did not return JSON/,
      );
    });
  });

  describe("diagnosis", () => {
    const STS_PREAMBLE =
      "no AWS credentials: aws sts get-caller-identity failed (IRSA: check the ServiceAccount's role annotation, the role's trust policy and the OIDC provider in the role's account; Pod Identity: the association, the agent and the target role's trust): ";
    const S3_PREAMBLE = `reading s3://b/k as ${CALLER} failed: `;
    const cases: Array<[string, AccessCheckResult, number | undefined, RegExp]> = [
      [
        "AccessDenied on AssumeRoleWithWebIdentity → trust policy",
        failed(
          "sts",
          `${STS_PREAMBLE}An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity`,
        ),
        3,
        /trust policy.*system:serviceaccount:irsa-demo:/,
      ],
      [
        "no OIDC provider → provider in account B",
        failed(
          "sts",
          `${STS_PREAMBLE}An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found in your account for https://oidc.eks...`,
        ),
        2,
        /no IAM OIDC provider for this cluster's issuer URL/,
      ],
      [
        "thumbprint",
        failed(
          "sts",
          `${STS_PREAMBLE}InvalidIdentityToken: OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint`,
        ),
        2,
        /thumbprint/,
      ],
      [
        "audience",
        failed("sts", `${STS_PREAMBLE}InvalidIdentityToken: Incorrect token audience`),
        2,
        /sts\.amazonaws\.com/,
      ],
      [
        "no web identity token → ServiceAccount annotation / pod age",
        failed("sts", `${STS_PREAMBLE}no web identity token: AWS_WEB_IDENTITY_TOKEN_FILE is not set`),
        4,
        /role-arn.*created after the annotation/,
      ],
      [
        "no credentials at all",
        failed(
          "sts",
          `${STS_PREAMBLE}Unable to locate credentials. You can configure credentials by running "aws configure".`,
        ),
        4,
        /eks\.amazonaws\.com\/role-arn/,
      ],
      [
        "STS unreachable",
        failed(
          "sts",
          `${STS_PREAMBLE}Could not connect to the endpoint URL: "https://sts.eu-west-1.amazonaws.com/"`,
        ),
        undefined,
        /could not reach STS/,
      ],
      [
        "an STS error it does not know",
        failed("sts", `${STS_PREAMBLE}boom`),
        undefined,
        /does not recognise/,
      ],
      [
        "wrong role (stage identity) → annotation / ServiceAccount",
        failed(
          "identity",
          `the pod runs as arn:aws:sts::1:assumed-role/other/s, not as a session of ${ROLE}`,
          "arn:aws:sts::1:assumed-role/other/s",
        ),
        4,
        /credentials for arn:aws:sts::1:assumed-role\/other\/s, not for .*annotation names another role/,
      ],
      [
        "AccessDenied on GetObject → permission or bucket policy",
        failed(
          "s3",
          `${S3_PREAMBLE}An error occurred (AccessDenied) when calling the GetObject operation: Access Denied`,
          CALLER,
        ),
        5,
        /permission policy \(s3:GetObject on the object ARN\) and the bucket policy/,
      ],
      ["KMS", failed("s3", `${S3_PREAMBLE}AccessDenied: kms:Decrypt`, CALLER), 5, /KMS key/],
      [
        "missing object",
        failed(
          "s3",
          `${S3_PREAMBLE}An error occurred (NoSuchKey) when calling the GetObject operation`,
          CALLER,
        ),
        undefined,
        /s3:\/\/b\/k does not exist/,
      ],
      [
        "missing object (HeadObject 404)",
        failed(
          "s3",
          `${S3_PREAMBLE}fatal error: An error occurred (404) when calling the HeadObject operation: Key "k" does not exist`,
          CALLER,
        ),
        undefined,
        /s3:\/\/b\/k does not exist/,
      ],
      [
        "missing bucket",
        failed(
          "s3",
          `${S3_PREAMBLE}An error occurred (NoSuchBucket): The specified bucket does not exist`,
          CALLER,
        ),
        undefined,
        /the bucket b does not exist/,
      ],
    ];
    for (const [name, result, link, advice] of cases) {
      it(name, () => {
        const d = diagnose(result, CHECK);
        expect(d.link === undefined ? undefined : linkOf(d.link, d.mechanism).number).to.equal(link);
        expect(d.advice).to.match(advice);
      });
    }

    it("does not read the bucket or key as the error (a key named kms/NoSuchKey-404.txt)", () => {
      const key = "kms/NoSuchKey-404.txt";
      const result: AccessCheckResult = {
        ...failed(
          "s3",
          `reading s3://b/${key} as ${CALLER} failed: An error occurred (AccessDenied)`,
          CALLER,
        ),
        key,
      };
      const d = diagnose(result, { ...CHECK, objectKey: key });
      expect(d.link).to.equal("permission");
      expect(d.advice).to.match(/permission policy/);
    });
  });

  describe("report", () => {
    it("reports the assumed role, the match and the object read", () => {
      const pods = findJobResult(podList(pod("job-1", "t", terminated(OK_MESSAGE))));
      const report = formatVerifyReport(CHECK, pods);
      expect(report.ok).to.be.true;
      expect(report.lines).to.deep.equal([
        "access check (Job irsa-demo/access-check-abc, pod job-1, Succeeded):",
        `  assumed role:  ${CALLER}`,
        `  expected role: ${ROLE} (matches)`,
        "  object read:   s3://b/k (42 bytes)",
        "verify: OK, the pod in account A read the object in account B through its IRSA role.",
      ]);
    });

    /** A pod of the Job with its admitted spec: the access-check container's environment. */
    function admitted(name: string, env: Record<string, unknown>[], status: Record<string, unknown>) {
      return { ...pod(name, "t", status), spec: { containers: [{ name: "access-check", env }] } };
    }
    const IRSA_ENV = [
      { name: "AWS_ROLE_ARN", value: ROLE },
      {
        name: "AWS_WEB_IDENTITY_TOKEN_FILE",
        value: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
      },
    ];
    const POD_IDENTITY_ENV = [
      { name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: "http://169.254.170.23/v1/credentials" },
      { name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", value: "/var/run/secrets/pods.eks.amazonaws.com/t" },
    ];

    it("names the credentials the pod's AWS CLI took from its admitted environment", () => {
      const both = findJobResult(
        podList(admitted("job-1", [...IRSA_ENV, ...POD_IDENTITY_ENV], terminated(OK_MESSAGE))),
      );
      const report = formatVerifyReport(CHECK, both);
      expect(report.ok).to.be.true;
      expect(report.lines[1]).to.equal(
        "  credentials:   IRSA's web identity (AWS_ROLE_ARN) (the AWS CLI's choice)",
      );
    });

    it("fails a read that worked through other credentials than the mechanism's (static keys from a Secret)", () => {
      const keys = [
        { name: "AWS_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: "s", key: "id" } } },
        { name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "s", key: "secret" } } },
      ];
      const report = formatVerifyReport(
        CHECK,
        findJobResult(podList(admitted("job-1", [...IRSA_ENV, ...keys], terminated(OK_MESSAGE)))),
      );
      expect(report.ok).to.be.false;
      expect(report.lines).to.include(
        "  credentials:   static keys (AWS_ACCESS_KEY_ID) (the AWS CLI's choice)",
      );
      expect(report.lines.at(-2)).to.match(
        /^ {2}FAILED: the pod read the object, but through static keys \(AWS_ACCESS_KEY_ID\), not IRSA's web identity \(AWS_ROLE_ARN\) \(irsa's\)/,
      );
      expect(report.lines.at(-1)).to.equal("verify: FAILED");
      const envFrom = {
        ...pod("job-1", "t", terminated(OK_MESSAGE)),
        spec: {
          containers: [{ name: "access-check", env: IRSA_ENV, envFrom: [{ secretRef: { name: "keys" } }] }],
        },
      };
      const undecided = formatVerifyReport(CHECK, findJobResult(podList(envFrom)));
      expect(undecided.ok).to.be.true; // the caller ARN proves the role; the path is said to be unknown
      expect(undecided.lines[1]).to.match(
        /^ {2}credentials: {3}undecided: variables from envFrom secretRef keys/,
      );
      const podIdentityOnly = formatVerifyReport(
        { ...CHECK, mechanism: "pod-identity" },
        findJobResult(podList(admitted("job-1", POD_IDENTITY_ENV, terminated(OK_MESSAGE)))),
      );
      expect(podIdentityOnly.ok).to.be.true;
    });

    it("reports an STS failure with its stage, reason and IRSA link, without an assumed role", () => {
      const reason = "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity";
      const message = JSON.stringify(failed("sts", reason));
      const report = formatVerifyReport(
        CHECK,
        findJobResult(podList(pod("job-1", "t", terminated(message, "Failed")))),
      );
      expect(report.ok).to.be.false;
      expect(report.lines[1]).to.equal(`  FAILED at stage sts: ${reason}`);
      expect(report.lines[2]).to.match(/^ {2}IRSA link 3 \(the role's trust policy in account B/);
      expect(report.lines.at(-1)).to.equal("verify: FAILED");
      expect(report.lines).to.have.length(4);
    });

    it("fails at stage identity when the pod runs as another role", () => {
      const node = "arn:aws:sts::222222222222:assumed-role/node/i-1";
      const wrong = JSON.stringify(
        failed("identity", `the pod runs as ${node}, not as a session of ${ROLE}`, node),
      );
      const report = formatVerifyReport(CHECK, findJobResult(podList(pod("p", "t", terminated(wrong)))));
      expect(report.ok).to.be.false;
      expect(report.lines).to.include(`  assumed role:  ${node}`);
      expect(report.lines).to.include(`  expected role: ${ROLE} (DOES NOT MATCH)`);
      expect(report.lines.join("\n")).to.include("IRSA link 4");
    });

    it("fails when a passed check was for another role than account-a's output names", () => {
      const otherRole = "arn:aws:iam::222222222222:role/old";
      const otherCaller = "arn:aws:sts::222222222222:assumed-role/old/s";
      const stale = JSON.stringify({ ...OK_RESULT, expectedRoleArn: otherRole, callerArn: otherCaller });
      const report = formatVerifyReport(CHECK, findJobResult(podList(pod("p", "t", terminated(stale)))));
      expect(report.ok).to.be.false;
      expect(report.lines).to.include(`  expected role: ${ROLE} (DOES NOT MATCH)`);
      expect(report.lines).to.include(
        `  FAILED: the check passed for ${otherRole}, but the pod is not a session of ${ROLE}`,
      );
      expect(report.lines.join("\n")).to.match(/cause: the Job checked .*run `npm run deploy` again/);
    });

    it("explains missing pods and pods without a result", () => {
      const none = formatVerifyReport(CHECK, { count: 0 });
      expect(none.ok).to.be.false;
      expect(none.lines[0]).to.include("no pods found for Job irsa-demo/access-check-abc");
      const waiting = formatVerifyReport(CHECK, {
        count: 1,
        chosen: { podName: "p", phase: "Pending", waitingReason: "ImagePullBackOff" },
      });
      expect(waiting.lines[1]).to.equal(
        "  no result: its container is waiting (ImagePullBackOff). Run `npm run verify` again once it has finished.",
      );
      const invented = '{"ok":false,"step":"get-object","reason":"AccessDenied"}';
      const old = formatVerifyReport(
        CHECK,
        findJobResult(podList(pod("p", "t", terminated(invented, "Failed")))),
      );
      expect(old.ok).to.be.false;
      expect(old.lines[1]).to.equal(
        `  no result: it ended with a message that is not a result: ${invented}. Run \`npm run verify\` again once it has finished.`,
      );
    });

    it("explains kubectl failures", () => {
      expect(kubectlFailure("exec: executable aws not found\n", 1)).to.include("needs the AWS CLI");
      expect(kubectlFailure("error: You must be logged in to the server (Unauthorized)", 1)).to.include(
        "could not authenticate to the cluster",
      );
      expect(kubectlFailure("error: something else\n", 1)).to.equal(
        "kubectl failed (exit 1): error: something else",
      );
    });
  });

  describe("runVerify", () => {
    it("writes the kubeconfig to a private temp file, runs kubectl on it, and removes it", async () => {
      const fs = new MemoryFileSystem();
      let seenKubeconfig: string | undefined;
      let seenMode: number | undefined;
      const run = scriptedRunner({
        kubectl: (args) => {
          const file = args[args.indexOf("--kubeconfig") + 1];
          seenKubeconfig = fs.files.get(file);
          seenMode = fs.modes.get(file);
          return { stdout: podList(pod("job-1", "t", terminated(OK_MESSAGE))) };
        },
      });
      const report = await runVerify({ run, fs, tmpDir: "/tmp" }, CHECK, "KUBECONFIG-TEXT");
      expect(report.ok).to.be.true;
      expect(seenKubeconfig).to.equal("KUBECONFIG-TEXT");
      expect(seenMode).to.equal(0o600);
      expect(run.runs[0].args).to.deep.equal([
        "--kubeconfig",
        "/tmp/irsa-verify-1/kubeconfig",
        "get",
        "pods",
        "--namespace",
        "irsa-demo",
        "--selector",
        "job-name=access-check-abc",
        "--output",
        "json",
      ]);
      expect(fs.removed).to.deep.equal(["/tmp/irsa-verify-1"]);
      expect(fs.files.size).to.equal(0);
    });

    it("says to install kubectl when it is missing, and still removes the kubeconfig", async () => {
      const fs = new MemoryFileSystem();
      const report = await runVerify({ run: scriptedRunner({}), fs, tmpDir: "/tmp" }, CHECK, "k");
      expect(report.ok).to.be.false;
      expect(report.lines[0]).to.equal(
        "kubectl was not found on PATH: install it (https://kubernetes.io/docs/tasks/tools/) and run verify again.",
      );
      expect(fs.files.size).to.equal(0);
    });

    it("reports a failing kubectl", async () => {
      const fs = new MemoryFileSystem();
      const run = scriptedRunner({
        kubectl: { code: 1, stderr: "error: You must be logged in to the server (Unauthorized)\n" },
      });
      const report = await runVerify({ run, fs, tmpDir: "/tmp" }, CHECK, "k");
      expect(report.ok).to.be.false;
      expect(report.lines[0]).to.include("could not authenticate");
      expect(fs.files.size).to.equal(0);
    });
  });
});
