import { expect } from "chai";
import {
  ACCOUNT_A_STACK_KEY,
  ACCOUNT_B_STACK_KEY,
  PROGRAM_KEY,
  type RunOptions,
  deploy,
  deployPhases,
  destroy,
  destroyPhases,
  ensureStackReferences,
  preview,
  previewPhases,
} from "../../deploy/orchestrator";
import { DEFAULT_STACKS, type StackPair } from "../../cli/shared/stacks";
import { countChanges } from "../../deploy/progress";
import { loadStackConfig } from "../../stacks/stackFile";
import { MemoryWorkspace } from "./memoryWorkspace";

interface Harness {
  ws: MemoryWorkspace;
  out: string[];
  err: string[];
  options: RunOptions;
}

function harness(
  ws = new MemoryWorkspace(),
  stacks: StackPair = DEFAULT_STACKS,
  interrupted = false,
): Harness {
  const out: string[] = [];
  const err: string[] = [];
  return {
    ws,
    out,
    err,
    options: {
      workspace: ws,
      stacks,
      log: (l) => out.push(l),
      logError: (l) => err.push(l),
      now: ws.now,
      wasInterrupted: () => interrupted,
      resumeCommand: (c) => `npm run ${c}`,
    },
  };
}

/** A fresh workspace deployed once, cleanly: the reference end state. */
async function cleanDeployState(stacks: StackPair = DEFAULT_STACKS) {
  const h = harness(new MemoryWorkspace(), stacks);
  const outcome = await deploy(h.options);
  expect(outcome.ok, h.err.join("\n")).to.be.true;
  return { a: h.ws.snapshot(stacks.a), b: h.ws.snapshot(stacks.b) };
}

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

  describe("ensureStackReferences", () => {
    it("writes nothing with the default names", async () => {
      const ws = new MemoryWorkspace();
      await ws.createOrSelect("account-a");
      await ws.createOrSelect("account-b");
      expect(await ensureStackReferences(ws, DEFAULT_STACKS)).to.deep.equal([]);
      expect(ws.callLog(["setConfig", "getConfig"])).to.deep.equal([]);
    });

    it("does not set the program when the name already ends in it, and writes only what differs", async () => {
      const ws = new MemoryWorkspace();
      const stacks = { a: "prod-account-a", b: "prod-account-b" };
      await ws.createOrSelect(stacks.a);
      await ws.createOrSelect(stacks.b);
      await ws.setConfig(stacks.b, ACCOUNT_A_STACK_KEY, "organization/cross-account-irsa/prod-account-a");
      ws.calls.length = 0;
      const lines = await ensureStackReferences(ws, stacks);
      expect(lines).to.deep.equal([
        `set ${ACCOUNT_B_STACK_KEY} = organization/cross-account-irsa/prod-account-b on stack prod-account-a`,
      ]);
    });
  });

  describe("preview", () => {
    it("previews account-a then account-b, after making sure both stacks exist, and changes nothing", async () => {
      const h = harness();
      const outcome = await preview(h.options);
      expect(outcome.ok, h.err.join("\n")).to.be.true;
      expect(h.ws.callLog(["createOrSelect", "preview", "up", "outputs"])).to.deep.equal([
        "createOrSelect account-a",
        "createOrSelect account-b",
        // The deploy order is decided (and printed) from both stacks' config and outputs first.
        "outputs account-a",
        "outputs account-b",
        "preview account-a",
        "outputs account-a",
        "preview account-b",
      ]);
      expect(h.out[0]).to.equal(
        "deploy order: account-a, account-b, account-a (single-grant mode: account-a's cluster, account-b's grant, then account-a's binding)",
      );
      expect(h.ws.snapshot("account-a").resources).to.deep.equal({});
      expect(h.out).to.include(
        "[1/2 account-a] preview done in 5.0s: 5 to create, 0 to update, 0 to delete, 0 unchanged",
      );
      // account-b's first-run plan, with account-a's issuer unknown until account-a exists.
      expect(h.out).to.include("[2/2 account-b]    +1.0s create  pulumi:providers:aws account-b");
      expect(h.out).to.include("[2/2 account-b]   +14.0s create  aws:iam/role:Role irsa-role");
      expect(h.out.join("\n")).to.include(
        "[2/2 account-b] info: account-a has no oidcIssuerUrl output yet: this preview shows what account-b will create",
      );
      expect(h.out).to.include(
        "[2/2 account-b] preview done in 16.0s: 16 to create, 0 to update, 0 to delete, 0 unchanged",
      );
    });

    it("says account-b's preview shows the first-run state when account-a has no outputs yet", async () => {
      const h = harness();
      await preview(h.options);
      expect(h.out.join("\n")).to.include(
        "note: account-a has no outputs yet (never deployed), so account-b's preview shows the first-run state",
      );
    });

    it("does not add the note once account-a is deployed, and previews no changes", async () => {
      const h = harness();
      await deploy(h.options);
      h.out.length = 0;
      const outcome = await preview(h.options);
      expect(outcome.ok).to.be.true;
      expect(h.out.join("\n")).not.to.include("note:");
      expect(outcome.phases.map((p) => countChanges(p.resourceChanges ?? {}).created)).to.deep.equal([0, 0]);
    });

    it("stops after a failed account-a preview, saying nothing was changed", async () => {
      const ws = new MemoryWorkspace().failNext({ op: "preview", stack: "account-a", afterSteps: 1 });
      const h = harness(ws);
      const outcome = await preview(h.options);
      expect(outcome.ok).to.be.false;
      expect(ws.callLog(["preview"])).to.deep.equal(["preview account-a"]);
      expect(h.err.join("\n")).to.include("Nothing was changed");
      expect(h.err.join("\n")).not.to.include("The state is consistent");
    });
  });

  describe("destroy", () => {
    it("destroys account-a, then account-b, and leaves both empty", async () => {
      const h = harness();
      await deploy(h.options);
      h.ws.calls.length = 0;
      const outcome = await destroy(h.options);
      expect(outcome.ok, h.err.join("\n")).to.be.true;
      expect(h.ws.callLog(["select", "destroy"])).to.deep.equal([
        "select account-a",
        "destroy account-a",
        "select account-b",
        "destroy account-b",
      ]);
      expect(h.ws.snapshot("account-a").resources).to.deep.equal({});
      expect(h.ws.snapshot("account-b").resources).to.deep.equal({});
      expect(h.out).to.include(
        "[1/2 account-a] destroy done in 12.0s: 0 created, 0 updated, 12 deleted, 0 unchanged",
      );
    });

    it("skips a stack that does not exist, and creates none", async () => {
      const h = harness();
      const outcome = await destroy(h.options);
      expect(outcome.ok).to.be.true;
      expect(h.out).to.include("[1/2 account-a] stack account-a does not exist: nothing to destroy");
      expect(h.ws.stacks.size).to.equal(0);
    });

    it("stops at a failure in account-a (account-b untouched) and resumes on the next run", async () => {
      const h = harness();
      await deploy(h.options);
      h.ws.calls.length = 0;
      h.ws.failNext({ op: "destroy", stack: "account-a", afterSteps: 2 });
      const failed = await destroy(h.options);
      expect(failed.ok).to.be.false;
      expect(h.ws.callLog(["destroy"])).to.deep.equal(["destroy account-a"]);
      expect(Object.keys(h.ws.snapshot("account-b").resources)).to.have.length(16);
      const report = h.err.join("\n");
      expect(report).to.include("destroy failed in phase 1/2 (destroy account-a)");
      expect(report).to.include("(delete failed)");
      expect(report).to.include("run `npm run destroy` again");
      const resumed = await destroy(h.options);
      expect(resumed.ok).to.be.true;
      expect(countChanges(resumed.phases[0].resourceChanges ?? {}).deleted).to.equal(10);
      expect(h.ws.snapshot("account-a").resources).to.deep.equal({});
      expect(h.ws.snapshot("account-b").resources).to.deep.equal({});
    });
  });
});
