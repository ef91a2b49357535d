/**
 * The contract between the access-check Job's script (components/accessCheckJob.ts writes the
 * result) and `verify` (deploy/verify.ts reads it): the real script runs under /bin/sh with a stub
 * `aws`, once per scenario and all scenarios at once, and each scenario's assertions cover both what
 * the script writes and what verify reports from it.
 */
import { join } from "node:path";
import { expect } from "chai";
import { buildAccessCheckScript, parseAccessCheckResult } from "../../components/accessCheckJob";
import {
  type AccessCheckRef,
  findJobResult,
  formatVerifyReport,
  parseTerminationMessage,
} from "../../deploy/verify";
import { runWithAwsStub, type StubOptions, type StubbedRun } from "../support/awsStub";

const ROLE = "arn:aws:iam::222222222222:role/irsa/s3-reader";
const CALLER = "arn:aws:sts::222222222222:assumed-role/s3-reader/botocore-session-1700000000";
const NODE = "arn:aws:sts::222222222222:assumed-role/eks-node-role/i-0abc";
const BUCKET = "account-b-data";
const KEY = "probe/hello.txt";
const ODD_KEY = "kms/NoSuchKey-404.txt";
const QUOTED_KEY = 'odd/"quoted" \\back\\ $(echo no) `tick`.txt';
const S3_DENIED = "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied";
const NO_CREDENTIALS =
  'Unable to locate credentials. You can configure credentials by running "aws configure".';

/** What the Job's pod has: its own variables, and those the EKS pod identity webhook injects (IRSA). */
const ENV = {
  EXPECTED_ROLE_ARN: ROLE,
  S3_BUCKET: BUCKET,
  S3_OBJECT_KEY: KEY,
  AWS_ROLE_ARN: ROLE,
  AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
};
const CHECK: AccessCheckRef = {
  mechanism: "irsa",
  namespace: "irsa-demo",
  jobName: "access-check-abc",
  expectedRoleArn: ROLE,
  bucketName: BUCKET,
  objectKey: KEY,
};

/** The scenarios, each run once: the stub's answers and, for some, another object key. */
const SCENARIOS = {
  ok: { stub: { callerArn: CALLER, object: "hello, account A\n" } },
  noCredentials: { stub: { stsError: NO_CREDENTIALS } },
  nodeRole: { stub: { callerArn: NODE, object: "x" } },
  s3Denied: { stub: { callerArn: CALLER, s3Error: S3_DENIED } },
  s3DeniedOddKey: { stub: { callerArn: CALLER, s3Error: S3_DENIED }, key: ODD_KEY },
  quotedKey: { stub: { callerArn: CALLER, object: "" }, key: QUOTED_KEY },
  trustDenied: {
    stub: {
      stsError:
        "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity",
    },
  },
  noProvider: {
    stub: {
      stsError:
        "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found in your account for https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
    },
  },
  missingObject: {
    stub: {
      callerArn: CALLER,
      s3Error:
        'fatal error: An error occurred (404) when calling the HeadObject operation: Key "k" does not exist',
    },
  },
} satisfies Record<string, { stub: StubOptions; key?: string }>;

type Scenario = keyof typeof SCENARIOS;

/** The pod list kubectl returns for the Job's pod that ended with this run's termination message. */
function podListFor(run: StubbedRun): string {
  const phase = run.status === 0 ? "Succeeded" : "Failed";
  return JSON.stringify({
    apiVersion: "v1",
    kind: "List",
    items: [
      {
        metadata: { name: "access-check-abc-x1", creationTimestamp: "2025-01-01T00:00:00Z" },
        status: {
          phase,
          containerStatuses: [
            {
              name: "access-check",
              state: {
                terminated: {
                  exitCode: run.status,
                  reason: phase === "Failed" ? "Error" : "Completed",
                  message: run.resultFile ?? "",
                },
              },
            },
          ],
        },
      },
    ],
  });
}

describe("the access check's result: the Job's script (stub aws) and verify agree", () => {
  const runs = {} as Record<Scenario, StubbedRun>;
  const script = (dir: string) =>
    buildAccessCheckScript({ resultPath: join(dir, "result.json"), mechanism: "irsa" });
  const report = (scenario: Scenario, check: AccessCheckRef = CHECK) =>
    formatVerifyReport(check, findJobResult(podListFor(runs[scenario])));

  before(async function () {
    this.timeout(30_000);
    await Promise.all(
      (Object.entries(SCENARIOS) as Array<[Scenario, { stub: StubOptions; key?: string }]>).map(
        async ([name, s]) => {
          const env = s.key === undefined ? ENV : { ...ENV, S3_OBJECT_KEY: s.key };
          runs[name] = await runWithAwsStub(script, env, s.stub, "result.json");
        },
      ),
    );
  });

  it("every run writes one JSON line, and the same line to the termination message", () => {
    for (const [name, run] of Object.entries(runs)) {
      expect(run.resultFile, `${name}: ${run.stderr}`).to.match(/^\{"ok":/);
      expect(run.resultFile, name).to.equal(run.stdout);
    }
  });

  describe("the script", () => {
    it("passes as the expected role: exit 0, one JSON line, also written to the result file", () => {
      const run = runs.ok;
      expect(run.status, run.stderr).to.equal(0);
      expect(parseAccessCheckResult(run.stdout)).to.deep.equal({
        ok: true,
        stage: "done",
        reason: `read 17 bytes of s3://${BUCKET}/${KEY} as ${CALLER}`,
        expectedRoleArn: ROLE,
        callerArn: CALLER,
        bucket: BUCKET,
        key: KEY,
        bytes: 17,
      });
      expect(run.awsCalls).to.deep.equal([
        ["sts", "get-caller-identity", "--query", "Arn", "--output", "text"],
        ["s3", "cp", `s3://${BUCKET}/${KEY}`, "-"],
      ]);
    });

    it("fails at stage sts when there are no AWS credentials", () => {
      const run = runs.noCredentials;
      expect(run.status).to.equal(1);
      const result = parseAccessCheckResult(run.resultFile ?? "");
      expect(result).to.include({ ok: false, stage: "sts", callerArn: "", bytes: null });
      expect(result.reason).to.include("Unable to locate credentials");
      expect(run.awsCalls, "never reads the bucket").to.have.length(1);
    });

    it("fails at stage identity when the pod runs as another role (the node's), without reading", () => {
      const run = runs.nodeRole;
      expect(run.status).to.equal(1);
      const result = parseAccessCheckResult(run.stdout);
      expect(result).to.include({ ok: false, stage: "identity", callerArn: NODE });
      expect(result.reason).to.include(`not as a session of ${ROLE}`);
      expect(run.awsCalls).to.have.length(1);
    });

    it("fails at stage s3 when the read is denied", () => {
      const run = runs.s3Denied;
      expect(run.status).to.equal(1);
      const result = parseAccessCheckResult(run.resultFile ?? "");
      expect(result).to.include({ ok: false, stage: "s3", callerArn: CALLER, bytes: null });
      expect(result.reason).to.include(S3_DENIED);
    });

    it("emits valid JSON for keys with quotes, backslashes and shell syntax", () => {
      const run = runs.quotedKey;
      expect(run.status, run.stderr).to.equal(0);
      const result = parseAccessCheckResult(run.stdout);
      expect(result.key).to.equal(QUOTED_KEY);
      expect(result.bytes).to.equal(0);
      expect(run.awsCalls[1]).to.deep.equal(["s3", "cp", `s3://${BUCKET}/${QUOTED_KEY}`, "-"]);
    });
  });

  describe("verify's report of it", () => {
    it("success: verify OK with the assumed role and the bytes read", () => {
      const r = report("ok");
      expect(r.ok).to.be.true;
      expect(r.lines).to.deep.equal([
        "access check (Job irsa-demo/access-check-abc, pod access-check-abc-x1, Succeeded):",
        `  assumed role:  ${CALLER}`,
        `  expected role: ${ROLE} (matches)`,
        `  object read:   s3://${BUCKET}/${KEY} (17 bytes)`,
        "verify: OK, the pod in account A read the object in account B through its IRSA role.",
      ]);
    });

    it("wrong role (the node's): FAILED at stage identity, IRSA link 4", () => {
      const r = report("nodeRole");
      expect(r.ok).to.be.false;
      expect(r.lines).to.include(`  assumed role:  ${NODE}`);
      expect(r.lines).to.include(`  expected role: ${ROLE} (DOES NOT MATCH)`);
      expect(r.lines[3]).to.match(/^ {2}FAILED at stage identity: the pod runs as .*eks-node-role/);
      expect(r.lines[4]).to.match(
        /^ {2}IRSA link 4 \(the ServiceAccount's eks\.amazonaws\.com\/role-arn annotation/,
      );
      expect(r.lines.at(-1)).to.equal("verify: FAILED");
    });

    it("no credentials: FAILED at stage sts, IRSA link 4", () => {
      const r = report("noCredentials");
      expect(r.ok).to.be.false;
      expect(
        r.lines.some((l) => l.startsWith("  assumed role:")),
        "no caller when STS failed",
      ).to.be.false;
      expect(r.lines[1]).to.match(
        /^ {2}FAILED at stage sts: no AWS credentials after 0s: .*Unable to locate credentials/,
      );
      expect(r.lines[2]).to.match(/^ {2}IRSA link 4 /);
      expect(r.lines.at(-1)).to.equal("verify: FAILED");
    });

    it("STS refuses AssumeRoleWithWebIdentity: IRSA link 3; no OIDC provider: IRSA link 2", () => {
      expect(report("trustDenied").lines[2]).to.match(/^ {2}IRSA link 3 \(the role's trust policy/);
      expect(report("noProvider").lines[2]).to.match(/^ {2}IRSA link 2 \(the IAM OIDC provider/);
    });

    it("S3 AccessDenied: FAILED at stage s3, IRSA link 5, even for a key that looks like another error", () => {
      const r = report("s3Denied");
      expect(r.ok).to.be.false;
      expect(r.lines[2]).to.equal(`  expected role: ${ROLE} (matches)`);
      expect(r.lines[3]).to.equal(
        `  FAILED at stage s3: reading s3://${BUCKET}/${KEY} as ${CALLER} failed: ${S3_DENIED}`,
      );
      expect(r.lines[4]).to.match(/^ {2}IRSA link 5 \(the role's permission policy and the bucket policy/);
      const odd = report("s3DeniedOddKey", { ...CHECK, objectKey: ODD_KEY });
      expect(odd.lines[4]).to.match(/^ {2}IRSA link 5 .*s3:GetObject on the object ARN/);
    });

    it("missing object: FAILED at stage s3, no IRSA link", () => {
      expect(report("missingObject").lines[4]).to.equal(
        `  cause: the role works, but s3://${BUCKET}/${KEY} does not exist: check account-b's bucket objectKey and seed object.`,
      );
    });

    it("after log lines (FallbackToLogsOnError), verify still finds the result", () => {
      const logs = `2025-01-01 starting\n${runs.ok.stdout}`;
      expect(parseTerminationMessage(logs)).to.include({ ok: true, stage: "done", bytes: 17 });
    });
  });
});
