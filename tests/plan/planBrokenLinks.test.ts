import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { type ChainSnapshot } from "../../chain";
import { IRSA_CHECKS, checkChain, linkOf } from "../../mechanisms";
import { diagnose, diagnosisLine } from "../../mechanisms/diagnose";
import { chooseServiceAccount, parseAccountBOutputs } from "../../stacks/crossStack";
import { buildPlan, type Plan } from "../../plan/build";
import { collectSnapshot } from "../../mechanisms/planRegistry";
import { parsePlanConfigs, type PlanConfigs } from "../../plan/config";
import { runPasses, type StackPass } from "../../plan/passes";
import { renderPlan, useColor } from "../../plan/render";
import { REPO_ROOT, parsePlanArgs, reportPlan } from "../../plan/cli";
import { loadStackConfig } from "../../stacks/stackFile";
import type { RecordedResource } from "../../engine/mockEngine";
import { ANSI, ROLE_ARN, capture, suiteTempDir } from "./planHarness";

describe("offline plan (npm run plan): broken links", function () {
  this.timeout(30_000);
  const tmpDir = suiteTempDir("plan-test-");
  let tmp: string;
  before(() => {
    tmp = tmpDir();
  });

  let passes: StackPass[];
  let configs: PlanConfigs;

  before(async () => {
    const configA = loadStackConfig(path.join(REPO_ROOT, "Pulumi.account-a.yaml"));
    const configB = loadStackConfig(path.join(REPO_ROOT, "Pulumi.account-b.yaml"));
    configs = parsePlanConfigs(configA, configB);
    passes = await runPasses(configA, configB, configs);
  });

  /** A plan of deep copies of the recorded runs, after `edit` tampered with them. */
  function tampered(edit: (runs: { a: StackPass; b: StackPass }) => void): Plan {
    const copy = structuredClone(passes);
    edit({ a: copy[2], b: copy[1] });
    return buildPlan(copy, configs);
  }
  const one = (pass: StackPass, type: string): RecordedResource =>
    pass.resources.find((r) => r.type === type)!;
  const failing = (plan: Plan) =>
    plan.links.filter((l) => l.status === "fail").map((l) => [linkOf(l.link, l.mechanism).number, l.check]);

  it("the untampered runs pass", () => {
    const plan = buildPlan(passes, configs);
    expect(plan.ok, plan.problems.join("\n")).to.be.true;
  });

  it("hands every manifest to the validation cache, and trusts it", () => {
    const seen: unknown[] = [];
    const recording = { isValid: () => false, recordValid: (o: unknown) => void seen.push(o) };
    const plan = buildPlan(passes, configs, undefined, recording);
    expect(seen).to.deep.equal(plan.manifests.map((m) => m.object));
    expect(seen.length).to.be.greaterThan(2);
    const trusting = { isValid: () => true, recordValid: () => expect.fail("nothing to record") };
    expect(buildPlan(passes, configs, undefined, trusting).ok).to.be.true;
  });

  it("link 1: account-a exports no https issuer", () => {
    const plan = tampered(({ a }) => {
      a.outputs.oidcIssuerUrl = { value: "http://oidc.example.com/id/X", secret: false };
    });
    expect(failing(plan)[0]).to.deep.equal([1, "account-a's cluster exports an OIDC issuer"]);
    expect(plan.problems[0]).to.match(
      /^link 1 broken \(the cluster's OIDC issuer \(account A\)\).*Fix: account-a must export/,
    );
  });

  it("link 2: account-b's provider is for another issuer", () => {
    const plan = tampered(({ b }) => {
      const provider = one(b, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
      provider.inputs.url = "https://oidc.eks.eu-west-1.amazonaws.com/id/00000000000000000000000000000000";
    });
    expect(failing(plan)).to.deep.equal([[2, "account-b's OIDC provider URL is account-a's issuer"]]);
    expect(plan.problems.join("\n")).to.match(
      /link 2 broken .*Fix: .*run account-b's update after account-a's/,
    );
  });

  it("link 3: the role trusts a provider in account A instead of B", () => {
    const plan = tampered(({ b }) => {
      const role = one(b, "aws:iam/role:Role");
      role.inputs.assumeRolePolicy = String(role.inputs.assumeRolePolicy).replace(
        ":444455556666:",
        ":111122223333:",
      );
    });
    expect(failing(plan).map(([link]) => link)).to.include(3);
    expect(failing(plan)[0]).to.deep.equal([3, "the role's Federated principal is that provider"]);
    // The access matrix catches it too: the trusted service account can no longer assume the role.
    const trusted = plan.matrix.find(
      (r) =>
        r.subject === "trusted service account" &&
        r.context.sub === "system:serviceaccount:irsa-demo:s3-reader",
    )!;
    expect(trusted).to.deep.include({ expected: "allow", actual: "ImplicitDeny", ok: false });
    expect(plan.ok).to.be.false;
  });

  it("link 4: the ServiceAccount's role-arn annotation is not the role (and the report exits 1, writing nothing)", async () => {
    const plan = tampered(({ a }) => {
      const sa = one(a, "kubernetes:core/v1:ServiceAccount");
      (sa.inputs.metadata as { annotations: Record<string, string> }).annotations[
        "eks.amazonaws.com/role-arn"
      ] = "arn:aws:iam::444455556666:role/other";
    });
    expect(failing(plan)).to.deep.equal([
      [4, "ServiceAccount irsa-demo/s3-reader is annotated eks.amazonaws.com/role-arn = the role ARN"],
    ]);
    const out = path.join(tmp, "broken-4");
    const run = capture(tmp);
    const args = parsePlanArgs(["--out", out], tmp);
    expect(await reportPlan(plan, args, run.io)).to.equal(1);
    expect(fs.existsSync(out)).to.be.false;
    expect(run.stdout()).to.match(
      /link 4 broken \(the ServiceAccount's eks.amazonaws.com\/role-arn annotation/,
    );
    expect(run.stdout()).to.include('"arn:aws:iam::444455556666:role/other"');
    expect(run.stdout()).to.match(/Fix: annotate the ServiceAccount eks.amazonaws.com\/role-arn/);
    expect(run.stderr()).to.include("nothing written");
  });

  it("link 4: the ServiceAccount is not a subject the role trusts", () => {
    const plan = tampered(({ a }) => {
      (one(a, "kubernetes:core/v1:ServiceAccount").inputs.metadata as { name: string }).name = "other-reader";
    });
    expect(failing(plan)).to.deep.include([
      4,
      "ServiceAccount irsa-demo/other-reader is a subject the role trusts",
    ]);
    expect(plan.problems.join("\n")).to.include(
      "add {namespace: irsa-demo, name: other-reader} to cross-account-irsa:serviceAccounts on account-b",
    );
  });

  it("link 4: the Deployment runs as another ServiceAccount", () => {
    const plan = tampered(({ a }) => {
      const deployment = one(a, "kubernetes:apps/v1:Deployment");
      (
        deployment.inputs.spec as { template: { spec: { serviceAccountName: string } } }
      ).template.spec.serviceAccountName = "default";
    });
    expect(failing(plan)).to.deep.equal([
      [4, "Deployment irsa-demo/s3-reader runs as ServiceAccount irsa-demo/s3-reader"],
    ]);
    expect(plan.problems[0]).to.include('serviceAccountName "default"');
  });

  it("link 5: the permission policy grants another bucket", () => {
    const plan = tampered(({ b }) => {
      const policy = one(b, "aws:iam/rolePolicy:RolePolicy");
      policy.inputs.policy = String(policy.inputs.policy).replace(
        /arn:aws:s3:::[a-z0-9-]+/g,
        "arn:aws:s3:::elsewhere",
      );
    });
    expect(failing(plan).map(([link]) => link)).to.deep.equal([5, 5]);
    expect(plan.matrix.filter((r) => !r.ok).map((r) => r.action)).to.include("s3:GetObject");
  });

  it("a fix changed in the chain's catalogue shows in the plan, in account-a's error and in verify's diagnosis", () => {
    const entry = IRSA_CHECKS.serviceAccountTrusted;
    const original = entry.fix;
    entry.fix = (sa) => `CATALOGUE FIX for ${sa.namespace}/${sa.name}`;
    // verify's diagnosis of a refused AssumeRoleWithWebIdentity names link 3: its fix is link 3's.
    const trust = IRSA_CHECKS.trustSubject;
    const originalTrust = trust.fix;
    trust.fix = (sa) => `TRUST FIX for ${sa.namespace}/${sa.name}`;
    try {
      // The plan: a ServiceAccount account-b does not trust.
      const plan = tampered(({ a }) => {
        (one(a, "kubernetes:core/v1:ServiceAccount").inputs.metadata as { name: string }).name =
          "other-reader";
      });
      expect(plan.problems.join("\n")).to.include("Fix: CATALOGUE FIX for irsa-demo/other-reader.");
      // account-a's program: the same mismatch, refused before it registers anything.
      const b = parseAccountBOutputs(
        "organization/cross-account-irsa/account-b",
        Object.fromEntries(Object.entries(passes[1].outputs).map(([k, o]) => [k, o.value])),
      )!;
      expect(() =>
        chooseServiceAccount("account-b", b, { namespace: "irsa-demo", name: "other-reader" }),
      ).to.throw("Fix: CATALOGUE FIX for irsa-demo/other-reader.");
      // verify: STS refused AssumeRoleWithWebIdentity for the Job's ServiceAccount.
      const result = {
        ok: false,
        stage: "sts" as const,
        reason: "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity",
        expectedRoleArn: ROLE_ARN,
        callerArn: "",
        bucket: "b",
        key: "k",
        bytes: null,
      };
      const check = {
        mechanism: "irsa" as const,
        namespace: "irsa-demo",
        jobName: "access-check-abc",
        expectedRoleArn: ROLE_ARN,
        bucketName: "b",
        objectKey: "k",
        serviceAccount: { namespace: "irsa-demo", name: "other-reader" },
      };
      expect(diagnosisLine(diagnose(result, check))).to.include("Fix: TRUST FIX for irsa-demo/other-reader.");
    } finally {
      entry.fix = original;
      trust.fix = originalTrust;
    }
  });

  it("an invalid manifest fails the plan", () => {
    const plan = tampered(({ a }) => {
      (one(a, "kubernetes:apps/v1:Deployment").inputs.spec as Record<string, unknown>).replicas = "two";
    });
    expect(plan.ok).to.be.false;
    expect(plan.problems.join("\n")).to.match(
      /manifest manifests\/deployment-irsa-demo-s3-reader.yaml: invalid .*replicas/,
    );
  });

  it("checkChain is pure over a snapshot: skips the workloads when deployProbe is off", () => {
    const chain: ChainSnapshot = collectSnapshot(passes, configs);
    const noProbe = checkChain({ ...chain, workloads: [], deployProbe: false });
    expect(noProbe.filter((l) => l.status === "skip").map((l) => l.check)).to.deep.equal([
      "a Deployment runs as the ServiceAccount",
      "a Job runs as the ServiceAccount",
    ]);
    expect(noProbe.filter((l) => l.status === "fail")).to.deep.equal([]);
    const missing = checkChain({ ...chain, workloads: [] });
    expect(
      missing.filter((l) => l.status === "fail").map((l) => linkOf(l.link, l.mechanism).number),
    ).to.deep.equal([4, 4]);
  });

  it("colours the output only on a terminal without NO_COLOR and CI", () => {
    const plan = buildPlan(passes, configs);
    expect(renderPlan(plan, { color: true })).to.match(ANSI);
    expect(renderPlan(plan, { color: false })).to.not.match(ANSI);
    expect(useColor(true, {})).to.be.true;
    expect(useColor(false, {})).to.be.false;
    expect(useColor(true, { NO_COLOR: "1" })).to.be.false;
    expect(useColor(true, { CI: "true" })).to.be.false;
  });
});
