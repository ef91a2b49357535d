import { expect } from "chai";
import { findJobResult, parseTerminationMessage, readVerifyInputs } from "../../deploy/verify";
import { diagnose } from "../../mechanisms/diagnose";
import { linkOf } from "../../mechanisms";
import { type AccessCheckResult } from "../../components/accessCheckResult";
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
});
