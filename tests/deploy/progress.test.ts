import type { EngineEvent, StepEventMetadata } from "@pulumi/pulumi/automation";
import { expect } from "chai";
import {
  type Phase,
  ProgressTracker,
  countChanges,
  displayOutputValue,
  formatChangeSummary,
  formatOutputs,
  formatResourceLine,
  phaseLabel,
  resourceNameFromUrn,
  resourceTypeFromUrn,
  stripColor,
} from "../../deploy/progress";

const ROLE_URN =
  "urn:pulumi:account-b::cross-account-irsa::cross-account-irsa:index:IrsaRole$aws:iam/role:Role::irsa-role";
const STACK_URN =
  "urn:pulumi:account-b::cross-account-irsa::pulumi:pulumi:Stack::cross-account-irsa-account-b";

function meta(op: StepEventMetadata["op"], urn: string, type: string): StepEventMetadata {
  return { op, urn, type, provider: "" };
}

let seq = 0;
function event(e: Omit<EngineEvent, "sequence" | "timestamp">): EngineEvent {
  seq += 1;
  return { sequence: seq, timestamp: 0, ...e };
}

function tracker(kind: Phase["kind"], clock: { t: number }): ProgressTracker {
  return new ProgressTracker({ index: 2, total: 3, stack: "account-b", kind }, () => clock.t);
}

describe("automation progress formatting", () => {
  it("labels a phase with its position and stack", () => {
    expect(phaseLabel({ index: 2, total: 3, stack: "account-b", kind: "up" })).to.equal("[2/3 account-b]");
  });

  it("reads the name and type from a URN, including nested component types", () => {
    expect(resourceNameFromUrn(ROLE_URN)).to.equal("irsa-role");
    expect(resourceTypeFromUrn(ROLE_URN)).to.equal("aws:iam/role:Role");
    expect(resourceTypeFromUrn(STACK_URN)).to.equal("pulumi:pulumi:Stack");
    expect(resourceTypeFromUrn("not-a-urn")).to.equal("");
  });

  it("strips Pulumi colour tags and ANSI escapes", () => {
    const esc = String.fromCharCode(27);
    expect(stripColor(`<{%fg 1%}>error<{%reset%}>: ${esc}[31mboom${esc}[0m`)).to.equal("error: boom");
  });

  it("formats a resource line with elapsed time, op, type, name and duration", () => {
    expect(
      formatResourceLine({
        label: "[2/3 account-b]",
        elapsedMs: 14_250,
        op: "create",
        type: "aws:iam/role:Role",
        name: "irsa-role",
        durationMs: 3_100,
      }),
    ).to.equal("[2/3 account-b]   +14.3s create  aws:iam/role:Role irsa-role (3.1s)");
    expect(
      formatResourceLine({
        label: "[1/2 a]",
        elapsedMs: 0,
        op: "delete",
        type: "t",
        name: "n",
        failed: true,
      }),
    ).to.equal("[1/2 a]    +0.0s delete FAILED t n");
  });

  it("groups op counts into created/updated/replaced/deleted/unchanged", () => {
    expect(
      countChanges({ create: 2, import: 1, update: 3, replace: 1, delete: 4, same: 5, read: 7 }),
    ).to.deep.equal({ created: 3, updated: 3, replaced: 1, deleted: 4, unchanged: 5 });
    expect(countChanges({})).to.deep.equal({ created: 0, updated: 0, replaced: 0, deleted: 0, unchanged: 0 });
  });

  it("writes a per-stack summary line for up, preview, destroy and a stopped phase", () => {
    const up: Phase = { index: 2, total: 3, stack: "account-b", kind: "up" };
    expect(formatChangeSummary(up, { create: 2, update: 1, same: 5 }, 14_200)).to.equal(
      "[2/3 account-b] up done in 14.2s: 2 created, 1 updated, 0 deleted, 5 unchanged",
    );
    expect(formatChangeSummary(up, { create: 1, replace: 2 }, 1_000, true)).to.equal(
      "[2/3 account-b] up stopped after 1.0s: 1 created, 0 updated, 2 replaced, 0 deleted, 0 unchanged",
    );
    expect(formatChangeSummary({ ...up, kind: "preview" }, { create: 7 })).to.equal(
      "[2/3 account-b] preview done: 7 to create, 0 to update, 0 to delete, 0 unchanged",
    );
    expect(
      formatChangeSummary({ index: 1, total: 2, stack: "a", kind: "destroy" }, { delete: 6 }, 500),
    ).to.equal("[1/2 a] destroy done in 0.5s: 0 created, 0 updated, 6 deleted, 0 unchanged");
  });

  it("masks secret outputs and shows the rest as text or JSON, sorted", () => {
    const lines = formatOutputs("account-a", {
      kubeconfig: { value: '{"token":"s3cr3t"}', secret: true },
      clusterName: { value: "c1", secret: false },
      serviceAccount: { value: { namespace: "ns", name: "sa" }, secret: false },
      nested: { value: { password: "hunter2" }, secret: true },
    });
    expect(lines).to.deep.equal([
      "account-a outputs:",
      "  clusterName: c1",
      "  kubeconfig: [secret]",
      "  nested: [secret]",
      '  serviceAccount: {"namespace":"ns","name":"sa"}',
    ]);
    expect(lines.join("\n")).not.to.match(/s3cr3t|hunter2/);
    expect(formatOutputs("account-b", {})).to.deep.equal(["account-b outputs: (none)"]);
    expect(displayOutputValue(42, false)).to.equal("42");
    expect(displayOutputValue("", true)).to.equal("[secret]");
  });

  describe("ProgressTracker", () => {
    it("prints one line per finished operation, timed from its pre-event, and skips the root stack", () => {
      const clock = { t: 1_000 };
      const t = tracker("up", clock);
      expect(
        t.handle(event({ resourcePreEvent: { metadata: meta("same", STACK_URN, "pulumi:pulumi:Stack") } })),
      ).to.deep.equal([]);
      expect(
        t.handle(event({ resOutputsEvent: { metadata: meta("same", STACK_URN, "pulumi:pulumi:Stack") } })),
      ).to.deep.equal([]);
      clock.t = 2_000;
      expect(
        t.handle(event({ resourcePreEvent: { metadata: meta("create", ROLE_URN, "aws:iam/role:Role") } })),
      ).to.deep.equal([]);
      clock.t = 4_500;
      expect(
        t.handle(event({ resOutputsEvent: { metadata: meta("create", ROLE_URN, "aws:iam/role:Role") } })),
      ).to.deep.equal(["[2/3 account-b]    +3.5s create  aws:iam/role:Role irsa-role (2.5s)"]);
    });

    it("prints unchanged resources without a duration", () => {
      const clock = { t: 0 };
      const t = tracker("up", clock);
      t.handle(event({ resourcePreEvent: { metadata: meta("same", ROLE_URN, "aws:iam/role:Role") } }));
      expect(
        t.handle(event({ resOutputsEvent: { metadata: meta("same", ROLE_URN, "aws:iam/role:Role") } })),
      ).to.deep.equal(["[2/3 account-b]    +0.0s same    aws:iam/role:Role irsa-role"]);
    });

    it("in a preview, prints each planned step once (from its pre-event)", () => {
      const clock = { t: 0 };
      const t = tracker("preview", clock);
      const m = meta("update", ROLE_URN, "aws:iam/role:Role");
      expect(t.handle(event({ resourcePreEvent: { metadata: m, planning: true } }))).to.deep.equal([
        "[2/3 account-b]    +0.0s update  aws:iam/role:Role irsa-role",
      ]);
      expect(t.handle(event({ resOutputsEvent: { metadata: m, planning: true } }))).to.deep.equal([]);
    });

    it("remembers the last failed operation and error diagnostic, and prints both", () => {
      const clock = { t: 0 };
      const t = tracker("up", clock);
      const m = meta("create", ROLE_URN, "aws:iam/role:Role");
      t.handle(event({ resourcePreEvent: { metadata: m } }));
      clock.t = 1_200;
      const diag = t.handle(
        event({
          diagnosticEvent: {
            urn: ROLE_URN,
            message: "<{%fg 1%}>creating IAM Role: AccessDenied\nsecond line<{%reset%}>\n",
            color: "raw",
            severity: "error",
          },
        }),
      );
      expect(diag).to.deep.equal([
        "[2/3 account-b] error irsa-role: creating IAM Role: AccessDenied",
        "[2/3 account-b]   second line",
      ]);
      expect(t.handle(event({ resOpFailedEvent: { metadata: m, status: 1, steps: 0 } }))).to.deep.equal([
        "[2/3 account-b]    +1.2s create FAILED aws:iam/role:Role irsa-role (1.2s)",
      ]);
      expect(t.lastFailure).to.deep.equal({
        op: "create",
        type: "aws:iam/role:Role",
        name: "irsa-role",
        urn: ROLE_URN,
      });
      expect(t.lastError).to.deep.equal({
        message: "creating IAM Role: AccessDenied\nsecond line",
        urn: ROLE_URN,
        name: "irsa-role",
      });
    });

    it("picks the error about the failed resource over the engine's closing `update failed`", () => {
      const t = tracker("up", { t: 0 });
      const m = meta("create", ROLE_URN, "aws:iam/role:Role");
      const diag = (urn: string | undefined, message: string) =>
        event({ diagnosticEvent: { urn, message, color: "never", severity: "error" } });
      t.handle(diag(ROLE_URN, "creating IAM Role: AccessDenied"));
      t.handle(diag(undefined, "another resource failed too"));
      t.handle(event({ resOpFailedEvent: { metadata: m, status: 1, steps: 0 } }));
      t.handle(diag(STACK_URN, "update failed"));
      expect(t.errors).to.have.length(3);
      expect(t.lastError?.message).to.equal("creating IAM Role: AccessDenied");

      const noResource = tracker("up", { t: 0 });
      noResource.handle(diag(STACK_URN, "Running program failed: config missing"));
      noResource.handle(diag(STACK_URN, "update failed"));
      expect(noResource.lastError?.message).to.equal("Running program failed: config missing");

      const onlyGeneric = tracker("up", { t: 0 });
      onlyGeneric.handle(diag(STACK_URN, "update failed"));
      expect(onlyGeneric.lastError?.message).to.equal("update failed");
    });

    it("prints warnings and program messages, names no resource for the root stack, and drops ephemeral ones", () => {
      const t = tracker("up", { t: 0 });
      expect(
        t.handle(
          event({
            diagnosticEvent: {
              urn: STACK_URN,
              message: "account-b has no outputs yet\n",
              color: "never",
              severity: "info",
            },
          }),
        ),
      ).to.deep.equal(["[2/3 account-b] info: account-b has no outputs yet"]);
      expect(
        t.handle(event({ diagnosticEvent: { message: "deprecated", color: "never", severity: "warning" } })),
      ).to.deep.equal(["[2/3 account-b] warning: deprecated"]);
      expect(
        t.handle(
          event({ diagnosticEvent: { message: "x", color: "never", severity: "info", ephemeral: true } }),
        ),
      ).to.deep.equal([]);
      expect(t.lastError).to.equal(undefined);
    });

    it("keeps the summary event", () => {
      const t = tracker("destroy", { t: 0 });
      const summary = {
        maybeCorrupt: false,
        durationSeconds: 3,
        resourceChanges: { delete: 3 },
        policyPacks: {},
      };
      expect(t.handle(event({ summaryEvent: summary }))).to.deep.equal([]);
      expect(t.summary).to.deep.equal(summary);
    });
  });
});
