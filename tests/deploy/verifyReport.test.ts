import { expect } from "chai";
import { findJobResult, formatVerifyReport, kubectlFailure, runVerify } from "../../deploy/verify";
import { MemoryFileSystem, scriptedRunner } from "./fakeSystem";
import {
  CALLER,
  CHECK,
  OK_MESSAGE,
  OK_RESULT,
  ROLE,
  failed,
  pod,
  podList,
  terminated,
} from "./verifyFixtures";

describe("automation verify", () => {
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
