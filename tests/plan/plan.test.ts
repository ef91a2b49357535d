import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { type ChainSnapshot, type CheckResult } from "../../chain";
import { IRSA_CHECKS, checkChain, linkOf } from "../../mechanisms";
import { diagnose, diagnosisLine } from "../../mechanisms/diagnose";
import { chooseServiceAccount, parseAccountBOutputs } from "../../stacks/crossStack";
import { buildPlan, type Plan } from "../../plan/build";
import { collectSnapshot } from "../../mechanisms/planRegistry";
import { parsePlanConfigs, type PlanConfigs } from "../../plan/config";
import { PLAN_GENERATOR } from "../../plan/files";
import { MAX_MANIFEST_STEM } from "../../plan/manifests";
import { type AccessRow } from "../../plan/matrix";
import { runPasses, type StackPass } from "../../plan/passes";
import { renderPlan, useColor } from "../../plan/render";
import { REPO_ROOT, main, parsePlanArgs, reportPlan, type PlanIo } from "../../plan/cli";
import { loadStackConfig } from "../../stacks/stackFile";
import type { RecordedResource } from "../../engine/mockEngine";

const ROLE_ARN = "arn:aws:iam::444455556666:role/irsa-demo-s3-reader";
const STS = "sts.amazonaws.com";

interface Captured {
  io: PlanIo;
  stdout(): string;
  stderr(): string;
}

function capture(cwd: string, overrides: Partial<PlanIo> = {}): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (s) => out.push(s),
      stderr: (s) => err.push(s),
      isTTY: false,
      env: {},
      cwd,
      ...overrides,
    },
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}

function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

function readYaml(file: string): Record<string, unknown> {
  return yaml.load(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else found.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return found.sort();
}

interface Summary {
  generator: string;
  ok: boolean;
  runs: Array<{
    step: number;
    stack: string;
    messages: string[];
    stackReferences: string[];
    outputs: Record<string, unknown>;
    resources: Array<{ type: string; name: string; inputs: Record<string, unknown> }>;
  }>;
  accessMatrix: AccessRow[];
  links: CheckResult[];
  manifests: Array<{ file: string; kind: string; valid: boolean }>;
  problems: string[];
  artifacts: Record<string, string>;
}

/** An ANSI SGR escape (colour). */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`);

describe("offline plan (npm run plan)", function () {
  this.timeout(30_000);
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));
  });
  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe("on the committed stack configs", () => {
    let out: string;
    let code: number;
    let run: Captured;
    let summary: Summary;

    before(async () => {
      out = path.join(tmp, "committed");
      run = capture(tmp);
      code = await main(["--out", out], run.io);
      summary = readJson<Summary>(path.join(out, "summary.json"));
    });

    it("exits 0 and writes the IAM documents, the manifests and the summary", () => {
      expect(code, run.stderr()).to.equal(0);
      expect(run.stderr()).to.equal("");
      expect(listFiles(out)).to.deep.equal([
        "bucket-policy.json",
        "manifests/deployment-irsa-demo-s3-reader.yaml",
        ...listFiles(out).filter((f) => f.startsWith("manifests/job-irsa-demo-access-check-")),
        "manifests/namespace-irsa-demo.yaml",
        "manifests/serviceaccount-irsa-demo-s3-reader.yaml",
        "permission-policy.json",
        "permission-policy.pretty.json",
        "summary.json",
        "trust-policy.json",
        "trust-policy.pretty.json",
      ]);
      expect(listFiles(out).filter((f) => f.startsWith("manifests/job-"))).to.have.length(1);
    });

    it("writes the trust policy exactly as sent: compact, the provider in account B, exact sub and aud", () => {
      const text = fs.readFileSync(path.join(out, "trust-policy.json"), "utf8");
      expect(text).to.not.match(/\s/);
      const doc = JSON.parse(text) as {
        Statement: Array<{
          Principal: { Federated: string };
          Action: string;
          Condition: Record<string, Record<string, string>>;
        }>;
      };
      expect(JSON.stringify(doc)).to.equal(text);
      expect(doc.Statement).to.have.length(1);
      const [statement] = doc.Statement;
      const issuer = summary.runs[0].outputs.oidcIssuerUrl as string;
      const hostPath = issuer.replace("https://", "");
      expect(hostPath).to.match(/^oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
      expect(statement.Principal.Federated).to.equal(`arn:aws:iam::444455556666:oidc-provider/${hostPath}`);
      expect(statement.Action).to.equal("sts:AssumeRoleWithWebIdentity");
      expect(statement.Condition).to.deep.equal({
        StringEquals: {
          [`${hostPath}:aud`]: STS,
          [`${hostPath}:sub`]: "system:serviceaccount:irsa-demo:s3-reader",
        },
      });
      expect(readJson(path.join(out, "trust-policy.pretty.json"))).to.deep.equal(doc);
    });

    it("writes the permission policy: ListBucket on the bucket, GetObject on its objects, nothing else", () => {
      const text = fs.readFileSync(path.join(out, "permission-policy.json"), "utf8");
      const doc = JSON.parse(text) as {
        Statement: Array<{ Action: unknown; Resource: unknown; Condition?: unknown }>;
      };
      expect(JSON.stringify(doc)).to.equal(text);
      const bucket = summary.runs[1].outputs.bucketName as string;
      expect(doc.Statement.map((s) => [s.Action, s.Resource])).to.deep.equal([
        ["s3:ListBucket", `arn:aws:s3:::${bucket}`],
        ["s3:GetObject", `arn:aws:s3:::${bucket}/*`],
      ]);
      expect(doc.Statement.some((s) => s.Condition !== undefined)).to.be.false;
    });

    it("writes schema-valid manifests wired to the role and the ServiceAccount", () => {
      const sa = readYaml(path.join(out, "manifests/serviceaccount-irsa-demo-s3-reader.yaml"));
      expect(sa).to.deep.include({ apiVersion: "v1", kind: "ServiceAccount" });
      expect(sa).to.have.nested.property("metadata.name", "s3-reader");
      expect(sa).to.have.nested.property("metadata.namespace", "irsa-demo");
      expect(
        (sa.metadata as { annotations: Record<string, string> }).annotations["eks.amazonaws.com/role-arn"],
      ).to.equal(ROLE_ARN);
      const ns = readYaml(path.join(out, "manifests/namespace-irsa-demo.yaml"));
      expect(ns).to.deep.include({ apiVersion: "v1", kind: "Namespace" });
      const deployment = readYaml(path.join(out, "manifests/deployment-irsa-demo-s3-reader.yaml"));
      expect(deployment).to.deep.include({ apiVersion: "apps/v1", kind: "Deployment" });
      expect(deployment).to.have.nested.property("spec.template.spec.serviceAccountName", "s3-reader");
      const jobFile = listFiles(out).find((f) => f.startsWith("manifests/job-"))!;
      const job = readYaml(path.join(out, jobFile));
      expect(job).to.deep.include({ apiVersion: "batch/v1", kind: "Job" });
      expect(job).to.have.nested.property("metadata.namespace", "irsa-demo");
      expect(job).to.have.nested.property("spec.template.spec.serviceAccountName", "s3-reader");
      const env = (
        job as {
          spec: {
            template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } };
          };
        }
      ).spec.template.spec.containers[0].env;
      expect(env).to.deep.include({ name: "EXPECTED_ROLE_ARN", value: ROLE_ARN });
      expect(env).to.deep.include({ name: "S3_BUCKET", value: summary.runs[1].outputs.bucketName });
      expect(summary.manifests.map((m) => [m.kind, m.valid])).to.have.deep.members([
        ["Namespace", true],
        ["ServiceAccount", true],
        ["Deployment", true],
        ["Job", true],
      ]);
    });

    it("summarises three runs in deployment order, with secrets masked and the workload skipped at first", () => {
      expect(summary.generator).to.equal(PLAN_GENERATOR);
      expect(summary.ok).to.be.true;
      expect(summary.problems).to.deep.equal([]);
      expect(summary.runs.map((r) => [r.step, r.stack])).to.deep.equal([
        [1, "account-a"],
        [2, "account-b"],
        [3, "account-a"],
      ]);
      const [first, second, third] = summary.runs;
      expect(first.outputs.workload).to.match(/^skipped/);
      expect(first.outputs.kubeconfig).to.equal("[secret]");
      expect(third.outputs.kubeconfig).to.equal("[secret]");
      expect(first.messages.join("\n")).to.include("has no outputs yet");
      expect(first.resources.map((r) => r.type)).to.not.include("kubernetes:core/v1:ServiceAccount");
      expect(second.stackReferences).to.deep.equal(["organization/cross-account-irsa/account-a"]);
      expect(third.stackReferences).to.deep.equal(["organization/cross-account-irsa/account-b"]);
      expect(third.outputs.roleArn).to.equal(ROLE_ARN);
      const provider = third.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
      expect(provider.inputs.kubeconfig).to.equal("[secret]");
      expect(JSON.stringify(summary)).to.not.include("get-token");
      expect(Object.keys(summary.artifacts)).to.include.members(["trust-policy.json", "summary.json"]);
      expect(summary.artifacts["trust-policy.json"]).to.match(/byte for byte/);
    });

    it("evaluates the access matrix on the planned documents, every row as intended", () => {
      const rows = summary.accessMatrix;
      expect(rows.every((r) => r.ok)).to.be.true;
      const find = (action: string, pred: (r: AccessRow) => boolean) =>
        rows.filter((r) => r.action === action && pred(r));
      const trust = rows.filter((r) => r.kind === "trust");
      expect(trust.filter((r) => r.actual === "Allow").map((r) => r.context.sub)).to.deep.equal([
        "system:serviceaccount:irsa-demo:s3-reader",
      ]);
      expect(trust.map((r) => r.context.sub)).to.include.members([
        "system:serviceaccount:default:s3-reader",
        "system:serviceaccount:irsa-demo:default",
      ]);
      expect(trust.some((r) => r.context.aud !== STS && r.expected === "deny")).to.be.true;
      expect(trust.some((r) => r.resource.includes(":111122223333:") && r.actual !== "Allow")).to.be.true;
      const bucket = summary.runs[1].outputs.bucketName as string;
      expect(
        find("s3:GetObject", (r) => r.resource === `arn:aws:s3:::${bucket}/irsa-check.txt`)[0].actual,
      ).to.equal("Allow");
      for (const action of ["s3:PutObject", "s3:DeleteObject", "s3:GetBucketPolicy", "s3:PutBucketPolicy"]) {
        const matching = find(action, (r) => r.resource.startsWith(`arn:aws:s3:::${bucket}`));
        expect(matching, action).to.not.be.empty;
        expect(
          matching.every((r) => r.actual !== "Allow" && r.expected === "deny"),
          action,
        ).to.be.true;
      }
      expect(
        find("s3:GetObject", (r) => r.resource.startsWith("arn:aws:s3:::another-bucket/"))[0].actual,
      ).to.equal("ImplicitDeny");
    });

    it("passes every link check and prints the trees, the matrix and the links without colour", () => {
      expect(summary.links.filter((l) => l.status !== "pass")).to.deep.equal([]);
      expect(new Set(summary.links.map((l) => linkOf(l.link, "irsa").number))).to.deep.equal(
        new Set([1, 2, 3, 4, 5]),
      );
      const text = run.stdout();
      expect(text).to.not.match(ANSI);
      expect(text).to.include("1. account-a, first update");
      expect(text).to.include("3. account-a, second update");
      // Single-grant mode runs its grant through the binding: the ServiceAccount is its child.
      expect(text).to.match(/└─ cross-account-irsa:index:BucketAccessBinding\s+binding\n/);
      expect(text).to.match(/ {5}├─ kubernetes:core\/v1:ServiceAccount\s+binding\s+cluster-kubernetes/);
      expect(text).to.match(
        /trusted service account\s+irsa-demo\/s3-reader\s+sts\.amazonaws\.com\s+444455556666 …\/[0-9A-F]{8}…\s+allow\s+allow\s+ok/,
      );
      expect(text).to.include("Plan OK");
    });

    it("replaces an earlier plan in the same directory", async () => {
      fs.writeFileSync(path.join(out, "stale.txt"), "from an earlier plan");
      const again = capture(tmp);
      expect(await main(["--out", out], again.io)).to.equal(0);
      expect(fs.existsSync(path.join(out, "stale.txt"))).to.be.false;
      expect(readJson<Summary>(path.join(out, "summary.json"))).to.deep.equal(summary);
      expect(fs.readdirSync(tmp).filter((f) => f.includes(".new-") || f.includes(".old-"))).to.deep.equal([]);
    });
  });

  describe("on a config with several service accounts and prefixes", () => {
    let out: string;
    let code: number;
    let run: Captured;
    let summary: Summary;

    before(async () => {
      const dir = path.join(tmp, "multi");
      fs.mkdirSync(dir);
      fs.writeFileSync(
        path.join(dir, "a.yaml"),
        yaml.dump({
          config: {
            "aws:region": "eu-central-1",
            "aws:allowedAccountIds": ["111111111111"],
            "cross-account-irsa:cluster": { existingName: "platform" },
            "cross-account-irsa:serviceAccount": { namespace: "batch", name: "report-writer" },
          },
        }),
      );
      fs.writeFileSync(
        path.join(dir, "b.yaml"),
        yaml.dump({
          config: {
            "aws:region": "eu-central-1",
            "aws:allowedAccountIds": ["222222222222"],
            "cross-account-irsa:serviceAccounts": [
              { namespace: "irsa-demo", name: "s3-reader" },
              { namespace: "batch", name: "report-writer" },
            ],
            "cross-account-irsa:bucket": { name: "team-reports-bucket", objectKey: "reports/irsa-check.txt" },
            "cross-account-irsa:access": "read-write",
            "cross-account-irsa:prefixes": ["reports/", "exports/"],
            "cross-account-irsa:roleName": "reports-writer",
          },
        }),
      );
      out = path.join(tmp, "multi-out");
      run = capture(dir);
      code = await main(["--config-a", "a.yaml", "--config-b", "b.yaml", `--out=${out}`], run.io);
      summary = readJson<Summary>(path.join(out, "summary.json"));
    });

    it("trusts both service accounts in one sorted StringEquals, and annotates the one account-a names", () => {
      expect(code, run.stderr()).to.equal(0);
      const doc = readJson<{ Statement: Array<{ Condition: { StringEquals: Record<string, unknown> } }> }>(
        path.join(out, "trust-policy.json"),
      );
      const subs = Object.entries(doc.Statement[0].Condition.StringEquals).find(([k]) =>
        k.endsWith(":sub"),
      )![1];
      expect(subs).to.deep.equal([
        "system:serviceaccount:batch:report-writer",
        "system:serviceaccount:irsa-demo:s3-reader",
      ]);
      const sa = readYaml(path.join(out, "manifests/serviceaccount-batch-report-writer.yaml"));
      expect(sa).to.have.nested.property("metadata.namespace", "batch");
      expect(
        (sa.metadata as { annotations: Record<string, string> }).annotations["eks.amazonaws.com/role-arn"],
      ).to.equal("arn:aws:iam::222222222222:role/reports-writer");
      expect(readYaml(path.join(out, "manifests/deployment-batch-s3-reader.yaml"))).to.have.nested.property(
        "spec.template.spec.serviceAccountName",
        "report-writer",
      );
    });

    it("confines listing and object actions to the prefixes", () => {
      const doc = readJson<{ Statement: Array<{ Action: unknown; Resource: unknown; Condition?: unknown }> }>(
        path.join(out, "permission-policy.json"),
      );
      expect(doc.Statement[0]).to.deep.include({
        Action: "s3:ListBucket",
        Resource: "arn:aws:s3:::team-reports-bucket",
        Condition: { StringLike: { "s3:prefix": ["exports/*", "reports/*"] } },
      });
      expect(doc.Statement[1].Resource).to.deep.equal([
        "arn:aws:s3:::team-reports-bucket/exports/*",
        "arn:aws:s3:::team-reports-bucket/reports/*",
      ]);
      const rows = summary.accessMatrix;
      expect(rows.every((r) => r.ok)).to.be.true;
      const decision = (action: string, resource: string, prefix?: string) =>
        rows.find((r) => r.action === action && r.resource === resource && r.context["s3:prefix"] === prefix)
          ?.actual;
      const bucket = "arn:aws:s3:::team-reports-bucket";
      expect(decision("s3:ListBucket", bucket)).to.equal("ImplicitDeny");
      expect(decision("s3:ListBucket", bucket, "reports/")).to.equal("Allow");
      expect(decision("s3:ListBucket", bucket, "outside/")).to.equal("ImplicitDeny");
      expect(decision("s3:PutObject", `${bucket}/exports/example.txt`)).to.equal("Allow");
      expect(decision("s3:DeleteObject", `${bucket}/reports/irsa-check.txt`)).to.equal("Allow");
      expect(decision("s3:GetObject", `${bucket}/outside/example.txt`)).to.equal("ImplicitDeny");
      expect(decision("s3:PutBucketPolicy", bucket)).to.equal("ImplicitDeny");
      const allowedSubs = rows
        .filter((r) => r.kind === "trust" && r.actual === "Allow")
        .map((r) => r.context.sub);
      expect(allowedSubs).to.have.members([
        "system:serviceaccount:irsa-demo:s3-reader",
        "system:serviceaccount:batch:report-writer",
      ]);
      expect(summary.links.every((l) => l.status === "pass")).to.be.true;
    });
  });

  it("writes manifests for names at the limits Kubernetes allows (no file name too long)", async () => {
    // A 63-character namespace and a 253-character ServiceAccount name are valid; their manifest's
    // file name would be over 300 bytes, beyond the 255 a file system allows.
    const namespace = "n".repeat(63);
    const name = Array(4).fill("s".repeat(63)).join(".").slice(0, 253);
    const dir = path.join(tmp, "long-names");
    fs.mkdirSync(dir);
    const sa = { namespace, name };
    const config = (account: string, key: string, value: unknown) =>
      yaml.dump({
        config: { "aws:region": "eu-central-1", "aws:allowedAccountIds": [account], [key]: value },
      });
    fs.writeFileSync(
      path.join(dir, "a.yaml"),
      config("111111111111", "cross-account-irsa:serviceAccount", sa),
    );
    fs.writeFileSync(
      path.join(dir, "b.yaml"),
      config("222222222222", "cross-account-irsa:serviceAccounts", [sa]),
    );
    const out = path.join(dir, "out");
    const run = capture(dir);
    expect(await main(["--config-a", "a.yaml", "--config-b", "b.yaml", `--out=${out}`], run.io)).to.equal(0);
    const files = listFiles(path.join(out, "manifests"));
    expect(files.every((f) => path.basename(f).length <= MAX_MANIFEST_STEM + ".yaml".length)).to.be.true;
    const serviceAccount = files.filter((f) => f.startsWith("serviceaccount-"));
    expect(serviceAccount).to.have.length(1);
    expect(readYaml(path.join(out, "manifests", serviceAccount[0]))).to.have.nested.property(
      "metadata.name",
      name,
    );
  });

  it("a namespace-wide grant plans only when asked for, and its matrix rows say namespace-wide", async () => {
    const dir = path.join(tmp, "namespace-wide");
    fs.mkdirSync(dir);
    const b = (extra: Record<string, unknown>) =>
      yaml.dump({
        config: {
          "aws:region": "eu-west-1",
          "aws:allowedAccountIds": ["222222222222"],
          "cross-account-irsa:conditionTest": "StringLike",
          "cross-account-irsa:serviceAccounts": [{ namespace: "apps", name: "*" }],
          ...extra,
        },
      });
    fs.writeFileSync(
      path.join(dir, "a.yaml"),
      yaml.dump({
        config: {
          "aws:region": "eu-west-1",
          "aws:allowedAccountIds": ["111111111111"],
          "cross-account-irsa:serviceAccount": { namespace: "apps", name: "reader" },
        },
      }),
    );
    fs.writeFileSync(path.join(dir, "refused.yaml"), b({}));
    fs.writeFileSync(path.join(dir, "asked.yaml"), b({ "cross-account-irsa:trustWholeNamespaces": true }));

    const refused = capture(dir);
    const refusedOut = path.join(dir, "refused-out");
    expect(
      await main(["--config-a", "a.yaml", "--config-b", "refused.yaml", `--out=${refusedOut}`], refused.io),
    ).to.equal(1);
    expect(refused.stderr()).to.match(
      /refused\.yaml: cross-account-irsa:serviceAccounts: .* together match every service account of namespace apps; .* cross-account-irsa:trustWholeNamespaces: true/,
    );

    const asked = capture(dir);
    const out = path.join(dir, "asked-out");
    expect(
      await main(["--config-a", "a.yaml", "--config-b", "asked.yaml", `--out=${out}`], asked.io),
    ).to.equal(0);
    const rows = readJson<Summary>(path.join(out, "summary.json")).accessMatrix.filter(
      (r) => r.kind === "trust",
    );
    const inApps = rows.filter((r) => r.context.sub.startsWith("system:serviceaccount:apps:"));
    expect(inApps.length).to.be.greaterThan(0);
    expect(inApps.every((r) => r.scope === "namespace-wide")).to.be.true;
    expect(rows.filter((r) => r.scope === "namespace-wide").length).to.equal(inApps.length);
    // Every name in apps may assume the role; nothing outside apps may.
    const sameProviderSts = (r: AccessRow) =>
      r.context.aud === "sts.amazonaws.com" &&
      r.subject !== "another cluster (its issuer's provider)" &&
      !r.subject.startsWith("a provider in account A");
    expect(inApps.filter(sameProviderSts).every((r) => r.actual === "Allow")).to.be.true;
    expect(
      rows
        .filter((r) => !r.context.sub.startsWith("system:serviceaccount:apps:"))
        .every((r) => r.actual !== "Allow"),
    ).to.be.true;
    expect(asked.stdout()).to.include("[namespace-wide]");
  });

  describe("broken links", () => {
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
        (one(a, "kubernetes:core/v1:ServiceAccount").inputs.metadata as { name: string }).name =
          "other-reader";
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
        expect(diagnosisLine(diagnose(result, check))).to.include(
          "Fix: TRUST FIX for irsa-demo/other-reader.",
        );
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

  describe("bad config and usage", () => {
    let earlier: string;
    let earlierSummary: string;

    before(() => {
      earlier = path.join(tmp, "earlier");
      fs.mkdirSync(earlier);
      earlierSummary = JSON.stringify({ generator: PLAN_GENERATOR, ok: true });
      fs.writeFileSync(path.join(earlier, "summary.json"), earlierSummary);
    });

    function writeConfig(name: string, text: string): string {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, text);
      return file;
    }

    /**
     * Runs the plan into a directory that does not exist (it must stay missing) or, for failures that
     * take program runs, into one holding an earlier plan (it must stay as it was).
     */
    async function expectNothingWritten(
      argv: string[],
      expected: { code: number; stderr: RegExp },
      into: "missing" | "earlier",
    ) {
      const out =
        into === "missing" ? path.join(tmp, `never-${Math.random().toString(36).slice(2)}`) : earlier;
      const run = capture(tmp);
      expect(await main([...argv, "--out", out], run.io)).to.equal(expected.code);
      expect(run.stderr()).to.match(expected.stderr);
      expect(run.stderr()).to.include("nothing written");
      if (into === "missing") {
        expect(fs.existsSync(out)).to.be.false;
      } else {
        expect(listFiles(earlier)).to.deep.equal(["summary.json"]);
        expect(fs.readFileSync(path.join(earlier, "summary.json"), "utf8")).to.equal(earlierSummary);
      }
      expect(fs.readdirSync(tmp).filter((f) => f.includes(".new-") || f.includes(".old-"))).to.deep.equal([]);
    }

    it("an invalid value exits 1 naming the file, the field, the value and the rule", async () => {
      const file = writeConfig(
        "bad-access.yaml",
        fs
          .readFileSync(path.join(REPO_ROOT, "Pulumi.account-b.yaml"), "utf8")
          .replace("cross-account-irsa:access: read", "cross-account-irsa:access: admin"),
      );
      const expected = {
        code: 1,
        stderr:
          /bad-access\.yaml: cross-account-irsa:access: "admin" is invalid: must be one of "read", "read-write", "list"/,
      };
      await expectNothingWritten(["--config-b", file], expected, "missing");
      await expectNothingWritten(["--config-b", file], expected, "earlier");
    });

    it("an account-a service account account-b does not trust exits 1 naming both", async () => {
      const file = writeConfig(
        "mismatch.yaml",
        fs
          .readFileSync(path.join(REPO_ROOT, "Pulumi.account-a.yaml"), "utf8")
          .replace("    name: s3-reader", "    name: other-reader"),
      );
      await expectNothingWritten(
        ["--config-a", file],
        {
          code: 1,
          stderr: /account-a \(step 3 of 3\) failed: .*other-reader.*trusts only irsa-demo\/s3-reader/,
        },
        "earlier",
      );
    });

    it("an adopted OIDC provider for another issuer exits 1 (link 2, caught by the program)", async () => {
      const file = writeConfig(
        "adopt-wrong.yaml",
        `${fs.readFileSync(path.join(REPO_ROOT, "Pulumi.account-b.yaml"), "utf8")}\n  cross-account-irsa:existingOidcProviderArn: ` +
          "arn:aws:iam::444455556666:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/00000000000000000000000000000000\n",
      );
      await expectNothingWritten(
        ["--config-b", file],
        {
          code: 1,
          stderr:
            /account-b \(step 2 of 3\) failed: .*adopt-wrong\.yaml: cross-account-irsa:existingOidcProviderArn: .* must be the IAM OIDC provider of issuerUrl/,
        },
        "missing",
      );
    });

    it("configs that would break link 5 (object outside the prefixes) or link 3 (trust everyone) exit 1", async () => {
      const committed = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.account-b.yaml"), "utf8");
      const outside = writeConfig(
        "outside-prefix.yaml",
        committed
          .replace("    objectKey: irsa-check.txt", "    objectKey: other/irsa-check.txt")
          .replace(
            "  # cross-account-irsa:prefixes: [reports/]",
            "  cross-account-irsa:prefixes: [reports/]",
          ),
      );
      await expectNothingWritten(
        ["--config-b", outside],
        {
          code: 1,
          stderr:
            /outside-prefix\.yaml: cross-account-irsa:bucket\.objectKey: "other\/irsa-check\.txt" is invalid: must be under one of the granted prefixes \["reports\/"\]/,
        },
        "missing",
      );
      const everyone = writeConfig(
        "everyone.yaml",
        `${committed.replace("    - namespace: irsa-demo\n      name: s3-reader", '    - namespace: "*"\n      name: "*"')}` +
          "\n  cross-account-irsa:conditionTest: StringLike\n",
      );
      await expectNothingWritten(
        ["--config-b", everyone],
        {
          code: 1,
          stderr:
            /everyone\.yaml: cross-account-irsa:serviceAccounts\[0\]\.namespace: "\*" is invalid: must be named literally/,
        },
        "missing",
      );
    });

    it("YAML that does not parse and a missing file exit 1", async () => {
      const file = writeConfig("broken.yaml", "config:\n  aws:region: [unclosed\n");
      await expectNothingWritten(
        ["--config-a", file],
        { code: 1, stderr: /broken\.yaml: not valid YAML/ },
        "missing",
      );
      await expectNothingWritten(
        ["--config-a", path.join(tmp, "missing.yaml")],
        {
          code: 1,
          stderr: /missing\.yaml: cannot read the stack config file \(ENOENT\)/,
        },
        "earlier",
      );
    });

    it("usage errors exit 2; --help exits 0", async () => {
      const unknown = capture(tmp);
      expect(await main(["--bogus"], unknown.io)).to.equal(2);
      expect(unknown.stderr()).to.match(/^plan: unknown option --bogus\n\nUsage:/);
      const missing = capture(tmp);
      expect(await main(["--out"], missing.io)).to.equal(2);
      expect(missing.stderr()).to.include("--out needs a value");
      const help = capture(tmp);
      expect(await main(["--help"], help.io)).to.equal(0);
      expect(help.stdout()).to.match(
        /^Usage: npm run plan -- \[--config-a FILE\] \[--config-b FILE\] \[--out DIR\]/,
      );
    });

    it("refuses to replace a directory that is not a plan's output (exit 2)", async () => {
      const foreign = path.join(tmp, "foreign");
      fs.mkdirSync(foreign);
      fs.writeFileSync(path.join(foreign, "notes.txt"), "mine");
      const run = capture(tmp);
      expect(await main(["--out", foreign], run.io)).to.equal(2);
      expect(run.stderr()).to.include("is not an earlier plan's output: refusing to replace it");
      expect(listFiles(foreign)).to.deep.equal(["notes.txt"]);
    });
  });
});
