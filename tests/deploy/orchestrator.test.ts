import { expect } from "chai";
import {
  ACCOUNT_A_STACK_KEY,
  ACCOUNT_B_STACK_KEY,
  PROGRAM_KEY,
  deploy,
  deployPhases,
  destroyPhases,
  previewPhases,
} from "../../deploy/orchestrator";
import { DEFAULT_STACKS } from "../../cli/shared/stacks";
import { countChanges } from "../../deploy/progress";
import { loadStackConfig } from "../../stacks/stackFile";
import { MemoryWorkspace } from "./memoryWorkspace";
import { cleanDeployState, harness } from "./orchestratorFixtures";

describe("automation orchestration", () => {
  describe("phases", () => {
    it("deploys account-a, account-b, account-a; previews and destroys a then b", () => {
      const s = { a: "x-a", b: "x-b" };
      expect(deployPhases(s).map((p) => `${p.index}/${p.total} ${p.kind} ${p.stack}`)).to.deep.equal([
        "1/3 up x-a",
        "2/3 up x-b",
        "3/3 up x-a",
      ]);
      expect(
        deployPhases(s, ["b", "a"]).map((p) => `${p.index}/${p.total} ${p.kind} ${p.stack}`),
      ).to.deep.equal(["1/2 up x-b", "2/2 up x-a"]);
      expect(previewPhases(s, ["a", "b", "a"]).map((p) => p.stack)).to.deep.equal(["x-a", "x-b"]);
      expect(previewPhases(s, ["b", "a"]).map((p) => p.stack)).to.deep.equal(["x-b", "x-a"]);
      expect(previewPhases(s).map((p) => `${p.index}/${p.total} ${p.kind} ${p.stack}`)).to.deep.equal([
        "1/2 preview x-a",
        "2/2 preview x-b",
      ]);
      expect(destroyPhases(s).map((p) => `${p.index}/${p.total} ${p.kind} ${p.stack}`)).to.deep.equal([
        "1/2 destroy x-a",
        "2/2 destroy x-b",
      ]);
    });
  });

  describe("deploy", () => {
    it("creates or selects both stacks before the first up, then runs a, b, a", async () => {
      const h = harness();
      const outcome = await deploy(h.options);
      expect(outcome.ok, h.err.join("\n")).to.be.true;
      expect(h.ws.callLog(["createOrSelect", "up"])).to.deep.equal([
        "createOrSelect account-a",
        "createOrSelect account-b",
        "up account-a",
        "up account-b",
        "up account-a",
      ]);
      expect(h.err).to.deep.equal([]);
    });

    it("ends with the workload deployed and both stacks' outputs", async () => {
      const h = harness();
      const outcome = await deploy(h.options);
      const a = outcome.outputs?.["account-a"] ?? {};
      const b = outcome.outputs?.["account-b"] ?? {};
      expect(a.accessCheck?.value).to.include({ namespace: "irsa-demo", bucketName: b.bucketName.value });
      expect(a.workload).to.equal(undefined);
      expect(b.roleArn.value).to.equal("arn:aws:iam::444455556666:role/irsa-demo-s3-reader");
      const summaries = outcome.phases.map((p) => countChanges(p.resourceChanges ?? {}));
      // The real programs: root + the cluster's 4; root + 15 (provider, bucket, the grant, its role
      // and their parts; the grant's read of the provider creates nothing); then the 7 of the workload
      // (ServiceAccount, Namespace, reader, access check).
      expect(summaries.map((c) => [c.created, c.unchanged])).to.deep.equal([
        [5, 0],
        [16, 0],
        [7, 5],
      ]);
      expect(h.out).to.include(
        "[3/3 account-a] up done in 12.0s: 7 created, 0 updated, 0 deleted, 5 unchanged",
      );
      // What the program logs reaches the progress output.
      expect(h.out).to.include(
        "[1/3 account-a] info: account-b (organization/cross-account-irsa/account-b) has no outputs yet: creating the cluster only. Run account-b's update, then this stack's again, to create the ServiceAccount, the reader and the access check.",
      );
    });

    it("prints each stack's outputs at the end with secrets masked, and never prints a secret", async () => {
      const h = harness();
      await deploy(h.options);
      const at = h.out.indexOf("account-a outputs:");
      expect(at).to.be.greaterThan(-1);
      expect(h.out.slice(at)).to.include("  kubeconfig: [secret]");
      const clusterName = String(h.ws.stacks.get("account-a")?.outputs.clusterName.value);
      expect(h.out.slice(at)).to.include(`  clusterName: ${clusterName}`);
      expect(h.out).to.include("account-b outputs:");
      expect(h.out).to.include('  serviceAccount: {"namespace":"irsa-demo","name":"s3-reader"}');
      const kubeconfig = String(h.ws.stacks.get("account-a")?.outputs.kubeconfig.value);
      expect(kubeconfig).to.include("get-token");
      const everything = [...h.out, ...h.err].join("\n");
      expect(everything).not.to.include(kubeconfig);
      expect(everything).not.to.include("get-token");
    });

    it("is idempotent: a second deploy changes nothing and writes no config", async () => {
      const h = harness();
      await deploy(h.options);
      const before = { a: h.ws.snapshot("account-a"), b: h.ws.snapshot("account-b") };
      h.ws.calls.length = 0;
      const again = await deploy(h.options);
      expect(again.ok).to.be.true;
      for (const p of again.phases) {
        const c = countChanges(p.resourceChanges ?? {});
        expect([c.created, c.updated, c.deleted], `phase ${p.phase.index}`).to.deep.equal([0, 0, 0]);
      }
      expect(h.ws.callLog(["setConfig"])).to.deep.equal([]);
      expect({ a: h.ws.snapshot("account-a"), b: h.ws.snapshot("account-b") }).to.deep.equal(before);
    });

    it("streams one line per resource operation with the phase label", async () => {
      const h = harness();
      await deploy(h.options);
      expect(h.out).to.include("[1/3 account-a]    +2.0s create  pulumi:providers:aws account-a (1.0s)");
      expect(h.out).to.include("[2/3 account-b]   +15.0s create  aws:iam/role:Role irsa-role (1.0s)");
      expect(h.out).to.include("[3/3 account-a]    +2.0s same    pulumi:providers:aws account-a");
      expect(h.out.filter((l) => l.includes("pulumi:pulumi:Stack"))).to.deep.equal([]);
    });

    // run2: [created, unchanged] per phase of the second run. The root stack resource counts too.
    const failurePoints = [
      // Phase 1 stops at the eks.Cluster: the rerun's phase 1 creates it and the Kubernetes provider.
      {
        phase: 1,
        stack: "account-a",
        afterSteps: 3,
        resource: 'eks:index:Cluster "cluster"',
        run2: [
          [2, 3],
          [16, 0],
          [7, 5],
        ],
      },
      // Phase 2 stops at the role: account-a is unchanged, account-b finishes the role and its
      // policy, phase 3 adds the workload.
      {
        phase: 2,
        stack: "account-b",
        afterSteps: 14,
        resource: 'aws:iam/role:Role "irsa-role"',
        run2: [
          [0, 5],
          [2, 14],
          [7, 5],
        ],
      },
      // Phase 3 stops at the Deployment: account-b's outputs exist now, so the rerun's phase 1
      // already finishes the workload and phases 2 and 3 find nothing to do.
      {
        phase: 3,
        stack: "account-a",
        afterSteps: 11,
        resource: 'kubernetes:apps/v1:Deployment "binding-reader"',
        run2: [
          [1, 11],
          [0, 16],
          [0, 12],
        ],
      },
    ];
    for (const point of failurePoints) {
      it(`resumes after a failure in phase ${point.phase}/3: the second run converges`, async () => {
        const clean = await cleanDeployState();
        // Phase 3 is account-a's second up: let the first one through.
        const ws = new MemoryWorkspace().failNext({
          op: "up",
          stack: point.stack,
          afterSteps: point.afterSteps,
          skip: point.phase === 3 ? 1 : 0,
        });
        const first = harness(ws);
        const failed = await deploy(first.options);
        expect(failed.ok).to.be.false;
        expect(failed.failure?.phase?.index).to.equal(point.phase);
        expect(failed.failure?.stack).to.equal(point.stack);
        const report = first.err.join("\n");
        expect(report).to.include(`deploy failed in phase ${point.phase}/3 (up ${point.stack})`);
        expect(report).to.include(`resource: ${point.resource} (create failed)`);
        expect(report).to.include("AccessDenied");
        expect(report).to.include("The state is consistent");
        expect(report).to.include("run `npm run deploy` again");
        expect(report).not.to.include("pulumi cancel");
        expect(report).not.to.include("--clear-pending-creates");
        expect(first.ws.callLog(["up"])).to.have.length(point.phase);

        const second = harness(ws);
        const resumed = await deploy(second.options);
        expect(resumed.ok, second.err.join("\n")).to.be.true;
        const counts = resumed.phases.map((p) => countChanges(p.resourceChanges ?? {}));
        expect(counts.map((c) => [c.created, c.unchanged])).to.deep.equal(point.run2);
        expect({ a: ws.snapshot("account-a"), b: ws.snapshot("account-b") }).to.deep.equal(clean);
      });
    }

    it("after an interruption, points at pending operations and `pulumi refresh --clear-pending-creates`", async () => {
      const ws = new MemoryWorkspace().failNext({
        op: "up",
        stack: "account-b",
        afterSteps: 2,
        mode: "interrupt",
      });
      const h = harness(ws, DEFAULT_STACKS, true);
      h.options.pulumiPrefix = "PULUMI_BACKEND_URL=file:///state ";
      const outcome = await deploy(h.options);
      expect(outcome.ok).to.be.false;
      expect(outcome.failure?.interrupted).to.be.true;
      const report = h.err.join("\n");
      expect(report).to.include("deploy interrupted in phase 2/3 (up account-b)");
      expect(report).to.include(
        "`PULUMI_BACKEND_URL=file:///state pulumi refresh --clear-pending-creates --stack account-b --yes`",
      );
      expect(ws.snapshot("account-b").pending).to.have.length(1);
      const resumed = await deploy(harness(ws).options);
      expect(resumed.ok).to.be.true;
      expect(ws.snapshot("account-b").pending).to.deep.equal([]);
    });

    it("when the stack is locked, says so and points at `pulumi cancel`", async () => {
      const ws = new MemoryWorkspace().failNext({
        op: "up",
        stack: "account-a",
        afterSteps: 0,
        mode: "locked",
      });
      const h = harness(ws);
      const outcome = await deploy(h.options);
      expect(outcome.ok).to.be.false;
      const report = h.err.join("\n");
      expect(report).to.include("deploy failed in phase 1/3 (up account-a)");
      expect(report).to.include("resource: no single resource");
      expect(report).to.include("`pulumi cancel --stack account-a --yes`");
      expect(h.ws.callLog(["up"])).to.deep.equal(["up account-a"]);
    });

    it("reports a program error (no resource) with the phase and the diagnostic", async () => {
      // The real account-a program refusing a bad value in its stack file.
      const committed = loadStackConfig("Pulumi.account-a.yaml");
      const ws = new MemoryWorkspace({
        "account-a": {
          config: { ...committed.config, "cross-account-irsa:cluster": '{"version":1.33}' },
          secretKeys: [],
        },
      });
      const h = harness(ws);
      const outcome = await deploy(h.options);
      expect(outcome.ok).to.be.false;
      const report = h.err.join("\n");
      expect(report).to.include("resource: no single resource (the error came from the program");
      expect(report).to.include(
        "cause:    cross-account-irsa:cluster.version: 1.33 is invalid: must be a string",
      );
    });

    it("reports a failure to create or select a stack as a setup failure", async () => {
      const ws = new MemoryWorkspace();
      ws.createOrSelect = () =>
        Promise.reject(new Error("code: 255\n stdout: \n stderr: error: passphrase must be set\n err?: \n"));
      const h = harness(ws);
      const outcome = await deploy(h.options);
      expect(outcome.ok).to.be.false;
      expect(h.err[0]).to.equal("deploy failed in create or select stack account-a");
      expect(h.err.join("\n")).to.include("cause:    error: passphrase must be set");
      expect(ws.callLog(["up"])).to.deep.equal([]);
    });

    it("with custom stack names, points the StackReferences (and programs) at the right stacks", async () => {
      const stacks = { a: "dev-a", b: "dev-b" };
      const h = harness(new MemoryWorkspace(), stacks);
      const outcome = await deploy(h.options);
      expect(outcome.ok, h.err.join("\n")).to.be.true;
      const sets = h.ws.calls
        .filter((c) => c.method === "setConfig")
        .map((c) => `${c.stack} ${c.key}=${c.value}`);
      expect(sets).to.deep.equal([
        `dev-a ${PROGRAM_KEY}=account-a`,
        `dev-a ${ACCOUNT_B_STACK_KEY}=organization/cross-account-irsa/dev-b`,
        `dev-b ${PROGRAM_KEY}=account-b`,
        `dev-b ${ACCOUNT_A_STACK_KEY}=organization/cross-account-irsa/dev-a`,
      ]);
      // The config is written before the first up.
      const log = h.ws.callLog(["setConfig", "up"]);
      expect(log.indexOf("up dev-a")).to.be.greaterThan(log.lastIndexOf("setConfig dev-b"));
      expect(outcome.outputs?.["dev-a"].accessCheck).not.to.equal(undefined);
      expect(h.out).to.include(
        `set ${ACCOUNT_A_STACK_KEY} = organization/cross-account-irsa/dev-a on stack dev-b`,
      );
    });

    it("warns when account-a still skips the workload after phase 3", async () => {
      // account-a reads another stack, which exists but was never deployed.
      const committed = loadStackConfig("Pulumi.account-a.yaml");
      const ws = new MemoryWorkspace({
        "account-a": {
          config: {
            ...committed.config,
            "cross-account-irsa:accountBStack": "organization/cross-account-irsa/other-account-b",
          },
          secretKeys: [],
        },
      });
      await ws.createOrSelect("other-account-b");
      const h = harness(ws);
      const outcome = await deploy(h.options);
      expect(outcome.ok, h.err.join("\n")).to.be.true;
      expect(h.out.join("\n")).to.include(
        'warning: account-a still reports "skipped: account-b has no outputs yet"',
      );
    });

    it("fails, as Pulumi does, when a StackReference names a stack that does not exist", async () => {
      const committed = loadStackConfig("Pulumi.account-a.yaml");
      const ws = new MemoryWorkspace({
        "account-a": {
          config: {
            ...committed.config,
            "cross-account-irsa:accountBStack": "organization/cross-account-irsa/nowhere",
          },
          secretKeys: [],
        },
      });
      const h = harness(ws);
      const outcome = await deploy(h.options);
      expect(outcome.ok).to.be.false;
      expect(h.err.join("\n")).to.include('unknown stack "organization/cross-account-irsa/nowhere"');
    });
  });
});
