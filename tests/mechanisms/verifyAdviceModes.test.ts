/**
 * `verify`'s advice in both modes, for each mechanism: a single-grant stack's failure names the
 * single-grant keys and outputs (`cross-account-irsa:serviceAccounts`, account-b's `roleArn` output);
 * the same failure of a grant (`npm run verify -- --grant <key>`) names that grant's fields
 * (`cross-account-irsa:grants[<i>].serviceAccounts`, the entry with its key) and outputs
 * (`grants.<key>.handoff.roleArn`), and no key grants mode does not read.
 */
import { expect } from "chai";
import { type AccessCheckResult } from "../../components/accessCheckResult";
import { Mechanism } from "../../components/mechanism";
import { type AccessCheckRef } from "../../mechanisms/diagnosis";
import { diagnose, diagnosisLine } from "../../mechanisms/diagnose";
import { formatVerifyReport } from "../../deploy/verify";
import { verifyOutputs } from "../../deploy/verifyCommand";
import { grantsA } from "../support/grantOutputs";
import { MemoryFileSystem, scriptedRunner } from "../deploy/fakeSystem";

const ROLE = "arn:aws:iam::444455556666:role/reports-reader";
const KEY = "reports";
const checkOf = (mechanism: Mechanism, grant?: string): AccessCheckRef => ({
  namespace: "team-a",
  jobName: "reports-check-0123456789",
  expectedRoleArn: ROLE,
  bucketName: "team-a-reports",
  objectKey: "reports/check.txt",
  mechanism,
  serviceAccount: { namespace: "team-a", name: "reports-reader" },
  ...(grant !== undefined ? { grant } : {}),
});

function result(
  stage: AccessCheckResult["stage"],
  reason: string,
  callerArn = "",
  ok = false,
): AccessCheckResult {
  return {
    ok,
    stage,
    reason,
    expectedRoleArn: ok ? "arn:aws:iam::444455556666:role/older-role" : ROLE,
    callerArn,
    bucket: "team-a-reports",
    key: "reports/check.txt",
    bytes: null,
  };
}

const s3Denied = result(
  "s3",
  "reading s3://team-a-reports/reports/check.txt as x failed: An error occurred (AccessDenied) when calling the GetObject operation",
);
const s3Missing = result(
  "s3",
  "reading s3://team-a-reports/reports/check.txt as x failed: An error occurred (NoSuchKey) when calling the GetObject operation",
);
const OTHER = "arn:aws:sts::111122223333:assumed-role/node-role/i-0abc";

/** Each failure whose advice names a setting or output of the stacks, and what it names in each mode. */
const CASES: Array<{
  mechanism: Mechanism;
  what: string;
  result: AccessCheckResult;
  single: string[];
  grants: string[];
}> = [
  {
    mechanism: Mechanism.Irsa,
    what: "STS refused AssumeRoleWithWebIdentity (the trust's subject)",
    result: result(
      "sts",
      "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation",
    ),
    single: ["check cross-account-irsa:serviceAccounts on account-b"],
    grants: [
      "check cross-account-irsa:grants[<i>].serviceAccounts (the entry with key: reports) on account-b",
    ],
  },
  {
    mechanism: Mechanism.Irsa,
    what: "no web identity token (the annotation)",
    result: result("sts", "Unable to locate credentials"),
    single: ["<account-b's roleArn output> (IrsaServiceAccount does)"],
    grants: ["<account-b's grants.reports.handoff.roleArn output> (the grant's BucketAccessBinding does)"],
  },
  {
    mechanism: Mechanism.Irsa,
    what: "another identity (the annotation)",
    result: result("identity", "ran as another role", OTHER),
    single: ["<account-b's roleArn output>"],
    grants: ["<account-b's grants.reports.handoff.roleArn output>"],
  },
  {
    mechanism: Mechanism.Irsa,
    what: "a Job of another role (account-a's access check output)",
    result: result("done", "read", "arn:aws:sts::444455556666:assumed-role/older-role/s", true),
    single: ["that account-a's accessCheck output names"],
    grants: ["that account-a's grants.reports.accessCheck output names"],
  },
  {
    mechanism: Mechanism.PodIdentity,
    what: "EKS could not chain into the target role (its trust)",
    result: result(
      "sts",
      `An error occurred (AccessDenied): not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
    ),
    single: [
      "check cross-account-irsa:serviceAccounts on account-b",
      "the current clusterArn and sourceRoleArn",
    ],
    grants: [
      "check cross-account-irsa:grants[<i>].serviceAccounts (the entry with key: reports) and its sourceRoleName (the source role) on account-b",
    ],
  },
  {
    mechanism: Mechanism.PodIdentity,
    what: "another identity (the association's target)",
    result: result("identity", "ran as another role", OTHER),
    single: ["the association's targetRoleArn must be account-b's roleArn output"],
    grants: ["the association's targetRoleArn must be account-b's grants.reports.handoff.roleArn output"],
  },
  {
    mechanism: Mechanism.IrsaChained,
    what: "the source role's trust refused the token",
    result: result(
      "sts",
      "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation",
    ),
    single: ["check cross-account-irsa:serviceAccounts on account-b (account-a's source role trusts those)"],
    grants: [
      "check cross-account-irsa:grants[<i>].serviceAccounts (the entry with key: reports) on account-b (the grant's source role trusts those)",
    ],
  },
  {
    mechanism: Mechanism.IrsaChained,
    what: "the chained AssumeRole denied (the target's trust)",
    result: result(
      "sts",
      `An error occurred (AccessDenied): not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
    ),
    single: ["run account-b's update after account-a's so it reads the current sourceRoleArn"],
    grants: [
      "(the grant's BucketAccessGrant writes it for cross-account-irsa:grants[<i>].chainedSourceRoleName (the entry with key: reports) on account-b)",
    ],
  },
  {
    mechanism: Mechanism.IrsaChained,
    what: "no token or config file (the annotation)",
    result: result("sts", "AWS_WEB_IDENTITY_TOKEN_FILE not injected"),
    single: ["eks.amazonaws.com/role-arn=<account-a's sourceRoleArn>"],
    grants: [
      'eks.amazonaws.com/role-arn=<account-b\'s grants.reports.handoff.clusters "cluster" chainedSourceRoleArn>',
    ],
  },
  ...[Mechanism.Irsa, Mechanism.PodIdentity, Mechanism.IrsaChained].flatMap((mechanism) => [
    {
      mechanism,
      what: "S3 denied the read (the permission)",
      result: s3Denied,
      single: ["check cross-account-irsa:bucket.objectKey, prefixes and access on account-b"],
      grants: [
        "check cross-account-irsa:grants[<i>].buckets[<j>] (the entry with key: reports)'s objectKey, prefixes and access on account-b",
      ],
    },
    {
      mechanism,
      what: "no such object",
      result: s3Missing,
      single: ["check account-b's bucket objectKey and seed object"],
      grants: [
        "check cross-account-irsa:grants[<i>].buckets[<j>] (the entry with key: reports)'s objectKey on account-b",
      ],
    },
  ]),
];

/**
 * What a grant's advice must not name: a project key grants mode does not read at top level (every
 * `cross-account-irsa:<key>` is `grants[...]` or one of these), or a single-grant output by its bare name.
 */
const GRANTS_TOP_LEVEL = ["grants", "accountAStack", "accountBStack", "existingOidcProviderArn", "cluster"];
function singleGrantWords(line: string): string[] {
  const keys = [...line.matchAll(/cross-account-irsa:([A-Za-z]+)/g)]
    .map((m) => m[1])
    .filter((k) => !GRANTS_TOP_LEVEL.includes(k));
  const outputs = [
    /account-b's roleArn output/,
    /account-a's sourceRoleArn/,
    /account-a's accessCheck output/,
    /current clusterArn and sourceRoleArn/,
    /reads the current sourceRoleArn/,
    /account-b's bucket objectKey/,
  ].filter((r) => r.test(line));
  return [...keys, ...outputs.map(String)];
}

describe("verify's advice names the settings of the stacks' mode", () => {
  for (const c of CASES) {
    describe(`${c.mechanism}: ${c.what}`, () => {
      it("single-grant: the single-grant keys and outputs", () => {
        const line = diagnosisLine(diagnose(c.result, checkOf(c.mechanism)));
        for (const words of c.single) expect(line).to.contain(words);
      });
      it(`grants mode (grant ${KEY}): the grant's fields and outputs, no single-grant key`, () => {
        const line = diagnosisLine(diagnose(c.result, checkOf(c.mechanism, KEY)));
        for (const words of c.grants) expect(line).to.contain(words);
        expect(singleGrantWords(line)).to.deep.equal([]);
      });
    });
  }

  it("the report verify prints carries the grant's words (formatVerifyReport)", () => {
    const report = formatVerifyReport(checkOf(Mechanism.Irsa, KEY), {
      count: 1,
      chosen: { podName: "p", phase: "Failed", result: s3Denied },
    });
    expect(report.ok).to.equal(false);
    expect(report.lines.join("\n")).to.contain(
      "cross-account-irsa:grants[<i>].buckets[<j>] (the entry with key: reports)",
    );
  });

  it("npm run verify -- --grant <key>: the failing grant's advice names its fields (verifyOutputs, account-a in grants mode)", async () => {
    const denied = (key: string): AccessCheckResult => ({
      ...s3Denied,
      reason: `reading s3://team-a-${key}/reports/check.txt as x failed: AccessDenied: Access Denied`,
      bucket: `team-a-${key}`,
    });
    const run = scriptedRunner({
      kubectl: (args) => {
        const job = args[args.indexOf("--selector") + 1].replace(/^job-name=/, "");
        const message = JSON.stringify(denied(job.replace(/-access-check$/, "")));
        const pod = {
          metadata: { name: `${job}-x`, creationTimestamp: "t" },
          status: { phase: "Failed", containerStatuses: [{ state: { terminated: { message } } }] },
        };
        return { stdout: JSON.stringify({ items: [pod] }) };
      },
    });
    const out = await verifyOutputs(
      { run, fs: new MemoryFileSystem(), tmpDir: "/tmp" },
      grantsA(),
      "account-a",
      "npm run deploy",
      "archive",
    );
    expect(out.code).to.equal(1);
    const text = out.lines.map((l) => l.text).join("\n");
    expect(text).to.contain(
      "check cross-account-irsa:grants[<i>].buckets[<j>] (the entry with key: archive)'s objectKey, prefixes and access on account-b",
    );
    expect(singleGrantWords(text)).to.deep.equal([]);
  });
});
