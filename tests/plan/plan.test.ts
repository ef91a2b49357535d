import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { linkOf } from "../../mechanisms";
import { PLAN_GENERATOR } from "../../plan/files";
import { MAX_MANIFEST_STEM } from "../../plan/manifests";
import { type AccessRow } from "../../plan/matrix";
import { main } from "../../plan/cli";
import {
  ANSI,
  type Captured,
  type Summary,
  ROLE_ARN,
  STS,
  capture,
  listFiles,
  readJson,
  readYaml,
  suiteTempDir,
} from "./planHarness";

describe("offline plan (npm run plan)", function () {
  this.timeout(30_000);
  const tmpDir = suiteTempDir("plan-test-");
  let tmp: string;
  before(() => {
    tmp = tmpDir();
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
});
