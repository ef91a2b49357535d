import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { Job } from "kubernetes-models/batch/v1/Job";
import { MockEngine } from "../../engine/mockEngine";
import {
  AccessCheckJob,
  ROLE_MATCHES_SHELL_FUNCTION,
  accessCheckJobName,
  assumedRoleMatches,
  parseAccessCheckResult,
  resolveAccessCheckSettings,
  type AccessCheckJobArgs,
} from "../../components/accessCheckJob";
import { DEFAULT_AWS_CLI_IMAGE } from "../../components/podSecurity";
import { expectInputError } from "./coreHelpers";
import { settled, valueOf } from "../support/outputs";

const TYPE = "cross-account-irsa:index:AccessCheckJob";
const ROLE = "arn:aws:iam::222222222222:role/irsa/s3-reader";
const CALLER = "arn:aws:sts::222222222222:assumed-role/s3-reader/botocore-session-1700000000";
const ARGS = {
  namespace: "apps",
  serviceAccountName: "s3-reader",
  expectedRoleArn: ROLE,
  bucketName: "account-b-data",
  objectKey: "probe/hello.txt",
} satisfies AccessCheckJobArgs;

interface ContainerView {
  env: Array<{ name: string; value: string }>;
}

describe("AccessCheckJob", () => {
  let engine: MockEngine;

  beforeEach(async () => {
    engine = new MockEngine({ config: { "aws:region": "eu-west-1" } });
    await engine.install();
  });

  it("creates one Job named <name>-<spec hash> that checks as the ServiceAccount and is awaited", async () => {
    const check = new AccessCheckJob("check", ARGS);
    const name = await valueOf(check.name);
    expect(await valueOf(check.namespace)).to.equal("apps");
    expect(name).to.match(/^access-check-[0-9a-f]{10}$/);
    expect(name).to.equal(accessCheckJobName(resolveAccessCheckSettings(ARGS)));

    const job = engine.one("kubernetes:batch/v1:Job");
    expect(engine.byUrn(job.parent)?.type).to.equal(TYPE);
    expect(job.inputs).to.have.nested.property("metadata.name", name);
    expect(job.inputs).to.have.nested.property("metadata.namespace", "apps");
    // Awaited (no pulumi.com/skipAwait), and a Job that did not succeed is replaced by the next
    // update instead of awaited again: @pulumi/kubernetes's Job declaration (batch/v1/job.d.ts)
    // documents "pulumi.com/replaceUnready": "true" for exactly that. Without it a failed check is
    // never run again and every later deploy fails on the same Job.
    expect(job.inputs).to.have.deep.nested.property("metadata.annotations", {
      "pulumi.com/replaceUnready": "true",
    });
    // Three retries, each a new pod admitted again: what lets a first deploy converge when the
    // association or annotation takes effect seconds after it was written (see the README).
    expect(job.inputs).to.have.nested.property("spec.backoffLimit", 3);
    expect(job.inputs).to.have.nested.property("spec.activeDeadlineSeconds", 300);
    expect(job.inputs).to.not.have.nested.property("spec.ttlSecondsAfterFinished");
    expect(job.inputs).to.have.nested.property(
      "spec.template.metadata.annotations.cross-account-irsa/role-arn",
      ROLE,
    );

    const pod = "spec.template.spec";
    expect(job.inputs).to.have.nested.property(`${pod}.restartPolicy`, "Never");
    expect(job.inputs).to.have.nested.property(`${pod}.serviceAccountName`, "s3-reader");
    expect(job.inputs).to.have.nested.property(`${pod}.securityContext.runAsNonRoot`, true);
    expect(job.inputs).to.have.nested.property(`${pod}.securityContext.fsGroup`, 1000);
    const c = `${pod}.containers[0]`;
    expect(job.inputs).to.have.nested.property(`${c}.image`, DEFAULT_AWS_CLI_IMAGE);
    expect(job.inputs).to.have.nested.property(`${c}.terminationMessagePath`, "/dev/termination-log");
    expect(job.inputs).to.have.nested.property(`${c}.terminationMessagePolicy`, "FallbackToLogsOnError");
    expect(job.inputs).to.have.nested.property(`${c}.securityContext.readOnlyRootFilesystem`, true);
    expect(job.inputs).to.have.nested.property(`${c}.securityContext.allowPrivilegeEscalation`, false);
    expect(job.inputs).to.have.deep.nested.property(`${c}.securityContext.capabilities.drop`, ["ALL"]);
    const container = (job.inputs as { spec: { template: { spec: { containers: ContainerView[] } } } }).spec
      .template.spec.containers[0];
    expect(Object.fromEntries(container.env.map((e) => [e.name, e.value]))).to.include({
      EXPECTED_ROLE_ARN: ROLE,
      S3_BUCKET: "account-b-data",
      S3_OBJECT_KEY: "probe/hello.txt",
    });

    new Job(job.inputs).validate();
  });

  it("sets the TTL, retries, deadline and region only when asked", async () => {
    const check = new AccessCheckJob("check", {
      ...ARGS,
      name: "verify",
      ttlSecondsAfterFinished: 600,
      backoffLimit: 0,
      activeDeadlineSeconds: 120,
      region: "eu-west-1",
    });
    expect(await valueOf(check.name)).to.match(/^verify-[0-9a-f]{10}$/);
    const job = engine.one("kubernetes:batch/v1:Job");
    expect(job.inputs).to.have.nested.property("spec.ttlSecondsAfterFinished", 600);
    expect(job.inputs).to.have.nested.property("spec.backoffLimit", 0);
    expect(job.inputs).to.have.nested.property("spec.activeDeadlineSeconds", 120);
    const container = (job.inputs as { spec: { template: { spec: { containers: ContainerView[] } } } }).spec
      .template.spec.containers[0];
    expect(Object.fromEntries(container.env.map((e) => [e.name, e.value]))).to.include({
      AWS_REGION: "eu-west-1",
      AWS_STS_REGIONAL_ENDPOINTS: "regional",
    });
  });

  it("accepts Outputs (account B's stack outputs) and names the Job as for plain values", async () => {
    const check = new AccessCheckJob("check", {
      namespace: pulumi.output("apps"),
      serviceAccountName: pulumi.output("s3-reader"),
      expectedRoleArn: pulumi.output(ROLE),
      bucketName: pulumi.output("account-b-data"),
      objectKey: pulumi.output("probe/hello.txt"),
    });
    expect(await valueOf(check.name)).to.equal(accessCheckJobName(resolveAccessCheckSettings(ARGS)));
  });

  describe("rejects bad input before registering anything", () => {
    const cases: Array<[string, Record<string, unknown>, string, unknown, string]> = [
      ["namespace", { namespace: "-apps" }, "args.namespace", "-apps", "DNS-1123 label"],
      [
        "serviceAccountName missing",
        { serviceAccountName: undefined },
        "args.serviceAccountName",
        undefined,
        "is required",
      ],
      ["expectedRoleArn", { expectedRoleArn: CALLER }, "args.expectedRoleArn", CALLER, "IAM role ARN"],
      ["bucketName", { bucketName: "ab" }, "args.bucketName", "ab", "3 to 63 characters"],
      ["objectKey", { objectKey: "" }, "args.objectKey", "", "1 to 1024 bytes"],
      ["image", { image: "aws-cli:latest" }, "args.image", "aws-cli:latest", "pinned"],
      ["region", { region: "eu_west_1" }, "args.region", "eu_west_1", "AWS region"],
      [
        "ttlSecondsAfterFinished",
        { ttlSecondsAfterFinished: -5 },
        "args.ttlSecondsAfterFinished",
        -5,
        "whole number",
      ],
      ["backoffLimit", { backoffLimit: 7 }, "args.backoffLimit", 7, "whole number from 0 to 6"],
      [
        "activeDeadlineSeconds",
        { activeDeadlineSeconds: 10 },
        "args.activeDeadlineSeconds",
        10,
        "whole number from 30 to 3600",
      ],
      [
        "name too long for the hash suffix",
        { name: "a".repeat(53) },
        "args.name",
        "a".repeat(53),
        "at most 52 characters",
      ],
      ["name not a label", { name: "Check" }, "args.name", "Check", "DNS-1123 label"],
      ["runAsUser root", { runAsUser: 0 }, "args.runAsUser", 0, "whole number from 1"],
    ];
    for (const [title, patch, field, value, rule] of cases) {
      it(title, async () => {
        const args = { ...ARGS, ...patch } as AccessCheckJobArgs;
        expectInputError(() => new AccessCheckJob("check", args), field, value, rule);
        await settled();
        expect(engine.resources, "nothing registered").to.deep.equal([]);
      });
    }
  });
});

describe("accessCheckJobName", () => {
  const base = resolveAccessCheckSettings(ARGS);
  const name = accessCheckJobName(base);

  it("is stable for the same inputs (no perpetual diff)", () => {
    expect(accessCheckJobName(resolveAccessCheckSettings({ ...ARGS }))).to.equal(name);
  });

  const changes: Array<[string, Record<string, unknown>]> = [
    ["role", { expectedRoleArn: "arn:aws:iam::222222222222:role/irsa/other" }],
    ["bucket", { bucketName: "account-b-data-2" }],
    ["key", { objectKey: "probe/other.txt" }],
    ["image", { image: "public.ecr.aws/aws-cli/aws-cli:2.27.49" }],
    ["region", { region: "eu-west-1" }],
    ["service account", { serviceAccountName: "other" }],
    ["backoff limit", { backoffLimit: 2 }],
  ];
  for (const [what, patch] of changes) {
    it(`changes when the ${what} changes (so the Job is replaced and the check re-runs)`, () => {
      const changed = accessCheckJobName(resolveAccessCheckSettings({ ...ARGS, ...patch }));
      expect(changed).to.match(/^access-check-[0-9a-f]{10}$/);
      expect(changed).to.not.equal(name);
    });
  }

  it("does not change with the TTL, which Kubernetes updates in place", () => {
    expect(accessCheckJobName(resolveAccessCheckSettings({ ...ARGS, ttlSecondsAfterFinished: 60 }))).to.equal(
      name,
    );
  });
});

describe("assumedRoleMatches", () => {
  const cases: Array<[string, string, string, boolean]> = [
    ["a session of the role (path dropped by STS)", ROLE, CALLER, true],
    [
      "a role without path",
      "arn:aws:iam::222222222222:role/reader",
      "arn:aws:sts::222222222222:assumed-role/reader/s",
      true,
    ],
    [
      "another partition",
      "arn:aws-cn:iam::222222222222:role/reader",
      "arn:aws-cn:sts::222222222222:assumed-role/reader/s",
      true,
    ],
    ["the node role", ROLE, "arn:aws:sts::111111111111:assumed-role/eks-node-role/i-0abc", false],
    ["another account", ROLE, "arn:aws:sts::333333333333:assumed-role/s3-reader/s", false],
    [
      "a role whose name extends the expected one",
      ROLE,
      "arn:aws:sts::222222222222:assumed-role/s3-reader-admin/s",
      false,
    ],
    ["a shorter role name", ROLE, "arn:aws:sts::222222222222:assumed-role/s3-reade/s", false],
    ["the partition differs", ROLE, "arn:aws-cn:sts::222222222222:assumed-role/s3-reader/s", false],
    ["the path in the caller ARN", ROLE, "arn:aws:sts::222222222222:assumed-role/irsa/s3-reader/s", false],
    ["no session", ROLE, "arn:aws:sts::222222222222:assumed-role/s3-reader/", false],
    ["the role ARN itself", ROLE, ROLE, false],
    ["an IAM user", ROLE, "arn:aws:iam::222222222222:user/s3-reader", false],
    ["empty caller", ROLE, "", false],
    ["a malformed expected ARN", "s3-reader", "arn:aws:sts::222222222222:assumed-role/s3-reader/s", false],
  ];
  for (const [title, expected, caller, result] of cases) {
    it(`${result ? "matches" : "rejects"} ${title}`, () => {
      expect(assumedRoleMatches(expected, caller)).to.equal(result);
    });
  }

  it("agrees with the script's role_matches shell function on generated pairs", function () {
    this.timeout(20000);
    const partition = fc.constantFrom("aws", "aws-cn", "aws-us-gov");
    const account = fc.constantFrom("111111111111", "222222222222");
    const roleName = fc.stringMatching(/^[\w+=,.@-]{1,12}$/);
    const path = fc.constantFrom("", "irsa/", "a/b/");
    const session = fc.stringMatching(/^[\w+=,.@-]{2,12}$/);
    const pair = fc
      .tuple(partition, account, path, roleName, partition, account, roleName, session, fc.nat(6))
      .map(([p, a, pth, n, p2, a2, n2, s, variant]) => {
        const expected = `arn:${p}:iam::${a}:role/${pth}${n}`;
        const callers = [
          `arn:${p}:sts::${a}:assumed-role/${n}/${s}`,
          `arn:${p2}:sts::${a2}:assumed-role/${n2}/${s}`,
          `arn:${p}:sts::${a}:assumed-role/${n}${n2}/${s}`,
          `arn:${p}:sts::${a}:assumed-role/${pth}${n}/${s}`,
          `arn:${p}:sts::${a}:assumed-role/${n}/`,
          `arn:${p}:sts::${a}:assumed-role/${n}/${s}/${s}`,
          `arn:${p2}:sts::${a}:assumed-role/${n}/${s}`,
        ];
        return [expected, callers[variant]] as const;
      });
    const pairs = fc.sample(pair, { numRuns: 300, seed: 42 });
    // Both outcomes must be well represented, or the comparison proves little.
    const wanted = pairs.map(([e, c]) => assumedRoleMatches(e, c));
    expect(wanted.filter(Boolean).length).to.be.greaterThan(30);
    expect(wanted.filter((w) => !w).length).to.be.greaterThan(30);

    const dir = mkdtempSync(join(tmpdir(), "role-matches-"));
    try {
      const file = join(dir, "pairs.tsv");
      writeFileSync(file, pairs.map(([e, c]) => `${e}\t${c}\n`).join(""));
      const script = `${ROLE_MATCHES_SHELL_FUNCTION}
tab=$(printf '\\t')
while IFS="$tab" read -r e c; do
  if role_matches "$e" "$c"; then echo 1; else echo 0; fi
done < "$1"
`;
      const run = spawnSync("/bin/sh", ["-c", script, "sh", file], { encoding: "utf8" });
      expect(run.status, run.stderr).to.equal(0);
      const got = run.stdout
        .trim()
        .split("\n")
        .map((l) => l === "1");
      expect(got).to.have.length(pairs.length);
      pairs.forEach(([e, c], i) => {
        expect(got[i], `role_matches ${e} ${c}`).to.equal(wanted[i]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("parseAccessCheckResult", () => {
  it("rejects text that is not a result", () => {
    expectInputError(
      () => parseAccessCheckResult("Error: boom"),
      "accessCheckResult",
      "Error: boom",
      "one-line JSON",
    );
    expectInputError(
      () => parseAccessCheckResult('{"ok":"yes"}'),
      "accessCheckResult",
      '{"ok":"yes"}',
      "one-line JSON",
    );
  });
});
