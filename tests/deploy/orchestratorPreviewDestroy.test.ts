import { expect } from "chai";
import {
  ACCOUNT_A_STACK_KEY,
  ACCOUNT_B_STACK_KEY,
  deploy,
  destroy,
  ensureStackReferences,
  preview,
} from "../../deploy/orchestrator";
import { DEFAULT_STACKS } from "../../cli/shared/stacks";
import { countChanges } from "../../deploy/progress";
import { MemoryWorkspace } from "./memoryWorkspace";
import { harness } from "./orchestratorFixtures";

describe("automation orchestration", () => {
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
