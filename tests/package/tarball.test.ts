/**
 * The npm package as a user gets it: `npm pack` (which builds dist/), the tarball installed into a scratch
 * TypeScript program in a temporary folder (see packed.ts: offline, dependencies linked from this
 * repository), the program compiled by TypeScript (strict; checkTypes.ts: the program and the package's
 * declarations checked, other packages' declarations not, as with skipLibCheck) and run under Pulumi's
 * runtime mocks, and a plain JavaScript program that require()s the package.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import ts from "typescript";
import { buildS3AccessPolicy } from "../../components";
import { type PolicyDocument } from "../../components/policyDocument";
import { checkedFully } from "./checkTypes";
import { type Packed, ROOT, expectSuccess, npm, packJson, packed, run, type RunResult } from "./packed";

const FIXTURE = path.join(__dirname, "consumer");
const EXAMPLES = path.join(ROOT, "examples", "library");
const NODE = process.execPath;

/** The files the tarball may hold: the build, the TypeScript source (for `pulumi package add`), the docs. */
const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^CHANGELOG\.md$/,
  /^PulumiPlugin\.yaml$/,
  /^components\/.+\.ts$/,
  /^dist\/.+\.(js|js\.map|d\.ts|d\.ts\.map)$/,
];
/** Folders of the repository that are not the library. */
const FORBIDDEN = [
  "stacks",
  "tests",
  "plan",
  "deploy",
  "engine",
  "chain",
  "mechanisms",
  "bench",
  "doctor",
  "bin",
  "out",
  "node_modules",
];

const HOST_PATH = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER_ARN = `arn:aws:iam::444455556666:oidc-provider/${HOST_PATH}`;
/** The trust statement both consumer programs' IrsaRole must send (one cluster, apps/s3-reader). */
const TRUST_STATEMENT = {
  Effect: "Allow",
  Principal: { Federated: PROVIDER_ARN },
  Action: "sts:AssumeRoleWithWebIdentity",
  Condition: {
    StringEquals: {
      [`${HOST_PATH}:aud`]: "sts.amazonaws.com",
      [`${HOST_PATH}:sub`]: "system:serviceaccount:apps:s3-reader",
    },
  },
};

interface Registration {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
}

/** Every bare module specifier `require`d (JS) or imported (declarations) by the files under `dir`. */
function importedPackages(dir: string, ext: RegExp, skip?: RegExp): Set<string> {
  const found = new Set<string>();
  for (const file of fs.readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!ext.test(file) || skip?.test(file.split(path.sep).join("/"))) continue;
    const info = ts.preProcessFile(fs.readFileSync(path.join(dir, file), "utf8"), true, true);
    for (const { fileName } of [...info.importedFiles, ...info.typeReferenceDirectives]) {
      if (fileName.startsWith(".") || fileName.startsWith("node:")) continue;
      // "@scope/name/sub/path" -> "@scope/name"; "name/sub" -> "name".
      const parts = fileName.split("/");
      found.add(fileName.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]);
    }
  }
  return found;
}

/** The one registration of a type; fails when there is none or more than one. */
function onlyOne(registrations: Registration[], type: string): Registration {
  const found = registrations.filter((r) => r.type === type);
  expect(found, type).to.have.length(1);
  return found[0];
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

describe("the npm package (npm pack, installed into a scratch program)", function () {
  this.timeout(240_000);
  let pkg: Packed;
  // Started in `before`, awaited by the tests that need them: the JavaScript program runs while tsc checks.
  let tsc: Promise<RunResult>;
  let js: Promise<RunResult>;

  before(async function () {
    pkg = await packed();
    for (const f of ["tsconfig.json", "index.ts", "run.ts", "runExample.ts", "consumer.js"]) {
      fs.copyFileSync(path.join(FIXTURE, f), path.join(pkg.consumerDir, f));
    }
    // The library's examples, type-checked by the same tsc run as the scratch program.
    fs.mkdirSync(path.join(pkg.consumerDir, "examples"));
    for (const f of fs.readdirSync(EXAMPLES).filter((e) => e.endsWith(".ts"))) {
      fs.copyFileSync(path.join(EXAMPLES, f), path.join(pkg.consumerDir, "examples", f));
    }
    fs.writeFileSync(
      path.join(pkg.consumerDir, "package.json"),
      JSON.stringify({
        name: "consumer",
        private: true,
        dependencies: { "cross-account-irsa": `file:../${path.basename(pkg.tarball)}` },
      }),
    );
    tsc = run(
      NODE,
      [
        "-r",
        path.join(ROOT, "scripts", "tsCache.js"),
        path.join(__dirname, "checkTypes.ts"),
        pkg.consumerDir,
      ],
      pkg.consumerDir,
    );
    js = run(NODE, ["consumer.js", "js-result.json"], pkg.consumerDir);
  });

  describe("contents", () => {
    it("`npm pack --dry-run` lists only the library: the build, its source, README, LICENSE, CHANGELOG", async () => {
      const dry = expectSuccess(
        "npm pack --dry-run",
        await npm(["pack", "--dry-run", "--json", "--ignore-scripts"]),
      );
      const files = packJson(dry.stdout)[0]
        .files.map((f) => f.path)
        .sort();
      expect(files, "npm pack --dry-run and the packed tarball").to.deep.equal(pkg.files);
      for (const f of files) {
        expect(
          ALLOWED.some((re) => re.test(f)),
          `${f} is not part of the library`,
        ).to.equal(true);
        expect(FORBIDDEN.includes(f.split("/")[0]), f).to.equal(false);
      }
      expect(files).to.include.members([
        "package.json",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "PulumiPlugin.yaml",
      ]);
    });

    it("has every components/ source, and its .js, .d.ts and source maps in dist/", () => {
      const sources = fs
        .readdirSync(path.join(ROOT, "components"), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts"))
        .map((f) => f.split(path.sep).join("/"));
      expect(sources).to.include("index.ts");
      const expected = sources.flatMap((f) => {
        const base = f.replace(/\.ts$/, "");
        return [
          `components/${f}`,
          ...[".js", ".js.map", ".d.ts", ".d.ts.map"].map((e) => `dist/${base}${e}`),
        ];
      });
      // Exactly these: a stale dist/ file of a deleted source would fail here. (dist/cli/ is the
      // binary's build, bin.test.ts.)
      expect(
        pkg.files.filter(
          (f) => f.startsWith("components/") || (f.startsWith("dist/") && !f.startsWith("dist/cli/")),
        ),
      ).to.have.members(expected);
    });

    it("declares exactly the packages its compiled code (library and binary) requires as dependencies, and no peers", () => {
      const dependencies = Object.keys(pkg.manifest.dependencies ?? {});
      const required = importedPackages(path.join(pkg.packageDir, "dist"), /\.js$/);
      expect([...required], "packages dist/*.js requires").to.have.members(dependencies);
      // The declarations reach no further (no devDependency's types leak into a consumer's type check).
      const typed = importedPackages(path.join(pkg.packageDir, "dist"), /\.d\.ts$/);
      expect(
        [...typed].filter((p) => !dependencies.includes(p)),
        "packages dist/*.d.ts imports",
      ).to.deep.equal([]);
      expect(pkg.manifest.peerDependencies, "peerDependencies").to.equal(undefined);
      // The library alone (not the binary's dist/cli/) needs the Pulumi SDKs only: a Pulumi program
      // that imports it loads neither the AWS SDK, nor YAML, nor the Kubernetes client.
      const library = importedPackages(path.join(pkg.packageDir, "dist"), /\.js$/, /^cli\//);
      expect(
        [...library].filter((p) => !p.startsWith("@pulumi/")),
        "packages the library requires",
      ).to.deep.equal([]);
    });

    it("points `types` and `exports` at the build, and `main` at the source `pulumi package add` loads", () => {
      const m = pkg.manifest;
      expect(m.types).to.equal("dist/index.d.ts");
      expect(m.exports?.["."]).to.deep.equal({ types: "./dist/index.d.ts", default: "./dist/index.js" });
      expect(m.main).to.equal("components/index.ts");
      expect(fs.existsSync(path.join(pkg.installedDir, "dist", "index.js"))).to.equal(true);
      // TypeScript's exports-aware resolution (node16, bundler) takes the `types` condition.
      for (const moduleResolution of [ts.ModuleResolutionKind.Node16, ts.ModuleResolutionKind.Bundler]) {
        const module =
          moduleResolution === ts.ModuleResolutionKind.Node16 ? ts.ModuleKind.Node16 : ts.ModuleKind.ESNext;
        const resolved = ts.resolveModuleName(
          "cross-account-irsa",
          path.join(pkg.consumerDir, "index.ts"),
          { module, moduleResolution },
          ts.sys,
        ).resolvedModule?.resolvedFileName;
        expect(resolved, ts.ModuleResolutionKind[moduleResolution]).to.equal(
          path.join(pkg.installedDir, "dist", "index.d.ts"),
        );
      }
    });
  });

  describe("a TypeScript program", () => {
    let result: {
      registrations: Registration[];
      urns: string[];
      exports: string[];
      library: string;
      pulumi: { program: string; library: string };
    };

    it("type-checks (strict) against the package's declarations, which are checked too", async () => {
      const r = await tsc;
      expect(r.status, `tsc failed:\n${r.stdout}${r.stderr}`).to.equal(0);
    });

    it("checks every file but other packages' declarations (checkTypes.ts, the skipLibCheck of those only)", () => {
      const dir = pkg.consumerDir;
      expect(checkedFully(path.join(dir, "index.ts"), "cross-account-irsa")).to.equal(true);
      expect(checkedFully(path.join(pkg.installedDir, "dist", "index.d.ts"), "cross-account-irsa")).to.equal(
        true,
      );
      const aws = path.join(ROOT, "node_modules", "@pulumi", "aws", "index.d.ts");
      expect(checkedFully(aws, "cross-account-irsa")).to.equal(false);
      const nested = path.join(pkg.installedDir, "node_modules", "@pulumi", "aws", "index.d.ts");
      expect(checkedFully(nested, "cross-account-irsa")).to.equal(false);
    });

    it("runs under Pulumi's runtime mocks from the compiled build, with one @pulumi/pulumi", async () => {
      expectSuccess("tsc", await tsc);
      expectSuccess("the program", await run(NODE, ["bin/run.js", "ts-result.json"], pkg.consumerDir));
      result = readJson(path.join(pkg.consumerDir, "ts-result.json"));
      expect(result.library).to.equal(path.join(pkg.installedDir, "dist", "index.js"));
      expect(result.pulumi.library, "the package's @pulumi/pulumi is the program's").to.equal(
        result.pulumi.program,
      );
      expect(result.exports).to.deep.equal(["bucketName", "rejectedByTheDeclarations", "roleArn"]);
    });

    it("registers a SecureBucket with the bucket settings it sends", () => {
      const sent = (type: string): Registration => onlyOne(result.registrations, type);
      expect(sent("cross-account-irsa:index:SecureBucket")).to.include({ name: "data", custom: false });
      expect(sent("aws:s3/bucket:Bucket").inputs).to.include({
        bucket: "team-irsa-data",
        forceDestroy: false,
      });
      expect(sent("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).to.include({
        bucket: "team-irsa-data",
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      // Children of the component: their URNs carry its type as their parent's.
      for (const type of ["aws:s3/bucket:Bucket", "aws:s3/bucketPolicy:BucketPolicy"]) {
        expect(
          result.urns.some((u) => u.includes(`cross-account-irsa:index:SecureBucket$${type}::`)),
          type,
        ).to.equal(true);
      }
    });

    it("registers an IrsaRole whose role trusts exactly the service account, with the S3 policy it sends", () => {
      const one = (type: string): Registration => onlyOne(result.registrations, type);
      expect(one("cross-account-irsa:index:IrsaRole")).to.include({ name: "s3-reader", custom: false });
      const role = one("aws:iam/role:Role").inputs;
      expect(role.name).to.equal("apps-s3-reader");
      expect((JSON.parse(role.assumeRolePolicy as string) as PolicyDocument).Statement).to.deep.equal([
        TRUST_STATEMENT,
      ]);
      const inline = one("aws:iam/rolePolicy:RolePolicy").inputs;
      expect(inline).to.include({ name: "s3-read", role: "apps-s3-reader" });
      expect(JSON.parse(inline.policy as string)).to.deep.equal(
        buildS3AccessPolicy({ bucketName: "team-irsa-data" }),
      );
      expect(
        result.urns.some((u) => u.includes("cross-account-irsa:index:IrsaRole$aws:iam/role:Role::")),
      ).to.equal(true);
    });
  });

  describe("a JavaScript program", () => {
    it("require()s it and import()s it, gets the same library, and registers an IrsaRole with the inputs it sends", async () => {
      expectSuccess("the JavaScript program", await js);
      const result = readJson<{
        trustPolicy: PolicyDocument;
        registrations: Registration[];
        requireExports: string[];
        importExports: string[];
        sameClassBothWays: boolean;
      }>(path.join(pkg.consumerDir, "js-result.json"));
      expect(result.trustPolicy.Statement).to.deep.equal([TRUST_STATEMENT]);
      expect(result.requireExports).to.include.members(["IrsaRole", "SecureBucket", "buildTrustPolicy"]);
      expect(result.importExports).to.deep.equal(result.requireExports);
      expect(result.sameClassBothWays).to.equal(true);
      expect(onlyOne(result.registrations, "cross-account-irsa:index:IrsaRole")).to.include({
        name: "s3-reader",
        custom: false,
      });
      const role = onlyOne(result.registrations, "aws:iam/role:Role").inputs;
      expect(role.name).to.equal("apps-s3-reader");
      expect((JSON.parse(role.assumeRolePolicy as string) as PolicyDocument).Statement).to.deep.equal([
        TRUST_STATEMENT,
      ]);
    });
  });
  describe("the library examples (examples/library/), from the packed package", () => {
    const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
    const CLUSTER = "arn:aws:eks:eu-west-1:111122223333:cluster/prod";
    interface ExampleResult {
      registrations: (Registration & { read: boolean })[];
      outputs: Record<string, unknown>;
      error?: string;
    }
    interface Queued {
      example: string;
      config: Record<string, string>;
      stacks: Record<string, unknown>;
      resolve: (r: ExampleResult) => void;
      reject: (e: unknown) => void;
    }
    const results = new Map<string, Promise<ExampleResult>>();
    let queue: Queued[] = [];
    let batches = 0;
    /** Runs the examples asked for in one tick in one child process (the SDKs load once), after tsc. */
    const flush = (): void => {
      const runs = queue;
      queue = [];
      const batch = batches++;
      const list = runs.map((r, i) => ({
        example: `bin/examples/${r.example}.js`,
        result: `example-${batch}-${i}.json`,
        config: r.config,
        stacks: r.stacks,
      }));
      tsc
        .then(async (compiled) => {
          expectSuccess("tsc", compiled);
          fs.writeFileSync(path.join(pkg.consumerDir, `examples-${batch}.json`), JSON.stringify(list));
          const names = runs.map((r) => r.example).join(", ");
          expectSuccess(
            names,
            await run(NODE, ["bin/runExample.js", `examples-${batch}.json`], pkg.consumerDir),
          );
          runs.forEach((r, i) => {
            const result = readJson<ExampleResult>(path.join(pkg.consumerDir, list[i].result));
            if (result.error === undefined) r.resolve(result);
            else r.reject(new Error(`${r.example} failed under mocks: ${result.error}`));
          });
        })
        .catch((e: unknown) => runs.forEach((r) => r.reject(e)));
    };
    /** An example's run under mocks (once per name and arguments), batched with those asked for with it. */
    const runExample = (
      example: string,
      config: Record<string, string> = {},
      stacks: Record<string, unknown> = {},
    ): Promise<ExampleResult> => {
      const key = JSON.stringify([example, config]);
      let result = results.get(key);
      if (result === undefined) {
        result = new Promise<ExampleResult>((resolve, reject) => {
          if (queue.length === 0) setImmediate(flush);
          queue.push({ example, config, stacks, resolve, reject });
        });
        // Awaited by the tests that read it; a failure is theirs to report, not an unhandled rejection.
        result.catch(() => undefined);
        results.set(key, result);
      }
      return result;
    };
    const of = (r: ExampleResult, type: string) => r.registrations.filter((x) => x.type === type);
    const trustOf = (r: ExampleResult) =>
      (JSON.parse(of(r, "aws:iam/role:Role")[0].inputs.assumeRolePolicy as string) as PolicyDocument)
        .Statement;
    const principals = (r: ExampleResult) =>
      trustOf(r).map((st) => Object.keys(st.Principal as Record<string, unknown>)[0]);
    const annotated = (r: ExampleResult) =>
      of(r, "kubernetes:core/v1:ServiceAccount").map(
        (sa) =>
          (sa.inputs.metadata as { annotations?: Record<string, string> }).annotations?.[
            "eks.amazonaws.com/role-arn"
          ],
      );

    before(function () {
      // All examples in one batch, while the tests below wait for the ones they read.
      void runExample(
        "quickstart-account-b",
        {},
        { "acme/cluster/prod": { oidcIssuerUrl: ISSUER, clusterArn: CLUSTER } },
      );
      for (const e of ["irsa", "pod-identity", "irsa-chained", "existing-bucket", "two-clusters"])
        void runExample(e);
      for (const step of ["1", "2", "3"]) void runExample("migration", { "consumer:migrationStep": step });
    });

    it("quick start: one grant, two buckets (one existing, one created), trusted by IRSA and Pod Identity, bound in account A", async () => {
      const b = await runExample(
        "quickstart-account-b",
        {},
        { "acme/cluster/prod": { oidcIssuerUrl: ISSUER, clusterArn: CLUSTER } },
      );
      expect(
        of(b, "aws:s3/bucket:Bucket").map((x) => x.inputs.bucket),
        "only the bucket asked to be created",
      ).to.deep.equal(["acme-exports"]);
      expect(of(b, "aws:iam/rolePolicy:RolePolicy").map((x) => x.inputs.name)).to.have.members([
        "s3-acme-reports",
        "s3-acme-exports",
      ]);
      expect(principals(b)).to.deep.equal(["Federated", "AWS"]);
      const handoff = b.outputs.handoff as {
        mechanisms: string[];
        roleArn: string;
        buckets: { name: string }[];
      };
      expect(handoff.mechanisms).to.deep.equal(["irsa", "pod-identity"]);
      expect(handoff.buckets.map((x) => x.name)).to.deep.equal(["acme-reports", "acme-exports"]);

      const a = await runExample(
        "quickstart-account-a",
        { "aws:allowedAccountIds": '["111122223333"]' },
        { "acme/data/prod": { handoff } },
      );
      expect(annotated(a)).to.deep.equal([handoff.roleArn]);
      const association = of(a, "aws:eks/podIdentityAssociation:PodIdentityAssociation");
      expect(association.map((x) => [x.inputs.roleArn, x.inputs.targetRoleArn])).to.deep.equal([
        ["arn:aws:iam::111122223333:role/reports-source", handoff.roleArn],
      ]);
      expect(of(a, "kubernetes:batch/v1:Job"), "the probe's access check").to.have.length(1);
      expect(a.outputs.podCredentialPath, "IRSA's web identity comes first in the SDKs' chain").to.equal(
        "irsa",
      );
    });

    it("IRSA: an existing bucket under a prefix, an adopted provider (read), the annotation", async () => {
      const r = await runExample("irsa");
      const provider = of(r, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
      expect(provider.map((x) => x.read)).to.deep.equal([true]);
      expect(of(r, "aws:s3/bucket:Bucket")).to.have.length(0);
      expect(of(r, "aws:eks/podIdentityAssociation:PodIdentityAssociation")).to.have.length(0);
      expect(annotated(r)).to.deep.equal(["arn:aws:iam::222233334444:role/apps-reports"]);
    });

    it("Pod Identity: no OIDC provider, the source role in account A, the association, no annotation", async () => {
      const r = await runExample("pod-identity");
      expect(of(r, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).to.have.length(0);
      expect(principals(r)).to.deep.equal(["AWS"]);
      const roles = of(r, "aws:iam/role:Role").map((x) => x.inputs.name);
      expect(roles).to.include("exports-source");
      expect(annotated(r)).to.deep.equal([undefined]);
      expect(
        of(r, "kubernetes:core/v1:Namespace").map((x) => (x.inputs.metadata as { name: string }).name),
      ).to.deep.equal(["jobs"]);
    });

    it("IRSA with role chaining: no provider in B, A's provider and source role, the annotation and the profile", async () => {
      const r = await runExample("irsa-chained");
      const source = "arn:aws:iam::111122223333:role/reports-chained";
      expect(trustOf(r).map((st) => st.Condition)).to.deep.equal([
        { ArnEquals: { "aws:PrincipalArn": source } },
      ]);
      const providers = of(r, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
      expect(
        providers.map((p) => p.inputs.url),
        "one provider, account A's",
      ).to.deep.equal([ISSUER]);
      expect(of(r, "aws:iam/role:Role").map((x) => x.inputs.name)).to.have.members([
        "reports",
        "reports-chained",
      ]);
      expect(annotated(r)).to.deep.equal([source]);
      const config = of(r, "kubernetes:core/v1:ConfigMap").map(
        (x) => (x.inputs.data as { config: string }).config,
      );
      expect(config).to.have.length(1);
      expect(config[0]).to.include(`role_arn = ${source}`);
      expect(config[0]).to.include("role_arn = arn:aws:iam::222233334444:role/reports");
      expect(JSON.stringify(of(r, "kubernetes:batch/v1:Job")[0].inputs)).to.include("AWS_PROFILE");
      expect(r.outputs.podCredentialPath).to.equal("irsa-chained");
    });

    it("an existing bucket with another account's KMS key: the key-policy statement its owner must add", async () => {
      const r = await runExample("existing-bucket");
      const statements = r.outputs.kmsKeyPolicyStatements as Record<string, string>;
      const key = "arn:aws:kms:eu-west-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab";
      expect(Object.keys(statements)).to.deep.equal([key]);
      expect(JSON.parse(statements[key])).to.deep.include({ Action: "kms:Decrypt", Resource: "*" });
    });

    it("two clusters: a provider and a statement per issuer, a statement per cluster for Pod Identity", async () => {
      const r = await runExample("two-clusters");
      expect(of(r, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).to.have.length(2);
      expect(principals(r)).to.deep.equal(["Federated", "Federated", "AWS", "AWS"]);
    });

    it("the migration, step by step: trust both, move the pods (annotation dropped), drop the IRSA trust", async () => {
      const [one, two, three] = await Promise.all(
        ["1", "2", "3"].map((step) => runExample("migration", { "consumer:migrationStep": step })),
      );
      expect(principals(one)).to.deep.equal(["Federated", "AWS"]);
      expect(annotated(one)).to.deep.equal(["arn:aws:iam::222233334444:role/reports"]);
      expect(one.outputs.podCredentialPath).to.equal("irsa");
      expect(principals(two)).to.deep.equal(["Federated", "AWS"]);
      expect(annotated(two)).to.deep.equal([undefined]);
      expect(two.outputs.podCredentialPath).to.equal("pod-identity");
      expect(principals(three)).to.deep.equal(["AWS"]);
      expect(
        of(three, "aws:iam/openIdConnectProvider:OpenIdConnectProvider"),
        "the OIDC provider is dropped",
      ).to.have.length(0);
      for (const step of [one, two, three]) {
        expect(of(step, "aws:eks/podIdentityAssociation:PodIdentityAssociation")).to.have.length(1);
      }
    });
  });
});
