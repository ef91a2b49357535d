import { expect } from "chai";
import { type AccessCheckResult } from "../../components/accessCheckResult";
import { parseCliArgs } from "../../deploy/cli";
import { readGrantsVerifyInputs, verifyOutputs } from "../../deploy/verifyCommand";
import { type StackOutputs } from "../../cli/shared/workspace";
import { plain } from "../support/stacksWorkspace";
import { aGrant, grantsA, roleOf } from "../support/grantOutputs";
import { MemoryFileSystem, scriptedRunner } from "./fakeSystem";

const RESUME = "npm run deploy";

/** A result the access check writes for `key`'s Job: read as the grant's role, or AccessDenied. */
function result(key: string, ok: boolean): AccessCheckResult {
  const caller = `arn:aws:sts::444455556666:assumed-role/${key}-reader/botocore-session-1`;
  return {
    ok,
    stage: ok ? "done" : "s3",
    reason: ok
      ? `read 7 bytes of s3://team-a-${key}/reports/check.txt as ${caller}`
      : `reading s3://team-a-${key}/reports/check.txt as ${caller} failed: AccessDenied: Access Denied`,
    expectedRoleArn: roleOf(key),
    callerArn: caller,
    bucket: `team-a-${key}`,
    key: "reports/check.txt",
    bytes: ok ? 7 : null,
  };
}

/** kubectl answering each Job's pod list with that grant's result (`failing`: the grants whose check failed). */
function kubectl(failing: string[]) {
  return scriptedRunner({
    kubectl: (args) => {
      const job = args[args.indexOf("--selector") + 1].replace(/^job-name=/, "");
      const key = job.replace(/-access-check$/, "");
      const message = JSON.stringify(result(key, !failing.includes(key)));
      const pod = {
        metadata: { name: `${job}-x`, creationTimestamp: "t" },
        status: { phase: "Succeeded", containerStatuses: [{ state: { terminated: { message } } }] },
      };
      return { stdout: JSON.stringify({ items: [pod] }) };
    },
  });
}

async function verify(outputs: StackOutputs, failing: string[] = [], selected?: string) {
  const run = kubectl(failing);
  const out = await verifyOutputs(
    { run, fs: new MemoryFileSystem(), tmpDir: "/tmp" },
    outputs,
    "account-a",
    RESUME,
    selected,
  );
  return { ...out, jobs: run.runs.map((r) => r.args[r.args.indexOf("--selector") + 1]) };
}

describe("verify: stacks in grants mode, one access check per grant", () => {
  it("one passing and one failing grant: each grant's result under its name, exit 1 naming the failing one", async () => {
    const r = await verify(grantsA(), ["archive"]);
    expect(r.code).to.equal(1);
    expect(r.jobs).to.deep.equal(["job-name=reports-access-check", "job-name=archive-access-check"]);
    const text = r.lines.map((l) => l.text);
    expect(text[0]).to.equal("grant reports (irsa + pod-identity; pods use irsa):");
    expect(text).to.include(
      "  verify: OK, the pod in account A read the object in account B through its IRSA role.",
    );
    expect(text).to.include("grant archive (irsa; pods use irsa):");
    expect(text).to.include(
      "    FAILED at stage s3: reading s3://team-a-archive/reports/check.txt as arn:aws:sts::444455556666:assumed-role/archive-reader/botocore-session-1 failed: AccessDenied: Access Denied",
    );
    expect(text.at(-1)).to.equal("verify: FAILED for 1 of 2 grant(s): archive");
    // The passing grant's lines go to stdout, the failing grant's to stderr.
    expect(r.lines.filter((l) => !l.ok).map((l) => l.text)[0]).to.equal(
      "grant archive (irsa; pods use irsa):",
    );
  });

  it("every grant passing: exit 0", async () => {
    const r = await verify(grantsA());
    expect(r.code).to.equal(0);
    expect(r.lines.at(-1)).to.deep.equal({ text: "verify: OK, 2 grant(s) read their object", ok: true });
  });

  it("--grant reads only that grant's Job", async () => {
    const r = await verify(grantsA(), ["archive"], "reports");
    expect(r.code).to.equal(0);
    expect(r.jobs).to.deep.equal(["job-name=reports-access-check"]);
  });

  it("--grant of a key account-a does not bind: a usage error listing the keys (exit 2)", async () => {
    const r = await verify(grantsA(), [], "nope");
    expect(r).to.deep.include({ code: 2, jobs: [] });
    expect(r.lines).to.deep.equal([
      { text: 'error: --grant: "nope" is not a grant account-a binds: one of reports, archive', ok: false },
    ]);
  });

  // Never pass what was not checked: a grant without an access check fails the run (exit 1), as a
  // single-grant stack deployed with deployProbe: false does (it has no accessCheck output).
  it("a grant without an access check is NOT VERIFIED and fails the run; the others are still read; --grant verifies one that has a check", async () => {
    const { accessCheck: _c, ...noCheck } = aGrant("archive", ["irsa"], "irsa");
    const outputs = grantsA({
      reports: aGrant("reports", ["irsa", "pod-identity"], "irsa"),
      archive: noCheck,
    });
    const all = await verify(outputs);
    expect(all.code).to.equal(1);
    expect(all.jobs).to.have.length(1);
    const archive = all.lines.find((l) => l.text.startsWith("grant archive"));
    expect(archive).to.deep.equal({
      text: "grant archive (irsa; pods use irsa): NOT VERIFIED: account-a deploys no access check for it (deployProbe: false, or the grant has no probe object)",
      ok: false,
    });
    expect(all.lines.at(-1)).to.deep.equal({
      text:
        "verify: FAILED, 1 grant(s) read their object but 1 not verified; not verified (no access check): archive " +
        "(give the grant an objectKey on account-b and deployProbe on account-a, or verify the others with --grant <key>)",
      ok: false,
    });
    const selected = await verify(outputs, [], "archive");
    expect(selected.code).to.equal(1);
    expect(selected.lines.at(-1)?.text).to.equal(
      "verify: FAILED, no grant has an access check to read; not verified (no access check): archive " +
        "(give the grant an objectKey on account-b and deployProbe on account-a)",
    );
    const other = await verify(outputs, [], "reports");
    expect(other.code).to.equal(0);
    expect(other.lines.at(-1)?.text).to.equal("verify: OK, 1 grant(s) read their object");
  });

  it("the single-grant stack without its access check (deployProbe: false) exits 1 too", async () => {
    const r = await verify({
      clusterName: plain("demo"),
      kubeconfig: plain("apiVersion: v1"),
      mechanism: plain("irsa"),
    });
    expect(r.code).to.equal(1);
    expect(r.lines[0].text).to.match(/^error: .* has no accessCheck output/);
  });

  it("an output it does not understand is an error naming it, and no Job is read", async () => {
    const r = await verify(
      grantsA({ reports: { ...aGrant("reports", ["irsa"], "irsa"), podCredentialPath: "x" } }),
    );
    expect(r.code).to.equal(1);
    expect(r.jobs).to.deep.equal([]);
    expect(r.lines[0].text).to.match(
      /^error: account-a output grants\.reports\.podCredentialPath: "x" is invalid/,
    );
    const mode = await verify({ ...grantsA(), mode: plain("grant") });
    expect(mode.lines[0].text).to.match(/^error: account-a output mode: "grant" is invalid/);
  });

  it("before account-b had outputs (mode grants, no grants output): says to deploy", async () => {
    const { grants: _g, ...a } = grantsA();
    const r = await verify(a);
    expect(r.code).to.equal(1);
    expect(r.lines[0].text).to.match(
      /^error: account-a has no grants output: it binds its grants once account-b has outputs/,
    );
  });

  it("single-grant stacks: --grant refused (exit 2); without it, read as before", async () => {
    const single = { clusterName: plain("demo") };
    expect((await verify(single, [], "reports")).code).to.equal(2);
    const r = await verify(single);
    expect(r.lines).to.deep.equal([
      {
        text:
          "error: account-a has no accessCheck output: the workload part has not been deployed. Run `npm run deploy` " +
          "(its third phase deploys the ServiceAccount and the access-check Job).",
        ok: false,
      },
    ]);
  });

  it("reads the access check of each grant with the grant's path and ServiceAccount", () => {
    const inputs = readGrantsVerifyInputs(grantsA(), "account-a", RESUME, undefined);
    expect(inputs.ok && inputs.grants[0].check).to.deep.equal({
      namespace: "team-a",
      jobName: "reports-access-check",
      expectedRoleArn: roleOf("reports"),
      bucketName: "team-a-reports",
      objectKey: "reports/check.txt",
      mechanism: "irsa",
      serviceAccount: { namespace: "team-a", name: "reports-reader" },
    });
    const { kubeconfig: _k, ...noKubeconfig } = grantsA();
    expect(readGrantsVerifyInputs(noKubeconfig, "account-a", RESUME, undefined)).to.deep.equal({
      ok: false,
      reason: "account-a has no kubeconfig output, so the cluster cannot be reached",
    });
  });

  it("--grant on the command line: verify only, and a grant key", () => {
    expect(parseCliArgs(["verify", "--grant", "reports"], "/")).to.deep.include({ kind: "run" });
    expect(parseCliArgs(["deploy", "--grant", "reports"], "/")).to.deep.equal({
      kind: "error",
      message: "--grant selects the grant verify reads: deploy runs every grant of the stacks",
    });
    expect(parseCliArgs(["verify", "--grant", "-x"], "/")).to.deep.include({ kind: "error" });
  });
});
